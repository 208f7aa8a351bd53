"""The attachments a despatch e-mail carries, as text and tables: PDF despatch notes (pypdf, its layout
mode keeps a note's columns apart), CSV and XLSX despatch reports (csv, openpyxl), plain text and HTML.

An attachment that cannot be read (a scanned image, a password, a broken file, a format we do not read)
is named in the reading's notes, never skipped silently.
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass
from datetime import date, datetime

from .blocks import Block, Table, TextBlock

MAX_PAGES = 50  # a despatch note is a page or two; a 500-page catalogue is not worth reading here
MAX_ROWS = 20_000


@dataclass(frozen=True)
class Attachment:
    name: str
    content_type: str
    content: bytes


class Unreadable(Exception):
    """An attachment we cannot read: the message says why."""


def kind(attachment: Attachment) -> str | None:
    """ "pdf", "csv", "xlsx", "text", "html", or None for what we do not read."""
    name = attachment.name.lower()
    content_type = attachment.content_type.lower()
    if name.endswith(".pdf") or content_type == "application/pdf":
        return "pdf"
    if name.endswith((".csv", ".tsv")) or content_type in ("text/csv", "text/tab-separated-values"):
        return "csv"
    if name.endswith((".xlsx", ".xlsm")) or "spreadsheetml" in content_type:
        return "xlsx"
    if name.endswith((".htm", ".html")) or content_type == "text/html":
        return "html"
    if name.endswith(".txt") or content_type == "text/plain":
        return "text"
    return None


def pdf_lines(content: bytes) -> list[str]:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    # pypdf logs warnings about odd-but-readable PDFs on its own logger; a despatch note that reads is fine
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted and not reader.decrypt(""):
            raise Unreadable("the PDF is password protected")
        lines: list[str] = []
        for page in reader.pages[:MAX_PAGES]:
            # layout mode keeps columns with runs of spaces; between words it may put a tab
            text = page.extract_text(extraction_mode="layout").replace("\t", " ")
            lines.extend(text.splitlines())
            lines.append("")
    except Unreadable:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise Unreadable(f"not a readable PDF ({exc})") from None
    if not any(line.strip() for line in lines):
        raise Unreadable("the PDF holds no text (a scanned image?)")
    return lines


def decode_text(content: bytes) -> str:
    """Text as UK systems write it: UTF-8 (with or without its byte-order mark), else Windows-1252."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def csv_rows(content: bytes) -> list[list[str]]:
    text = decode_text(content)
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        return [row for _, row in zip(range(MAX_ROWS), reader, strict=False)]
    except csv.Error as exc:
        raise Unreadable(f"not a readable CSV file (line {reader.line_num}: {exc})") from None


def xlsx_sheets(content: bytes) -> list[tuple[str, list[list[str]]]]:
    """(sheet title, rows as text) of every worksheet."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError, InvalidFileException… for a bad file
        raise Unreadable(f"not a readable XLSX workbook ({exc.__class__.__name__}: {exc})") from None
    try:
        sheets = []
        for sheet in book.worksheets:
            rows = []
            for _, row in zip(range(MAX_ROWS), sheet.iter_rows(values_only=True), strict=False):
                rows.append([cell_text(value) for value in row])
            sheets.append((sheet.title, rows))
        return sheets
    finally:
        book.close()


def cell_text(value) -> str:
    """A spreadsheet cell as a person reads it: 3 not 3.0, dates as ISO, tracking numbers unmangled."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def table_of(rows: list[list[str]], where: str, is_header=None) -> Table | None:
    """A table from rows: the header is the first of the first ten rows that `is_header` recognises
    (a report often opens with a title and a blank line), else the first non-empty row."""
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    start = 0
    if is_header is not None:
        start = next((i for i, row in enumerate(rows[:10]) if is_header([c for c in row if c.strip()])), 0)
    if len(rows) - start < 2:
        return None
    header = tuple(cell.strip() for cell in rows[start])
    return Table(where, header, tuple(tuple(row) for row in rows[start + 1 :]))


def blocks_of(attachment: Attachment, html_blocks, is_header=None) -> list[Block]:
    """The blocks of one attachment; `html_blocks` reads an HTML document and `is_header` tells a table's
    header row (both passed in to keep this module free of the reader). Raises `Unreadable`."""
    where = f"attachment {attachment.name}"
    found = kind(attachment)
    if found == "pdf":
        return [TextBlock(where, tuple(pdf_lines(attachment.content)))]
    if found == "csv":
        table = table_of(csv_rows(attachment.content), where, is_header)
        return [table] if table is not None else []
    if found == "xlsx":
        out: list[Block] = []
        for title, rows in xlsx_sheets(attachment.content):
            table = table_of(rows, f"{where} sheet {title}", is_header)
            if table is not None:
                out.append(table)
        return out
    if found == "html":
        return html_blocks(decode_text(attachment.content), where)
    if found == "text":
        return [TextBlock(where, tuple(decode_text(attachment.content).splitlines()))]
    raise Unreadable(f"{attachment.content_type or 'this kind of file'} is not read")
