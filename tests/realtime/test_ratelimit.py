"""Rate limiters: the in-process token bucket, and the PostgreSQL one shared by several processes."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import uuid

import pytest

from fulfilment_engine.realtime.ratelimit import PostgresRateLimiter, RateSpec, TokenBucketLimiter


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_token_bucket_spends_its_burst_then_refills_at_the_rate():
    clock = FakeClock()
    limiter = TokenBucketLimiter(clock)
    spec = RateSpec(limit=60, period_s=60, burst=3)  # one call a second, three at once at most

    assert [limiter.try_take("acct", spec)[0] for _ in range(4)] == [True, True, True, False]
    assert limiter.try_take("acct", spec)[1] == pytest.approx(1.0)
    clock.now += 1.0
    assert limiter.try_take("acct", spec) == (True, 0.0)
    assert limiter.try_take("other", spec)[0] is True  # budgets are per account


def test_workers_with_in_memory_limiters_each_take_their_share_of_an_account():
    # Two service workers, each with its own in-memory limiter, on one 100-calls-a-minute account.
    clock = FakeClock()
    spec = RateSpec(limit=100, period_s=60)
    workers = [TokenBucketLimiter(clock, share=2) for _ in range(2)]
    granted = [sum(limiter.try_take("acct", spec)[0] for _ in range(200)) for limiter in workers]
    assert granted == [49, 49]  # 99 in hand, shared: together they stay inside the account's budget
    clock.now += 60.0
    granted = [sum(limiter.try_take("acct", spec)[0] for _ in range(200)) for limiter in workers]
    assert sum(granted) <= 100
    alone = TokenBucketLimiter(clock)
    assert sum(alone.try_take("acct", spec)[0] for _ in range(200)) == 99


def test_the_service_gives_each_worker_its_share(monkeypatch):
    from fulfilment_engine.config import parse_config_text
    from fulfilment_engine.realtime import RealtimeGateway
    from fulfilment_engine.service.live import WORKERS_ENV, worker_count

    monkeypatch.setenv(WORKERS_ENV, "3")
    assert worker_count() == 3
    gateway = RealtimeGateway(parse_config_text(""), processes=worker_count())
    assert isinstance(gateway.limiter, TokenBucketLimiter) and gateway.limiter.share == 3
    monkeypatch.delenv(WORKERS_ENV)
    assert worker_count() == 1


async def test_acquire_waits_only_as_long_as_allowed():
    limiter = TokenBucketLimiter()
    spec = RateSpec(limit=1, period_s=3600)
    assert await limiter.acquire("acct", spec, max_wait_s=0.1) is True
    assert await limiter.acquire("acct", spec, max_wait_s=0.1) is False


def _run_processes(script: str, count: int = 2) -> list[dict]:
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(count)
    ]
    outputs = []
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        outputs.append(json.loads(out.strip().splitlines()[-1]))
    return outputs


@pytest.mark.postgres
def test_postgres_limiter_shares_one_budget_between_two_processes(pg_url):
    account = f"test:{uuid.uuid4().hex}"
    script = textwrap.dedent(f"""
        import json
        from fulfilment_engine.realtime.ratelimit import PostgresRateLimiter, RateSpec
        limiter = PostgresRateLimiter({pg_url!r})
        spec = RateSpec(limit=6, period_s=3600, burst=6)
        granted = sum(limiter.try_take({account!r}, spec)[0] for _ in range(10))
        print(json.dumps({{"granted": granted}}))
    """)
    outputs = _run_processes(script)
    assert sum(o["granted"] for o in outputs) == 6
    assert all(o["granted"] <= 6 for o in outputs)

    limiter = PostgresRateLimiter(pg_url)
    try:
        assert limiter.try_take(account, RateSpec(limit=6, period_s=3600, burst=6))[0] is False
    finally:
        limiter.close()


@pytest.mark.postgres
def test_two_processes_planning_against_one_ingram_account_stay_within_its_limit(
    pg_url, sims, stock_of, tmp_path
):
    ing = sims.add_ingram("ING", stock_of(20))
    ing.behaviour.rate_limit = 4  # the simulated account answers 429 past 4 calls a minute
    text = sims.config_toml(2000, realtime={"limiter": "postgres", "limiter_url": pg_url})
    text = text.replace(
        'country_code = "GB"', f'country_code = "GB"\nrate_limit = 4\nsender_id = "{uuid.uuid4().hex[:8]}"'
    )
    config_path = tmp_path / "fulfil.toml"
    config_path.write_text(text)
    script = textwrap.dedent(f"""
        import asyncio, json, os
        from decimal import Decimal
        from fulfilment_engine.config import load_config
        from fulfilment_engine.domain import Offer
        from fulfilment_engine.realtime import RealtimeGateway

        async def main():
            gateway = RealtimeGateway(load_config({str(config_path)!r}))
            live = 0
            for i in range(5):  # five carts, each for a product no other cart asks for
                part = f"P{{os.getpid() % 2 * 10 + i}}"
                result = await gateway.refresh([Offer("ING", "S" + part, 0, Decimal("1"), part)])
                live += result.offers[0].source == "realtime"
            await gateway.aclose()
            return live

        print(json.dumps({{"live": asyncio.run(main())}}))
    """)
    outputs = _run_processes(script)

    assert ing.stats.rate_limited == 0
    assert ing.stats.calls == 3  # 4 a minute, one kept in hand
    assert sum(o["live"] for o in outputs) == 3


async def test_an_unreachable_shared_limiter_skips_the_call_and_never_fails_the_plan(
    sims, stock_of, offers_for
):
    from fulfilment_engine.config import parse_config_text
    from fulfilment_engine.realtime import RealtimeGateway

    ing = sims.add_ingram("ING", stock_of(1))
    unreachable = "postgresql://nobody@127.0.0.1:1/x"
    text = sims.config_toml(500, realtime={"limiter": "postgres", "limiter_url": unreachable})
    gateway = RealtimeGateway(parse_config_text(text))

    result = await gateway.refresh(offers_for("ING", ["P0"]))
    await gateway.aclose()

    assert result.offers[0].stale and "rate limiter unavailable" in result.outcomes["ING"].reason
    assert ing.stats.calls == 0 and gateway.breaker("ING").state == "closed"
