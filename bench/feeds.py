"""Feed loading: rows per second and peak memory of `fulfil feeds import` (the offer store's bulk path),
against a naive ORM row-at-a-time loop measured on a smaller sample and extrapolated.

    python -m bench feeds [--rows 1000000] [--refresh-rows 3000000] [--distributors 120] [--pg URL] [--quick]
                          [--mapped-products 200000]
                          [--max-load 1.0 [--max-wait 900]]

1. a --rows feed (10 distributors, Stock-in-the-Channel layout) into a fresh SQLite file and into a
   throwaway PostgreSQL database (first load: every row is new);
2. on PostgreSQL, a --refresh-rows catalogue over --distributors distributors, loaded once, then the next
   day's feeds (new stock and costs, ~1% of lines dropped) loaded over it: the full refresh;
3. the naive way on both backends: SQLAlchemy ORM, one `session.get` + insert/update per row;
4. a distributor's own CSV through a mapping file (Westcoast's layout, products named by MPN; a
   --mapped-products catalogue gives it about half as many rows), which takes the row-by-row path.
Data comes from data/generate.py into a temporary folder. Each load runs in a child process, whose peak
resident memory (ru_maxrss) is reported. The database is created and dropped here. The machine is shared:
each row shows the 1-minute load average when its load started, and `--max-load` waits (up to
`--max-wait` seconds) for the machine to be quieter than that before each timed load.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench._tables import bench_console

ROOT = Path(__file__).resolve().parents[1]
GENERATOR = ROOT / "data" / "generate.py"
SITC_FILE = "feeds/DistributorStockAndPrices.txt"
MAPPED_FILE, MAPPING = "feeds/westcoast.csv", "mappings/westcoast.toml"  # a distributor's own CSV
PG_ADMIN_DSN = os.environ.get("FULFIL_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
ROWS_PER_PRODUCT_10 = 5.0  # the 10 named distributors carry about five offers per product
ROWS_PER_PRODUCT_EXTRA = 0.5  # each synthetic distributor about half the catalogue


# ---------------------------------------------------------------------------------------------- children


def child(spec: dict) -> dict:
    """Runs in a child process: one load, timed; returns seconds, rows and peak memory."""
    from fulfilment_engine.store import OfferStore

    store = OfferStore.open(spec["store"])
    started = time.perf_counter()
    if spec["kind"] == "products":
        report = store.import_products([spec["file"]])
        rows = report.loaded
    elif spec["kind"] == "feed":
        report = store.import_feeds([spec["file"]], format="sitc", force=True)
        assert report.ok and report.bad_row_count == 0, report.lines()[:5]
        rows = report.loaded
    elif spec["kind"] == "mapped":
        report = store.import_feeds([spec["file"]], format="csv", mapping=spec["mapping"], force=True)
        assert report.ok and report.bad_row_count == 0, report.lines()[:5]
        rows = report.loaded
    else:
        rows = naive_load(store, spec["file"], spec["limit"])
    seconds = time.perf_counter() - started
    store.close()
    return {
        "seconds": seconds,
        "rows": rows,
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def naive_load(store, path: str, limit: int) -> int:
    """The way not to do it: an ORM object per row, looked up and then inserted or updated."""
    from decimal import Decimal

    from sqlalchemy.orm import Session, registry

    from fulfilment_engine.store.schema import offers

    class Offer:
        pass

    mapper_registry = registry()
    mapper_registry.map_imperatively(Offer, offers)
    count = 0
    with Session(store.engine) as session, open(path, encoding="utf-8") as handle:
        next(handle)  # header
        for line in handle:
            if count >= limit:
                break
            sku, dist, stock, cost, dsku, category, eta, brand_sku = line.rstrip("\n").split("|")
            offer = session.get(Offer, (sku, dist))
            if offer is None:
                offer = Offer()
                offer.sku, offer.distributor = sku, dist
                session.add(offer)
            offer.stock, offer.cost, offer.distributor_sku = int(stock), Decimal(cost), dsku
            offer.category, offer.eta, offer.brand_sku = category, eta, brand_sku
            count += 1
            if count % 1000 == 0:
                session.flush()
        session.commit()
    return count


class Quiet:
    """Waits, before a timed load, until the 1-minute load average is below `max_load` (if given)."""

    def __init__(self, max_load: float | None, max_wait: float, console: Console):
        self.max_load = max_load
        self.max_wait = max_wait
        self.console = console

    def wait(self) -> float:
        """The load average the measurement starts at."""
        deadline = time.monotonic() + self.max_wait
        load = os.getloadavg()[0]
        if self.max_load is not None and load >= self.max_load:
            self.console.print(f"  waiting for load < {self.max_load} (now {load:.2f}) …")
            while load >= self.max_load and time.monotonic() < deadline:
                time.sleep(5)
                load = os.getloadavg()[0]
        return load


QUIET = Quiet(None, 0, bench_console())


def run_child(spec: dict, timed: bool = True) -> dict:
    load = QUIET.wait() if timed else os.getloadavg()[0]
    done = subprocess.run(
        [sys.executable, "-m", "bench.feeds", "--child", json.dumps(spec)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench child failed ({spec['kind']}): {done.stderr.strip()[-2000:]}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    figures["load_1m"] = load
    return figures


# ---------------------------------------------------------------------------------------------- setup


def generate(out: Path, products: int, distributors: int, revision: int = 0, layout: str = "sitc") -> int:
    """Generates a catalogue and its feeds into `out`; returns the rows of the file the layout is about
    (sitc: the Stock-in-the-Channel file; sample: Westcoast's own CSV)."""
    done = subprocess.run(
        [
            sys.executable,
            str(GENERATOR),
            "--layout",
            layout,
            "--products",
            str(products),
            "--distributors",
            str(distributors),
            "--revision",
            str(revision),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)["rows"][SITC_FILE if layout == "sitc" else MAPPED_FILE]


class ThrowawayDatabase:
    def __init__(self, admin_dsn: str):
        import psycopg

        self.admin_dsn = admin_dsn.replace("postgresql+psycopg://", "postgresql://", 1)
        self.name = f"cf_bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(self.admin_dsn, autocommit=True, connect_timeout=5) as admin:
            admin.execute(f'CREATE DATABASE "{self.name}"')
        base = self.admin_dsn.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
        self.url = f"{base}/{self.name}"

    def drop(self) -> None:
        import psycopg

        with psycopg.connect(self.admin_dsn, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


# ---------------------------------------------------------------------------------------------- main


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench feeds", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--rows", type=int, default=1_000_000, help="rows of the single feed (default 1,000,000)"
    )
    parser.add_argument(
        "--refresh-rows", type=int, default=3_000_000, help="rows of the full refresh (3,000,000)"
    )
    parser.add_argument(
        "--distributors", type=int, default=120, help="distributors in the full refresh (120)"
    )
    parser.add_argument("--naive-rows", type=int, default=20_000, help="rows the naive loop loads (20,000)")
    parser.add_argument(
        "--pg", default=PG_ADMIN_DSN, help="PostgreSQL admin DSN (a database is created there)"
    )
    parser.add_argument("--no-refresh", action="store_true", help="skip the full refresh")
    parser.add_argument(
        "--mapped-products",
        type=int,
        default=200_000,
        help="catalogue size for the mapped-CSV load (Westcoast's own layout; about half the products)",
    )
    parser.add_argument("--quick", action="store_true", help="100k-row feed, 300k-row refresh, 5k naive rows")
    parser.add_argument(
        "--max-load",
        type=float,
        help="before each timed load, wait until the 1-minute load average is below this",
    )
    parser.add_argument(
        "--max-wait", type=float, default=900, help="seconds to wait for --max-load each time (900)"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.rows, args.refresh_rows, args.naive_rows = 100_000, 300_000, 5_000
        args.mapped_products = 20_000

    console = bench_console()
    QUIET.max_load, QUIET.max_wait, QUIET.console = args.max_load, args.max_wait, console
    results: list[tuple[str, str, dict, str]] = []  # (what, backend, figures, note)
    with tempfile.TemporaryDirectory(prefix="bench-feeds-") as tmp:
        tmp = Path(tmp)
        console.print(f"generating a {args.rows:,}-row feed …")
        single = tmp / "single"
        single_rows = generate(single, max(1, round(args.rows / ROWS_PER_PRODUCT_10)), 10)
        feed = str(single / SITC_FILE)

        pg = ThrowawayDatabase(args.pg)
        try:
            stores = {"SQLite": f"sqlite:///{tmp / 'offers.sqlite'}", "PostgreSQL": pg.url}
            for backend, url in stores.items():
                console.print(f"{backend}: {single_rows:,}-row feed …")
                run_child(
                    {"kind": "products", "store": url, "file": str(single / "products.csv")}, timed=False
                )
                bulk = run_child({"kind": "feed", "store": url, "file": feed})
                results.append((f"{single_rows:,}-row feed, first load", backend, bulk, "bulk path"))

            console.print(
                f"generating a {args.mapped_products:,}-product catalogue with Westcoast's own CSV …"
            )
            mapped = tmp / "mapped"
            mapped_rows = generate(mapped, args.mapped_products, 10, layout="sample")
            for backend, url in {
                "SQLite": f"sqlite:///{tmp / 'mapped.sqlite'}",
                "PostgreSQL": None,
            }.items():
                mapped_db = ThrowawayDatabase(args.pg) if url is None else None
                url = url or mapped_db.url
                try:
                    console.print(f"{backend}: {mapped_rows:,}-row mapped CSV …")
                    run_child(
                        {"kind": "products", "store": url, "file": str(mapped / "products.csv")}, timed=False
                    )
                    loaded = run_child(
                        {
                            "kind": "mapped",
                            "store": url,
                            "file": str(mapped / MAPPED_FILE),
                            "mapping": str(mapped / MAPPING),
                        }
                    )
                finally:
                    if mapped_db is not None:
                        mapped_db.drop()
                results.append(
                    (f"{mapped_rows:,}-row CSV via a mapping, first load", backend, loaded, "row path")
                )

            for backend in stores:
                naive_url = f"sqlite:///{tmp / 'naive.sqlite'}" if backend == "SQLite" else None
                naive_db = None
                if naive_url is None:
                    naive_db = ThrowawayDatabase(args.pg)
                    naive_url = naive_db.url
                try:
                    run_child(
                        {"kind": "products", "store": naive_url, "file": str(single / "products.csv")},
                        timed=False,
                    )
                    naive = run_child(
                        {"kind": "naive", "store": naive_url, "file": feed, "limit": args.naive_rows}
                    )
                finally:
                    if naive_db is not None:
                        naive_db.drop()
                naive["extrapolated_s"] = naive["seconds"] * single_rows / max(1, naive["rows"])
                results.append(
                    (
                        f"naive ORM loop, {naive['rows']:,} rows",
                        backend,
                        naive,
                        f"≈ {naive['extrapolated_s']:,.0f} s for {single_rows:,} rows (extrapolated)",
                    )
                )

            if not args.no_refresh:
                per_product = ROWS_PER_PRODUCT_10 + ROWS_PER_PRODUCT_EXTRA * max(0, args.distributors - 10)
                products = max(1, round(args.refresh_rows / per_product))
                console.print(
                    f"generating a {args.refresh_rows:,}-row catalogue over {args.distributors} "
                    "distributors, two days …"
                )
                day0, day1 = tmp / "day0", tmp / "day1"
                rows0 = generate(day0, products, args.distributors, 0)
                rows1 = generate(day1, products, args.distributors, 1)
                refresh_db = ThrowawayDatabase(args.pg)
                try:
                    run_child(
                        {"kind": "products", "store": refresh_db.url, "file": str(day0 / "products.csv")},
                        timed=False,
                    )
                    console.print(f"PostgreSQL: {rows0:,} rows, {args.distributors} distributors, day 0 …")
                    first = run_child(
                        {"kind": "feed", "store": refresh_db.url, "file": str(day0 / SITC_FILE)}
                    )
                    results.append(
                        (
                            f"{rows0:,} rows / {args.distributors} distributors, first load",
                            "PostgreSQL",
                            first,
                            "bulk path",
                        )
                    )
                    console.print("PostgreSQL: day 1 over day 0 …")
                    again = run_child(
                        {"kind": "feed", "store": refresh_db.url, "file": str(day1 / SITC_FILE)}
                    )
                    results.append(
                        (
                            f"{rows1:,} rows / {args.distributors} distributors, full refresh",
                            "PostgreSQL",
                            again,
                            "new stock and costs, ~1% lines dropped",
                        )
                    )
                finally:
                    refresh_db.drop()
        finally:
            pg.drop()

    naive_rate = {b: f["rows"] / f["seconds"] for w, b, f, _n in results if w.startswith("naive")}
    table = Table(
        title="Feed loading (one transaction per load; child process per load)",
        caption="Load avg: the machine's 1-minute load average when that load started",
    )
    for heading, justify in (
        ("Load", "left"),
        ("Store", "left"),
        ("Rows", "right"),
        ("Seconds", "right"),
        ("Rows/s", "right"),
        ("Peak RSS", "right"),
        ("× naive", "right"),
        ("Load avg", "right"),
        ("Note", "left"),
    ):
        table.add_column(heading, justify=justify)
    for what, backend, figures, note in results:
        rate = figures["rows"] / figures["seconds"]
        ratio = (
            ""
            if what.startswith("naive") or backend not in naive_rate
            else f"{rate / naive_rate[backend]:,.0f}×"
        )
        table.add_row(
            what,
            backend,
            f"{figures['rows']:,}",
            f"{figures['seconds']:,.1f}",
            f"{rate:,.0f}",
            f"{figures['maxrss_mb']:,.0f} MB",
            ratio,
            f"{figures['load_1m']:.2f}",
            note,
        )
    console.print(table)
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        print(json.dumps(child(json.loads(sys.argv[2]))))
        sys.exit(0)
    sys.exit(main(sys.argv[1:]))
