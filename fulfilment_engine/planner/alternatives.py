"""The runner-up of each allocation: what the cart would cost if that distributor could not have that SKU.

For every allocation of a plan the planner is asked again, on the same scenario less that one offer
(the distributor's offer of that SKU); the runner-up is whoever ships those units then, and its price is
the whole cart's total that way — goods, freight and small-order charges, proven optimal like the plan
itself. Both sides are planned on the same figures: the plan's own unit costs for the offers it used
(they may be live), and the planner's freight (carrier rules at their fallback bands), so the difference
is the true cost of the choice and not of a pricing difference.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from decimal import Decimal

from ..domain import Plan, Scenario
from .solve import plan as best_plan

MAX_ALTERNATIVES = 30  # one plan each: a bound on the work for very long carts


@dataclasses.dataclass(frozen=True)
class RunnerUp:
    sku: str
    chosen: str  # the distributor the plan chose for these units
    distributors: tuple[str, ...]  # who ships this SKU instead; empty: nobody else can
    total: Decimal | None  # the cart's total that way; None when fewer units could be placed
    extra: Decimal | None  # total − the plan's total on the same figures


def runner_ups(
    scenario: Scenario,
    plan: Plan,
    *,
    limit: int = MAX_ALTERNATIVES,
    time_limit_s: float | None = None,
    base: Plan | None = None,
) -> Mapping[tuple[str, str], RunnerUp]:
    """{(sku, chosen distributor): RunnerUp} for the plan's first `limit` allocations.

    `base`: the plan that `plan()` makes of `scenario` itself, when the caller has it (it planned the
    scenario with `plan()`, no live figures): its units and total are the ones the comparison needs, so
    the scenario is not planned again. Any plan the planner proved optimal has them.
    """
    used = {(a.sku, a.distributor): a.unit_cost for a in plan.allocations}
    as_planned = dataclasses.replace(
        scenario,
        offers=tuple(
            dataclasses.replace(o, cost=used[(o.sku, o.distributor)]) if (o.sku, o.distributor) in used else o
            for o in scenario.offers
        ),
    )
    if base is None:
        base = best_plan(as_planned, time_limit_s=time_limit_s)
    placed = sum(a.qty for a in base.allocations)
    out: dict[tuple[str, str], RunnerUp] = {}
    for sku, chosen in list(dict.fromkeys((a.sku, a.distributor) for a in plan.allocations))[:limit]:
        without = dataclasses.replace(
            as_planned,
            offers=tuple(o for o in as_planned.offers if (o.sku, o.distributor) != (sku, chosen)),
        )
        other = best_plan(without, time_limit_s=time_limit_s)
        instead = tuple(dict.fromkeys(a.distributor for a in other.allocations if a.sku == sku))
        if sum(a.qty for a in other.allocations) < placed:
            out[(sku, chosen)] = RunnerUp(sku, chosen, instead, None, None)
        else:
            out[(sku, chosen)] = RunnerUp(sku, chosen, instead, other.total, other.total - base.total)
    return out
