"""channel-sync against the WooCommerce and Shopify doubles over real HTTP. Odoo here is the small JSON-2
fake (doubles.FakeOdoo): these tests are about the connector's own state — cursors, the inbox, parking,
exactly-once sends across kills — not about what Odoo builds."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import uvicorn
from conftest import SHOP_SECRET, WOO_SECRET, store_config, sync_toml
from doubles import WooCommerceDouble, shopify_order, woo_order

from shop_connectors import config as config_module
from shop_connectors.errors import StoreRejected
from shop_connectors.odoo import OdooClient
from shop_connectors.platforms.shopify.adapter import ShopifyAdapter
from shop_connectors.platforms.signature import WebhookSignature
from shop_connectors.platforms.woocommerce.adapter import WooCommerceAdapter
from shop_connectors.state import State
from shop_connectors.sync import Sync
from shop_connectors.webhooks import make_app

CHANNEL_SYNC = [sys.executable, "-m", "shop_connectors.cli"]
RECENT = "2026-12-06T10:00:00Z"
HEALTH_TOKEN = "health-token-for-the-tests"


def recent(minutes_ago: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - minutes_ago * 60))


def run(config: Path, *args: str, crash: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "CHANNEL_SYNC_CRASH_AT"}
    if crash:
        env["CHANNEL_SYNC_CRASH_AT"] = crash
    return subprocess.run(
        [*CHANNEL_SYNC, *args, "--config", str(config)], capture_output=True, text=True, env=env, timeout=120
    )


def test_config_errors_exit_2_naming_file_and_key(tmp_path, fake_odoo, woo):
    config = sync_toml(tmp_path, fake_odoo.url, woo.url, extra_sync='pull_every = "5 minutes"')
    result = run(config, "pull")
    assert result.returncode == 2
    assert f"{config}: [sync].pull_every" in result.stderr and "5 minutes" in result.stderr
    config = sync_toml(tmp_path, fake_odoo.url, woo.url, woo_extra='statusses = ["processing"]')
    result = subprocess.run([*CHANNEL_SYNC, "--config", str(config), "push"], capture_output=True, text=True)
    assert result.returncode == 2 and "[[stores]] woo-main.statusses: unknown key" in result.stderr
    missing = subprocess.run(
        [*CHANNEL_SYNC, "pull"],
        capture_output=True,
        text=True,
        cwd=tmp_path / "..",
        env={**os.environ, "CHANNEL_SYNC_CONFIG": str(tmp_path / "nope.toml")},
    )
    assert missing.returncode == 2 and "nope.toml: no such file" in missing.stderr
    assert config_module.parse_duration("30s", "x") == 30 and config_module.parse_duration("1h", "x") == 3600


def test_pull_pages_the_window_imports_once_and_moves_the_cursor(tmp_path, fake_odoo, woo):
    for order_id in range(1, 231):
        woo.add_order(woo_order(order_id, modified=recent(30 - order_id / 10)))
    woo.add_order(woo_order(999, modified=recent(5), status="pending"))  # not a configured status
    config = sync_toml(tmp_path, fake_odoo.url, woo.url)
    first = run(config, "pull")
    assert first.returncode == 0, first.stderr
    assert sorted(int(k[1]) for k in fake_odoo.creates) == list(range(1, 231))
    listing = [path for method, path in woo.requests if path.endswith("/orders")]
    assert len(listing) == 3  # 100 + 100 + 30, following X-WP-TotalPages
    cursor, last_good = State(config_module.load(str(config)).sync.state).cursor("woo-main")
    assert cursor and last_good
    calls = len(fake_odoo.calls)
    second = run(config, "pull")  # the 10-minute overlap re-reads orders: nothing new goes to Odoo
    assert second.returncode == 0 and len(fake_odoo.creates) == 230 and len(fake_odoo.calls) == calls
    woo.touch(5, recent(0.1), status="cancelled")
    woo.touch(999, recent(0.1), status="processing")
    third = run(config, "pull")
    assert third.returncode == 0
    assert (
        fake_odoo.orders[("woo-main", "5")]["status"] == "cancelled"
        and ("woo-main", "999") in fake_odoo.orders
    )


def test_odoo_down_keeps_the_cursor_and_a_poison_order_is_parked(tmp_path, fake_odoo, woo):
    for order_id in (1, 2, 3):
        woo.add_order(woo_order(order_id, modified=recent(5)))
    config = sync_toml(tmp_path, fake_odoo.url, woo.url)
    fake_odoo.down = True
    down = run(config, "pull")
    assert down.returncode == 1
    assert "woo-main: order 1: odoo:" in down.stderr and "HTTP 503" in down.stderr
    state = State(config_module.load(str(config)).sync.state)
    assert state.cursor("woo-main") == (None, None)
    fake_odoo.down = False
    fake_odoo.fail_external_ids = {"2"}
    poisoned = run(config, "pull")
    assert poisoned.returncode == 1
    assert "woo-main: order 2: parked: odoo: Validation: the country code ZZ" in poisoned.stderr
    assert set(fake_odoo.creates) == {("woo-main", "1"), ("woo-main", "3")}
    assert state.cursor("woo-main")[0] is not None  # the poison order does not hold the cursor back
    assert [p["order_id"] for p in state.parked("woo-main")] == ["2"]
    again = run(config, "pull")
    assert again.returncode == 0  # parked: waits for a person, not retried in a loop


@pytest.mark.parametrize("calls", [1, 2])
def test_import_calls_side_by_side_never_share_a_customer(tmp_path, fake_odoo, woo, calls):
    for order_id in range(1, 601):  # 60 customers, each with orders all through the window
        email = (
            f"Customer{order_id % 60}@Example.com" if order_id % 7 else f"customer{order_id % 60}@example.com"
        )
        woo.add_order(woo_order(order_id, modified=recent(30 - order_id / 30), email=email))
    if calls == 2:
        fake_odoo.first_two_meet = threading.Barrier(2, timeout=10)
    config = sync_toml(tmp_path, fake_odoo.url, woo.url, extra_sync=f"import_calls = {calls}")
    result = run(config, "pull")
    assert result.returncode == 0, result.stderr
    assert sorted(int(k[1]) for k in fake_odoo.creates) == list(range(1, 601))
    assert fake_odoo.import_calls >= 6
    if calls == 1:
        assert fake_odoo.met == []  # one call at a time
        return
    assert fake_odoo.met, "no two import calls were in Odoo at once"
    for mine, theirs in fake_odoo.met:  # the same customer, whatever the case of its e-mail
        assert not {e.lower() for e in mine} & {e.lower() for e in theirs}
    state = State(config_module.load(str(config)).sync.state)
    assert state.counts("woo-main") == {"done": 600}
    assert len(state.known_orders("woo-main", [str(n) for n in range(1, 601)])) == 600


def test_import_calls_is_checked(tmp_path, fake_odoo, woo):
    config = sync_toml(tmp_path, fake_odoo.url, woo.url, extra_sync="import_calls = 0")
    result = run(config, "pull")
    assert result.returncode == 2 and "[sync].import_calls: 0 is not between 1 and 8" in result.stderr


def test_refused_odoo_key_exits_1_with_the_sentence(tmp_path, fake_odoo, woo):
    woo.add_order(woo_order(1, modified=recent(5)))
    config = sync_toml(tmp_path, fake_odoo.url, woo.url, api_key="revoked")
    result = run(config, "pull")
    assert result.returncode == 1 and "odoo: API key refused (expired or revoked)" in result.stderr


@pytest.mark.parametrize("point", ["after_store", "after_odoo_commit"])
def test_killed_during_a_pull_loses_and_duplicates_nothing(tmp_path, fake_odoo, woo, shop, point):
    for order_id in range(1, 121):
        woo.add_order(woo_order(order_id, modified=recent(20 - order_id / 10)))
    for legacy in range(1, 31):
        shop.add_order(shopify_order(legacy, updated=recent(20 - legacy / 10)))
    config = sync_toml(tmp_path, fake_odoo.url, woo.url, shop.url)
    killed = run(config, "pull", crash=point)
    assert killed.returncode == -signal.SIGKILL
    after = run(config, "pull")
    assert after.returncode == 0, after.stderr
    expected = {("woo-main", str(i)) for i in range(1, 121)} | {
        ("shopify-main", str(i)) for i in range(1, 31)
    }
    assert set(fake_odoo.creates) == expected and len(fake_odoo.creates) == len(expected)


def woo_updates():
    return [
        {
            "key": "tracking:17:1Z999",
            "kind": "tracking",
            "order_id": 42,
            "order_external_id": "1",
            "picking_id": 17,
            "tracking_numbers": ["1Z999"],
            "carrier": "UPS",
            "tracking_url": "",
            "lines": [{"line_external_id": "10", "sku": "CF100006", "qty": "2"}],
        },
        {
            "key": "tracking:18:1Z777",
            "kind": "tracking",
            "order_id": 43,
            "order_external_id": "2",
            "picking_id": 18,
            "tracking_numbers": ["1Z777"],
            "carrier": "DPD",
            "tracking_url": "https://track.example/1Z777",
            "lines": [],
        },
        {
            "key": "completed:44",
            "kind": "completed",
            "order_id": 44,
            "order_external_id": "3",
            "picking_id": None,
            "tracking_numbers": [],
            "carrier": "",
            "tracking_url": "",
            "lines": [],
        },
        {
            "key": "fulfillment:19",
            "kind": "fulfillment",
            "order_id": 44,
            "order_external_id": "3",
            "picking_id": 19,
            "tracking_numbers": ["X"],
            "carrier": "",
            "tracking_url": "",
            "lines": [],
        },
    ]


@pytest.mark.parametrize("extension", [True, False])
def test_push_killed_after_the_send_never_sends_twice(tmp_path, fake_odoo, woo, shop, extension):
    woo.tracking_extension = extension
    for order_id in (1, 2, 3):
        woo.add_order(woo_order(order_id, modified=recent(5)))
    shop.add_order(shopify_order(5, updated=recent(5), lines=(("CF1", 3, "10.00"), ("CF2", 1, "5.00"))))
    fake_odoo.pending["woo-main"] = woo_updates()
    fake_odoo.pending["shopify-main"] = [
        {
            "key": "fulfillment:21",
            "kind": "fulfillment",
            "order_id": 50,
            "order_external_id": "5",
            "picking_id": 21,
            "tracking_numbers": ["1ZSHOP"],
            "carrier": "UPS",
            "tracking_url": "https://ups.example/1ZSHOP",
            "lines": [{"line_external_id": "500", "sku": "CF1", "qty": "2"}],
        },
        {
            "key": "tracking:21:1ZSHOP",
            "kind": "tracking",
            "order_id": 50,
            "order_external_id": "5",
            "picking_id": 21,
            "tracking_numbers": ["1ZSHOP"],
            "carrier": "UPS",
            "tracking_url": "",
            "lines": [],
        },
    ]
    config = sync_toml(tmp_path, fake_odoo.url, woo.url, shop.url)
    killed = run(config, "push", crash="after_push_send")
    assert killed.returncode == -signal.SIGKILL
    assert not fake_odoo.acknowledged
    after = run(config, "push")
    assert after.returncode == 0, after.stderr
    writes = [(path, json.dumps(body, sort_keys=True)) for _m, path, body in woo.writes]
    assert len(writes) == len(set(writes)) == 3
    if extension:
        assert [t["tracking_number"] for t in woo.trackings[1]] == ["1Z999"]
        assert woo.trackings[2][0]["custom_tracking_link"] == "https://track.example/1Z777"
    else:
        assert "UPS" in woo.notes[1][0]["note"] and "1Z999" in woo.notes[1][0]["note"]
        assert (
            woo.notes[1][0]["customer_note"] is True
            and "https://track.example/1Z777" in woo.notes[2][0]["note"]
        )
    assert woo.orders[3]["status"] == "completed"
    assert fake_odoo.acknowledged["woo-main"] == {"tracking:17:1Z999", "tracking:18:1Z777", "completed:44"}
    # Shopify: exactly one fulfillmentCreate, for exactly the shipped line and quantity (partial: open)
    assert len(shop.received_fulfillments) == 1
    sent = shop.received_fulfillments[0]
    assert sent["lineItemsByFulfillmentOrder"] == [
        {
            "fulfillmentOrderId": "gid://shopify/FulfillmentOrder/51",
            "fulfillmentOrderLineItems": [
                {"id": "gid://shopify/FulfillmentOrderLineItem/500", "quantity": 2}
            ],
        }
    ]
    assert sent["trackingInfo"] == {
        "numbers": ["1ZSHOP"],
        "company": "UPS",
        "urls": ["https://ups.example/1ZSHOP"],
    }
    assert sent["notifyCustomer"] is True
    assert fake_odoo.acknowledged["shopify-main"] == {"fulfillment:21"}
    third = run(config, "push")
    assert third.returncode == 0 and len(shop.received_fulfillments) == 1 and len(woo.writes) == 3


class StoppedClock:
    """The pull's clock, moved on only by its own sleep."""

    def __init__(self, moment: dt.datetime):
        self.moment = moment
        self.slept: list[float] = []

    def now(self) -> dt.datetime:
        return self.moment

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.moment += dt.timedelta(seconds=seconds)


def test_an_order_changed_in_the_second_a_pull_starts_is_in_that_pull(tmp_path, fake_odoo, woo, shop):
    """Both stores keep whole seconds and end the window exclusively: a pull starting at 10:00:00.4 must
    still bring the orders changed at 10:00:00, and leave those of 10:00:01 to the next pull."""
    stamps = ("2026-12-06T09:59:59Z", "2026-12-06T10:00:00Z", "2026-12-06T10:00:01Z")
    for number, stamp in enumerate(stamps, start=1):
        woo.add_order(woo_order(number, modified=stamp))
        shop.add_order(shopify_order(number, updated=stamp))
    settings = config_module.load(str(sync_toml(tmp_path, fake_odoo.url, woo.url, shop.url)))
    state = State(settings.sync.state)
    start = dt.datetime(2026, 12, 6, 10, 0, 0, 400_000, tzinfo=dt.UTC)
    clock = StoppedClock(start)
    sync = Sync(settings, state, OdooClient(settings.odoo), clock=clock.now, sleep=clock.sleep)
    for store in settings.stores:
        clock.moment = start
        assert sync.pull(store) == []
    assert sorted(fake_odoo.creates) == [(s, str(n)) for s in ("shopify-main", "woo-main") for n in (1, 2)]
    # It waited for the second to be over before asking, and the cursor stands at its end.
    assert clock.slept == [0.6, 0.6]
    assert state.cursor("woo-main")[0] == state.cursor("shopify-main")[0] == "2026-12-06T10:00:01Z"
    clock.moment += dt.timedelta(minutes=5)
    for store in settings.stores:
        assert sync.pull(store) == []
    assert len(fake_odoo.creates) == 6


def test_the_woocommerce_double_filters_modified_times_as_woocommerce_does(woo):
    """modified_after / modified_before become WP_Date_Query `after` / `before` (exclusive, whole seconds,
    a value without an offset in site time), on the GMT column when dates_are_gmt, else on site time."""
    paris = WooCommerceDouble(timezone="Europe/Paris")
    try:
        for double in (woo, paris):
            double.add_order(woo_order(7, modified="2026-12-06T10:00:00Z"))
            double.touch(7, "2026-12-06T10:00:00Z")

        def found(double, **params) -> bool:
            adapter = WooCommerceAdapter(store_config("woocommerce", double.url))
            _, body = adapter._call(adapter.api, "get", "orders", params=params)
            return [o["id"] for o in body] == [7]

        gmt = {"dates_are_gmt": "true"}
        assert not found(woo, modified_before="2026-12-06T10:00:00", **gmt)
        assert not found(woo, modified_before="2026-12-06T10:00:00.999", **gmt)  # the fraction is cut
        assert found(woo, modified_before="2026-12-06T10:00:01", **gmt)
        assert not found(woo, modified_after="2026-12-06T10:00:00", **gmt)
        assert found(woo, modified_after="2026-12-06T09:59:59", **gmt)
        # Paris is an hour ahead in December: site time is 11:00:00 for the same order.
        assert found(paris, modified_before="2026-12-06T10:00:01", **gmt)
        assert not found(paris, modified_before="2026-12-06T10:00:01")  # dates_are_gmt defaults to false
        assert found(paris, modified_before="2026-12-06T11:00:01")
        # A value in UTC is moved to site time, even against the GMT column: the adapter sends none.
        assert found(paris, modified_after="2026-12-06T09:59:59", **gmt)
        assert not found(paris, modified_after="2026-12-06T09:59:59Z", **gmt)
        with pytest.raises(StoreRejected, match="Invalid parameter"):
            found(woo, modified_before="2026-12-06", **gmt)
    finally:
        paris.close()


def test_shopify_pages_orders_and_line_items_under_the_throttle(shop):
    shop.maximum, shop.available, shop.restore_rate = (
        700.0,
        100.0,
        300.0,
    )  # the first query finds it nearly dry
    many = tuple((f"SKU{i}", 1, "1.00") for i in range(45))
    shop.add_order(shopify_order(1, updated="2026-12-06T10:00:00Z", lines=many))
    for legacy in range(2, 41):
        shop.add_order(shopify_order(legacy, updated=f"2026-12-06T10:{legacy:02d}:00Z"))
    shop.add_order(shopify_order(99, updated="2026-12-06T12:00:00Z"))  # outside the window
    store = config_module.StoreConfig(
        id="s", platform="shopify", url=shop.url, webhook_secret="x", access_token="shpat_test"
    )
    from shop_connectors.retry import with_retries

    adapter = ShopifyAdapter(store)
    orders, cursor = [], None
    while True:
        page, cursor = with_retries(
            lambda c=cursor: adapter.changed_orders("2026-12-06T09:00:00Z", "2026-12-06T11:00:00Z", c),
            attempts=10,
            backoff_s=0.01,
        )
        orders += page
        if cursor is None:
            break
    assert [o["legacyResourceId"] for o in orders] == [str(i) for i in range(1, 41)]
    assert len(orders[0]["lineItems"]["nodes"]) == 45
    assert shop.throttled >= 1  # the bucket ran dry at least once and the adapter waited, then went on


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def receiver(tmp_path, fake_odoo):
    config = sync_toml(
        tmp_path,
        fake_odoo.url,
        "http://127.0.0.1:9",
        "http://127.0.0.1:9",
        extra_sync=f'health_token = "{HEALTH_TOKEN}"',
    )
    settings = config_module.load(str(config))
    state = State(settings.sync.state)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(make_app(settings, state), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(100):
        if server.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", state
    server.should_exit = True
    thread.join(5)


def sign(secret: str, body: bytes) -> str:
    """A webhook's signature, by the one class that signs and verifies (tests/woocommerce proves it
    against the signatures a real WooCommerce sends)."""
    return WebhookSignature.compute(secret, body)


def test_webhooks_signatures_ping_and_replays_over_http(receiver, woo):
    url, state = receiver
    woo.add_order(woo_order(7, modified="2026-12-06T10:00:00Z"))
    body, headers = woo.webhook(7, WOO_SECRET)
    with httpx.Client() as client:
        ping = client.post(
            f"{url}/webhooks/woo-main",
            content=b"webhook_id=12",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert ping.status_code == 200
        assert (
            client.post(
                f"{url}/webhooks/woo-main",
                content=body,
                headers={**headers, "X-WC-Webhook-Signature": sign("wrong", body)},
            ).status_code
            == 401
        )
        assert (
            client.post(
                f"{url}/webhooks/woo-main", content=body, headers={"Content-Type": "application/json"}
            ).status_code
            == 401
        )
        assert (
            client.post(
                f"{url}/webhooks/woo-main",
                content=b"webhook_id=12",
                headers={"X-WC-Webhook-Signature": sign("wrong", b"webhook_id=12")},
            ).status_code
            == 401
        )
        assert state.counts("woo-main") == {}
        first = client.post(f"{url}/webhooks/woo-main", content=body, headers=headers)
        assert first.status_code == 200 and first.json() == {"stored": True}
        again = client.post(f"{url}/webhooks/woo-main", content=body, headers=headers)
        assert again.status_code == 200 and again.json() == {"stored": False}
    shop_body = json.dumps({"id": 5, "updated_at": "2026-12-06T10:00:00Z", "name": "#1005"}).encode()
    shop_headers = {
        "X-Shopify-Hmac-Sha256": sign(SHOP_SECRET, shop_body),
        "X-Shopify-Event-Id": "evt-1",
        "X-Shopify-Topic": "orders/updated",
        "Content-Type": "application/json",
    }

    def deliver(n):
        headers = {**shop_headers, "X-Shopify-Webhook-Id": f"delivery-{n}"}
        return httpx.post(f"{url}/webhooks/shopify-main", content=shop_body, headers=headers).status_code

    with ThreadPoolExecutor(10) as pool:
        assert set(pool.map(deliver, range(20))) == {200}
    assert state.counts("woo-main") == {"pending": 1} and state.counts("shopify-main") == {"pending": 1}
    assert state.pending("woo-main")[0].body == body  # the raw body, byte for byte
    health = httpx.get(f"{url}/healthz", headers={"Authorization": f"Bearer {HEALTH_TOKEN}"})
    assert health.status_code == 503 and "never pulled" in health.json()["problems"]["woo-main"]


def test_webhook_processing_fetches_the_current_order_and_falls_back_to_the_body(tmp_path, fake_odoo, woo):
    woo.add_order(woo_order(7, modified=recent(3)))
    config = sync_toml(tmp_path, fake_odoo.url, woo.url)
    settings = config_module.load(str(config))
    state = State(settings.sync.state)
    body, _headers = woo.webhook(7, WOO_SECRET)
    state.receive("woo-main", "webhook", body, order_id="7", modified=recent(3))
    woo.touch(7, recent(1), line_items=[{**woo.orders[7]["line_items"][0], "quantity": 5}])
    assert run(config, "pull").returncode == 0
    assert fake_odoo.orders[("woo-main", "7")]["lines"][0]["qty"] == "5"  # the store's current state
    woo.add_order(woo_order(8, modified=recent(2)))
    body, _headers = woo.webhook(8, WOO_SECRET)
    state.receive("woo-main", "webhook", body, order_id="8", modified=recent(2))
    woo.down = True
    down = run(config, "pull")
    assert down.returncode == 1 and "pull stopped, cursor kept" in down.stderr
    assert ("woo-main", "8") in fake_odoo.orders  # imported from the stored body while the store was down


def test_store_taxes_name_the_odoo_tax_for_a_rate(tmp_path, fake_odoo, woo):
    woo.add_order(woo_order(1, modified=recent(5)))
    config = sync_toml(tmp_path, fake_odoo.url, woo.url, woo_extra='[stores.taxes]\n"20.0" = "VAT 20% (UK)"')
    assert run(config, "pull").returncode == 0
    assert fake_odoo.orders[("woo-main", "1")]["tax_names"] == {"20.0": "VAT 20% (UK)"}


def test_one_store_down_never_stops_the_others(tmp_path, fake_odoo, woo, shop):
    woo.add_order(woo_order(1, modified=recent(5)))
    shop.add_order(shopify_order(3, updated=recent(5)))
    woo.down = True
    config = sync_toml(tmp_path, fake_odoo.url, woo.url, shop.url)
    result = run(config, "pull")
    assert result.returncode == 1
    assert [line.split(":")[0] for line in result.stderr.splitlines()] == ["woo-main"]
    assert "HTTP 503" in result.stderr and ("shopify-main", "3") in fake_odoo.orders
    woo.down = False
    assert run(config, "pull").returncode == 0 and ("woo-main", "1") in fake_odoo.orders
