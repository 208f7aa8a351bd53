"""Fixtures: the WooCommerce and Shopify doubles, the fake Odoo (state tests only) and a sync.toml."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from doubles import FakeOdoo, ShopifyDouble, WooCommerceDouble

WOO_SECRET = "woo-webhook-secret"
SHOP_SECRET = "shopify-app-secret"


@pytest.fixture
def woo():
    double = WooCommerceDouble()
    yield double
    double.close()


@pytest.fixture
def shop():
    double = ShopifyDouble()
    yield double
    double.close()


@pytest.fixture
def fake_odoo():
    double = FakeOdoo()
    yield double
    double.close()


def store_config(platform: str, url: str, **extra):
    """A store of the doubles' credentials, for the tests that drive an adapter directly."""
    from shop_connectors.config import StoreConfig

    credentials = (
        {"consumer_key": "ck_test", "consumer_secret": "cs_test"}
        if platform == "woocommerce"
        else {"access_token": "shpat_test"}
    )
    return StoreConfig(id=platform[:1], platform=platform, url=url, webhook_secret="x", **credentials | extra)


def sync_toml(
    tmp_path: Path,
    odoo_url: str,
    woo_url: str | None = None,
    shop_url: str | None = None,
    api_key: str = "odoo_key",
    database: str = "odoo",
    extra_sync: str = "",
    woo_extra: str = "",
    state: str | None = None,
) -> Path:
    state = state or f"sqlite:///{tmp_path / 'state.sqlite'}"
    text = f"""
[odoo]
url = "{odoo_url}"
database = "{database}"
api_key = "{api_key}"

[sync]
state = "{state}"
retries = 2
backoff = "10ms"
{extra_sync}
"""
    if woo_url:
        text += f"""
[[stores]]
id = "woo-main"
platform = "woocommerce"
url = "{woo_url}"
consumer_key = "ck_test"
consumer_secret = "cs_test"
webhook_secret = "{WOO_SECRET}"
{woo_extra}
"""
    if shop_url:
        text += f"""
[[stores]]
id = "shopify-main"
platform = "shopify"
url = "{shop_url}"
access_token = "shpat_test"
webhook_secret = "{SHOP_SECRET}"
"""
    path = tmp_path / "sync.toml"
    path.write_text(text)
    return path
