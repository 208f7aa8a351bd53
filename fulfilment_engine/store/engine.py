"""Which database the offer store lives in, and how we talk to it.

`--store URL`, else `FULFIL_STORE`, else a SQLite file in the user's data directory. A URL may be any
SQLAlchemy URL; `postgresql://…` means psycopg 3, and a bare file path means a SQLite file.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from ..errors import StoreError

APP_NAME = "channel-fulfilment"
STORE_ENV = "FULFIL_STORE"
SQLITE_BUSY_TIMEOUT_MS = 30_000

# Execution option asking for a write transaction: on SQLite it starts with BEGIN IMMEDIATE, so a
# loader takes the write lock up front instead of failing half way when another writer got there first.
WRITE = "fulfil_write"


def default_store_url() -> str:
    """`FULFIL_STORE` when set, else the SQLite file `offers.sqlite` in the user's data directory."""
    configured = os.environ.get(STORE_ENV, "").strip()
    if configured:
        return normalise_url(configured)
    folder = Path(platformdirs.user_data_dir(APP_NAME))
    return f"sqlite:///{folder / 'offers.sqlite'}"


def normalise_url(url: str) -> str:
    if "://" not in url:  # a file path
        return f"sqlite:///{Path(url).expanduser().absolute()}"
    for plain in ("postgresql://", "postgres://"):
        if url.startswith(plain):
            return "postgresql+psycopg://" + url[len(plain) :]
    return url


def make_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(f"not a database URL: {url!r}") from None
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    if parsed.get_backend_name() != "postgresql":
        raise StoreError(f"the offer store runs on SQLite or PostgreSQL, not {parsed.get_backend_name()}")
    try:
        engine = create_engine(parsed, pool_pre_ping=True)
    except Exception as exc:  # a driver missing, a bad option
        raise StoreError(
            f"cannot use the store {parsed.render_as_string(hide_password=True)}: {exc}"
        ) from None

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Staging tables are temporary; PostgreSQL keeps only 8 MB of them in memory unless told more
        # before the session first uses one. The memory is taken only by sessions that stage.
        dbapi_connection.execute("SET temp_buffers = '256MB'")
        dbapi_connection.commit()

    return engine


def _sqlite_engine(url) -> Engine:
    database = url.database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Take transactions into our own hands (see `_on_begin`); pysqlite's implicit BEGIN would not
        # cover the temporary staging tables or let us ask for IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")  # readers and a loader coexist
        cursor.execute("PRAGMA synchronous=NORMAL")  # durable at checkpoints; WAL keeps it consistent
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA cache_size=-65536")  # 64 MB page cache for merges
        cursor.execute("PRAGMA temp_store=FILE")  # staging of big feeds goes to disk, not RAM
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        immediate = connection.get_execution_options().get(WRITE)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine
