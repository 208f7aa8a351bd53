"""The HTTP shapes, as pydantic models, so `/openapi.json` documents what really goes over the wire.

Money is a decimal string both ways ("12.50"; in requests at most 12 digits and 4 decimals, and a JSON
number is held to the same rule).
Requests refuse unknown fields: nothing sent is silently ignored.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    StringConstraints,
)

from ..domain import parse_money


def _money_in(value: object) -> object:
    """Money as domain.MONEY_TEXT writes it; a JSON number by its own digits (1e26 is refused as "1e26"
    is). Anything else goes on to the Decimal type, which refuses it."""
    if isinstance(value, str):
        return parse_money(value)
    if isinstance(value, float):  # repr gives back the digits the JSON had, for any 15-digit amount
        return parse_money(repr(value))
    if isinstance(value, int) and not isinstance(value, bool):
        return parse_money(str(value))
    return value


MoneyIn = Annotated[
    Decimal,
    BeforeValidator(_money_in),
    Field(
        ge=0,
        description='Decimal string, e.g. "12.50": up to 12 digits, optionally a point and up to 4 decimals '
        "(a JSON number is held to the same digits)",
        examples=["12.50"],
    ),
]
MoneyOut = Annotated[str, Field(pattern=r"^-?\d+\.\d{2}$", examples=["12.50"], description="Decimal string")]
Sku = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Source = Literal["feed", "realtime"]

# A cart of the bundled sample catalogue: "Try it out" on /docs works against the demo as it stands.
EXAMPLE_REQUEST = {
    "currency": "GBP",
    "ship_to": {"country": "GB", "postcode": "M1 1AE"},
    "cart": [
        {"sku": "CF100006", "qty": 2, "unit_price": "29.99"},
        {"sku": "CF100010", "qty": 1, "unit_price": "9.99"},
    ],
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _country_code(value: str) -> str:
    code = value.strip().upper()
    if len(code) != 2 or not code.isalpha():
        raise ValueError(f"must be a two-letter ISO country code such as GB, got {value!r}")
    return code


def currency_code(value: str) -> str:
    """An ISO 4217 code, upper-cased; ValueError naming the value otherwise."""
    code = value.strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise ValueError(f"must be a three-letter ISO currency code such as GBP, got {value!r}")
    return code


CountryCode = Annotated[
    str,
    AfterValidator(_country_code),
    Field(
        description="ISO 3166 two-letter country code",
        examples=["GB"],
        json_schema_extra={"pattern": "^[A-Za-z]{2}$"},
    ),
]
CurrencyCode = Annotated[
    str,
    AfterValidator(currency_code),
    Field(
        description="ISO 4217 currency code", examples=["GBP"], json_schema_extra={"pattern": "^[A-Za-z]{3}$"}
    ),
]


class ShipToIn(_Strict):
    country: CountryCode
    postcode: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)] = ""


class CartLineIn(_Strict):
    sku: Sku
    qty: Annotated[StrictInt, Field(ge=1, le=1_000_000, description="Units wanted (a whole number)")]
    unit_price: MoneyIn | None = Field(
        default=None, description="The customer's unit sell price; free-over-basket thresholds use it"
    )


class FulfilmentPlanRequest(_Strict):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EXAMPLE_REQUEST]})

    currency: CurrencyCode = "GBP"
    ship_to: ShipToIn
    cart: Annotated[list[CartLineIn], Field(min_length=1, max_length=500)]


# ---------------------------------------------------------------------------------------------- answers


class AllocationOut(BaseModel):
    sku: str
    distributor: str
    qty: int
    unit_cost: MoneyOut
    source: Source
    stale: bool = Field(description="A real-time refresh was asked for and did not arrive in time")
    distributor_sku: str
    reason: str


class ShipmentOut(BaseModel):
    distributor: str
    weight_kg: float
    billable_weight_kg: float
    goods: MoneyOut
    freight: MoneyOut = Field(description="Carriage only, by the distributor's freight rule or carrier")
    freight_source: Literal["rule", "carrier", "fallback"]
    small_order_charge: MoneyOut = Field(
        description="The distributor's charge for a shipment whose goods are under its small-order "
        'threshold, besides the freight ("0.00" when none applies)'
    )


class UnfilledOut(BaseModel):
    sku: str
    qty: int


class DeliveryPolicyOut(BaseModel):
    type: Literal["pass_through", "flat"]
    region: str | None = Field(description="The configured region whose rule applied; null for the default")
    charge: MoneyOut | None = Field(default=None, description="The flat rate (flat policies)")
    free_over: MoneyOut | None = Field(default=None, description="Basket value from which delivery is free")
    basket_value: MoneyOut = Field(description="Σ unit_price × qty (lines without a price count at cost)")
    reason: str


class FulfilmentPlanResponse(BaseModel):
    """The plan exactly as `fulfil plan --json` prints it, plus what the customer pays for delivery."""

    status: Literal["ok", "partial", "infeasible"]
    currency: str
    allocations: list[AllocationOut]
    shipments: list[ShipmentOut]
    unfilled: list[UnfilledOut]
    goods_total: MoneyOut
    freight_total: MoneyOut = Field(description="Σ shipments' freight (carriage only)")
    charges_total: MoneyOut = Field(description="Σ shipments' small_order_charge")
    total: MoneyOut = Field(
        description="What the distributors invoice: goods_total + freight_total + charges_total"
    )
    notes: list[str] | None = Field(default=None, description="Present when the planner has something to say")
    delivery_charge: MoneyOut = Field(description="What the customer pays for delivery, per the policy")
    delivery_policy: DeliveryPolicyOut
    demo: bool = Field(description="True when the figures are the bundled sample data (the embedded demo)")


class OfferOut(BaseModel):
    distributor: str
    distributor_name: str
    distributor_sku: str
    stock: int
    cost: MoneyOut
    source: Source
    age_s: float | None = Field(description="Seconds since the figure was taken (feed load or live answer)")
    stale: bool


class SkuAvailability(BaseModel):
    sku: str
    description: str
    total_stock: int
    offers: list[OfferOut]


class AvailabilityResponse(BaseModel):
    items: list[SkuAvailability]
    demo: bool


class Health(BaseModel):
    status: Literal["ok"]
    demo: bool
    store: str = Field(description="The offer store's backend (sqlite, postgresql)")
    realtime_distributors: list[str]


class ProblemDetail(BaseModel):
    path: str = Field(description="Where: a JSON path in the body (cart[2].sku) or a query parameter (?sku)")
    message: str
    type: str


class ValidationProblem(BaseModel):
    """Every 422: `message` is the first problem in one line; `errors` lists them all."""

    message: str = Field(examples=["cart[2].sku: unknown SKU 'NOPE-1'"])
    errors: list[ProblemDetail]
    request_id: str


class ErrorProblem(ValidationProblem):
    """Every other error (401, 404, 408, 413, 415, 431 ...): the same shape, `path` naming the header
    (`Authorization`, `Content-Type`) or `$` for the body."""

    message: str = Field(examples=["Authorization: the API key is not valid"])
