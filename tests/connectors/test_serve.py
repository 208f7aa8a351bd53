"""`channel-sync serve` as a process: pulls at start, takes a signed webhook, imports it at once, and says
on /healthz whether every store is being pulled and Odoo takes the key. Plus the retry policy."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time

import httpx
import pytest
from conftest import WOO_SECRET, sync_toml
from doubles import woo_order
from test_sync import free_port, recent

from shop_connectors import config as config_module
from shop_connectors.errors import StoreRejected, StoreUnavailable
from shop_connectors.platforms.woocommerce.adapter import WooCommerceAdapter
from shop_connectors.retry import with_retries
from shop_connectors.state import State
from shop_connectors.sync import KEY_REFUSED_FLAG
from shop_connectors.webhooks import health


def wait_for(check, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    return False


@contextlib.contextmanager
def channel_sync_serve(config):
    """`channel-sync serve --config CONFIG` as its own process, until the block ends."""
    process = subprocess.Popen(
        [sys.executable, "-m", "shop_connectors.cli", "serve", "--config", str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield process
    finally:
        process.terminate()
        process.wait(10)


def test_serve_pulls_at_start_and_imports_a_webhook_at_once(tmp_path, fake_odoo, woo):
    woo.add_order(woo_order(1, modified=recent(5)))
    port = free_port()
    config = sync_toml(
        tmp_path,
        fake_odoo.url,
        woo.url,
        extra_sync=f'listen = "127.0.0.1:{port}"\npull_every = "1h"\npush_every = "1h"',
    )
    with channel_sync_serve(config):
        url = f"http://127.0.0.1:{port}"
        assert wait_for(lambda: httpx.get(f"{url}/healthz").status_code == 200)
        assert ("woo-main", "1") in fake_odoo.orders
        woo.add_order(woo_order(2, modified=recent(0.5)))
        body, headers = woo.webhook(2, WOO_SECRET)
        answer = httpx.post(f"{url}/webhooks/woo-main", content=body, headers=headers)
        assert answer.status_code == 200
        # pull_every is an hour: only the webhook can have brought order 2 in
        assert wait_for(lambda: ("woo-main", "2") in fake_odoo.orders)


def test_health_names_a_refused_key_and_a_stale_store(tmp_path, fake_odoo, woo):
    settings = config_module.load(str(sync_toml(tmp_path, fake_odoo.url, woo.url)))
    state = State(settings.sync.state)
    state.move_cursor("woo-main", recent(0))
    assert health(settings, state)[0] is True
    state.set_flag(KEY_REFUSED_FLAG, recent(0))
    ok, detail = health(settings, state)
    assert not ok and detail["problems"] == {"odoo": "odoo: API key refused (expired or revoked)"}


def test_retries_honour_retry_after_and_stop():
    waits, calls = [], []

    def flaky():
        calls.append(1)
        raise StoreUnavailable("HTTP 429", retry_after_s=7.0 if len(calls) == 1 else None)

    with pytest.raises(StoreUnavailable):
        with_retries(flaky, attempts=3, backoff_s=0.5, sleep=waits.append)
    assert len(calls) == 3 and waits[0] == 7.0 and 0 <= waits[1] <= 1.0


def test_woocommerce_wrong_secret_is_refused_with_its_error_body(woo):
    store = config_module.StoreConfig(
        id="w",
        platform="woocommerce",
        url=woo.url,
        webhook_secret="x",
        consumer_key="ck_test",
        consumer_secret="cs_wrong",
    )
    with pytest.raises(StoreRejected) as refused:
        WooCommerceAdapter(store).order("1")
    assert refused.value.status == 401 and refused.value.code == "woocommerce_rest_authentication_error"
    woo.down = True
    with pytest.raises(StoreUnavailable, match="HTTP 503"):
        WooCommerceAdapter(store).order("1")


def test_woocommerce_products_batch_limit_is_the_doubles_own(woo):
    """The double refuses more than 100 items a batch, as WooCommerce does."""
    from woocommerce import API

    api = API(woo.url, "ck_test", "cs_test", version="wc/v3")
    too_many = api.post("products/batch", {"update": [{"id": i, "stock_quantity": 1} for i in range(101)]})
    assert too_many.status_code == 413 and too_many.json()["data"]["status"] == 413
    fine = api.post("products/batch", {"update": [{"id": i, "stock_quantity": 1} for i in range(100)]})
    assert fine.status_code == 200
