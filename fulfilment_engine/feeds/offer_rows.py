"""One distributor offer row, checked field by field: the part every feed format shares.

Readers hand over text fields; `offer_row` gives back either the tuple the store stages or the reason
the row is bad. Only the checks that need no database live here: whether the product exists and
whether a row repeats another one are settled in SQL over the staged rows, so memory stays flat
however long the feed is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from ..domain import MONEY_TEXT

MAX_STOCK = 2**31 - 1
MAX_COST = Decimal("1e12")

# The staged offer row: where it came from, then the fields in the Stock-in-the-Channel order.
# `product_key` is our SKU, or the manufacturer part number when a mapping keys rows by `mpn`.
OFFER_COLUMNS = (
    "file_no",
    "line",
    "distributor",
    "product_key",
    "stock",
    "cost",
    "distributor_sku",
    "category",
    "eta",
    "brand_sku",
)

OfferRow = (
    tuple  # (file_no, line, distributor, product_key, stock, cost, distributor_sku, category, eta, brand_sku)
)


class Reject(NamedTuple):
    """A bad row as a reader reports it: its line, the distributor it names (if readable), why."""

    line: int
    distributor: str | None
    reason: str


RejectCallback = Callable[[Reject], None]


def decimal_text(value: str, field: str, *, decimal_comma: bool = False) -> tuple[str | None, str | None]:
    """(normalised text, None) for a finite decimal >= 0, else (None, reason)."""
    text = value.strip()
    if not text:
        return None, f"missing {field}"
    if decimal_comma:
        text = text.replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None, f"{field} {value.strip()!r} is not a decimal number"
    if not number.is_finite():
        return None, f"{field} {value.strip()!r} is not a finite number"
    if number < 0:
        return None, f"{field} {value.strip()!r} is negative"
    if number >= MAX_COST:
        return None, f"{field} {value.strip()!r} is too large"
    # Keep what the feed said ("12.50") unless it used a form the databases read differently.
    if not text.replace(".", "", 1).isdigit():
        text = format(number.copy_abs(), "f")
    return text, None


def money_field(value: str, field: str) -> tuple[str | None, str | None]:
    """(text, None) for an amount >= 0 written as money is written everywhere (domain.MONEY_TEXT: "12.50",
    at most 12 digits and 4 decimals), else (None, reason). "1e3" or "1_000" would read as numbers, but
    no price list writes them so: they are refused, not guessed at."""
    text = value.strip()
    if not text:
        return None, f"missing {field}"
    if MONEY_TEXT.fullmatch(text):
        if text.startswith("-") and Decimal(text) != 0:
            return None, f"{field} {value.strip()!r} is negative"
        return text.lstrip("-"), None
    # Only the reason is left to find: say it in the words of decimal_text where they fit.
    _, problem = decimal_text(value, field)
    return None, problem or (
        f"{field} {value.strip()!r} is not written as money (digits, optionally a point and up to 4 decimals)"
    )


# A cost as most feeds write it ("12.50"): accepted as it stands, skipping the full check below.
_PLAIN_DECIMAL = re.compile(r"[0-9]{1,12}(?:\.[0-9]{1,4})?").fullmatch


def offer_row(
    file_no: int,
    line: int,
    product_key: str,
    distributor: str,
    stock: str,
    cost: str,
    distributor_sku: str,
    category: str,
    eta: str,
    brand_sku: str,
    key_name: str = "product_id",
    decimal_comma: bool = False,
) -> OfferRow | Reject:
    """Runs once per feed row, millions of times a load: the common case is a few C-level calls; the
    thorough checks (and the reasons they give) only run for what the fast path does not accept."""
    product_key = product_key.strip()
    distributor = distributor.strip()
    if not distributor:
        return Reject(line, None, "missing distributor_id")
    if not product_key:
        return Reject(line, distributor, f"missing {key_name}")
    stock = stock.strip()
    if stock.isdigit() and stock.isascii() and len(stock) < 10:
        units = int(stock)
    else:
        units = _stock(stock)
        if type(units) is str:
            return Reject(line, distributor, units)
    cost = cost.strip()
    if decimal_comma:
        cost = cost.replace(",", ".")
    if not _PLAIN_DECIMAL(cost):
        cost, problem = money_field(cost, "cost")
        if problem:
            return Reject(line, distributor, problem)
    return (
        file_no,
        line,
        distributor,
        product_key,
        units,
        cost,
        distributor_sku.strip(),
        category.strip(),
        eta.strip(),
        brand_sku.strip(),
    )


def _stock(text: str) -> int | str:
    """The stock as a whole number >= 0, or the reason it is not one."""
    if not text:
        return "missing stock"
    try:
        units = int(text)
    except ValueError:
        return f"stock {text!r} is not a whole number"
    if units < 0:
        return f"stock {text} is negative"
    if units > MAX_STOCK:
        return f"stock {text} is too large"
    return units
