"""channel-sync killed at random moments: `channel-sync pull` and `push` run again and again against the
WooCommerce and Shopify doubles and a real Odoo 19, each SIGKILLed after a random delay (mid-read, mid-import,
mid-send: wherever it happens to be), while orders keep arriving in both stores; then one clean run. Counts
what a kill must never cause: an order lost, an order twice in Odoo, an update the store received twice.

    python -m bench connectors_kills [--kills 30] [--orders 60] [--max-delay 2.5] [--seed 8]

Phases: pulls killed while the orders arrive (half the kills); every order imported so far shipped in Odoo
(drop-ship POs, ship notices with tracking); pulls and pushes killed alternately (the other half); then a
clean pull, the rest shipped, and clean pushes (tracking, then `completed` once Odoo has it acknowledged).
Exits 1 when anything lost, duplicated, sent twice or missing is not 0. The crash tests in
tests/connectors kill at the three named crash points; this kills anywhere.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

from bench._odoo import odoo_database, odoo_http, result_line
from bench._tables import bench_console, figures_table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "connectors"))
from conftest import sync_toml  # noqa: E402
from doubles import ShopifyDouble, WooCommerceDouble, shopify_order, woo_order  # noqa: E402

WORKER = ROOT / "tests" / "connectors" / "odoo_worker.py"
STORES = ("woo-main", "shopify-main")


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class Arrivals:
    """New orders in both stores, a few before each run, as a live shop would have them."""

    def __init__(self, woo: WooCommerceDouble, shop: ShopifyDouble, total: int, rng: random.Random):
        self.woo, self.shop, self.rng = woo, shop, rng
        self.left = total
        self.next_id = 1

    def some(self, count: int) -> None:
        for _ in range(min(count, self.left)):
            order_id, self.next_id, self.left = self.next_id, self.next_id + 1, self.left - 1
            email = f"customer{self.rng.randrange(12)}@example.com"
            if order_id % 2:
                lines = (("SKU-DOCK", 1 + order_id % 2, "150.00"), ("SKU-MOUSE", 1, "25.00"))
                self.woo.add_order(woo_order(order_id, modified=now(), email=email, lines=lines))
            else:
                self.shop.add_order(
                    shopify_order(order_id, updated=now(), email=email, lines=(("SKU-DOCK", 2, "180.00"),))
                )


class Runner:
    def __init__(self, config: Path, rng: random.Random, max_delay: float):
        self.command = [sys.executable, "-m", "shop_connectors.cli", "--config", str(config)]
        self.rng, self.max_delay = rng, max_delay
        self.env = {k: v for k, v in os.environ.items() if k != "CHANNEL_SYNC_CRASH_AT"}
        self.kills: Counter[str] = Counter()
        self.finished: Counter[str] = Counter()

    def killed_run(self, action: str) -> None:
        """Start `channel-sync ACTION`, SIGKILL it after a random delay unless it finished first."""
        process = subprocess.Popen(
            [*self.command, action], env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(self.rng.uniform(0.05, self.max_delay))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            self.kills[action] += 1
        else:
            self.finished[action] += 1
        process.wait(60)

    def clean_run(self, action: str) -> None:
        done = subprocess.run(
            [*self.command, action], env=self.env, capture_output=True, text=True, timeout=600
        )
        if done.returncode != 0:
            raise SystemExit(
                f"connectors_kills: clean `channel-sync {action}` exited {done.returncode}\n"
                f"{done.stderr[-2000:]}"
            )


def odoo_orders(url: str, db: str, key: str) -> list[dict]:
    response = httpx.post(
        f"{url}/json/2/sale.order/search_read",
        json={
            "domain": [("channel_store", "in", list(STORES))],
            "fields": ["channel_store", "channel_external_id", "inbox_state"],
        },
        headers={"Authorization": f"bearer {key}", "X-Odoo-Database": db},
        timeout=120,
    )
    if response.status_code != 200:
        raise SystemExit(f"connectors_kills: search_read: HTTP {response.status_code} {response.text[:300]}")
    return response.json()


def store_updates(woo: WooCommerceDouble, shop: ShopifyDouble) -> tuple[Counter, Counter]:
    """Updates each store received, per (kind, store, order): tracking notes and `completed` for
    WooCommerce, fulfillments (every attempt, accepted or not) for Shopify."""
    received: Counter[tuple[str, str, str]] = Counter()
    for order_id, notes in woo.notes.items():
        received[("tracking note", "woo-main", str(order_id))] += len(notes)
    for _method, path, body in woo.writes:
        if path.startswith("orders/") and path.count("/") == 1 and body.get("status") == "completed":
            received[("status completed", "woo-main", path.split("/")[1])] += 1
    for fulfillment in shop.received_fulfillments:
        for group in fulfillment.get("lineItemsByFulfillmentOrder") or []:
            legacy = next(
                (
                    k
                    for k, fos in shop.fulfillment_orders.items()
                    if any(f["id"] == group["fulfillmentOrderId"] for f in fos)
                ),
                "?",
            )
            received[("fulfillment", "shopify-main", legacy)] += 1
    expected: Counter[tuple[str, str, str]] = Counter()
    for order_id in woo.orders:
        expected[("tracking note", "woo-main", str(order_id))] = 1
        expected[("status completed", "woo-main", str(order_id))] = 1
    for legacy in shop.orders:
        expected[("fulfillment", "shopify-main", legacy)] = 1
    return received, expected


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench connectors_kills", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--kills", type=int, default=30, help="SIGKILLs to make (runs that end first don't count)"
    )
    parser.add_argument("--orders", type=int, default=60, help="orders arriving over the run, both stores")
    parser.add_argument("--max-delay", type=float, default=2.5, help="longest wait before a kill, seconds")
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args(argv)
    console = bench_console()
    rng = random.Random(args.seed)
    started = time.perf_counter()
    with odoo_database("connectors_kills", console) as database, tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        keys = json.loads(result_line(database.run_worker(WORKER, "setup")))
        key = keys["key"]
        woo, shop = WooCommerceDouble(), ShopifyDouble()
        try:
            with odoo_http(database, folder / "odoo.log") as url:
                config = sync_toml(folder, url, woo.url, shop.url, api_key=key, database=database.db)
                runner = Runner(config, rng, args.max_delay)
                arrivals = Arrivals(woo, shop, args.orders, rng)
                half = max(1, args.kills // 2)
                per_round = max(1, -(-args.orders // args.kills))
                attempts = 0
                while sum(runner.kills.values()) < half and attempts < 4 * args.kills:
                    attempts += 1
                    arrivals.some(per_round)
                    runner.killed_run("pull")
                shipped = json.loads(result_line(database.run_worker(WORKER, "ship-all")))["shipped"]
                while sum(runner.kills.values()) < args.kills and attempts < 8 * args.kills:
                    attempts += 1
                    arrivals.some(per_round)
                    runner.killed_run(("push", "pull")[attempts % 2])
                arrivals.some(arrivals.left)
                runner.clean_run("pull")
                shipped += json.loads(result_line(database.run_worker(WORKER, "ship-all")))["shipped"]
                for _ in range(2):  # tracking first; `completed` once Odoo has the tracking acknowledged
                    runner.clean_run("push")
                orders = odoo_orders(url, database.db, keys["admin_key"])  # the connector's key reads nothing
        finally:
            woo.close()
            shop.close()
    elapsed = time.perf_counter() - started

    in_stores = {("woo-main", str(i)) for i in woo.orders} | {("shopify-main", k) for k in shop.orders}
    in_odoo = Counter((o["channel_store"], o["channel_external_id"]) for o in orders)
    lost = len(in_stores - set(in_odoo))
    duplicated = sum(n - 1 for n in in_odoo.values())
    received, expected = store_updates(woo, shop)
    twice = sum(max(0, n - 1) for n in received.values())
    missing = sum(1 for k in expected if received[k] == 0)
    kills = sum(runner.kills.values())

    table = figures_table(
        f"channel-sync SIGKILLed at random moments (delay 0.05–{args.max_delay} s)",
        ["figure", "value", "must be"],
        no_wrap=True,
    )
    rows = [
        ("orders in the stores", len(in_stores), None),
        ("orders in Odoo (distinct)", len(in_odoo), len(in_stores)),
        ("orders lost", lost, 0),
        ("orders duplicated in Odoo", duplicated, 0),
        ("updates expected by the stores", len(expected), None),
        ("updates received more than once", twice, 0),
        ("updates missing after the clean run", missing, 0),
        ("kills made (pull / push)", f"{kills} ({runner.kills['pull']} / {runner.kills['push']})", None),
        (
            "runs that ended before their kill (pull / push)",
            f"{runner.finished['pull']} / {runner.finished['push']}",
            None,
        ),
        ("orders shipped in Odoo", shipped, None),
        ("wall time", f"{elapsed:.0f} s", None),
    ]
    for label, value, must in rows:
        table.add_row(label, str(value), "" if must is None else str(must))
    console.print(table)
    bad = lost or duplicated or twice or missing or kills < args.kills or len(in_odoo) != len(in_stores)
    if kills < args.kills:
        console.print(f"only {kills} kills made: raise --max-delay or --orders")
    return 1 if bad else 0
