"""Tables of the offer store (SQLAlchemy Core), the same on SQLite and PostgreSQL.

Money and weights are exact: NUMERIC on PostgreSQL; on SQLite, whose NUMERIC would round-trip through a
binary float, they are kept as decimal text. Times are UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
)
from sqlalchemy.types import TypeDecorator

metadata = MetaData()

# Keys compare byte-wise on PostgreSQL (COLLATE "C"): index builds and sorts of millions of SKUs run
# about a third faster than under a linguistic collation, and SKUs have no linguistic order anyway.
Key = String().with_variant(String(collation="C"), "postgresql")


class ExactDecimal(TypeDecorator):
    """A Decimal stored exactly on every backend."""

    impl = Numeric
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "postgresql":
            return dialect.type_descriptor(Numeric(asdecimal=True))
        return dialect.type_descriptor(Text())

    def process_bind_param(self, value, dialect):
        if value is None or dialect.name == "postgresql":
            return value
        return format(Decimal(value), "f")

    def process_result_value(self, value, dialect):
        if value is None or isinstance(value, Decimal):
            return value
        return Decimal(value)


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in, aware UTC datetimes out (SQLite keeps them naive otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value if dialect.name == "postgresql" else value.replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, str):  # written by plain SQL on SQLite
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


products = Table(
    "products",
    metadata,
    Column("sku", Key, primary_key=True),
    Column("mpn", Key, nullable=False, default=""),
    Column("brand", String, nullable=False, default=""),
    Column("description", String, nullable=False, default=""),
    Column("weight_kg", ExactDecimal, nullable=False),
    Column("length_cm", ExactDecimal),
    Column("width_cm", ExactDecimal),
    Column("height_cm", ExactDecimal),
    Index("products_mpn", "mpn"),
)

distributors = Table(
    "distributors",
    metadata,
    Column("id", Key, primary_key=True),
    Column("name", String, nullable=False),
    Column("region", String, nullable=False, default=""),
    Column("ships_to", String, nullable=False, default=""),  # country codes, comma-separated
    Column("freight", Text),  # the freight rule as JSON, parsed with scenario.parse_freight
    # {"below": …, "charge": …} as JSON, parsed with scenario.parse_small_order; added after the first
    # release, so stores made before it get the column when opened (upgrade.py)
    Column("small_order", Text),
    Column("realtime", Boolean, nullable=False, default=False),
    Column("feed_loaded_at", UTCDateTime),  # time of its last successful full feed
)

# One row per (product, distributor). The primary key leads with the SKU because carts read by SKU;
# loads find a distributor's offers through the second index. On PostgreSQL pages are left half free so
# a refresh that changes stock and cost rewrites rows in place (HOT) without touching the indexes.
offers = Table(
    "offers",
    metadata,
    Column("sku", Key, primary_key=True),
    Column("distributor", Key, primary_key=True),
    Column("stock", Integer, nullable=False),
    Column("cost", ExactDecimal, nullable=False),
    Column("distributor_sku", String, nullable=False, default=""),
    Column("category", String, nullable=False, default=""),
    Column("eta", String, nullable=False, default=""),
    Column("brand_sku", String, nullable=False, default=""),
    Index("offers_distributor", "distributor"),
    postgresql_with={"fillfactor": 50},
)
