"""A scenario turned into exact integers: what the MILP is built from.

Money is scaled to integer units of the data's finest decimal (pence unless some figure has more
places); each weight rule's billable weights and band limits to integer units of that rule (grams or
finer, divided by their common factor). Every comparison the model makes — a band's `max_kg`, a
`free_over` threshold, a started kilogram — is then a comparison of integers, identical to the one
freight.py makes in Decimal.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import pairwise

from ..domain import CarrierFreight, Distributor, FlatFreight, Offer, Product, Scenario, WeightFreight
from ..errors import PlanningError, ScenarioError
from ..freight import dimensional_divisor, unit_billable_volume

# Integer coefficients times their variables' bounds stay below this, so the solver's doubles hold
# every sum exactly (2**53 ≈ 9e15, with room for the objective's weighting).
EXACT_LIMIT = 10**12


def decimal_places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def to_units(value: Decimal, places: int) -> int:
    scaled = value.scaleb(places)
    if scaled != scaled.to_integral_value():  # cannot happen: `places` covers every figure
        raise PlanningError(f"{value} does not fit {places} decimal places")
    return int(scaled)


@dataclass(frozen=True)
class Candidate:
    """One offer the planner may draw from: at most `limit` units (its stock, capped by the demand)."""

    index: int  # column of its quantity in the model
    offer: Offer
    limit: int
    cost: int  # unit cost in money units


@dataclass(frozen=True)
class Band:
    lower: int  # the least billable weight that falls in this band (integer units of the rule)
    upper: int  # its max_kg
    charge: int  # money units


@dataclass(frozen=True)
class WeightModel:
    """A weight-band rule in integers: per-candidate unit weight, reachable bands, started-kg overflow."""

    unit_weight: dict[int, int]  # candidate index -> billable weight per unit
    bands: tuple[Band, ...]
    kilogram: int  # one kg in the rule's units (for the started-kg surcharge)
    per_kg_over: int | None  # money units per started kg above the last band; None: capacity-limited
    last_max: int  # the last band's max_kg (even when unreachable bands were dropped)
    last_charge: int
    max_weight: int  # the heaviest shipment the offers' limits allow

    @property
    def overflow_possible(self) -> bool:
        return self.per_kg_over is not None and self.max_weight > self.last_max

    @property
    def capacity_binds(self) -> bool:
        """Without per_kg_over the rule carries no more than its last band, and the stock could exceed it."""
        return self.per_kg_over is None and self.max_weight > self.last_max

    @property
    def charges_rise(self) -> bool:
        """True when a heavier reachable band never costs less: then 'the cheapest band that holds the
        weight' is 'the first band that holds it' and the model needs no lower band limits."""
        charges = [band.charge for band in self.bands]
        if self.overflow_possible:
            charges.append(self.last_charge)
        return all(a <= b for a, b in pairwise(charges))


@dataclass(frozen=True)
class FlatModel:
    charge: int
    free_over: int | None  # None: never free (or unreachable with these offers)


@dataclass
class Depot:
    """A distributor with at least one usable offer: a possible shipment."""

    distributor: Distributor
    candidates: list[Candidate] = field(default_factory=list)
    flat: FlatModel | None = None
    weight: WeightModel | None = None

    @property
    def id(self) -> str:
        return self.distributor.id

    @property
    def max_goods(self) -> int:
        return sum(c.limit * c.cost for c in self.candidates)

    @property
    def max_freight(self) -> int:
        """The most this distributor's freight can come to for any shipment these offers allow."""
        if self.flat is not None:
            return self.flat.charge
        rule = self.weight
        if rule is None:
            return 0
        most = max(band.charge for band in rule.bands)
        if rule.overflow_possible:
            extra_kg = -(-(rule.max_weight - rule.last_max) // rule.kilogram)
            most = max(most, rule.last_charge + rule.per_kg_over * extra_kg)
        return most

    def most_freight_rise_on_removal(self) -> int:
        """An upper bound on how much taking one unit out of a shipment can raise its freight (losing
        free delivery; a lighter band that costs more; never the per-kg part, which only falls)."""
        if self.flat is not None:
            return self.flat.charge
        if self.weight is not None:
            return max(max(band.charge for band in self.weight.bands), self.weight.last_charge)
        return 0

    def most_freight_rise_on_adding(self, candidate: Candidate) -> int:
        """An upper bound on how much adding one unit of `candidate` can raise the shipment's freight:
        a new shipment or another band, plus the started kilograms that unit's weight can add."""
        if self.flat is not None:
            return self.flat.charge
        rule = self.weight
        if rule is None:
            return 0
        rise = max(max(band.charge for band in rule.bands), rule.last_charge)
        if rule.per_kg_over is not None:
            rise += rule.per_kg_over * (-(-rule.unit_weight[candidate.index] // rule.kilogram) + 1)
        return rise


@dataclass
class Problem:
    scenario: Scenario
    demand: dict[str, int]  # per SKU, cart order
    candidates: list[Candidate]
    depots: list[Depot]
    money_places: int  # money unit = 10**-money_places
    by_sku: dict[str, list[Candidate]]  # the model's candidates per SKU
    every_offer: dict[str, list[Candidate]]  # also the offers dropped as dominated (for the reasons)

    @property
    def penny(self) -> int:
        """Money units per penny (1 unless some figure has more than two decimal places)."""
        return 10 ** (self.money_places - 2)

    def reachable(self, sku: str) -> int:
        """Units of `sku` the offers could supply, ignoring freight capacity."""
        return min(self.demand[sku], sum(c.limit for c in self.by_sku.get(sku, ())))

    @property
    def capacity_binds(self) -> bool:
        return any(d.weight is not None and d.weight.capacity_binds for d in self.depots)

    def everything_reachable_fits(self) -> bool:
        """A quick proof that every reachable unit can ship within the capacity-limited rules: fill each
        SKU from offers without a capacity first, then pack the rest where capacity remains. True proves
        it; False only means the exact stage-1 model has to decide."""
        capacity = {
            d.id: d.weight.last_max for d in self.depots if d.weight is not None and d.weight.capacity_binds
        }
        unit_weight = {
            c.index: d.weight.unit_weight[c.index]
            for d in self.depots
            if d.id in capacity
            for c in d.candidates
        }
        for sku, group in self.by_sku.items():
            need = self.reachable(sku) - sum(c.limit for c in group if c.offer.distributor not in capacity)
            capped = sorted(
                (c for c in group if c.offer.distributor in capacity), key=lambda c: unit_weight[c.index]
            )
            for candidate in capped:
                if need <= 0:
                    break
                weight = unit_weight[candidate.index]
                room = capacity[candidate.offer.distributor]
                take = min(candidate.limit, need, room // weight if weight else need)
                capacity[candidate.offer.distributor] -= take * weight
                need -= take
            if need > 0:
                return False
        return True


def product_of(scenario: Scenario, sku: str) -> Product:
    product = scenario.products.get(sku)
    if product is None:
        raise ScenarioError("$.products", f"SKU {sku!r} is offered and wanted but has no product entry")
    return product


def prepare(scenario: Scenario) -> Problem:
    demand = scenario.demand()
    usable: list[Offer] = []
    for offer in scenario.offers:
        if offer.distributor not in scenario.distributors:
            raise ScenarioError(
                "$.offers", f"offer of {offer.sku!r} names unknown distributor {offer.distributor!r}"
            )
        if offer.stock > 0 and demand.get(offer.sku, 0) > 0:
            product_of(scenario, offer.sku)  # weights and shipments need it
            usable.append(offer)

    money_places = max(
        [2]
        + [decimal_places(o.cost) for o in usable]
        + [decimal_places(v) for d in {o.distributor for o in usable} for v in _money_figures(scenario, d)]
    )
    offered = [
        Candidate(index=i, offer=o, limit=min(o.stock, demand[o.sku]), cost=to_units(o.cost, money_places))
        for i, o in enumerate(usable)
    ]
    depots = _depots(scenario, offered, money_places)
    kept = _without_dominated(offered, depots, demand, 10 ** (money_places - 2))
    if len(kept) < len(offered):
        # Model columns are numbered 0..n-1; the dropped offers keep numbers after them for the reasons.
        kept_ids = {c.index for c in kept}
        dropped = [c for c in offered if c.index not in kept_ids]
        renumbered = [Candidate(i, c.offer, c.limit, c.cost) for i, c in enumerate([*kept, *dropped])]
        kept, offered = renumbered[: len(kept)], renumbered
        depots = _depots(scenario, kept, money_places)

    by_sku: dict[str, list[Candidate]] = {}
    for candidate in kept:
        by_sku.setdefault(candidate.offer.sku, []).append(candidate)
    every_offer: dict[str, list[Candidate]] = {}
    for candidate in offered:
        every_offer.setdefault(candidate.offer.sku, []).append(candidate)

    problem = Problem(scenario, demand, kept, depots, money_places, by_sku, every_offer)
    _check_magnitudes(problem)
    return problem


def _depots(scenario: Scenario, candidates: list[Candidate], money_places: int) -> list[Depot]:
    depots: dict[str, Depot] = {}
    for candidate in candidates:
        dist_id = candidate.offer.distributor
        depot = depots.setdefault(dist_id, Depot(scenario.distributors[dist_id]))
        depot.candidates.append(candidate)
    # Deterministic shipment order: as the scenario declares its distributors.
    ordered = [depots[d] for d in scenario.distributors if d in depots]
    for depot in ordered:
        _attach_freight(depot, scenario, money_places)
    return ordered


def _without_dominated(
    candidates: list[Candidate], depots: list[Depot], demand: dict[str, int], penny: int
) -> list[Candidate]:
    """Drop offers no optimal plan can use.

    Offer o at distributor d is dropped when the offers of its SKU that are each cheaper than o by more
    than (what taking one unit off d's shipment can add to d's freight) + (what adding that unit to their
    own shipment can add to theirs) + rounding, at distributors without a capacity limit, together stock
    the whole demand. If a plan took a unit from o, one of those offers would have a unit to spare (the
    plan takes fewer than the demand from them), and moving the unit there lowers the goods by more than
    it can raise the freight: same units, a strictly lower total, so that plan was not optimal.
    """
    depot_of = {d.id: d for d in depots}
    uncapped = {d.id for d in depots if d.weight is None or not d.weight.capacity_binds}
    margin = 0 if penny == 1 else 2 * penny  # goods and freight rounded to pence per shipment
    losing = {d.id: d.most_freight_rise_on_removal() for d in depots}
    by_sku: dict[str, list[Candidate]] = {}
    for candidate in candidates:
        by_sku.setdefault(candidate.offer.sku, []).append(candidate)
    dropped: set[int] = set()
    for sku, group in by_sku.items():
        if len(group) < 2:
            continue
        # What the cheaper offer must undercut by: the freight its own shipment can gain by one more unit.
        helpers = [
            (c.cost + depot_of[c.offer.distributor].most_freight_rise_on_adding(c) + margin, c.offer.stock)
            for c in group
            if c.offer.distributor in uncapped
        ]
        for candidate in group:
            threshold = candidate.cost - losing[candidate.offer.distributor]
            cover = sum(stock for bar, stock in helpers if bar < threshold)
            if cover >= demand[sku]:
                dropped.add(candidate.index)
    return [c for c in candidates if c.index not in dropped]


def _money_figures(scenario: Scenario, distributor_id: str) -> list[Decimal]:
    rule = scenario.distributors[distributor_id].freight
    if isinstance(rule, FlatFreight):
        return [rule.charge] + ([rule.free_over] if rule.free_over is not None else [])
    weight_rule = rule.fallback if isinstance(rule, CarrierFreight) else rule
    if isinstance(weight_rule, WeightFreight):
        figures = [band.charge for band in weight_rule.bands]
        return figures + ([weight_rule.per_kg_over] if weight_rule.per_kg_over is not None else [])
    return []


def _attach_freight(depot: Depot, scenario: Scenario, money_places: int) -> None:
    rule = depot.distributor.freight
    if isinstance(rule, FlatFreight):
        charge = to_units(rule.charge, money_places)
        free_over = None if rule.free_over is None else to_units(rule.free_over, money_places)
        if free_over is not None and free_over <= 0:
            charge = 0  # free whatever it ships
        if free_over is not None and free_over > depot.max_goods:
            free_over = None  # these offers can never reach it
        if charge > 0:
            depot.flat = FlatModel(charge, free_over)
        return
    weight_rule = rule.fallback if isinstance(rule, CarrierFreight) else rule
    if isinstance(weight_rule, WeightFreight):
        depot.weight = _weight_model(depot, weight_rule, rule, scenario, money_places)


def _weight_model(depot: Depot, weight_rule: WeightFreight, rule, scenario: Scenario, money_places: int):
    # Billable weight × divisor per unit (exact decimals, as freight.billable_weight sums them).
    rule_divisor = dimensional_divisor(rule)
    divisor = rule_divisor or Decimal(1)
    per_unit = {}
    for candidate in depot.candidates:
        product = product_of(scenario, candidate.offer.sku)
        per_unit[candidate.index] = (
            unit_billable_volume(product, rule_divisor) if rule_divisor else product.weight_kg
        )
    limits = [band.max_kg * divisor for band in weight_rule.bands]
    figures = [*per_unit.values(), *limits, divisor]
    places = max(decimal_places(v) for v in figures)
    ints = [to_units(v, places) for v in figures]
    common = 0
    for value in ints:
        common = math.gcd(common, value)
    common = common or 1

    def scaled(value: Decimal) -> int:
        return to_units(value, places) // common

    unit_weight = {index: scaled(value) for index, value in per_unit.items()}
    kilogram = scaled(divisor)
    uppers = [scaled(limit) for limit in limits]
    charges = [to_units(band.charge, money_places) for band in weight_rule.bands]
    max_weight = sum(unit_weight[c.index] * c.limit for c in depot.candidates)

    bands = []
    lower = 0
    for upper, charge in zip(uppers, charges, strict=True):
        if lower > max_weight:
            break  # no shipment from these offers is that heavy
        bands.append(Band(lower, upper, charge))
        lower = upper + 1
    per_kg = None if weight_rule.per_kg_over is None else to_units(weight_rule.per_kg_over, money_places)
    return WeightModel(
        unit_weight=unit_weight,
        bands=tuple(bands),
        kilogram=kilogram,
        per_kg_over=per_kg,
        last_max=uppers[-1],
        last_charge=charges[-1],
        max_weight=max_weight,
    )


def _check_magnitudes(problem: Problem) -> None:
    largest = sum(d.max_goods for d in problem.depots)
    for depot in problem.depots:
        if depot.weight is not None:
            largest = max(largest, depot.weight.max_weight, depot.weight.last_max)
            if depot.weight.per_kg_over is not None:
                over_kg = -(-max(0, depot.weight.max_weight - depot.weight.last_max) // depot.weight.kilogram)
                largest = max(largest, depot.weight.per_kg_over * over_kg)
    if largest * (len(problem.depots) + 1) > EXACT_LIMIT:
        raise PlanningError(
            "figures too large or too finely divided to plan exactly "
            f"(largest sum {largest} in units of 10^-{problem.money_places})"
        )
