"""What the store-order import's files share: the normalised order's reading rules (money as a finite
Decimal, text trimmed, names compared without case), the error that names a bad field, the prepared new
order, the advisory-lock key, and the statuses and review codes the import knows.

A plain module (no model): sale_order_import*.py import from here, nothing is copied between them.
"""

import datetime as dt
import hashlib
import re
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

# The bounds of one store order (docs/odoo.md, "Bounds"): beyond them the order is refused with its path.
MAX_LINES = 1000  # per list: lines, shipping_lines, discounts (like the 100 orders a call)
MAX_QTY = Decimal(1_000_000)
MAX_UNIT_PRICE = Decimal(1_000_000_000)  # also a shipping line's price and a discount's amount
MAX_TOTAL = Decimal(10**15)
MAX_EXTERNAL_ID = 64
EXTRA_PRICE_PLACES = 2  # unit prices may have the currency's decimals and two more (3 for 10.00 = 3.3333)

# Review codes set at import: they stay until a person accepts them (Plan cannot make the order ready).
IMPORT_REVIEW_CODES = (
    "unknown_sku",
    "total_mismatch",
    "missing_tax",
    "no_pricelist",
    "payment_pending",
    "store_changed_after_order",
    "store_cancelled_after_order",
)
CANCELLING_STATUSES = ("cancelled", "refunded")
PAYMENT_STATES = ("paid", "pending", "partially_refunded", "refunded")
# A PO in these sending states has reached its distributor: a store cancellation cannot undo it.
SENT_PO_STATES = ("sent", "accepted", "rejected", "emailed")


class NewOrder(NamedTuple):
    """A store order Odoo does not have yet, prepared for the call's one create."""

    data: dict
    values: dict
    codes: list
    reasons: list


class StoreOrderError(ValueError):
    """A normalised order that cannot be read: the message names the field (e.g. lines[2].qty)."""


def _money(value, where):
    if isinstance(value, bool):  # JSON true is no amount, though Decimal(str(True)) would say why less well
        raise StoreOrderError(f"{where}: {value!r} is not a decimal amount")
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise StoreOrderError(f"{where}: {_shown(value)} is not a decimal amount") from None
    if not amount.is_finite():
        raise StoreOrderError(f"{where}: {_shown(value)} is not a decimal amount")
    return amount


def _bounded(value, where, *, low, high, places, low_open=False):
    """A decimal amount within [low, high] (low excluded when `low_open`) with at most `places` decimals;
    StoreOrderError naming `where` otherwise. Compared as Decimal: no float overflow, no rounding."""
    amount = _money(value, where)
    if amount < low or (low_open and amount == low) or amount > high:
        above = "more than" if low_open else "at least"
        raise StoreOrderError(f"{where}: {_shown(value)} must be {above} {low} and at most {high:,}")
    # Within the bounds, quantize cannot overflow; 1E-999999999 rounds to 0 and so differs.
    if amount != amount.quantize(Decimal(1).scaleb(-places)):
        raise StoreOrderError(f"{where}: {_shown(value)} has more than {places} decimals")
    return amount


def _utc(value, where):
    """An ISO 8601 date and time as a naive UTC datetime (Odoo's), its offset honoured ("Z", "+09:00"; none
    means UTC), to the second; StoreOrderError naming `where` otherwise."""
    try:
        moment = dt.datetime.fromisoformat(value)
        if moment.tzinfo is not None:
            moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    except (TypeError, ValueError, OverflowError):
        raise StoreOrderError(f"{where}: {_shown(value)} is not an ISO 8601 date and time") from None
    return moment.replace(microsecond=0)


def _nul_path(value, path="$"):
    """The JSON path of the first string (value or key) holding a NUL character, or None. PostgreSQL
    refuses NUL in text; found here it is named, not a database error. Iterative: no recursion limit."""
    stack = [(value, path)]
    while stack:
        node, where = stack.pop()
        if isinstance(node, str):
            if "\x00" in node:
                return where
        elif isinstance(node, dict):
            for key, item in node.items():
                if isinstance(key, str) and "\x00" in key:
                    return where
                stack.append((item, f"{where}.{key}" if where != "$" else str(key)))
        elif isinstance(node, list):
            stack.extend((item, f"{where}[{i}]") for i, item in enumerate(node))
    return None


def _shown(value):
    """A received value as an error message quotes it: short."""
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}..."


def _text(value):
    return (value or "").strip() if isinstance(value, str) else ("" if value is None else str(value).strip())


def _same(a, b):
    return _text(a).casefold() == _text(b).casefold()


def _lock_key(*parts):
    """A signed 64-bit key for pg_advisory_xact_lock, stable across processes (Python's hash() is not)."""
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def unknown_sku_of(line_name):
    """The store's SKU an unknown-product line carries in its description ("[SKU] name (unknown SKU)")."""
    match = re.match(r"\[([^\]]*)\]", line_name or "")
    return match.group(1) if match else ""
