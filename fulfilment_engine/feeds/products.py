"""The product master: CSV with a header line
`sku,mpn,brand,description,weight_kg,length_cm,width_cm,height_cm`.

`sku` and `weight_kg` are required (freight depends on the weight, so a missing one is an error, not
a silent zero); the dimensions are optional (dimensional weight needs all three). Columns may come in any
order; other columns (prices, EANs…) are ignored.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from ..errors import InputError
from .offer_rows import Reject, RejectCallback, decimal_text
from .source import ProgressCallback, csv_rows, first_filled, is_blank, open_text
from .text_checks import has_suspect_text, text_problem

PRODUCT_FIELDS = ("sku", "mpn", "brand", "description", "weight_kg", "length_cm", "width_cm", "height_cm")
REQUIRED = ("sku", "weight_kg")
DIMENSIONS = ("length_cm", "width_cm", "height_cm")
ENCODING = "utf-8-sig"

# The staged product row: (file_no, line, sku, mpn, brand, description, weight_kg, length_cm, width_cm,
# height_cm)
PRODUCT_COLUMNS = ("file_no", "line", *PRODUCT_FIELDS)


def read_products(
    path: str | Path,
    file_no: int,
    on_reject: RejectCallback,
    on_progress: ProgressCallback | None = None,
) -> Iterator[tuple]:
    with open_text(path, ENCODING) as (text, raw):
        reader = csv.reader(text, strict=False)
        rows = csv_rows(reader, raw, path, on_progress)
        header_line = first_filled(rows)
        if header_line is None:
            return
        header = [name.strip().lower() for name in header_line]
        missing = [name for name in REQUIRED if name not in header]
        if missing:
            raise InputError(
                f"{path}:{reader.line_num}",
                f"the header line lacks {', '.join(missing)} (expected {','.join(PRODUCT_FIELDS)})",
            )
        width = len(header)
        positions = [header.index(name) if name in header else None for name in PRODUCT_FIELDS]
        for fields in rows:
            if has_suspect_text("".join(fields)):
                problem = text_problem(fields, lambda i: header[i] if i < width else "", ENCODING)
                on_reject(Reject(reader.line_num, None, problem))
                continue
            if len(fields) != width:
                if not is_blank(fields):
                    on_reject(Reject(reader.line_num, None, f"expected {width} fields, got {len(fields)}"))
                continue
            values = {
                name: ("" if at is None else fields[at].strip())
                for name, at in zip(PRODUCT_FIELDS, positions, strict=True)
            }
            row = _product_row(file_no, reader.line_num, values)
            if type(row) is Reject:
                on_reject(row)
            else:
                yield row


def _product_row(file_no: int, line: int, values: dict[str, str]) -> tuple | Reject:
    sku = values["sku"]
    if not sku:
        return Reject(line, None, "missing sku")
    weight, problem = decimal_text(values["weight_kg"], "weight_kg")
    if problem:
        return Reject(line, None, f"{sku}: {problem}")
    dimensions = []
    for name in DIMENSIONS:
        if not values[name]:
            dimensions.append(None)
            continue
        value, problem = decimal_text(values[name], name)
        if problem:
            return Reject(line, None, f"{sku}: {problem}")
        dimensions.append(value)
    given = [d for d in dimensions if d is not None]
    if given and len(given) != len(DIMENSIONS):
        return Reject(line, None, f"{sku}: give all of length_cm, width_cm, height_cm or none")
    return (file_no, line, sku, values["mpn"], values["brand"], values["description"], weight, *dimensions)
