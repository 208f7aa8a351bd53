"""Planner benchmark: latency for carts of 5, 30 and 100 lines over 20 distributors, and what two common
sourcing rules cost against the proven optimum on the same carts.

    python -m bench planner [--carts N] [--sizes 5,30,100] [--seed S]

Baselines, each priced exactly with freight.py:
  odoo      Odoo 19's vendor rule (product.product._select_seller): per product the vendor line with
            the lowest (sequence, then price) wins — a fixed sequence per distributor, as a reseller
            enters them; stock and freight ignored. The whole quantity goes to that vendor; the cart is
            infeasible when its stock is short (or its freight rule cannot carry the shipment).
  cheapest  Cheapest in stock per line, freight ignored: the cheapest distributor holding the line's
            whole quantity, else the line split greedily by price; infeasible when stock runs out.
The extra cost is measured on the carts where the baseline is feasible (the optimum then ships
everything too).
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import time
from decimal import Decimal

from rich.table import Table

from bench._planner_data import World, make_cart, make_world
from bench._tables import bench_console
from fulfilment_engine.domain import Scenario, money
from fulfilment_engine.errors import PlanningError
from fulfilment_engine.planner import plan
from fulfilment_engine.planner.pricing import price

DISTRIBUTORS = 20


def priced_total(scenario: Scenario, taken: dict[tuple[str, str], int]) -> Decimal | None:
    """Goods + freight of an allocation {(distributor, sku): qty}; None when a rule cannot carry it."""
    costs = {(o.distributor, o.sku): o.cost for o in scenario.offers}
    by_distributor: dict[str, list] = {}
    for (dist, sku), qty in taken.items():
        by_distributor.setdefault(dist, []).append((scenario.products[sku], qty, costs[(dist, sku)]))
    total = Decimal(0)
    for dist, lines in by_distributor.items():
        shipment = price(scenario.distributors[dist].freight, lines)
        if shipment.freight is None:
            return None
        total += money(shipment.goods) + money(shipment.freight)
    return total


def odoo_vendor_rule(scenario: Scenario, sequence: dict[str, int]) -> Decimal | None:
    taken: dict[tuple[str, str], int] = {}
    for sku, wanted in scenario.demand().items():
        lines = [o for o in scenario.offers if o.sku == sku]
        if not lines:
            return None
        vendor = min(lines, key=lambda o: (sequence[o.distributor], o.cost, o.distributor))
        if vendor.stock < wanted:
            return None
        taken[(vendor.distributor, sku)] = wanted
    return priced_total(scenario, taken)


def cheapest_in_stock(scenario: Scenario) -> Decimal | None:
    left = {(o.distributor, o.sku): o.stock for o in scenario.offers}
    taken: dict[tuple[str, str], int] = {}
    for line in scenario.cart:
        offers = sorted(
            (o for o in scenario.offers if o.sku == line.sku), key=lambda o: (o.cost, o.distributor)
        )
        whole = [o for o in offers if left[(o.distributor, o.sku)] >= line.qty]
        need = line.qty
        for offer in whole[:1] or offers:
            key = (offer.distributor, offer.sku)
            take = min(need, left[key])
            if take:
                left[key] -= take
                taken[key] = taken.get(key, 0) + take
                need -= take
        if need:
            return None
    return priced_total(scenario, taken)


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile: the smallest value with at least `fraction` of them at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def run_size(world: World, lines: int, carts: int, rng: random.Random) -> dict:
    latencies, failures, statuses = [], 0, {"ok": 0, "partial": 0, "infeasible": 0}
    extra = {"odoo": [], "cheapest": []}  # (percent, pounds) on carts where the baseline is feasible
    infeasible = {"odoo": 0, "cheapest": 0}
    for _ in range(carts):
        scenario = make_cart(world, rng, lines)
        started = time.perf_counter()
        try:
            optimum = plan(scenario)
        except PlanningError:
            failures += 1
            continue
        latencies.append(time.perf_counter() - started)
        statuses[optimum.status] += 1
        for name, total in (
            ("odoo", odoo_vendor_rule(scenario, world.sequence)),
            ("cheapest", cheapest_in_stock(scenario)),
        ):
            if total is None:
                infeasible[name] += 1
                continue
            if optimum.status != "ok" or total < optimum.total:
                raise AssertionError(
                    f"a baseline beat the optimum on a {lines}-line cart: {total} < {optimum.total}"
                )
            over = total - optimum.total
            extra[name].append((float(over / optimum.total * 100), float(over)))
    return {
        "lines": lines,
        "latency": latencies,
        "failures": failures,
        "statuses": statuses,
        "extra": extra,
        "infeasible": infeasible,
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench planner", description=__doc__.splitlines()[0])
    parser.add_argument("--carts", type=int, default=200, help="carts per size (default 200)")
    parser.add_argument("--sizes", default="5,30,100", help="cart lines, comma-separated (default 5,30,100)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    world = make_world(args.seed, n_distributors=DISTRIBUTORS)
    rng = random.Random(args.seed)
    plan(make_cart(world, rng, 5))  # load the solver before timing anything
    results = [run_size(world, int(size), args.carts, rng) for size in args.sizes.split(",")]

    console = bench_console()
    latency = Table(title=f"Planner latency, {DISTRIBUTORS} distributors ({args.carts} carts per size)")
    for column in (
        "cart lines",
        "p50 ms",
        "p99 ms",
        "max ms",
        "mean ms",
        "no proof in 5 s",
        "optimum ok/partial",
    ):
        latency.add_column(column, justify="right")
    for r in results:
        ms = [t * 1000 for t in r["latency"]] or [float("nan")]
        latency.add_row(
            str(r["lines"]),
            f"{percentile(ms, 0.5):.1f}",
            f"{percentile(ms, 0.99):.1f}",
            f"{max(ms):.1f}",
            f"{statistics.fmean(ms):.1f}",
            str(r["failures"]),
            f"{r['statuses']['ok']}/{r['statuses']['partial']}",
        )
    console.print(latency)

    costs = Table(
        title="Baselines against the optimum (same carts; extra cost where the baseline is feasible)"
    )
    for column in (
        "baseline",
        "cart lines",
        "infeasible",
        "extra mean %",
        "extra p95 %",
        "extra mean £",
        "extra p95 £",
    ):
        costs.add_column(column, justify="left" if column == "baseline" else "right")
    for name, label in (("odoo", "Odoo 19 vendor rule"), ("cheapest", "cheapest in stock/line")):
        for r in results:
            planned = len(r["latency"])
            pct = [p for p, _ in r["extra"][name]]
            gbp = [g for _, g in r["extra"][name]]
            costs.add_row(
                label,
                str(r["lines"]),
                f"{r['infeasible'][name]}/{planned} ({r['infeasible'][name] / max(planned, 1):.0%})",
                f"{statistics.fmean(pct):.2f}" if pct else "-",
                f"{percentile(pct, 0.95):.2f}" if pct else "-",
                f"{statistics.fmean(gbp):.2f}" if gbp else "-",
                f"{percentile(gbp, 0.95):.2f}" if gbp else "-",
            )
    console.print(costs)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    console.print(f"load average during the run: {load} (wall-clock latency; the machine is shared)")
    return 0
