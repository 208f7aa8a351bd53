"""The cart widget in headless Chromium (Debian's), embedded the way a shop would: the page comes from the
shop's own origin and calls the service cross-origin. Load it, change the basket, see the charge change."""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import threading
from decimal import Decimal
from pathlib import Path

import pytest

from fulfilment_engine.planner import plan
from fulfilment_engine.scenario import parse_scenario

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def shop_site(kit):
    """The widget's files on a plain static server: the 'shop', on an origin of its own."""
    handler = functools.partial(_QuietHandler, directory=str(kit.WIDGET_DIR))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def browser_page():
    from playwright.sync_api import sync_playwright  # the Python package only: Chromium is Debian's

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM} (Debian package `chromium`)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            yield page
            assert not errors, errors
        finally:
            browser.close()


def expected_freight(kit, store_url: str, cart: list[dict], country: str) -> str:
    request = kit.plan_request(cart, country=country)
    scenario = parse_scenario(
        json.loads(json.dumps(kit.scenario_from_store(store_url, request)), parse_float=Decimal)
    )
    return plan(scenario).to_dict()["freight_total"]


def delivery_amount_becomes(page, amount: str) -> None:
    page.wait_for_function(
        """amount => {
            const root = document.querySelector('.cf-cart');
            const cell = document.querySelector('.cf-delivery');
            return root.getAttribute('data-state') === 'ready' && !root.classList.contains('cf-busy')
                && cell.getAttribute('data-amount') === amount;
        }""",
        arg=amount,
        timeout=20_000,
    )


def test_widget_shows_availability_and_the_delivery_charge_as_the_basket_changes(
    kit, sample_sqlite_url, shop_site, browser_page
):
    page = browser_page
    with kit.running_service(sample_sqlite_url, origins=(shop_site,)) as service:
        page.goto(f"{shop_site}/index.html?service={service.base_url}&key={kit.API_KEY}")

        # 24.99 + 29.99 + 32.50 = 87.48: under the UK threshold of 100.00, so the flat 4.95.
        delivery_amount_becomes(page, "4.95")
        assert page.text_content(".cf-subtotal").strip().endswith("87.48")
        assert page.text_content(".cf-total").strip().endswith("92.43")
        assert "Spend" in page.text_content(".cf-delivery-note")
        assert not page.is_visible(".cf-demo")  # this service is not the demo
        stock = page.get_attribute('[data-stock-for="CF100002"]', "data-total-stock")
        assert int(stock) > 0
        assert "in stock" in page.text_content('[data-stock-for="CF100002"]')

        # Two switches: 112.47, over the threshold: free delivery.
        page.fill('input[data-sku="CF100002"]', "2")
        delivery_amount_becomes(page, "0.00")
        assert page.text_content(".cf-delivery").strip() == "Free"
        assert page.text_content(".cf-total").strip().endswith("112.47")

        # Shipped to the US: the carrier/weight freight of the plan is passed through.
        basket = [
            {"sku": "CF100002", "qty": 2, "unit_price": "24.99"},
            {"sku": "CF100006", "qty": 1, "unit_price": "29.99"},
            {"sku": "CF100012", "qty": 1, "unit_price": "32.50"},
        ]
        us_freight = expected_freight(kit, sample_sqlite_url, basket, "US")
        assert Decimal(us_freight) > 0
        page.select_option(".cf-country", "US")
        delivery_amount_becomes(page, us_freight)
        assert us_freight in page.text_content(".cf-delivery")
        # Nobody in the sample ships the 5 m USB-C cable to the US: the widget says so.
        assert page.text_content('[data-stock-for="CF100006"]').strip() == "Out of stock"
        assert page.get_attribute(".cf-cart", "data-plan-status") == "partial"


def test_widget_reports_a_rejected_key(kit, sample_sqlite_url, shop_site, browser_page):
    page = browser_page
    with kit.running_service(sample_sqlite_url, origins=(shop_site,)) as service:
        page.goto(f"{shop_site}/index.html?service={service.base_url}&key=wrong-key")
        page.wait_for_selector(".cf-cart[data-state=error]", timeout=20_000)
        assert "did not accept the API key" in page.text_content(".cf-error")
