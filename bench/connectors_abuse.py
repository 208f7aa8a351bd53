"""Hostile requests at `channel-sync serve`'s webhook door: unsigned 20 MB bodies, several at once, against
the door as it is and as it was before (issue 15, §3), measured side by side in one run. Each body is a
WooCommerce order as JSON (padded in a meta field, as plugins do), sent without a signature, so the old
code, which read the whole body before looking at the signature, does all the work it used to.

    python -m bench connectors_abuse [--mb 20] [--clients 5] [--rounds 2] [--before REF | --no-before]

`--before` is the commit measured as "before" (default: the one this work started from), checked out in
a temporary `git worktree` and run with this interpreter. Both run as one `channel-sync serve` process (its
RSS is the server's memory: /proc VmRSS, and VmHWM for the peak) with a store whose API does not answer,
so its worker only logs. Per round every client opens a connection and writes its body as fast as it can
while waiting for the answer (bench service_abuse's clients) — first with a Content-Length, then chunked
(no length announced: the server must count); the table gives the answer, how long it took, how much the
client had written by then, the server's memory, and the slowest /healthz answer meanwhile.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import tempfile
from pathlib import Path

from bench.service import free_port, python_server
from bench.service_abuse import Round, abuse_arguments, abuse_round, checkout, print_rounds

STARTED_FROM = "e8aa37a"  # main before the webhook door (issue 15, §3)
STORE = "woo-main"
UNREACHABLE = "http://127.0.0.1:9"  # the discard port: the worker's pulls fail at once and are logged


def sync_toml(folder: Path, name: str, port: int) -> Path:
    path = folder / f"{name}.toml"
    path.write_text(
        f"""[odoo]
url = "{UNREACHABLE}"
database = "bench"
api_key = "bench-key"

[sync]
state = "sqlite:///{folder / name / "state.sqlite"}"
listen = "127.0.0.1:{port}"
pull_every = "1h"
push_every = "1h"

[[stores]]
id = "{STORE}"
platform = "woocommerce"
url = "{UNREACHABLE}"
consumer_key = "ck_bench"
consumer_secret = "cs_bench"
webhook_secret = "bench-webhook-secret"
"""
    )
    return path


def order_body(mb: int) -> bytes:
    """A WooCommerce order of about `mb` MB: valid JSON, so nothing but the signature refuses it."""
    order = {"id": 1, "status": "processing", "date_modified_gmt": "2026-01-01T00:00:00", "line_items": []}
    order["meta_data"] = [{"id": 1, "key": "_padding", "value": "x" * (mb * 1_000_000)}]
    return json.dumps(order).encode()


def measure(name: str, folder: Path, code: Path | None, body: bytes, args) -> dict[str, list[Round]]:
    """Rounds with a Content-Length, then as many chunked, on one server."""
    port = free_port()
    config = sync_toml(folder, name, port)
    serve = ["serve", "--config", str(config)]
    path = f"/webhooks/{STORE}"
    # /healthz is 503 until a store is pulled (never, here): either answer says it is up
    with python_server(
        folder, name, "shop_connectors.cli", serve, port, code, ("CHANNEL_SYNC_CONFIG",), ready=(200, 503)
    ) as (base, process):
        return {
            framing: [
                asyncio.run(abuse_round(base, port, process.pid, body, args.clients, path, chunked))
                for _ in range(args.rounds)
            ]
            for framing, chunked in (("Content-Length", False), ("chunked", True))
        }


def main(argv: list[str]) -> int:
    args = abuse_arguments(argv, "connectors_abuse", __doc__, 20, 5, STARTED_FROM)

    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    body = order_body(args.mb)
    runs: dict[str, list[Round]] = {}
    folder = Path(tempfile.mkdtemp(prefix="bench-connectors-abuse-"))
    try:
        for framing, rounds in measure("ours", folder, None, body, args).items():
            runs[f"this code (webhook door), {framing}"] = rounds
        if not args.no_before:
            with checkout(args.before, folder) as code:
                for framing, rounds in measure("before", folder, code, body, args).items():
                    runs[f"before ({args.before}), {framing}"] = rounds
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print_rounds(
        f"{args.clients} unsigned {len(body) / 1e6:.0f} MB webhooks at once, {args.rounds} rounds "
        "(channel-sync serve, max_body 2 MiB)",
        runs,
    )
    return 0
