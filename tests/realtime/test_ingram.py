"""Ingram Micro v6 adapter against the local simulator: token, batching, 207, headers, faults."""

from __future__ import annotations

import json
from decimal import Decimal

from fulfilment_engine.realtime import Deadline, RealtimeGateway


async def test_token_is_cached_and_refreshed_once_on_401(sims, client, stock_of, offers_for, config_for):
    ing = sims.add_ingram("ING", stock_of(3))
    gateway = RealtimeGateway(config_for(sims, cache_ttl_s=0), client)

    first = await gateway.refresh(offers_for("ING", ["P0"]))
    second = await gateway.refresh(offers_for("ING", ["P1"]))
    assert ing.stats.token_calls == 1 and ing.stats.calls == 2
    assert first.offers[0].source == second.offers[0].source == "realtime"

    ing.expire_tokens()  # the next call is refused with 401; the adapter takes a new token and retries once
    third = await gateway.refresh(offers_for("ING", ["P2"]))
    assert ing.stats.unauthorized == 1
    assert ing.stats.token_calls == 2
    assert (third.offers[0].stock, third.offers[0].cost, third.offers[0].source) == (
        7,
        Decimal("10.00"),
        "realtime",
    )


async def test_more_than_50_products_are_split_into_parallel_calls_of_at_most_50(
    sims, client, stock_of, offers_for, config_for
):
    ing = sims.add_ingram("ING", stock_of(120))
    gateway = RealtimeGateway(config_for(sims, deadline_ms=3000), client)

    result = await gateway.refresh(offers_for("ING", [f"P{i}" for i in range(120)]))

    assert sorted(ing.stats.batch_sizes) == [20, 50, 50]
    assert sorted(ing.stats.parts_asked) == sorted(f"P{i}" for i in range(120))
    assert all(offer.source == "realtime" and not offer.stale for offer in result.offers)
    assert [offer.stock for offer in result.offers] == [5 + i for i in range(120)]


async def test_multi_status_207_keeps_answered_lines_and_marks_failed_ones_stale(
    sims, client, stock_of, offers_for, config_for
):
    ing = sims.add_ingram("ING", stock_of(3))
    ing.behaviour.failing_parts = {"P1"}
    gateway = RealtimeGateway(config_for(sims), client)

    result = await gateway.refresh(offers_for("ING", ["P0", "P1", "P2", "UNKNOWN"]))

    by_part = {offer.part_number: offer for offer in result.offers}
    assert by_part["P0"].source == "realtime" and by_part["P0"].stock == 5
    assert by_part["P2"].source == "realtime" and by_part["P2"].stock == 7
    for part in ("P1", "UNKNOWN"):
        assert (by_part[part].source, by_part[part].stale, by_part[part].cost) == (
            "feed",
            True,
            Decimal("99.00"),
        )
    outcome = result.outcomes["ING"]
    assert (outcome.status, outcome.refreshed, outcome.stale) == ("partial", 2, 2)
    assert "Invalid Ingram Part Number" in outcome.reason


async def test_request_carries_the_published_headers_query_and_body(
    sims, client, stock_of, offers_for, config_for
):
    ing = sims.add_ingram("ING", stock_of(2), customer_number="20-123456", country_code="GB")
    gateway = RealtimeGateway(config_for(sims, cache_ttl_s=0), client)

    await gateway.refresh(offers_for("ING", ["P0", "P1"]))
    first = ing.stats.last_headers
    await gateway.refresh(offers_for("ING", ["P0"]))
    second = ing.stats.last_headers

    assert first["im-customernumber"] == "20-123456" and first["im-countrycode"] == "GB"
    assert first["authorization"].startswith("Bearer ")
    assert 0 < len(first["im-correlationid"]) <= 32
    assert first["im-correlationid"] != second["im-correlationid"]
    assert json.loads(ing.stats.last_body) == {"products": [{"ingramPartNumber": "P0"}]}


async def test_malformed_json_is_retried_once_then_the_distributor_goes_stale(
    sims, client, stock_of, offers_for, config_for
):
    ing = sims.add_ingram("ING", stock_of(1))
    ing.behaviour.then("malformed", "malformed")
    gateway = RealtimeGateway(config_for(sims, deadline_ms=2000, max_retries=1), client)

    result = await gateway.refresh(offers_for("ING", ["P0"]))

    assert ing.stats.calls == 2
    assert result.offers[0].stale and result.offers[0].source == "feed"
    assert "malformed answer" in result.outcomes["ING"].reason


async def test_a_5xx_is_retried_when_the_deadline_allows(sims, client, stock_of, offers_for, config_for):
    ing = sims.add_ingram("ING", stock_of(1))
    ing.behaviour.then("503")
    gateway = RealtimeGateway(config_for(sims, deadline_ms=2000, max_retries=1), client)

    result = await gateway.refresh(offers_for("ING", ["P0"]))

    assert ing.stats.calls == 2
    assert result.offers[0].source == "realtime" and result.offers[0].stock == 5


async def test_429_retry_after_is_respected_across_requests(sims, client, stock_of, offers_for, config_for):
    ing = sims.add_ingram("ING", stock_of(2))
    ing.behaviour.then("429")  # Retry-After: 1
    gateway = RealtimeGateway(config_for(sims, deadline_ms=300, max_retries=1), client)

    first = await gateway.refresh(offers_for("ING", ["P0"]))
    assert first.offers[0].stale
    assert "429" in first.outcomes["ING"].reason
    assert ing.stats.calls == 1

    # Within the Retry-After window the gateway does not call again, whatever the cart.
    second = await gateway.refresh(offers_for("ING", ["P1"]))
    assert second.offers[0].stale and ing.stats.calls == 1

    # With room in the deadline it waits the Retry-After out and then asks.
    third = await gateway.refresh(offers_for("ING", ["P1"]), deadline=Deadline.after(3.0))
    assert third.offers[0].source == "realtime"
    assert ing.stats.calls == 2 and ing.stats.rate_limited == 1
