"""Store orders imported inside Odoo: `channel_import_orders` against the way an integration written
straight on Odoo does it, orders per second and SQL queries an order, without HTTP or channel-sync.

    python -m bench odoo_import [--orders 1000] [--customers 2000] [--template DB] [--keep-db]
                                [--profile PREFIX]

One throwaway Odoo 19 database (created here, dropped at the end) with the addon tests' store data; the
same kind of orders (WooCommerce orders of 1-5 lines through channel-sync's mapper, customers drawn from
--customers, each way its own) in batches of 100 orders per transaction, chunk by chunk, each way in turn:

- ours: `sale.order.channel_import_orders(store, batch)`, the call channel-sync makes — customers found
  or made under their locks, addresses, taxes matched by rate, the store's shipping, the total checked,
  confirmed with procurement held, review codes;
- Odoo's way: per order, the customer found by e-mail or created, one `sale.order` create with its lines
  (products by SKU, the 20 % tax), `action_confirm()` — less than ours does (no shipping line, no total
  check, no addresses of its own, no concurrency rules);
- ours again: the same orders once more (channel-sync's overlap, a webhook after a pull): all unchanged.

The figures are for the Odoo side alone: bench connectors measures the whole way, store to Odoo.
--profile writes cProfile stats of each way to PREFIX.<way>.prof (slower; not for the figures).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench._odoo import add_worker_options, run_in_database
from bench._tables import bench_console, figures_table

WORKER = Path(__file__).with_name("_odoo_import_worker.py")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench odoo_import", description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--customers", type=int, default=2000)
    add_worker_options(parser)
    args = parser.parse_args(argv)

    console = bench_console()
    r = run_in_database(
        "odoo_import", console, args, WORKER, "--orders", str(args.orders), "--customers", str(args.customers)
    )
    n = r["orders"]
    table = figures_table(
        f"{n:,} store orders imported inside Odoo 19 ({r['customers']:,} possible customers each way, "
        "1-5 lines), batches of 100",
        ["way", "orders", "seconds", "orders/s", "SQL queries/order", "customers made"],
    )
    rows = [
        ("channel_import_orders", "ours", r["customers_made"]["ours"]),
        (
            "Odoo's way: search/create the customer, create the order, confirm",
            "odoo",
            r["customers_made"]["odoo"],
        ),
        ("channel_import_orders again (all unchanged)", "again", 0),
    ]
    for label, way, made in rows:
        seconds = r["spent"][way]
        table.add_row(
            label,
            f"{n:,}",
            f"{seconds:.1f}",
            f"{n / seconds:.1f}",
            f"{r['queries'][way] / n:.1f}",
            f"{made:,}",
        )
    console.print(table)
    console.print(
        f"channel_import_orders vs Odoo's way: {r['spent']['odoo'] / r['spent']['ours']:.2f}× as fast; "
        f"{r['imported']:,} orders imported, {r['in_review']:,} of them in review."
    )
    return 0 if r["imported"] == n and not r["in_review"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
