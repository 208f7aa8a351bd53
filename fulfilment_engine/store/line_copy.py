"""Staging a Stock-in-the-Channel file on PostgreSQL: its plain lines go to COPY exactly as they are.

PostgreSQL's text COPY with `|` as the delimiter splits a plain line (see `feeds.plain_lines`: printable
ASCII, no backslash, the right number of fields, stock and cost already known good) into the staging
columns in C, so Python never touches those rows. The staging table numbers rows as they arrive, so
every line of the file, from the first one streamed, takes exactly one row: a line the per-row checker
passed is written back in COPY's text form, and a blank or bad line (already reported) holds its place
with a row of NULLs, deleted after the load. Lines therefore keep their numbers for `FILE:LINE` reports.
"""

from __future__ import annotations

from sqlalchemy import Connection

from ..feeds.sitc import SITC_FIELDS, PlainLines, SitcFile, SkippedLines

# The staging column of each SITC field; a header's further columns go to spare columns.
STAGE_COLUMN = dict(
    zip(
        SITC_FIELDS,
        ("product_key", "distributor", "stock", "cost", "distributor_sku", "category", "eta", "brand_sku"),
        strict=True,
    )
)
# The OfferRow tuple positions of the SITC fields, in SITC order.
ROW_INDEX = (3, 2, 4, 5, 6, 7, 8, 9)


def copy_sitc_lines(conn: Connection, table: str, feed: SitcFile) -> int:
    """COPY every line of `feed` from its first one into `table`; returns how many placeholder rows (blank
    and bad lines) were written."""
    columns = [f"spare_{at}" for at in range(feed.width)]
    for field, at in zip(SITC_FIELDS, feed.order, strict=True):
        columns[at] = STAGE_COLUMN[field]
    spare = ", ".join(
        f"ADD COLUMN IF NOT EXISTS {name} text" for name in columns if name.startswith("spare_")
    )
    conn.exec_driver_sql(
        f"ALTER TABLE {table} ALTER COLUMN line RESTART WITH {int(feed.first_line)}, "
        f"ALTER COLUMN file_no SET DEFAULT {int(feed.file_no)}" + (f", {spare}" if spare else "")
    )
    placeholder = ("|".join(["\\N"] * feed.width) + "\n").encode("ascii")
    placeholders = 0
    cursor = conn.connection.driver_connection.cursor()
    try:
        with cursor.copy(
            f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT text, DELIMITER '|')"
        ) as copy:
            write = copy.write
            for segment in feed.segments():
                kind = type(segment)
                if kind is PlainLines:
                    write(segment.data)
                elif kind is SkippedLines:
                    write(placeholder * segment.count)
                    placeholders += segment.count
                else:
                    write(_text_line(segment, feed.order, feed.width))
    finally:
        cursor.close()
    return placeholders


def _text_line(row: tuple, order: tuple[int, ...], width: int) -> bytes:
    """A checked row back in the file's column order, in COPY's text form (backslash is its escape)."""
    fields = [""] * width
    for index, at in zip(ROW_INDEX, order, strict=True):
        fields[at] = str(row[index]).replace("\\", "\\\\")
    return ("|".join(fields) + "\n").encode("utf-8")
