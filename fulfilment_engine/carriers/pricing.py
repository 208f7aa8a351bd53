"""Live carrier prices for a plan's carrier-rule shipments, within what remains of the plan's deadline.

The planner prices a `{"type": "carrier"}` rule by its fallback weight bands (it cannot call a carrier for
every allocation it considers). Once the plan is chosen, each such shipment is rated live; the carrier's
price replaces the band figure (`freight_source="carrier"`), and a carrier that does not answer in time —
or fails — leaves the band figure in place with `freight_source="fallback"`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Mapping

from ..config import Config
from ..domain import CarrierFreight, Plan, Scenario, Shipment, money
from ..errors import CarrierUnavailable
from ..realtime.base import Deadline
from .base import Address, CarrierQuote, CarrierRater, RateQuery
from .parcels import billable_weight_kg, parcels_for

log = logging.getLogger("fulfilment_engine.carriers")


def rate_query(
    plan: Plan, scenario: Scenario, config: Config, shipment: Shipment, rule: CarrierFreight
) -> RateQuery:
    lines = [
        (scenario.products[a.sku], a.qty)
        for a in plan.allocations
        if a.distributor == shipment.distributor and a.sku in scenario.products
    ]
    dist_config = config.distributors.get(shipment.distributor)
    carrier_config = config.carriers.get(rule.carrier)
    country = (dist_config.ship_from_country if dist_config else "") or (
        carrier_config.ship_from_country if carrier_config else ""
    )
    postcode = (dist_config.ship_from_postcode if dist_config else "") or (
        carrier_config.ship_from_postcode if carrier_config else ""
    )
    distributor = scenario.distributors.get(shipment.distributor)
    return RateQuery(
        service=rule.service,
        ship_from=Address(country, postcode),
        ship_to=Address(scenario.ship_to.country, scenario.ship_to.postcode),
        parcels=parcels_for(lines),
        currency=scenario.currency,
        shipper_name=distributor.name if distributor else shipment.distributor,
    )


async def price_carrier_shipments(
    plan: Plan, scenario: Scenario, config: Config, raters: Mapping[str, CarrierRater], deadline: Deadline
) -> Plan:
    jobs: dict[int, tuple[RateQuery, asyncio.Task | None, str]] = {}
    for index, shipment in enumerate(plan.shipments):
        distributor = scenario.distributors.get(shipment.distributor)
        rule = distributor.freight if distributor else None
        if not isinstance(rule, CarrierFreight):
            continue
        query = rate_query(plan, scenario, config, shipment, rule)
        rater = raters.get(rule.carrier)
        if rater is None:
            jobs[index] = (query, None, f"no [carriers.{rule.carrier}] account configured")
        elif deadline.remaining() <= 0:
            jobs[index] = (query, None, "no time left before the deadline")
        else:
            jobs[index] = (query, asyncio.ensure_future(rater.rate(query)), "")
    if not jobs:
        return plan

    tasks = [task for _, task, _ in jobs.values() if task is not None]
    if tasks:
        await asyncio.wait(tasks, timeout=deadline.remaining())

    shipments = list(plan.shipments)
    notes = list(plan.notes)
    for index, (query, task, reason) in jobs.items():
        shipment = shipments[index]
        rule = scenario.distributors[shipment.distributor].freight
        quote: CarrierQuote | None = None
        if task is not None:
            if not task.done():
                task.cancel()
                reason = f"no answer within the {config.planner.deadline_ms} ms deadline"
            elif isinstance(task.exception(), CarrierUnavailable):
                reason = task.exception().reason
            elif task.exception() is not None:
                log.error("carrier %s: unexpected error", rule.carrier, exc_info=task.exception())
                reason = f"internal error: {task.exception()}"
            else:
                quote = task.result()
                if query.currency and quote.currency and quote.currency.upper() != query.currency.upper():
                    reason, quote = f"priced in {quote.currency}, the plan is in {query.currency}", None
        if quote is not None:
            shipments[index] = dataclasses.replace(
                shipment,
                freight=money(quote.charge),
                freight_source="carrier",
                billable_weight_kg=billable_weight_kg(query.parcels),
            )
        else:
            log.warning(
                "carrier %s for %s: %s; fallback weight bands used",
                rule.carrier,
                shipment.distributor,
                reason,
            )
            shipments[index] = dataclasses.replace(shipment, freight_source="fallback")
            notes.append(
                f"{shipment.distributor}: {rule.carrier.upper()} rate not available ({reason}); "
                "fallback weight bands used"
            )
    return dataclasses.replace(plan, shipments=tuple(shipments), notes=tuple(notes))
