"""The real `fulfil` command (a subprocess, as a user or a cron job runs it): output, messages, exit codes."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest

FULFIL = str(Path(sys.executable).parent / "fulfil")
DATA = Path(__file__).resolve().parents[2] / "data"
HEADER = "product_id|distributor_id|stock|cost|distributor_sku|distributor_category|eta|brand_sku\n"


def fulfil(*args: str, store: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "FULFIL_STORE": store, "COLUMNS": "200"}
    return subprocess.run([FULFIL, *args], capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sample") / "offers.sqlite"
    done = fulfil("sample", "load", store=f"sqlite:///{path}")
    assert done.returncode == 0, done.stderr
    return path  # the process has exited, so its WAL is checkpointed into this one file


@pytest.fixture
def loaded(sample_store, tmp_path):
    """A SQLite store holding the bundled sample (a copy per test)."""
    path = tmp_path / "offers.sqlite"
    shutil.copyfile(sample_store, path)
    return f"sqlite:///{path}"


def test_sample_load_prints_a_line_per_distributor_and_no_progress_bar_in_a_pipe(loaded, tmp_path):
    again = fulfil("sample", "load", store=loaded)
    assert again.returncode == 0
    assert again.stderr == ""  # quiet in a pipe: no bar, no bad rows
    lines = again.stdout.splitlines()
    assert "products: loaded 1500, rejected 0" in lines
    assert any(line.startswith("ING: loaded ") and line.endswith(", zeroed 0, rejected 0") for line in lines)
    distributors = len(json.loads((DATA / "distributors.json").read_text()))
    assert sum(1 for line in lines if ": loaded " in line and "zeroed" in line) == distributors == 11


def test_on_a_terminal_a_long_import_shows_a_progress_bar(tmp_path):
    # `script` runs the command on a pseudo-terminal, as a person at a shell would.
    assert shutil.which("script"), "util-linux's script is needed to give the command a terminal"
    store = tmp_path / "tty.sqlite"
    command = f"{FULFIL} sample load --store {store}"
    done = subprocess.run(
        ["script", "-qec", command, "/dev/null"],
        capture_output=True,
        timeout=120,
        env={**os.environ, "TERM": "xterm-256color", "COLUMNS": "120"},
    )
    assert done.returncode == 0
    screen = done.stdout.decode("utf-8", "replace")
    assert "\x1b[?25l" in screen  # rich hides the cursor while its live bar runs
    assert "\u2501" in screen  # the bar itself
    assert "products: loaded 1500, rejected 0" in screen


def test_offers_json_lists_every_distributor(loaded):
    sku = next(
        line.split("|")[0]
        for line in (DATA / "feeds/DistributorStockAndPrices.txt").open()
        if "|ING|" in line
    )
    done = fulfil("offers", sku, "--json", store=loaded)
    assert done.returncode == 0, done.stderr
    offers = json.loads(done.stdout)
    assert offers and {tuple(sorted(o)) for o in offers} == {
        ("age_s", "cost", "distributor", "distributor_sku", "sku", "source", "stock")
    }
    assert "ING" in {o["distributor"] for o in offers}
    assert all(o["sku"] == sku and o["source"] == "feed" and o["age_s"] >= 0 for o in offers)
    assert all(re.fullmatch(r"\d+\.\d{2,}", o["cost"]) for o in offers)  # at least pence, as money is

    table = fulfil("offers", sku, store=loaded)
    assert table.returncode == 0 and "Ingram Micro UK" in table.stdout


def test_offers_for_an_unknown_sku_is_a_clear_error(loaded):
    done = fulfil("offers", "NO-SUCH-SKU", store=loaded)
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "fulfil: error: NO-SUCH-SKU: unknown SKU: it is not in the product master and no feed lists it"
    )


def test_offers_on_an_empty_store_says_how_to_fill_it(tmp_path):
    from fulfilment_engine.store import OfferStore

    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    OfferStore.open(url).close()  # made, never loaded
    done = fulfil("offers", "CF100006", store=url)
    assert done.returncode == 2
    assert done.stderr.startswith("fulfil: error: CF100006: unknown SKU: the offer store is empty")
    assert "fulfil sample load" in done.stderr


@pytest.mark.parametrize("command", [("offers", "CF100006"), ("distributors", "list")])
def test_reading_commands_do_not_make_a_store_at_a_mistyped_path(tmp_path, command):
    missing = tmp_path / "no-such-dir" / "offers.sqlite"
    done = fulfil(*command, store=str(missing))
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"fulfil: error: no offer store at {missing}: load one first (`fulfil sample load` for the bundled "
        "sample, or `fulfil products import` and `fulfil feeds import`), or name another with --store"
    ]
    assert not missing.parent.exists()


def test_offers_show_costs_in_pence_at_least(loaded, tmp_path):
    feed = tmp_path / "whole.txt"
    feed.write_text(HEADER + "CF100002|NEW|5|5|N-1|Cables||\nCF100003|NEW|5|4.125|N-2|Cables||\n")
    assert fulfil("feeds", "import", str(feed), store=loaded).returncode == 0
    costs = {
        o["sku"]: o["cost"]
        for sku in ("CF100002", "CF100003")
        for o in json.loads(fulfil("offers", sku, "--json", "--distributor", "NEW", store=loaded).stdout)
    }
    assert costs == {"CF100002": "5.00", "CF100003": "4.125"}


def test_feed_with_bad_rows_loads_the_rest_and_exits_0(loaded, tmp_path):
    sku = "CF100002"
    feed = tmp_path / "extra.txt"
    feed.write_text(HEADER + f"{sku}|NEW|5|12.00|N-1|Cables||\n{sku}|NEW|five|12.00|N-1|Cables||\n")
    done = fulfil("feeds", "import", str(feed), store=loaded)
    assert done.returncode == 0
    assert done.stderr.splitlines() == [f"{feed}:3: stock 'five' is not a whole number"]
    assert done.stdout.splitlines() == ["NEW: loaded 1, zeroed 0, rejected 1"]


def test_strict_exits_1_and_changes_nothing(loaded, tmp_path):
    feed = tmp_path / "strict.txt"
    feed.write_text(HEADER + "CF100002|NEW|5|12.00||||\nCF100002|NEW|5|-1||||\n")
    done = fulfil("feeds", "import", "--strict", str(feed), store=loaded)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"{feed}:3: cost '-1' is negative",
        "fulfil: refused: --strict, and the feed has 1 bad rows; nothing was changed",
    ]
    assert fulfil("offers", "CF100002", "--json", "--distributor", "NEW", store=loaded).stdout.strip() == "[]"


def test_a_truncated_feed_is_refused_with_exit_1_and_loads_with_force(loaded, tmp_path):
    original = (DATA / "feeds/DistributorStockAndPrices.txt").read_text().splitlines()
    ing = [line for line in original if "|ING|" in line]
    truncated = tmp_path / "truncated.txt"
    truncated.write_text(HEADER + "\n".join(ing[:100]) + "\n")

    refused = fulfil("feeds", "import", str(truncated), store=loaded)
    assert refused.returncode == 1
    assert refused.stderr.startswith("fulfil: refused ING: the feed would zero ")
    assert "--force" in refused.stderr
    assert refused.stdout.startswith("ING: refused, nothing changed (100 good rows, 0 rejected)")

    forced = fulfil("feeds", "import", "--force", str(truncated), store=loaded)
    assert forced.returncode == 0, forced.stderr
    assert forced.stdout.startswith("ING: loaded 100, zeroed ")


def test_csv_feed_needs_a_mapping(loaded):
    done = fulfil("feeds", "import", "--format", "csv", str(DATA / "feeds/westcoast.csv"), store=loaded)
    assert done.returncode == 2
    assert (
        done.stderr.strip() == "fulfil: error: --mapping: a csv feed needs a mapping file naming its columns"
    )


def test_csv_feed_with_the_bundled_mapping(loaded):
    done = fulfil(
        "feeds",
        "import",
        "--format",
        "csv",
        "--mapping",
        str(DATA / "mappings/westcoast.toml"),
        str(DATA / "feeds/westcoast.csv"),
        store=loaded,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("WST: loaded ") and done.stdout.strip().endswith("zeroed 0, rejected 0")


def test_products_import_reports_and_strict(tmp_path):
    store = f"sqlite:///{tmp_path / 'p.sqlite'}"
    master = tmp_path / "products.csv"
    master.write_text("sku,weight_kg\nP1,1.5\nP2,\n")
    done = fulfil("products", "import", str(master), store=store)
    assert done.returncode == 0
    assert done.stderr.splitlines() == [f"{master}:3: P2: missing weight_kg"]
    assert done.stdout.strip() == "products: loaded 1, rejected 1"
    strict = fulfil("products", "import", "--strict", str(master), store=store)
    assert strict.returncode == 1


def test_a_product_master_with_every_row_bad_exits_1_as_a_feed_does(tmp_path):
    store = f"sqlite:///{tmp_path / 'p.sqlite'}"
    master = tmp_path / "products.csv"
    master.write_text("sku,weight_kg\nP1,heavy\nP2,\n")
    done = fulfil("products", "import", str(master), store=store)
    assert done.returncode == 1
    assert done.stdout.strip() == "products: loaded 0, rejected 2"
    assert done.stderr.splitlines()[-1] == "fulfil: nothing loaded: every row of the product master is bad"


def test_distributors_list_shows_feed_times(loaded):
    done = fulfil("distributors", "list", "--json", store=loaded)
    rows = json.loads(done.stdout)
    assert {r["id"] for r in rows} >= {"ING", "TDS", "WST", "DAH", "ASI"}
    assert all(r["feed_loaded_at"] for r in rows)
    assert next(r for r in rows if r["id"] == "DAH")["freight"]["dim_divisor"] == 5000
    sample = json.loads((DATA / "distributors.json").read_text())
    assert {r["id"]: r["small_order"] for r in rows} == {d["id"]: d.get("small_order") for d in sample}
    assert any(r["small_order"] for r in rows)


def test_a_bad_store_url_is_one_line(tmp_path):
    done = fulfil("offers", "X", store="mysql://nobody@nowhere/db")
    assert done.returncode == 2
    assert done.stderr.strip() == "fulfil: error: the offer store runs on SQLite or PostgreSQL, not mysql"


def test_the_same_commands_on_postgresql(pg_url, tmp_path):
    schema = f"cli_{uuid.uuid4().hex[:10]}"
    dsn = pg_url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
    store = f"{pg_url}?options=-csearch_path%3D{schema}"
    try:
        assert fulfil("sample", "load", store=store).returncode == 0
        feed = tmp_path / "one.txt"
        feed.write_text("CF100001|PGT|3|9.99|X-1|Monitors||\n")
        done = fulfil("feeds", "import", "--store", store, str(feed), store="sqlite:///ignored.sqlite")
        assert done.returncode == 0 and done.stdout.strip() == "PGT: loaded 1, zeroed 0, rejected 0"
        offers = json.loads(fulfil("offers", "CF100001", "--json", store=store).stdout)
        assert {
            "distributor": "PGT",
            "sku": "CF100001",
            "distributor_sku": "X-1",
            "stock": 3,
            "cost": "9.99",
            "source": "feed",
        }.items() <= next(o for o in offers if o["distributor"] == "PGT").items()
    finally:
        with psycopg.connect(dsn, autocommit=True) as admin:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


def test_a_feed_of_nothing_but_bad_rows_exits_1(loaded, tmp_path):
    feed = tmp_path / "garbage.txt"
    feed.write_text("CF100002|ING|-|1.00||||\nCF100003|ING|1|free||||\n")
    done = fulfil("feeds", "import", str(feed), store=loaded)
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1] == "fulfil: nothing loaded: every row of the feed is bad"
    assert done.stdout.startswith("ING: untouched, nothing changed (0 good rows, 2 rejected)")
