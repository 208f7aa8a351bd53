"""The service's HTTP surface: API keys, 422s naming the field, availability, CORS, request ids in the
header and in the JSON log, /healthz and the OpenAPI document."""

from __future__ import annotations

import io
import json
import logging
import re

import pytest

from fulfilment_engine.service.logs import LOGGER_NAME, JsonFormatter
from fulfilment_engine.store import OfferStore

CART = [{"sku": "CF100002", "qty": 1}]


# ---------------------------------------------------------------------------------------------- keys


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer not-a-configured-key"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer"},
    ],
    ids=["no-header", "wrong-key", "other-scheme", "empty-token"],
)
def test_plans_and_availability_need_a_configured_key(kit, service, headers):
    for response in (
        service.post("/v1/fulfilment-plans", json=kit.plan_request(CART), headers=headers),
        service.get("/v1/availability", params={"sku": "CF100002"}, headers=headers),
    ):
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert "request_id" in response.json()


def test_each_configured_key_is_accepted(kit, service):
    for key in (kit.API_KEY, kit.OTHER_KEY):
        response = service.post("/v1/fulfilment-plans", json=kit.plan_request(CART), headers=kit.auth(key))
        assert response.status_code == 200, response.text


def test_health_and_openapi_are_open(service):
    health = service.get("/healthz")
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "demo": False, "store": "sqlite", "realtime_distributors": []}
    assert service.get("/openapi.json").status_code == 200


# ---------------------------------------------------------------------------------------------- 422


def _problems(response) -> dict[str, str]:
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["message"] == f"{body['errors'][0]['path']}: {body['errors'][0]['message']}"
    return {e["path"]: e["message"] for e in body["errors"]}


def test_unknown_sku_names_its_cart_line(kit, service):
    cart = [{"sku": "CF100002", "qty": 1}, {"sku": "CF100004", "qty": 1}, {"sku": "NOPE-1", "qty": 1}]
    response = service.post("/v1/fulfilment-plans", json=kit.plan_request(cart), headers=kit.auth())
    problems = _problems(response)
    assert list(problems) == ["cart[2].sku"]
    assert "NOPE-1" in problems["cart[2].sku"]
    assert response.json()["message"].startswith("cart[2].sku: unknown SKU 'NOPE-1'")


def test_malformed_fields_are_each_named(kit, service):
    body = {
        "currency": "pounds",
        "ship_to": {"country": "GBR"},
        "cart": [
            {"sku": "CF100002", "qty": 0},
            {"sku": "CF100004", "qty": "2"},
            {"sku": "CF100006", "qty": 1, "price": "3.00"},
            {"qty": 1},
            {"sku": "CF100008", "qty": 1, "unit_price": "-1"},
        ],
    }
    problems = _problems(service.post("/v1/fulfilment-plans", json=body, headers=kit.auth()))
    assert problems["currency"] == "must be a three-letter ISO currency code such as GBP, got 'pounds'"
    assert problems["ship_to.country"] == "must be a two-letter ISO country code such as GB, got 'GBR'"
    assert problems["cart[0].qty"] == "Input should be greater than or equal to 1, got 0"
    assert problems["cart[1].qty"] == 'Input should be a valid integer, got "2"'
    assert problems["cart[2].price"].startswith("is not a field of this request")
    assert problems["cart[3].sku"] == "is required"
    assert problems["cart[4].unit_price"].startswith("Input should be greater than or equal to 0")


def test_missing_parts_and_bad_json(kit, service):
    assert _problems(service.post("/v1/fulfilment-plans", json={"cart": CART}, headers=kit.auth())) == {
        "ship_to": "is required"
    }
    assert "cart" in _problems(
        service.post(
            "/v1/fulfilment-plans", headers=kit.auth(), json={"ship_to": {"country": "GB"}, "cart": []}
        )
    )
    response = service.post(
        "/v1/fulfilment-plans",
        content=b'{"cart": [',
        headers={**kit.auth(), "Content-Type": "application/json"},
    )
    problems = _problems(response)
    assert list(problems) == ["$"]
    assert problems["$"].startswith("the body is not valid JSON")


# ---------------------------------------------------------------------------------------------- availability


def test_availability_lists_every_distributor_with_source_and_age(kit, service, sample_sqlite_url):
    response = service.get("/v1/availability", params={"sku": ["CF100004", "CF100002"]}, headers=kit.auth())
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    with OfferStore.open(sample_sqlite_url) as store:
        stored = store.offers_for(["CF100004", "CF100002"])
    assert [item["sku"] for item in items] == ["CF100004", "CF100002"]
    for item in items:
        mine = {o.distributor: o for o in stored if o.sku == item["sku"]}
        assert {o["distributor"] for o in item["offers"]} == set(mine)
        for offer in item["offers"]:
            assert offer["stock"] == mine[offer["distributor"]].stock
            assert offer["cost"] == f"{mine[offer['distributor']].cost:.2f}"
            assert offer["source"] == "feed" and offer["stale"] is False
            assert offer["age_s"] >= 0
        assert item["total_stock"] == sum(o.stock for o in mine.values())
        costs = [o["cost"] for o in item["offers"]]
        assert costs == sorted(costs, key=float)


def test_availability_filters_by_country_and_names_unknown_skus(kit, service):
    us = service.get(
        "/v1/availability", params={"sku": "CF100005", "country": "us"}, headers=kit.auth()
    ).json()
    assert {o["distributor"] for o in us["items"][0]["offers"]} == {"DAH"}
    problems = _problems(
        service.get("/v1/availability", params={"sku": ["CF100005", "NOPE"]}, headers=kit.auth())
    )
    assert list(problems) == ["?sku[1]"]
    assert _problems(service.get("/v1/availability", headers=kit.auth())) == {"?sku": "is required"}


# ------------------------------------------------------------------------------------- CORS, ids, logs


def test_cors_preflight_for_the_shop_origin_only(kit, service):
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type",
    }
    allowed = service.options("/v1/fulfilment-plans", headers={"Origin": kit.SHOP_ORIGIN, **preflight})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == kit.SHOP_ORIGIN
    assert "POST" in allowed.headers["access-control-allow-methods"]
    assert "authorization" in allowed.headers["access-control-allow-headers"].lower()

    refused = service.options("/v1/fulfilment-plans", headers={"Origin": "https://evil.example", **preflight})
    assert refused.status_code == 400
    assert "access-control-allow-origin" not in refused.headers

    actual = service.post(
        "/v1/fulfilment-plans", json=kit.plan_request(CART), headers={**kit.auth(), "Origin": kit.SHOP_ORIGIN}
    )
    assert actual.headers["access-control-allow-origin"] == kit.SHOP_ORIGIN
    assert "x-request-id" in actual.headers["access-control-expose-headers"].lower()


@pytest.fixture
def json_log():
    """The service's log records, formatted by its JSON formatter, one parsed object per line."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger(LOGGER_NAME)
    logger.addHandler(handler)
    previous = logger.level
    logger.setLevel(logging.INFO)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)


def test_request_id_is_echoed_made_and_logged(kit, service, json_log):
    given = service.post(
        "/v1/fulfilment-plans",
        json=kit.plan_request(CART),
        headers={**kit.auth(), "X-Request-ID": "shop-cart-42"},
    )
    assert given.headers["x-request-id"] == "shop-cart-42"
    made = service.get("/healthz")
    assert re.fullmatch(r"[0-9a-f]{32}", made.headers["x-request-id"])
    forged = service.get("/healthz", headers={"X-Request-ID": "x" * 300})
    assert forged.headers["x-request-id"] != "x" * 300
    refused = service.post(
        "/v1/fulfilment-plans", json=kit.plan_request(CART), headers={"X-Request-ID": "r-401"}
    )
    assert refused.status_code == 401 and refused.json()["request_id"] == "r-401"

    requests = {line["request_id"]: line for line in json_log() if line["event"] == "request"}
    plan_line = requests["shop-cart-42"]
    assert (plan_line["method"], plan_line["path"], plan_line["status"]) == (
        "POST",
        "/v1/fulfilment-plans",
        200,
    )
    assert plan_line["plan_status"] == "ok" and plan_line["delivery_charge"] == "4.95"
    assert plan_line["duration_ms"] >= 0 and plan_line["level"] == "info"
    assert requests[made.headers["x-request-id"]]["path"] == "/healthz"
    assert requests["r-401"]["status"] == 401


# ---------------------------------------------------------------------------------------------- OpenAPI


def test_openapi_documents_the_real_shapes(service):
    document = service.get("/openapi.json").json()
    assert {"/v1/fulfilment-plans", "/v1/availability", "/healthz"} <= set(document["paths"])
    schemas = document["components"]["schemas"]
    plan = schemas["FulfilmentPlanResponse"]["properties"]
    assert plan["delivery_charge"]["type"] == "string"
    assert plan["total"]["type"] == "string"
    assert schemas["AllocationOut"]["properties"]["unit_cost"]["type"] == "string"
    request = schemas["FulfilmentPlanRequest"]
    assert set(request["required"]) == {"ship_to", "cart"}
    assert request["additionalProperties"] is False
    post = document["paths"]["/v1/fulfilment-plans"]["post"]
    assert {"200", "401", "422"} <= set(post["responses"])
    assert post["responses"]["422"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "ValidationProblem"
    )
    assert post["security"] == [{"HTTPBearer": []}]
    assert document["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert "security" not in document["paths"]["/healthz"]["get"]
