"""The few calls into `fulfilment_engine` the addon makes, with Odoo-free signatures.

The engine is plain Python (no Odoo import); this module turns its async real-time gateway into the
synchronous calls an Odoo worker makes, and loads fulfil.toml once per path and modification time.
"""

import asyncio
import dataclasses
import os
from decimal import Decimal

from fulfilment_engine.config import load_config
from fulfilment_engine.domain import Distributor, Offer, Plan, Scenario, SmallOrderCharge

_CONFIG_CACHE = {}


def engine_config(path):
    """The parsed fulfil.toml at `path`, re-read when the file changes."""
    stamp = os.stat(path).st_mtime_ns
    cached = _CONFIG_CACHE.get(path)
    if cached and cached[0] == stamp:
        return cached[1]
    config = load_config(path)
    _CONFIG_CACHE[path] = (stamp, config)
    return config


def run_plan(scenario: Scenario, config_path: str | None = None) -> Plan:
    """The engine's plan: live figures first when a fulfil.toml is given, else the offers as they stand."""
    if config_path:
        from fulfilment_engine.live import plan_live

        return plan_live(scenario, engine_config(config_path))
    from fulfilment_engine.planner import plan

    return plan(scenario)


def live_offers(offers: list[Offer], config_path: str, currency: str) -> tuple[Offer, ...]:
    """`offers` refreshed by the distributors that answer real-time queries, under the configured deadline.

    Offers of distributors without real-time come back unchanged; those that did not answer in time
    come back with their feed figure, `stale=True`.
    """
    from fulfilment_engine.realtime import Deadline, RealtimeGateway

    config = engine_config(config_path)

    async def refresh():
        gateway = RealtimeGateway(config, limiter=_process_limiter(config))
        try:
            result = await gateway.refresh(
                offers, deadline=Deadline.after(config.deadline_s), currency=currency
            )
            return result.offers
        finally:
            await gateway.aclose()

    return asyncio.run(refresh())


def with_small_order(distributor: Distributor, below: float, charge: float) -> Distributor:
    """`distributor` with the small-order charge of its partner's fields (`small_order_threshold`,
    `small_order_charge`), so the planner prices what Ship will add to its purchase order: `charge`
    when the goods are under `below`. Without a charge or a threshold Ship adds none, and nor does this.
    """
    if charge <= 0 or below <= 0:
        return distributor
    rule = SmallOrderCharge(below=to_decimal(below, 4), charge=to_decimal(charge, 4))
    return dataclasses.replace(distributor, small_order=rule)


def to_decimal(value: float, places: int = 6) -> Decimal:
    """An Odoo float as the exact decimal a person typed (Odoo stores money and weights as floats)."""
    return Decimal(repr(round(value, places)))


# ------------------------------------------------------------------------------------- distributor APIs

_LIMITERS = {}  # (limiter kind, url) → the process's limiter: one budget per account, shared by every call
_TOKENS = {}  # account → the process's token cache for it


def _process_limiter(config):
    from fulfilment_engine.realtime.ratelimit import build_limiter

    key = (config.realtime.limiter, config.realtime.limiter_url)
    if key not in _LIMITERS:
        _LIMITERS[key] = build_limiter(*key)
    return _LIMITERS[key]


def distributor_orders(config_path, engine_id, client):
    """The order client of distributor `engine_id` in fulfil.toml at `config_path` (its
    `[distributors.orders]`), on the injected `httpx.Client`, with this process's limiter and token cache
    for the account — the ones the real-time queries use too. None when fulfil.toml has no order account
    for it."""
    from fulfilment_engine.distributors.ingram_orders import IngramOrders
    from fulfilment_engine.realtime.oauth import SyncTokenCache

    config = engine_config(config_path)
    distributor = config.distributors.get(engine_id)
    if distributor is None or distributor.orders is None:
        return None
    account = distributor.orders
    tokens = _TOKENS.setdefault(account.account, SyncTokenCache())
    return IngramOrders(engine_id, account, client, limiter=_process_limiter(config), tokens=tokens)
