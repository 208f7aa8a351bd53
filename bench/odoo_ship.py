"""Ship in Odoo: inbox orders through `action_ship()` against Odoo's own drop-ship route, orders per second.

    python -m bench odoo_ship [--orders 500] [--lines 3] [--distributors 4] [--send 50] [--template DB]
                              [--keep-db] [--profile PREFIX]

Both ways run in one throwaway Odoo 19 database (created here, dropped at the end), on the same kind of
orders (--lines lines each over --distributors distributors), in batches of 50 orders per transaction
(chunk by chunk, each way in turn, so none gets a warmer cache or a smaller database):

- ours: `action_ship()` on the batch plans every order with the engine (cheapest distributors, goods +
  freight), confirms it on the drop-ship route with the planned distributor forced per line (one run of
  the stock rules for the batch), puts the planned costs on the PO lines, adds freight and small-order
  lines, confirms the purchase orders with their drop-ship pickings and queues them; then the send step
  (one distributor by cXML to a local HTTP endpoint, the others by Odoo's PO e-mail) is timed on its own;
- Odoo's, confirm only: confirm the sale orders with the drop-ship route on their lines and let
  procurement create the requests for quotation (vendor = _select_seller's first line; draft RFQs, no
  pickings, not sent);
- Odoo's, the fair twin: the same, then confirm all the RFQs in one `button_confirm()` (what a buyer does
  from the RFQ list): confirmed POs with their drop-ship pickings, as far as Ship goes except planning,
  costs, charges and queueing.

Odoo is found like the addon tests find it: ODOO_HOME (default /opt/odoo19) and ODOO_PYTHON.
--template copies an existing database that already has the dependencies installed (faster).
--profile writes cProfile stats of each way to PREFIX.<way>.prof (slower; not for the figures).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench._odoo import add_worker_options, run_in_database
from bench._tables import bench_console

WORKER = Path(__file__).with_name("_odoo_ship_worker.py")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench odoo_ship", description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=500)
    parser.add_argument("--lines", type=int, default=3)
    parser.add_argument("--distributors", type=int, default=4)
    parser.add_argument("--send", type=int, default=50, help="how many of the POs to send, timed (0: none)")
    add_worker_options(parser)
    args = parser.parse_args(argv)

    console = bench_console()
    options = ["--orders", str(args.orders), "--lines", str(args.lines)]
    options += ["--distributors", str(args.distributors), "--send", str(args.send)]
    report(console, run_in_database("odoo_ship", console, args, WORKER, *options))
    return 0


def report(console: Console, r: dict) -> None:
    n = r["orders"]
    table = Table(
        title=f"Ship {n} orders of {r['lines']} lines over {r['distributors']} distributors (Odoo 19), "
        "batches of 50"
    )
    table.add_column("way")
    table.add_column("orders/s", justify="right")
    table.add_column("seconds", justify="right")
    table.add_column("POs", justify="right")
    table.add_column("queries/order", justify="right")
    table.add_column("what it did")
    table.add_row(
        "action_ship() on the batch",
        f"{n / r['ours_s']:.1f}",
        f"{r['ours_s']:.1f}",
        str(r["ours_pos"]),
        f"{r['queries']['ours'] / n:.0f}",
        f"planned each order (engine: stock, goods + freight), forced the planned vendor per line, planned "
        f"costs on the PO lines, freight/small-order lines, {r['ours_pos_confirmed']} POs confirmed with "
        f"their drop-ship pickings over {r['ours_distributors']} distributors, queued to send",
    )
    table.add_row(
        "Odoo's route: confirm + confirm the RFQs",
        f"{n / r['odoo_confirmed_s']:.1f}",
        f"{r['odoo_confirmed_s']:.1f}",
        str(r["odoo_confirmed_pos"]),
        f"{r['queries']['odoo_confirmed'] / n:.0f}",
        "the fair twin: sale orders confirmed, RFQs from _select_seller (first vendor line, no stock, no "
        "freight) confirmed in one button_confirm() with their drop-ship pickings; no planning, costs as "
        "listed, no charges, not queued",
    )
    table.add_row(
        "Odoo's route: confirm only",
        f"{n / r['odoo_s']:.1f}",
        f"{r['odoo_s']:.1f}",
        str(r["odoo_pos"]),
        f"{r['queries']['odoo'] / n:.0f}",
        f"draft RFQs at {r['odoo_distributors']} vendors; nothing confirmed, no pickings (less than Ship)",
    )
    console.print(table)
    console.print(
        f"action_ship() vs Odoo's route with its POs confirmed: {r['odoo_confirmed_s'] / r['ours_s']:.2f}× "
        f"as fast ({n / r['ours_s']:.1f} vs {n / r['odoo_confirmed_s']:.1f} orders/s)."
    )
    sent = r["ours_sent"]
    if sent and r["send_s"]:
        console.print(
            f"Sending afterwards (the send cron, after commit), a sample of {sent} POs: {r['send_s']:.1f} s "
            f"({sent / r['send_s']:.1f} POs/s) — {r['cxml_orders_received']} cXML OrderRequests over HTTP, "
            "the rest by Odoo's PO e-mail, whose PDF wkhtmltopdf renders (most of that time)."
        )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
