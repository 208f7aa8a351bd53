"""Distributor invoices against shipped purchase orders in Odoo: bills per second, the share posted by
themselves, and the differences caught — side by side with Odoo's own PO → bill action.

    python -m bench reconcile [--invoices 1000] [--differ 0.10] [--template DB] [--keep-db]

In one throwaway Odoo 19 database (created here, dropped at the end): 2 × N inbox orders of 1-3 lines at
one distributor are shipped and their drop-ship deliveries done (not timed). Then, in batches of 50 per
transaction, each way in turn:

- ours: N cXML InvoiceDetailRequests (a fraction --differ of them with a difference: a price 3 % + 1.00
  up, freight not planned or higher, one more unit than was shipped) go through the inbound door's
  handler (`_channel_receive`, no HTTP): parsed, authenticated, a bill linked to the PO lines, the
  three-way check, posted when it matches, left in Bills to check when not;
- Odoo's: the other N POs billed by `action_create_invoice()` and posted — at the PO's own quantities and
  prices: nobody compared them with what the distributor invoiced.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench._odoo import add_worker_options, run_in_database
from bench._tables import bench_console

WORKER = Path(__file__).with_name("_odoo_reconcile_worker.py")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench reconcile", description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=1000)
    parser.add_argument("--differ", type=float, default=0.10, help="share of invoices with a difference")
    add_worker_options(parser)
    args = parser.parse_args(argv)
    console = bench_console()
    r = run_in_database(
        "reconcile", console, args, WORKER, "--invoices", str(args.invoices), "--differ", str(args.differ)
    )
    report(console, r)
    # Every difference must be caught, and nothing exact held back.
    return 0 if r["caught"] == r["differing"] and not r["false_alarms"] else 1


def report(console: Console, r: dict) -> None:
    n = r["invoices"]
    table = Table(title=f"Bill {n} distributor invoices against shipped POs (Odoo 19), batches of 50")
    for column in ("way", "bills/s", "seconds", "posted by itself", "differences caught", "what it did"):
        table.add_column(column, justify="left" if column in ("way", "what it did") else "right")
    kinds = ", ".join(f"{k} {v}" for k, v in r["caught_by_kind"].items())
    table.add_row(
        "cXML invoice → matcher",
        f"{n / r['ours_s']:.1f}",
        f"{r['ours_s']:.1f}",
        f"{r['posted']} / {n} ({r['posted'] / n:.0%})",
        f"{r['caught']} / {r['differing']} ({kinds}); {r['false_alarms']} false alarms",
        "bill linked to the PO lines, checked, posted or left to check",
    )
    table.add_row(
        "Odoo's PO → bill",
        f"{n / r['odoo_s']:.1f}",
        f"{r['odoo_s']:.1f}",
        f"{r['odoo_bills']} / {n} (a person posts)",
        "0 (the invoice is never compared)",
        "action_create_invoice() at the PO's figures, posted",
    )
    console.print(table)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
