"""The connector's own durable state (SQLAlchemy): a SQLite file by default, PostgreSQL when shared.

- `inbox`: every order version received, raw — a webhook's exact body, or an order a pull read — before
  anything is acknowledged. Unique on (store, Shopify event id), on (store, order id, store modification
  time) and on (store, SHA-256 of the body): a webhook delivered twice, concurrently, or seen again by the
  pull is stored once — a body that names no order version too, by its content — because the database
  refuses the second insert (ON CONFLICT DO NOTHING), not because we looked first and raced. Processed rows
  ("done") are deleted once older than `[sync] keep_inbox` (`prune_inbox`); parked ones stay for a person.
- `import_keys`: the *bindings*: (store, order id) -> the modification time and hash Odoo has, and its id.
- `cursors`: per store, where the next pull starts and when the last good pull ended (for /healthz).
- `updates`: what went back to the store, per Odoo update key: "sending" is written and committed before
  the store is called, "sent" after it accepted. A "sending" found at start means we died in between: the
  store is asked whether it already has the update before anything is sent again.
- `flags`: small facts shared by the processes (the Odoo key was refused; a store has the Shipment
  Tracking extension).

A SQLite state holds customers' names, addresses and IP addresses: its file is created readable by its
owner only (0600; SQLite gives its -wal and -shm files the database file's mode), in a folder created 0700,
and an existing file is narrowed to 0600 when it is opened.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    delete,
    event,
    func,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

metadata = MetaData()

inbox = Table(
    "inbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("store", String(64), nullable=False),
    Column("source", String(16), nullable=False),  # webhook | pull
    Column("event_id", String(128)),
    Column("order_id", String(64)),
    Column("modified", String(32)),
    Column("body", LargeBinary, nullable=False),
    Column("received_at", String(32), nullable=False),
    Column("status", String(16), nullable=False, default="pending"),  # pending | done | parked
    Column("attempts", Integer, nullable=False, default=0),
    Column("error", Text),
    Column("digest", String(64)),  # SHA-256 of the body (NULL in rows stored before it was kept)
    UniqueConstraint("store", "event_id", name="inbox_event_uniq"),
    UniqueConstraint("store", "order_id", "modified", name="inbox_version_uniq"),
)
# An index, not a constraint: it can be added to the table of an existing state (`_upgrade`).
inbox_digest_uniq = Index("inbox_digest_uniq", inbox.c.store, inbox.c.digest, unique=True)

import_keys = Table(
    "import_keys",
    metadata,
    Column("store", String(64), primary_key=True),
    Column("order_id", String(64), primary_key=True),
    Column("modified", String(32), nullable=False),
    Column("hash", String(64), nullable=False),
    Column("odoo_id", Integer),
    Column("at", String(32), nullable=False),
)

cursors = Table(
    "cursors",
    metadata,
    Column("store", String(64), primary_key=True),
    Column("cursor", String(32)),
    Column("last_good_pull", String(32)),
)

updates = Table(
    "updates",
    metadata,
    Column("store", String(64), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("status", String(16), nullable=False),  # sending | sent | parked
    Column("detail", Text, nullable=False),
    Column("error", Text),
    Column("at", String(32), nullable=False),
)

stock_levels = Table(
    # The quantity last accepted by the store per SKU: stock is sent only when it differs.
    "stock_levels",
    metadata,
    Column("store", String(64), primary_key=True),
    Column("sku", String(255), primary_key=True),
    Column("quantity", Integer, nullable=False),
    Column("at", String(32), nullable=False),
)

flags = Table(
    "flags",
    metadata,
    Column("name", String(128), primary_key=True),
    Column("value", Text, nullable=False),
)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(dt.UTC)


@dataclass(frozen=True)
class InboxEntry:
    id: int
    store: str
    source: str
    event_id: str | None
    order_id: str | None
    modified: str | None
    body: bytes
    attempts: int


def open_engine(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        _private_file(Path(url.removeprefix("sqlite:///")).expanduser())
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(connection, _record):
            # WAL: the webhook receiver writes while the worker reads; synchronous=FULL: a stored webhook
            # survives a power cut, as promised by the 2xx.
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()
    else:
        engine = create_engine(url, pool_pre_ping=True)
    metadata.create_all(engine)
    _upgrade(engine)
    return engine


def _private_file(path: Path) -> None:
    """The SQLite file (and its folder) made before SQLite opens it, readable by the owner only: SQLite
    creates -wal and -shm with the database file's mode. A file left by an earlier version is narrowed."""
    if str(path) in ("", ":memory:"):
        return
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    for part in (path, path.with_name(f"{path.name}-wal"), path.with_name(f"{path.name}-shm")):
        if part.exists() and part.stat().st_mode & 0o077:
            part.chmod(0o600)


def _upgrade(engine: Engine) -> None:
    """Brings a state made by an earlier version up to this schema (create_all makes missing tables only)."""
    if "digest" not in {column["name"] for column in inspect(engine).get_columns("inbox")}:
        with engine.begin() as conn:
            conn.execute(text("ALTER TABLE inbox ADD COLUMN digest VARCHAR(64)"))
    inbox_digest_uniq.create(engine, checkfirst=True)


def _inbox_row(
    store: str,
    source: str,
    body: bytes,
    order_id: str | None,
    modified: str | None,
    event_id: str | None,
    at: str,
) -> dict[str, Any]:
    return {
        "store": store,
        "source": source,
        "event_id": event_id,
        "order_id": order_id,
        "modified": modified,
        "body": body,
        "digest": hashlib.sha256(body).hexdigest(),
        "received_at": at,
        "status": "pending",
        "attempts": 0,
    }


class State:
    def __init__(self, url: str):
        self.url = url
        self.engine = open_engine(url)

    def close(self) -> None:
        self.engine.dispose()

    # -- inbox ---------------------------------------------------------------------------------------
    def receive(
        self,
        store: str,
        source: str,
        body: bytes,
        *,
        order_id: str | None,
        modified: str | None,
        event_id: str | None = None,
    ) -> bool:
        """Stores one received order version; False when it was already there (a duplicate)."""
        return (
            self._store_new([_inbox_row(store, source, body, order_id, modified, event_id, iso(now()))]) == 1
        )

    def receive_many(
        self, store: str, source: str, versions: Iterable[tuple[bytes, str | None, str | None]]
    ) -> int:
        """Stores the order versions a pull read, (body, order id, modified) each, in one transaction; how
        many were new. A version already there is refused row by row, as in `receive`, so a webhook stored
        meanwhile is never stored twice."""
        at = iso(now())
        return self._store_new(
            [
                _inbox_row(store, source, body, order_id, modified, None, at)
                for body, order_id, modified in versions
            ]
        )

    def _store_new(self, rows: list[dict[str, Any]]) -> int:
        """Inserts the rows the inbox's unique keys let in (INSERT … ON CONFLICT DO NOTHING: the database
        refuses a version it has, whoever stored it first); how many went in."""
        if not rows:
            return 0
        with self.engine.begin() as conn:
            return len(
                conn.execute(self._insert(inbox).on_conflict_do_nothing().returning(inbox.c.id), rows).all()
            )

    def pending(self, store: str, limit: int = 1000) -> list[InboxEntry]:
        query = (
            select(
                inbox.c.id,
                inbox.c.store,
                inbox.c.source,
                inbox.c.event_id,
                inbox.c.order_id,
                inbox.c.modified,
                inbox.c.body,
                inbox.c.attempts,
            )
            .where(inbox.c.store == store, inbox.c.status == "pending")
            .order_by(inbox.c.id)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [InboxEntry(*row) for row in conn.execute(query)]

    def finish(self, entry_ids: Iterable[int], status: str = "done", error: str | None = None) -> None:
        ids = list(entry_ids)
        if not ids:
            return
        with self.engine.begin() as conn:
            conn.execute(update(inbox).where(inbox.c.id.in_(ids)).values(status=status, error=error))

    def failed_attempt(self, entry_id: int, error: str, park_after: int) -> bool:
        """Counts a failed try; parks the entry (for a person) once it failed `park_after` times. True if
        parked."""
        with self.engine.begin() as conn:
            attempts = conn.execute(select(inbox.c.attempts).where(inbox.c.id == entry_id)).scalar_one() + 1
            status = "parked" if attempts >= park_after else "pending"
            conn.execute(
                update(inbox)
                .where(inbox.c.id == entry_id)
                .values(attempts=attempts, status=status, error=error)
            )
        return status == "parked"

    def prune_inbox(self, store: str, older_than: dt.datetime) -> int:
        """Deletes the store's processed rows received before `older_than`; how many. Bindings, cursors and
        update records stay: they are what keeps an order from being imported or sent twice."""
        with self.engine.begin() as conn:
            return conn.execute(
                delete(inbox).where(
                    inbox.c.store == store, inbox.c.status == "done", inbox.c.received_at < iso(older_than)
                )
            ).rowcount

    def parked(self, store: str | None = None) -> list[dict[str, Any]]:
        query = select(inbox.c.id, inbox.c.store, inbox.c.order_id, inbox.c.error).where(
            inbox.c.status == "parked"
        )
        if store:
            query = query.where(inbox.c.store == store)
        with self.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(query.order_by(inbox.c.id))]

    def counts(self, store: str) -> dict[str, int]:
        query = select(inbox.c.status, func.count()).where(inbox.c.store == store).group_by(inbox.c.status)
        with self.engine.connect() as conn:
            return {status: count for status, count in conn.execute(query)}

    # -- bindings ------------------------------------------------------------------------------------
    def import_key(self, store: str, order_id: str) -> dict[str, Any] | None:
        query = select(import_keys).where(import_keys.c.store == store, import_keys.c.order_id == order_id)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return dict(row._mapping) if row else None

    def known_orders(self, store: str, order_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        ids = list(order_ids)
        if not ids:
            return {}
        query = select(import_keys).where(import_keys.c.store == store, import_keys.c.order_id.in_(ids))
        with self.engine.connect() as conn:
            return {row.order_id: dict(row._mapping) for row in conn.execute(query)}

    def imported(
        self, store: str, bindings: Iterable[tuple[str, str, str, int | None]], done: Iterable[int]
    ) -> None:
        """What one import call achieved, in one transaction: the bindings (order id, modified, hash, Odoo
        id) made or moved on, and the inbox entries they answer marked done."""
        at = iso(now())
        rows = [
            {
                "store": store,
                "order_id": order_id,
                "modified": modified,
                "hash": order_hash,
                "odoo_id": odoo_id,
                "at": at,
            }
            for order_id, modified, order_hash, odoo_id in bindings
        ]
        ids = list(done)
        with self.engine.begin() as conn:
            if rows:
                upsert = self._insert(import_keys)
                conn.execute(
                    upsert.on_conflict_do_update(
                        index_elements=[import_keys.c.store, import_keys.c.order_id],
                        set_={name: upsert.excluded[name] for name in ("modified", "hash", "odoo_id", "at")},
                    ),
                    rows,
                )
            if ids:
                conn.execute(update(inbox).where(inbox.c.id.in_(ids)).values(status="done", error=None))

    def _insert(self, table: Table):
        """INSERT with the state database's ON CONFLICT (SQLite's and PostgreSQL's spell it the same)."""
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        return dialect.insert(table)

    # -- cursors -------------------------------------------------------------------------------------
    def cursor(self, store: str) -> tuple[str | None, str | None]:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(cursors.c.cursor, cursors.c.last_good_pull).where(cursors.c.store == store)
            ).first()
        return (row[0], row[1]) if row else (None, None)

    def move_cursor(self, store: str, cursor: str) -> None:
        with self.engine.begin() as conn:
            changed = conn.execute(
                update(cursors)
                .where(cursors.c.store == store)
                .values(cursor=cursor, last_good_pull=iso(now()))
            ).rowcount
            if not changed:
                conn.execute(insert(cursors).values(store=store, cursor=cursor, last_good_pull=iso(now())))

    # -- updates back to the store -------------------------------------------------------------------
    def update_status(self, store: str, key: str) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(
                select(updates.c.status).where(updates.c.store == store, updates.c.key == key)
            ).scalar()

    def record_update(
        self, store: str, key: str, status: str, detail: dict, error: str | None = None
    ) -> None:
        values = {
            "status": status,
            "detail": json.dumps(detail, sort_keys=True),
            "error": error,
            "at": iso(now()),
        }
        with self.engine.begin() as conn:
            changed = conn.execute(
                update(updates).where(updates.c.store == store, updates.c.key == key).values(**values)
            ).rowcount
            if not changed:
                conn.execute(insert(updates).values(store=store, key=key, **values))

    def updates_with(self, store: str, status: str) -> list[str]:
        with self.engine.connect() as conn:
            return list(
                conn.execute(
                    select(updates.c.key)
                    .where(updates.c.store == store, updates.c.status == status)
                    .order_by(updates.c.at)
                ).scalars()
            )

    # -- stock levels pushed -------------------------------------------------------------------------
    def stock_sent(self, store: str) -> dict[str, int]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(stock_levels.c.sku, stock_levels.c.quantity).where(stock_levels.c.store == store)
            )
            return {sku: quantity for sku, quantity in rows}

    def record_stock(self, store: str, levels: dict[str, int]) -> None:
        at = iso(now())
        with self.engine.begin() as conn:
            for sku, quantity in levels.items():
                changed = conn.execute(
                    update(stock_levels)
                    .where(stock_levels.c.store == store, stock_levels.c.sku == sku)
                    .values(quantity=quantity, at=at)
                ).rowcount
                if not changed:
                    conn.execute(insert(stock_levels).values(store=store, sku=sku, quantity=quantity, at=at))

    # -- flags ---------------------------------------------------------------------------------------
    def flag(self, name: str) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(select(flags.c.value).where(flags.c.name == name)).scalar()

    def set_flag(self, name: str, value: str | None) -> None:
        with self.engine.begin() as conn:
            conn.execute(flags.delete().where(flags.c.name == name))
            if value is not None:
                conn.execute(insert(flags).values(name=name, value=value))
