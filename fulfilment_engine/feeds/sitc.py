"""Stock-in-the-Channel `DistributorStockAndPrices` feeds: pipe-delimited, eight fields, header optional.

`product_id|distributor_id|stock|cost|distributor_sku|distributor_category|eta|brand_sku`, where
`product_id` is our SKU. When the first line is a header, its names decide the column order.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from operator import itemgetter
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
        try:
            yield from _rows(reader, path, file_no, on_reject, on_progress, raw)
        except UnicodeDecodeError as exc:
            raise decoding_error(path, reader.line_num + 1, ENCODING, exc) from None
        except csv.Error as exc:
            raise InputError(f"{path}:{reader.line_num}", f"unreadable line: {exc}") from None
        if on_progress is not None:
            on_progress(raw.tell())


def _rows(reader, path, file_no: int, on_reject: RejectCallback, on_progress, raw) -> Iterator[OfferRow]:
    width = len(SITC_FIELDS)
    reorder = None
    distributor_at = 1
    pending = None
    for fields in reader:  # the first line that is not blank: a header, or already a row
        if is_blank(fields):
            continue
        order = _header_order(fields, path)
        if order is None:
            pending = fields
        else:
            width = len(fields)
            distributor_at = order[1]
            if order != list(range(len(SITC_FIELDS))) or width != len(SITC_FIELDS):
                reorder = itemgetter(*order)
        break
    if pending is not None:
        yield from _checked(pending, reader.line_num, width, reorder, distributor_at, file_no, on_reject)
    count = 0
    for fields in reader:
        count += 1
        if on_progress is not None and not count % PROGRESS_EVERY:
            on_progress(raw.tell())
        if len(fields) != width:
            _wrong_width(fields, reader.line_num, width, distributor_at, on_reject)
            continue
        row = offer_row(file_no, reader.line_num, *(reorder(fields) if reorder else fields))
        if type(row) is Reject:
            on_reject(row)
        else:
            yield row


def _checked(fields, line, width, reorder, distributor_at, file_no, on_reject) -> Iterator[OfferRow]:
    if len(fields) != width:
        _wrong_width(fields, line, width, distributor_at, on_reject)
        return
    row = offer_row(file_no, line, *(reorder(fields) if reorder else fields))
    if type(row) is Reject:
        on_reject(row)
    else:
        yield row


def _wrong_width(
    fields: list[str], line: int, width: int, distributor_at: int, on_reject: RejectCallback
) -> None:
    if is_blank(fields):
        return
    named = fields[distributor_at].strip() if len(fields) > distributor_at else ""
    on_reject(Reject(line, named or None, f"expected {width} fields separated by '|', got {len(fields)}"))
