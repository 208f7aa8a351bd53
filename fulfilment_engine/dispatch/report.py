"""A distributor's despatch report (CSV or XLSX, by e-mail or dropped in a folder), read through a mapping
file like the offer feeds' (`fulfilment_engine.feeds.mapping`: the same layout settings and [columns]):

```toml
delimiter = ","            # CSV only; one character, "\\t" for tab
header = true              # the first line naming the columns (XLSX: the first row holding them)
encoding = "utf-8"         # CSV only; e.g. "cp1252"
sheet = "Despatches"       # XLSX only; the first worksheet when not given
carrier = "DPD"            # optional: the carrier of every row, when the report has no carrier column
date_format = "%d/%m/%Y"   # optional: how the date column is written (ISO 8601 and UK forms are read anyway)

[columns]                  # a header name, or a column number counted from 1
po = "Your Order No"       # our purchase order reference
part_number = "Part Code"  # or: sku = "…" when the report carries our SKU (one of the two)
quantity = "Qty"
carrier = "Courier"        # optional (or the constant above)
tracking = "Consignment No"
date = "Despatch Date"     # optional
```

One report covers many purchase orders; every row is checked on its own and a bad one is listed as
`FILE:LINE: reason` while the others are read (a row whose tracking number fails its carrier's check
digit is bad: a mistyped number is worse than none).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ..errors import ConfigError, InputError
from ..feeds.mapping import Layout, column_positions, parse_layout, read_toml
from ..feeds.text_checks import has_suspect_text, text_problem
from . import carriers, tracking
from .attachments import Unreadable, xlsx_sheets
from .model import BadRow, Report, ReportRow

FIELD_ALIASES = {
    "po": "po",
    "purchase_order": "po",
    "sku": "sku",
    "part_number": "part_number",
    "mpn": "part_number",
    "quantity": "quantity",
    "qty": "quantity",
    "carrier": "carrier",
    "courier": "carrier",
    "tracking": "tracking",
    "tracking_number": "tracking",
    "date": "date",
    "despatch_date": "date",
}
SETTINGS = {"sheet", "carrier", "date_format"}
_UK_DATES = ("%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%d-%b-%Y", "%d %b %Y", "%Y-%m-%d")


@dataclass(frozen=True)
class ReportMapping(Layout):
    sheet: str | None = None
    carrier: str | None = None
    date_format: str | None = None


def _fail(path: str, key: str, message: str) -> ConfigError:
    return ConfigError(f"{path}: {key}", message)


def parse_report_mapping(data: dict, path: str = "mapping") -> ReportMapping:
    """A despatch report mapping, checked; a mistake is a ConfigError naming the file and the key."""
    layout = parse_layout(data, path, FIELD_ALIASES, SETTINGS)
    columns = layout.columns
    if "sku" in columns and "part_number" in columns:
        raise _fail(path, "columns", "give either sku or part_number as the product column, not both")
    if "sku" not in columns and "part_number" not in columns:
        raise _fail(
            path, "columns", "needs a product column: sku (our SKU) or part_number (the distributor's)"
        )
    for field in ("po", "quantity", "tracking"):
        if field not in columns:
            raise _fail(path, f"columns.{field}", "is required")
    settings = {}
    for key in SETTINGS:
        value = data.get(key)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise _fail(path, key, f"must be text, got {value!r}")
        settings[key] = value.strip() if value else None
    if settings["carrier"] and "carrier" in columns:
        raise _fail(path, "carrier", "is both a constant and a column; keep one")
    return ReportMapping(**vars(layout), **settings)


def load_report_mapping(path: str | Path) -> ReportMapping:
    return parse_report_mapping(read_toml(path), str(path))


def parse_report_mapping_text(text: str, source: str = "mapping") -> ReportMapping:
    """A mapping kept as text (a setting in Odoo, say)."""
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(source, f"not valid TOML: {exc}") from None
    return parse_report_mapping(data, source)


def read_report(
    content: bytes,
    name: str,
    mapping: ReportMapping,
    po_pattern: re.Pattern[str] | None = None,
) -> Report:
    """Every row of a despatch report: good ones as `ReportRow`, bad ones as `BadRow`.

    `name` says where the report came from (its file name) and whether it is XLSX or CSV. A report
    whose header lacks a mapped column is an `InputError` for the whole file (FILE:1)."""
    reader = _xlsx_records if name.lower().endswith((".xlsx", ".xlsm")) else _csv_records
    positions, records = reader(content, name, mapping)
    rows: list[ReportRow] = []
    bad: list[BadRow] = []
    for line, fields in records:
        if not any(field.strip() for field in fields):
            continue
        result = _row(line, fields, positions, mapping, po_pattern)
        if isinstance(result, str):
            bad.append(BadRow(name, line, result))
        else:
            rows.append(result)
    po_refs = tuple(dict.fromkeys(row.po for row in rows))
    return Report(name, tuple(rows), tuple(bad), po_refs)


def _row(line, fields, positions, mapping: ReportMapping, po_pattern) -> ReportRow | str:
    """The row, or why it is bad."""

    def field_name(index: int) -> str:
        return next((name for name, at in positions.items() if at == index), "")

    problem = (
        text_problem(fields, field_name, mapping.encoding) if has_suspect_text("".join(fields)) else None
    )
    if problem:
        return problem
    needed = max(positions.values()) + 1
    if len(fields) < needed:
        return f"expected at least {needed} fields, got {len(fields)}"

    def get(field: str) -> str:
        at = positions.get(field)
        return fields[at].strip() if at is not None else ""

    po = get("po")
    if not po:
        return "no purchase order reference"
    if po_pattern is not None:
        found = po_pattern.search(po)
        if found is None:
            return f"purchase order {po!r} is not one of our references"
        po = found.group(0).upper()
    code = get("sku") or get("part_number")
    if not code:
        return f"no {'sku' if 'sku' in positions else 'part number'}"
    raw_quantity = get("quantity").replace(",", "")
    try:
        quantity = Decimal(raw_quantity)
    except InvalidOperation:
        return f"quantity {raw_quantity!r} is not a number"
    if not quantity.is_finite() or quantity <= 0:
        return f"quantity {raw_quantity!r} must be more than 0"
    carrier = carriers.canonical(get("carrier") or mapping.carrier or "")
    number = tracking.normalise(get("tracking"))
    checked = False
    if number and carrier in tracking.CARRIERS_WITH_RULES:
        rules = tracking.matches(number, carrier)
        if not rules:
            return f"tracking {get('tracking')!r} is not a valid {carrier} number (shape or check digit)"
        checked = rules[0].strength != "shape"
    elif number and not carrier:
        evident = tracking.evident(number)
        checked_rules = {rule.carrier for rule in tracking.matches(number) if rule.strength == "checked"}
        if evident is not None:
            carrier, checked = tracking.post_carrier(evident, number), True
        elif len(checked_rules) == 1:
            carrier, checked = checked_rules.pop(), True
        else:
            return f"tracking {get('tracking')!r} names no carrier and fits no carrier's check digit"
    despatched = None
    if get("date"):
        despatched = _date(get("date"), mapping.date_format)
        if despatched is None:
            return f"date {get('date')!r} is not a date ({mapping.date_format or 'DD/MM/YYYY'})"
    return ReportRow(
        line=line,
        po=po,
        quantity=quantity,
        sku=code if "sku" in positions else "",
        part_number=code if "part_number" in positions else "",
        carrier=carrier,
        tracking=number,
        date=despatched,
        checked=checked,
    )


def _date(text: str, date_format: str | None) -> date | None:
    """A despatch date as written (a spreadsheet's date cell arrives as ISO text): the mapping's format,
    else ISO 8601 or the UK forms; a time after the date is ignored."""
    for pattern in ((date_format,) if date_format else ()) + _UK_DATES:
        for candidate in (text, text.split(" ")[0]):
            try:
                return datetime.strptime(candidate, pattern).date()
            except ValueError:
                continue
    return None


Records = Iterator[tuple[int, list[str]]]  # (line in the file, fields)


def _csv_records(content: bytes, name: str, layout: ReportMapping) -> tuple[dict[str, int], Records]:
    try:
        text = content.decode(layout.encoding, errors="surrogateescape")
    except LookupError:
        raise InputError(name, f"unknown text encoding {layout.encoding!r}") from None
    options = {"delimiter": layout.delimiter, "strict": False}
    if layout.quote:
        options["quotechar"] = layout.quote
    else:
        options["quoting"] = csv.QUOTE_NONE
    reader = csv.reader(io.StringIO(text, newline=""), **options)

    def read() -> Records:
        try:
            for fields in reader:
                yield reader.line_num, fields
        except csv.Error as exc:
            raise InputError(f"{name}:{reader.line_num}", f"unreadable line: {exc}") from None

    records = read()
    if not layout.header:
        return column_positions(layout, None, name), records
    header = next((fields for _, fields in records if any(field.strip() for field in fields)), None)
    if header is None:
        return {}, iter(())  # an empty report: nothing despatched
    return column_positions(layout, header, name), records


def _xlsx_records(content: bytes, name: str, layout: ReportMapping) -> tuple[dict[str, int], Records]:
    try:
        sheets = dict(xlsx_sheets(content))
    except Unreadable as exc:
        raise InputError(name, str(exc)) from None
    sheet = layout.sheet
    if sheet is not None and sheet not in sheets:
        raise InputError(name, f"no worksheet {sheet!r}; the workbook has {', '.join(sheets)}")
    rows = sheets[sheet] if sheet else next(iter(sheets.values()), [])
    numbered = ((index + 1, row) for index, row in enumerate(rows))
    if not layout.header:
        return column_positions(layout, None, name), numbered
    # a report often opens with a title and a blank row: the header is the first row naming the columns
    wanted = {column.casefold() for column in layout.columns.values() if isinstance(column, str)}
    start = next(
        (i for i, row in enumerate(rows[:20]) if wanted <= {cell.strip().casefold() for cell in row}),
        next((i for i, row in enumerate(rows) if any(row)), None),
    )
    if start is None:
        return {}, iter(())
    positions = column_positions(layout, rows[start], name)
    return positions, ((index + 1, rows[index]) for index in range(start + 1, len(rows)))
