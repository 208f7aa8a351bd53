"""FedEx Rate API (v1) with OAuth client credentials.

Wire format (FedEx Developer Portal, Rates and Transit Times API and the OAuth API):
- `POST /oauth/token`, form `grant_type=client_credentials&client_id=…&client_secret=…` →
  `{"access_token", "token_type": "bearer", "expires_in": 3599, "scope": "CXS"}`.
- `POST /rate/v1/rates/quotes` with `Authorization: Bearer …`, `X-locale`, body
  `{"accountNumber": {"value"}, "requestedShipment": {"shipper": {"address": {"postalCode", "countryCode"}},
  "recipient": {"address": {…}}, "pickupType", "serviceType", "packagingType", "rateRequestType": [...],
  "requestedPackageLineItems": [{"weight": {"units": "LB", "value"}, "dimensions": {"length", "width",
  "height", "units": "IN"}}]}}`.
- 200 → `{"transactionId", "output": {"rateReplyDetails": [{"serviceType", "ratedShipmentDetails":
  [{"rateType", "totalNetCharge", "currency", "shipmentRateDetail": {"totalBillingWeight": {"units",
  "value"}}}]}]}}`; errors → `{"transactionId", "errors": [{"code", "message"}]}`
  with 400/401/403/404/500/503.
"""

from __future__ import annotations

import json
import uuid
from decimal import Decimal, InvalidOperation

import httpx

from ..errors import CarrierUnavailable
from ..realtime.http import short
from .base import CarrierQuote, OAuthRater, RateQuery
from .parcels import up_to_tenth

TOKEN_PATH = "/oauth/token"
RATE_PATH = "/rate/v1/rates/quotes"

SERVICE_TYPES = {
    "": "FEDEX_GROUND",
    "ground": "FEDEX_GROUND",
    "home_delivery": "GROUND_HOME_DELIVERY",
    "express_saver": "FEDEX_EXPRESS_SAVER",
    "2day": "FEDEX_2_DAY",
    "2_day": "FEDEX_2_DAY",
    "2day_am": "FEDEX_2_DAY_AM",
    "standard_overnight": "STANDARD_OVERNIGHT",
    "priority_overnight": "PRIORITY_OVERNIGHT",
    "first_overnight": "FIRST_OVERNIGHT",
    "international_priority": "FEDEX_INTERNATIONAL_PRIORITY",
    "international_economy": "INTERNATIONAL_ECONOMY",
}


def service_type(service: str) -> str:
    key = service.strip().lower().replace(" ", "_").replace("-", "_")
    return SERVICE_TYPES.get(key, service.strip().upper())


class FedexRater(OAuthRater):
    carrier = "fedex"

    async def _fetch_token(self) -> tuple[str, float]:
        return await self._token_call(
            self.config.url + TOKEN_PATH,
            data={
                "grant_type": "client_credentials",
                "client_id": self.config.client_id,
                "client_secret": self.config.client_secret,
            },
            headers={"Accept": "application/json"},
        )

    def request_body(self, query: RateQuery) -> dict:
        items = []
        for parcel in query.parcels:
            item = {"weight": {"units": "LB", "value": float(up_to_tenth(parcel.weight_lb))}}
            dims = parcel.dimensions_in()
            if dims is not None:
                length, width, height = (float(up_to_tenth(side)) for side in dims)
                item["dimensions"] = {"length": length, "width": width, "height": height, "units": "IN"}
            items.append(item)
        shipment = {
            "shipper": {
                "address": {"postalCode": query.ship_from.postcode, "countryCode": query.ship_from.country}
            },
            "recipient": {
                "address": {"postalCode": query.ship_to.postcode, "countryCode": query.ship_to.country}
            },
            "pickupType": "DROPOFF_AT_FEDEX_LOCATION",
            "serviceType": service_type(query.service),
            "packagingType": "YOUR_PACKAGING",
            "rateRequestType": ["ACCOUNT", "LIST"],
            "requestedPackageLineItems": items,
        }
        if query.currency:
            shipment["preferredCurrency"] = query.currency
        return {"accountNumber": {"value": self.config.account_number}, "requestedShipment": shipment}

    rate_path = RATE_PATH

    def service_key(self, service: str) -> str:
        return service_type(service)

    def rate_headers(self, token: str) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "X-locale": "en_US",
            "x-customer-transaction-id": uuid.uuid4().hex,
        }

    def error_text(self, response: httpx.Response) -> str:
        return _error_text(response)

    def parse_answer(self, response: httpx.Response, wanted: str) -> CarrierQuote:
        try:
            data = json.loads(response.content, parse_float=Decimal)
            replies = data["output"]["rateReplyDetails"]
            reply = next((r for r in replies if r.get("serviceType") == wanted), replies[0])
            details = reply["ratedShipmentDetails"]
        except (ValueError, KeyError, TypeError, IndexError, AttributeError):
            raise CarrierUnavailable(self.carrier, "malformed answer: no output.rateReplyDetails") from None
        detail = next(
            (d for d in details if isinstance(d, dict) and d.get("rateType") == "ACCOUNT"),
            details[0] if details else None,
        )
        try:
            charge = Decimal(str(detail["totalNetCharge"]))
        except (KeyError, TypeError, InvalidOperation):
            raise CarrierUnavailable(self.carrier, "malformed answer: no totalNetCharge") from None
        if not charge.is_finite() or charge < 0:
            raise CarrierUnavailable(self.carrier, f"malformed answer: charge {charge}")
        currency = str(detail.get("currency") or "")
        billing = None
        try:
            weight = detail["shipmentRateDetail"]["totalBillingWeight"]
            billing = Decimal(str(weight["value"]))
            if str(weight.get("units", "LB")).upper() == "KG":
                billing = billing / Decimal("0.45359237")
        except (KeyError, TypeError, InvalidOperation):
            pass
        return CarrierQuote(charge, currency, billing, str(reply.get("serviceType", wanted)))


def _error_text(response: httpx.Response) -> str:
    try:
        errors = response.json()["errors"]
        return short(f"{errors[0].get('code', '')} {errors[0].get('message', '')}".strip())
    except (ValueError, KeyError, TypeError, IndexError, AttributeError):
        return short(response.text)
