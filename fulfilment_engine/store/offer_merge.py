"""Merging staged feed rows (`feed_rows`, already checked and limited to the distributors being loaded)
into `offers`, set-based, inside the load's transaction.

Two ways, same result:
- in place: update the offers whose figures changed, insert the new ones, zero the unlisted. Right for
  a feed that touches a part of the table.
- rebuild and swap (PostgreSQL): write the whole new table once, index it, and swap it in with a rename.
  Right when the load rewrites most of the table (a full refresh, a first load): building indexes once
  by sorting beats maintaining them row by row, and no dead rows are left behind. The swap holds an
  exclusive lock only from the rename to the commit; readers before it see the old table, after it the
  new one. Privileges granted on the table are granted again on the new one. A table that carries
  triggers or row security is never rebuilt, and the rebuild runs in a savepoint: if it cannot (a view
  depends on the table, the loader does not own it), the in-place merge does the work instead.

Repeated rows (two rows for one distributor and product) must be gone before a merge. A load that is
going to rebuild may leave them for the rebuild to find: building the new table's primary key proves
there are none, at no extra cost; if it meets one, the rebuild is rolled back to its savepoint, the
`reject_repeats` callback moves them to the bad rows, and the rebuild runs again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from psycopg.errors import UniqueViolation
from sqlalchemy import Connection, bindparam, text
from sqlalchemy.exc import DBAPIError

from .staging import decimal_value, is_postgres

OFFER_FIELDS = ("stock", "cost", "distributor_sku", "category", "eta", "brand_sku")
FIELDS = ", ".join(OFFER_FIELDS)

# Rebuild when at least this many rows are staged and they are at least this share of the table.
SWAP_MIN_ROWS = 100_000
SWAP_MIN_SHARE = 0.5


def set_aside_unlisted(conn: Connection, distributors: Sequence[str], in_stock_only: bool) -> None:
    """`feed_unlisted`: the offers of `distributors` that the staged rows do not list, as they are now —
    only those in stock, unless the merge may rebuild the table (which carries them all over). A full
    feed zeroes them; the merge reads them from here."""
    columns = f"o.sku, o.distributor, {', '.join(f'o.{f}' for f in OFFER_FIELDS)}"
    unlisted = (
        f"SELECT {columns} FROM offers o WHERE o.distributor IN :named "
        f"{'AND o.stock > 0 ' if in_stock_only else ''}AND NOT EXISTS "
        "(SELECT 1 FROM feed_rows r WHERE r.distributor = o.distributor AND r.product_key = o.sku)"
    )
    if is_postgres(conn):
        create = "CREATE TEMP TABLE feed_unlisted ON COMMIT DROP AS "
        # Left to itself the planner walks the offers' primary key (right after a rebuild, with a heap
        # visit per row: the table has not been vacuumed yet) against the staged rows sorted to match;
        # hashing the staged rows once is several times faster.
        conn.exec_driver_sql("SET LOCAL enable_mergejoin = off")
    else:
        conn.exec_driver_sql("DROP TABLE IF EXISTS temp.feed_unlisted")
        create = "CREATE TEMP TABLE feed_unlisted AS "
    conn.execute(
        text(create + unlisted).bindparams(bindparam("named", expanding=True)), {"named": list(distributors)}
    )
    if is_postgres(conn):
        conn.exec_driver_sql("RESET enable_mergejoin")


def drop_unlisted(conn: Connection) -> None:
    if not is_postgres(conn):
        conn.exec_driver_sql("DROP TABLE IF EXISTS temp.feed_unlisted")


def would_rebuild(conn: Connection, staged_rows: int) -> bool:
    """Whether merging this many staged rows rebuilds the table (PostgreSQL, most of the table)."""
    return (
        is_postgres(conn)
        and staged_rows >= SWAP_MIN_ROWS
        and staged_rows >= SWAP_MIN_SHARE * _table_rows(conn)
        and not _has_extras(conn)
    )


def merge_offers(
    conn: Connection,
    loading: Sequence[str],
    zeroing: Sequence[str],
    staged_rows: int,
    *,
    may_rebuild: bool,
    reject_repeats: Callable[[], None] | None = None,
) -> str:
    """Merge; returns how ("in place" or "rebuilt"). `may_rebuild`: `feed_unlisted` holds every unlisted
    offer, as a rebuild needs. `reject_repeats`: when given, the staged rows may still hold repeats, and
    this takes them out."""
    if may_rebuild and would_rebuild(conn, staged_rows):
        try:
            with conn.begin_nested():
                _rebuild_and_swap(conn, loading)
            return "rebuilt"
        except DBAPIError as exc:
            if reject_repeats is not None and isinstance(exc.orig, UniqueViolation):
                reject_repeats()
                reject_repeats = None
                try:
                    with conn.begin_nested():
                        _rebuild_and_swap(conn, loading)
                    return "rebuilt"
                except DBAPIError:
                    pass
            # else e.g. a view or foreign key on offers: merge in place below
    if reject_repeats is not None:
        reject_repeats()
    _merge_in_place(conn, zeroing)
    return "in place"


def _staged_fields(conn: Connection, prefix: str) -> list[str]:
    """The offer fields as SQL over `feed_rows`, cost turned into the store's decimal."""
    return [decimal_value(conn, f"{prefix}{f}") if f == "cost" else f"{prefix}{f}" for f in OFFER_FIELDS]


def _has_extras(conn: Connection) -> bool:
    """Triggers or row security someone added to `offers`: a rebuilt table would not carry them."""
    return bool(
        conn.exec_driver_sql(
            "SELECT c.relrowsecurity OR EXISTS (SELECT 1 FROM pg_trigger t "
            "WHERE t.tgrelid = c.oid AND NOT t.tgisinternal) FROM pg_class c WHERE c.oid = 'offers'::regclass"
        ).scalar_one()
    )


def _copy_grants(conn: Connection) -> None:
    """Give the new table the privileges the old one had (say, SELECT for a read-only role)."""
    grants = conn.exec_driver_sql(
        "SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(r.rolname) END, a.privilege_type, "
        "a.is_grantable FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a "
        "LEFT JOIN pg_roles r ON r.oid = a.grantee "
        "WHERE c.oid = 'offers'::regclass AND a.grantee <> c.relowner"
    ).all()
    for grantee, privilege, grantable in grants:
        option = " WITH GRANT OPTION" if grantable else ""
        conn.exec_driver_sql(f"GRANT {privilege} ON offers_next TO {grantee}{option}")


def _table_rows(conn: Connection) -> float:
    """The planner's estimate (no scan); -1 or 0 for a table never analysed."""
    return float(
        conn.exec_driver_sql("SELECT reltuples FROM pg_class WHERE oid = 'offers'::regclass").scalar_one()
    )


def _merge_in_place(conn: Connection, zeroing: Sequence[str]) -> None:
    if is_postgres(conn):
        # Two hash joins beat a million ON CONFLICT index probes; unchanged rows are not rewritten.
        staged = _staged_fields(conn, "r.")
        assignments = ", ".join(f"{f} = {v}" for f, v in zip(OFFER_FIELDS, staged, strict=True))
        conn.exec_driver_sql(
            f"UPDATE offers o SET {assignments} "
            "FROM feed_rows r WHERE o.sku = r.product_key AND o.distributor = r.distributor "
            f"AND ({', '.join(f'o.{f}' for f in OFFER_FIELDS)}) IS DISTINCT FROM ({', '.join(staged)})"
        )
        conn.exec_driver_sql(
            f"INSERT INTO offers (sku, distributor, {FIELDS}) SELECT product_key, distributor, "
            f"{', '.join(staged)} FROM feed_rows r WHERE NOT EXISTS "
            "(SELECT 1 FROM offers o WHERE o.sku = r.product_key AND o.distributor = r.distributor)"
        )
    else:
        changed = " OR ".join(f"offers.{f} IS NOT excluded.{f}" for f in OFFER_FIELDS)
        conn.exec_driver_sql(
            f"INSERT INTO offers (sku, distributor, {FIELDS}) SELECT product_key, distributor, {FIELDS} "
            "FROM feed_rows WHERE 1 = 1 ON CONFLICT (sku, distributor) DO UPDATE SET "
            f"{', '.join(f'{f} = excluded.{f}' for f in OFFER_FIELDS)} WHERE {changed}"
        )
    if zeroing:
        zero = text(
            "UPDATE offers SET stock = 0 WHERE (sku, distributor) IN (SELECT sku, distributor "
            "FROM feed_unlisted WHERE stock > 0 AND distributor IN :zeroing)"
        ).bindparams(bindparam("zeroing", expanding=True))
        conn.execute(zero, {"zeroing": list(zeroing)})


def _rebuild_and_swap(conn: Connection, loading: Sequence[str]) -> None:
    staged = ", ".join(_staged_fields(conn, ""))
    conn.exec_driver_sql("SET LOCAL maintenance_work_mem = '512MB'")
    conn.exec_driver_sql("DROP TABLE IF EXISTS offers_next")
    conn.exec_driver_sql(
        "CREATE TABLE offers_next (LIKE offers INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE) "
        "WITH (fillfactor = 50)"
    )
    # Other distributors' offers as they are; the loaded ones as staged; their unlisted ones at stock 0.
    conn.execute(
        text(
            f"INSERT INTO offers_next (sku, distributor, {FIELDS}) "
            f"SELECT sku, distributor, {FIELDS} FROM offers WHERE distributor NOT IN :loading "
            f"UNION ALL SELECT product_key, distributor, {staged} FROM feed_rows "
            "UNION ALL SELECT sku, distributor, 0, cost, distributor_sku, category, eta, brand_sku "
            "FROM feed_unlisted WHERE distributor IN :loading"
        ).bindparams(bindparam("loading", expanding=True)),
        {"loading": list(loading)},
    )
    conn.exec_driver_sql(
        "ALTER TABLE offers_next ADD CONSTRAINT offers_next_pkey PRIMARY KEY (sku, distributor)"
    )
    conn.exec_driver_sql("CREATE INDEX offers_next_distributor ON offers_next (distributor)")
    _copy_grants(conn)
    # Before the swap: readers' plans need statistics, on the columns they and loads filter on.
    conn.exec_driver_sql("ANALYZE offers_next (sku, distributor, stock)")
    # From here to the commit (milliseconds) readers wait rather than see either table half-swapped.
    conn.exec_driver_sql("DROP TABLE offers")
    conn.exec_driver_sql("ALTER TABLE offers_next RENAME TO offers")
    conn.exec_driver_sql("ALTER TABLE offers RENAME CONSTRAINT offers_next_pkey TO offers_pkey")
    conn.exec_driver_sql("ALTER INDEX offers_next_distributor RENAME TO offers_distributor")
