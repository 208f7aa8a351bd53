"""UPS and FedEx rating against the simulators: wire shapes, OAuth, actual versus dimensional weight."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from fulfilment_engine.carriers import (
    Address,
    FedexRater,
    RateQuery,
    UpsRater,
    billable_weight_kg,
    parcels_for,
)
from fulfilment_engine.carriers.parcels import Parcel
from fulfilment_engine.config import CarrierConfig
from fulfilment_engine.domain import Product
from fulfilment_engine.errors import CarrierUnavailable

# 2 kg in a 60 × 40 × 40 cm box: 96 000 cm³ = 5858.3 in³ → 42.15 lb dimensional, 4.41 lb actual.
BULKY = Product(
    "BULKY", weight_kg=Decimal("2"), length_cm=Decimal(60), width_cm=Decimal(40), height_cm=Decimal(40)
)
# 10 kg in a 10 cm cube: 61.02 in³ → 0.44 lb dimensional, 22.05 lb actual.
DENSE = Product(
    "DENSE", weight_kg=Decimal("10"), length_cm=Decimal(10), width_cm=Decimal(10), height_cm=Decimal(10)
)


def query(*lines, service="ground"):
    return RateQuery(
        service, Address("US", "07001"), Address("US", "10001"), parcels_for(lines), "USD", "ING"
    )


def rater(cls, sims, name):
    return cls(CarrierConfig(name, **sims[name].carrier_config()), None)


def test_billable_weight_is_the_larger_of_actual_and_dimensional_at_139_cubic_inches_per_pound():
    bulky = Parcel(BULKY.weight_kg, Decimal(60), Decimal(40), Decimal(40))
    dense = Parcel(DENSE.weight_kg, Decimal(10), Decimal(10), Decimal(10))
    assert bulky.dimensional_weight_lb().quantize(Decimal("0.01")) == Decimal("42.15")
    assert bulky.billable_weight_kg().quantize(Decimal("0.001")) == Decimal("19.117")  # 96 000 cm³ / 5021.7
    assert dense.billable_weight_kg() == Decimal(10)
    no_box = Parcel(Decimal("3"))
    assert no_box.billable_weight_kg() == Decimal(3)
    assert billable_weight_kg(parcels_for([(BULKY, 2), (DENSE, 1)])).quantize(Decimal("0.01")) == Decimal(
        "48.23"
    )


@pytest.mark.parametrize(("cls", "name"), [(UpsRater, "ups"), (FedexRater, "fedex")])
@pytest.mark.parametrize(("product", "billed_lb"), [(BULKY, 43), (DENSE, 23)])
async def test_carrier_bills_actual_or_dimensional_weight(sims, client, cls, name, product, billed_lb):
    rate = rater(cls, sims, name)
    rate.client = client

    quote = await rate.rate(query((product, 1)))

    assert quote.billing_weight_lb == billed_lb
    assert quote.charge == Decimal("8.50") + Decimal("0.95") * billed_lb  # the simulator's default tariff
    assert quote.currency == "USD"


async def test_ups_request_follows_the_rating_api_shape(sims, client):
    ups = rater(UpsRater, sims, "ups")
    ups.client = client

    await ups.rate(query((BULKY, 2), service="2nd_day_air"))

    body = json.loads(sims["ups"].stats.last_body)
    shipment = body["RateRequest"]["Shipment"]
    assert shipment["Service"] == {"Code": "02"}
    assert shipment["Shipper"]["ShipperNumber"] == sims["ups"].account_number
    assert shipment["NumOfPieces"] == "2" and len(shipment["Package"]) == 2
    package = shipment["Package"][0]
    assert package["PackageWeight"] == {
        "UnitOfMeasurement": {"Code": "LBS", "Description": "Pounds"},
        "Weight": "4.5",
    }
    assert package["Dimensions"]["UnitOfMeasurement"]["Code"] == "IN"
    assert (package["Dimensions"]["Length"], package["Dimensions"]["Width"]) == ("23.7", "15.8")
    headers = sims["ups"].stats.last_headers
    assert headers["authorization"].startswith("Bearer ") and len(headers["transid"]) == 32


async def test_fedex_request_follows_the_rate_api_shape(sims, client):
    fedex = rater(FedexRater, sims, "fedex")
    fedex.client = client

    quote = await fedex.rate(query((DENSE, 1), service="2day"))

    body = json.loads(sims["fedex"].stats.last_body)
    assert body["accountNumber"] == {"value": sims["fedex"].account_number}
    shipment = body["requestedShipment"]
    assert shipment["serviceType"] == "FEDEX_2_DAY" and quote.service == "FEDEX_2_DAY"
    assert shipment["shipper"]["address"] == {"postalCode": "07001", "countryCode": "US"}
    assert shipment["requestedPackageLineItems"][0]["weight"] == {"units": "LB", "value": 22.1}
    assert sims["fedex"].stats.last_headers["x-locale"] == "en_US"


@pytest.mark.parametrize(("cls", "name"), [(UpsRater, "ups"), (FedexRater, "fedex")])
async def test_token_is_cached_and_refreshed_once_on_401(sims, client, cls, name):
    rate = rater(cls, sims, name)
    rate.client = client

    await rate.rate(query((DENSE, 1)))
    await rate.rate(query((DENSE, 1)))
    assert sims[name].stats.token_calls == 1

    sims[name].expire_tokens()
    quote = await rate.rate(query((DENSE, 1)))
    assert quote.charge == Decimal("30.35")
    assert sims[name].stats.token_calls == 2 and sims[name].stats.unauthorized == 1


@pytest.mark.parametrize(("cls", "name"), [(UpsRater, "ups"), (FedexRater, "fedex")])
async def test_failures_are_carrier_unavailable_with_the_reason(sims, client, cls, name):
    rate = rater(cls, sims, name)
    rate.client = client
    sims[name].behaviour.then("503", "malformed")

    with pytest.raises(CarrierUnavailable, match="HTTP 503"):
        await rate.rate(query((DENSE, 1)))
    with pytest.raises(CarrierUnavailable, match="malformed answer"):
        await rate.rate(query((DENSE, 1)))
    bad = cls(CarrierConfig(name, sims[name].url, "wrong", "credentials", "A1B2C3"), client)
    with pytest.raises(CarrierUnavailable, match="token: HTTP 401"):
        await bad.rate(query((DENSE, 1)))


def test_ups_rated_shipment_is_read_as_the_schema_array_and_prefers_negotiated_rates():
    import httpx

    body = {
        "RateResponse": {
            "Response": {"ResponseStatus": {"Code": "1", "Description": "Success"}},
            "RatedShipment": [
                {
                    "Service": {"Code": "01"},
                    "TotalCharges": {"CurrencyCode": "USD", "MonetaryValue": "99.00"},
                },
                {
                    "Service": {"Code": "03"},
                    "BillingWeight": {"Weight": "12"},
                    "TotalCharges": {"CurrencyCode": "USD", "MonetaryValue": "20.00"},
                    "NegotiatedRateCharges": {
                        "TotalCharge": {"CurrencyCode": "USD", "MonetaryValue": "17.25"}
                    },
                },
            ],
        }
    }
    ups = UpsRater(CarrierConfig("ups", "http://127.0.0.1"), None)
    quote = ups.parse_answer(httpx.Response(200, json=body), "03")
    assert (quote.charge, quote.billing_weight_lb, quote.currency) == (Decimal("17.25"), Decimal(12), "USD")
