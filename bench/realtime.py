"""Real-time gateway: one plan across 15 real-time distributors, concurrent under one deadline versus asking
them one after another; and what the cache makes of a burst of carts against a 100-calls-a-minute account.

    python -m bench realtime [--runs 30] [--sequential-runs 5] [--deadline-ms 400] [--carts 300]

The simulated distributors (alternately Ingram v6 and TD SYNNEX XML) run in a separate process so their
work does not share the measuring process's interpreter. Each answers in 50–300 ms (uniform); each call
has a 10% chance of never answering (the client gives up after its 2 s HTTP timeout).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import multiprocessing
import random
import statistics
import time
from decimal import Decimal

from bench._tables import bench_console, figures_table

DISTRIBUTORS = 15
PARTS_PER_DISTRIBUTOR = 5
HTTP_TIMEOUT_S = 2.0


# ------------------------------------------------------------------------------------------ simulators


def _serve(conn, distributors: int, parts: int, seed: int, burst_catalogue: int) -> None:
    """Runs in a child process: start the simulators, send back fulfil.toml text, wait for 'stop'."""
    from fulfilment_engine.simulators import Behaviour, SimulatorSet, StockTable

    rng = random.Random(seed)
    sims = SimulatorSet()
    for index in range(distributors):
        stock = StockTable.from_dict(
            {f"D{index}-P{p}": {"stock": 10 + p, "price": f"{100 + p}.00"} for p in range(parts)}
        )
        behaviour = Behaviour(
            latency_ms=(50, 300), timeout_rate=0.10, hang_s=HTTP_TIMEOUT_S + 1, seed=rng.randrange(1 << 30)
        )
        if index % 2 == 0:
            sims.add_ingram(f"D{index:02d}", stock, behaviour=behaviour, customer_number=f"20-{index:06d}")
        else:
            sims.add_tdsynnex(f"D{index:02d}", stock, behaviour=behaviour, customer_number=f"{index:07d}")
    # The burst account: one Ingram customer number capped at 100 calls a minute.
    burst_stock = StockTable.from_dict(
        {f"HOT{p}": {"stock": 50, "price": "25.00"} for p in range(burst_catalogue)}
    )
    sims.add_ingram(
        "BURST",
        burst_stock,
        behaviour=Behaviour(latency_ms=(50, 150), rate_limit=100),
        customer_number="20-999999",
    )
    sims.start()
    conn.send(sims.config_toml())
    while True:
        command = conn.recv()
        if command == "stop":
            break
        name, what = command
        simulator = sims[name]
        if what == "reset":
            simulator.stats.reset()
            simulator.behaviour.reset_rate()
            conn.send(None)
        else:
            conn.send({"calls": simulator.stats.calls, "rate_limited": simulator.stats.rate_limited})
    sims.stop()


class RemoteSimulators:
    def __init__(self, burst_catalogue: int, seed: int = 7):
        context = multiprocessing.get_context("spawn")
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=_serve,
            args=(child, DISTRIBUTORS, PARTS_PER_DISTRIBUTOR, seed, burst_catalogue),
            daemon=True,
        )
        self.process.start()
        self.config_toml = self.conn.recv()

    def stats(self, name: str) -> dict:
        self.conn.send((name, "stats"))
        return self.conn.recv()

    def reset(self, name: str) -> None:
        self.conn.send((name, "reset"))
        self.conn.recv()

    def stop(self) -> None:
        self.conn.send("stop")
        self.process.join(10)


# ------------------------------------------------------------------------------------------ measuring


def _config(text: str, deadline_ms: int, **realtime):
    from fulfilment_engine.config import parse_config_text

    extra = "".join(f"{key} = {value!r}\n".replace("'", '"') for key, value in realtime.items())
    text = text.replace(
        "[planner]\ndeadline_ms = 400", f"[planner]\ndeadline_ms = {deadline_ms}\n\n[realtime]\n{extra}"
    )
    return parse_config_text(text)


def _plan_offers():
    from fulfilment_engine.domain import Offer

    return [
        Offer(f"D{d:02d}", f"SKU{p}", 1, Decimal("999.00"), f"D{d}-P{p}")
        for d in range(DISTRIBUTORS)
        for p in range(PARTS_PER_DISTRIBUTOR)
    ]


def _scenario(offers):
    from fulfilment_engine.domain import CartLine, Distributor, FlatFreight, Product, Scenario, ShipTo

    return Scenario(
        currency="GBP",
        ship_to=ShipTo("GB", "M1 1AE"),
        cart=tuple(CartLine(f"SKU{p}", 3) for p in range(PARTS_PER_DISTRIBUTOR)),
        products={f"SKU{p}": Product(f"SKU{p}", Decimal("1.2")) for p in range(PARTS_PER_DISTRIBUTOR)},
        distributors={
            f"D{d:02d}": Distributor(f"D{d:02d}", freight=FlatFreight(Decimal("9.95"), Decimal("250")))
            for d in range(DISTRIBUTORS)
        },
        offers=tuple(offers),
    )


async def _concurrent(config, runs: int) -> tuple[list[float], list[float], list[int]]:
    """Wall time of the gateway refresh and of the whole live plan (refresh + planner), and stale count."""
    from fulfilment_engine.live import plan_live_async
    from fulfilment_engine.realtime import Deadline, RealtimeGateway
    from fulfilment_engine.realtime.http import make_client

    offers = _plan_offers()
    scenario = _scenario(offers)
    refresh_ms, plan_ms, stale = [], [], []
    async with make_client(HTTP_TIMEOUT_S) as client:
        gateway = RealtimeGateway(config, client)
        await gateway.refresh(offers, deadline=Deadline.after(3.0))  # tokens and connections, not measured
        # The first plan in a process loads the solver (about 0.2 s); the service loads it at start-up.
        await plan_live_async(scenario, config, client=client, gateway=gateway)
        for _ in range(runs):
            started = time.perf_counter()
            result = await gateway.refresh(offers)
            refresh_ms.append((time.perf_counter() - started) * 1000)
            stale.append(len(result.stale_distributors))
            started = time.perf_counter()
            await plan_live_async(scenario, config, client=client, gateway=gateway)
            plan_ms.append((time.perf_counter() - started) * 1000)
        await gateway.aclose()
    return refresh_ms, plan_ms, stale


async def _sequential(config, runs: int) -> list[float]:
    """The same queries, one distributor after another, each waiting up to the HTTP timeout."""
    from fulfilment_engine.errors import DistributorUnavailable
    from fulfilment_engine.realtime import Deadline
    from fulfilment_engine.realtime.gateway import build_source
    from fulfilment_engine.realtime.http import make_client
    from fulfilment_engine.realtime.ratelimit import TokenBucketLimiter

    offers = _plan_offers()
    parts: dict[str, list[str]] = {}
    for offer in offers:
        parts.setdefault(offer.distributor, []).append(offer.part_number)
    timings = []
    async with make_client(HTTP_TIMEOUT_S) as client:
        limiter = TokenBucketLimiter()
        sources = {d: build_source(config.distributors[d], client, limiter) for d in parts}
        for dist, source in sources.items():  # tokens and connections, not measured
            with contextlib.suppress(DistributorUnavailable):
                await source.fetch(parts[dist], deadline=Deadline.after(10))
        for _ in range(runs):
            started = time.perf_counter()
            for dist, source in sources.items():
                with contextlib.suppress(DistributorUnavailable):
                    await source.fetch(parts[dist], deadline=Deadline.after(10))
            timings.append((time.perf_counter() - started) * 1000)
    return timings


async def _burst(config, carts: int, catalogue: int, cache: bool, seed: int = 11) -> tuple[int, int]:
    """`carts` carts for 1–3 of `catalogue` popular products, 50 at a time; (carts all live, carts stale)."""
    from fulfilment_engine.domain import Offer
    from fulfilment_engine.realtime import RealtimeGateway
    from fulfilment_engine.realtime.http import make_client

    rng = random.Random(seed)
    weights = [1 / (rank + 1) for rank in range(catalogue)]  # a few products are in most carts
    baskets = [rng.choices(range(catalogue), weights, k=rng.randint(1, 3)) for _ in range(carts)]
    live = stale = 0
    async with make_client(HTTP_TIMEOUT_S) as client:
        gateway = RealtimeGateway(config, client)
        if not cache:
            gateway.cache.ttl_s = 0
        gate = asyncio.Semaphore(50)

        async def one(basket):
            nonlocal live, stale
            async with gate:
                offers = [Offer("BURST", f"S{p}", 0, Decimal("30.00"), f"HOT{p}") for p in set(basket)]
                result = await gateway.refresh(offers)
                if all(o.source == "realtime" for o in result.offers):
                    live += 1
                else:
                    stale += 1

        await asyncio.gather(*(one(basket) for basket in baskets))
        await gateway.aclose()
    return live, stale


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench realtime",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--runs", type=int, default=30, help="concurrent plans to time (default 30)")
    parser.add_argument(
        "--sequential-runs", type=int, default=5, help="sequential rounds to time (default 5)"
    )
    parser.add_argument("--deadline-ms", type=int, default=400)
    parser.add_argument("--carts", type=int, default=300, help="carts in the burst (default 300)")
    parser.add_argument(
        "--catalogue", type=int, default=40, help="popular products in the burst (default 40)"
    )
    args = parser.parse_args(argv)

    console = bench_console()
    logging.getLogger("fulfilment_engine").setLevel(logging.ERROR)  # stale distributors are expected here
    remote = RemoteSimulators(args.catalogue)
    try:
        text = remote.config_toml
        # No cache for the timing runs: every plan really asks all 15 distributors.
        timing_config = _config(text, args.deadline_ms, cache_ttl_s=0, breaker_failures=1000)
        refresh_ms, plan_ms, stale = asyncio.run(_concurrent(timing_config, args.runs))
        sequential_ms = asyncio.run(_sequential(timing_config, args.sequential_runs))

        table = figures_table(
            f"One plan, {DISTRIBUTORS} real-time distributors (50–300 ms, 10% time out), "
            f"deadline {args.deadline_ms} ms",
            ("", "runs", "p50 ms", "p99 ms", "max ms"),
        )
        rows = [
            ("concurrent gateway (refresh)", refresh_ms),
            ("concurrent, whole live plan", plan_ms),
            ("sequential, one after another", sequential_ms),
        ]
        for label, values in rows:
            table.add_row(
                label,
                str(len(values)),
                f"{statistics.median(values):.0f}",
                f"{_pct(values, 99):.0f}",
                f"{max(values):.0f}",
            )
        ratio_p50 = statistics.median(sequential_ms) / statistics.median(refresh_ms)
        ratio_p99 = _pct(sequential_ms, 99) / _pct(refresh_ms, 99)
        table.add_row("sequential ÷ concurrent", "", f"{ratio_p50:.1f}×", f"{ratio_p99:.1f}×", "")
        console.print(table)
        target = args.deadline_ms + 30
        console.print(
            f"p99 refresh {_pct(refresh_ms, 99):.0f} ms vs target {target} ms: "
            f"{'met' if _pct(refresh_ms, 99) <= target else 'MISSED'}; "
            f"speed-up {ratio_p50:.1f}× at p50 (target ≥ 10×: {'met' if ratio_p50 >= 10 else 'MISSED'}); "
            f"distributors stale per plan: mean {statistics.mean(stale):.1f}"
        )

        burst_config = _config(text, args.deadline_ms, cache_ttl_s=30)
        burst = figures_table(
            f"Burst of {args.carts} carts (1–3 of {args.catalogue} popular products, 50 at once) "
            "against one Ingram account capped at 100 calls/minute",
            ("", "live calls made", "429s from Ingram", "carts all live", "carts with stale lines"),
        )
        for label, cache in (
            ("30 s cache + shared in-flight queries", True),
            ("shared in-flight queries only (no cache)", False),
        ):
            remote.reset("BURST")
            live, stale_carts = asyncio.run(_burst(burst_config, args.carts, args.catalogue, cache))
            counts = remote.stats("BURST")
            burst.add_row(
                label, str(counts["calls"]), str(counts["rate_limited"]), str(live), str(stale_carts)
            )
        burst.add_row(
            "no cache, no sharing (one call per cart)",
            str(args.carts),
            f"≥ {max(0, args.carts - 100)}",
            "≤ 100",
            "",
        )
        console.print(burst)
    finally:
        remote.stop()
    return 0
