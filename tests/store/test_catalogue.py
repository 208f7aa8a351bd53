"""Product master, distributor definitions, the bundled sample, and the store itself (both backends)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

from fulfilment_engine.domain import FlatFreight, Product, WeightBand, WeightFreight
from fulfilment_engine.errors import InputError
from fulfilment_engine.store import OfferStore, default_data_dir, load_sample

DATA = default_data_dir()


def test_product_import_upserts_and_lists_bad_rows(store, write):
    first = write(
        "products.csv",
        "sku,mpn,brand,description,weight_kg,length_cm,width_cm,height_cm\n"
        'P1,CF226A,HP,"HP 26A black toner, 3,100 pages",1.1,36,14,12\n'
        "P2,TN-2420,Brother,Brother toner,heavy,,,\n"
        "P3,XUB2493HS-B5,iiyama,Monitor,5.2,69,,16\n"
        ",NO-SKU,Acme,Nothing,1,,,\n"
        "P4,21JK0083UK,Lenovo,Laptop,2.1,,,\n"
        "P1,CF226A,HP,again,1.0,,,\n",
    )
    report = store.import_products([first])
    assert [str(b) for b in report.bad_rows] == [
        f"{first}:3: P2: weight_kg 'heavy' is not a decimal number",
        f"{first}:4: P3: give all of length_cm, width_cm, height_cm or none",
        f"{first}:5: missing sku",
        f"{first}:7: repeats product 'P1' (first listed at {first}:2)",
    ]
    assert report.loaded == 2
    assert store.products() == {
        "P1": Product(
            "P1",
            Decimal("1.1"),
            Decimal("36"),
            Decimal("14"),
            Decimal("12"),
            "CF226A",
            "HP",
            "HP 26A black toner, 3,100 pages",
        ),
        "P4": Product("P4", Decimal("2.1"), None, None, None, "21JK0083UK", "Lenovo", "Laptop"),
    }

    # A later master updates what it lists and leaves the rest.
    store.import_products([write("update.csv", "weight_kg,sku\n1.25,P1\n")])
    assert store.products(["P1"])["P1"].weight_kg == Decimal("1.25")
    assert store.products(["P1"])["P1"].mpn == ""  # the update's file has no mpn column: now empty
    assert set(store.products()) == {"P1", "P4"}


def test_product_rows_with_a_nul_byte_or_bytes_not_in_utf8_are_bad_rows(store, tmp_path):
    master = tmp_path / "products.csv"
    master.write_bytes(
        b"sku,brand,description,weight_kg\n"
        b"P1,HP,Toner\x00,1.1\n"
        b"P2,Caf\xe9 Ltd,Mug,0.4\n"
        b"P3,Brother,Toner,0.8\n"
    )
    report = store.import_products([master])
    assert report.lines() == [
        f"{master}:2: NUL byte in field 3 (description)",
        f"{master}:3: not valid UTF-8 in field 2 (brand): byte 0xE9",
    ]
    assert report.loaded == 1 and list(store.products()) == ["P3"]


def test_product_import_strict_changes_nothing(store, write):
    report = store.import_products([write("p.csv", "sku,weight_kg\nP1,1\nP2,-1\n")], strict=True)
    assert report.strict_refused and report.bad_row_count == 1
    assert store.products() == {}
    assert store.is_empty()


def test_a_product_master_without_weights_is_refused_at_the_header(store, write):
    path = write("p.csv", "sku,mpn\nP1,X\n")
    with pytest.raises(InputError, match=r"p\.csv:1: the header line lacks weight_kg"):
        store.import_products([path])


def test_distributor_definitions_with_freight_rules(store, write):
    path = write(
        "distributors.json",
        json.dumps(
            [
                {
                    "id": "ING",
                    "name": "Ingram Micro UK",
                    "region": "UK",
                    "ships_to": ["gb", "IE"],
                    "realtime": True,
                    "freight": {"type": "flat", "charge": "9.95", "free_over": "250.00"},
                },
                {
                    "id": "DAH",
                    "name": "D&H Distributing",
                    "region": "US",
                    "ships_to": ["US"],
                    "freight": {
                        "type": "weight",
                        "per_kg_over": "1.10",
                        "dim_divisor": 5000,
                        "bands": [{"max_kg": 2, "charge": "7.50"}, {"max_kg": 30, "charge": "25.00"}],
                    },
                },
                {"id": "FREE", "name": "Free Shipper"},
            ]
        ),
    )
    store.import_distributors(path)
    found = store.distributors()
    assert list(found) == ["DAH", "FREE", "ING"]
    assert found["ING"].freight == FlatFreight(Decimal("9.95"), Decimal("250.00"))
    assert found["ING"].ships_to == ("GB", "IE") and found["ING"].realtime
    assert found["DAH"].freight == WeightFreight(
        (WeightBand(Decimal(2), Decimal("7.50")), WeightBand(Decimal(30), Decimal("25.00"))),
        per_kg_over=Decimal("1.10"),
        dim_divisor=Decimal(5000),
    )
    assert found["FREE"].freight is None and found["FREE"].feed_loaded_at is None
    assert found["DAH"].as_distributor().name == "D&H Distributing"


def test_a_bad_freight_rule_names_the_file_and_json_path(store, write):
    path = write("d.json", json.dumps([{"id": "X", "freight": {"type": "flat", "charge": "-1"}}]))
    with pytest.raises(InputError) as error:
        store.import_distributors(path)
    assert str(error.value) == f"{path}: $[0].freight.charge: must be at least 0, got -1"


def test_the_bundled_sample_loads_completely(store):
    assert store.is_empty()
    report = load_sample(store)
    assert report.ok
    assert report.products.loaded == 1500 and report.products.bad_row_count == 0
    assert all(feed.bad_row_count == 0 for feed in report.feeds)

    distributors = store.distributors()
    assert 8 <= len(distributors) <= 12
    assert all(d.feed_loaded_at is not None for d in distributors.values())
    assert {d.region for d in distributors.values()} == {"UK", "EU", "US"}
    expected_rows = (
        sum(1 for f in (DATA / "feeds").iterdir() for line in f.read_text().splitlines()[1:] if line.strip())
        + 1
    )  # dandh.txt has no header line
    loaded = sum(o.loaded for feed in report.feeds for o in feed.distributors.values())
    assert loaded == expected_rows
    assert not store.is_empty()

    # Loading it again is a no-op refresh.
    again = load_sample(store)
    assert again.ok and sum(o.zeroed for feed in again.feeds for o in feed.distributors.values()) == 0


def test_a_cart_reads_its_offers_in_one_query(store):
    load_sample(store)
    skus = sorted(store.products())[:30]
    statements = []
    from sqlalchemy import event

    def count(_conn, _cursor, statement, *_args):
        if not statement.startswith("BEGIN"):  # SQLite's explicit BEGIN is not a query
            statements.append(statement)

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        offers = store.offers_for(skus)
    finally:
        event.remove(store.engine, "before_cursor_execute", count)
    assert len(statements) == 1
    assert {o.sku for o in offers} <= set(skus) and len(offers) > 30
    assert offers == sorted(offers, key=lambda o: (o.sku, o.distributor))


def test_sqlite_store_runs_in_wal_mode(tmp_path):
    store = OfferStore.open(str(tmp_path / "plain-path.sqlite"))  # a bare path means a SQLite file
    with store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    assert Path(tmp_path / "plain-path.sqlite").exists()
    store.close()


def test_the_default_store_is_a_sqlite_file_in_the_user_data_dir(monkeypatch, tmp_path):
    from fulfilment_engine.store import default_store_url

    monkeypatch.delenv("FULFIL_STORE", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_store_url() == f"sqlite:///{tmp_path / 'channel-fulfilment' / 'offers.sqlite'}"
    monkeypatch.setenv("FULFIL_STORE", "postgresql://u@h/db")
    assert default_store_url() == "postgresql+psycopg://u@h/db"


def test_an_unreachable_store_is_one_clear_error():
    from fulfilment_engine.errors import StoreError

    with pytest.raises(StoreError, match="cannot open the offer store"):
        OfferStore.open("postgresql://nobody@127.0.0.1:1/none?connect_timeout=2")


def test_the_command_says_an_unreachable_store_in_one_line():
    import subprocess
    import sys
    from pathlib import Path

    fulfil = str(Path(sys.executable).parent / "fulfil")
    url = "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2"
    done = subprocess.run([fulfil, "offers", "CF100006", "--store", url], capture_output=True, text=True)
    assert done.returncode == 2
    [line] = done.stderr.splitlines()
    assert line.startswith("fulfil: error: ") and "cannot open the offer store" in line
    assert "Connection refused" in line


def test_a_database_failure_during_a_load_is_one_clear_error(tmp_path, write):
    from fulfilment_engine.errors import StoreError

    store = OfferStore.open(f"sqlite:///{tmp_path / 'broken.sqlite'}")
    try:
        with store.engine.begin() as conn:
            conn.execute(text("DROP TABLE offers"))
        with pytest.raises(StoreError, match=r"offer store sqlite:///.*broken\.sqlite: .*offers"):
            store.import_feeds([write("feed.txt", "P1|ING|5|10.00|ING-1|Toner||\n")])
    finally:
        store.close()
