"""Temporary staging tables filled in bulk: COPY on PostgreSQL, executemany on SQLite.

A load streams its rows into a staging table inside its transaction, then merges them into the real
tables with a handful of set-based statements. No Python object lives longer than its row.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from sqlalchemy import Connection

from ..feeds.offer_rows import Reject

# Decimals are staged as the text the feed gave (checked already), on both backends: PostgreSQL then takes
# every column in binary COPY form, which costs client and server about a third less than text COPY;
# `decimal_value` turns them into numbers where they are merged.
PG_TYPES = {"int": "integer", "bigint": "bigint", "text": 'text COLLATE "C"', "decimal": "text"}
PG_COPY_TYPES = {"int": "int4", "bigint": "int8", "text": "text", "decimal": "text"}
SQLITE_TYPES = {"int": "INTEGER", "bigint": "INTEGER", "text": "TEXT", "decimal": "TEXT"}


@dataclass(frozen=True)
class StageTable:
    name: str
    columns: tuple[tuple[str, str, bool], ...]  # (name, kind, nullable)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(name for name, _kind, _null in self.columns)


def is_postgres(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


def decimal_value(conn: Connection, expression: str) -> str:
    """SQL for a staged decimal column as the store keeps decimals (NUMERIC on PostgreSQL, text on SQLite)."""
    return f"CAST({expression} AS numeric)" if is_postgres(conn) else expression


def create_stage(conn: Connection, table: StageTable) -> None:
    types = PG_TYPES if is_postgres(conn) else SQLITE_TYPES
    body = ", ".join(
        f"{name} {types[kind]}{'' if nullable else ' NOT NULL'}" for name, kind, nullable in table.columns
    )
    if is_postgres(conn):
        conn.exec_driver_sql(f"CREATE TEMP TABLE {table.name} ({body}) ON COMMIT DROP")
    else:
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{table.name}")
        conn.exec_driver_sql(f"CREATE TEMP TABLE {table.name} ({body})")


def drop_stage(conn: Connection, table: StageTable) -> None:
    """SQLite keeps temporary tables for the connection's life; PostgreSQL drops them at commit."""
    if not is_postgres(conn):
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{table.name}")


def write_stage(conn: Connection, table: StageTable, rows: Iterable[tuple]) -> None:
    """Stream `rows` into the staging table on the connection's open transaction."""
    driver = conn.connection.driver_connection
    columns = ", ".join(table.column_names)
    if is_postgres(conn):
        sql = f"COPY {table.name} ({columns}) FROM STDIN (FORMAT binary)"
        with driver.cursor() as cursor, cursor.copy(sql) as copy:
            copy.set_types([PG_COPY_TYPES[kind] for _name, kind, _null in table.columns])
            write = copy.write_row
            for row in rows:
                write(row)
    else:
        marks = ", ".join("?" for _ in table.columns)
        cursor = driver.cursor()
        try:
            cursor.executemany(f"INSERT INTO {table.name} ({columns}) VALUES ({marks})", rows)
        finally:
            cursor.close()


class RejectSpool:
    """Bad rows as readers meet them, spooled to a local temporary file (a feed may be all bad rows,
    and a COPY in progress leaves the connection busy), then staged in one go."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile("w+", encoding="utf-8", newline="")  # noqa: SIM115 - closed in close()
        self._writer = csv.writer(self._file)
        self.count = 0

    def collector(self, file_no: int):
        def collect(reject: Reject) -> None:
            self.count += 1
            self._writer.writerow((file_no, reject.line, reject.distributor or "", reject.reason))

        return collect

    def rows(self) -> Iterator[tuple]:
        self._file.flush()
        self._file.seek(0)
        for file_no, line, distributor, reason in csv.reader(self._file):
            yield int(file_no), int(line), distributor or None, reason

    def close(self) -> None:
        self._file.close()
