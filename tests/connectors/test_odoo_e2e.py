"""channel-sync end to end: the WooCommerce and Shopify doubles, `channel-sync pull` / `push` as processes,
and a real Odoo 19 with channel_fulfilment installed on a fresh database, reached over HTTP (JSON-2 with a
real API key of a `group_store_connector` user). One Odoo for the module; its database is dropped after.

Odoo is found like the addon tests find it (ODOO_HOME, ODOO_PYTHON); without it these tests are skipped
with the reason.
"""

from __future__ import annotations

import json
import signal
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from conftest import sync_toml
from doubles import shopify_order, woo_order
from test_sync import recent, run

pytestmark = pytest.mark.odoo
ODOO_WHAT = "the connector end-to-end tests"  # named by the `odoo` fixture when it skips
WORKER = Path(__file__).with_name("odoo_worker.py")


def odoo_call(odoo, model, method, key="key", **kwargs):
    """A JSON-2 call with the connector's key (`key="admin_key"`: an administrator's, to look around)."""
    response = odoo_answer(odoo, model, method, key, **kwargs)
    assert response.status_code == 200, response.text
    return response.json()


def odoo_answer(odoo, model, method, key="key", **kwargs) -> httpx.Response:
    return httpx.post(
        f"{odoo['url']}/json/2/{model}/{method}",
        json=kwargs,
        timeout=60,
        headers={"Authorization": f"bearer {odoo[key]}", "X-Odoo-Database": odoo["db"]},
    )


def store_orders(odoo):
    return odoo_call(
        odoo,
        "sale.order",
        "search_read",
        key="admin_key",  # the connector's key reads nothing
        domain=[("channel_store", "in", ["woo-main", "shopify-main"])],
        fields=[
            "channel_store",
            "channel_external_id",
            "amount_total",
            "review_codes",
            "partner_id",
            "client_order_ref",
            "inbox_state",
            "order_line",
        ],
    )


def test_pull_creates_every_order_once_to_the_penny_even_when_killed(odoo, stores, tmp_path_factory):
    woo, shop = stores
    emails = ["ann@example.com", "bob@example.com", "cat@example.com"]
    for order_id in range(1, 10):
        woo.add_order(
            woo_order(
                order_id,
                modified=recent(20 - order_id),
                email=emails[order_id % 3],
                lines=(("SKU-DOCK", 1 + order_id % 2, "150.00"), ("SKU-MOUSE", 1, "25.00")),
                include_tax=order_id == 4,
            )
        )
    woo.add_order(woo_order(10, modified=recent(5), lines=(("SKU-NOPE", 1, "12.00"),)))
    for legacy in (1, 2):
        shop.add_order(shopify_order(legacy, updated=recent(10), lines=(("SKU-DOCK", 2, "180.00"),)))
    tmp = tmp_path_factory.mktemp("e2e")
    config = sync_toml(tmp, odoo["url"], woo.url, shop.url, api_key=odoo["key"], database=odoo["db"])
    first = run(config, "pull")
    assert first.returncode == 0, first.stderr
    orders = store_orders(odoo)
    keys = sorted((o["channel_store"], o["channel_external_id"]) for o in orders)
    assert keys == sorted(
        [("woo-main", str(i)) for i in range(1, 11)] + [("shopify-main", "1"), ("shopify-main", "2")]
    )
    by_key = {(o["channel_store"], o["channel_external_id"]): o for o in orders}
    for order_id in range(1, 11):
        assert Decimal(str(by_key[("woo-main", str(order_id))]["amount_total"])) == Decimal(
            woo.orders[order_id]["total"]
        ), order_id
    for legacy in ("1", "2"):
        assert Decimal(str(by_key[("shopify-main", legacy)]["amount_total"])) == Decimal(
            shop.orders[legacy]["totalPriceSet"]["shopMoney"]["amount"]
        )
    assert "unknown_sku" in by_key[("woo-main", "10")]["review_codes"]
    assert not by_key[("woo-main", "4")]["review_codes"]  # the tax-inclusive one lands on the penny too
    partners = {by_key[("woo-main", str(i))]["partner_id"][0] for i in (1, 4, 7)}  # all bob@example.com
    assert len(partners) == 1
    assert len({by_key[("woo-main", str(i))]["partner_id"][0] for i in range(1, 10)}) == 3

    # Changed in the store, killed after Odoo committed, run again: still one order each, the change in.
    woo.touch(
        2,
        recent(1),
        line_items=[
            {
                **woo.orders[2]["line_items"][1],
                "quantity": 3,
                "subtotal": "75.00",
                "total": "75.00",
                "subtotal_tax": "15.00",
                "total_tax": "15.00",
            }
        ],
        total="90.00",
        total_tax="15.00",
        shipping_lines=[],
        fee_lines=[],
    )
    assert run(config, "pull", crash="after_odoo_commit").returncode == -signal.SIGKILL
    again = run(config, "pull")
    assert again.returncode == 0, again.stderr
    after = store_orders(odoo)
    assert len(after) == len(orders)
    changed = next(o for o in after if (o["channel_store"], o["channel_external_id"]) == ("woo-main", "2"))
    assert Decimal(str(changed["amount_total"])) == Decimal("90.00")


def test_push_sends_tracking_then_completed_and_one_fulfillment(odoo, stores, tmp_path_factory):
    woo, shop = stores
    tmp = tmp_path_factory.mktemp("push")
    config = sync_toml(tmp, odoo["url"], woo.url, shop.url, api_key=odoo["key"], database=odoo["db"])
    assert run(config, "pull").returncode == 0
    database = odoo["database"]
    from bench import _odoo

    shipped = json.loads(_odoo.result_line(database.run_worker(WORKER, "ship", "woo-main", "1", "1ZWOO1")))
    assert shipped["state"] == "shipped"
    json.loads(_odoo.result_line(database.run_worker(WORKER, "ship", "shopify-main", "1", "1ZSHOP1")))
    killed = run(config, "push", crash="after_push_send")
    assert killed.returncode == -signal.SIGKILL
    for _ in range(2):  # tracking first; `completed` only once Odoo has the tracking acknowledged
        result = run(config, "push")
        assert result.returncode == 0, result.stderr
    notes = woo.notes.get(1, [])
    assert len(notes) == 1 and "1ZWOO1" in notes[0]["note"] and notes[0]["customer_note"]
    assert woo.orders[1]["status"] == "completed"
    status_writes = [w for w in woo.writes if w[1] == "orders/1" and w[2].get("status") == "completed"]
    assert len(status_writes) == 1
    assert len(shop.received_fulfillments) == 1
    sent = shop.received_fulfillments[0]
    assert sent["trackingInfo"]["numbers"] == ["1ZSHOP1"]
    assert sent["lineItemsByFulfillmentOrder"][0]["fulfillmentOrderLineItems"] == [
        {"id": "gid://shopify/FulfillmentOrderLineItem/100", "quantity": 2}
    ]
    assert odoo_call(odoo, "sale.order", "channel_pending_updates", store="woo-main") == []


# Every model the addon reads or writes, and the public actions a person uses on them (issue 15, §1).
CONNECTOR_REFUSED = [
    *[
        (model, method, arguments)
        for model in (
            "sale.order",
            "sale.order.line",
            "purchase.order",
            "res.partner",
            "res.users",
            "account.move",
            "account.journal",
            "mail.message",
            "channel.store",
            "channel.store.update",
            "stock.picking",
            "product.product",
            "res.users.apikeys",
        )
        for method, arguments in (
            ("search_read", {"domain": [], "fields": ["id"], "limit": 1}),
            ("read", {"ids": [1], "fields": ["display_name"]}),
            ("write", {"ids": [1], "vals": {}}),
            ("create", {"vals_list": [{}]}),
            ("unlink", {"ids": [1]}),
        )
    ],
    ("sale.order", "write", {"ids": [1], "vals": {"review_codes": False, "inbox_state": "ready"}}),
    ("sale.order", "action_ship", {"ids": [1]}),
    ("sale.order", "action_confirm", {"ids": [1]}),
    ("sale.order", "action_cancel", {"ids": [1]}),
    ("sale.order", "action_channel_accept_import_differences", {"ids": [1]}),
    ("purchase.order", "action_channel_send", {"ids": [1]}),
    ("purchase.order", "button_confirm", {"ids": [1]}),
    ("purchase.order", "button_cancel", {"ids": [1]}),
    ("sale.order", "channel_import_orders", {"store": "woo-main", "orders": [], "context": {"tz": "UTC"}}),
]


def test_the_connector_key_reaches_three_methods_and_nothing_else(odoo):
    """A stolen key of channel-sync, over JSON-2 against odoo-bin: Odoo's access error for everything a
    person could do; the three methods answer."""
    for model, method, arguments in CONNECTOR_REFUSED:
        refused = odoo_answer(odoo, model, method, **arguments)
        assert refused.status_code == 403, f"{model}.{method}: {refused.status_code} {refused.text[:200]}"
        assert refused.json()["name"] == "odoo.exceptions.AccessError", f"{model}.{method}"
    # The administrator's key reads what the connector's could not (the refusals are the connector's).
    assert odoo_call(odoo, "res.partner", "search_count", key="admin_key", domain=[]) > 0
    assert odoo_call(odoo, "sale.order", "channel_pending_updates", store="woo-main") == []
    never_listed = odoo_answer(
        odoo, "sale.order", "channel_updates_sent", store="woo-main", keys=["completed:999999"]
    )
    assert never_listed.status_code == 422 and "never listed" in never_listed.json()["message"]
    bad_store = odoo_answer(odoo, "sale.order", "channel_pending_updates", store="../../etc")
    assert bad_store.status_code == 422 and "is not a store id" in bad_store.json()["message"]


def hostile_orders() -> tuple[list[dict], dict[str, str]]:
    """Normalised WooCommerce orders (the mapper's own output) each made hostile one way, with the path
    each answer must name; and one good order."""
    from shop_connectors.platforms.woocommerce import mapper as woo_mapper

    def order(number, **changes):
        normal = woo_mapper.map_order(
            woo_order(number, modified=recent(3), lines=(("SKU-DOCK", 1, "150.00"),))
        )
        return {**normal, **changes}

    nul = order(8001)
    nul["billing"] = {**nul["billing"], "street": "1 High St\x00"}
    huge = order(8002)
    huge["lines"] = [{**huge["lines"][0], "qty": "1e400"}]
    negative = order(8003)
    negative["lines"] = [{**negative["lines"][0], "unit_price": "-150.00"}]
    fine_qty = order(8004)
    fine_qty["lines"] = [{**fine_qty["lines"][0], "qty": "0.001"}]
    many = order(8005)
    many["lines"] = [dict(many["lines"][0], external_id=str(i)) for i in range(1001)]
    orders = [
        order(8000, modified=None),
        nul,
        huge,
        negative,
        fine_qty,
        many,
        order(8006, total="NaN"),
        order(8007, external_id="8" * 65),
        order(8008),  # the good one
    ]
    paths = {
        "8000": "modified is missing",
        "8001": "billing.street: contains a NUL character",
        "8002": "lines[0].qty",
        "8003": "lines[0].unit_price",
        "8004": "lines[0].qty",
        "8005": "lines: at most 1000 lines an order, got 1001",
        "8006": "total",
        "8": "external_id",
    }
    return orders, paths


def test_hostile_orders_are_refused_with_their_path_and_the_rest_go_on(odoo):
    """channel_import_orders over JSON-2 with the connector's key: each hostile order answered failed
    naming its path, the good one created, and no traceback in Odoo's log (the fixture fails on an
    ERROR line); an unknown country and one of our own e-mail addresses are imported without taking
    the company's country or our partner."""
    orders, paths = hostile_orders()
    answers = odoo_call(odoo, "sale.order", "channel_import_orders", store="woo-main", orders=orders)
    for index, answer in enumerate(answers[:-1]):
        expected = next(path for prefix, path in paths.items() if answer["external_id"].startswith(prefix))
        assert answer["result"] == "failed" and f"orders[{index}]: {expected}" in answer["error"], answer
    assert answers[-1]["result"] == "created", answers[-1]

    from shop_connectors.platforms.woocommerce import mapper as woo_mapper

    stranger = woo_mapper.map_order(
        woo_order(8100, modified=recent(2), email="orders@ing.example", lines=(("SKU-DOCK", 1, "150.00"),))
    )
    stranger["shipping"] = {**stranger["billing"], "country_code": "XX"}
    [answer] = odoo_call(odoo, "sale.order", "channel_import_orders", store="woo-main", orders=[stranger])
    assert answer["result"] == "created", answer
    [order] = odoo_call(
        odoo,
        "sale.order",
        "read",
        key="admin_key",
        ids=[answer["id"]],
        fields=["partner_id", "partner_shipping_id", "channel_unknown_country_code"],
    )
    [ingram] = odoo_call(
        odoo,
        "res.partner",
        "search_read",
        key="admin_key",
        domain=[("is_distributor", "=", True), ("email", "=", "orders@ing.example")],
        fields=["id"],
    )
    assert order["partner_id"][0] != ingram["id"]  # a distributor's e-mail: a new customer, not Ingram
    assert order["channel_unknown_country_code"] == "XX"
    [shipping] = odoo_call(
        odoo,
        "res.partner",
        "read",
        key="admin_key",
        ids=[order["partner_shipping_id"][0]],
        fields=["country_id"],
    )
    assert shipping["country_id"] is False  # not the company's country
