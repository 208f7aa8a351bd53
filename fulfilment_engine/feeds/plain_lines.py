"""Finding, a block at a time, the feed lines that the per-row checker would take exactly as written.

Most lines of a big feed are *plain*: printable ASCII without backslashes, the expected number of
fields, no space at either end of a field, a product and a distributor, a stock of one to nine digits and
a cost of plain digits (`12`, `12.50`; at most 4 decimals). For a plain line `offer_rows.offer_row`
returns the fields as they stand (stripping changes nothing, the stock is `int(text)`, the cost is kept
as written), so the line can go to the database untouched — PostgreSQL's COPY splits it in C — and only
the other lines need Python, one at a time. numpy looks at a whole block at once, so a million lines cost
a fraction of a second. Anything this module is unsure of is simply not plain: the per-row checker decides.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NEWLINE = 0x0A
SPACE = 0x20
DOT = 0x2E
ZERO = 0x30
BACKSLASH = 0x5C

MAX_STOCK_DIGITS = 9  # offer_row's fast path: int() of at most nine ASCII digits
MAX_COST_INTEGER_DIGITS = 12  # offer_rows._PLAIN_DECIMAL: [0-9]{1,12}(\.[0-9]{1,4})?
MAX_COST_DECIMALS = 4
MAX_COST_LENGTH = MAX_COST_INTEGER_DIGITS + 1 + MAX_COST_DECIMALS


@dataclass(frozen=True)
class LineLayout:
    """Where the checked fields sit in a line (0-based), and how many fields a line has."""

    width: int
    delimiter: int  # the byte separating fields
    product: int
    distributor: int
    stock: int
    cost: int


def plain_lines(block: bytes, layout: LineLayout) -> tuple[np.ndarray, np.ndarray]:
    """For `block` (whole lines, each ending in b"\\n"): whether each line is plain, and where each
    line's newline is."""
    a = np.frombuffer(block, dtype=np.uint8)
    last = len(a) - 1
    width = layout.width
    separator = (a == layout.delimiter) | (a == NEWLINE)
    separator_at = np.flatnonzero(separator)
    newline_index = np.flatnonzero(a[separator_at] == NEWLINE)  # among the separators
    ends = separator_at[newline_index]
    lines = len(ends)
    plain = np.diff(newline_index, prepend=-1) == width

    # Bytes a plain line never holds: control characters, DEL and beyond (not ASCII), backslashes
    # (COPY's escape character), and a space next to a separator or at the start of the block.
    unusual = (a - np.uint8(SPACE)) > np.uint8(0x7E - SPACE)
    unusual &= a != NEWLINE
    unusual |= a == BACKSLASH
    space = a == SPACE
    if space.any():
        unusual[1:] |= space[1:] & separator[:-1]
        unusual[:-1] |= space[:-1] & separator[1:]
        unusual[0] |= space[0]
    if unusual.any():
        plain[np.searchsorted(ends, np.flatnonzero(unusual))] = False

    starts = np.empty(lines, dtype=np.int64)
    starts[0] = 0
    starts[1:] = ends[:-1] + 1
    if plain.all():
        candidates = None
        separators = separator_at.reshape(lines, width)
    else:
        candidates = np.flatnonzero(plain)
        separators = separator_at[(newline_index[candidates] - (width - 1))[:, None] + np.arange(width)]
        starts = starts[candidates]

    def field(position: int) -> tuple[np.ndarray, np.ndarray]:
        begin = starts if position == 0 else separators[:, position - 1] + 1
        return begin, separators[:, position] - begin

    _, product_length = field(layout.product)
    _, distributor_length = field(layout.distributor)
    stock_at, stock_length = field(layout.stock)
    cost_at, cost_length = field(layout.cost)
    good = (product_length > 0) & (distributor_length > 0)
    good &= (stock_length > 0) & (stock_length <= MAX_STOCK_DIGITS)
    good &= (cost_length > 0) & (cost_length <= MAX_COST_LENGTH)

    # Column by column over the characters of the stock and cost fields (a handful of columns).
    for j in range(min(int(stock_length.max(initial=0)), MAX_STOCK_DIGITS)):
        digit = (a.take(np.minimum(stock_at + j, last)) - np.uint8(ZERO)) < 10
        good &= digit | (stock_length <= j)
    non_digits = np.zeros(len(cost_at), dtype=np.int16)
    dot_at = np.zeros(len(cost_at), dtype=np.int64)
    for j in range(min(int(cost_length.max(initial=0)), MAX_COST_LENGTH)):
        char = a.take(np.minimum(cost_at + j, last))
        other = ((char - np.uint8(ZERO)) > 9) & (cost_length > j)
        non_digits += other
        dot_at[other & (char == DOT)] = j
    digits_only = (non_digits == 0) & (cost_length <= MAX_COST_INTEGER_DIGITS)
    one_dot = (
        (non_digits == 1)
        & (dot_at >= 1)
        & (dot_at <= MAX_COST_INTEGER_DIGITS)
        & (dot_at < cost_length - 1)  # a digit after the dot
        & (dot_at >= cost_length - 1 - MAX_COST_DECIMALS)
    )
    good &= digits_only | one_dot

    if candidates is None:
        return good, ends
    plain[candidates] = good
    return plain, ends
