"""Why each allocation went where it did, in words, derived from the plan itself.

Each reason compares the chosen offer with the cheapest alternative that still had stock to spare, and
prices the counterfactual (those units moved there) with freight.py, so every figure quoted is true for
this plan: what the move would save on goods and what it would add in freight and small-order charges.
"""

from __future__ import annotations

from decimal import Decimal

from ..domain import FlatFreight, Scenario, money
from .pricing import PricedShipment, price
from .problem import Candidate, Problem, product_of

SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$"}


class Explainer:
    def __init__(self, problem: Problem, quantities: dict[int, int]):
        self.problem = problem
        self.taken = quantities
        self.symbol = SYMBOLS.get(problem.scenario.currency)
        self.currency = problem.scenario.currency
        self.load: dict[str, dict[int, int]] = {}
        for candidate in problem.candidates:
            if quantities.get(candidate.index):
                self.load.setdefault(candidate.offer.distributor, {})[candidate.index] = quantities[
                    candidate.index
                ]
        self.by_index = {c.index: c for group in problem.every_offer.values() for c in group}
        self._as_planned: dict[str, PricedShipment] = {}  # each shipment as the plan has it, priced once

    def name(self, distributor: str) -> str:
        """A distributor as a reader knows it: its name when the scenario gives one, else its id."""
        return distributor_name(self.problem.scenario, distributor)

    def amount(self, value: Decimal) -> str:
        text = f"{money(value):,.2f}"
        return f"{self.symbol}{text}" if self.symbol else f"{text} {self.currency}"

    def priced(self, distributor: str, change: dict[int, int] | None = None) -> PricedShipment:
        if change is None:
            if distributor not in self._as_planned:
                self._as_planned[distributor] = self._price(distributor, None)
            return self._as_planned[distributor]
        return self._price(distributor, change)

    def _price(self, distributor: str, change: dict[int, int] | None) -> PricedShipment:
        load = dict(self.load.get(distributor, {}))
        for index, delta in (change or {}).items():
            load[index] = load.get(index, 0) + delta
        lines = [
            (product_of(self.problem.scenario, self.by_index[i].offer.sku), qty, self.by_index[i].offer.cost)
            for i, qty in load.items()
        ]
        rules = self.problem.scenario.distributors[distributor]
        return price(rules.freight, lines, rules.small_order)

    def reason(self, chosen: Candidate) -> str:
        offer = chosen.offer
        qty = self.taken[chosen.index]
        others = [c for c in self.problem.every_offer[offer.sku] if c is not chosen]
        if not others:
            return "only distributor with stock"
        cheaper = [c for c in others if c.offer.cost < offer.cost]
        if not cheaper:
            tied = [self.name(c.offer.distributor) for c in others if c.offer.cost == offer.cost]
            return f"cheapest in stock (same price at {', '.join(tied)})" if tied else "cheapest in stock"

        spare = {c.index: c.offer.stock - self.taken.get(c.index, 0) for c in cheaper}
        open_ = sorted((c for c in cheaper if spare[c.index] > 0), key=lambda c: (c.offer.cost, c.index))
        if not open_:
            had = ", ".join(
                f"{self.name(c.offer.distributor)} had {c.offer.stock}"
                for c in sorted(cheaper, key=lambda c: c.offer.cost)
            )
            return f"cheapest in stock for the remaining {qty} ({had})"
        return self._freight_reason(chosen, qty, open_[0], spare[open_[0].index])

    def _freight_reason(self, chosen: Candidate, qty: int, rival: Candidate, rival_spare: int) -> str:
        here, there = chosen.offer.distributor, rival.offer.distributor
        here_name, there_name = self.name(here), self.name(there)
        moved = min(qty, rival_spare)
        dearer = (chosen.offer.cost - rival.offer.cost) * moved
        before_here, before_there = self.priced(here), self.priced(there)
        after_here = self.priced(here, {chosen.index: -moved})
        after_there = self.priced(there, {rival.index: moved})
        if after_there.freight is None:
            return (
                f"{there_name} is {self.amount(dearer)} cheaper for {moved} but cannot carry the extra "
                f"weight ({after_there.billable_weight_kg.normalize():f} kg)"
            )
        assert before_here.freight is not None and after_here.freight is not None
        here_rise = after_here.freight - before_here.freight  # what d's freight would gain without them
        there_rise = after_there.freight - (before_there.freight or Decimal(0))  # and the rival's, with them
        # The same for the small-order charges: d's goods may fall below its threshold, the rival's
        # shipment may be a new one under its own.
        here_charge = after_here.small_order_charge - before_here.small_order_charge
        there_charge = after_there.small_order_charge - before_there.small_order_charge
        saved = here_rise + there_rise + here_charge + there_charge
        charged = bool(here_charge or there_charge)
        counted = "freight and charges" if charged else "freight"
        figures = f"{self.amount(dearer)} dearer, {self.amount(saved)} {counted} saved"
        distributors = self.problem.scenario.distributors
        rule = distributors[here].freight
        still_shipping = sum(self.load[here].values()) > moved
        new_shipment = there not in self.load and still_shipping

        if here_charge > 0 and here_charge >= max(here_rise, there_rise, there_charge):
            small_order = distributors[here].small_order
            return (
                f"reaches the small-order threshold at {here_name} ({self.amount(small_order.below)}, "
                f"avoiding its {self.amount(small_order.charge)} charge; {figures})"
            )
        if here_rise > 0 and here_rise >= max(there_rise, there_charge):
            if isinstance(rule, FlatFreight) and rule.free_over is not None:
                return f"reaches free delivery at {here_name} (over {self.amount(rule.free_over)}; {figures})"
            return f"cheaper weight band at {here_name} ({figures})"
        if there_charge > 0 and there_charge >= there_rise:
            small_order = distributors[there].small_order
            return (
                f"avoids {there_name}'s small-order charge ({self.amount(small_order.charge)} under "
                f"{self.amount(small_order.below)}; {figures})"
            )
        if new_shipment:
            return f"saves a shipment: already shipping from {here_name} ({figures})"
        if there_rise > 0 and there in self.load:
            return f"lighter weight band: keeps {there_name} in a cheaper band ({figures})"
        return (
            f"cheapest once {counted} {'are' if charged else 'is'} counted "
            f"({self.amount(dearer)} dearer than {there_name}, {self.amount(saved)} {counted} saved)"
        )


def distributor_name(scenario: Scenario, distributor: str) -> str:
    """The name a reader knows a distributor by (the scenario's `name`), else its id."""
    rules = scenario.distributors.get(distributor)
    return (rules.name if rules is not None else "") or distributor
