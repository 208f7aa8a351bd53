"""Service throughput: plans per second from `fulfil serve --workers 2` on the bundled sample data, driven
over loopback by an async httpx load generator at several concurrency levels; cached-offer plans (feeds only)
and real-time plans (Ingram v6 + TD SYNNEX simulators asked for every plan) separately. Then a burst of
carts against an Ingram account capped at 100 calls a minute: what the real-time cache (and the shared
PostgreSQL rate limiter) turn it into, counted at the simulator.

    python -m bench service [--requests 300] [--concurrency 1,4,16] [--burst 400] [--workers 2] [--quick]

The service runs as its own processes (uvicorn workers); the simulators in a child process; the load
generator here. All share this machine's cores, so the figures are a floor for a dedicated box.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

from bench._tables import bench_console, figures_table
from fulfilment_engine.service.demo import service_toml

API_KEY = "cfk_bench_key"
SIMULATED = {"ING": "ingram", "TDS": "tdsynnex"}
PG_ADMIN_DSN = os.environ.get("FULFIL_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


# ------------------------------------------------------------------------------------------ simulators


def _serve_simulators(conn, store_url: str, latency_ms: tuple[float, float]) -> None:
    """Child process: ING and TDS simulators serving the store's figures; answers commands on `conn`."""
    from fulfilment_engine.simulators import Behaviour, SimulatorSet, StockTable
    from fulfilment_engine.store import OfferStore

    with OfferStore.open(store_url) as store:
        offers = store.offers_for(list(store.products()), distributors=list(SIMULATED))
    sims = SimulatorSet()
    for dist, kind in SIMULATED.items():
        stock = StockTable.from_offers(offers, dist)
        add = sims.add_ingram if kind == "ingram" else sims.add_tdsynnex
        add(dist, stock, behaviour=Behaviour(latency_ms=latency_ms))
    sims.start()
    conn.send({dist: sim.realtime_config() for dist, sim in sims.distributors.items()})
    while (command := conn.recv()) != "stop":
        what, arg = command
        if what == "reset":  # (reset, rate limit or None)
            for sim in sims.distributors.values():
                sim.stats.reset()
                sim.behaviour.rate_limit = arg
                sim.behaviour.reset_rate()
            conn.send(None)
        elif what == "stats":
            conn.send(
                {
                    d: (s.stats.calls, s.stats.answered, s.stats.rate_limited)
                    for d, s in sims.distributors.items()
                }
            )
    sims.stop()


class Simulators:
    def __init__(self, store_url: str, latency_ms: tuple[float, float]):
        context = multiprocessing.get_context("spawn")
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=_serve_simulators, args=(child, store_url, latency_ms), daemon=True
        )

    def __enter__(self) -> Simulators:
        self.process.start()
        self.realtime = self.conn.recv()
        return self

    def reset(self, rate_limit: int | None) -> None:
        self.conn.send(("reset", rate_limit))
        self.conn.recv()

    def stats(self) -> dict[str, tuple[int, int, int]]:
        self.conn.send(("stats", None))
        return self.conn.recv()

    def __exit__(self, *exc) -> None:
        self.conn.send("stop")
        self.process.join(10)
        if self.process.is_alive():
            self.process.terminate()


# ------------------------------------------------------------------------------------------ the service


def config_toml(deadline_ms: int, realtime: dict | None = None, gateway: dict | None = None) -> str:
    lines = ["[planner]", f"deadline_ms = {deadline_ms}", ""]
    if gateway:
        lines += ["[realtime]", *(f"{k} = {json.dumps(v)}" for k, v in gateway.items()), ""]
    for dist, table in (realtime or {}).items():
        lines += ["[[distributors]]", f'id = "{dist}"', "[distributors.realtime]"]
        lines += [f"{k} = {json.dumps(v)}" for k, v in table.items()]
        lines.append("")
    # The demo's [service] table: its UK flat rate is the one these GB carts are charged.
    return "\n".join(lines) + service_toml([API_KEY], [])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def running_service(folder: Path, name: str, config: str, store_url: str, workers: int):
    """`fulfil serve --workers N` as a user runs it, with this config; yields its base URL."""
    with serving(folder, name, config, store_url, workers) as (base, _process):
        yield base


@contextlib.contextmanager
def serving(folder: Path, name: str, config: str, store_url: str, workers: int, code: Path | None = None):
    """`fulfil serve`, yielding its base URL and process; `code`: a checkout to run instead of this one
    (put first on PYTHONPATH, run with this interpreter)."""
    path = folder / f"{name}.toml"
    path.write_text(config)
    port = free_port()
    args = ["serve", "--config", str(path), "--store", store_url, "--workers", str(workers)]
    args += ["--port", str(port)]
    with python_server(
        folder, name, "fulfilment_engine.cli", args, port, code, ("FULFIL_CONFIG", "FULFIL_STORE")
    ) as served:
        yield served


@contextlib.contextmanager
def python_server(
    folder: Path,
    name: str,
    module: str,
    args: list[str],
    port: int,
    code: Path | None = None,
    drop_env: tuple[str, ...] = (),
    ready: tuple[int, ...] = (200,),
    start_s: float = 120,
):
    """`module.main()` with `args` run by this interpreter (from the checkout `code` when given: first on
    PYTHONPATH), logging to FOLDER/NAME.log, until its /healthz answers one of `ready`; yields its base URL
    and process, and stops it (SIGTERM, then SIGKILL) afterwards."""
    log = (folder / f"{name}.log").open("w")
    env = {k: v for k, v in os.environ.items() if k not in drop_env}
    if code is not None:
        env["PYTHONPATH"] = str(code)
    command = [sys.executable, "-c", f"import sys; from {module} import main; sys.exit(main())"]
    process = subprocess.Popen(
        [*command, *args], stdout=log, stderr=log, stdin=subprocess.DEVNULL, env=env, cwd=code or folder
    )
    base = f"http://127.0.0.1:{port}"
    program = f"{module} {args[0]}"
    try:
        give_up = time.monotonic() + start_s
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{program} exited ({process.returncode}); see {log.name}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{base}/healthz", timeout=2).status_code in ready:
                    break
            if time.monotonic() > give_up:
                raise RuntimeError(f"{program} did not start within {start_s:.0f} s")
            time.sleep(0.2)
        yield base, process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


# ------------------------------------------------------------------------------------------ load


@dataclass
class LoadResult:
    concurrency: int
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    wall_s: float = 0.0
    live_lines: int = 0
    stale_lines: int = 0
    feed_lines: int = 0

    @property
    def plans_per_s(self) -> float:
        return len(self.latencies_ms) / self.wall_s if self.wall_s else 0.0

    def pct(self, q: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def drive(base: str, bodies: list[dict], concurrency: int) -> LoadResult:
    """`concurrency` connections, each sending the next cart as soon as its previous answer is in."""
    result = LoadResult(concurrency)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    headers = {"Authorization": f"Bearer {API_KEY}"}
    queue = iter(bodies)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30, headers=headers) as client:

        async def connection():
            for body in queue:
                started = time.perf_counter()
                try:
                    response = await client.post("/v1/fulfilment-plans", json=body)
                except httpx.HTTPError:
                    result.errors += 1
                    continue
                elapsed_ms = (time.perf_counter() - started) * 1000
                if response.status_code != 200:
                    result.errors += 1
                    continue
                result.latencies_ms.append(elapsed_ms)
                for allocation in response.json()["allocations"]:
                    if allocation["source"] == "realtime":
                        result.live_lines += 1
                    elif allocation["stale"]:
                        result.stale_lines += 1
                    else:
                        result.feed_lines += 1

        started = time.perf_counter()
        await asyncio.gather(*(connection() for _ in range(concurrency)))
        result.wall_s = time.perf_counter() - started
    return result


def carts(store_url: str, count: int, seed: int, hot_skus: int | None = None) -> list[dict]:
    """Random GB carts of 1–4 lines over SKUs that ING or TDS stock (`hot_skus`: only the N most common)."""
    from fulfilment_engine.store import OfferStore

    with OfferStore.open(store_url) as store:
        offers = store.offers_for(list(store.products()), distributors=list(SIMULATED))
    skus = sorted({o.sku for o in offers if o.stock > 0})
    rng = random.Random(seed)
    if hot_skus:
        skus = rng.sample(skus, min(hot_skus, len(skus)))
    return [
        {
            "currency": "GBP",
            "ship_to": {"country": "GB", "postcode": "M1 1AE"},
            "cart": [{"sku": sku, "qty": rng.randint(1, 3)} for sku in rng.sample(skus, rng.randint(1, 4))],
        }
        for _ in range(count)
    ]


def measure(base: str, bodies: list[dict], levels: list[int], warmup: int) -> list[LoadResult]:
    asyncio.run(drive(base, bodies[:warmup], min(4, max(levels))))
    return [asyncio.run(drive(base, bodies, level)) for level in levels]


# ------------------------------------------------------------------------------------------ PostgreSQL


@contextlib.contextmanager
def limiter_database():
    """A scratch database for the shared rate limiter; None when PostgreSQL is not reachable."""
    try:
        import psycopg

        admin = psycopg.connect(PG_ADMIN_DSN, autocommit=True, connect_timeout=3)
    except Exception:
        yield None
        return
    name = f"cf_bench_{uuid.uuid4().hex[:8]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_ADMIN_DSN.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# ------------------------------------------------------------------------------------------ main


BURST_CONNECTIONS = 16
SIMULATED_LATENCY_MS = (50.0, 150.0)


def throughput_runs(folder: Path, store_url: str, sims: Simulators, args, levels: list[int]):
    """(cached-offer results, real-time results), one LoadResult per concurrency level each."""
    bodies = carts(store_url, args.requests, seed=1)
    warmup = min(30, args.requests)
    with running_service(folder, "feeds", config_toml(args.deadline_ms), store_url, args.workers) as base:
        cached = measure(base, bodies, levels, warmup)
    # Every plan asks ING and TDS: no cache, no rate limit (what a plan costs when it must go live).
    sims.reset(rate_limit=None)
    unlimited = {d: {**table, "rate_limit": 1_000_000} for d, table in sims.realtime.items()}
    live_config = config_toml(args.deadline_ms, unlimited, {"cache_ttl_s": 0})
    with running_service(folder, "live", live_config, store_url, args.workers) as base:
        live = measure(base, bodies, levels, warmup)
    return cached, live


def burst_runs(folder: Path, store_url: str, sims: Simulators, args, console: Console):
    """The same burst of carts against accounts capped at 100 calls/minute, per limiter and cache setting."""
    bodies = carts(store_url, args.burst, seed=2, hot_skus=args.burst_skus)
    capped = {
        d: {**table, "rate_limit": 100, "rate_limit_period_s": 60.0} for d, table in sims.realtime.items()
    }
    rows = []
    with limiter_database() as pg_url:
        shared = {"limiter": "postgres", "limiter_url": pg_url} if pg_url else {}
        variants = [("in-memory (per worker)", {"cache_ttl_s": 30})]
        if pg_url:
            variants.append(("PostgreSQL (shared)", {"cache_ttl_s": 30, **shared}))
        else:
            console.print("[yellow]PostgreSQL not reachable: the shared limiter is not measured[/yellow]")
        variants.append(
            (f"{'PostgreSQL' if pg_url else 'in-memory'}, no cache", {"cache_ttl_s": 0, **shared})
        )
        for label, gateway in variants:
            console.print(
                f"[dim]burst of {args.burst} carts, accounts capped at 100 calls/min: {label}…[/dim]"
            )
            sims.reset(rate_limit=100)
            config = config_toml(args.deadline_ms, capped, gateway)
            with running_service(folder, "burst", config, store_url, args.workers) as base:
                result = asyncio.run(drive(base, bodies, BURST_CONNECTIONS))
            rows.append((label, gateway["cache_ttl_s"], result, sims.stats()))
    return rows


def throughput_table(args, cached: list[LoadResult], live: list[LoadResult]) -> Table:
    table = figures_table(
        f"Service throughput: POST /v1/fulfilment-plans, {args.workers} uvicorn workers, "
        f"deadline {args.deadline_ms} ms, sample catalogue, loopback",
        (
            "plans",
            "connections",
            "plans/s",
            "p50 ms",
            "p99 ms",
            "p99 ≤ deadline",
            "errors",
            "lines live/stale/feed",
        ),
        no_wrap=True,
    )
    live_label = f"real-time ({SIMULATED_LATENCY_MS[0]:.0f}–{SIMULATED_LATENCY_MS[1]:.0f} ms)"
    for label, results in (("cached offers (feeds)", cached), (live_label, live)):
        for r in results:
            within = "yes" if r.pct(0.99) <= args.deadline_ms and not r.errors else "no"
            table.add_row(
                label,
                str(r.concurrency),
                f"{r.plans_per_s:.1f}",
                f"{r.pct(0.5):.0f}",
                f"{r.pct(0.99):.0f}",
                within,
                str(r.errors),
                f"{r.live_lines}/{r.stale_lines}/{r.feed_lines}",
            )
    return table


def best_within_deadline(results: list[LoadResult], deadline_ms: int) -> float:
    return max((r.plans_per_s for r in results if r.pct(0.99) <= deadline_ms and not r.errors), default=0.0)


def burst_table(args, rows) -> Table:
    table = figures_table(
        f"Burst: {args.burst} carts over {args.burst_skus} popular SKUs, "
        f"{BURST_CONNECTIONS} connections, Ingram and TD SYNNEX accounts each capped at 100 calls/minute "
        "(calls counted at the simulators)",
        (
            "limiter",
            "cache",
            "carts/s",
            "p50 ms",
            "p99 ms",
            "ING calls (429)",
            "TDS calls (429)",
            "calls per cart",
            "lines live/stale/feed",
        ),
        no_wrap=True,
    )
    for label, ttl, result, stats in rows:
        ing, tds = stats.get("ING", (0, 0, 0)), stats.get("TDS", (0, 0, 0))
        done = max(1, len(result.latencies_ms))
        table.add_row(
            label,
            f"{ttl:.0f} s" if ttl else "off",
            f"{result.plans_per_s:.1f}",
            f"{result.pct(0.5):.0f}",
            f"{result.pct(0.99):.0f}",
            f"{ing[0]} ({ing[2]})",
            f"{tds[0]} ({tds[2]})",
            f"{(ing[0] + tds[0]) / done:.2f}",
            f"{result.live_lines}/{result.stale_lines}/{result.feed_lines}",
        )
    return table


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench service", description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300, help="plans per concurrency level")
    parser.add_argument("--concurrency", default="1,4,16", help="connections, comma-separated levels")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers")
    parser.add_argument("--deadline-ms", type=int, default=400)
    parser.add_argument("--burst", type=int, default=400, help="carts in the burst against 100 calls/minute")
    parser.add_argument(
        "--burst-skus", type=int, default=40, help="distinct SKUs the burst's carts draw from"
    )
    parser.add_argument("--quick", action="store_true", help="a small run that proves the benchmark works")
    args = parser.parse_args(argv)
    if args.quick:
        args.requests, args.concurrency, args.burst = 40, "2,8", 60
    levels = [int(level) for level in args.concurrency.split(",") if level.strip()]
    console = bench_console()

    from fulfilment_engine.store import OfferStore, load_sample

    with tempfile.TemporaryDirectory(prefix="bench-service-") as tmp:
        folder = Path(tmp)
        store_url = f"sqlite:///{folder / 'offers.sqlite'}"
        with OfferStore.open(store_url) as store:
            load_sample(store)
        with Simulators(store_url, latency_ms=SIMULATED_LATENCY_MS) as sims:
            console.print("[dim]throughput: cached-offer plans, then real-time plans…[/dim]")
            cached, live = throughput_runs(folder, store_url, sims, args, levels)
            bursts = burst_runs(folder, store_url, sims, args, console)

    console.print(throughput_table(args, cached, live))
    best_cached = best_within_deadline(cached, args.deadline_ms)
    best_live = best_within_deadline(live, args.deadline_ms)
    console.print(
        f"Plans/s with p99 within the {args.deadline_ms} ms deadline ({args.workers} workers): "
        f"cached offers {best_cached:.0f}, real-time {best_live:.0f}."
    )
    console.print(burst_table(args, bursts))
    console.print(
        "Without the cache every cart costs each real-time distributor a call: an account's 100 calls a "
        "minute are spent after about 100 carts, and the carts after that plan on stale feed figures."
    )
    return 0
