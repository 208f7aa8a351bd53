"""A real WooCommerce for the end-to-end test of channel-sync (test_real_woocommerce.py): WordPress and
WooCommerce from WOOCOMMERCE_HOME (default /opt/woocommerce, assembled by `python -m tools.woocommerce_home`),
PHP from Debian, a fresh MariaDB database per test session, served by `php -S` with several workers.

When the tree, PHP or MariaDB is missing the test is skipped naming what was not found, and the terminal
summary says so in capitals: a skipped real-store test is not a passing one.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from bench._odoo import answering, free_port
from tools import woocommerce_home

NOT_RUN_MARK = "the real-WooCommerce end-to-end test did NOT run"
HERE = Path(__file__).parent
SERVER_WORKERS = 4  # the REST calls of channel-sync, the Store API checkouts and WooCommerce's own loopbacks
WEBHOOK_SECRET = "channel-sync-webhook-secret"
PHP_BAD = ("PHP Fatal error", "PHP Parse error", "PHP Warning")
# The store's catalogue: SKUs of the Odoo test data (odoo_worker.py setup), prices without VAT. The cable
# and the bag carry VAT with a third decimal (2.194, 5.994) so that an order of both is a penny apart
# between rounding per line (WooCommerce) and globally (Odoo's default).
PRICES = {
    "SKU-DOCK": "150.00",
    "SKU-MOUSE": "25.00",
    "SKU-CABLE": "10.97",
    "SKU-BAG": "29.97",
    "SKU-LAPTOP": "900.00",
}
# Where every guest of the tests ships to (in the UK: the store's one shipping zone).
CUSTOMER = {
    "first_name": "Jo",
    "last_name": "Baker",
    "company": "Baker & Sons",
    "address_1": "22 Mill Lane",
    "address_2": "Unit 4",
    "city": "Manchester",
    "state": "",
    "postcode": "M1 2AB",
    "country": "GB",
    "phone": "0161 496 0123",
}


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    reasons = []
    for report in terminalreporter.stats.get("skipped", []):
        location = str((getattr(report, "location", None) or ("",))[0]).replace("\\", "/")
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)
        if NOT_RUN_MARK in reason or "tests/woocommerce/" in location:
            reasons.append(reason.removeprefix("Skipped: "))
    if reasons:
        terminalreporter.write_sep("!", "REAL WOOCOMMERCE END-TO-END TEST NOT RUN", red=True, bold=True)
        for reason in dict.fromkeys(reasons):
            terminalreporter.write_line(reason, red=True, bold=True)
    if any(NOT_RUN_MARK in reason for reason in reasons):
        terminalreporter.write_line(
            f"Set {woocommerce_home.HOME_ENV} to a built WordPress + WooCommerce tree (default "
            f"{woocommerce_home.DEFAULT_HOME}; python -m tools.woocommerce_home assembles one) and install "
            "PHP from Debian to run it.",
            red=True,
        )


class SiteError(Exception):
    """A step of site.php failed: its output says why."""


@dataclass
class RealWooCommerce:
    """The session's store: where it answers, its REST API key, its webhook secret and the port its
    webhooks are delivered to (where the test runs `channel-sync serve`), its products by SKU."""

    tree: woocommerce_home.WooCommerceTree
    url: str
    env: dict
    webhook_port: int
    log: Path
    consumer_key: str = ""
    consumer_secret: str = ""
    products: dict[str, int] = field(default_factory=dict)
    webhook_secret: str = WEBHOOK_SECRET

    def site(self, *args: str) -> dict:
        """Runs a step of site.php in the site's environment; its RESULT line, parsed."""
        done = subprocess.run(
            [self.tree.php, str(HERE / "site.php"), *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
        if done.returncode != 0 or not lines:
            raise SiteError(
                f"php site.php {' '.join(args)} (exit {done.returncode}): "
                f"{(done.stdout + done.stderr).strip()[-2000:]}"
            )
        return json.loads(lines[-1].removeprefix("RESULT "))

    def api(self):
        """WooCommerce's REST API through the same client channel-sync uses."""
        from woocommerce import API

        return API(self.url, self.consumer_key, self.consumer_secret, version="wc/v3", timeout=60)

    def checkout(self, email: str, items: list[tuple[str, int]]) -> int:
        """A guest's checkout through WooCommerce's Store API, as the shop's checkout page makes it: cart,
        address, the flat-rate shipping WooCommerce selects, direct bank transfer. The order's id (the
        order waits on-hold for the transfer)."""
        address = CUSTOMER
        with httpx.Client(base_url=f"{self.url}/wp-json/wc/store/v1", timeout=60) as client:
            cart = client.get("/cart")
            cart.raise_for_status()
            headers = {"Nonce": cart.headers["Nonce"], "Cart-Token": cart.headers["Cart-Token"]}

            def post(path, body):
                answer = client.post(path, json=body, headers=headers)
                if answer.status_code >= 300:
                    raise SiteError(f"Store API {path}: {answer.status_code} {answer.text[:500]}")
                headers["Nonce"] = answer.headers.get("Nonce", headers["Nonce"])
                return answer.json()

            for sku, quantity in items:
                post("/cart/add-item", {"id": self.products[sku], "quantity": quantity})
            addresses = {"billing_address": {**address, "email": email}, "shipping_address": address}
            post("/cart/update-customer", addresses)
            order = post("/checkout", {**addresses, "payment_method": "bacs"})
        return int(order["order_id"])

    def mark_paid(self, order_id: int) -> dict:
        """The bank transfer arrived: the shop marks the order Processing, which is when WooCommerce records
        it paid (date_paid)."""
        return self.rest("put", f"orders/{order_id}", {"status": "processing"})

    def rest(self, method: str, endpoint: str, data: dict | None = None, params: dict | None = None):
        api = self.api()
        if method == "get":
            answer = api.get(endpoint, params=params or {})
        else:
            answer = getattr(api, method)(endpoint, data or {})
        if answer.status_code >= 300:
            raise SiteError(f"REST {method.upper()} {endpoint}: {answer.status_code} {answer.text[:500]}")
        return answer.json()

    def run_queue(self) -> list[dict]:
        """Delivers the webhooks WooCommerce queued (see site.php run-queue); one entry per delivery."""
        return self.site("run-queue")["delivered"]


@pytest.fixture(scope="session")
def woocommerce(tmp_path_factory):
    """The real WooCommerce store of the session (RealWooCommerce); skipped naming what is missing."""
    try:
        tree = woocommerce_home.find_tree()
    except woocommerce_home.TreeMissing as missing:
        pytest.skip(f"{missing}; {NOT_RUN_MARK}")
    folder = tmp_path_factory.mktemp("woocommerce")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "WOOCOMMERCE_HOME": str(tree.home),
        "WOOCOMMERCE_SITE_URL": url,
        "WORDPRESS_DB_NAME": f"cf_woo_{uuid.uuid4().hex[:10]}",
        "WORDPRESS_MU_PLUGIN_DIR": str(HERE / "mu-plugins"),
        # Nothing runs WP-Cron behind the test's back: the webhooks WooCommerce queues are delivered when
        # the test runs the queue (RealWooCommerce.run_queue).
        "WORDPRESS_DISABLE_WP_CRON": "1",
        "WORDPRESS_DEBUG_LOG": str(folder / "debug.log"),
        "PHP_CLI_SERVER_WORKERS": str(SERVER_WORKERS),
    }
    store = RealWooCommerce(tree, url, env, free_port(), folder / "server.log")
    try:
        store.site("create-database")
    except SiteError as unreachable:
        pytest.skip(f"{unreachable}; {NOT_RUN_MARK}")
    server = None
    try:
        store.site("install")
        store.site("activate")
        webhook_url = f"http://127.0.0.1:{store.webhook_port}/webhooks/woo-main"
        made = store.site("setup", webhook_url, WEBHOOK_SECRET, *(f"{k}={v}" for k, v in PRICES.items()))
        store.consumer_key, store.consumer_secret = made["consumer_key"], made["consumer_secret"]
        store.products = made["products"]
        with store.log.open("w") as log:
            server = subprocess.Popen(
                [tree.php, "-S", f"127.0.0.1:{port}", "-t", str(tree.home), str(HERE / "router.php")],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        if not answering(f"{url}/wp-json/", server, 60):
            raise SiteError(f"php -S did not answer on {url} (log: {store.log})")
        yield store
        # WooCommerce 8.9 on Debian's PHP logs nothing in these tests: a PHP warning or fatal error is what
        # our requests made it do.
        logged = [line for line in _log_lines(folder / "debug.log") if any(bad in line for bad in PHP_BAD)]
        assert not logged, f"WordPress logged PHP errors ({folder / 'debug.log'}):\n" + "\n".join(logged)
    except SiteError as failed:
        pytest.fail(f"{tree.describe()}: {failed}")
    finally:
        if server is not None:  # the workers outlive their parent: the whole process group goes
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(10)
        store.site("drop-database")


def _log_lines(log: Path) -> list[str]:
    return log.read_text(errors="replace").splitlines() if log.exists() else []
