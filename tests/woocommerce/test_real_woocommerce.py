"""channel-sync end to end against a real WooCommerce (WordPress, its REST API and Store API, its own taxes,
webhooks and order notes; conftest.py) and a real Odoo 19 with channel_fulfilment (the `odoo` fixture),
through the real `channel-sync pull` / `push` / `serve` processes, unchanged.

The store is a UK reseller's: GBP, VAT 20 % on goods and shipping, prices without tax, tax rounded per line
as WooCommerce does by default; customers check out as guests and pay by bank transfer (the order waits
on-hold until the shop marks it Processing). The Odoo company rounds tax per line too, as the README tells
the admin to set it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "connectors"))

from test_odoo_e2e import odoo_call, store_orders
from test_serve import wait_for
from test_sync import run

pytestmark = [pytest.mark.odoo, pytest.mark.woocommerce]
ODOO_WHAT = "the real-WooCommerce end-to-end tests"  # named by the `odoo` fixture when it skips
WORKER = Path(__file__).parents[1] / "connectors" / "odoo_worker.py"


def sync_config(folder: Path, odoo: dict, store, extra_sync: str = "") -> Path:
    path = folder / "sync.toml"
    path.write_text(f"""
[odoo]
url = "{odoo["url"]}"
database = "{odoo["db"]}"
api_key = "{odoo["key"]}"

[sync]
state = "sqlite:///{folder / "state.sqlite"}"
retries = 2
backoff = "100ms"
{extra_sync}

[[stores]]
id = "woo-main"
platform = "woocommerce"
url = "{store.url}"
consumer_key = "{store.consumer_key}"
consumer_secret = "{store.consumer_secret}"
webhook_secret = "{store.webhook_secret}"
""")
    return path


def admin_call(odoo, model, method, **kwargs):
    return odoo_call({**odoo, "key": odoo["admin_key"]}, model, method, **kwargs)


def round_per_line(odoo) -> None:
    """Settings → Invoicing → Rounding Method: Round per Line, as the README tells the admin."""
    companies = admin_call(odoo, "res.company", "search", domain=[])
    admin_call(
        odoo,
        "res.company",
        "write",
        ids=companies,
        vals={"tax_calculation_rounding_method": "round_per_line"},
    )


def odoo_orders(odoo) -> dict[str, dict]:
    orders = store_orders(odoo)
    keys = [o["channel_external_id"] for o in orders]
    assert len(keys) == len(set(keys)), f"an order is in Odoo twice: {sorted(keys)}"
    return {o["channel_external_id"]: o for o in orders}


def pull(config: Path) -> None:
    """Right after the orders changed, often in the same second: the pull's window still takes them."""
    result = run(config, "pull")
    assert result.returncode == 0, result.stderr


def assert_to_the_penny(odoo_order: dict, store_order: dict) -> None:
    assert Decimal(str(odoo_order["amount_total"])) == Decimal(store_order["total"]), (
        odoo_order["channel_external_id"],
        odoo_order["amount_total"],
        store_order["total"],
    )
    assert not odoo_order["review_codes"], odoo_order["review_codes"]


@pytest.fixture(scope="module")
def store(woocommerce, odoo):
    """The session's WooCommerce with this module's Odoo set to round tax per line."""
    round_per_line(odoo)
    return woocommerce


def test_checkout_orders_arrive_once_to_the_penny(store, odoo, tmp_path):
    docks = store.checkout("ann@example.com", [("SKU-DOCK", 2), ("SKU-MOUSE", 1)])
    # VAT per line 2.19 + 5.99 + shipping 1.00 = 9.18; rounded globally it would be 9.19.
    fractional = store.checkout("bob@example.com", [("SKU-CABLE", 1), ("SKU-BAG", 1)])
    again_ann = store.checkout("Ann@Example.com", [("SKU-CABLE", 3), ("SKU-MOUSE", 2)])
    unpaid = store.checkout("cat@example.com", [("SKU-LAPTOP", 1)])
    paid = {order_id: store.mark_paid(order_id) for order_id in (docks, fractional, again_ann)}
    assert paid[fractional]["total"] == "55.11" and paid[fractional]["total_tax"] == "9.18"
    assert paid[docks]["total"] == "395.99"
    config = sync_config(tmp_path, odoo, store)

    pull(config)
    orders = odoo_orders(odoo)
    assert set(orders) >= {str(docks), str(fractional), str(again_ann)}
    assert str(unpaid) not in orders  # on-hold, waiting for the transfer: not a status the store sends
    for order_id, in_store in paid.items():
        assert_to_the_penny(orders[str(order_id)], in_store)
        assert orders[str(order_id)]["client_order_ref"] == f"#{order_id}"
    assert orders[str(docks)]["partner_id"][0] == orders[str(again_ann)]["partner_id"][0]
    assert orders[str(docks)]["partner_id"][0] != orders[str(fractional)]["partner_id"][0]
    lines = admin_call(
        odoo,
        "sale.order.line",
        "search_read",
        domain=[("order_id", "=", orders[str(fractional)]["id"])],
        fields=["product_id", "product_uom_qty", "price_unit", "price_tax", "price_subtotal"],
    )
    by_product = {line["product_id"][1]: line for line in lines}
    # Odoo taxes each line as WooCommerce did: 2.194 -> 2.19, 5.994 -> 5.99 (floats over JSON-2)
    assert by_product["[SKU-CABLE] HDMI cable"]["price_unit"] == 10.97
    assert round(by_product["[SKU-CABLE] HDMI cable"]["price_tax"], 2) == 2.19
    assert round(by_product["[SKU-BAG] Laptop bag"]["price_tax"], 2) == 5.99

    # Again: nothing new in the store, nothing twice in Odoo, nothing rewritten.
    written = odoo_read_dates(odoo)
    pull(config)
    assert odoo_read_dates(odoo) == written

    # The transfer for the laptop arrives: that order comes, the others stay as they were.
    laptop = store.mark_paid(unpaid)
    pull(config)
    orders = odoo_orders(odoo)
    assert_to_the_penny(orders[str(unpaid)], laptop)
    assert {k: v for k, v in odoo_read_dates(odoo).items() if k != str(unpaid)} == written


def odoo_read_dates(odoo) -> dict[str, str]:
    orders = admin_call(
        odoo,
        "sale.order",
        "search_read",
        domain=[("channel_store", "=", "woo-main")],
        fields=["channel_external_id", "write_date"],
    )
    return {o["channel_external_id"]: o["write_date"] for o in orders}


def test_webhook_signed_by_woocommerce_is_imported_by_serve(store, odoo, tmp_path):
    config = sync_config(
        tmp_path,
        odoo,
        store,
        f'listen = "127.0.0.1:{store.webhook_port}"\npull_every = "1h"\npush_every = "1h"',
    )
    serve = subprocess.Popen(
        [sys.executable, "-m", "shop_connectors.cli", "serve", "--config", str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{store.webhook_port}"
        assert wait_for(lambda: httpx.get(f"{url}/healthz").status_code == 200), "serve never pulled"
        order_id = store.checkout("dan@example.com", [("SKU-DOCK", 1), ("SKU-CABLE", 2)])
        in_store = store.mark_paid(order_id)
        delivered = store.run_queue()
        mine = [d for d in delivered if d["order"] == order_id]
        # order.created at checkout (on-hold: fetched and left), order.updated once paid; both signed by
        # WooCommerce with the webhook's secret and accepted.
        assert {d["topic"] for d in mine} == {"order.created", "order.updated"}, delivered
        assert all(d["status"] == 200 for d in delivered), delivered
        # pull_every is an hour and the start pull was before the checkout: only the webhook brings it.
        assert wait_for(lambda: str(order_id) in odoo_orders(odoo), timeout=60)
        assert_to_the_penny(odoo_orders(odoo)[str(order_id)], in_store)
    finally:
        serve.terminate()
        output = serve.communicate(timeout=10)[0]
    assert "Traceback" not in output, output


def test_a_cancellation_in_woocommerce_cancels_the_odoo_order(store, odoo, tmp_path):
    order_id = store.checkout("eve@example.com", [("SKU-MOUSE", 1)])
    store.mark_paid(order_id)
    config = sync_config(tmp_path, odoo, store)
    pull(config)
    imported = odoo_orders(odoo)[str(order_id)]
    assert imported["inbox_state"] != "cancelled"

    assert store.rest("put", f"orders/{order_id}", {"status": "cancelled"})["status"] == "cancelled"
    pull(config)
    [cancelled] = admin_call(odoo, "sale.order", "read", ids=[imported["id"]], fields=["state"])
    assert cancelled["state"] == "cancel"
    pull(config)  # and it stays one order, cancelled
    assert odoo_orders(odoo)[str(order_id)]["id"] == imported["id"]


def test_push_adds_the_tracking_note_then_completes_nothing_twice(store, odoo, tmp_path):
    from bench import _odoo

    order_id = store.checkout("fay@example.com", [("SKU-DOCK", 1), ("SKU-MOUSE", 2)])
    store.mark_paid(order_id)
    config = sync_config(tmp_path, odoo, store)
    pull(config)
    shipped = json.loads(
        _odoo.result_line(
            odoo["database"].run_worker(WORKER, "ship", "woo-main", str(order_id), "1ZREALWOO1")
        )
    )
    assert shipped["state"] == "shipped"

    for _ in range(3):  # tracking first; `completed` once Odoo has the tracking acknowledged; then nothing
        result = run(config, "push")
        assert result.returncode == 0, result.stderr
    notes = store.rest("get", f"orders/{order_id}/notes", params={"type": "customer"})
    assert len(notes) == 1, notes
    assert "1ZREALWOO1" in notes[0]["note"] and notes[0]["customer_note"]
    assert store.rest("get", f"orders/{order_id}")["status"] == "completed"
    changes = [n["note"] for n in store.rest("get", f"orders/{order_id}/notes", params={"type": "internal"})]
    assert sum("to Completed" in note for note in changes) == 1, changes
    assert odoo_call(odoo, "sale.order", "channel_pending_updates", store="woo-main") == []
