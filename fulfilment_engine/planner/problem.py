"""A scenario turned into exact integers: what the MILP is built from.

Money is scaled to integer units of the data's finest decimal (pence unless some figure has more
places); each weight rule's billable weights and band limits to integer units of that rule (grams or
finer, divided by their common factor). Every comparison the model makes — a band's `max_kg`, a
`free_over` or small-order threshold, a started kilogram — is then a comparison of integers, identical
to the one freight.py makes in Decimal.

Offers that no optimal plan can use are dropped here (`_without_dominated`), each by an argument that
holds for every optimal plan; they stay listed in `every_offer` for the reasons a plan gives.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from itertools import accumulate, pairwise
from typing import NamedTuple

from ..domain import CarrierFreight, Distributor, FlatFreight, Offer, Product, Scenario, WeightFreight, money
from ..errors import PlanningError, ScenarioError
from ..freight import dimensional_divisor, unit_billable_volume

# Integer coefficients times their variables' bounds stay below this, so the solver's doubles hold
# every sum exactly (2**53 ≈ 9e15, with room for the objective's weighting).
EXACT_LIMIT = 10**12


def decimal_places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def money_places(values) -> int:
    """Decimal places of the finest figure, at least 2. Only figures written with more than two
    places need the (slower) normalisation: "9.950" is still pence."""
    places = 2
    for value in values:
        if value.as_tuple().exponent < -2:
            places = max(places, decimal_places(value))
    return places


def _costs_in_units(offers: list[Offer], places: int) -> list[int] | None:
    """Every offer's cost in units of 10**-places, or None when one does not fit exactly."""
    costs = []
    for offer in offers:
        scaled = offer.cost.scaleb(places)
        units = int(scaled)
        if units != scaled:
            return None
        costs.append(units)
    return costs


def to_units(value: Decimal, places: int) -> int:
    scaled = value.scaleb(places)
    if scaled != scaled.to_integral_value():  # cannot happen: `places` covers every figure
        raise PlanningError(f"{value} does not fit {places} decimal places")
    return int(scaled)


class Candidate(NamedTuple):
    """One offer the planner may draw from: at most `limit` units (its stock, capped by the demand).
    (A named tuple: a plan builds hundreds of these, and they are immutable either way.)"""

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

    @cached_property
    def highest_charge(self) -> int:
        return max(max(band.charge for band in self.bands), self.last_charge)


@dataclass(frozen=True)
class FlatModel:
    charge: int
    free_over: int | None  # None: never free (or unreachable with these offers)


@dataclass(frozen=True)
class SmallOrderModel:
    """A small-order charge in integers: `charge` (already rounded to the penny, so the plan's rounded
    total adds exactly this) on a shipment whose goods are below `below`."""

    charge: int
    below: int | None  # None: these offers can never reach it (every shipment pays the charge)


@dataclass
class Depot:
    """A distributor with at least one usable offer: a possible shipment."""

    distributor: Distributor
    candidates: list[Candidate] = field(default_factory=list)
    flat: FlatModel | None = None
    weight: WeightModel | None = None
    small_order: SmallOrderModel | None = None

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

    def most_cost_rise_on_removal(self) -> int:
        """An upper bound on how much taking one unit out of a shipment can raise its freight and
        charges.

        A flat rule rises only by losing free delivery; bands that never get cheaper as they get heavier
        never rise when the shipment gets lighter (and the per-kg part only falls); otherwise a lighter
        band may cost up to the dearest charge. A small-order charge rises only by falling below its
        threshold (one that cannot be reached is paid either way).
        """
        charge = self.small_order
        return self._freight_rise_on_removal() + (
            charge.charge if charge is not None and charge.below is not None else 0
        )

    def _freight_rise_on_removal(self) -> int:
        if self.flat is not None:
            return self.flat.charge if self.flat.free_over is not None else 0
        rule = self.weight
        if rule is None:
            return 0
        if rule.charges_rise and (rule.per_kg_over is None or rule.per_kg_over >= 0):
            return 0
        return rule.highest_charge

    def most_cost_rise_on_adding(self, candidate: Candidate, *, ships_anyway: bool = False) -> int:
        """An upper bound on how much adding one unit of `candidate` can raise the shipment's freight and
        charges: a new shipment or another band, plus the started kilograms that unit's weight can add,
        plus a new shipment's small-order charge.

        `ships_anyway`: every optimal plan ships from this distributor, so no shipment is opened; a flat
        rule then never rises (more goods can only reach free delivery), a rule-free one ships free, and
        a small-order charge can only be waived. (More goods never add a small-order charge to a
        shipment already made, and a new one holding a unit that costs the threshold on its own pays
        none.)
        """
        charge = self.small_order
        opening = (
            charge.charge
            if charge is not None
            and not ships_anyway
            and (charge.below is None or candidate.cost < charge.below)
            else 0
        )
        return opening + self._freight_rise_on_adding(candidate, ships_anyway=ships_anyway)

    def _freight_rise_on_adding(self, candidate: Candidate, *, ships_anyway: bool) -> int:
        if self.flat is not None:
            return 0 if ships_anyway else self.flat.charge
        rule = self.weight
        if rule is None:
            return 0
        rise = rule.highest_charge
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
    not_delivering: tuple[str, ...] = ()  # distributors with offers wanted here that do not deliver here

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


@dataclass(frozen=True)
class _WeightScale:
    """A weight rule's integer units, fixed once for every offer the scenario lets it carry."""

    per_unit: dict[str, int]  # SKU -> billable weight per unit
    uppers: tuple[int, ...]  # each band's max_kg
    kilogram: int


def prepare(scenario: Scenario) -> Problem:
    demand = scenario.demand()
    distributors = scenario.distributors
    usable: list[Offer] = []
    not_delivering: dict[str, None] = {}
    for offer in scenario.offers:
        if offer.distributor not in distributors:
            raise ScenarioError(
                "$.offers", f"offer of {offer.sku!r} names unknown distributor {offer.distributor!r}"
            )
        if offer.stock > 0 and demand.get(offer.sku, 0) > 0:
            if not distributors[offer.distributor].delivers_to(scenario.ship_to.country):
                not_delivering[offer.distributor] = None
                continue
            usable.append(offer)
    for sku in {offer.sku for offer in usable}:
        product_of(scenario, sku)  # weights and shipments need it

    shipping = {offer.distributor for offer in usable}
    places = money_places([v for d in shipping for v in _money_figures(scenario, d)])
    costs = _costs_in_units(usable, places)
    if costs is None:  # some cost has more than `places` decimals: rare, and then exactness rules
        places = max(places, money_places([offer.cost for offer in usable]))
        costs = [to_units(offer.cost, places) for offer in usable]
    offered = [Candidate(i, o, min(o.stock, demand[o.sku]), costs[i]) for i, o in enumerate(usable)]
    skus_at: dict[str, list[str]] = {}
    for candidate in offered:
        skus_at.setdefault(candidate.offer.distributor, []).append(candidate.offer.sku)
    unit_figures: dict[tuple[str, Decimal | None], Decimal] = {}  # shared by rules with the same divisor
    scales = {d: _weight_scale(scenario, d, skus, unit_figures) for d, skus in skus_at.items()}
    depots = _depots(scenario, offered, places, scales)
    kept = _without_dominated(offered, depots, demand, 10 ** (places - 2))
    if len(kept) < len(offered):
        # Model columns are numbered 0..n-1; the dropped offers keep numbers after them for the reasons.
        kept_ids = {c.index for c in kept}
        dropped = [c for c in offered if c.index not in kept_ids]
        renumbered = [Candidate(i, c.offer, c.limit, c.cost) for i, c in enumerate([*kept, *dropped])]
        kept, offered = renumbered[: len(kept)], renumbered
        depots = _depots(scenario, kept, places, scales)

    by_sku: dict[str, list[Candidate]] = {}
    for candidate in kept:
        by_sku.setdefault(candidate.offer.sku, []).append(candidate)
    every_offer: dict[str, list[Candidate]] = {}
    for candidate in offered:
        every_offer.setdefault(candidate.offer.sku, []).append(candidate)

    problem = Problem(scenario, demand, kept, depots, places, by_sku, every_offer, tuple(not_delivering))
    _check_magnitudes(problem)
    return problem


def _depots(
    scenario: Scenario, candidates: list[Candidate], money_places: int, scales: dict[str, _WeightScale | None]
) -> list[Depot]:
    depots: dict[str, Depot] = {}
    for candidate in candidates:
        dist_id = candidate.offer.distributor
        depot = depots.get(dist_id)
        if depot is None:
            depot = depots[dist_id] = Depot(scenario.distributors[dist_id])
        depot.candidates.append(candidate)
    # Deterministic shipment order: as the scenario declares its distributors.
    ordered = [depots[d] for d in scenario.distributors if d in depots]
    for depot in ordered:
        _attach_freight(depot, money_places, scales[depot.id])
        _attach_small_order(depot, money_places)
    return ordered


def _without_dominated(
    candidates: list[Candidate], depots: list[Depot], demand: dict[str, int], penny: int
) -> list[Candidate]:
    """Drop offers no optimal plan can use.

    Offer o at distributor d is dropped when the offers of its SKU that are each cheaper than o by more
    than (what taking one unit off d's shipment can add to d's freight and small-order charge) + (what
    adding that unit to their own shipment can add to theirs) + rounding, at distributors without a
    capacity limit, together stock the whole demand. If a plan took a unit from o, one of those offers
    would have a unit to spare (the plan takes fewer than the demand from them), and moving the unit
    there lowers the goods by more than it can raise the freight and charges: same units, a strictly
    lower total, so that plan was not optimal.

    When no rule limits capacity, every optimal plan places every reachable unit; a distributor whose
    offers some SKU cannot do without then ships in every optimal plan, so adding a unit there opens no
    shipment (and costs nothing extra at a flat or rule-free distributor, and can only waive a
    small-order charge). Dropping offers can make more distributors indispensable, so the rule is
    applied until nothing changes.
    """
    depot_of = {d.id: d for d in depots}
    uncapped = {d.id for d in depots if d.weight is None or not d.weight.capacity_binds}
    every_unit_ships = len(uncapped) == len(depots)
    # Money finer than pence: the two shipments' goods and freight are each rounded to the penny, and
    # each of those four roundings can move the change in the total by less than a penny. (Small-order
    # charges are whole pence already.)
    margin = 0 if penny == 1 else 4 * penny
    losing = {d.id: d.most_cost_rise_on_removal() for d in depots}
    groups: dict[str, list[Candidate]] = {}
    for candidate in candidates:
        groups.setdefault(candidate.offer.sku, []).append(candidate)
    # What a cheaper offer must undercut by: the freight and charges its own shipment can gain by one
    # more unit (in a shipment that may be new, and in one that every optimal plan makes anyway).
    rise = {}
    for candidate in candidates:
        depot = depot_of[candidate.offer.distributor]
        rise[candidate.index] = (
            depot.most_cost_rise_on_adding(candidate),
            depot.most_cost_rise_on_adding(candidate, ships_anyway=True),
        )

    dropped: set[int] = set()
    indispensable: set[str] = set()

    def drop_dominated(sku: str) -> None:
        group = [c for c in groups[sku] if c.index not in dropped]
        if len(group) < 2:
            return
        helpers = sorted(
            (c.cost + rise[c.index][c.offer.distributor in indispensable] + margin, c.offer.stock)
            for c in group
            if c.offer.distributor in uncapped
        )
        bars = [bar for bar, _ in helpers]
        cover = list(accumulate(stock for _, stock in helpers))
        for candidate in group:
            # The helpers strictly below the threshold are bars[:k], stocking cover[k - 1] units.
            k = bisect_left(bars, candidate.cost - losing[candidate.offer.distributor])
            if k and cover[k - 1] >= demand[sku]:
                dropped.add(candidate.index)

    def needed_distributors(sku: str) -> set[str]:
        held: dict[str, int] = {}
        for c in groups[sku]:
            if c.index not in dropped:
                held[c.offer.distributor] = held.get(c.offer.distributor, 0) + c.limit
        total = sum(held.values())
        reachable = min(demand[sku], total)
        return {dist for dist, units in held.items() if total - units < reachable}

    pending = list(groups)
    while pending:
        for sku in pending:
            drop_dominated(sku)
        if not every_unit_ships:
            break
        # Dropping offers only shrinks the helpers; what can drop more is a distributor found to ship in
        # every optimal plan. Look again at the SKUs offered there.
        fresh = set().union(*(needed_distributors(sku) for sku in pending)) - indispensable
        indispensable |= fresh
        pending = [sku for sku, group in groups.items() if any(c.offer.distributor in fresh for c in group)]
    return [c for c in candidates if c.index not in dropped]


def _money_figures(scenario: Scenario, distributor_id: str) -> list[Decimal]:
    distributor = scenario.distributors[distributor_id]
    # The threshold is compared with exact goods, so it needs exact units; the charge is rounded to the
    # penny wherever it is counted (see _attach_small_order), so it needs none.
    figures = [] if distributor.small_order is None else [distributor.small_order.below]
    rule = distributor.freight
    if isinstance(rule, FlatFreight):
        return [*figures, rule.charge] + ([rule.free_over] if rule.free_over is not None else [])
    weight_rule = rule.fallback if isinstance(rule, CarrierFreight) else rule
    if isinstance(weight_rule, WeightFreight):
        figures += [band.charge for band in weight_rule.bands]
        return figures + ([weight_rule.per_kg_over] if weight_rule.per_kg_over is not None else [])
    return figures


def _weight_scale(
    scenario: Scenario,
    distributor_id: str,
    skus: list[str],
    unit_figures: dict[tuple[str, Decimal | None], Decimal],
) -> _WeightScale | None:
    """The integer units of a weight rule: billable weight × divisor per unit (exact decimals, as
    freight.billable_weight sums them), band limits and one kilogram, all scaled by the same power of
    ten and divided by their common factor."""
    rule = scenario.distributors[distributor_id].freight
    weight_rule = rule.fallback if isinstance(rule, CarrierFreight) else rule
    if not isinstance(weight_rule, WeightFreight):
        return None
    rule_divisor = dimensional_divisor(rule)
    divisor = rule_divisor or Decimal(1)
    per_unit: dict[str, Decimal] = {}
    for sku in skus:
        figure = unit_figures.get((sku, rule_divisor))
        if figure is None:
            product = scenario.products[sku]
            figure = unit_billable_volume(product, rule_divisor) if rule_divisor else product.weight_kg
            unit_figures[(sku, rule_divisor)] = figure
        per_unit[sku] = figure
    limits = [band.max_kg * divisor for band in weight_rule.bands]
    figures = [*per_unit.values(), *limits, divisor]
    # Any power of ten that makes every figure whole will do: the common factor removes the excess.
    places = max(0, -min(value.as_tuple().exponent for value in figures))
    ints = [int(value.scaleb(places)) for value in figures]
    common = 0
    for value in ints:
        common = math.gcd(common, value)
    common = common or 1
    scaled = [value // common for value in ints]
    count = len(per_unit)
    return _WeightScale(
        per_unit=dict(zip(per_unit, scaled[:count], strict=True)),
        uppers=tuple(scaled[count : count + len(limits)]),
        kilogram=scaled[-1],
    )


def _attach_freight(depot: Depot, money_places: int, scale: _WeightScale | None) -> None:
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
    if scale is not None:
        weight_rule = rule.fallback if isinstance(rule, CarrierFreight) else rule
        depot.weight = _weight_model(depot, weight_rule, scale, money_places)


def _attach_small_order(depot: Depot, money_places: int) -> None:
    rule = depot.distributor.small_order
    if rule is None:
        return
    if rule.charge < 0:  # a scenario file cannot say this (scenario.py); one built in code can
        raise ScenarioError(
            "$.distributors", f"{depot.id}'s small-order charge must be at least 0, got {rule.charge}"
        )
    # The plan shows each shipment's charge rounded to the penny, and its total adds those: a charge
    # is all or nothing, so its rounded value is a constant the model can use as it stands.
    charge = to_units(money(rule.charge), money_places)
    below = to_units(rule.below, money_places)
    if charge <= 0 or below <= 0:
        return  # nothing to pay, or no shipment's goods are below it
    depot.small_order = SmallOrderModel(charge, below if below <= depot.max_goods else None)


def _weight_model(depot: Depot, weight_rule: WeightFreight, scale: _WeightScale, money_places: int):
    unit_weight = {c.index: scale.per_unit[c.offer.sku] for c in depot.candidates}
    charges = [to_units(band.charge, money_places) for band in weight_rule.bands]
    max_weight = sum(unit_weight[c.index] * c.limit for c in depot.candidates)

    bands = []
    lower = 0
    for upper, charge in zip(scale.uppers, charges, strict=True):
        if lower > max_weight:
            break  # no shipment from these offers is that heavy
        bands.append(Band(lower, upper, charge))
        lower = upper + 1
    per_kg = None if weight_rule.per_kg_over is None else to_units(weight_rule.per_kg_over, money_places)
    return WeightModel(
        unit_weight=unit_weight,
        bands=tuple(bands),
        kilogram=scale.kilogram,
        per_kg_over=per_kg,
        last_max=scale.uppers[-1],
        last_charge=charges[-1],
        max_weight=max_weight,
    )


def _check_magnitudes(problem: Problem) -> None:
    largest = sum(d.max_goods + (d.small_order.charge if d.small_order else 0) for d in problem.depots)
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
