"""UPS Rating API (v2409) with OAuth client credentials.

Wire format (UPS's published OpenAPI documents, UPS-API/api-documentation `Rating.yaml` and
`OAuthClientCredentials.yaml`):
- `POST /security/v1/oauth/token`, HTTP Basic client_id:client_secret, `x-merchant-id: <account>`,
  form `grant_type=client_credentials` → `{"access_token", "token_type", "expires_in": "14399", …}`.
- `POST /api/rating/v2409/Rate` with `Authorization: Bearer …`, `transId`, `transactionSrc`, body
  `{"RateRequest": {"Request": {…}, "Shipment": {"Shipper", "ShipTo", "ShipFrom", "PaymentDetails",
  "Service": {"Code"}, "NumOfPieces", "Package": [{"PackagingType", "Dimensions": {"UnitOfMeasurement":
  {"Code": "IN"}, "Length", "Width", "Height"}, "PackageWeight": {"UnitOfMeasurement": {"Code": "LBS"},
  "Weight"}}]}}}`.
- 200 → `{"RateResponse": {"Response": {"ResponseStatus": {"Code": "1"}}, "RatedShipment": …}}` where
  `RatedShipment` has `BillingWeight`, `TotalCharges {CurrencyCode, MonetaryValue}` and, for negotiated
  accounts, `NegotiatedRateCharges.TotalCharge`. The schema lists `RatedShipment` as an array; the live
  service sends a single object for `Rate` — both are read. Errors: `{"response": {"errors": [{"code",
  "message"}]}}` with 400/401/403/429.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from decimal import Decimal, InvalidOperation

import httpx

from ..errors import CarrierUnavailable
from ..realtime.http import short
from .base import CarrierQuote, OAuthRater, RateQuery
from .parcels import up_to_tenth

TOKEN_PATH = "/security/v1/oauth/token"
RATE_PATH = "/api/rating/v2409/Rate"

SERVICE_CODES = {
    "": "03",
    "ground": "03",
    "next_day_air": "01",
    "2nd_day_air": "02",
    "second_day_air": "02",
    "3_day_select": "12",
    "three_day_select": "12",
    "next_day_air_saver": "13",
    "next_day_air_early": "14",
    "2nd_day_air_am": "59",
    "standard": "11",
    "worldwide_express": "07",
    "worldwide_expedited": "08",
    "worldwide_saver": "65",
    "express_saver": "65",
}


def service_code(service: str) -> str:
    key = service.strip().lower().replace(" ", "_").replace("-", "_")
    return SERVICE_CODES.get(key, service.strip())


class UpsRater(OAuthRater):
    carrier = "ups"

    async def _fetch_token(self) -> tuple[str, float]:
        headers = {"Accept": "application/json"}
        if self.config.account_number:
            headers["x-merchant-id"] = self.config.account_number
        return await self._token_call(
            self.config.url + TOKEN_PATH,
            data={"grant_type": "client_credentials"},
            auth=(self.config.client_id, self.config.client_secret),
            headers=headers,
        )

    def request_body(self, query: RateQuery) -> dict:
        code = service_code(query.service)
        packages = []
        for parcel in query.parcels:
            package = {
                "PackagingType": {"Code": "02", "Description": "Package"},
                "PackageWeight": {
                    "UnitOfMeasurement": {"Code": "LBS", "Description": "Pounds"},
                    "Weight": str(up_to_tenth(parcel.weight_lb)),
                },
            }
            dims = parcel.dimensions_in()
            if dims is not None:
                length, width, height = (str(up_to_tenth(side)) for side in dims)
                package["Dimensions"] = {
                    "UnitOfMeasurement": {"Code": "IN", "Description": "Inches"},
                    "Length": length,
                    "Width": width,
                    "Height": height,
                }
            packages.append(package)
        origin = {"PostalCode": query.ship_from.postcode, "CountryCode": query.ship_from.country}
        return {
            "RateRequest": {
                "Request": {"TransactionReference": {"CustomerContext": "channel-fulfilment rating"}},
                "Shipment": {
                    "Shipper": {
                        "Name": query.shipper_name or "Shipper",
                        "ShipperNumber": self.config.account_number,
                        "Address": origin,
                    },
                    "ShipTo": {
                        "Name": "Customer",
                        "Address": {
                            "PostalCode": query.ship_to.postcode,
                            "CountryCode": query.ship_to.country,
                        },
                    },
                    "ShipFrom": {"Name": query.shipper_name or "Shipper", "Address": origin},
                    "PaymentDetails": {
                        "ShipmentCharge": [
                            {"Type": "01", "BillShipper": {"AccountNumber": self.config.account_number}}
                        ]
                    },
                    "ShipmentRatingOptions": {"NegotiatedRatesIndicator": "Y"},
                    "Service": {"Code": code},
                    "NumOfPieces": str(len(packages)),
                    "Package": packages,
                },
            }
        }

    rate_path = RATE_PATH

    def service_key(self, service: str) -> str:
        return service_code(service)

    def rate_headers(self, token: str) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Accept": "application/json",
            "transId": uuid.uuid4().hex,
            "transactionSrc": "channel-fulfilment",
        }

    def error_text(self, response: httpx.Response) -> str:
        return _error_text(response)

    def parse_answer(self, response: httpx.Response, code: str) -> CarrierQuote:
        try:
            data = json.loads(response.content, parse_float=Decimal)
            rated = data["RateResponse"]["RatedShipment"]
        except (ValueError, KeyError, TypeError):
            raise CarrierUnavailable(
                self.carrier, "malformed answer: no RateResponse.RatedShipment"
            ) from None
        shipments = rated if isinstance(rated, list) else [rated]
        chosen = next(
            (s for s in shipments if isinstance(s, dict) and (s.get("Service") or {}).get("Code") == code),
            shipments[0] if shipments else None,
        )
        if not isinstance(chosen, dict):
            raise CarrierUnavailable(self.carrier, "malformed answer: empty RatedShipment")
        negotiated = (chosen.get("NegotiatedRateCharges") or {}).get("TotalCharge")
        total = negotiated if isinstance(negotiated, dict) else chosen.get("TotalCharges")
        try:
            charge = Decimal(str(total["MonetaryValue"]))
            currency = str(total.get("CurrencyCode", ""))
        except (KeyError, TypeError, InvalidOperation):
            raise CarrierUnavailable(
                self.carrier, "malformed answer: no TotalCharges.MonetaryValue"
            ) from None
        if not charge.is_finite() or charge < 0:
            raise CarrierUnavailable(self.carrier, f"malformed answer: charge {charge}")
        billing = None
        with contextlib.suppress(KeyError, TypeError, InvalidOperation):
            billing = Decimal(str(chosen["BillingWeight"]["Weight"]))
        return CarrierQuote(charge, currency, billing, code)


def _error_text(response: httpx.Response) -> str:
    try:
        errors = response.json()["response"]["errors"]
        return short(f"{errors[0].get('code', '')} {errors[0].get('message', '')}".strip())
    except (ValueError, KeyError, TypeError, IndexError, AttributeError):
        return short(response.text)
