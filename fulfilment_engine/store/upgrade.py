"""Bringing a store made by an earlier version up to today's tables when it is opened.

`metadata.create_all` makes missing tables but never touches existing ones, so a column added to a table
after a release would be missing from every store file and database made before it. Additions only: each
column listed here is nullable (an old row simply has none: a distributor without a small-order charge),
so adding it changes nothing that is there. One column does not justify a migration framework (Alembic
would be one more dependency of the engine and of Odoo's environment, and a version table to keep).
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine, inspect

from .engine import WRITE
from .schema import metadata

# (table, column) added since the first release, in the order they were added.
ADDED_COLUMNS = (("distributors", "small_order"),)


def add_missing_columns(engine: Engine) -> list[str]:
    """Adds the ADDED_COLUMNS a store lacks; returns them as "table.column" (empty for a current store).

    Safe when several processes open an old store at once: SQLite takes the write lock before looking
    again, PostgreSQL adds the column only IF NOT EXISTS."""
    inspector = inspect(engine)
    missing = [
        (table, column)
        for table, column in ADDED_COLUMNS
        if column not in {c["name"] for c in inspector.get_columns(table)}
    ]
    if not missing:
        return []
    added = []
    with engine.connect().execution_options(**{WRITE: True}) as conn, conn.begin():
        for table, column in missing:
            if _add_column(conn, table, column):
                added.append(f"{table}.{column}")
    return added


def _add_column(conn: Connection, table: str, column: str) -> bool:
    spec = metadata.tables[table].c[column]
    assert spec.nullable, f"{table}.{column}: an added column must be nullable (old rows have no value)"
    quote = conn.dialect.identifier_preparer.quote
    column_type = spec.type.compile(dialect=conn.dialect)
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(
            f"ALTER TABLE {quote(table)} ADD COLUMN IF NOT EXISTS {quote(column)} {column_type}"
        )
        return True
    # SQLite has no IF NOT EXISTS for columns: look again now that this connection holds the write lock.
    if column in {c["name"] for c in inspect(conn).get_columns(table)}:
        return False
    conn.exec_driver_sql(f"ALTER TABLE {quote(table)} ADD COLUMN {quote(column)} {column_type}")
    return True
