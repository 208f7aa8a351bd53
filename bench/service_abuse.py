"""Hostile requests at the cart service's door: unauthenticated 100 MB bodies, several at once, against
`fulfil serve` as it is and as it was before the door (ARCHITECTURE.md, "The cart service door"),
measured side by side in one run. Each body is valid JSON (a cart of ~3.7 million lines), so the old
code, which read and parsed the body before looking at the key, does all the work it used to.

    python -m bench service_abuse [--mb 100] [--clients 4] [--rounds 2] [--before REF | --no-before]

`--before` is the commit measured as "before" (default: the one this work started from), checked out in
a temporary `git worktree` and run with this interpreter. Both run as `fulfil serve --workers 1` (one
process, so its RSS is the server's memory: /proc VmRSS, and VmHWM for the peak). Per round every client
opens a connection and writes its body as fast as it can while waiting for the answer; the table gives the
answer, how long it took, how much the client had written by then, the server's memory, and the slowest
/healthz answer (polled every 50 ms) while it went on.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import shutil
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from bench._tables import bench_console, figures_table
from bench.service import serving
from fulfilment_engine.service.demo import service_toml

REPO = Path(__file__).resolve().parents[1]
STARTED_FROM = "ddb4305"  # main before the door (issue 11, items 8 and 9)
API_KEY = "cfk_bench_abuse_key"
PATH = "/v1/fulfilment-plans"
MiB = 1024 * 1024
PIECE = 1 * MiB


@dataclass
class Attempt:
    status: int | None = None
    answer_ms: float | None = None
    written_mb: float = 0.0
    error: str = ""


@dataclass
class Round:
    attempts: list[Attempt] = field(default_factory=list)
    rss_before_mb: float = 0.0
    rss_after_mb: float = 0.0
    peak_mb: float = 0.0
    healthz_max_ms: float = 0.0
    wall_s: float = 0.0


def memory_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process, in MB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0]) / 1024
    return fields["VmRSS"], fields["VmHWM"]


def cart_body(mb: int) -> bytes:
    """Valid JSON of about `mb` MB: the old code parses all of it before asking for a key."""
    line = b'{"sku":"CF100002","qty":1},'
    count = mb * 1_000_000 // len(line)
    return (
        b'{"currency":"GBP","ship_to":{"country":"GB"},"cart":['
        + line * count
        + b'{"sku":"CF100002","qty":1}]}'
    )


# ------------------------------------------------------------------------------------------ the servers


@contextlib.contextmanager
def checkout(ref: str, folder: Path):
    """`ref` in a temporary git worktree (detached), removed afterwards."""
    where = folder / "before"
    subprocess.run(
        ["git", "-C", str(REPO), "worktree", "add", "--detach", "--quiet", str(where), ref],
        check=True,
        capture_output=True,
    )
    try:
        yield where
    finally:
        subprocess.run(
            ["git", "-C", str(REPO), "worktree", "remove", "--force", str(where)], capture_output=True
        )


# ------------------------------------------------------------------------------------------ the abuse


async def one_body(port: int, body: bytes, path: str = PATH, chunked: bool = False) -> Attempt:
    """Write `body` without a key (or signature) while waiting for the answer; stop writing once it is in.
    `chunked`: sent with Transfer-Encoding: chunked (one chunk a piece) instead of a Content-Length."""
    attempt = Attempt()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    framing = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {len(body)}"
    head = (
        f"POST {path} HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n{framing}\r\n\r\n"
    ).encode()
    answered = asyncio.Event()
    started = time.perf_counter()

    async def write():
        try:
            writer.write(head)
            for start in range(0, len(body), PIECE):
                if answered.is_set():
                    return
                piece = body[start : start + PIECE]
                writer.write(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
                await writer.drain()
                attempt.written_mb = (start + PIECE) / 1e6
            if chunked:
                writer.write(b"0\r\n\r\n")
            attempt.written_mb = len(body) / 1e6
        except (ConnectionError, OSError):
            pass  # the server closed: it has answered, or will say why below

    async def read():
        try:
            status_line = await reader.readline()
            attempt.answer_ms = (time.perf_counter() - started) * 1000
            attempt.status = int(status_line.split()[1]) if status_line else None
        except (ConnectionError, OSError, IndexError, ValueError) as exc:
            attempt.error = type(exc).__name__
        answered.set()

    writing = asyncio.create_task(write())
    await asyncio.wait_for(read(), 300)
    writing.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await writing
    writer.close()
    with contextlib.suppress(Exception):
        await writer.wait_closed()
    return attempt


async def healthz_poller(base: str, stop: asyncio.Event) -> float:
    worst = 0.0
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        while not stop.is_set():
            started = time.perf_counter()
            with contextlib.suppress(httpx.TransportError):
                await client.get("/healthz")
            worst = max(worst, (time.perf_counter() - started) * 1000)
            await asyncio.sleep(0.05)
    return worst


async def abuse_round(
    base: str, port: int, pid: int, body: bytes, clients: int, path: str = PATH, chunked: bool = False
) -> Round:
    result = Round()
    result.rss_before_mb, _ = memory_mb(pid)
    stop = asyncio.Event()
    poller = asyncio.create_task(healthz_poller(base, stop))
    started = time.perf_counter()
    result.attempts = list(
        await asyncio.gather(*(one_body(port, body, path, chunked) for _ in range(clients)))
    )
    result.wall_s = time.perf_counter() - started
    stop.set()
    result.healthz_max_ms = await poller
    await asyncio.sleep(0.5)  # let the server let go of what it can
    result.rss_after_mb, result.peak_mb = memory_mb(pid)
    return result


def measure(name: str, folder: Path, store_url: str, code: Path | None, body: bytes, args) -> list[Round]:
    config = "[planner]\ndeadline_ms = 400\n" + service_toml([API_KEY], [])
    with serving(folder, name, config, store_url, 1, code) as (base, process):
        port = urlsplit(base).port
        return [
            asyncio.run(abuse_round(base, port, process.pid, body, args.clients)) for _ in range(args.rounds)
        ]


# ------------------------------------------------------------------------------------------ the table


def print_rounds(title: str, runs: dict[str, list[Round]]) -> None:
    """One row per server and round: the answers, their times, what the client had written, the server's
    memory and the slowest /healthz meanwhile."""
    table = figures_table(
        title,
        [
            "server",
            "round",
            "answers",
            "answer ms (median / max)",
            "MB written when answered",
            "RSS before MB",
            "RSS after MB",
            "peak RSS MB",
            "/healthz max ms",
        ],
    )
    for name, rounds in runs.items():
        for number, result in enumerate(rounds, 1):
            answers = [str(a.status or a.error or "none") for a in result.attempts]
            times = [a.answer_ms for a in result.attempts if a.answer_ms is not None]
            table.add_row(
                name,
                str(number),
                ", ".join(f"{answer} x{answers.count(answer)}" for answer in sorted(set(answers))),
                f"{statistics.median(times):.0f} / {max(times):.0f}" if times else "-",
                f"{max(a.written_mb for a in result.attempts):.1f}",
                f"{result.rss_before_mb:.0f}",
                f"{result.rss_after_mb:.0f}",
                f"{result.peak_mb:.0f}",
                f"{result.healthz_max_ms:.0f}",
            )
    bench_console().print(table)
    print(
        "MB written: by the client when the answer came (the kernel's socket buffers take a few MB the "
        "server never reads). Peak RSS: the server process's high-water mark since it started."
    )


def abuse_arguments(argv: list[str], name: str, doc: str, mb: int, clients: int, before: str):
    """The options every abuse benchmark takes: body size, clients at once, rounds, the 'before' commit."""
    parser = argparse.ArgumentParser(prog=f"python -m bench {name}", description=doc.split("\n\n")[0])
    parser.add_argument("--mb", type=int, default=mb, help="size of each body sent (MB)")
    parser.add_argument("--clients", type=int, default=clients, help="bodies sent at once")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of --clients bodies, on one server")
    parser.add_argument("--before", default=before, help="the commit measured as 'before'")
    parser.add_argument("--no-before", action="store_true", help="measure this code only")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = abuse_arguments(argv, "service_abuse", __doc__, 100, 4, STARTED_FROM)

    from fulfilment_engine.store import OfferStore, load_sample

    body = cart_body(args.mb)
    runs: dict[str, list[Round]] = {}
    folder = Path(tempfile.mkdtemp(prefix="bench-abuse-"))
    try:
        store_url = f"sqlite:///{folder / 'offers.sqlite'}"
        with OfferStore.open(store_url) as store:
            load_sample(store)
        runs["this code (door)"] = measure("ours", folder, store_url, None, body, args)
        if not args.no_before:
            with checkout(args.before, folder) as code:
                runs[f"before ({args.before})"] = measure("before", folder, store_url, code, body, args)
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    print_rounds(
        f"{args.clients} unauthenticated {len(body) / 1e6:.0f} MB bodies at once, {args.rounds} rounds "
        "(fulfil serve --workers 1)",
        runs,
    )
    return 0
