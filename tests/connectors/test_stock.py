"""push_stock over real HTTP: the engine's offer store (a small SQLite one built from a feed written here) ->
`channel-sync push` -> the WooCommerce (`products/batch`) and Shopify (`inventorySetQuantities`) doubles."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import sync_toml
from test_sync import run

from fulfilment_engine.store import OfferStore, load_sample
from shop_connectors import config as config_module
from shop_connectors.errors import StoreRejected
from shop_connectors.platforms.woocommerce.adapter import WooCommerceAdapter

DATA = Path(__file__).resolve().parents[2] / "data"
HEADER = "product_id|distributor_id|stock|cost|distributor_sku|distributor_category|eta|brand_sku"


def offer_store(folder: Path, stock: dict[str, dict[str, int]]) -> str:
    """An offer store holding the first products of the sample catalogue, with ING and TDS offering the
    given stock per SKU (a full SITC feed: what is not listed is stock 0)."""
    data = folder / "data"
    (data / "feeds").mkdir(parents=True, exist_ok=True)
    products = (DATA / "products.csv").read_text().splitlines()
    (data / "products.csv").write_text("\n".join(products[:6]) + "\n")
    distributors = [
        d for d in json.loads((DATA / "distributors.json").read_text()) if d["id"] in ("ING", "TDS")
    ]
    (data / "distributors.json").write_text(json.dumps(distributors))
    rows = [
        f"{sku}|{dist}|{qty}|10.00|{dist}-{sku}|Misc||"
        for sku, per_distributor in stock.items()
        for dist, qty in per_distributor.items()
    ]
    (data / "feeds" / "DistributorStockAndPrices.txt").write_text("\n".join([HEADER, *rows]) + "\n")
    url = f"sqlite:///{folder / 'offers.sqlite'}"
    with OfferStore.open(url) as store:
        assert load_sample(store, data).ok
    return url


def first_skus(count: int) -> list[str]:
    return [line.split(",", 1)[0] for line in (DATA / "products.csv").read_text().splitlines()[1 : count + 1]]


def test_woocommerce_gets_summed_stock_less_buffer_once_and_only_changes(tmp_path, fake_odoo, woo):
    a, b, c, d, _e = first_skus(5)
    url = offer_store(tmp_path, {a: {"ING": 57, "TDS": 12}, b: {"ING": 3, "TDS": 1}, c: {"TDS": 40}})
    woo.add_product(11, a, stock=0)
    woo.add_product(12, b, stock=9)
    woo.add_product(13, d, stock=7)  # in the catalogue, no offer at all: 0
    config = sync_toml(
        tmp_path,
        fake_odoo.url,
        woo.url,
        extra_sync=f'offers = "{url}"',
        woo_extra="push_stock = true\nstock_buffer = 5",
    )
    first = run(config, "push")
    assert first.returncode == 0, first.stderr
    assert woo.products[11]["stock_quantity"] == 57 + 12 - 5
    assert woo.products[12]["stock_quantity"] == 0  # 4 in stock, buffer 5: floored at 0
    assert woo.products[13]["stock_quantity"] == 0
    assert all(woo.products[i]["manage_stock"] for i in (11, 12, 13))
    assert len(woo.stock_batches) == 1
    assert sorted(woo.stock_batches[0]["update"], key=lambda i: i["id"]) == [
        {"id": 11, "stock_quantity": 64, "manage_stock": True},
        {"id": 12, "stock_quantity": 0, "manage_stock": True},
        {"id": 13, "stock_quantity": 0, "manage_stock": True},
    ]
    lookups = [r for r in woo.requests if r == ("GET", "/wp-json/wc/v3/products")]
    assert len(lookups) == 1  # five SKUs, one call

    again = run(config, "push")
    assert again.returncode == 0, again.stderr
    assert len(woo.stock_batches) == 1  # nothing changed: nothing sent, nothing looked up
    assert len([r for r in woo.requests if r == ("GET", "/wp-json/wc/v3/products")]) == 1

    offer_store(tmp_path, {a: {"ING": 57, "TDS": 12}, b: {"ING": 30, "TDS": 1}, c: {"TDS": 40}})
    third = run(config, "push")
    assert third.returncode == 0, third.stderr
    assert woo.stock_batches[1:] == [{"update": [{"id": 12, "stock_quantity": 26, "manage_stock": True}]}]


def test_woocommerce_batches_of_100_and_the_double_refuses_more(tmp_path, fake_odoo, woo):
    skus = first_skus(5)
    url = offer_store(tmp_path, {sku: {"ING": 10 + n} for n, sku in enumerate(skus)})
    # One SKU sold as 130 listings in the store (a WooCommerce SKU is unique per product in real shops,
    # but the limit is what is under test): 130 updates go in two calls.
    for n in range(130):
        woo.add_product(100 + n, skus[n % 5])
    config = sync_toml(
        tmp_path, fake_odoo.url, woo.url, extra_sync=f'offers = "{url}"', woo_extra="push_stock = true"
    )
    result = run(config, "push")
    assert result.returncode == 0, result.stderr
    assert [len(batch["update"]) for batch in woo.stock_batches] == [100, 30]
    assert all(p["stock_quantity"] == 10 + skus.index(p["sku"]) for p in woo.products.values())

    adapter = WooCommerceAdapter(config_module.load(str(config)).stores[0])
    with pytest.raises(StoreRejected) as refused:
        adapter.set_stock({100 + n: 1 for n in range(101)})
    assert refused.value.status == 413 and "woocommerce_rest_request_entity_too_large" in str(refused.value)
    with pytest.raises(StoreRejected, match="product 999: Invalid ID"):
        adapter.set_stock({999: 1})


def test_shopify_sets_available_by_inventory_item_and_location(tmp_path, fake_odoo, shop):
    a, b, c = first_skus(3)
    url = offer_store(tmp_path, {a: {"ING": 8, "TDS": 4}, b: {"TDS": 2}, c: {"ING": 1}})
    shop.add_variant(501, a, available=0, location=7)
    shop.add_variant(502, b, available=50)
    store_extra = "push_stock = true\nstock_buffer = 1"
    config = sync_toml(tmp_path, fake_odoo.url, shop_url=shop.url, extra_sync=f'offers = "{url}"')
    config.write_text(config.read_text() + store_extra + "\n")
    result = run(config, "push")
    assert result.returncode == 0, result.stderr
    assert shop.inventory == {
        ("gid://shopify/InventoryItem/501", "gid://shopify/Location/7"): 11,
        ("gid://shopify/InventoryItem/502", "gid://shopify/Location/1"): 1,
    }
    assert len(shop.stock_inputs) == 1
    sent = shop.stock_inputs[0]
    assert sent["name"] == "available" and sent["reason"] == "correction"
    assert sent["referenceDocumentUri"] == "gid://channel-sync/StockPush/shopify-main"
    assert sent["ignoreCompareQuantity"] is True
    assert sorted(sent["quantities"], key=lambda q: q["inventoryItemId"]) == [
        {
            "inventoryItemId": "gid://shopify/InventoryItem/501",
            "locationId": "gid://shopify/Location/7",
            "quantity": 11,
        },
        {
            "inventoryItemId": "gid://shopify/InventoryItem/502",
            "locationId": "gid://shopify/Location/1",
            "quantity": 1,
        },
    ]
    again = run(config, "push")
    assert again.returncode == 0, again.stderr
    assert len(shop.stock_inputs) == 1


def test_missing_offer_store_is_one_clear_failure(tmp_path, fake_odoo, woo):
    missing = tmp_path / "nope.sqlite"
    config = sync_toml(
        tmp_path,
        fake_odoo.url,
        woo.url,
        extra_sync=f'offers = "sqlite:///{missing}"',
        woo_extra="push_stock = true",
    )
    result = run(config, "push")
    assert result.returncode == 1
    assert "woo-main: order -: stock not pushed:" in result.stderr and "nope.sqlite" in result.stderr
    assert not missing.exists() and woo.stock_batches == []


@pytest.mark.parametrize("version", ["2026-01", "2026-04"])
def test_shopify_from_2026_01_opts_out_of_the_compare_with_change_from_null(
    tmp_path, fake_odoo, shop, version
):
    (a,) = first_skus(1)
    url = offer_store(tmp_path, {a: {"ING": 6}})
    shop.add_variant(601, a, available=2)
    config = sync_toml(tmp_path, fake_odoo.url, shop_url=shop.url, extra_sync=f'offers = "{url}"')
    config.write_text(config.read_text() + f'push_stock = true\napi_version = "{version}"\n')
    result = run(config, "push")
    assert result.returncode == 0, result.stderr
    sent = shop.stock_inputs[0]
    assert "ignoreCompareQuantity" not in sent
    assert sent["quantities"] == [
        {
            "inventoryItemId": "gid://shopify/InventoryItem/601",
            "locationId": "gid://shopify/Location/1",
            "quantity": 6,
            "changeFromQuantity": None,
        }
    ]
    assert shop.inventory[("gid://shopify/InventoryItem/601", "gid://shopify/Location/1")] == 6


def test_shopify_double_refuses_the_other_versions_fields(tmp_path, fake_odoo, shop):
    """The double is strict both ways, so the version switch above is really exercised."""
    import httpx

    shop.add_variant(701, "X", available=0)
    quantity = {
        "inventoryItemId": "gid://shopify/InventoryItem/701",
        "locationId": "gid://shopify/Location/1",
        "quantity": 1,
    }
    query = (
        "mutation SetStock($input: InventorySetQuantitiesInput!) "
        "{ inventorySetQuantities(input: $input) { userErrors { code } } }"
    )
    for version, extra_input, extra_quantity in (
        ("2025-10", {}, {"changeFromQuantity": None}),
        ("2026-04", {"ignoreCompareQuantity": True}, {}),
    ):
        answer = httpx.post(
            f"{shop.url}/admin/api/{version}/graphql.json",
            headers={"X-Shopify-Access-Token": "shpat_test"},
            json={
                "query": query,
                "variables": {
                    "input": {
                        "name": "available",
                        "reason": "correction",
                        "quantities": [quantity | extra_quantity],
                        **extra_input,
                    }
                },
            },
        ).json()
        assert "data" not in answer and "Field is not defined" in answer["errors"][0]["message"], version
    missing = httpx.post(
        f"{shop.url}/admin/api/2025-10/graphql.json",
        headers={"X-Shopify-Access-Token": "shpat_test"},
        json={
            "query": query,
            "variables": {"input": {"name": "available", "reason": "correction", "quantities": [quantity]}},
        },
    ).json()
    codes = [e["code"] for e in missing["data"]["inventorySetQuantities"]["userErrors"]]
    assert codes == ["COMPARE_QUANTITY_REQUIRED"]
