"""The gateway: one deadline for all distributors, breakers, cache, limits — never failing the plan."""

from __future__ import annotations

import asyncio
import logging
import socket

from fulfilment_engine.config import parse_config_text
from fulfilment_engine.realtime import RealtimeGateway


async def test_a_slow_distributor_is_marked_stale_and_the_fast_one_is_live(
    sims, client, stock_of, offers_for, config_for
):
    sims.add_ingram("FAST", stock_of(2))
    slow = sims.add_tdsynnex("SLOW", stock_of(2))
    slow.behaviour.latency_ms = 1500
    gateway = RealtimeGateway(config_for(sims, deadline_ms=300), client)

    result = await gateway.refresh(offers_for("FAST", ["P0", "P1"]) + offers_for("SLOW", ["P0", "P1"]))

    assert [(o.distributor, o.source, o.stale) for o in result.offers] == [
        ("FAST", "realtime", False),
        ("FAST", "realtime", False),
        ("SLOW", "feed", True),
        ("SLOW", "feed", True),
    ]
    assert result.stale_distributors == ("SLOW",)
    assert "no answer within the 300 ms deadline" in result.outcomes["SLOW"].reason
    assert any("SLOW: feed figures used (stale)" in note for note in result.notes())


async def test_a_late_answer_still_fills_the_cache_for_the_next_cart(
    sims, client, stock_of, offers_for, config_for
):
    slow = sims.add_ingram("SLOW", stock_of(1))
    slow.behaviour.latency_ms = 400
    gateway = RealtimeGateway(config_for(sims, deadline_ms=100, cache_ttl_s=60), client)

    first = await gateway.refresh(offers_for("SLOW", ["P0"]))
    assert first.offers[0].stale
    await asyncio.sleep(0.6)  # the query the first plan gave up on completes in the background
    second = await gateway.refresh(offers_for("SLOW", ["P0"]))

    assert second.offers[0].source == "realtime" and second.offers[0].age_s > 0
    assert second.outcomes["SLOW"].status == "cached"
    assert slow.stats.calls == 1


async def test_breaker_opens_after_consecutive_failures_and_half_opens_after_cool_down(
    sims, client, stock_of, offers_for, config_for
):
    ing = sims.add_ingram("ING", stock_of(1))
    ing.behaviour.error_rate = 1.0  # every call answers 503
    gateway = RealtimeGateway(
        config_for(sims, breaker_failures=2, breaker_cooldown_s=0.5, max_retries=0, cache_ttl_s=0), client
    )
    offers = offers_for("ING", ["P0"])

    for _ in range(2):
        assert (await gateway.refresh(offers)).offers[0].stale
    assert ing.stats.calls == 2 and gateway.breaker("ING").state == "open"

    refused = await gateway.refresh(offers)  # open: not asked at all
    assert ing.stats.calls == 2
    assert refused.offers[0].stale and "circuit open" in refused.outcomes["ING"].reason

    await asyncio.sleep(0.6)
    failed_probe = await gateway.refresh(offers)  # half-open: one probe, which fails and re-opens
    assert ing.stats.calls == 3 and failed_probe.offers[0].stale
    assert gateway.breaker("ING").state == "open"

    await asyncio.sleep(0.6)
    ing.behaviour.error_rate = 0.0
    healed = await gateway.refresh(offers)
    assert ing.stats.calls == 4
    assert healed.offers[0].source == "realtime" and gateway.breaker("ING").state == "closed"


async def test_cache_hit_avoids_a_second_call(sims, client, stock_of, offers_for, config_for):
    ing = sims.add_ingram("ING", stock_of(2))
    gateway = RealtimeGateway(config_for(sims, cache_ttl_s=60), client)

    first = await gateway.refresh(offers_for("ING", ["P0", "P1"]))
    second = await gateway.refresh(offers_for("ING", ["P1", "P0"]))

    assert ing.stats.calls == 1
    assert [(o.stock, o.source) for o in second.offers] == [(6, "realtime"), (5, "realtime")]
    assert first.outcomes["ING"].status == "realtime" and second.outcomes["ING"].status == "cached"
    assert gateway.cache.hits == 2


async def test_concurrent_carts_for_the_same_parts_share_one_query(
    sims, client, stock_of, offers_for, config_for
):
    ing = sims.add_ingram("ING", stock_of(2))
    ing.behaviour.latency_ms = 100
    gateway = RealtimeGateway(config_for(sims, cache_ttl_s=60), client)

    results = await asyncio.gather(*(gateway.refresh(offers_for("ING", ["P0", "P1"])) for _ in range(10)))

    assert ing.stats.calls == 1
    assert all(o.source == "realtime" for result in results for o in result.offers)


async def test_account_rate_limit_holds_under_concurrent_plans(sims, client, stock_of, offers_for):
    ing = sims.add_ingram("ING", stock_of(12))
    ing.behaviour.rate_limit = 5  # the simulated account refuses the 6th call in a minute with 429
    text = sims.config_toml(400).replace('country_code = "GB"', 'country_code = "GB"\nrate_limit = 5')
    gateway = RealtimeGateway(parse_config_text(text), client)

    # Twelve carts at once, each for a different product: the cache cannot help, the limiter must.
    results = await asyncio.gather(*(gateway.refresh(offers_for("ING", [f"P{i}"])) for i in range(12)))

    # Four, not five: the limiter keeps one call in hand for clock skew with the distributor.
    assert ing.stats.calls == 4 and ing.stats.rate_limited == 0
    live = [r for r in results if r.offers[0].source == "realtime"]
    stale = [r for r in results if r.offers[0].stale]
    assert (len(live), len(stale)) == (4, 8)
    assert all("account limit of 5 calls per 60 s" in r.outcomes["ING"].reason for r in stale)


async def test_connection_refused_and_garbage_never_fail_the_plan(sims, client, stock_of, offers_for, caplog):
    ing = sims.add_ingram("ING", stock_of(120))
    ing.behaviour.error_rate = 1.0
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    sims.add_tdsynnex("DOWN", stock_of(1))
    text = sims.config_toml(500).replace(f"{sims['DOWN'].url}", f"http://127.0.0.1:{closed_port}/DOWN")
    gateway = RealtimeGateway(parse_config_text(text), client)

    with caplog.at_level(logging.WARNING, logger="fulfilment_engine.realtime"):
        result = await gateway.refresh(
            offers_for("ING", [f"P{i}" for i in range(120)]) + offers_for("DOWN", ["P0"])
        )

    assert all(o.stale and o.source == "feed" for o in result.offers)
    assert "cannot connect" in result.outcomes["DOWN"].reason
    assert "HTTP 503" in result.outcomes["ING"].reason
    # Three failing batches for ING, one failing call for DOWN: one log line per distributor.
    lines = [r.getMessage() for r in caplog.records]
    assert len([line for line in lines if "real-time ING" in line]) == 1
    assert len([line for line in lines if "real-time DOWN" in line]) == 1


async def test_a_tls_failure_is_logged_once_and_never_fails_the_plan(
    sims, client, stock_of, offers_for, caplog
):
    # An https:// URL whose server speaks plain HTTP: the TLS handshake fails (WRONG_VERSION_NUMBER),
    # as it does against a misconfigured proxy or a certificate the client refuses.
    sims.add_tdsynnex("TLS", stock_of(2))
    sims.add_ingram("OK", stock_of(2))
    text = sims.config_toml(800).replace(sims["TLS"].url, sims["TLS"].url.replace("http://", "https://"))
    gateway = RealtimeGateway(parse_config_text(text), client)

    with caplog.at_level(logging.WARNING, logger="fulfilment_engine.realtime"):
        result = await gateway.refresh(offers_for("TLS", ["P0", "P1"]) + offers_for("OK", ["P0"]))

    by_distributor = {o.distributor: o for o in result.offers}
    assert (by_distributor["TLS"].source, by_distributor["TLS"].stale) == ("feed", True)
    assert (by_distributor["OK"].source, by_distributor["OK"].stale) == ("realtime", False)
    assert "TLS" in result.outcomes["TLS"].reason or "SSL" in result.outcomes["TLS"].reason
    assert sims["TLS"].stats.answered == 0
    lines = [r.getMessage() for r in caplog.records if "real-time TLS" in r.getMessage()]
    assert len(lines) == 1


async def test_offers_of_distributors_without_realtime_pass_through_untouched(
    sims, client, stock_of, offers_for, config_for
):
    sims.add_ingram("ING", stock_of(1))
    gateway = RealtimeGateway(config_for(sims), client)
    feed_only = offers_for("FEEDONLY", ["X1"])

    result = await gateway.refresh(offers_for("ING", ["P0"]) + feed_only)

    assert result.offers[1] == feed_only[0]
    assert set(result.outcomes) == {"ING"}


async def test_gateway_with_its_own_client_is_reusable_across_event_loops(
    sims, stock_of, offers_for, config_for
):
    ing = sims.add_ingram("ING", stock_of(2))
    gateway = RealtimeGateway(config_for(sims, cache_ttl_s=0))  # makes and owns its HTTP client

    def run(part):
        return asyncio.run(gateway.refresh(offers_for("ING", [part])))

    first, second = await asyncio.to_thread(run, "P0"), await asyncio.to_thread(run, "P1")
    await gateway.aclose()
    assert first.offers[0].source == second.offers[0].source == "realtime"
    assert ing.stats.token_calls == 1  # the token outlived the first loop


async def test_a_query_that_hung_past_a_deadline_is_not_joined_by_the_next_cart(
    sims, client, stock_of, offers_for, config_for
):
    ing = sims.add_ingram("ING", stock_of(1))
    ing.behaviour.then("timeout")  # the first call never answers (until the client's 2 s timeout)
    gateway = RealtimeGateway(config_for(sims, deadline_ms=200, cache_ttl_s=0), client)

    first = await gateway.refresh(offers_for("ING", ["P0"]))
    second = await gateway.refresh(offers_for("ING", ["P0"]))

    assert first.offers[0].stale
    assert second.offers[0].source == "realtime"
    assert ing.stats.calls == 2
