"""Reading a planning scenario (the JSON contract of `fulfil plan`) into domain values.

Numbers are read as `Decimal`, never float. Every error names its JSON path, e.g.
`$.offers[3].stock: must be a whole number >= 0, got -2`.
"""

from __future__ import annotations

import json
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from .domain import (
    CarrierFreight,
    CartLine,
    Distributor,
    FlatFreight,
    FreightRule,
    Offer,
    Product,
    Scenario,
    ShipTo,
    SmallOrderCharge,
    WeightBand,
    WeightFreight,
    parse_money,
)
from .errors import ScenarioError

CARRIERS = ("ups", "fedex")

# Every number is planned exactly, in integers (planner/problem.py): bounded so that they stay exact.
LARGEST = 10**9
PLACES = 6
SMALLEST_STEP = Decimal(1).scaleb(-PLACES)

# The fields each object of a scenario may have (ARCHITECTURE.md, `fulfil plan`). `name`, `description`
# and `expected` at the top are for people and tests; the planner does not read them.
SCENARIO_FIELDS = ("currency", "ship_to", "cart", "products", "distributors", "offers")
SCENARIO_NOTES = ("name", "description", "expected")
SHIP_TO_FIELDS = ("country", "postcode")
CART_FIELDS = ("sku", "qty", "unit_price")
PRODUCT_FIELDS = ("sku", "weight_kg", "length_cm", "width_cm", "height_cm", "mpn", "brand", "description")
DISTRIBUTOR_FIELDS = ("id", "name", "freight", "small_order", "ships_to")
OFFER_FIELDS = ("distributor", "sku", "stock", "cost", "distributor_sku", "source", "age_s")
FREIGHT_FIELDS = {
    "flat": ("type", "charge", "free_over"),
    "weight": ("type", "bands", "per_kg_over", "dim_divisor"),
    "carrier": ("type", "carrier", "service", "bands", "per_kg_over", "dim_divisor"),
}
BAND_FIELDS = ("max_kg", "charge")
SMALL_ORDER_FIELDS = ("below", "charge")


def load_scenario(path: str | Path) -> Scenario:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(str(path), f"cannot read scenario: {exc.strerror or exc}") from None
    try:
        return parse_scenario_text(text, source=str(path))
    except ScenarioError as exc:
        if exc.where.startswith("$"):  # a JSON path: say which file too
            raise ScenarioError(f"{path}: {exc.where}", exc.message) from None
        raise


def parse_scenario_text(text: str, source: str = "scenario") -> Scenario:
    try:
        data = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise ScenarioError(f"{source}:{exc.lineno}:{exc.colno}", f"not valid JSON: {exc.msg}") from None
    return parse_scenario(data)


# ---------------------------------------------------------------------------------------------- fields


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, Decimal)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def obj(value: Any, path: str, fields: tuple[str, ...] | None = None) -> dict:
    """An object; with `fields`, a key outside them (a misspelling, say) is an error naming it."""
    if not isinstance(value, dict):
        raise ScenarioError(path, f"must be an object, got {_type_name(value)}")
    if fields is not None:
        for key in value:
            if key not in fields:
                raise ScenarioError(
                    f"{path}.{key}", f"unknown field {key!r}: expected one of {', '.join(fields)}"
                )
    return value


def array(value: Any, path: str, *, min_items: int = 0) -> list:
    if not isinstance(value, list):
        raise ScenarioError(path, f"must be a list, got {_type_name(value)}")
    if len(value) < min_items:
        raise ScenarioError(path, f"must hold at least {min_items} item(s)")
    return value


def required(data: dict, key: str, path: str) -> Any:
    if key not in data or data[key] is None:
        raise ScenarioError(f"{path}.{key}", "is required")
    return data[key]


def text(value: Any, path: str, *, allow_empty: bool = False) -> str:
    if not isinstance(value, str):
        raise ScenarioError(path, f"must be text, got {_type_name(value)}")
    if not allow_empty and not value.strip():
        raise ScenarioError(path, "must not be empty")
    return value.strip()


def decimal(
    value: Any, path: str, *, minimum: Decimal | None = Decimal(0), positive: bool = False
) -> Decimal:
    """A decimal given as a JSON number or a decimal string ("9.95")."""
    if isinstance(value, bool) or not isinstance(value, (int, Decimal, str)):
        raise ScenarioError(path, f"must be a decimal number, got {_type_name(value)}")
    try:
        number = Decimal(value.strip()) if isinstance(value, str) else Decimal(value)
    except InvalidOperation:
        raise ScenarioError(path, f"must be a decimal number, got {_type_name(value)}") from None
    if not number.is_finite():
        raise ScenarioError(path, f"must be a finite decimal number, got {value}")
    if abs(number) >= LARGEST:
        raise ScenarioError(path, f"must be below {LARGEST:,}, got {value}")
    if number != number.quantize(SMALLEST_STEP, rounding=ROUND_DOWN):
        raise ScenarioError(path, f"must have at most {PLACES} decimal places, got {value}")
    if positive and number <= 0:
        raise ScenarioError(path, f"must be greater than 0, got {value}")
    if minimum is not None and number < minimum:
        raise ScenarioError(path, f"must be at least {minimum}, got {value}")
    return number


def amount(value: Any, path: str, *, minimum: Decimal | None = Decimal(0)) -> Decimal:
    """Money: written as domain.MONEY_TEXT says (a JSON number by its own digits: `1e26` is refused as
    "1e26" would be), then within `decimal`'s bounds."""
    if isinstance(value, (str, int, Decimal)) and not isinstance(value, bool):
        try:
            parse_money(value if isinstance(value, str) else str(value))
        except ValueError as exc:
            raise ScenarioError(path, str(exc)) from None
    return decimal(value, path, minimum=minimum)


def whole(value: Any, path: str, *, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise ScenarioError(path, f"must be a whole number >= {minimum}, got {_type_name(value)}")
    if isinstance(value, Decimal) and value != value.to_integral_value():
        raise ScenarioError(path, f"must be a whole number >= {minimum}, got {value}")
    number = int(value)
    if number < minimum:
        raise ScenarioError(path, f"must be a whole number >= {minimum}, got {value}")
    return number


def optional(data: dict, key: str, parse, path: str, **kwargs):
    value = data.get(key)
    return None if value is None else parse(value, f"{path}.{key}", **kwargs)


# ---------------------------------------------------------------------------------------------- parts


def parse_freight(value: Any, path: str) -> FreightRule:
    data = obj(value, path)
    kind = text(required(data, "type", path), f"{path}.type")
    if kind in FREIGHT_FIELDS:
        obj(data, path, FREIGHT_FIELDS[kind])
    if kind == "flat":
        return FlatFreight(
            charge=amount(required(data, "charge", path), f"{path}.charge"),
            free_over=optional(data, "free_over", amount, path),
        )
    if kind == "weight":
        return parse_weight_rule(data, path)
    if kind == "carrier":
        carrier = text(required(data, "carrier", path), f"{path}.carrier").lower()
        if carrier not in CARRIERS:
            raise ScenarioError(f"{path}.carrier", f"must be one of {', '.join(CARRIERS)}, got {carrier!r}")
        return CarrierFreight(
            carrier=carrier,
            service=text(data.get("service", ""), f"{path}.service", allow_empty=True),
            fallback=parse_weight_rule(data, path),
        )
    raise ScenarioError(f"{path}.type", f"must be 'flat', 'weight' or 'carrier', got {kind!r}")


def parse_weight_rule(data: dict, path: str) -> WeightFreight:
    bands_path = f"{path}.bands"
    bands = []
    for index, band in enumerate(array(required(data, "bands", path), bands_path, min_items=1)):
        band_path = f"{bands_path}[{index}]"
        band = obj(band, band_path, BAND_FIELDS)
        max_kg = decimal(required(band, "max_kg", band_path), f"{band_path}.max_kg", positive=True)
        if bands and max_kg <= bands[-1].max_kg:
            raise ScenarioError(
                f"{band_path}.max_kg", f"bands must rise: {max_kg} is not above {bands[-1].max_kg}"
            )
        bands.append(WeightBand(max_kg, amount(required(band, "charge", band_path), f"{band_path}.charge")))
    return WeightFreight(
        bands=tuple(bands),
        per_kg_over=optional(data, "per_kg_over", amount, path),
        dim_divisor=optional(data, "dim_divisor", decimal, path, positive=True),
    )


def parse_small_order(value: Any, path: str) -> SmallOrderCharge:
    """`{"below": "50.00", "charge": "5.00"}`: `charge` on a shipment whose goods are under `below`."""
    data = obj(value, path, SMALL_ORDER_FIELDS)
    return SmallOrderCharge(
        below=amount(required(data, "below", path), f"{path}.below"),
        charge=amount(required(data, "charge", path), f"{path}.charge"),
    )


def parse_product(value: Any, path: str) -> Product:
    data = obj(value, path, PRODUCT_FIELDS)
    given = [key for key in ("length_cm", "width_cm", "height_cm") if data.get(key) is not None]
    if given and len(given) < 3:
        missing = next(key for key in ("length_cm", "width_cm", "height_cm") if key not in given)
        raise ScenarioError(f"{path}.{missing}", "is required: give all three dimensions or none")
    return Product(
        sku=text(required(data, "sku", path), f"{path}.sku"),
        weight_kg=optional(data, "weight_kg", decimal, path) or Decimal(0),
        length_cm=optional(data, "length_cm", decimal, path),
        width_cm=optional(data, "width_cm", decimal, path),
        height_cm=optional(data, "height_cm", decimal, path),
        mpn=text(data.get("mpn", ""), f"{path}.mpn", allow_empty=True),
        brand=text(data.get("brand", ""), f"{path}.brand", allow_empty=True),
        description=text(data.get("description", ""), f"{path}.description", allow_empty=True),
    )


def parse_ship_to(value: Any, path: str) -> ShipTo:
    data = obj(value, path, SHIP_TO_FIELDS)
    country = text(required(data, "country", path), f"{path}.country").upper()
    if len(country) != 2 or not country.isalpha():
        raise ScenarioError(f"{path}.country", f"must be a two-letter ISO country code, got {country!r}")
    postcode = text(data.get("postcode", ""), f"{path}.postcode", allow_empty=True)
    return ShipTo(country=country, postcode=postcode)


def parse_cart(value: Any, path: str, products: dict[str, Product] | None) -> tuple[CartLine, ...]:
    """Cart lines; with `products`, every SKU must be declared there."""
    lines = []
    for index, line in enumerate(array(value, path, min_items=1)):
        line_path = f"{path}[{index}]"
        line = obj(line, line_path, CART_FIELDS)
        sku = text(required(line, "sku", line_path), f"{line_path}.sku")
        if products is not None and sku not in products:
            raise ScenarioError(f"{line_path}.sku", f"unknown SKU {sku!r}: it is not among the products")
        lines.append(
            CartLine(
                sku=sku,
                qty=whole(required(line, "qty", line_path), f"{line_path}.qty", minimum=1),
                unit_price=optional(line, "unit_price", amount, line_path),
            )
        )
    return tuple(lines)


def parse_offer(value: Any, path: str, products, distributors) -> Offer:
    data = obj(value, path, OFFER_FIELDS)
    distributor = text(required(data, "distributor", path), f"{path}.distributor")
    if distributor not in distributors:
        raise ScenarioError(
            f"{path}.distributor", f"unknown distributor {distributor!r}: it is not among the distributors"
        )
    sku = text(required(data, "sku", path), f"{path}.sku")
    if sku not in products:
        raise ScenarioError(f"{path}.sku", f"unknown SKU {sku!r}: it is not among the products")
    source = data.get("source", "feed")
    if source not in ("feed", "realtime"):
        raise ScenarioError(f"{path}.source", f"must be 'feed' or 'realtime', got {source!r}")
    return Offer(
        distributor=distributor,
        sku=sku,
        stock=whole(required(data, "stock", path), f"{path}.stock"),
        cost=amount(required(data, "cost", path), f"{path}.cost"),
        distributor_sku=text(data.get("distributor_sku", sku), f"{path}.distributor_sku"),
        source=source,
        age_s=float(optional(data, "age_s", decimal, path) or 0) if "age_s" in data else None,
    )


def parse_countries(value: Any, path: str) -> tuple[str, ...]:
    """A list of two-letter ISO country codes (upper-cased), e.g. a distributor's `ships_to`."""
    countries = []
    for index, country in enumerate(array(value, path)):
        code = text(country, f"{path}[{index}]").upper()
        if len(code) != 2 or not code.isalpha():
            raise ScenarioError(f"{path}[{index}]", f"must be a two-letter country code, got {code!r}")
        countries.append(code)
    return tuple(countries)


def parse_scenario(value: Any) -> Scenario:
    data = obj(value, "$", SCENARIO_FIELDS + SCENARIO_NOTES)
    currency = text(data.get("currency", "GBP"), "$.currency").upper()
    if len(currency) != 3 or not currency.isalpha():
        raise ScenarioError("$.currency", f"must be a three-letter ISO currency code, got {currency!r}")

    products: dict[str, Product] = {}
    for index, item in enumerate(array(required(data, "products", "$"), "$.products")):
        product = parse_product(item, f"$.products[{index}]")
        if product.sku in products:
            raise ScenarioError(f"$.products[{index}].sku", f"SKU {product.sku!r} is declared twice")
        products[product.sku] = product

    distributors: dict[str, Distributor] = {}
    for index, item in enumerate(array(required(data, "distributors", "$"), "$.distributors")):
        path = f"$.distributors[{index}]"
        item = obj(item, path, DISTRIBUTOR_FIELDS)
        dist_id = text(required(item, "id", path), f"{path}.id")
        if dist_id in distributors:
            raise ScenarioError(f"{path}.id", f"distributor {dist_id!r} is declared twice")
        freight = item.get("freight")
        distributors[dist_id] = Distributor(
            id=dist_id,
            name=text(item.get("name", dist_id), f"{path}.name"),
            freight=None if freight is None else parse_freight(freight, f"{path}.freight"),
            small_order=optional(item, "small_order", parse_small_order, path),
            ships_to=parse_countries(item.get("ships_to", []), f"{path}.ships_to"),
        )

    weighed = (WeightFreight, CarrierFreight)
    by_weight = [d.id for d in distributors.values() if isinstance(d.freight, weighed)]
    if by_weight:
        for index, item in enumerate(data["products"]):
            if item.get("weight_kg") is None:
                raise ScenarioError(
                    f"$.products[{index}].weight_kg",
                    f"is required: {by_weight[0]}'s freight is charged by weight",
                )

    offers: list[Offer] = []
    seen: dict[tuple[str, str], int] = {}
    for index, item in enumerate(array(data.get("offers", []), "$.offers")):
        offer = parse_offer(item, f"$.offers[{index}]", products, distributors)
        key = (offer.distributor, offer.sku)
        if key in seen:
            raise ScenarioError(
                f"$.offers[{index}]",
                f"second offer of {offer.distributor} for {offer.sku} (first at $.offers[{seen[key]}])",
            )
        seen[key] = index
        offers.append(offer)

    return Scenario(
        currency=currency,
        ship_to=parse_ship_to(required(data, "ship_to", "$"), "$.ship_to"),
        cart=parse_cart(required(data, "cart", "$"), "$.cart", products),
        products=products,
        distributors=distributors,
        offers=tuple(offers),
    )
