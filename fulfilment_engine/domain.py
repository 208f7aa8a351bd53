"""The planning domain: frozen values with exact `Decimal` money and weights, and no I/O.

Everything the planner, the freight rules, the offer store, the real-time gateway and the HTTP service
exchange is one of these. JSON in and out lives in `scenario.py` (input) and `Plan.to_dict` (output).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

CENT = Decimal("0.01")

# How money is written wherever it comes in (scenarios, the cart service, feeds): plain ASCII digits, at
# most 12 before the point and 4 after. `Decimal` itself also reads "1_000", "1e26", " 12 ", "Infinity"
# and other scripts' digits; none of them is how a price is written, and the large ones overflow the
# arithmetic later (a basket of 100 x "1e24" cannot be rounded to pence), so they are refused at the edge.
MONEY_TEXT = re.compile(r"-?[0-9]{1,12}(?:\.[0-9]{1,4})?")
MONEY_RULE = 'a decimal string such as "12.50": up to 12 digits, optionally a point and up to 4 decimals'


def money(value: Decimal) -> Decimal:
    """Round to pence (or cents), half-up, as the contract asks for every amount it prints."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def money_text(value: Decimal) -> str:
    return str(money(value))


def parse_money(text: str) -> Decimal:
    """The amount `text` writes, when it follows MONEY_TEXT; ValueError saying the rule otherwise."""
    if not MONEY_TEXT.fullmatch(text):
        raise ValueError(f"must be {MONEY_RULE}, got {text!r}")
    return Decimal(text)


# ---------------------------------------------------------------------------------------------- catalogue


@dataclass(frozen=True)
class Product:
    sku: str
    weight_kg: Decimal = Decimal(0)
    length_cm: Decimal | None = None
    width_cm: Decimal | None = None
    height_cm: Decimal | None = None
    mpn: str = ""
    brand: str = ""
    description: str = ""

    @property
    def volume_cm3(self) -> Decimal | None:
        """L × W × H, or None when a dimension is unknown."""
        if self.length_cm is None or self.width_cm is None or self.height_cm is None:
            return None
        return self.length_cm * self.width_cm * self.height_cm

    def dimensional_weight_kg(self, divisor: Decimal) -> Decimal:
        """L × W × H / divisor per unit; 0 when a dimension is unknown."""
        volume = self.volume_cm3
        return Decimal(0) if volume is None else volume / divisor


OfferSource = Literal["feed", "realtime"]


@dataclass(frozen=True)
class Offer:
    """What one distributor can ship of one SKU: stock, unit cost, and where that figure came from."""

    distributor: str
    sku: str
    stock: int
    cost: Decimal
    distributor_sku: str = ""
    source: OfferSource = "feed"
    age_s: float | None = None
    stale: bool = False  # a real-time refresh was asked for and did not arrive in time

    @property
    def part_number(self) -> str:
        return self.distributor_sku or self.sku


# ---------------------------------------------------------------------------------------------- freight


@dataclass(frozen=True)
class WeightBand:
    max_kg: Decimal
    charge: Decimal


@dataclass(frozen=True)
class FlatFreight:
    """`charge` per shipment, nothing when the shipment's goods reach `free_over`."""

    charge: Decimal
    free_over: Decimal | None = None
    type: Literal["flat"] = "flat"


@dataclass(frozen=True)
class WeightFreight:
    """First band whose `max_kg` holds the billable weight; above the last, `per_kg_over` per started kg."""

    bands: tuple[WeightBand, ...]
    per_kg_over: Decimal | None = None
    dim_divisor: Decimal | None = None
    type: Literal["weight"] = "weight"


@dataclass(frozen=True)
class CarrierFreight:
    """Rated live by a carrier (UPS, FedEx); `fallback` bands are used to plan and when it does not answer."""

    carrier: str
    service: str
    fallback: WeightFreight
    type: Literal["carrier"] = "carrier"


FreightRule = FlatFreight | WeightFreight | CarrierFreight


@dataclass(frozen=True)
class SmallOrderCharge:
    """`charge` on a shipment whose goods total is strictly below `below` (the distributor invoices it
    besides the freight, e.g. £5.00 under £50.00 of goods)."""

    below: Decimal
    charge: Decimal


@dataclass(frozen=True)
class Distributor:
    id: str
    name: str = ""
    freight: FreightRule | None = None  # None ships free
    small_order: SmallOrderCharge | None = None  # None: no small-order charge
    ships_to: tuple[str, ...] = ()  # ISO country codes it delivers to; empty: anywhere

    def delivers_to(self, country: str) -> bool:
        return not self.ships_to or country.upper() in self.ships_to


# ---------------------------------------------------------------------------------------------- the ask


@dataclass(frozen=True)
class CartLine:
    sku: str
    qty: int
    unit_price: Decimal | None = None


@dataclass(frozen=True)
class ShipTo:
    country: str
    postcode: str = ""


@dataclass(frozen=True)
class Scenario:
    """One self-contained planning problem: the cart, where it goes, and everything known to fill it."""

    currency: str
    ship_to: ShipTo
    cart: tuple[CartLine, ...]
    products: Mapping[str, Product]
    distributors: Mapping[str, Distributor]
    offers: tuple[Offer, ...]

    def demand(self) -> dict[str, int]:
        """Units wanted per SKU (a SKU may stand on several cart lines), in cart order."""
        wanted: dict[str, int] = {}
        for line in self.cart:
            wanted[line.sku] = wanted.get(line.sku, 0) + line.qty
        return wanted


# ---------------------------------------------------------------------------------------------- the answer

FreightSource = Literal["rule", "carrier", "fallback"]
PlanStatus = Literal["ok", "partial", "infeasible"]


@dataclass(frozen=True)
class Allocation:
    sku: str
    distributor: str
    qty: int
    unit_cost: Decimal
    source: OfferSource = "feed"
    reason: str = ""
    stale: bool = False
    distributor_sku: str = ""

    def to_dict(self) -> dict:
        return {
            "sku": self.sku,
            "distributor": self.distributor,
            "qty": self.qty,
            "unit_cost": money_text(self.unit_cost),
            "source": self.source,
            "stale": self.stale,
            "distributor_sku": self.distributor_sku or self.sku,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Shipment:
    distributor: str
    weight_kg: Decimal
    goods: Decimal
    freight: Decimal
    freight_source: FreightSource = "rule"
    billable_weight_kg: Decimal | None = None
    small_order_charge: Decimal = Decimal(0)  # the distributor's charge for a shipment under its threshold

    def to_dict(self) -> dict:
        billable = self.weight_kg if self.billable_weight_kg is None else self.billable_weight_kg
        return {
            "distributor": self.distributor,
            "weight_kg": json_number(self.weight_kg),
            "billable_weight_kg": json_number(billable),
            "goods": money_text(self.goods),
            "freight": money_text(self.freight),
            "freight_source": self.freight_source,
            "small_order_charge": money_text(self.small_order_charge),
        }


@dataclass(frozen=True)
class Unfilled:
    sku: str
    qty: int

    def to_dict(self) -> dict:
        return {"sku": self.sku, "qty": self.qty}


@dataclass(frozen=True)
class Plan:
    status: PlanStatus
    allocations: tuple[Allocation, ...]
    shipments: tuple[Shipment, ...]
    unfilled: tuple[Unfilled, ...]
    currency: str = "GBP"
    notes: tuple[str, ...] = field(default=())

    @property
    def goods_total(self) -> Decimal:
        return sum((money(s.goods) for s in self.shipments), Decimal(0))

    @property
    def freight_total(self) -> Decimal:
        return sum((money(s.freight) for s in self.shipments), Decimal(0))

    @property
    def charges_total(self) -> Decimal:
        """The distributors' charges besides freight (small-order charges), each rounded to the penny."""
        return sum((money(s.small_order_charge) for s in self.shipments), Decimal(0))

    @property
    def total(self) -> Decimal:
        """What the distributors invoice: goods + freight + charges."""
        return self.goods_total + self.freight_total + self.charges_total

    def to_dict(self) -> dict:
        out = {
            "status": self.status,
            "currency": self.currency,
            "allocations": [a.to_dict() for a in self.allocations],
            "shipments": [s.to_dict() for s in self.shipments],
            "unfilled": [u.to_dict() for u in self.unfilled],
            "goods_total": money_text(self.goods_total),
            "freight_total": money_text(self.freight_total),
            "charges_total": money_text(self.charges_total),
            "total": money_text(self.total),
        }
        if self.notes:
            out["notes"] = list(self.notes)
        return out


def json_number(value: Decimal) -> int | float:
    """A weight as a plain JSON number (kg to the gram), e.g. 4.5 rather than "4.500"."""
    grams = value.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)
    return int(grams) if grams == grams.to_integral_value() else float(grams)
