"""Feed and product-master readers: rows out, bad rows with their line and reason (no database)."""

from __future__ import annotations

import csv

import pytest

from fulfilment_engine.errors import ConfigError, InputError
from fulfilment_engine.feeds import parse_mapping, read_mapped_csv, read_products, read_sitc


def read(reader, *args):
    bad = []
    rows = list(reader(*args, bad.append))
    return rows, [(b.line, b.distributor, b.reason) for b in bad]


def test_sitc_without_a_header_reads_every_line(tmp_path):
    path = tmp_path / "s.txt"
    path.write_text("P1|ING|3|10.50|I-1|Toner|2025-02-01|CF226A\n\nP2|ING| 4 | 1.5 |||| \n")
    rows, bad = read(read_sitc, path, 0)
    assert rows == [
        (0, 1, "ING", "P1", 3, "10.50", "I-1", "Toner", "2025-02-01", "CF226A"),
        (0, 3, "ING", "P2", 4, "1.5", "", "", "", ""),
    ]
    assert bad == []


def test_sitc_header_names_decide_the_column_order(tmp_path):
    path = tmp_path / "s.txt"
    path.write_text(
        "\ufeffdistributor_id|product_id|cost|stock|eta|brand_sku|distributor_sku|distributor_category\n"
        "ING|P1|10.50|3||CF226A|I-1|Toner\n"
    )
    rows, _bad = read(read_sitc, path, 2)
    assert rows == [(2, 2, "ING", "P1", 3, "10.50", "I-1", "Toner", "", "CF226A")]


def test_sitc_header_with_a_missing_column_is_an_error(tmp_path):
    path = tmp_path / "s.txt"
    path.write_text("product_id|distributor_id|stock\nP1|ING|3\n")
    with pytest.raises(InputError, match=r"s\.txt:1: the header line lacks cost, distributor_sku"):
        list(read_sitc(path, 0, lambda _r: None))


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("P1|ING|3.5|1.00||||", "stock '3.5' is not a whole number"),
        ("P1|ING|-2|1.00||||", "stock -2 is negative"),
        ("P1|ING|99999999999|1.00||||", "stock 99999999999 is too large"),
        ("P1|ING||1.00||||", "missing stock"),
        ("P1|ING|1|abc||||", "cost 'abc' is not a decimal number"),
        ("P1|ING|1|NaN||||", "cost 'NaN' is not a finite number"),
        ("P1|ING|1|-0.01||||", "cost '-0.01' is negative"),
        ("P1|ING|1|||||", "missing cost"),
        ("P1||1|1.00||||", "missing distributor_id"),
        ("P1|ING|1|1.00|||", "expected 8 fields separated by '|', got 7"),
        ("P1|ING|1|1.00||||||", "expected 8 fields separated by '|', got 10"),
    ],
)
def test_sitc_bad_rows(tmp_path, line, reason):
    path = tmp_path / "s.txt"
    path.write_text(f"P9|TDS|1|2.00||||\n{line}\n")
    rows, bad = read(read_sitc, path, 0)
    assert len(rows) == 1
    distributor = None if "missing distributor_id" in reason else "ING"
    assert bad == [(2, distributor, reason)]


@pytest.mark.parametrize("cost", ["1.2E+2", "1e3", "1_000.5", "12.34567", ".5", "5.", "+3", "\u0661\u0662"])
def test_a_cost_not_written_as_money_is_a_bad_row_not_a_guess(tmp_path, cost):
    """Decimal would read each of these (as 120, 1000, 1000.5 ...); a price list never writes them so."""
    path = tmp_path / "s.txt"
    path.write_text(f"P1|ING|1|{cost}||||\nP2|ING|1|12.5000||||\n", encoding="utf-8")
    rows, bad = read(read_sitc, path, 0)
    assert [r[5] for r in rows] == ["12.5000"]
    assert bad == [
        (1, "ING", f"cost {cost!r} is not written as money (digits, optionally a point and up to 4 decimals)")
    ]


def test_a_row_that_is_not_utf8_is_a_bad_row_naming_the_field_and_the_rest_reads(tmp_path):
    path = tmp_path / "s.txt"
    path.write_bytes(b"P1|ING|1|1.00|||Caf\xe9|\nP2|ING|2|2.00|||Caf\xc3\xa9|\n")
    rows, bad = read(read_sitc, path, 0)
    assert bad == [(1, "ING", "not valid UTF-8 in field 7 (eta): byte 0xE9")]
    assert rows == [(0, 2, "ING", "P2", 2, "2.00", "", "", "Caf\u00e9", "")]


def test_a_nul_byte_is_a_bad_row_naming_the_field(tmp_path):
    path = tmp_path / "s.txt"
    path.write_bytes(b"P1|ING|1|1.00|I\x00-1|||\nP2|ING|2|2.00||||\n")
    rows, bad = read(read_sitc, path, 0)
    assert bad == [(1, "ING", "NUL byte in field 5 (distributor_sku)")]
    assert [r[3] for r in rows] == ["P2"]


def test_mapped_csv_with_quoted_fields_and_cp1252(tmp_path):
    mapping = parse_mapping(
        {
            "delimiter": ",",
            "encoding": "cp1252",
            "distributor": "WST",
            "columns": {"mpn": "Part", "stock": "Qty", "cost": "Price", "category": "Cat"},
        },
        "m.toml",
    )
    path = tmp_path / "f.csv"
    path.write_bytes(
        'Part,Desc,Qty,Price,Cat\nCF226A,"Toner, 26A \u201cblack\u201d",5,44.5,Toner\n'.encode("cp1252")
    )
    rows, bad = read(read_mapped_csv, path, 1, mapping)
    assert rows == [(1, 2, "WST", "CF226A", 5, "44.5", "", "Toner", "", "")]
    assert bad == []


def test_mapped_csv_rows_of_the_wrong_width_name_their_distributor(tmp_path):
    mapping = parse_mapping(
        {
            "delimiter": ";",
            "header": True,
            "columns": {"sku": 1, "distributor": "Dist", "stock": 3, "cost": 4},
        }
    )
    path = tmp_path / "f.csv"
    path.write_text("Sku;Dist;Qty;Price\nP1;ASI;1;2.00\nP2;ASI;1\n")
    rows, bad = read(read_mapped_csv, path, 0, mapping)
    assert len(rows) == 1
    assert bad == [(3, "ASI", "expected 4 fields separated by ';', got 3")]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"columns": {"sku": 1, "stock": 2, "cost": 3}}, "distributor: give a constant distributor id"),
        ({"distributor": "X", "columns": {"stock": 2, "cost": 3}}, "columns: needs a product column"),
        ({"distributor": "X", "columns": {"sku": 1, "mpn": 2, "stock": 3, "cost": 4}}, "not both"),
        ({"distributor": "X", "columns": {"sku": 1, "cost": 3}}, "columns.stock: is required"),
        ({"distributor": "X", "columns": {"sku": 0, "stock": 2, "cost": 3}}, "column numbers count from 1"),
        (
            {"distributor": "X", "header": False, "columns": {"sku": "Code", "stock": 2, "cost": 3}},
            "names a header column 'Code' but header = false",
        ),
        (
            {"distributor": "X", "delimiter": ",,", "columns": {"sku": 1, "stock": 2, "cost": 3}},
            "delimiter: must be one character",
        ),
        (
            {"distributor": "X", "separator": ",", "columns": {"sku": 1, "stock": 2, "cost": 3}},
            "separator: unknown setting",
        ),
    ],
)
def test_mapping_mistakes_are_named(data, message):
    with pytest.raises(ConfigError) as error:
        parse_mapping(data, "m.toml")
    assert message in str(error.value) and str(error.value).startswith("m.toml: ")


def test_products_reader_takes_columns_in_any_order(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text('weight_kg,SKU,Price,description\n1.5,P1,9.99,"Cable, 2 m"\n')
    rows, bad = read(read_products, path, 0)
    assert rows == [(0, 2, "P1", "", "", "Cable, 2 m", "1.5", None, None, None)]
    assert bad == []


CSV_FILES = {
    "mapped": ("Sku,Qty,Price\nP1,1,2.00\nP2,1,{last}\n", "P2"),
    "products": ("sku,weight_kg\nP1,1\nP2,{last}\n", "P2"),
}
WST = {"distributor": "WST", "columns": {"sku": "Sku", "stock": "Qty", "cost": "Price"}}


def read_csv_file(kind: str, path, on_progress=None):
    bad = []
    if kind == "mapped":
        rows = list(read_mapped_csv(path, 0, parse_mapping(WST, "m.toml"), bad.append, on_progress))
    else:
        rows = list(read_products(path, 0, bad.append, on_progress))
    return rows, bad


@pytest.mark.parametrize("kind", CSV_FILES)
def test_a_line_the_csv_module_cannot_read_is_one_error_naming_it(tmp_path, kind):
    path = tmp_path / "f.csv"
    path.write_text(CSV_FILES[kind][0].format(last="9" * (csv.field_size_limit() + 1)))
    with pytest.raises(InputError) as error:
        read_csv_file(kind, path)
    assert str(error.value).startswith(f"{path}:3: unreadable line: field larger than field limit")


@pytest.mark.parametrize("kind", CSV_FILES)
def test_csv_readers_report_progress_to_the_end_of_the_file(tmp_path, kind):
    path = tmp_path / "f.csv"
    path.write_text(CSV_FILES[kind][0].format(last="3"))
    progress = []
    rows, bad = read_csv_file(kind, path, progress.append)
    assert len(rows) == 2 and bad == []
    assert progress == [path.stat().st_size]
