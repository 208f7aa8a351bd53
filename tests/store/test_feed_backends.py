"""SQLite and PostgreSQL load feeds alike, bad input included.

On PostgreSQL the plain lines of a Stock-in-the-Channel file go to COPY as they are and SQL numbers
them; on SQLite Python splits them. Whatever the file, both must report the same bad rows at the same
lines and end with the same offers. Rows holding a NUL byte or text not in the file's encoding are bad
rows like any other: the rest of the file loads.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from fulfilment_engine.store import OfferStore
from fulfilment_engine.store.schema import offers

HEADER = b"product_id|distributor_id|stock|cost|distributor_sku|distributor_category|eta|brand_sku"

DAY1 = b"\n".join(
    [
        HEADER,
        b"P1|ING|10|45.10|ING-1|Toner||CF226A",
        b"P2|ING|0|31.00|ING-2|Toner||TN-2420",
        b"P3|ING|0|612.00|ING-3|Laptops|2025-02-01|21JK0083UK",
        b"P4|ING|7|119.99|ING-4|Monitors||",
        b"P1|REF|5|40.00|R-1|Toner||",
        b"P2|REF|5|30.00|R-2|Toner||",
        b"P3|REF|5|600.00|R-3|Laptops||",
        b"P6|VIP|1|300.00|V-6|UPS||",
        b"",
    ]
)

# Every kind of bad row, between good rows that take the bulk path and good rows that need the checker.
DAY2_A = b"\n".join(
    [
        HEADER,  # 1
        b"P1|ING|11|45.20|ING-1|Toner||CF226A",  # 2  good
        b"P2|ING|lots|31.00|ING-2|Toner||",  # 3
        b"P3|ING|2|-612.00|ING-3|Laptops||",  # 4
        b"NOPE|ING|1|1.00|X|Misc||",  # 5
        b"P4|ING|7|119.99|ING-4|Monitors",  # 6
        b"|ING|1|1.00|X|Misc||",  # 7
        b"P5|ING|3||ING-5|Networking||",  # 8
        b"P1|ING|9|44.00|ING-1|Toner||",  # 9  repeats line 2
        b"P5||3|1.00||||",  # 10
        b"P6|ING|-2|1.00||||",  # 11
        b"P6|ING|99999999999|1.00||||",  # 12
        b"P6|ING|1|abc||||",  # 13
        b"P6|ING|1|NaN||||",  # 14
        b"P6|ING|1|1e13||||",  # 15
        b"P7|ING|1|1.00|I\x00-7|||",  # 16 NUL
        b"P7|ING|1|1.00||Caf\xe9||",  # 17 Latin-1 in a UTF-8 file
        b"",  # 18
        b"   ",  # 19
        b"P8|ING|1|1.00||||||",  # 20
        " P2|TDS| 4 | 1.5 |T-2|Tóner||".encode(),  # 21 good: padded, not ASCII
        b"P3|TDS|1|120|T\\3|\\N|2025-03-01|C",  # 22 good: COPY's escape characters
        b"P4|TDS|0012|0.5|T-4|||",  # 23 good
        b"P4|TDS|3|1.00|T-4|||",  # 24 repeats line 23
        b"P5|VIP|x|1||||",  # 25 VIP's only row
        b"P1|REF|5|40.00|R-1|Toner||",  # 26 REF lists one of its three offers…
        b"P1|REF|6|41.00|R-1|Toner||",  # 27 …twice
        b"",
    ]
)
# A second file: byte-order mark, Windows line ends, its own column order with a column more.
DAY2_B = b"\xef\xbb\xbf" + b"\r\n".join(
    [
        b"eta|distributor_id|brand_sku|cost|product_id|stock|distributor_sku|distributor_category|note",
        b"|TDS||2.50|P6|3|T-6|UPS|hello",  # 2 good
        b"|TDS||2.60|P2|9|T-2b|Toner|x",  # 3 repeats a.txt:21
        b"|TDS||1.00|P7|1|T-7|Cables",  # 4
        b"|ING||5.00|P5|1|ING-5|Networking|",  # 5 good
        b"",
    ]
)


def all_offers(store: OfferStore) -> list[tuple]:
    with store.engine.connect() as conn:
        return [
            tuple(row) for row in conn.execute(select(offers).order_by(offers.c.distributor, offers.c.sku))
        ]


@pytest.mark.parametrize("rebuild", [False, True], ids=["in-place", "rebuild"])
def test_every_kind_of_bad_row_is_reported_alike_on_sqlite_and_postgresql(
    both_catalogues, tmp_path, monkeypatch, rebuild
):
    from fulfilment_engine.store import offer_merge

    if rebuild:  # PostgreSQL rebuilds the table, and its primary key finds the repeated rows
        monkeypatch.setattr(offer_merge, "SWAP_MIN_ROWS", 1)
    day1, a, b = tmp_path / "day1.txt", tmp_path / "a.txt", tmp_path / "b.txt"
    day1.write_bytes(DAY1)
    a.write_bytes(DAY2_A)
    b.write_bytes(DAY2_B)

    reports, tables = {}, {}
    for backend, store in both_catalogues.items():
        assert store.import_feeds([day1]).bad_row_count == 0
        reports[backend] = store.import_feeds([a, b])
        tables[backend] = all_offers(store)

    sqlite, postgresql = reports["sqlite"], reports["postgresql"]
    assert sqlite.lines() == postgresql.lines()
    assert [o.summary() for o in sqlite.distributors.values()] == [
        o.summary() for o in postgresql.distributors.values()
    ]
    assert tables["sqlite"] == tables["postgresql"]
    assert postgresql.merge == ("rebuilt" if rebuild else "in place")

    assert sqlite.lines() == [
        f"{a}:3: stock 'lots' is not a whole number",
        f"{a}:4: cost '-612.00' is negative",
        f"{a}:5: unknown product 'NOPE' (not in the product master)",
        f"{a}:6: expected 8 fields separated by '|', got 6",
        f"{a}:7: missing product_id",
        f"{a}:8: missing cost",
        f"{a}:9: repeats the row of distributor 'ING' for product 'P1' (first listed at {a}:2)",
        f"{a}:10: missing distributor_id",
        f"{a}:11: stock -2 is negative",
        f"{a}:12: stock 99999999999 is too large",
        f"{a}:13: cost 'abc' is not a decimal number",
        f"{a}:14: cost 'NaN' is not a finite number",
        f"{a}:15: cost '1e13' is too large",
        f"{a}:16: NUL byte in field 5 (distributor_sku)",
        f"{a}:17: not valid UTF-8 in field 6 (distributor_category): byte 0xE9",
        f"{a}:20: expected 8 fields separated by '|', got 10",
        f"{a}:24: repeats the row of distributor 'TDS' for product 'P4' (first listed at {a}:23)",
        f"{a}:25: stock 'x' is not a whole number",
        f"{a}:27: repeats the row of distributor 'REF' for product 'P1' (first listed at {a}:26)",
        f"{b}:3: repeats the row of distributor 'TDS' for product 'P2' (first listed at {a}:21)",
        f"{b}:4: expected 9 fields separated by '|', got 8",
    ]
    assert [o.summary() for o in sqlite.distributors.values()] == [
        "ING: loaded 2, zeroed 1, rejected 15",
        "REF: refused, nothing changed (1 good rows, 1 rejected): the feed would zero 2 of its 3 in-stock "
        "offers (more than half; a truncated download?); use --force to load it anyway",
        "TDS: loaded 4, zeroed 0, rejected 3",
        "VIP: untouched, nothing changed (0 good rows, 1 rejected): all 1 of its rows are bad",
    ]
    d = Decimal
    assert tables["sqlite"] == [
        ("P1", "ING", 11, d("45.20"), "ING-1", "Toner", "", "CF226A"),
        ("P2", "ING", 0, d("31.00"), "ING-2", "Toner", "", "TN-2420"),
        ("P3", "ING", 0, d("612.00"), "ING-3", "Laptops", "2025-02-01", "21JK0083UK"),
        ("P4", "ING", 0, d("119.99"), "ING-4", "Monitors", "", ""),  # listed only in a bad row
        ("P5", "ING", 1, d("5.00"), "ING-5", "Networking", "", ""),
        ("P1", "REF", 5, d("40.00"), "R-1", "Toner", "", ""),
        ("P2", "REF", 5, d("30.00"), "R-2", "Toner", "", ""),
        ("P3", "REF", 5, d("600.00"), "R-3", "Laptops", "", ""),
        ("P2", "TDS", 4, d("1.5"), "T-2", "Tóner", "", ""),
        ("P3", "TDS", 1, d("120"), "T\\3", "\\N", "2025-03-01", "C"),
        ("P4", "TDS", 12, d("0.5"), "T-4", "", "", ""),
        ("P6", "TDS", 3, d("2.50"), "T-6", "UPS", "", ""),
        ("P6", "VIP", 1, d("300.00"), "V-6", "UPS", "", ""),
    ]


def test_a_nul_byte_in_a_row_makes_that_row_bad_and_the_rest_loads(catalogue, tmp_path):
    feed = tmp_path / "nul.txt"
    feed.write_bytes(
        HEADER + b"\nP1|ING|3|9.99|ING-1|Toner||\nP2|ING|\x00|9.99|ING-2|Toner||\nP3|ING|1|9.99||||\n"
    )
    report = catalogue.import_feeds([feed])
    assert report.lines() == [f"{feed}:3: NUL byte in field 3 (stock)"]
    assert report.distributors["ING"].summary() == "ING: loaded 2, zeroed 0, rejected 1"
    assert [(o.sku, o.stock) for o in catalogue.offers_for(["P1", "P2", "P3"])] == [("P1", 3), ("P3", 1)]


def test_a_feed_padded_with_zero_bytes_loads_what_came_before_them(catalogue, tmp_path):
    feed = tmp_path / "interrupted.txt"
    feed.write_bytes(HEADER + b"\nP1|ING|3|9.99||||\nP2|ING|4|9.99||||\n" + b"\x00" * 5000)
    report = catalogue.import_feeds([feed], force=True)
    assert report.lines() == [f"{feed}:4: NUL byte in field 1 (product_id)"]
    assert report.distributors["ING"].loaded == 2


def test_latin1_bytes_in_a_utf8_feed_make_those_rows_bad_naming_line_and_field(catalogue, tmp_path):
    feed = tmp_path / "latin1.txt"
    feed.write_bytes(
        HEADER
        + b"\nP1|ING|3|9.99|ING-1|Caf\xe9 toner||\n"
        + "P2|ING|4|9.99|ING-2|Café toner||\n".encode()
        + b"P3|ING|\xb2|9.99|ING-3|Laptops||\n"
    )
    report = catalogue.import_feeds([feed])
    assert report.lines() == [
        f"{feed}:2: not valid UTF-8 in field 6 (distributor_category): byte 0xE9",
        f"{feed}:4: not valid UTF-8 in field 3 (stock): byte 0xB2",
    ]
    assert report.distributors["ING"].summary() == "ING: loaded 1, zeroed 0, rejected 2"
    assert ("P2", "ING", 4, Decimal("9.99"), "ING-2", "Café toner", "", "") in all_offers(catalogue)


CP1252_MAPPING = """delimiter = ";"
header = true
distributor = "WST"
{encoding}
[columns]
sku = "Code"
stock = "Qty"
cost = "Price"
category = "Category"
"""
# A Windows program's export: “smart quotes”, an en dash and é are single cp1252 bytes.
CP1252_FEED = (
    "Code;Description;Qty;Price;Category\r\nP1;Toner “black”;5;44.50;Café – Toner\r\nP2;Plain;3;9.99;Misc\r\n"
)


def load_wst(store: OfferStore, tmp_path, encoding_setting: str, content: bytes):
    """Westcoast's file through a mapping with `encoding_setting`: (the report, the feed's path)."""
    mapping = tmp_path / "wst.toml"
    mapping.write_text(CP1252_MAPPING.format(encoding=encoding_setting))
    feed = tmp_path / "wst.csv"
    feed.write_bytes(content)
    return store.import_feeds([feed], format="csv", mapping=mapping), feed


def test_a_mapping_reads_a_cp1252_file_when_it_says_so(catalogue, tmp_path):
    report, _feed = load_wst(catalogue, tmp_path, 'encoding = "cp1252"', CP1252_FEED.encode("cp1252"))
    assert report.lines() == []
    assert [row[5] for row in all_offers(catalogue)] == ["Café – Toner", "Misc"]


def test_without_the_encoding_a_cp1252_file_loads_its_clean_rows_and_names_the_others(catalogue, tmp_path):
    report, feed = load_wst(catalogue, tmp_path, "", CP1252_FEED.encode("cp1252"))
    assert report.lines() == [f"{feed}:2: not valid UTF-8 in field 2 (Description): byte 0x93"]
    assert report.distributors["WST"].summary() == "WST: loaded 1, zeroed 0, rejected 1"


def test_a_cp1252_file_with_a_byte_cp1252_does_not_define_names_it(catalogue, tmp_path):
    content = b"Code;Description;Qty;Price;Category\nP1;x\x81y;5;44.50;Toner\nP2;ok;1;1.00;Toner\n"
    report, feed = load_wst(catalogue, tmp_path, 'encoding = "cp1252"', content)
    assert report.lines() == [f"{feed}:2: not valid cp1252 in field 2 (Description): byte 0x81"]


def test_repeats_across_files_and_line_numbers_after_blank_lines_hold_on_both_backends(catalogue, tmp_path):
    first, second = tmp_path / "one.txt", tmp_path / "two.txt"
    first.write_bytes(b"\n\n" + HEADER + b"\n\nP1|ING|1|1.00||||\n\n\nP2|ING|1|1.00||||\n")
    second.write_bytes(b"P3|ING|1|1.00||||\n\nP1|ING|2|2.00||||\n")
    report = catalogue.import_feeds([first, second])
    assert report.lines() == [
        f"{second}:3: repeats the row of distributor 'ING' for product 'P1' (first listed at {first}:5)"
    ]
    assert [(o.sku, o.stock) for o in catalogue.offers_for(["P1", "P2", "P3"])] == [
        ("P1", 1),
        ("P2", 1),
        ("P3", 1),
    ]


@pytest.mark.parametrize("content", [b"", b"\n\n", HEADER + b"\n", b"\xef\xbb\xbf" + HEADER + b"\r\n\r\n"])
def test_an_empty_feed_or_a_header_alone_changes_nothing(catalogue, tmp_path, content):
    day1 = tmp_path / "day1.txt"
    day1.write_bytes(DAY1)
    catalogue.import_feeds([day1])
    before = all_offers(catalogue)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(content)
    report = catalogue.import_feeds([empty])
    assert report.distributors == {} and report.lines() == [] and report.ok
    assert all_offers(catalogue) == before


@pytest.mark.parametrize("store_url", ["postgresql"], indirect=True)  # only PostgreSQL rebuilds the table
def test_repeats_are_still_found_when_a_rebuild_gives_way_to_an_in_place_merge(
    catalogue, tmp_path, monkeypatch
):
    from fulfilment_engine.store import offer_merge

    assert catalogue.engine.dialect.name == "postgresql"
    monkeypatch.setattr(offer_merge, "SWAP_MIN_ROWS", 1)
    day1 = tmp_path / "day1.txt"
    day1.write_bytes(DAY1)
    catalogue.import_feeds([day1])
    with catalogue.engine.begin() as conn:  # a rebuild would have to drop the view: it merges in place
        conn.exec_driver_sql("CREATE VIEW offers_in_stock AS SELECT * FROM offers WHERE stock > 0")
    feed = tmp_path / "day2.txt"
    feed.write_bytes(HEADER + b"\nP1|ING|3|1.00||||\nP4|ING|4|2.00||||\nP1|ING|5|3.00||||\n")
    report = catalogue.import_feeds([feed])
    assert report.merge == "in place"
    assert report.lines() == [
        f"{feed}:4: repeats the row of distributor 'ING' for product 'P1' (first listed at {feed}:2)"
    ]
    assert report.distributors["ING"].summary() == "ING: loaded 2, zeroed 0, rejected 1"
    assert [(o.sku, o.stock) for o in catalogue.offers_for(["P1", "P4"], ["ING"])] == [("P1", 3), ("P4", 4)]
