"""The offer store: products, distributors and their offers in SQLite (default) or PostgreSQL.

```python
from fulfilment_engine.store import OfferStore, default_store_url, load_sample
store = OfferStore.open()                     # --store URL / FULFIL_STORE / the default SQLite file
store.import_feeds(["stock.txt"], format="sitc")
store.offers_for(["CF000123"])                # [Offer(distributor=…, stock=…, cost=…, age_s=…)]
```
Loads go through staging tables in bulk (COPY on PostgreSQL, executemany on SQLite) and one set-based
merge per invocation, inside one transaction.
"""

from ..feeds.distributors import DistributorRecord
from .engine import default_store_url
from .offer_store import OfferStore
from .reports import BadRow, DistributorOutcome, FeedReport, ProductReport
from .sample import SampleReport, default_data_dir, load_sample

__all__ = [
    "BadRow",
    "DistributorOutcome",
    "DistributorRecord",
    "FeedReport",
    "OfferStore",
    "ProductReport",
    "SampleReport",
    "default_data_dir",
    "default_store_url",
    "load_sample",
]
