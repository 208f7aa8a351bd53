"""Loading distributor definitions: an upsert per id; feed times and offers are left as they are."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from ..feeds.distributors import DistributorRecord, load_distributors, small_order_json
from .engine import WRITE
from .schema import distributors
from .staging import is_postgres


def import_distributors(engine: Engine, path: str | Path) -> list[DistributorRecord]:
    records = load_distributors(path)
    if not records:
        return records
    with engine.connect().execution_options(**{WRITE: True}) as conn, conn.begin():
        if is_postgres(conn):
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        statement = insert(distributors)
        statement = statement.on_conflict_do_update(
            index_elements=["id"],
            set_={
                c: statement.excluded[c]
                for c in ("name", "region", "ships_to", "freight", "small_order", "realtime")
            },
        )
        conn.execute(
            statement,
            [
                {
                    "id": r.id,
                    "name": r.name,
                    "region": r.region,
                    "ships_to": ",".join(r.ships_to),
                    "freight": r.freight_json,
                    "small_order": small_order_json(r.small_order),
                    "realtime": r.realtime,
                }
                for r in records
            ],
        )
    return records
