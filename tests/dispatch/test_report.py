"""Despatch reports through a mapping file: many POs in one report, bad rows listed as FILE:LINE: reason."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from fulfilment_engine.dispatch.message import from_mime, po_pattern
from fulfilment_engine.dispatch.report import load_report_mapping, parse_report_mapping, read_report
from fulfilment_engine.errors import ConfigError, InputError

ROOT = Path(__file__).parents[2]
CORPUS = Path(__file__).parent / "corpus"
TARGET = load_report_mapping(ROOT / "data/despatch-mappings/target.toml")
EXERTIS = load_report_mapping(ROOT / "data/despatch-mappings/exertis.toml")


def _attachment(name: str):
    return from_mime((CORPUS / name).read_bytes()).attachments[0]


def test_one_report_many_purchase_orders():
    attachment = _attachment("05_target_csv_report.eml")
    report = read_report(attachment.content, attachment.name, TARGET, po_pattern())
    assert report.bad == ()
    assert report.po_refs == ("P00016", "P00017", "P00099")
    first = report.rows_for("P00016")[0]
    assert (first.line, first.part_number, first.quantity, first.carrier, first.tracking, first.checked) == (
        2,
        "920-004536",
        Decimal(5),
        "TNT",
        "183928252",
        True,
    )
    assert first.date == date(2026, 3, 3)


def test_bad_rows_are_listed_with_their_line_and_the_rest_read():
    content = (
        b"Despatch Date,Your Order No,Target Order No,Part Code,Description,Qty,Courier,Consignment No\r\n"
        b"03/03/2026,P00016,T-1,920-004536,Combo,5,TNT,183928252\r\n"
        b"03/03/2026,,T-2,BX700UI,UPS,1,TNT,480253470\r\n"
        b"03/03/2026,P00017,T-3,BX700UI,UPS,one,TNT,480253470\r\n"
        b"03/03/2026,P00017,T-4,BX700UI,UPS,1,TNT,480253471\r\n"
        b"31/02/2026,P00017,T-5,BX700UI,UPS,1,TNT,480253470\r\n"
        b"03/03/2026,PO 17,T-6,BX700UI,UPS,1,TNT,480253470\r\n"
        b"\r\n"
        b"03/03/2026,P00017,T-7,BX700UI,UPS,1,Acme Freight,AF-000123\r\n"
        b"03/03/2026,P00017,T-8,BX700UI,UPS,0,TNT,480253470\r\n"
    )
    report = read_report(content, "daily.csv", TARGET, po_pattern())
    assert [str(bad) for bad in report.bad] == [
        "daily.csv:3: no purchase order reference",
        "daily.csv:4: quantity 'one' is not a number",
        "daily.csv:5: tracking '480253471' is not a valid TNT number (shape or check digit)",
        "daily.csv:6: date '31/02/2026' is not a date (DD/MM/YYYY)",
        "daily.csv:7: purchase order 'PO 17' is not one of our references",
        "daily.csv:10: quantity '0' must be more than 0",
    ]
    assert [(row.line, row.po, row.carrier, row.tracking) for row in report.rows] == [
        (2, "P00016", "TNT", "183928252"),
        (9, "P00017", "Acme Freight", "AF000123"),
    ]


def test_xlsx_report_with_a_title_above_its_header():
    attachment = _attachment("15_exertis_xlsx_report.eml")
    report = read_report(attachment.content, attachment.name, EXERTIS, po_pattern())
    assert report.bad == ()
    assert [(r.line, r.po, r.part_number, r.quantity, r.carrier, r.tracking) for r in report.rows] == [
        (4, "P00014", "BX700UI", Decimal(2), "DHL Express", "5401234565")
    ]


def test_a_header_without_a_mapped_column_refuses_the_file():
    with pytest.raises(InputError, match=r"daily.csv:1: no column 'Consignment No' in the header"):
        read_report(b"Your Order No,Part Code,Qty,Courier\r\nP00016,X,1,TNT\r\n", "daily.csv", TARGET)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"columns": {"po": 1, "quantity": 2, "tracking": 3}}, "needs a product column"),
        ({"columns": {"po": 1, "sku": 2, "part_number": 3, "quantity": 4, "tracking": 5}}, "not both"),
        ({"columns": {"po": 1, "sku": 2, "tracking": 3}, "header": False}, "columns.quantity: is required"),
        ({"columns": {"po": "A", "sku": "B", "qty": "C", "tracking": "D", "colour": "E"}}, "unknown field"),
        ({"columns": {"po": 1, "sku": 2, "qty": 3, "tracking": 4, "carrier": 5}, "carrier": "DPD"}, "both"),
        ({"columns": {"po": 1, "sku": 2, "qty": 3, "tracking": 4}, "stock": 1}, "unknown setting"),
    ],
)
def test_mapping_mistakes_name_the_key(data, message):
    with pytest.raises(ConfigError, match=message):
        parse_report_mapping(data, "despatch.toml")


def test_a_constant_carrier_and_column_numbers():
    mapping = parse_report_mapping(
        {
            "header": False,
            "delimiter": ";",
            "carrier": "DPD",
            "columns": {"po": 1, "sku": 2, "qty": 3, "tracking": 4},
        }
    )
    report = read_report(b"P00012;CF100001;2;15501234567890\n", "dpd.csv", mapping, po_pattern())
    assert [(r.line, r.sku, r.carrier, r.checked) for r in report.rows] == [(1, "CF100001", "DPD", False)]
