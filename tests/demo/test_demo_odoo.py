"""`make demo-odoo` end to end: tools/demo_odoo.py as a process on a throwaway database, feeding a few store
orders through the WooCommerce and Shopify doubles, channel-sync serve, a real Odoo 19 with its crons and
the distributor simulators; it exits once the orders are in the Orders Inbox and a distributor received a
purchase order. What it reports is checked against the database itself, which is dropped after.

Odoo is found like the other Odoo tests find it (ODOO_HOME, ODOO_PYTHON); without it this is skipped.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ORDERS = 3


@pytest.fixture
def demo_database():
    from bench import _odoo

    try:
        _, python = _odoo.find_odoo("demo-odoo test")
    except SystemExit as missing:
        pytest.skip(f"{missing}: the Odoo demo test did NOT run")
    db = f"cf_demo_test_{uuid.uuid4().hex[:8]}"
    yield db
    _odoo.sql(python, f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def query(db: str, statement: str) -> list[tuple]:
    import psycopg

    from bench._odoo import DB_HOST, DB_USER

    with psycopg.connect(host=DB_HOST, user=DB_USER, dbname=db) as connection:
        return connection.execute(statement).fetchall()


def run_demo(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "tools.demo_odoo", *args]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def test_demo_refuses_a_busy_port_and_bad_options_saying_which():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        refused = run_demo("--http-port", str(port))
    assert refused.returncode == 1
    assert f"port {port} is in use" in refused.stderr and "--http-port" in refused.stderr
    usage = run_demo("--exit-after-processed")
    assert usage.returncode == 2 and "--exit-after-processed needs --orders N" in usage.stderr


@pytest.mark.odoo
def test_demo_brings_store_orders_to_the_inbox_and_a_po_to_a_distributor(demo_database):
    completed = run_demo(
        *("--database", demo_database, "--http-port", "0", "--orders", str(ORDERS), "--every", "2"),
        *("--ship-after", "2", "--exit-after-processed", "--timeout", "600"),
        timeout=1200,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output[-4000:]
    assert "login admin, password admin" in output and "/odoo" in output
    assert f"database {demo_database} kept" in output  # says the database stays
    # ... and its last line, after everything stopped, says how to drop it (as the README promises)
    assert "dropdb -h" in completed.stdout.strip().splitlines()[-1]
    assert completed.stdout.strip().splitlines()[-1].endswith(f"{demo_database})")
    summary = json.loads(next(line for line in output.splitlines() if line.startswith("DEMO-RESULT "))[12:])
    assert summary["fed"] == ORDERS and summary["in_odoo"] == ORDERS
    assert summary["received_by_distributors"] >= 1
    assert summary["invoiced_by_distributors"] >= 2

    # The database says the same: the store orders are inbox orders of both stores...
    orders = query(
        demo_database,
        "SELECT channel_store, channel_external_id FROM sale_order WHERE channel_store IS NOT NULL",
    )
    assert len(orders) == ORDERS
    assert {store for store, _ in orders} == {"woo-main", "shopify-main"}
    # ... and at least one drop-ship purchase order went to its distributor by cXML.
    sent = query(
        demo_database,
        "SELECT name, channel_send_state FROM purchase_order"
        " WHERE channel_send_state IN ('sent', 'accepted')",
    )
    assert len(sent) >= 1, query(demo_database, "SELECT name, channel_send_state FROM purchase_order")
    # The plan is told in the order's chatter: distributor, cost and the runner-up.
    notes = query(
        demo_database,
        "SELECT m.body FROM mail_message m JOIN sale_order o ON m.model = 'sale.order' AND m.res_id = o.id"
        " WHERE o.channel_store IS NOT NULL AND m.body LIKE '%Planned:%'",
    )
    assert notes and "Runner-up:" in notes[0][0]
    # The accountant's side: the distributors' invoices became bills — one at the ordered prices posted
    # by itself, the dearer one waiting in Bills to check with the difference in words.
    bills = query(
        demo_database,
        "SELECT state, channel_review_state, channel_review_reason FROM account_move"
        " WHERE move_type = 'in_invoice' ORDER BY id",
    )
    assert ("posted", "ok") in [(state, review) for state, review, _reason in bills], bills
    waiting = [reason for state, review, reason in bills if (state, review) == ("draft", "review")]
    assert waiting and "billed" in waiting[0], bills
    # A UK reseller's VAT: 20 % on the store orders' goods and on the UK distributors' purchase orders.
    sale_rates = query(
        demo_database,
        "SELECT DISTINCT t.amount FROM sale_order_line l JOIN sale_order o ON o.id = l.order_id"
        " JOIN account_tax_sale_order_line_rel r ON r.sale_order_line_id = l.id"
        " JOIN account_tax t ON t.id = r.account_tax_id WHERE o.channel_store IS NOT NULL",
    )
    assert sale_rates == [(20,)], sale_rates
    purchase_rates = query(
        demo_database,
        "SELECT DISTINCT t.amount FROM purchase_order_line l"
        " JOIN purchase_order p ON p.id = l.order_id JOIN res_partner d ON d.id = p.partner_id"
        " JOIN res_country c ON c.id = d.country_id"
        " JOIN account_tax_purchase_order_line_rel r ON r.purchase_order_line_id = l.id"
        " JOIN account_tax t ON t.id = r.account_tax_id WHERE c.code = 'GB'",
    )
    assert purchase_rates == [(20,)], purchase_rates
