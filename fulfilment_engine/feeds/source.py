"""Opening a feed file as a stream of text with known byte progress; bytes not in its encoding kept
for the row checks to name."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from ..errors import InputError

# How often (in rows) readers report progress: rare enough to cost nothing, often enough to move a bar.
PROGRESS_EVERY = 20_000

ProgressCallback = Callable[[int], None]  # bytes read so far in the current file


def file_size(path: str | os.PathLike) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


@contextmanager
def open_text(
    path: str | os.PathLike, encoding: str = "utf-8-sig"
) -> Iterator[tuple[io.TextIOWrapper, io.BufferedReader]]:
    """The file as text for the csv module (newline="" as it asks), plus its raw stream for progress.

    Bytes the encoding does not know become lone surrogates (`errors="surrogateescape"`): the row that
    holds them is refused by `text_checks.text_problem`, and the rest of the file still reads."""
    try:
        raw = open(path, "rb")  # noqa: SIM115 - closed below, the text wrapper borrows it
    except OSError as exc:
        raise InputError(str(path), f"cannot read: {exc.strerror or exc}") from None
    try:
        text = io.TextIOWrapper(raw, encoding=encoding, errors="surrogateescape", newline="")
    except LookupError:
        raw.close()
        raise InputError(str(path), f"unknown text encoding {encoding!r}") from None
    try:
        yield text, raw
    finally:
        text.detach()
        raw.close()


def is_blank(fields: list[str]) -> bool:
    return not fields or (len(fields) == 1 and not fields[0].strip())


def csv_rows(
    reader: Any, raw: io.BufferedReader, path: str | os.PathLike, on_progress: ProgressCallback | None
) -> Iterator[list[str]]:
    """Every row of `reader` (a csv.reader over `raw`), header included: progress reported every
    PROGRESS_EVERY rows and once at the end; a line the csv module cannot read is one InputError naming it."""
    count = 0
    try:
        for fields in reader:
            count += 1
            if on_progress is not None and count % PROGRESS_EVERY == 0:
                on_progress(raw.tell())
            yield fields
    except csv.Error as exc:
        raise InputError(f"{path}:{reader.line_num}", f"unreadable line: {exc}") from None
    if on_progress is not None:
        on_progress(raw.tell())


def first_filled(rows: Iterator[list[str]]) -> list[str] | None:
    """The first row that is not blank (a header line), or None when there is none."""
    return next((fields for fields in rows if not is_blank(fields)), None)
