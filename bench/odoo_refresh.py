"""Offer refresh in Odoo: the distributors' vendor lines (cost, stock, part number, age) from the engine's
offer store, in bulk, against a naive ORM loop (find the line, write it) timed on a sample.

    python -m bench odoo_refresh [--products 20000] [--distributors 4] [--naive 2000] [--keep-db]

A throwaway Odoo 19 database with channel_fulfilment (created here, dropped at the end); the catalogue and
feeds come from data/generate.py (the same products in Odoo, by default_code, and in a SQLite offer
store). Timed: the first refresh (every vendor line created), the refresh after the next day's feeds (every
line updated), and the naive loop on --naive offers, extrapolated to the same number of lines. Then the
product search of an order line (what an inbox user's typing asks: product.template and product.product
by name or SKU, the customer in the context), median per term: right after the catalogue's bulk load
(PostgreSQL has no statistics on it yet), after the offer refresh (which ANALYZEs the vendor lines it
wrote) and after the catalogue's own ANALYZE (what `make demo-odoo` ends its loading with).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rich.table import Table

from bench._odoo import odoo_database, result_line
from bench._tables import bench_console

WORKER = Path(__file__).with_name("_odoo_refresh_worker.py")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench odoo_refresh", description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=20_000)
    parser.add_argument("--distributors", type=int, default=4)
    parser.add_argument("--naive", type=int, default=2_000, help="offers the naive loop writes (a sample)")
    parser.add_argument("--keep-db", action="store_true", help="leave the database for a look afterwards")
    args = parser.parse_args(argv)

    console = bench_console()
    with odoo_database("odoo_refresh", console, keep=args.keep_db) as odoo:
        output = odoo.run_worker(
            WORKER,
            *("--products", str(args.products), "--distributors", str(args.distributors)),
            *("--naive", str(args.naive)),
        )
    r = json.loads(result_line(output))
    lines = r["again"]["updated"]
    naive_rate = r["naive_rows"] / r["naive_s"]
    table = Table(
        title=f"Offer refresh in Odoo 19: {r['products']:,} products × {r['distributors']} distributors"
    )
    for heading in ("way", "vendor lines", "seconds", "lines/s", "× naive"):
        table.add_column(heading, justify="left" if heading == "way" else "right")
    first = r["first"]["created"] + r["first"]["updated"]
    table.add_row(
        "bulk refresh, first (lines created)",
        f"{first:,}",
        f"{r['first_s']:.1f}",
        f"{first / r['first_s']:,.0f}",
        f"{first / r['first_s'] / naive_rate:.0f}×",
    )
    table.add_row(
        "bulk refresh, next day's feeds (lines updated)",
        f"{lines:,}",
        f"{r['again_s']:.1f}",
        f"{lines / r['again_s']:,.0f}",
        f"{lines / r['again_s'] / naive_rate:.0f}×",
    )
    table.add_row(
        f"naive ORM loop ({r['naive_rows']:,} lines, extrapolated)",
        f"{lines:,}",
        f"≈ {lines / naive_rate:.0f}",
        f"{naive_rate:,.0f}",
        "1×",
    )
    console.print(table)
    search = Table(title=f"Product search of an order line, median per term ({', '.join(r['search_terms'])})")
    for heading in ("after", "ms", "× faster"):
        search.add_column(heading, justify="left" if heading == "after" else "right")
    loaded = r["search_loaded_s"]
    for label, key in (
        ("the catalogue's bulk load, no ANALYZE yet", "search_loaded_s"),
        ("the offer refresh (its ANALYZE of the vendor lines)", "search_refreshed_s"),
        ("ANALYZE of the catalogue too (the demo's loading)", "search_analyzed_s"),
    ):
        search.add_row(label, f"{r[key] * 1000:.1f}", f"{loaded / r[key]:.1f}×")
    console.print(search)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
