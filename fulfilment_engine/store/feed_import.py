"""Loading distributor feeds: one invocation, one transaction, full-feed semantics per distributor.

1. Stream every file's good rows into a staging table; bad rows to a spool. On PostgreSQL the plain
   lines of a Stock-in-the-Channel file go to COPY as they are (`line_copy`), other rows by binary COPY;
   on SQLite, one executemany. The rows Python checks (`feeds.offer_rows`) are the same either way.
2. In SQL: reject rows of unknown products and repeated rows (a load that will rebuild the offers table
   leaves repeats for its primary key to find: see `offer_merge`); count what each distributor listed.
3. Decide per distributor: all rows bad → untouched; would zero more than half of its in-stock offers by
   omission → refused (unless forced); else loaded.
4. Merge the loaded ones set-based: upsert listed offers, zero the unlisted, stamp the feed time.
With `strict`, any bad row rolls the whole transaction back. Readers see the old data until the commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, bindparam, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..errors import InputError
from ..feeds.mapping import Mapping, load_mapping, read_mapped_csv
from ..feeds.sitc import SitcFile
from ..feeds.source import file_size
from .checks import reject_repeats
from .engine import WRITE
from .line_copy import copy_sitc_lines
from .offer_merge import drop_unlisted, merge_offers, set_aside_unlisted, would_rebuild
from .rejects import list_bad_rows
from .reports import DistributorOutcome, FeedReport, Progress
from .schema import distributors
from .staging import RejectSpool, StageTable, create_stage, drop_stage, is_postgres, write_stage

FEED_ROWS = StageTable(
    "feed_rows",
    (
        ("file_no", "int", False),
        ("line", "bigint", False),
        ("distributor", "text", False),
        ("product_key", "text", False),
        ("stock", "int", False),
        ("cost", "decimal", False),
        ("distributor_sku", "text", False),
        ("category", "text", False),
        ("eta", "text", False),
        ("brand_sku", "text", False),
    ),
    numbered=True,
)
FEED_REJECTS = StageTable(
    "feed_rejects",
    (
        ("file_no", "int", False),
        ("line", "bigint", False),
        ("distributor", "text", True),
        ("reason", "text", False),
        ("first_file_no", "int", True),  # for a repeated row: where it was first listed
        ("first_line", "bigint", True),
    ),
)
REJECT_COLUMNS = "file_no, line, distributor, reason"

# A feed may zero at most this share of a distributor's in-stock offers without --force.
MAX_ZEROED_SHARE = 0.5


def import_feeds(
    engine: Engine,
    paths: Sequence[str | Path],
    format: str = "sitc",
    mapping: str | Path | Mapping | None = None,
    *,
    strict: bool = False,
    force: bool = False,
    progress: Progress | None = None,
    rejects_path: str | Path | None = None,
    now: datetime | None = None,
) -> FeedReport:
    files = [str(p) for p in paths]
    if not files:
        raise InputError("", "no feed files given")
    reader = _reader_for(format, mapping)
    key = reader.key
    now = now or datetime.now(UTC)
    report = FeedReport(files=files, loaded_at=now)

    with engine.connect().execution_options(**{WRITE: True}) as conn, conn.begin() as transaction:
        postgres = is_postgres(conn)
        if postgres:
            conn.exec_driver_sql("SET LOCAL work_mem = '256MB'")
            conn.exec_driver_sql("SET LOCAL client_encoding = 'UTF8'")  # what COPYed lines are in
            # These statements scan every staged row once; compiling them costs more than it saves.
            conn.exec_driver_sql("SET LOCAL jit = off")
        create_stage(conn, FEED_ROWS)
        create_stage(conn, FEED_REJECTS)
        spool = RejectSpool()
        try:
            placeholders = _stage_files(conn, files, reader, spool, progress)
            write_stage(conn, FEED_REJECTS, ((*row, None, None) for row in spool.rows()))
        finally:
            spool.close()
        if placeholders:  # where a COPY of raw lines met blank and bad lines
            conn.exec_driver_sql("DELETE FROM feed_rows WHERE product_key IS NULL")
        if progress:
            progress("Checking rows", 0, None)
        if postgres:  # temporary tables get no statistics otherwise; the checks join on these two
            conn.exec_driver_sql("ANALYZE feed_rows (distributor, product_key)")
        else:
            conn.exec_driver_sql("CREATE INDEX temp.feed_rows_key ON feed_rows (distributor, product_key)")
        _reject_unknown_products(conn, key)
        outcomes = _count_rows(conn, reader.constant_distributor)
        report.distributors = outcomes
        # Repeated rows: a load that rebuilds the offers table builds its primary key anyway, and that
        # proves there are none; only when it finds one are they looked for (see `_merge`).
        may_rebuild = would_rebuild(conn, sum(o.good for o in outcomes.values()))
        repeats_pending = may_rebuild and not strict
        if not repeats_pending:
            _reject_repeats_later(conn, outcomes, None)
        bad_total = conn.exec_driver_sql("SELECT count(*) FROM feed_rejects").scalar_one()

        if postgres:
            # Other loaders wait here; readers do not (SHARE ROW EXCLUSIVE allows plain SELECTs).
            conn.exec_driver_sql("LOCK TABLE offers IN SHARE ROW EXCLUSIVE MODE")
        _forecast(conn, outcomes, may_rebuild)

        if strict and bad_total:
            report.strict_refused = True
            for outcome in outcomes.values():
                outcome.status = "rolled back"
                outcome.reason = f"--strict, and the feed has {bad_total} bad rows"
                outcome.zeroed = 0
        else:
            _decide(outcomes, force)
            if progress:
                progress("Merging", 0, None)
            report.merge = _merge(conn, outcomes, now, may_rebuild, repeats_pending)

        list_bad_rows(
            conn,
            "SELECT file_no, line, distributor, reason, first_file_no, first_line "
            "FROM feed_rejects ORDER BY file_no, line",
            files,
            lambda row: row[3] if row[4] is None else f"{row[3]} (first listed at {files[row[4]]}:{row[5]})",
            rejects_path,
            report,
        )
        drop_stage(conn, FEED_ROWS)
        drop_stage(conn, FEED_REJECTS)
        drop_unlisted(conn)
        if report.strict_refused:
            transaction.rollback()
    return report


# ---------------------------------------------------------------------------------------------- reading


class _Reader:
    def __init__(self, format: str, mapping: Mapping | None):
        self.format = format
        self.mapping = mapping
        self.key = mapping.key if mapping else "sku"
        self.constant_distributor = mapping.distributor if mapping else None


def _reader_for(format: str, mapping: str | Path | Mapping | None) -> _Reader:
    if format == "sitc":
        if mapping is not None:
            raise InputError("--mapping", "only a csv feed takes a mapping file (--format csv)")
        return _Reader(format, None)
    if format == "csv":
        if mapping is None:
            raise InputError("--mapping", "a csv feed needs a mapping file naming its columns")
        return _Reader(format, mapping if isinstance(mapping, Mapping) else load_mapping(mapping))
    raise InputError("--format", f"must be 'sitc' or 'csv', got {format!r}")


def _stage_files(
    conn, files: list[str], reader: _Reader, spool: RejectSpool, progress: Progress | None
) -> int:
    """Every file's good rows into `feed_rows`, bad ones to the spool. Returns how many placeholder rows
    (to delete) COPYing raw lines left."""
    sizes = [file_size(f) for f in files]
    total = sum(sizes)
    done_before = 0
    placeholders = 0
    for file_no, path in enumerate(files):
        on_progress = None
        if progress:

            def on_progress(position, _base=done_before):
                progress("Reading feeds", _base + position, total)

        on_reject = spool.collector(file_no)
        if reader.mapping is not None:
            rows = read_mapped_csv(path, file_no, reader.mapping, on_reject, on_progress)
            write_stage(conn, FEED_ROWS, rows)
        else:
            with SitcFile(path, file_no, on_reject, on_progress) as feed:
                if is_postgres(conn):
                    placeholders += copy_sitc_lines(conn, FEED_ROWS.name, feed)
                else:
                    write_stage(conn, FEED_ROWS, feed.rows())
        done_before += sizes[file_no]
    return placeholders


# ---------------------------------------------------------------------------------------------- checks in SQL


def _reject_unknown_products(conn: Connection, key: str) -> None:
    if key == "mpn":
        _resolve_mpns(conn)
        return
    unknown = "NOT EXISTS (SELECT 1 FROM products p WHERE p.sku = feed_rows.product_key)"
    found = conn.exec_driver_sql(
        f"INSERT INTO feed_rejects ({REJECT_COLUMNS}) "
        "SELECT file_no, line, distributor, "
        "'unknown product ''' || product_key || ''' (not in the product master)' "
        f"FROM feed_rows WHERE {unknown}"
    ).rowcount
    if found:
        conn.exec_driver_sql(f"DELETE FROM feed_rows WHERE {unknown}")


def _resolve_mpns(conn: Connection) -> None:
    """Rows keyed by manufacturer part number: unknown or ambiguous MPNs are bad rows; the rest get our
    SKU."""
    conn.exec_driver_sql(
        f"INSERT INTO feed_rejects ({REJECT_COLUMNS}) "
        "SELECT file_no, line, distributor, "
        "'unknown product: no product has MPN ''' || product_key || '''' "
        "FROM feed_rows WHERE NOT EXISTS (SELECT 1 FROM products p WHERE p.mpn = feed_rows.product_key)"
    )
    conn.exec_driver_sql(
        f"INSERT INTO feed_rejects ({REJECT_COLUMNS}) "
        "SELECT r.file_no, r.line, r.distributor, "
        "'MPN ''' || r.product_key || ''' matches ' || a.n || ' products; cannot tell which' "
        "FROM feed_rows r JOIN (SELECT mpn, count(*) AS n FROM products GROUP BY mpn HAVING count(*) > 1) a "
        "ON a.mpn = r.product_key"
    )
    conn.exec_driver_sql(
        "DELETE FROM feed_rows WHERE NOT EXISTS "
        "(SELECT 1 FROM products p WHERE p.mpn = feed_rows.product_key) "
        "OR product_key IN (SELECT mpn FROM products GROUP BY mpn HAVING count(*) > 1)"
    )
    conn.exec_driver_sql(
        "UPDATE feed_rows SET product_key = "
        "(SELECT p.sku FROM products p WHERE p.mpn = feed_rows.product_key)"
    )


def _reject_repeated_rows(conn: Connection, only: Sequence[str] | None = None) -> int:
    """A second row for the same distributor and product is bad; the first one stands. `only`: look at
    these distributors' rows alone."""
    return reject_repeats(
        conn,
        "feed_rows",
        "feed_rejects",
        ("distributor", "product_key"),
        "'repeats the row of distributor ''' || distributor || ''' for product ''' || product_key || ''''",
        only_distributors=only,
    )


def _reject_repeats_later(
    conn: Connection, outcomes: dict[str, DistributorOutcome], only: Sequence[str] | None
) -> None:
    """Repeated rows found after the rows were counted (of the `only` distributors, or all): move them
    from each distributor's good rows to its rejected ones. The first row of each stands, so no decision
    taken on the counts changes."""
    if only is not None and not only:
        return
    if not _reject_repeated_rows(conn, only):
        return
    repeats = "SELECT distributor, count(*) FROM feed_rejects WHERE first_line IS NOT NULL"
    if only is None:
        counts = conn.exec_driver_sql(f"{repeats} GROUP BY distributor")
    else:
        counts = conn.execute(
            text(f"{repeats} AND distributor IN :only GROUP BY distributor").bindparams(
                bindparam("only", expanding=True)
            ),
            {"only": list(only)},
        )
    for distributor, count in counts:
        outcomes[distributor].good -= count
        outcomes[distributor].rejected += count


def _count_rows(conn: Connection, constant_distributor: str | None) -> dict[str, DistributorOutcome]:
    outcomes: dict[str, DistributorOutcome] = {}
    if constant_distributor:
        outcomes[constant_distributor] = DistributorOutcome(constant_distributor)
    for distributor, count in conn.exec_driver_sql(
        "SELECT distributor, count(*) FROM feed_rows GROUP BY distributor"
    ):
        outcomes.setdefault(distributor, DistributorOutcome(distributor)).good = count
    for distributor, count in conn.exec_driver_sql(
        "SELECT distributor, count(*) FROM feed_rejects WHERE distributor IS NOT NULL GROUP BY distributor"
    ):
        outcomes.setdefault(distributor, DistributorOutcome(distributor)).rejected = count
    return dict(sorted(outcomes.items()))


def _forecast(conn: Connection, outcomes: dict[str, DistributorOutcome], may_rebuild: bool) -> None:
    """How many in-stock offers each distributor has, and how many this feed would zero by omission.

    The in-stock offers of these distributors that the feed does not list — all unlisted offers when the
    merge may rebuild the table — are kept aside in `feed_unlisted` (one anti-join, whatever repeats the
    staged rows hold), for the merge to use without joining again."""
    named = list(outcomes)
    if not named:
        return
    rows = conn.execute(
        text(
            "SELECT distributor, count(*) FROM offers WHERE stock > 0 AND distributor IN :named "
            "GROUP BY distributor"
        ).bindparams(bindparam("named", expanding=True)),
        {"named": named},
    )
    for distributor, count in rows:
        outcomes[distributor].in_stock_before = count
    set_aside_unlisted(conn, named, in_stock_only=not may_rebuild)
    for distributor, count in conn.exec_driver_sql(
        "SELECT distributor, count(*) FROM feed_unlisted WHERE stock > 0 GROUP BY distributor"
    ):
        outcomes[distributor].zeroed = count


def _decide(outcomes: dict[str, DistributorOutcome], force: bool) -> None:
    for outcome in outcomes.values():
        if outcome.good == 0 and outcome.rejected > 0:
            outcome.status = "untouched"
            outcome.reason = f"all {outcome.rejected} of its rows are bad"
        elif outcome.zeroed > MAX_ZEROED_SHARE * outcome.in_stock_before and outcome.zeroed and not force:
            outcome.status = "refused"
            outcome.reason = (
                f"the feed would zero {outcome.zeroed} of its {outcome.in_stock_before} in-stock offers "
                "(more than half; a truncated download?); use --force to load it anyway"
            )


# ---------------------------------------------------------------------------------------------- merge


def _merge(
    conn: Connection,
    outcomes: dict[str, DistributorOutcome],
    now: datetime,
    may_rebuild: bool,
    repeats_pending: bool,
) -> str:
    for outcome in outcomes.values():
        if outcome.status != "loaded":
            outcome.zeroed = 0
    loading = [d for d, o in outcomes.items() if o.status == "loaded"]
    skipped = [d for d, o in outcomes.items() if o.status != "loaded"]
    if repeats_pending:  # rows about to be dropped unloaded are still reported in full
        _reject_repeats_later(conn, outcomes, [d for d in skipped if outcomes[d].good])
    if not loading:
        return "nothing"
    _register_distributors(conn, loading, now)
    if skipped:  # refused or untouched: their staged rows must not reach the offers
        conn.execute(
            text("DELETE FROM feed_rows WHERE distributor IN :skipped").bindparams(
                bindparam("skipped", expanding=True)
            ),
            {"skipped": skipped},
        )

    zeroing = [d for d in loading if outcomes[d].zeroed]
    return merge_offers(
        conn,
        loading,
        zeroing,
        sum(outcomes[d].good for d in loading),
        may_rebuild=may_rebuild,
        reject_repeats=(lambda: _reject_repeats_later(conn, outcomes, loading)) if repeats_pending else None,
    )


def _register_distributors(conn: Connection, ids: Iterable[str], now: datetime) -> None:
    """Distributors first met in a feed get a row (named by their id); every loaded one gets the feed time."""
    ids = list(ids)
    insert = pg_insert if is_postgres(conn) else sqlite_insert
    conn.execute(
        insert(distributors).on_conflict_do_nothing(index_elements=["id"]),
        [{"id": d, "name": d, "region": "", "ships_to": "", "realtime": False} for d in ids],
    )
    conn.execute(distributors.update().where(distributors.c.id.in_(ids)).values(feed_loaded_at=now))
