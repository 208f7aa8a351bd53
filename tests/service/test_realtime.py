"""Real-time refresh through the service: the built-in Ingram v6 and TD SYNNEX simulators answer with
figures that differ from the feed, and the plan and availability say where each figure came from."""

from __future__ import annotations

from decimal import Decimal

import pytest

from fulfilment_engine.simulators import Behaviour, SimulatorSet, StockTable
from fulfilment_engine.store import OfferStore

LIVE_FACTOR = Decimal("0.5")  # live prices at half the feed's: the live distributor must win


@pytest.fixture
def store_offers(sample_sqlite_url):
    with OfferStore.open(sample_sqlite_url) as store:
        return store.offers_for(list(store.products()), distributors=["ING", "TDS"])


@pytest.fixture
def sims(store_offers):
    """ING (Ingram v6) live at half price; TDS (TD SYNNEX XML) live at the feed's price."""
    with SimulatorSet() as sims:
        sims.add_ingram("ING", StockTable.from_offers(store_offers, "ING", price_factor=LIVE_FACTOR))
        sims.add_tdsynnex("TDS", StockTable.from_offers(store_offers, "TDS"))
        yield sims


def feed_cost(offers, distributor, sku) -> Decimal:
    return next(o.cost for o in offers if o.distributor == distributor and o.sku == sku)


def test_live_figures_win_and_are_marked_realtime(kit, sample_sqlite_url, sims, store_offers):
    request = kit.plan_request([{"sku": "CF100004", "qty": 2}, {"sku": "CF100012", "qty": 3}])
    with kit.running_service(sample_sqlite_url, sims.config_toml(deadline_ms=2000)) as client:
        answer = client.post("/v1/fulfilment-plans", json=request, headers=kit.auth()).json()

    assert answer["status"] == "ok"
    for allocation in answer["allocations"]:
        assert allocation["distributor"] == "ING"
        assert allocation["source"] == "realtime"
        assert allocation["stale"] is False
        live = (feed_cost(store_offers, "ING", allocation["sku"]) * LIVE_FACTOR).quantize(Decimal("0.01"))
        assert Decimal(allocation["unit_cost"]) == live
    assert sims["ING"].stats.answered >= 1
    assert sims["TDS"].stats.answered >= 1


def test_a_cart_in_euros_gets_live_figures_converted(kit, sample_sqlite_url, sims, store_offers):
    # The distributors are asked in pounds (the store's currency) and their answers converted: asked in
    # euros, Ingram's pound prices would be refused as the wrong currency and the plan fall back to feeds.
    request = kit.plan_request(
        [{"sku": "CF100004", "qty": 2}, {"sku": "CF100012", "qty": 3}], country="IE", currency="EUR"
    )
    in_euros = 'currency = "GBP"\nexchange_rates = { EUR = "1.20" }\n'
    with kit.running_service(
        sample_sqlite_url, sims.config_toml(deadline_ms=2000), service_extra=in_euros
    ) as client:
        answer = client.post("/v1/fulfilment-plans", json=request, headers=kit.auth()).json()

    assert answer["status"] == "ok" and answer["currency"] == "EUR"
    for allocation in answer["allocations"]:
        assert (allocation["distributor"], allocation["source"], allocation["stale"]) == (
            "ING",
            "realtime",
            False,
        )
        live = (feed_cost(store_offers, "ING", allocation["sku"]) * LIVE_FACTOR).quantize(Decimal("0.01"))
        assert Decimal(allocation["unit_cost"]) == (live * Decimal("1.20")).quantize(Decimal("0.01"))


def test_availability_is_refreshed_live(kit, sample_sqlite_url, sims, store_offers):
    with kit.running_service(sample_sqlite_url, sims.config_toml(deadline_ms=2000)) as client:
        response = client.get(
            "/v1/availability", params={"sku": ["CF100004"], "country": "GB"}, headers=kit.auth()
        )

    assert response.status_code == 200, response.text
    offers = {o["distributor"]: o for o in response.json()["items"][0]["offers"]}
    assert offers["ING"]["source"] == "realtime"
    assert Decimal(offers["ING"]["cost"]) == (
        feed_cost(store_offers, "ING", "CF100004") * LIVE_FACTOR
    ).quantize(Decimal("0.01"))
    assert offers["TDS"]["source"] == "realtime"
    assert all(o["source"] == "feed" and not o["stale"] for d, o in offers.items() if d not in ("ING", "TDS"))


def test_a_slow_distributor_goes_stale_and_the_plan_does_not_wait(kit, sample_sqlite_url, store_offers):
    slow = Behaviour(latency_ms=20_000)
    with SimulatorSet() as sims:
        sims.add_ingram("ING", StockTable.from_offers(store_offers, "ING", price_factor=LIVE_FACTOR))
        sims.add_tdsynnex(
            "TDS", StockTable.from_offers(store_offers, "TDS", price_factor=LIVE_FACTOR), behaviour=slow
        )
        config = sims.config_toml(deadline_ms=300, realtime={"http_timeout_s": 30.0})
        with kit.running_service(sample_sqlite_url, config) as client:
            # CF100003: TDS has 60 in stock, ING only 2; three units need TDS's stock.
            answer = client.post(
                "/v1/fulfilment-plans",
                headers=kit.auth(),
                json=kit.plan_request([{"sku": "CF100003", "qty": 3}]),
            ).json()
            # The answer came back while TD SYNNEX was still "thinking" (it takes 20 s): no wait for it.
            assert sims["TDS"].stats.calls == 1
            assert sims["TDS"].stats.answered == 0

    assert answer["status"] == "ok"
    by_distributor = {a["distributor"]: a for a in answer["allocations"]}
    assert by_distributor["ING"]["source"] == "realtime"
    # TDS's feed figure (stale) is still the best place for the third unit.
    assert (by_distributor["TDS"]["source"], by_distributor["TDS"]["stale"]) == ("feed", True)
    assert Decimal(by_distributor["TDS"]["unit_cost"]) == feed_cost(store_offers, "TDS", "CF100003")
    assert any("TDS" in note and "stale" in note for note in answer.get("notes", [])), answer.get("notes")
