"""Listing a load's bad rows in file and line order: the first hundred in the report, the rest in a file."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy import Connection

from .reports import LISTED_BAD_ROWS, BadRow, BadRowListing


def list_bad_rows(
    conn: Connection,
    sql: str,
    files: Sequence[str],
    reason: Callable[[tuple], str],
    rejects_path: str | Path | None,
    into: BadRowListing,
) -> None:
    """Run `sql` (rows: file_no, line, distributor, …, ordered by file_no, line) and fill `into`."""
    handle = None
    try:
        for row in conn.exec_driver_sql(sql):
            into.bad_row_count += 1
            bad = BadRow(files[row[0]], row[1], reason(row), row[2])
            if len(into.bad_rows) < LISTED_BAD_ROWS:
                into.bad_rows.append(bad)
                continue
            if handle is None:
                handle, into.rejects_file = _open_rejects(rejects_path)
            handle.write(f"{bad}\n")
    finally:
        if handle is not None:
            handle.close()


def _open_rejects(rejects_path: str | Path | None):
    if rejects_path is not None:
        path = Path(rejects_path)
        return path.open("w", encoding="utf-8"), path
    descriptor, name = tempfile.mkstemp(prefix="fulfil-rejects-", suffix=".txt")
    return os.fdopen(descriptor, "w", encoding="utf-8"), Path(name)
