"""Reading the store: offers for a cart's SKUs (one indexed query), products, distributors."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import Connection, exists, select

from ..domain import Offer, Product
from ..feeds.distributors import DistributorRecord
from ..scenario import parse_freight, parse_small_order
from .schema import distributors, offers, products

_OFFERS = (
    select(
        offers.c.distributor,
        offers.c.sku,
        offers.c.stock,
        offers.c.cost,
        offers.c.distributor_sku,
        distributors.c.feed_loaded_at,
    )
    .select_from(offers.outerjoin(distributors, distributors.c.id == offers.c.distributor))
    .order_by(offers.c.sku, offers.c.distributor)
)


def read_offers(
    conn: Connection, skus: Iterable[str], only: Iterable[str] | None = None, now: datetime | None = None
) -> list[Offer]:
    wanted = sorted(set(skus))
    if not wanted:
        return []
    query = _OFFERS.where(offers.c.sku.in_(wanted))
    if only is not None:
        chosen = sorted(set(only))
        if not chosen:
            return []
        query = query.where(offers.c.distributor.in_(chosen))
    now = now or datetime.now(UTC)
    return [
        Offer(
            distributor=row.distributor,
            sku=row.sku,
            stock=row.stock,
            cost=row.cost,
            distributor_sku=row.distributor_sku or row.sku,
            source="feed",
            age_s=None
            if row.feed_loaded_at is None
            else max(0.0, (now - row.feed_loaded_at).total_seconds()),
        )
        for row in conn.execute(query)
    ]


def read_products(conn: Connection, skus: Iterable[str] | None = None) -> dict[str, Product]:
    query = select(products).order_by(products.c.sku)
    if skus is not None:
        wanted = sorted(set(skus))
        if not wanted:
            return {}
        query = query.where(products.c.sku.in_(wanted))
    return {
        row.sku: Product(
            sku=row.sku,
            weight_kg=row.weight_kg if row.weight_kg is not None else Decimal(0),
            length_cm=row.length_cm,
            width_cm=row.width_cm,
            height_cm=row.height_cm,
            mpn=row.mpn,
            brand=row.brand,
            description=row.description,
        )
        for row in conn.execute(query)
    }


def read_distributors(conn: Connection) -> dict[str, DistributorRecord]:
    out: dict[str, DistributorRecord] = {}
    for row in conn.execute(select(distributors).order_by(distributors.c.id)):
        freight = None
        if row.freight:
            freight = parse_freight(
                json.loads(row.freight, parse_float=Decimal), f"distributors[{row.id}].freight"
            )
        small_order = None
        if row.small_order:
            small_order = parse_small_order(
                json.loads(row.small_order, parse_float=Decimal), f"distributors[{row.id}].small_order"
            )
        out[row.id] = DistributorRecord(
            id=row.id,
            name=row.name,
            region=row.region,
            ships_to=tuple(c for c in row.ships_to.split(",") if c),
            freight=freight,
            realtime=bool(row.realtime),
            feed_loaded_at=row.feed_loaded_at,
            freight_json=row.freight,
            small_order=small_order,
        )
    return out


def is_empty(conn: Connection) -> bool:
    has_products = conn.execute(select(exists().select_from(products))).scalar()
    has_offers = conn.execute(select(exists().select_from(offers))).scalar()
    return not has_products and not has_offers
