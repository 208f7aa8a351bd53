"""Stock-in-the-Channel `DistributorStockAndPrices` feeds: pipe-delimited, eight fields, header optional.

`product_id|distributor_id|stock|cost|distributor_sku|distributor_category|eta|brand_sku`, where
`product_id` is our SKU. When the first line is a header, its names decide the column order.

Built for feeds of millions of lines. The file is read as raw bytes a block at a time; `plain_lines`
picks out the lines the per-row checker would take exactly as written, and only the others go through
Python one by one. `SitcFile.segments()` gives the file in line order as:
- `PlainLines`: a run of plain lines as bytes — PostgreSQL COPYs them as they stand, `rows()` splits them;
- an offer row tuple: a line that needed the checker and passed it;
- `SkippedLines`: blank lines and bad rows (each bad row reported through `on_reject`).
Every line is one row (the layout has no quoting). Line ends may be \\n, \\r\\n or \\r, as for any
text file; a row in the wrong encoding or holding a NUL byte is a bad row, not the end of the load.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain, pairwise, repeat
from pathlib import Path

import numpy as np

from ..errors import InputError
from .offer_rows import OfferRow, Reject, RejectCallback, offer_row
from .plain_lines import LineLayout, plain_lines
from .source import ProgressCallback, is_blank
from .text_checks import clean, text_problem

SITC_FIELDS = (
    "product_id",
    "distributor_id",
    "stock",
    "cost",
    "distributor_sku",
    "distributor_category",
    "eta",
    "brand_sku",
)
DELIMITER = "|"
ENCODING = "utf-8"  # a byte-order mark at the start is ignored
BOM = b"\xef\xbb\xbf"

BLOCK_BYTES = 1 << 20
# A line of more bytes than this (line end not counted) is a bad row: a binary file, say. It is never
# held in memory whole.
MAX_LINE_BYTES = 1 << 20


@dataclass(frozen=True, slots=True)
class PlainLines:
    """Lines `first_line` … `first_line + count - 1`, each a good row exactly as written; `data` is the
    lines as bytes, each ending in b"\\n" (printable ASCII, no backslash)."""

    data: bytes
    first_line: int
    count: int


@dataclass(frozen=True, slots=True)
class SkippedLines:
    """Lines that give no row: blank, or bad (already reported)."""

    first_line: int
    count: int


Segment = PlainLines | SkippedLines | tuple  # the tuple: an OfferRow


class _Overlong:
    """A line longer than MAX_LINE_BYTES, skipped up to and including its end."""


OVERLONG = _Overlong()


def read_sitc(
    path: str | Path,
    file_no: int,
    on_reject: RejectCallback,
    on_progress: ProgressCallback | None = None,
) -> Iterator[OfferRow]:
    """Yield the good rows of one SITC file; bad ones go to `on_reject` as they are met."""
    with SitcFile(path, file_no, on_reject, on_progress) as feed:
        yield from feed.rows()


class SitcFile:
    """One SITC file, open: `order`, `width` and `first_line` are known once entered (the header is read
    then); `segments()` or `rows()` streams the rest."""

    def __init__(
        self,
        path: str | Path,
        file_no: int,
        on_reject: RejectCallback,
        on_progress: ProgressCallback | None = None,
    ):
        self.path = path
        self.file_no = file_no
        self.on_reject = on_reject
        self.on_progress = on_progress
        self.width = len(SITC_FIELDS)
        self.order: tuple[int, ...] = tuple(range(len(SITC_FIELDS)))  # position of each SITC field
        self.header: list[str] | None = None
        self.first_line = 1  # the line the segments start at
        self._raw: io.BufferedReader | None = None
        self._blocks: Iterator[bytes | _Overlong] = iter(())
        self._pending: bytes = b""  # the rest of the block the header was read from

    # ------------------------------------------------------------------------------------------ opening

    def __enter__(self) -> SitcFile:
        try:
            self._raw = open(self.path, "rb")
        except OSError as exc:
            raise InputError(str(self.path), f"cannot read: {exc.strerror or exc}") from None
        try:
            self._blocks = _blocks(self._raw)
            self._read_header()
        except BaseException:
            self._raw.close()
            raise
        return self

    def __exit__(self, *_exc) -> None:
        if self._raw is not None:
            self._raw.close()

    def _read_header(self) -> None:
        """Skip leading blank lines; the first other line is the header, or already a row."""
        line = 1
        for block in self._blocks:
            if block is OVERLONG:  # no header can be that long: the segments report it as a bad row
                self._blocks = _chain(block, self._blocks)
                break
            at = 0
            while at < len(block):
                end = block.index(b"\n", at)
                fields = block[at:end].decode(ENCODING, "surrogateescape").split(DELIMITER)
                if is_blank(fields):
                    at = end + 1
                    line += 1
                    continue
                if self._is_header(fields):
                    at = end + 1
                    line += 1
                self.first_line = line
                self._pending = block[at:]
                return
        self.first_line = line

    def _is_header(self, fields: list[str]) -> bool:
        names = [name.strip().lower() for name in fields]
        if "product_id" not in names:
            return False
        missing = [name for name in SITC_FIELDS if name not in names]
        if missing:
            raise InputError(f"{self.path}:1", f"the header line lacks {', '.join(missing)}")
        self.header = [name.strip() for name in fields]
        self.width = len(fields)
        self.order = tuple(names.index(name) for name in SITC_FIELDS)
        return True

    @property
    def layout(self) -> LineLayout:
        product, distributor, stock, cost = self.order[:4]
        return LineLayout(self.width, ord(DELIMITER), product, distributor, stock, cost)

    # ------------------------------------------------------------------------------------------ reading

    def segments(self) -> Iterator[Segment]:
        layout = self.layout
        line = self.first_line
        blocks = _chain(self._pending, self._blocks) if self._pending else self._blocks
        self._pending = b""
        for block in blocks:
            if block is OVERLONG:
                self.on_reject(Reject(line, None, _too_long()))
                yield SkippedLines(line, 1)
                line += 1
                continue
            plain, ends = plain_lines(block, layout)
            if len(block) > MAX_LINE_BYTES:
                plain &= np.diff(ends, prepend=-1) <= MAX_LINE_BYTES + 1
            count = len(ends)
            if plain.all():
                yield PlainLines(block, line, count)
            else:
                yield from self._mixed(block, line, plain, ends)
            line += count
            if self.on_progress is not None:
                self.on_progress(self._raw.tell())

    def rows(self) -> Iterator[OfferRow]:
        """Every good row as the tuple the store stages (`offer_rows.OFFER_COLUMNS`)."""
        return chain.from_iterable(self._row_runs())  # no Python frame per row

    def _row_runs(self) -> Iterator[Iterable[OfferRow]]:
        for segment in self.segments():
            kind = type(segment)
            if kind is PlainLines:
                yield self._split(segment)
            elif kind is not SkippedLines:
                yield (segment,)

    def _mixed(self, block: bytes, line: int, plain: np.ndarray, ends: np.ndarray) -> Iterator[Segment]:
        """A block with lines that need the per-row checker: runs of plain lines stay whole."""
        ends_at = ends.tolist()
        runs = [0, *(np.flatnonzero(plain[1:] != plain[:-1]) + 1).tolist(), len(ends_at)]
        for first, stop in pairwise(runs):
            begin = ends_at[first - 1] + 1 if first else 0
            if plain[first]:
                yield PlainLines(block[begin : ends_at[stop - 1] + 1], line + first, stop - first)
                continue
            skipped_from = None
            for index in range(first, stop):
                row = self._checked(block[begin : ends_at[index]], line + index)
                begin = ends_at[index] + 1
                if row is None:
                    if skipped_from is None:
                        skipped_from = index
                    continue
                if skipped_from is not None:
                    yield SkippedLines(line + skipped_from, index - skipped_from)
                    skipped_from = None
                yield row
            if skipped_from is not None:
                yield SkippedLines(line + skipped_from, stop - skipped_from)

    def _checked(self, raw: bytes, line: int) -> OfferRow | None:
        """One line through the per-row checks: its row, or None (blank, or bad and reported)."""
        if len(raw) > MAX_LINE_BYTES:
            self.on_reject(Reject(line, None, _too_long()))
            return None
        fields = raw.decode(ENCODING, "surrogateescape").split(DELIMITER)
        if is_blank(fields):
            return None
        distributor_at = self.order[1]
        problem = text_problem(fields, self._field_name, ENCODING)
        if problem:
            named = clean(fields[distributor_at].strip()) if len(fields) > distributor_at else None
            self.on_reject(Reject(line, named or None, problem))
            return None
        if len(fields) != self.width:
            named = fields[distributor_at].strip() if len(fields) > distributor_at else ""
            self.on_reject(
                Reject(
                    line, named or None, f"expected {self.width} fields separated by '|', got {len(fields)}"
                )
            )
            return None
        row = offer_row(self.file_no, line, *(fields[at] for at in self.order))
        if type(row) is Reject:
            self.on_reject(row)
            return None
        return row

    def _field_name(self, index: int) -> str:
        if self.header is not None:
            return self.header[index] if index < len(self.header) else ""
        return SITC_FIELDS[index] if index < len(SITC_FIELDS) else ""

    def _split(self, segment: PlainLines) -> Iterator[OfferRow]:
        """Plain lines as row tuples, built column by column in C: every line has `width` fields, so one
        split of the whole run lists them all, and every width-th one is the same column."""
        fields = segment.data[:-1].replace(b"\n", b"|").decode("ascii").split(DELIMITER)
        width = self.width
        product, distributor, stock, cost, *rest = (fields[at::width] for at in self.order)
        return zip(
            repeat(self.file_no),
            range(segment.first_line, segment.first_line + segment.count),
            distributor,
            product,
            map(int, stock),
            cost,
            *rest,
            strict=False,
        )


def _too_long() -> str:
    return f"line longer than {MAX_LINE_BYTES} bytes"


# ---------------------------------------------------------------------------------------------- blocks


def _chain(first, rest: Iterator):
    yield first
    yield from rest


def _blocks(raw: io.BufferedReader) -> Iterator[bytes | _Overlong]:
    """The file as blocks of whole lines, each line ending in b"\\n" (\\r\\n and \\r made \\n), the
    byte-order mark dropped; OVERLONG in place of a line longer than MAX_LINE_BYTES."""
    carry = b""
    skipping = False  # inside an overlong line, looking for its end
    start = True
    while True:
        chunk = raw.read(max(BLOCK_BYTES, len(BOM)) if start else BLOCK_BYTES)
        if not chunk:
            break
        if start:
            start = False
            if chunk.startswith(BOM):
                chunk = chunk[len(BOM) :]
        data = carry + chunk
        held = b""
        if data.endswith(b"\r"):  # perhaps half of a \r\n: decide with the next chunk
            data, held = data[:-1], b"\r"
        if b"\r" in data:
            data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        if skipping:
            end = data.find(b"\n")
            if end < 0:
                carry = held
                continue
            skipping = False
            yield OVERLONG
            data = data[end + 1 :]
        cut = data.rfind(b"\n") + 1
        if cut:
            yield data[:cut]
        if len(data) - cut > MAX_LINE_BYTES:  # no end in sight for this line
            skipping = True
            carry = held
            continue
        carry = data[cut:] + held
    if skipping:
        yield OVERLONG
        return
    if carry:
        carry = carry.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        yield carry if carry.endswith(b"\n") else carry + b"\n"
