"""What the message readers hand to the scanner: lines of text and tables, each saying where it came from.

A plain-text body, the text of an HTML body outside its tables and a PDF's text are `TextBlock`s; an HTML
table, a CSV or a worksheet, and a column-aligned block of text under a header line, are `Table`s.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class TextBlock:
    where: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    where: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


Block = TextBlock | Table

_GAP = re.compile(r"\S+(?: \S+)*")  # a cell of aligned text: words separated by single spaces


def cells(line: str) -> list[tuple[int, int, str]]:
    """The cells of a column-aligned text line: runs of text separated by two spaces or more (or a tab)."""
    line = line.expandtabs(8)
    return [(m.start(), m.end(), m.group()) for m in _GAP.finditer(line)]


def aligned_rows(header: str, lines: list[str]) -> list[tuple[str, ...]]:
    """Rows of text aligned under `header`'s cells: each cell goes to the header cell it overlaps most
    (a value printed a little left or right of its heading, as PDF text and fixed-width e-mails do)."""
    heads = cells(header)
    rows = []
    for line in lines:
        row = [""] * len(heads)
        for start, end, text in cells(line):
            best, overlap = None, -1
            for index, (h_start, h_end, _) in enumerate(heads):
                shared = min(end, h_end) - max(start, h_start)
                if shared > overlap:
                    best, overlap = index, shared
            if best is None:
                continue
            if overlap <= 0:  # no overlap: the nearest heading to the left
                lefts = [i for i, (h_start, _, _) in enumerate(heads) if h_start <= start]
                best = lefts[-1] if lefts else 0
            row[best] = f"{row[best]} {text}".strip()
        rows.append(tuple(row))
    return rows
