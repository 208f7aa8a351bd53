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
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
WORKER = Path(__file__).with_name("_odoo_ship_worker.py")
DB_HOST = os.environ.get("ODOO_DB_HOST", "127.0.0.1")
DB_USER = os.environ.get("ODOO_DB_USER", "root")


def find_odoo() -> tuple[Path, Path]:
    home = Path(os.environ.get("ODOO_HOME", "/opt/odoo19"))
    candidates = (
        [os.environ["ODOO_PYTHON"]]
        if os.environ.get("ODOO_PYTHON")
        else ["/opt/odoo19-venv/bin/python", str(home / ".venv" / "bin" / "python")]
    )
    python = next((Path(c) for c in candidates if Path(c).is_file()), None)
    if not (home / "odoo-bin").is_file() or python is None:
        raise SystemExit(f"odoo_ship: Odoo 19 not found at {home} (set ODOO_HOME and ODOO_PYTHON)")
    return home, python


def sql(python: Path, statement: str) -> None:
    script = (
        "import psycopg2, sys\n"
        f"cn = psycopg2.connect(host={DB_HOST!r}, user={DB_USER!r}, dbname='postgres')\n"
        "cn.autocommit = True\n"
        "cn.cursor().execute(sys.argv[1])\n"
    )
    subprocess.run([str(python), "-c", script, statement], check=True, capture_output=True, text=True)


def run(command: list[str], env: dict, cwd: Path, what: str) -> str:
    completed = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True)
    if completed.returncode != 0:
        tail = "\n".join((completed.stdout + completed.stderr).splitlines()[-40:])
        raise SystemExit(f"odoo_ship: {what} failed (exit {completed.returncode}):\n{tail}")
    return completed.stdout


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench odoo_ship", description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=500)
    parser.add_argument("--lines", type=int, default=3)
    parser.add_argument("--distributors", type=int, default=4)
    parser.add_argument("--send", type=int, default=50, help="how many of the POs to send, timed (0: none)")
    parser.add_argument(
        "--template", help="copy this database (dependencies installed) instead of a fresh one"
    )
    parser.add_argument("--keep-db", action="store_true", help="leave the database for a look afterwards")
    parser.add_argument("--profile", default="", help="cProfile each way into PREFIX.<way>.prof")
    args = parser.parse_args(argv)

    home, python = find_odoo()
    db = f"cf_bench_{uuid.uuid4().hex[:8]}"
    data_dir = Path(tempfile.mkdtemp(prefix="cf-bench-odoo-"))
    addons = ",".join([str(home / "addons"), str(home / "odoo" / "addons"), str(ROOT / "odoo_addon")])
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), str(home), os.environ.get("PYTHONPATH")])),
    )
    console = Console()
    sql(python, f'CREATE DATABASE "{db}"' + (f' TEMPLATE "{args.template}"' if args.template else ""))
    if args.template:
        source = Path.home() / ".local/share/Odoo/filestore" / args.template
        if source.is_dir():
            shutil.copytree(source, data_dir / "filestore" / db)
    try:
        started = time.perf_counter()
        run(
            [
                str(python),
                str(home / "odoo-bin"),
                "--addons-path",
                addons,
                "-d",
                db,
                "-i",
                "channel_fulfilment",
                # a template may hold an older version of the module: bring it to this one
                *(["-u", "channel_fulfilment"] if args.template else []),
                "--stop-after-init",
                "--db_host",
                DB_HOST,
                "--db_user",
                DB_USER,
                "--data-dir",
                str(data_dir),
                "--http-interface",
                "127.0.0.1",
                "--log-level",
                "warn",
            ],
            env,
            home,
            "installing channel_fulfilment",
        )
        console.print(f"installed channel_fulfilment in {db} ({time.perf_counter() - started:.0f} s)")
        output = run(
            [
                str(python),
                str(WORKER),
                "--db",
                db,
                "--addons-path",
                addons,
                "--db-host",
                DB_HOST,
                "--db-user",
                DB_USER,
                "--orders",
                str(args.orders),
                "--lines",
                str(args.lines),
                "--distributors",
                str(args.distributors),
                "--send",
                str(args.send),
                "--data-dir",
                str(data_dir),
                *(["--profile", str(Path(args.profile).resolve())] if args.profile else []),
            ],
            env,
            home,
            "the benchmark run",
        )
    finally:
        if not args.keep_db:
            sql(python, f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        shutil.rmtree(data_dir, ignore_errors=True)
    result = json.loads(next(line for line in output.splitlines() if line.startswith("RESULT "))[7:])
    report(console, result, db if args.keep_db else None)
    return 0


def report(console: Console, r: dict, kept_db: str | None) -> None:
    n = r["orders"]
    table = Table(
        title=f"Ship {n} orders of {r['lines']} lines over {r['distributors']} distributors (Odoo 19), "
        "batches of 50"
    )
    table.add_column("way")
    table.add_column("orders/s", justify="right")
    table.add_column("seconds", justify="right")
    table.add_column("POs", justify="right")
    table.add_column("what it did")
    table.add_row(
        "action_ship() on the batch",
        f"{n / r['ours_s']:.1f}",
        f"{r['ours_s']:.1f}",
        str(r["ours_pos"]),
        f"planned each order (engine: stock, goods + freight), forced the planned vendor per line, planned "
        f"costs on the PO lines, freight/small-order lines, {r['ours_pos_confirmed']} POs confirmed with "
        f"their drop-ship pickings over {r['ours_distributors']} distributors, queued to send",
    )
    table.add_row(
        "Odoo's route: confirm + confirm the RFQs",
        f"{n / r['odoo_confirmed_s']:.1f}",
        f"{r['odoo_confirmed_s']:.1f}",
        str(r["odoo_confirmed_pos"]),
        "the fair twin: sale orders confirmed, RFQs from _select_seller (first vendor line, no stock, no "
        "freight) confirmed in one button_confirm() with their drop-ship pickings; no planning, costs as "
        "listed, no charges, not queued",
    )
    table.add_row(
        "Odoo's route: confirm only",
        f"{n / r['odoo_s']:.1f}",
        f"{r['odoo_s']:.1f}",
        str(r["odoo_pos"]),
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
    if kept_db:
        console.print(f"database kept: {kept_db}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
