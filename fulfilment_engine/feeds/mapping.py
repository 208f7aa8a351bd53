"""A distributor's own CSV, read through a column mapping file (TOML).

```toml
delimiter = ","            # one character; "\\t" for tab, ";" …
header = true              # the first line names the columns
encoding = "utf-8"         # optional (default utf-8, a BOM is ignored); e.g. "cp1252"
decimal_comma = false      # optional: costs written "12,50"
distributor = "WST"        # a constant distributor id, for a file that is one distributor's

[columns]                  # a header name, or a column number counted from 1
mpn = "Vendor Part No"     # or: sku = "Our Code" — the product as we know it (one of the two)
distributor_sku = "Westcoast Code"
stock = "Free Stock"
cost = "Trade Price"
category = "Category"      # optional, as are eta and brand_sku
eta = "Due Date"
# distributor = "Supplier" # instead of the constant above
```
"""

from __future__ import annotations

import csv
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path

from ..errors import ConfigError, InputError
from .offer_rows import OfferRow, Reject, RejectCallback, offer_row
from .source import ProgressCallback, csv_rows, first_filled, is_blank, open_text
from .text_checks import clean, has_suspect_text, text_problem

FIELD_ALIASES = {
    "sku": "sku",
    "product_id": "sku",
    "mpn": "mpn",
    "distributor": "distributor",
    "distributor_id": "distributor",
    "stock": "stock",
    "cost": "cost",
    "distributor_sku": "distributor_sku",
    "category": "category",
    "distributor_category": "category",
    "eta": "eta",
    "brand_sku": "brand_sku",
}
OPTIONAL_FIELDS = ("distributor_sku", "category", "eta", "brand_sku")

Column = str | int  # a header name or a 1-based column number
LAYOUT_KEYS = {"delimiter", "header", "encoding", "quote", "columns"}


@dataclass(frozen=True)
class Layout:
    """How a delimited file is laid out and where each field sits: what every mapping file says.

    The offer feeds' `Mapping` and the despatch reports' mapping (`fulfilment_engine.dispatch.report`)
    both read theirs through `parse_layout`, each with its own fields."""

    source: str
    delimiter: str
    header: bool
    columns: dict[str, Column]
    encoding: str = "utf-8-sig"
    quote: str = '"'


@dataclass(frozen=True)
class Mapping(Layout):
    """Where each offer field sits in a distributor's CSV; `key` is "sku" or "mpn"."""

    key: str = "sku"
    distributor: str | None = None
    decimal_comma: bool = False


def _fail(path: str, key: str, message: str) -> ConfigError:
    return ConfigError(f"{path}: {key}", message)


def read_toml(path: str | Path) -> dict:
    """A mapping file's TOML, or a ConfigError naming the file."""
    path = str(path)
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(path, f"cannot read mapping file: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, f"not valid TOML: {exc}") from None


def load_mapping(path: str | Path) -> Mapping:
    return parse_mapping(read_toml(path), str(path))


def parse_layout(data: dict, path: str, aliases: dict[str, str], settings: set[str]) -> Layout:
    """The layout settings every mapping file shares, checked: `settings` are the other top-level keys
    the caller reads itself, `aliases` maps each name allowed in [columns] to its field."""
    allowed = LAYOUT_KEYS | settings
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise _fail(path, unknown[0], f"unknown setting; the settings are {', '.join(sorted(allowed))}")

    delimiter = data.get("delimiter", ",")
    if not isinstance(delimiter, str) or len(delimiter) != 1:
        raise _fail(path, "delimiter", f"must be one character, got {delimiter!r}")
    quote = data.get("quote", '"')
    if not isinstance(quote, str) or len(quote) > 1:
        raise _fail(path, "quote", f"must be one character or empty, got {quote!r}")
    header = data.get("header", True)
    if not isinstance(header, bool):
        raise _fail(path, "header", f"must be true or false, got {header!r}")
    encoding = data.get("encoding", "utf-8-sig")
    if not isinstance(encoding, str) or not encoding:
        raise _fail(path, "encoding", f"must be an encoding name, got {encoding!r}")
    if encoding.lower().replace("_", "-") in ("utf-8", "utf8"):
        encoding = "utf-8-sig"  # tolerate the byte-order mark spreadsheets write

    raw_columns = data.get("columns")
    if not isinstance(raw_columns, dict) or not raw_columns:
        raise _fail(path, "columns", "is required: a table naming the column of each field")
    columns: dict[str, Column] = {}
    for name, column in raw_columns.items():
        field = aliases.get(name)
        if field is None:
            raise _fail(path, f"columns.{name}", f"unknown field; the fields are {', '.join(aliases)}")
        if field in columns:
            raise _fail(path, f"columns.{name}", f"names the {field} column a second time")
        if isinstance(column, bool) or not isinstance(column, (str, int)):
            raise _fail(path, f"columns.{name}", f"must be a header name or a column number, got {column!r}")
        if isinstance(column, int) and column < 1:
            raise _fail(path, f"columns.{name}", f"column numbers count from 1, got {column}")
        if isinstance(column, str) and not header:
            raise _fail(path, f"columns.{name}", f"names a header column {column!r} but header = false")
        columns[field] = column
    return Layout(path, delimiter, header, columns, encoding, quote)


def parse_mapping(data: dict, path: str = "mapping") -> Mapping:
    layout = parse_layout(data, path, FIELD_ALIASES, {"decimal_comma", "distributor"})
    columns = layout.columns
    decimal_comma = data.get("decimal_comma", False)
    if not isinstance(decimal_comma, bool):
        raise _fail(path, "decimal_comma", f"must be true or false, got {decimal_comma!r}")
    distributor = data.get("distributor")
    if distributor is not None and (not isinstance(distributor, str) or not distributor.strip()):
        raise _fail(path, "distributor", f"must be a distributor id, got {distributor!r}")

    if "sku" in columns and "mpn" in columns:
        raise _fail(path, "columns", "give either sku or mpn as the product column, not both")
    if "sku" not in columns and "mpn" not in columns:
        raise _fail(
            path, "columns", "needs a product column: sku (our SKU) or mpn (manufacturer part number)"
        )
    for field in ("stock", "cost"):
        if field not in columns:
            raise _fail(path, f"columns.{field}", "is required")
    if distributor is None and "distributor" not in columns:
        raise _fail(
            path, "distributor", "give a constant distributor id, or a distributor column in [columns]"
        )
    if distributor is not None and "distributor" in columns:
        raise _fail(path, "distributor", "is both a constant and a column; keep one")

    return Mapping(
        **vars(layout),
        key="mpn" if "mpn" in columns else "sku",
        distributor=distributor.strip() if distributor else None,
        decimal_comma=decimal_comma,
    )


def column_positions(layout: Layout, header: list[str] | None, path: str | Path) -> dict[str, int]:
    """0-based position of each mapped field in this file; a header name not found is an InputError
    naming the file's first line, the mapping key and the names the header has."""
    positions: dict[str, int] = {}
    names = [name.strip() for name in header] if header is not None else None
    for field, column in layout.columns.items():
        if isinstance(column, int):
            positions[field] = column - 1
            continue
        assert names is not None
        if column not in names:
            folded = [name.casefold() for name in names]
            if column.casefold() not in folded:
                raise InputError(
                    f"{path}:1",
                    f"no column {column!r} in the header (columns.{field} in {layout.source}); "
                    f"the header has {', '.join(repr(n) for n in names)}",
                )
            positions[field] = folded.index(column.casefold())
        else:
            positions[field] = names.index(column)
    return positions


def read_mapped_csv(
    path: str | Path,
    file_no: int,
    mapping: Mapping,
    on_reject: RejectCallback,
    on_progress: ProgressCallback | None = None,
) -> Iterator[OfferRow]:
    """Yield the good rows of one mapped CSV file; bad ones go to `on_reject`."""
    key_name = mapping.key
    with open_text(path, mapping.encoding) as (text, raw):
        options = {"delimiter": mapping.delimiter, "strict": False}
        if mapping.quote:
            options["quotechar"] = mapping.quote
        else:
            options["quoting"] = csv.QUOTE_NONE
        reader = csv.reader(text, **options)
        rows = csv_rows(reader, raw, path, on_progress)
        header_names: list[str] | None = None
        width = 0
        if mapping.header:
            header = first_filled(rows)
            if header is None:
                return  # an empty file: nothing listed
            positions = column_positions(mapping, header, path)
            header_names = [name.strip() for name in header]
            width = len(header)
        else:
            positions = column_positions(mapping, None, path)
        needed = max(positions.values()) + 1
        if width and needed > width:
            raise InputError(f"{path}:1", f"the mapping needs {needed} columns, the header has {width}")
        # Rows get two padding slots: the constant distributor, then "" for unmapped optional fields.
        pad = width or needed
        take = itemgetter(
            positions[key_name],
            positions.get("distributor", pad),
            positions["stock"],
            positions["cost"],
            *(positions.get(field, pad + 1) for field in OPTIONAL_FIELDS),
        )
        constant = mapping.distributor
        distributor_at = positions.get("distributor")
        decimal_comma = mapping.decimal_comma
        field_name = _field_namer(mapping, header_names, positions)
        for fields in rows:
            if has_suspect_text("".join(fields)):
                named = constant
                if named is None and distributor_at is not None and distributor_at < len(fields):
                    named = clean(fields[distributor_at].strip()) or None
                problem = text_problem(fields, field_name, mapping.encoding)
                on_reject(Reject(reader.line_num, named, problem))
                continue
            if (width and len(fields) != width) or len(fields) < needed:
                if is_blank(fields):
                    continue
                named = constant
                if named is None and distributor_at is not None and distributor_at < len(fields):
                    named = fields[distributor_at].strip() or None
                expected = f"{width}" if width else f"at least {needed}"
                on_reject(
                    Reject(
                        reader.line_num,
                        named,
                        f"expected {expected} fields separated by {mapping.delimiter!r}, got {len(fields)}",
                    )
                )
                continue
            if len(fields) > pad:
                del fields[pad:]
            fields.append(constant or "")
            fields.append("")
            row = offer_row(
                file_no, reader.line_num, *take(fields), key_name=key_name, decimal_comma=decimal_comma
            )
            if type(row) is Reject:
                on_reject(row)
            else:
                yield row


def _field_namer(mapping: Mapping, header: list[str] | None, positions: dict[str, int]):
    """Names a column (0-based) for a message: its header name, else the field mapped to it."""
    mapped = {at: field for field, at in positions.items()}

    def name(index: int) -> str:
        if header is not None and index < len(header):
            return header[index]
        return mapped.get(index, "")

    return name
