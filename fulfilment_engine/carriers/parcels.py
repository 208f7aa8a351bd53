"""Parcels and billable weight, the way US parcel carriers count it.

Each unit ships as its own parcel with the product's weight and dimensions. A parcel's billable weight is
the larger of its actual weight and its dimensional weight, length × width × height in cubic inches divided
by 139 (UPS and FedEx daily rates); our product data is in kilograms and centimetres, so 139 in³/lb is
139 × 16.387064 cm³ per 0.45359237 kg ≈ 5021.7 cm³/kg. Carriers then round each parcel up to a whole pound.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from ..domain import Product

KG_PER_LB = Decimal("0.45359237")  # exact, by definition of the international pound
CM_PER_IN = Decimal("2.54")  # exact, by definition of the inch
CUBIC_CM_PER_CUBIC_IN = CM_PER_IN**3  # 16.387064
DIM_DIVISOR_IN3_PER_LB = Decimal(139)
TENTH = Decimal("0.1")


@dataclass(frozen=True)
class Parcel:
    weight_kg: Decimal
    length_cm: Decimal | None = None
    width_cm: Decimal | None = None
    height_cm: Decimal | None = None

    @property
    def has_dimensions(self) -> bool:
        return None not in (self.length_cm, self.width_cm, self.height_cm)

    @property
    def weight_lb(self) -> Decimal:
        return self.weight_kg / KG_PER_LB

    def dimensions_in(self) -> tuple[Decimal, Decimal, Decimal] | None:
        if not self.has_dimensions:
            return None
        return tuple(side / CM_PER_IN for side in (self.length_cm, self.width_cm, self.height_cm))  # type: ignore

    def dimensional_weight_lb(self) -> Decimal:
        dims = self.dimensions_in()
        if dims is None:
            return Decimal(0)
        length, width, height = dims
        return length * width * height / DIM_DIVISOR_IN3_PER_LB

    def billable_weight_lb(self) -> Decimal:
        return max(self.weight_lb, self.dimensional_weight_lb())

    def dimensional_weight_kg(self) -> Decimal:
        """The same rule worked in metric, so a product's own kilograms come back unchanged."""
        if not self.has_dimensions:
            return Decimal(0)
        volume_cm3 = self.length_cm * self.width_cm * self.height_cm  # type: ignore[operator]
        return volume_cm3 * KG_PER_LB / (DIM_DIVISOR_IN3_PER_LB * CUBIC_CM_PER_CUBIC_IN)

    def billable_weight_kg(self) -> Decimal:
        return max(self.weight_kg, self.dimensional_weight_kg())


def parcels_for(lines: Iterable[tuple[Product, int]]) -> tuple[Parcel, ...]:
    parcels = []
    for product, qty in lines:
        parcel = Parcel(product.weight_kg, product.length_cm, product.width_cm, product.height_cm)
        parcels.extend([parcel] * qty)
    return tuple(parcels)


def billable_weight_kg(parcels: Iterable[Parcel]) -> Decimal:
    return sum((parcel.billable_weight_kg() for parcel in parcels), Decimal(0))


def up_to_tenth(value: Decimal) -> Decimal:
    """What we put on the wire: carriers take one decimal; rounding up never under-declares a parcel."""
    return max(TENTH, value.quantize(TENTH, rounding=ROUND_CEILING))


def whole_pounds(value: Decimal) -> Decimal:
    return value.to_integral_value(rounding=ROUND_CEILING)
