"""A plan with live figures: what `fulfil plan --realtime`, the cart service and the Odoo addon call.

One deadline (`[planner] deadline_ms`) covers the whole plan:
1. offers of distributors with a `[distributors.realtime]` section are refreshed concurrently
   (`RealtimeGateway.refresh`); what has not answered in time keeps its feed figure, marked stale. When
   the cart has a carrier rule (and a carrier account is configured), the distributors get the deadline
   less `[planner] carrier_reserve_ms` (150 ms by default), kept for step 3;
2. the planner (`fulfilment_engine.planner.plan`) chooses the cheapest allocation over those offers;
3. shipments under a carrier freight rule are rated live by UPS/FedEx within what remains of the
   deadline, or keep their fallback-band price (`freight_source="fallback"`).

The returned `Plan` is the planner's, rebuilt with `dataclasses.replace`: allocations carry each offer's
`source`/`stale`, shipments their `freight_source`, and `notes` say which distributors or carriers fell back.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Mapping, Sequence

import httpx

from .carriers import CarrierRater, build_raters
from .carriers.pricing import price_carrier_shipments
from .config import Config
from .domain import CarrierFreight, Offer, Plan, Scenario
from .planner import plan as run_planner  # loads the solver (~0.2 s) now, not inside a plan's deadline
from .realtime import Deadline, RealtimeGateway


async def plan_live_async(
    scenario: Scenario,
    config: Config,
    *,
    client: httpx.AsyncClient | None = None,
    gateway: RealtimeGateway | None = None,
    raters: Mapping[str, CarrierRater] | None = None,
    after_refresh: Callable[[Scenario], Scenario] | None = None,
) -> Plan:
    """Refresh, plan, rate carriers — all under `config.planner.deadline_ms`. Never fails because a
    distributor or carrier misbehaves; only bad input (or a planner failure) raises.

    Pass the process's long-lived `gateway` (breakers, cache, limiter and tokens live there) and `client`
    (an `httpx.AsyncClient` with timeouts); without them, short-lived ones are made for this call.
    `after_refresh` turns the refreshed scenario into the one planned (the service converts a cart's
    figures into its currency there: distributors are asked in theirs).
    """
    deadline = Deadline.after(config.deadline_s)
    rated = any(isinstance(d.freight, CarrierFreight) for d in scenario.distributors.values())
    refresh_deadline = deadline
    if rated and config.carriers:  # keep the carrier's share: a slow distributor must not use it up
        refresh_deadline = Deadline(deadline.at - config.planner.carrier_reserve_s, deadline.clock)
    owned_gateway = gateway is None
    if gateway is None:
        gateway = RealtimeGateway(config, client)
    try:
        refresh = await gateway.refresh(
            scenario.offers, deadline=refresh_deadline, currency=scenario.currency
        )
        live_scenario = dataclasses.replace(scenario, offers=refresh.offers)
        if after_refresh is not None:
            live_scenario = after_refresh(live_scenario)

        plan = await asyncio.to_thread(run_planner, live_scenario, time_limit_s=config.planner.time_limit_s)
        plan = with_offer_sources(plan, refresh.offers)
        if refresh.notes():
            plan = dataclasses.replace(plan, notes=tuple(plan.notes) + refresh.notes())

        if rated:
            if raters is None:
                raters = build_raters(config, client if client is not None else gateway.client)
            plan = await price_carrier_shipments(plan, live_scenario, config, raters, deadline)
        return plan
    finally:
        if owned_gateway:
            await gateway.aclose()


def plan_live(scenario: Scenario, config: Config) -> Plan:
    """Synchronous wrapper for the CLI and for Odoo workers (which run no event loop of their own)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(plan_live_async(scenario, config))
    raise RuntimeError("plan_live() was called inside a running event loop; await plan_live_async() instead")


def with_offer_sources(plan: Plan, offers: Sequence[Offer]) -> Plan:
    """Each allocation states where its figure came from (`realtime`, or `feed` and whether it is stale)."""
    by_key = {(offer.distributor, offer.sku): offer for offer in offers}
    allocations = []
    for allocation in plan.allocations:
        offer = by_key.get((allocation.distributor, allocation.sku))
        if offer is None:
            allocations.append(allocation)
            continue
        allocations.append(
            dataclasses.replace(
                allocation,
                source=offer.source,
                stale=offer.stale,
                distributor_sku=allocation.distributor_sku or offer.part_number,
            )
        )
    return dataclasses.replace(plan, allocations=tuple(allocations))
