"""Reading what distributors and the product master send us: parsing and per-row checks, no database.

- `sitc.read_sitc` / `sitc.SitcFile`: Stock-in-the-Channel pipe-delimited stock and price feeds, read a
  block at a time; `plain_lines` finds the lines that need no per-row work, so a database can take them
  as they stand.
- `mapping.load_mapping` + `mapping.read_mapped_csv`: a distributor's own CSV through a TOML mapping.
- `products.read_products`: the product master CSV.
- `distributors.load_distributors`: distributor definitions (data/distributors.json).

Readers stream: they yield good rows as tuples and report bad ones through a callback, so a feed of
millions of rows never sits in memory. A row holding a NUL byte or bytes not in the file's encoding is a
bad row naming its field (`text_checks`), never the end of a file. The store (`fulfilment_engine.store`)
does the loading.
"""

from .distributors import DistributorRecord, FeedSpec, load_distributors
from .mapping import Mapping, load_mapping, parse_mapping, read_mapped_csv
from .offer_rows import OFFER_COLUMNS, Reject
from .products import PRODUCT_COLUMNS, read_products
from .sitc import SITC_FIELDS, read_sitc

FEED_FORMATS = ("sitc", "csv")

__all__ = [
    "FEED_FORMATS",
    "OFFER_COLUMNS",
    "PRODUCT_COLUMNS",
    "SITC_FIELDS",
    "DistributorRecord",
    "FeedSpec",
    "Mapping",
    "Reject",
    "load_distributors",
    "load_mapping",
    "parse_mapping",
    "read_mapped_csv",
    "read_products",
    "read_sitc",
]
