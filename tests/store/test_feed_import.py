"""Full-feed semantics of `import_feeds`, on SQLite and on PostgreSQL (the same tests on both; the
rebuild-and-swap merge, which only PostgreSQL has, on PostgreSQL alone)."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event

from fulfilment_engine.errors import ConfigError, InputError
from fulfilment_engine.store import OfferStore

HEADER = "product_id|distributor_id|stock|cost|distributor_sku|distributor_category|eta|brand_sku\n"


def sitc(*rows: str, header: bool = True) -> str:
    return (HEADER if header else "") + "".join(f"{row}\n" for row in rows)


def offers_table(store: OfferStore) -> dict[tuple[str, str], tuple[int, Decimal, str]]:
    skus = [f"P{i}" for i in range(1, 9)]
    return {(o.distributor, o.sku): (o.stock, o.cost, o.distributor_sku) for o in store.offers_for(skus)}


ING_FULL = [
    "P1|ING|10|45.10|ING-1|Toner||CF226A",
    "P2|ING|4|31.00|ING-2|Toner||TN-2420",
    "P3|ING|2|612.00|ING-3|Laptops|2025-02-01|21JK0083UK",
    "P4|ING|7|119.99|ING-4|Monitors||",
]


def test_good_rows_load_and_every_bad_row_is_listed_with_file_and_line(catalogue, write):
    feed = write(
        "stock.txt",
        sitc(
            "P1|ING|10|45.10|ING-1|Toner||CF226A",
            "P2|ING|lots|31.00|ING-2|Toner||",  # non-numeric stock
            "P3|ING|2|-612.00|ING-3|Laptops||",  # negative cost
            "NOPE|ING|1|1.00|X|Misc||",  # unknown product
            "P4|ING|7|119.99|ING-4|Monitors",  # wrong column count
            "|ING|1|1.00|X|Misc||",  # missing product
            "P5|ING|3||ING-5|Networking||",  # missing cost
            "P1|ING|9|44.00|ING-1|Toner||",  # repeats line 2
            "P6|TDS|1|300.00|T-6|UPS||",
        ),
    )
    report = catalogue.import_feeds([feed])

    assert [str(b) for b in report.bad_rows] == [
        f"{feed}:3: stock 'lots' is not a whole number",
        f"{feed}:4: cost '-612.00' is negative",
        f"{feed}:5: unknown product 'NOPE' (not in the product master)",
        f"{feed}:6: expected 8 fields separated by '|', got 6",
        f"{feed}:7: missing product_id",
        f"{feed}:8: missing cost",
        f"{feed}:9: repeats the row of distributor 'ING' for product 'P1' (first listed at {feed}:2)",
    ]
    assert report.bad_row_count == 7 and report.rejects_file is None
    assert offers_table(catalogue) == {
        ("ING", "P1"): (10, Decimal("45.10"), "ING-1"),
        ("TDS", "P6"): (1, Decimal("300.00"), "T-6"),
    }
    assert report.distributors["ING"].summary() == "ING: loaded 1, zeroed 0, rejected 7"
    assert report.ok


def test_strict_refuses_the_whole_invocation_and_changes_nothing(catalogue, write):
    catalogue.import_feeds([write("day1.txt", sitc(*ING_FULL))])
    before = offers_table(catalogue)
    loaded_at = catalogue.distributors()["ING"].feed_loaded_at

    report = catalogue.import_feeds(
        [
            write("day2.txt", sitc("P1|ING|99|1.00|ING-1|Toner||", "P2|ING|x|1.00|ING-2|Toner||")),
            write("tds.txt", sitc("P5|TDS|5|200.00|T-5|Networking||")),
        ],
        strict=True,
    )

    assert report.strict_refused and not report.ok
    assert [b.line for b in report.bad_rows] == [3]
    assert offers_table(catalogue) == before
    assert "TDS" not in catalogue.distributors()
    assert catalogue.distributors()["ING"].feed_loaded_at == loaded_at
    assert {o.status for o in report.distributors.values()} == {"rolled back"}


def test_a_second_full_feed_zeroes_what_it_no_longer_lists(catalogue, write, stock_of):
    catalogue.import_feeds([write("day1.txt", sitc(*ING_FULL))])
    report = catalogue.import_feeds([write("day2.txt", sitc(*ING_FULL[:3]))])  # P4 dropped

    assert report.distributors["ING"].summary() == "ING: loaded 3, zeroed 1, rejected 0"
    assert stock_of("P4", "ING") == 0
    assert [stock_of(f"P{i}", "ING") for i in (1, 2, 3)] == [10, 4, 2]
    # the offer stays, with its last cost, so the planner still knows the distributor carries it
    assert offers_table(catalogue)[("ING", "P4")] == (0, Decimal("119.99"), "ING-4")


def test_a_bad_row_for_an_existing_offer_counts_as_not_listed(catalogue, write, stock_of):
    catalogue.import_feeds([write("day1.txt", sitc(*ING_FULL))])
    report = catalogue.import_feeds(
        [write("day2.txt", sitc(*ING_FULL[:3], "P4|ING|many|119.99|ING-4|Monitors||"))]
    )
    assert report.distributors["ING"].summary() == "ING: loaded 3, zeroed 1, rejected 1"
    assert stock_of("P4", "ING") == 0


def test_a_distributor_whose_rows_are_all_bad_is_left_untouched(catalogue, write, stock_of):
    start = datetime(2025, 1, 15, 8, 0, tzinfo=UTC)
    catalogue.import_feeds([write("day1.txt", sitc(*ING_FULL))], now=start)
    report = catalogue.import_feeds(
        [write("day2.txt", sitc("P1|ING|x|1|||", "P2|ING|1|-3|||", "P5|TDS|5|200.00|T-5|Networking||"))],
        now=start + timedelta(hours=1),
    )
    assert report.distributors["ING"].status == "untouched"
    assert report.distributors["TDS"].status == "loaded"
    assert [stock_of(f"P{i}", "ING") for i in (1, 2, 3, 4)] == [10, 4, 2, 7]
    assert catalogue.distributors()["ING"].feed_loaded_at == start  # its feed did not count
    assert report.ok  # nothing refused: bad rows were skipped


def test_two_files_naming_one_distributor_are_together_its_full_feed(catalogue, write, stock_of):
    catalogue.import_feeds([write("day1.txt", sitc(*ING_FULL))])
    report = catalogue.import_feeds(
        [write("part1.txt", sitc(*ING_FULL[:2])), write("part2.txt", sitc(ING_FULL[2], header=False))]
    )
    assert report.distributors["ING"].summary() == "ING: loaded 3, zeroed 1, rejected 0"
    assert [stock_of(f"P{i}", "ING") for i in (1, 2, 3, 4)] == [10, 4, 2, 0]


def test_a_feed_that_would_zero_more_than_half_is_refused_unless_forced(catalogue, write, stock_of):
    catalogue.import_feeds([write("day1.txt", sitc(*ING_FULL, "P5|TDS|5|200.00|T-5|Networking||"))])
    truncated = write("truncated.txt", sitc(ING_FULL[0], "P5|TDS|6|199.00|T-5|Networking||"))

    report = catalogue.import_feeds([truncated])
    assert not report.ok
    refused = report.distributors["ING"]
    assert refused.status == "refused"
    assert "would zero 3 of its 4 in-stock offers" in refused.reason and "--force" in refused.reason
    assert [stock_of(f"P{i}", "ING") for i in (1, 2, 3, 4)] == [10, 4, 2, 7]
    assert stock_of("P5", "TDS") == 6  # the other distributor in the invocation still loads

    forced = catalogue.import_feeds([truncated], force=True)
    assert forced.ok and forced.distributors["ING"].summary() == "ING: loaded 1, zeroed 3, rejected 0"
    assert [stock_of(f"P{i}", "ING") for i in (1, 2, 3, 4)] == [10, 0, 0, 0]


def test_exactly_half_zeroed_is_not_refused(catalogue, write, stock_of):
    catalogue.import_feeds([write("day1.txt", sitc(*ING_FULL))])
    report = catalogue.import_feeds([write("day2.txt", sitc(*ING_FULL[:2]))])
    assert report.ok and report.distributors["ING"].zeroed == 2


def test_offers_carry_feed_age_per_distributor_and_stock_zero_offers(catalogue, write):
    t0 = datetime(2025, 1, 15, 8, 0, tzinfo=UTC)
    catalogue.import_feeds([write("ing.txt", sitc(*ING_FULL, "P7|ING|0|2.10|ING-7|Cables||"))], now=t0)
    catalogue.import_feeds([write("tds.txt", sitc("P7|TDS|50|2.05||Cables||"))], now=t0 + timedelta(hours=2))

    offers = catalogue.offers_for(["P7"], now=t0 + timedelta(hours=3))
    assert [(o.distributor, o.stock, o.cost, o.distributor_sku, o.source, o.age_s) for o in offers] == [
        ("ING", 0, Decimal("2.10"), "ING-7", "feed", 3 * 3600.0),
        ("TDS", 50, Decimal("2.05"), "P7", "feed", 3600.0),  # no part number given: our SKU
    ]
    assert catalogue.offers_for(["P7"], ["TDS"], now=t0 + timedelta(hours=3))[0].distributor == "TDS"
    assert catalogue.offers_for([]) == []
    assert catalogue.distributors()["TDS"].feed_loaded_at == t0 + timedelta(hours=2)


def test_more_than_a_hundred_bad_rows_go_to_a_rejects_file(catalogue, write, tmp_path):
    rows = [f"P1|D{i:03d}|x|1.00||||" for i in range(150)] + ["P2|ING|3|31.00|ING-2|Toner||"]
    feed = write("bad.txt", sitc(*rows))
    rejects = tmp_path / "rejects.txt"
    report = catalogue.import_feeds([feed], rejects_path=rejects)

    assert report.bad_row_count == 150 and len(report.bad_rows) == 100
    assert report.rejects_file == rejects
    rest = rejects.read_text().splitlines()
    assert len(rest) == 50
    assert rest[0] == f"{feed}:102: stock 'x' is not a whole number"
    assert report.lines()[-1] == f"… and 50 more bad rows, listed in {rejects}"
    assert report.distributors["ING"].loaded == 1


def test_mapped_csv_by_header_names_keyed_by_mpn(catalogue, write, stock_of):
    mapping = write(
        "westcoast.toml",
        'delimiter = ","\nheader = true\ndistributor = "WST"\n\n[columns]\n'
        'mpn = "Vendor Part No"\ndistributor_sku = "Westcoast Code"\nstock = "Free Stock"\n'
        'cost = "Trade Price"\neta = "Due Date"\n',
    )
    feed = write(
        "westcoast.csv",
        "Vendor Part No,Westcoast Code,Description,Free Stock,Trade Price,Due Date\n"
        'CF226A,WC-1,"HP 26A, black",12,44.50,\n'
        'XUB2493HS-B5,WC-4,"iiyama 23.8""",0,118.00,2025-02-03\n'
        "NOT-A-PART,WC-9,Mystery,1,1.00,\n",
    )
    report = catalogue.import_feeds([feed], format="csv", mapping=mapping)

    assert [str(b) for b in report.bad_rows] == [
        f"{feed}:4: unknown product: no product has MPN 'NOT-A-PART'"
    ]
    assert offers_table(catalogue) == {
        ("WST", "P1"): (12, Decimal("44.50"), "WC-1"),
        ("WST", "P4"): (0, Decimal("118.00"), "WC-4"),
    }


def test_mapped_csv_by_column_numbers_with_decimal_comma(catalogue, write):
    mapping = write(
        "dandh.toml",
        'delimiter = ";"\nheader = false\ndecimal_comma = true\n\n[columns]\n'
        "distributor = 1\nsku = 2\nstock = 4\ncost = 5\n",
    )
    feed = write("dandh.txt", "DAH;P5;ignored;3;245,50\nDAH;P6;ignored;1;610,00\nASI;P5;x;2;239,99\n")
    report = catalogue.import_feeds([feed], format="csv", mapping=mapping)
    assert report.bad_row_count == 0
    assert offers_table(catalogue) == {
        ("ASI", "P5"): (2, Decimal("239.99"), "P5"),
        ("DAH", "P5"): (3, Decimal("245.50"), "P5"),
        ("DAH", "P6"): (1, Decimal("610.00"), "P6"),
    }


def test_a_mapping_naming_a_missing_header_column_is_one_clear_error(catalogue, write):
    mapping = write("m.toml", 'distributor = "WST"\n[columns]\nsku = "Code"\nstock = "Qty"\ncost = "Price"\n')
    feed = write("f.csv", "Code,Quantity,Price\nP1,1,2.00\n")
    with pytest.raises(InputError) as error:
        catalogue.import_feeds([feed], format="csv", mapping=mapping)
    assert str(error.value).startswith(
        f"{feed}:1: no column 'Qty' in the header (columns.stock in {mapping})"
    )
    assert offers_table(catalogue) == {}


def test_a_mapping_with_an_unknown_field_is_refused(catalogue, write):
    mapping = write("m.toml", 'distributor = "WST"\n[columns]\nsku = 1\nstock = 2\nprice = 3\n')
    with pytest.raises(ConfigError, match=r"m\.toml: columns\.price: unknown field"):
        catalogue.import_feeds([write("f.csv", "P1,1,2\n")], format="csv", mapping=mapping)


@pytest.mark.parametrize("rebuild_over", [None, 1], ids=["in-place", "rebuild"])
def test_readers_during_a_load_see_the_old_feed_or_the_new_never_half(
    catalogue, write, store_url, rebuild_over, monkeypatch
):
    from fulfilment_engine.store import offer_merge

    if rebuild_over is not None:
        monkeypatch.setattr(offer_merge, "SWAP_MIN_ROWS", rebuild_over)
    catalogue.import_feeds([write("day1.txt", sitc(*ING_FULL))])
    old = offers_table(catalogue)
    swapping = rebuild_over is not None and catalogue.engine.dialect.name == "postgresql"
    reader = OfferStore.open(store_url)  # a separate connection pool, as another process would have
    seen: list = []
    readers: list[threading.Thread] = []

    @event.listens_for(catalogue.engine, "commit")
    def read_while_loading(conn):
        # The loader has merged everything and is about to commit. A reader now must get day 1 whole
        # (in place, and on SQLite) or wait and get day 2 whole (PostgreSQL swapping in a rebuilt table).
        thread = threading.Thread(target=lambda: seen.append(offers_table(reader)))
        thread.start()
        # In place the reader never waits, so let it finish before the commit; a swap makes it wait for
        # the commit, so give up waiting after a moment and let the commit free it.
        thread.join(timeout=1 if swapping else 60)
        readers.append(thread)

    try:
        catalogue.import_feeds([write("day2.txt", sitc("P1|ING|1|40.00|ING-1|Toner||", *ING_FULL[1:3]))])
    finally:
        event.remove(catalogue.engine, "commit", read_while_loading)
    for thread in readers:
        thread.join(timeout=30)
    new = offers_table(reader)
    reader.close()

    assert new[("ING", "P1")][0] == 1 and new[("ING", "P4")][0] == 0
    assert len(seen) == 1 and seen[0] in (old, new)
    if not swapping:
        assert seen[0] == old


def test_no_feed_files_is_an_input_error(catalogue):
    with pytest.raises(InputError):
        catalogue.import_feeds([])


def test_an_unreadable_file_names_the_file(catalogue, tmp_path):
    with pytest.raises(InputError, match=r"missing\.txt: cannot read"):
        catalogue.import_feeds([tmp_path / "missing.txt"])


def test_a_load_that_rewrites_most_of_the_table_is_rebuilt_on_postgresql(
    catalogue, write, stock_of, monkeypatch
):
    from fulfilment_engine.store import offer_merge

    monkeypatch.setattr(offer_merge, "SWAP_MIN_ROWS", 1)  # the threshold is a tuning knob; use it at any size
    postgres = catalogue.engine.dialect.name == "postgresql"
    first = catalogue.import_feeds([write("day1.txt", sitc(*ING_FULL, "P5|TDS|5|200.00|T-5|Networking||"))])
    assert first.merge == ("rebuilt" if postgres else "in place")

    second = catalogue.import_feeds(
        [write("day2.txt", sitc("P1|ING|11|45.00|ING-1|Toner||", *ING_FULL[1:3]))]
    )
    assert second.merge == ("rebuilt" if postgres else "in place")
    assert second.distributors["ING"].summary() == "ING: loaded 3, zeroed 1, rejected 0"
    assert offers_table(catalogue) == {
        ("ING", "P1"): (11, Decimal("45.00"), "ING-1"),
        ("ING", "P2"): (4, Decimal("31.00"), "ING-2"),
        ("ING", "P3"): (2, Decimal("612.00"), "ING-3"),
        ("ING", "P4"): (0, Decimal("119.99"), "ING-4"),
        ("TDS", "P5"): (
            5,
            Decimal("200.00"),
            "T-5",
        ),  # another distributor's offers come through as they were
    }
    if postgres:
        with catalogue.engine.connect() as conn:
            indexes = {
                name
                for (name,) in conn.exec_driver_sql(
                    "SELECT indexname FROM pg_indexes "
                    "WHERE tablename = 'offers' AND schemaname = current_schema()"
                )
            }
            options = conn.exec_driver_sql(
                "SELECT reloptions FROM pg_class WHERE oid = 'offers'::regclass"
            ).scalar_one()
        assert indexes == {"offers_pkey", "offers_distributor"}
        assert options == ["fillfactor=50"]


# The rebuild-and-swap merge is PostgreSQL's (SQLite always merges in place): these tests run there only.
ON_POSTGRESQL_ONLY = pytest.mark.parametrize("store_url", ["postgresql"], indirect=True)


@pytest.fixture
def pg_catalogue(catalogue, monkeypatch):
    """The catalogue on PostgreSQL, rebuilding the offers table at any size (with ON_POSTGRESQL_ONLY)."""
    from fulfilment_engine.store import offer_merge

    assert catalogue.engine.dialect.name == "postgresql", "mark the test ON_POSTGRESQL_ONLY"
    monkeypatch.setattr(offer_merge, "SWAP_MIN_ROWS", 1)
    return catalogue


@ON_POSTGRESQL_ONLY
def test_a_rebuilt_table_keeps_the_privileges_granted_on_it(pg_catalogue, write):
    role = f"cf_reader_{uuid.uuid4().hex[:8]}"
    pg_catalogue.import_feeds([write("day1.txt", sitc(*ING_FULL))])
    with pg_catalogue.engine.begin() as conn:
        conn.exec_driver_sql(f'CREATE ROLE "{role}"')
        conn.exec_driver_sql(f'GRANT SELECT ON offers TO "{role}"')
    try:
        report = pg_catalogue.import_feeds([write("day2.txt", sitc(*ING_FULL))])
        assert report.merge == "rebuilt"
        with pg_catalogue.engine.connect() as conn:
            allowed = conn.exec_driver_sql(
                f"SELECT has_table_privilege('{role}', 'offers', 'SELECT')"
            ).scalar()
        assert allowed
    finally:
        with pg_catalogue.engine.begin() as conn:
            conn.exec_driver_sql(f'REVOKE ALL ON offers FROM "{role}"')
            conn.exec_driver_sql(f'DROP ROLE "{role}"')


@ON_POSTGRESQL_ONLY
@pytest.mark.parametrize(
    "extra",
    [
        "CREATE VIEW offers_in_stock AS SELECT * FROM offers WHERE stock > 0",
        "CREATE FUNCTION offers_touched() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$; "
        "CREATE TRIGGER offers_touched BEFORE UPDATE ON offers "
        "FOR EACH ROW EXECUTE FUNCTION offers_touched()",
    ],
    ids=["dependent view", "trigger"],
)
def test_what_a_rebuild_would_lose_makes_the_load_merge_in_place(pg_catalogue, write, stock_of, extra):
    pg_catalogue.import_feeds([write("day1.txt", sitc(*ING_FULL))])
    with pg_catalogue.engine.begin() as conn:
        conn.exec_driver_sql(extra)
    report = pg_catalogue.import_feeds([write("day2.txt", sitc(*ING_FULL[:3]))])
    assert report.merge == "in place"
    assert stock_of("P4", "ING") == 0 and stock_of("P1", "ING") == 10
