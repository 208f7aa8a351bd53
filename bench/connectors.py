"""Store orders into Odoo with channel-sync: the WooCommerce double -> `channel-sync pull` -> a real Odoo 19
over JSON-2, then the same with every webhook delivered twice, beside the naive way (one JSON-2 call per
record or field, as a typical import script does), timed on a sample and extrapolated; and a pull from
the Shopify double, which prices every query by Shopify's documented cost and restores its bucket at the
Standard plan's 100 points a second, as a real Standard shop does.

    python -m bench connectors [--orders 10000] [--customers 2000] [--webhook-orders 2000] [--naive 200]
                               [--shopify-orders 500] [--odoo-workers 2] [--import-calls 2]
                               [--profile PREFIX]

`--shopify-orders 0` leaves the Shopify pull out. `--profile` writes a cProfile of the WooCommerce pull's
channel-sync process to PREFIX.pull.prof (slower; not for the figures).

A throwaway Odoo 19 database with channel_fulfilment (created here, dropped at the end), served by odoo-bin
on 127.0.0.1 with `--odoo-workers` worker processes (0: threaded) and no crons; channel-sync makes
`--import-calls` import calls at once ([sync] import_calls); the doubles run in this process.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from bench._odoo import free_port, odoo_database, odoo_http, result_line
from bench._store_orders import PRICES, random_lines, woo_orders
from bench._tables import bench_console, figures_table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "connectors"))
from conftest import WOO_SECRET, sync_toml  # noqa: E402
from doubles import ShopifyDouble, WooCommerceDouble, shopify_order  # noqa: E402

WORKER = ROOT / "tests" / "connectors" / "odoo_worker.py"


def stamp(seconds_ago: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - seconds_ago))


def make_orders(woo: WooCommerceDouble, first: int, count: int, customers: int, rng: random.Random) -> None:
    def modified(order_id: int) -> str:  # spread over the last half hour, oldest first
        return stamp(1800 * (first + count - order_id) / count + 60)

    for order in woo_orders(first, count, customers, rng, modified):
        woo.add_order(order)


def make_shopify_orders(shop: ShopifyDouble, count: int, customers: int, rng: random.Random) -> None:
    """The same kind of orders on a Shopify shop whose prices include the 20 % VAT."""
    for legacy in range(1, count + 1):
        lines = random_lines(rng, lambda sku: f"{float(PRICES[sku]) * 1.2:.2f}")
        shop.add_order(
            shopify_order(
                legacy,
                updated=stamp(1800 * (count - legacy) / count + 60),
                email=f"customer{rng.randrange(customers)}@example.com",
                lines=lines,
            )
        )


def shopify_pull(folder: Path, url: str, database, key: str, args, rng: random.Random, odoo: Odoo) -> tuple:
    """`channel-sync pull` from the Shopify double on the Standard plan (a fresh one: its bucket full)."""
    shop = ShopifyDouble(plan="standard")
    try:
        make_shopify_orders(shop, args.shopify_orders, args.customers, rng)
        folder.mkdir()
        config = sync_toml(folder, url, shop_url=shop.url, api_key=key, database=database.db)
        started = time.perf_counter()
        pull = subprocess.run(
            [sys.executable, "-m", "shop_connectors.cli", "--config", str(config), "pull"],
            capture_output=True,
            text=True,
        )
        elapsed = time.perf_counter() - started
        if pull.returncode != 0:
            raise SystemExit(f"connectors: Shopify pull exited {pull.returncode}\n{pull.stderr[-2000:]}")
        calls = int(pull.stdout.strip().splitlines()[-1].rsplit(",", 1)[1].split()[0])
        count, distinct = odoo.store_orders("shopify-main")
        charged = sum(actual for _, _, actual in shop.priced)
        bench_console().print(
            f"Shopify double, Standard plan ({shop.restore_rate:g} points/s, bucket {shop.maximum:g}): "
            f"{len(shop.priced)} queries, largest asked {max(r for _, r, _ in shop.priced)} points, "
            f"{charged:,} points charged ({charged / args.shopify_orders:.1f} an order), "
            f"{shop.throttled} throttled, {len(shop.over_cap)} over the cap"
        )
    finally:
        shop.close()
    return (
        "channel-sync pull, Shopify Standard plan (100 points/s)",
        args.shopify_orders,
        elapsed,
        calls / args.shopify_orders,
        None,
        count - distinct,
        count == args.shopify_orders,
    )


class Odoo:
    def __init__(self, url: str, db: str, key: str):
        self.client = httpx.Client(
            base_url=url, timeout=120, headers={"Authorization": f"bearer {key}", "X-Odoo-Database": db}
        )
        self.calls = 0

    def __call__(self, model: str, method: str, **kwargs):
        self.calls += 1
        response = self.client.post(f"/json/2/{model}/{method}", json=kwargs)
        if response.status_code != 200:
            raise SystemExit(
                f"connectors: {model}.{method}: HTTP {response.status_code} {response.text[:300]}"
            )
        return response.json()

    def store_orders(self, store: str = "woo-main") -> tuple[int, int]:
        rows = self(
            "sale.order",
            "search_read",
            domain=[("channel_store", "=", store)],
            fields=["channel_external_id"],
        )
        return len(rows), len({r["channel_external_id"] for r in rows})


def naive_import(odoo: Odoo, woo: WooCommerceDouble, order_ids: list[int]) -> None:
    """What a typical script does: look each thing up and write it, one call per record or field."""
    for order_id in order_ids:
        order = woo.orders[order_id]
        email = order["billing"]["email"]
        found = odoo("res.partner", "search", domain=[("email", "=", email)], limit=1)
        partner = (
            found[0]
            if found
            else odoo(
                "res.partner",
                "create",
                vals_list=[
                    {
                        "name": f"{order['billing']['first_name']} {order['billing']['last_name']}",
                        "email": email,
                    }
                ],
            )[0]
        )
        odoo("res.partner", "write", ids=[partner], vals={"street": order["billing"]["address_1"]})
        odoo("res.partner", "write", ids=[partner], vals={"city": order["billing"]["city"]})
        odoo("res.partner", "write", ids=[partner], vals={"zip": order["billing"]["postcode"]})
        sale = odoo(
            "sale.order",
            "create",
            vals_list=[{"partner_id": partner, "client_order_ref": f"#{order['number']}"}],
        )[0]
        tax = odoo(
            "account.tax",
            "search",
            domain=[("amount", "=", 20.0), ("type_tax_use", "=", "sale"), ("price_include", "=", False)],
            limit=1,
        )
        for item in order["line_items"]:
            product = odoo("product.product", "search", domain=[("default_code", "=", item["sku"])], limit=1)
            line = odoo(
                "sale.order.line",
                "create",
                vals_list=[{"order_id": sale, "product_id": product[0], "product_uom_qty": item["quantity"]}],
            )[0]
            odoo("sale.order.line", "write", ids=[line], vals={"price_unit": item["price"]})
            odoo("sale.order.line", "write", ids=[line], vals={"tax_ids": [(6, 0, tax)]})
        odoo("sale.order", "action_confirm", ids=[sale])


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench connectors", description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--customers", type=int, default=2_000)
    parser.add_argument(
        "--webhook-orders",
        type=int,
        default=2_000,
        help="orders that arrive by webhook, each delivered twice",
    )
    parser.add_argument("--naive", type=int, default=200, help="orders the naive script imports (a sample)")
    parser.add_argument(
        "--shopify-orders", type=int, default=500, help="orders pulled from the Shopify double, Standard plan"
    )
    parser.add_argument(
        "--odoo-workers",
        type=int,
        default=2,
        help="Odoo's worker processes (0: threaded, one process)",
    )
    parser.add_argument(
        "--import-calls",
        type=int,
        default=2,
        help="channel-sync's [sync] import_calls (1: one call at a time)",
    )
    parser.add_argument("--profile", default="", help="cProfile channel-sync pull into PREFIX.pull.prof")
    args = parser.parse_args(argv)
    console = bench_console()
    rng = random.Random(8)
    rows = []
    with odoo_database("connectors", console) as database, tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        keys = json.loads(result_line(database.run_worker(WORKER, "setup")))
        key = keys["key"]
        woo = WooCommerceDouble()
        with odoo_http(database, folder / "odoo.log", workers=args.odoo_workers) as url:
            odoo = Odoo(url, database.db, keys["admin_key"])  # counts orders: the connector's key cannot
            make_orders(woo, 1, args.orders, args.customers, rng)
            port = free_port()
            settings = f'listen = "127.0.0.1:{port}"\npull_every = "1h"\npush_every = "1h"'
            settings += f"\nimport_calls = {args.import_calls}"
            config = sync_toml(folder, url, woo.url, api_key=key, database=database.db, extra_sync=settings)
            command = [sys.executable, "-m", "shop_connectors.cli", "--config", str(config)]
            started = time.perf_counter()
            # os.wait4 gives this one child's peak memory (RUSAGE_CHILDREN would include Odoo's install)
            with (folder / "pull.out").open("w+") as out:
                profile = ["-m", "cProfile", "-o", f"{Path(args.profile).resolve()}.pull.prof"]
                pull_command = [sys.executable, *(profile if args.profile else []), *command[1:], "pull"]
                pull = subprocess.Popen(pull_command, stdout=out, stderr=subprocess.STDOUT, text=True)
                _pid, status, usage = os.wait4(pull.pid, 0)
                pull.returncode = os.waitstatus_to_exitcode(status)
                out.seek(0)
                output = out.read()
            elapsed = time.perf_counter() - started
            if pull.returncode != 0:
                raise SystemExit(f"connectors: channel-sync pull exited {pull.returncode}\n{output[-2000:]}")
            calls = int(output.strip().splitlines()[-1].rsplit(",", 1)[1].split()[0])
            peak_mb = usage.ru_maxrss / 1024
            count, distinct = odoo.store_orders()
            rows.append(
                (
                    f"channel-sync pull ({args.import_calls} import calls at once)",
                    args.orders,
                    elapsed,
                    calls / args.orders,
                    peak_mb,
                    count - distinct,
                    count == args.orders,
                )
            )
            if args.shopify_orders:
                rows.append(shopify_pull(folder / "shopify", url, database, key, args, rng, odoo))

            serve = subprocess.Popen(
                [*command, "serve"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            try:
                deadline = time.monotonic() + 120
                while time.monotonic() < deadline:
                    try:
                        if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                            break
                    except httpx.HTTPError:
                        pass
                    time.sleep(0.2)
                first = args.orders + 1
                make_orders(woo, first, args.webhook_orders, args.customers, rng)
                hook = httpx.Client(base_url=f"http://127.0.0.1:{port}")

                def deliver(order_id: int) -> None:
                    body, headers = woo.webhook(order_id, WOO_SECRET)
                    for _ in range(2):
                        answer = hook.post("/webhooks/woo-main", content=body, headers=headers)
                        if answer.status_code != 200:
                            raise SystemExit(f"connectors: webhook answered {answer.status_code}")

                started = time.perf_counter()
                with ThreadPoolExecutor(8) as pool:
                    list(pool.map(deliver, range(first, first + args.webhook_orders)))
                total = args.orders + args.webhook_orders
                while odoo.store_orders()[0] < total and time.perf_counter() - started < 1800:
                    time.sleep(1)
                elapsed = time.perf_counter() - started
                status = Path(f"/proc/{serve.pid}/status").read_text()
                serve_mb = (
                    int(next(x for x in status.splitlines() if x.startswith("VmHWM")).split()[1]) / 1024
                )
            finally:
                serve.terminate()
                serve.wait(30)
            count, distinct = odoo.store_orders()
            rows.append(
                (
                    "channel-sync serve, every webhook twice",
                    args.webhook_orders,
                    elapsed,
                    None,
                    serve_mb,
                    count - distinct,
                    count == total,
                )
            )

            sample = list(range(first + args.webhook_orders, first + args.webhook_orders + args.naive))
            make_orders(woo, sample[0], args.naive, args.customers, rng)
            admin = Odoo(url, database.db, keys["admin_key"])
            started = time.perf_counter()
            naive_import(admin, woo, sample)
            elapsed = time.perf_counter() - started
            rows.append(
                (
                    "naive script (one call per record/field)",
                    args.naive,
                    elapsed,
                    admin.calls / args.naive,
                    None,
                    None,
                    None,
                )
            )
        woo.close()

    naive_rate = rows[-1][1] / rows[-1][2]
    table = figures_table(
        f"Store orders into Odoo 19 ({args.customers:,} repeat customers, 1-5 lines; Odoo "
        + (f"{args.odoo_workers} workers)" if args.odoo_workers else "threaded, no workers)"),
        ["way", "orders", "seconds", "orders/s", "Odoo calls/order", "peak memory", "duplicates", "× naive"],
        no_wrap=True,
    )
    for way, orders, seconds, per_order, memory, dups, _complete in rows:
        rate = orders / seconds
        table.add_row(
            way,
            f"{orders:,}",
            f"{seconds:.1f}",
            f"{rate:.1f}",
            "—" if per_order is None else f"{per_order:.2f}",
            "—" if memory is None else f"{memory:.0f} MB",
            "—" if dups is None else str(dups),
            f"{rate / naive_rate:.1f}×",
        )
    console.print(table)
    console.print(f"naive, extrapolated to {args.orders:,} orders: ≈ {args.orders / naive_rate:,.0f} s")
    complete = all(row[6] in (None, True) for row in rows) and all(row[5] in (None, 0) for row in rows)
    return 0 if complete else 1
