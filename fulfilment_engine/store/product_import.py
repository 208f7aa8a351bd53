"""Loading the product master: staged in bulk, then one upsert. Products are never deleted by a load."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import Engine

from ..errors import InputError
from ..feeds.products import read_products
from ..feeds.source import file_size
from .checks import reject_repeats
from .engine import WRITE
from .rejects import list_bad_rows
from .reports import ProductReport, Progress
from .staging import (
    RejectSpool,
    StageTable,
    create_stage,
    decimal_value,
    drop_stage,
    is_postgres,
    write_stage,
)

PRODUCT_ROWS = StageTable(
    "product_rows",
    (
        ("file_no", "int", False),
        ("line", "bigint", False),
        ("sku", "text", False),
        ("mpn", "text", False),
        ("brand", "text", False),
        ("description", "text", False),
        ("weight_kg", "decimal", False),
        ("length_cm", "decimal", True),
        ("width_cm", "decimal", True),
        ("height_cm", "decimal", True),
    ),
)
PRODUCT_REJECTS = StageTable(
    "product_rejects",
    (
        ("file_no", "int", False),
        ("line", "bigint", False),
        ("distributor", "text", True),  # always empty here; the shape is shared with feed rejects
        ("reason", "text", False),
        ("first_file_no", "int", True),
        ("first_line", "bigint", True),
    ),
)
FIELDS = ("mpn", "brand", "description", "weight_kg", "length_cm", "width_cm", "height_cm")
DECIMALS = ("weight_kg", "length_cm", "width_cm", "height_cm")


def import_products(
    engine: Engine,
    paths: Sequence[str | Path],
    *,
    strict: bool = False,
    progress: Progress | None = None,
    rejects_path: str | Path | None = None,
) -> ProductReport:
    files = [str(p) for p in paths]
    if not files:
        raise InputError("", "no product files given")
    report = ProductReport(files=files)
    sizes = [file_size(f) for f in files]
    total = sum(sizes)

    with engine.connect().execution_options(**{WRITE: True}) as conn, conn.begin() as transaction:
        create_stage(conn, PRODUCT_ROWS)
        create_stage(conn, PRODUCT_REJECTS)
        spool = RejectSpool()
        try:
            done_before = 0
            for file_no, path in enumerate(files):
                on_progress = None
                if progress:

                    def on_progress(position, _base=done_before):
                        progress("Reading products", _base + position, total)

                write_stage(
                    conn, PRODUCT_ROWS, read_products(path, file_no, spool.collector(file_no), on_progress)
                )
                done_before += sizes[file_no]
            write_stage(conn, PRODUCT_REJECTS, ((*row, None, None) for row in spool.rows()))
        finally:
            spool.close()
        if not is_postgres(conn):
            conn.exec_driver_sql("CREATE INDEX temp.product_rows_sku ON product_rows (sku)")
        reject_repeats(
            conn,
            "product_rows",
            "product_rejects",
            ("sku",),
            "'repeats product ''' || sku || ''''",
            distributor_sql="NULL",
        )
        bad_total = conn.exec_driver_sql("SELECT count(*) FROM product_rejects").scalar_one()

        if strict and bad_total:
            report.strict_refused = True
        else:
            updates = ", ".join(f"{f} = excluded.{f}" for f in FIELDS)
            staged = [decimal_value(conn, f) if f in DECIMALS else f for f in FIELDS]
            conn.exec_driver_sql(
                f"INSERT INTO products (sku, {', '.join(FIELDS)}) SELECT sku, {', '.join(staged)} "
                f"FROM product_rows WHERE 1 = 1 ON CONFLICT (sku) DO UPDATE SET {updates}"
            )
            report.loaded = conn.exec_driver_sql("SELECT count(*) FROM product_rows").scalar_one()

        list_bad_rows(
            conn,
            "SELECT file_no, line, distributor, reason, first_file_no, first_line "
            "FROM product_rejects ORDER BY file_no, line",
            files,
            lambda row: row[3] if row[4] is None else f"{row[3]} (first listed at {files[row[4]]}:{row[5]})",
            rejects_path,
            report,
        )
        drop_stage(conn, PRODUCT_ROWS)
        drop_stage(conn, PRODUCT_REJECTS)
        if report.strict_refused:
            transaction.rollback()
    return report
