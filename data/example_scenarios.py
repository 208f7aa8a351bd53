"""Example `fulfil plan` scenarios cut from the sample data, each with the answer a brute-force search
proves (`expected`: status, goods, freight, small-order charges, total). Small enough to enumerate every
allocation.

- ok.json: every unit can ship.
- partial.json: one line has less stock than asked for across all distributors.
- infeasible.json: nothing in the cart is in stock anywhere.
- free-delivery.json: the cheapest distributor per line is not the cheapest plan: putting the lines on
  one distributor saves a shipment and/or reaches its free-delivery threshold.
- small-order.json: a distributor's small-order charge moves the cart to another distributor.
"""

from __future__ import annotations

import itertools
import json
import sys
from decimal import Decimal
from pathlib import Path

from catalogue import DistributorProfile, Item

from fulfilment_engine.domain import Product, money
from fulfilment_engine.freight import billable_weight, freight_charge, small_order_charge
from fulfilment_engine.scenario import parse_freight, parse_small_order

SHIP_TO = {"country": "GB", "postcode": "M1 1AE"}
MAX_DISTRIBUTORS = 4  # per scenario, so the brute force stays quick


def _line_options(qty: int, offers: list[tuple[str, int, Decimal]]):
    """Every way to take at most `qty` units from these offers (distributor, stock, cost)."""
    options = []

    def take(index: int, left: int, chosen: list):
        if index == len(offers):
            options.append(tuple(chosen))
            return
        distributor, stock, cost = offers[index]
        for units in range(min(left, stock) + 1):
            take(index + 1, left - units, [*chosen, (distributor, units, cost)] if units else chosen)

    take(0, qty, [])
    return options


def brute_force(cart, offers, products: dict[str, Product], rules: dict, small_orders: dict) -> dict:
    """The contract's optimum by enumeration: most units, then least goods + freight + small-order
    charges, then fewest shipments. `rules` and `small_orders` map a distributor to its freight rule and
    its small-order charge (absent: none)."""
    per_line = []
    for sku, qty in cart:
        line_offers = [(d, stock, cost) for (d, s), (stock, cost) in offers.items() if s == sku and stock > 0]
        per_line.append([(sku, option) for option in _line_options(qty, sorted(line_offers))])
    best = None
    for combo in itertools.product(*per_line):
        shipments: dict[str, list] = {}
        units = 0
        for sku, option in combo:
            for distributor, taken, cost in option:
                units += taken
                shipment = shipments.setdefault(distributor, [Decimal(0), []])
                shipment[0] += cost * taken
                shipment[1].append((products[sku], taken))
        goods = freight = charges = Decimal(0)
        feasible = True
        for distributor, (value, lines) in shipments.items():
            rule = rules.get(distributor)
            charge = freight_charge(rule, value, billable_weight(rule, lines))
            if charge is None:
                feasible = False
                break
            goods += money(value)
            freight += money(charge)
            charges += money(small_order_charge(small_orders.get(distributor), value))
        if not feasible:
            continue
        key = (-units, goods + freight + charges, len(shipments))
        if best is None or key < best[0]:
            best = (key, combo, goods, freight, charges, shipments)
    _key, combo, goods, freight, charges, shipments = best
    units = -best[0][0]
    demand = sum(q for _s, q in cart)
    status = "ok" if units == demand else "partial" if units else "infeasible"
    return {
        "status": status,
        "goods_total": str(money(goods)),
        "freight_total": str(money(freight)),
        "charges_total": str(money(charges)),
        "total": str(money(goods + freight + charges)),
        "shipments": sorted(shipments),
        "allocations": [
            {"sku": sku, "distributor": d, "qty": q} for sku, option in combo for d, q, _c in option
        ],
    }


def naive_plan(cart, offers, products, rules, small_orders) -> dict:
    """Cheapest in-stock distributor per line, freight and charges ignored while choosing (then paid)."""
    chosen = {}
    for sku, qty in cart:
        candidates = sorted(
            (cost, d) for (d, s), (stock, cost) in offers.items() if s == sku and stock >= qty
        )
        chosen[sku] = candidates[0][1]
    shipments: dict[str, list] = {}
    for sku, qty in cart:
        distributor = chosen[sku]
        shipment = shipments.setdefault(distributor, [Decimal(0), []])
        shipment[0] += offers[(distributor, sku)][1] * qty
        shipment[1].append((products[sku], qty))
    goods = sum((money(v) for v, _l in shipments.values()), Decimal(0))
    freight = sum(
        (
            money(freight_charge(rules.get(d), v, billable_weight(rules.get(d), lines)) or Decimal(0))
            for d, (v, lines) in shipments.items()
        ),
        Decimal(0),
    )
    charges = sum(
        (money(small_order_charge(small_orders.get(d), v)) for d, (v, _lines) in shipments.items()),
        Decimal(0),
    )
    return {
        "total": money(goods + freight + charges),
        "freight": freight,
        "charges": charges,
        "shipments": sorted(shipments),
    }


def _product(sku: str, item: Item) -> Product:
    length, width, height = (Decimal(v) for v in item.dims_cm)
    return Product(sku=sku, weight_kg=item.weight_kg, length_cm=length, width_cm=width, height_cm=height)


def _scenario(name, description, cart, chosen, catalogue, profiles, offers, expected) -> dict:
    products = {sku: catalogue[sku] for sku, _q in cart}
    return {
        "name": name,
        "description": description,
        "currency": "GBP",
        "ship_to": SHIP_TO,
        "cart": [{"sku": sku, "qty": qty} for sku, qty in cart],
        "products": [
            {
                "sku": sku,
                "weight_kg": str(item.weight_kg),
                "length_cm": item.dims_cm[0],
                "width_cm": item.dims_cm[1],
                "height_cm": item.dims_cm[2],
            }
            for sku, item in products.items()
        ],
        "distributors": [
            {
                "id": p.id,
                "name": p.name,
                **({"freight": p.freight} if p.freight else {}),
                **({"small_order": p.small_order} if p.small_order else {}),
            }
            for p in profiles
            if p.id in chosen
        ],
        "offers": [
            {"distributor": d, "sku": sku, "stock": o[1], "cost": str(o[2]), "distributor_sku": o[0]}
            for sku, _q in cart
            for d in chosen
            if (o := offers.get((d, sku))) is not None
        ],
        "expected": expected,
    }


def write_scenarios(out: Path, products, profiles: list[DistributorProfile], offers: dict) -> None:
    catalogue = dict(products)
    uk = [p for p in profiles if "GB" in p.ships_to]
    rules = {p.id: parse_freight(p.freight, p.id) if p.freight else None for p in uk}
    small_orders = {p.id: parse_small_order(p.small_order, p.id) for p in uk if p.small_order}
    domain_products = {sku: _product(sku, item) for sku, item in products}

    def offered(sku):  # {distributor: (stock, cost)} among UK distributors
        return {p.id: (offers[(p.id, sku)][1], offers[(p.id, sku)][2]) for p in uk if (p.id, sku) in offers}

    def solve(cart, chosen, charges=small_orders):
        view = {(d, s): offered(s)[d] for s, _q in cart for d in chosen if d in offered(s)}
        return view, brute_force(cart, view, domain_products, rules, charges)

    def pick_distributors(skus):
        """Up to MAX_DISTRIBUTORS UK distributors, those offering the most of these SKUs first."""
        ranked = sorted(uk, key=lambda p: (-sum((p.id, s) in offers for s in skus), p.id))
        return [p.id for p in ranked[:MAX_DISTRIBUTORS]]

    def in_stock_total(sku, chosen):
        return sum(stock for d, (stock, _c) in offered(sku).items() if d in chosen)

    skus_by_category: dict[str, list[str]] = {}
    for sku, item in products:
        skus_by_category.setdefault(item.category, []).append(sku)
    folder = out / "scenarios"
    folder.mkdir(parents=True, exist_ok=True)

    def ok_case():
        """A laptop, a monitor and a toner, all available."""
        cart = []
        for category, qty in (("Laptops", 2), ("Monitors", 1), ("Toner & ink", 2)):
            cart.append(
                next(
                    (sku, qty)
                    for sku in skus_by_category[category]
                    if sum(1 for stock, _c in offered(sku).values() if stock) >= 3
                    and sum(stock for stock, _c in offered(sku).values()) >= qty + 3
                )
            )
        chosen = pick_distributors([s for s, _q in cart])
        return "Every unit ships; the optimum below is proven by enumeration.", cart, chosen

    def partial_case():
        """One line asks for more than all distributors hold together."""
        scarce = next(
            sku
            for sku in skus_by_category["Monitors"]
            if 1 <= sum(stock for stock, _c in offered(sku).values()) <= 3 and len(offered(sku)) >= 2
        )
        # its holders first, so what stock there is can ship
        chosen = sorted(offered(scarce), key=lambda d: (-offered(scarce)[d][0], d))[:MAX_DISTRIBUTORS]
        plenty = next(
            sku
            for sku in skus_by_category["Cables & adapters"]
            if sum(stock for d, (stock, _c) in offered(sku).items() if d in chosen) >= 4
        )
        held = in_stock_total(scarce, chosen)
        cart = [(scarce, held + 2), (plenty, 2)]
        return f"{scarce}: {held + 2} wanted, only {held} in stock at these distributors.", cart, chosen

    def infeasible_case():
        """Listed, but out of stock everywhere."""
        empty = [
            sku for sku, _i in products if offered(sku) and all(s == 0 for s, _c in offered(sku).values())
        ]
        cart = [(empty[0], 1), (empty[1], 2)]
        chosen = pick_distributors([s for s, _q in cart])
        return "Both products are listed but out of stock at every distributor.", cart, chosen

    def free_delivery_case():
        """The cheapest distributor line by line is not the cheapest plan."""
        flat_ids = [
            p.id for p in uk if p.freight and p.freight["type"] == "flat" and "free_over" in p.freight
        ]
        candidates = skus_by_category["Toner & ink"] + skus_by_category["Accessories"]
        for first, second in itertools.combinations(candidates, 2):
            common = [
                d
                for d in flat_ids
                if offered(first).get(d, (0,))[0] >= 2 and offered(second).get(d, (0,))[0] >= 2
            ]
            if len(common) < 2:
                continue
            chosen = common[:MAX_DISTRIBUTORS]
            cart = [(first, 2), (second, 1)]
            view, answer = solve(cart, chosen)
            naive = naive_plan(cart, view, domain_products, rules, small_orders)
            saving = naive["total"] - Decimal(answer["total"])
            if len(naive["shipments"]) == 2 and len(answer["shipments"]) == 1 and saving >= Decimal("5"):
                free = Decimal(answer["freight_total"]) == 0
                description = (
                    f"Cheapest per line splits the cart over {' and '.join(naive['shipments'])} "
                    f"(total {naive['total']}, freight {naive['freight']}"
                    + (f", small-order charges {naive['charges']}" if naive["charges"] else "")
                    + "); "
                    f"the optimum sends everything with {answer['shipments'][0]}"
                    + (" and reaches its free-delivery threshold" if free else ", saving a shipment")
                    + f": {answer['total']}, {saving} less."
                )
                return description, cart, chosen
        return None

    def small_order_case():
        """A small-order charge changes the answer: without it, a distributor that charges one would
        ship the cart; with it, another distributor is cheaper."""
        candidates = skus_by_category["Cables & adapters"] + skus_by_category["Accessories"]
        for sku in candidates:
            holders = sorted(d for d, (stock, _c) in offered(sku).items() if stock >= 2)
            if len(holders) < 2 or not any(d in small_orders for d in holders):
                continue
            chosen = holders[:MAX_DISTRIBUTORS]
            cart = [(sku, 2)]
            _view, answer = solve(cart, chosen)
            _view, uncharged = solve(cart, chosen, charges={})
            (cheapest,) = uncharged["shipments"]
            rule = small_orders.get(cheapest)
            if rule is None or Decimal(uncharged["goods_total"]) >= rule.below:
                continue
            if answer["shipments"] == [cheapest]:
                continue
            description = (
                f"Without small-order charges {cheapest} ships it for {uncharged['total']}; its "
                f"{rule.charge} charge under {rule.below} of goods makes that "
                f"{money(Decimal(uncharged['total']) + rule.charge)}, so the optimum sends it with "
                f"{' and '.join(answer['shipments'])}: {answer['total']}."
            )
            return description, cart, chosen
        return None

    cases = {
        "ok": (ok_case, "ok"),
        "partial": (partial_case, "partial"),
        "infeasible": (infeasible_case, "infeasible"),
        "free-delivery": (free_delivery_case, "ok"),
        "small-order": (small_order_case, "ok"),
    }
    for name, (build, status) in cases.items():
        try:
            found = build()
        except (StopIteration, IndexError):  # a small or odd catalogue may not hold such a case
            found = None
        if found is None:
            print(f"generate: no {name} scenario in this catalogue; skipped", file=sys.stderr)
            continue
        description, cart, chosen = found
        _view, answer = solve(cart, chosen)
        assert answer["status"] == status, (name, answer)
        scenario = _scenario(name, description, cart, chosen, catalogue, profiles, offers, answer)
        (folder / f"{name}.json").write_text(json.dumps(scenario, indent=2) + "\n", encoding="utf-8")
