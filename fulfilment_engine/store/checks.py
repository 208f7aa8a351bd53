"""Row checks that need the whole load at once, done in SQL over a staging table."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, bindparam, text


def reject_repeats(
    conn: Connection,
    rows: str,
    rejects: str,
    keys: tuple[str, ...],
    reason_sql: str,
    distributor_sql: str = "distributor",
    only_distributors: Sequence[str] | None = None,
) -> int:
    """Every row whose `keys` repeat an earlier row's (in file, then line order) becomes a bad row that
    points at the first; the first one stands. `reason_sql` is an SQL text expression over the row.
    `only_distributors`: look at those distributors' rows alone (`distributor` being one of the keys)."""
    key_list = ", ".join(keys)
    joined = " AND ".join(f"d.{k} = r.{k}" for k in keys)
    where = "" if only_distributors is None else "WHERE distributor IN :only "
    statement = text(
        f"INSERT INTO {rejects} (file_no, line, distributor, reason, first_file_no, first_line) "
        f"SELECT file_no, line, {distributor_sql}, {reason_sql}, first_file_no, first_line FROM ("
        f"  SELECT r.*, row_number() OVER w AS n, first_value(r.file_no) OVER w AS first_file_no,"
        f"         first_value(r.line) OVER w AS first_line"
        f"  FROM {rows} r JOIN ("
        f"    SELECT {key_list} FROM {rows} {where}GROUP BY {key_list} HAVING count(*) > 1) d ON {joined}"
        f"  WINDOW w AS (PARTITION BY {', '.join(f'r.{k}' for k in keys)} ORDER BY r.file_no, r.line)"
        f") repeated WHERE n > 1"
    )
    parameters = {}
    if only_distributors is not None:
        statement = statement.bindparams(bindparam("only", expanding=True))
        parameters["only"] = list(only_distributors)
    found = conn.execute(statement, parameters).rowcount
    if found:
        conn.exec_driver_sql(
            f"DELETE FROM {rows} WHERE EXISTS (SELECT 1 FROM {rejects} j WHERE j.first_line IS NOT NULL "
            f"AND j.file_no = {rows}.file_no AND j.line = {rows}.line)"
        )
    return found
