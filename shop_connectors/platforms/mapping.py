"""What both platforms' mappers share: money as decimal strings, tax rates as percentage strings, discounts
grouped per tax rate, and the order's hash."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from ..errors import BadOrder

if TYPE_CHECKING:
    from ..contract import NormalisedOrder

CENT = Decimal("0.01")
UNIT_PRICE = Decimal("0.0001")
# `modified` changes with every touch of the order in the store — including the note or the `completed`
# we send ourselves — so the hash leaves it out: a change we caused is not a change.
NOT_HASHED = ("hash", "modified")


def dec(value: Any, where: str) -> Decimal:
    if value is None or value == "":
        return Decimal(0)
    try:
        result = Decimal(str(value))
    except InvalidOperation:
        raise BadOrder(where, f"{value!r} is not an amount") from None
    if not result.is_finite():
        raise BadOrder(where, f"{value!r} is not an amount")
    return result


def money(value: Decimal) -> str:
    return str(value.quantize(CENT))


def unit_price(value: Decimal) -> str:
    """Per-unit prices keep 4 places: 3 for 10.00 is 3.3333, and 2 places would lose the penny."""
    exact = value.quantize(UNIT_PRICE)
    return str(exact.quantize(CENT) if exact == exact.quantize(CENT) else exact.normalize())


def rate(value: Any, where: str) -> str:
    """A tax percentage as the contract writes it: "20.0", "5.0", "17.5"."""
    number = dec(value, where).normalize()
    text = f"{number:f}"
    return text if "." in text else f"{text}.0"


def qty(value: Decimal) -> str:
    return f"{value.normalize():f}"


def discounts_per_rate(amounts: dict[tuple[str, ...], Decimal], name: str) -> list[dict]:
    """One discount line per tax rate set, as Odoo needs to tax a discount like the lines it reduces."""
    return [
        {"name": name, "amount": money(amount), "tax_rates": list(rates)}
        for rates, amount in sorted(amounts.items())
        if amount.quantize(CENT) != 0
    ]


def new_discount_bucket() -> defaultdict[tuple[str, ...], Decimal]:
    return defaultdict(Decimal)


def with_hash(order: NormalisedOrder) -> NormalisedOrder:
    hashed = {k: v for k, v in order.items() if k not in NOT_HASHED}
    digest = hashlib.sha256(json.dumps(hashed, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    return {**order, "hash": digest}


def text(value: Any) -> str:
    return str(value).strip() if value is not None else ""


def full_name(first: Any, last: Any) -> str:
    return " ".join(part for part in (text(first), text(last)) if part)
