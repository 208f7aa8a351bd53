"""Stock-in-the-Channel `DistributorStockAndPrices` feeds: pipe-delimited, eight fields, header optional.

`product_id|distributor_id|stock|cost|distributor_sku|distributor_category|eta|brand_sku`, where
`product_id` is our SKU. When the first line is a header, its names decide the column order.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from ..errors import InputError
from .offer_rows import OfferRow, Reject, RejectCallback, offer_row
from .source import PROGRESS_EVERY, ProgressCallback, decoding_error, is_blank, open_text

SITC_FIELDS = (
    "product_id",
    "distributor_id",
    "stock",
    "cost",
    "distributor_sku",
    "distributor_category",
    "eta",
    "brand_sku",
)
DELIMITER = "|"
ENCODING = "utf-8-sig"


def _header_order(fields: list[str], path: str | Path) -> list[int] | None:
    """Column positions of the SITC fields when `fields` is a header line, else None."""
    names = [name.strip().lower() for name in fields]
    if "product_id" not in names:
        return None
    missing = [name for name in SITC_FIELDS if name not in names]
    if missing:
        raise InputError(f"{path}:1", f"the header line lacks {', '.join(missing)}")
    return [names.index(name) for name in SITC_FIELDS]


def read_sitc(
    path: str | Path,
    file_no: int,
    on_reject: RejectCallback,
    on_progress: ProgressCallback | None = None,
) -> Iterator[OfferRow]:
    """Yield the good rows of one SITC file; bad ones go to `on_reject` as they are met."""
    with open_text(path, ENCODING) as (text, raw):
        reader = csv.reader(text, delimiter=DELIMITER, quoting=csv.QUOTE_NONE, strict=False)
        width = len(SITC_FIELDS)
        order: list[int] | None = None
        first = True
        count = 0
        try:
            for fields in reader:
                count += 1
                if on_progress is not None and count % PROGRESS_EVERY == 0:
                    on_progress(raw.tell())
                if first and not is_blank(fields):
                    first = False
                    order = _header_order(fields, path)
                    if order is not None:
                        width = len(fields)
                        continue
                if len(fields) != width:
                    if is_blank(fields):
                        continue
                    named = fields[order[1] if order else 1].strip() if len(fields) > 1 else ""
                    on_reject(
                        Reject(
                            reader.line_num,
                            named or None,
                            f"expected {width} fields separated by '|', got {len(fields)}",
                        )
                    )
                    continue
                if order is not None:
                    fields = [fields[i] for i in order]
                row = offer_row(file_no, reader.line_num, *fields)
                if type(row) is Reject:
                    on_reject(row)
                else:
                    yield row
        except UnicodeDecodeError as exc:
            raise decoding_error(path, reader.line_num + 1, ENCODING, exc) from None
        except csv.Error as exc:
            raise InputError(f"{path}:{reader.line_num}", f"unreadable line: {exc}") from None
        if on_progress is not None:
            on_progress(raw.tell())
