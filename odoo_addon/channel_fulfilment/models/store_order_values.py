"""What the store-order import's files share: the normalised order's reading rules (money as a finite
Decimal, text trimmed, names compared without case), the error that names a bad field, the prepared new
order, the advisory-lock key, and the statuses and review codes the import knows.

A plain module (no model): sale_order_import*.py import from here, nothing is copied between them.
"""

import hashlib
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

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
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise StoreOrderError(f"{where}: {value!r} is not a decimal amount") from None
    if not amount.is_finite():
        raise StoreOrderError(f"{where}: {value!r} is not a decimal amount")
    return amount


def _text(value):
    return (value or "").strip() if isinstance(value, str) else ("" if value is None else str(value).strip())


def _same(a, b):
    return _text(a).casefold() == _text(b).casefold()


def _lock_key(*parts):
    """A signed 64-bit key for pg_advisory_xact_lock, stable across processes (Python's hash() is not)."""
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)
