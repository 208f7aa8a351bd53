"""Local UPS Rating (v2409) and FedEx Rate (v1) services with their OAuth endpoints, in the published shapes
(see `fulfilment_engine/carriers/ups.py` and `fedex.py`). Both bill each package at the larger of its actual
and dimensional weight (L × W × H in³ / 139), rounded up to a whole pound, at a simple tariff:
`base + per_lb × billed pounds` for the service."""

from __future__ import annotations

import base64
import json
import secrets
import time
import urllib.parse
import uuid
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .behaviour import Behaviour, Stats, receive

LB_PER_KG = Decimal(1) / Decimal("0.45359237")
IN_PER_CM = Decimal(1) / Decimal("2.54")
DIM_DIVISOR = Decimal(139)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Tariff:
    base: Decimal = Decimal("8.50")
    per_lb: Decimal = Decimal("0.95")
    currency: str = "USD"

    def charge(self, pounds: Decimal) -> Decimal:
        return (self.base + self.per_lb * pounds).quantize(CENT)


def billed_pounds(
    weight: Decimal, weight_unit: str, dims: tuple[Decimal, Decimal, Decimal] | None, dim_unit: str
) -> tuple[Decimal, bool]:
    """(whole billed pounds, whether the dimensional weight decided it) for one package."""
    pounds = weight * LB_PER_KG if weight_unit.upper() in ("KGS", "KG") else weight
    dim_lb = Decimal(0)
    if dims is not None:
        factor = IN_PER_CM if dim_unit.upper() == "CM" else Decimal(1)
        length, width, height = (side * factor for side in dims)
        dim_lb = length * width * height / DIM_DIVISOR
    billed = max(pounds, dim_lb).to_integral_value(rounding=ROUND_CEILING)
    return max(Decimal(1), billed), dim_lb > pounds


async def _form(request: Request) -> dict[str, str]:
    """An application/x-www-form-urlencoded body (without needing python-multipart)."""
    pairs = urllib.parse.parse_qsl((await request.body()).decode("utf-8", "replace"), keep_blank_values=True)
    return dict(pairs)


class _CarrierSimulator:
    def __init__(
        self,
        *,
        client_id: str = "sim-carrier-id",
        client_secret: str = "sim-carrier-secret",
        account_number: str = "A1B2C3",
        tariffs: dict[str, Tariff] | None = None,
        behaviour: Behaviour | None = None,
    ):
        self.client_id = client_id
        self.client_secret = client_secret
        self.account_number = account_number
        self.tariffs = tariffs or {}
        self.default_tariff = Tariff()
        self.behaviour = behaviour or Behaviour()
        self.stats = Stats()
        self.tokens: dict[str, float] = {}
        self.url = ""

    def carrier_config(self) -> dict:
        """The `[carriers.<name>]` table pointing at this simulator."""
        return {
            "url": self.url,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "account_number": self.account_number,
        }

    def tariff(self, service: str) -> Tariff:
        return self.tariffs.get(service, self.default_tariff)

    def _issue(self) -> str:
        token = secrets.token_urlsafe(24)
        self.tokens[token] = time.monotonic() + self.behaviour.token_ttl_s
        return token

    def expire_tokens(self) -> None:
        self.tokens.clear()

    def _authorised(self, request: Request) -> bool:
        auth = request.headers.get("Authorization", "")
        return auth.startswith("Bearer ") and self.tokens.get(auth[7:], 0) >= time.monotonic()

    async def _prelude(self, request: Request) -> tuple[bytes, str | None]:
        return await receive(request, self.behaviour, self.stats)


class UpsSimulator(_CarrierSimulator):
    carrier = "ups"

    def routes(self) -> list[Route]:
        return [
            Route("/security/v1/oauth/token", self.token, methods=["POST"]),
            Route("/api/rating/{version}/{requestoption}", self.rate, methods=["POST"]),
        ]

    @staticmethod
    def _errors(status: int, code: str, message: str) -> JSONResponse:
        return JSONResponse(
            {"response": {"errors": [{"code": code, "message": message}]}}, status_code=status
        )

    async def token(self, request: Request) -> Response:
        with self.stats.lock:
            self.stats.token_calls += 1
        form = await _form(request)
        expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        if request.headers.get("Authorization", "") != f"Basic {expected}":
            return self._errors(401, "10401", "ClientId is Invalid")
        if form.get("grant_type") != "client_credentials":
            return self._errors(400, "10400", "Invalid/Missing grant_type")
        return JSONResponse(
            {
                "token_type": "Bearer",
                "issued_at": str(int(time.time() * 1000)),
                "client_id": self.client_id,
                "access_token": self._issue(),
                "scope": "",
                "expires_in": str(int(self.behaviour.token_ttl_s)),
                "refresh_count": "0",
                "status": "approved",
            }
        )

    async def rate(self, request: Request) -> Response:
        body, fault = await self._prelude(request)
        if fault == "401" or not self._authorised(request):
            with self.stats.lock:
                self.stats.unauthorized += 1
            return self._errors(401, "250002", "Invalid Authentication Information.")
        if fault == "429" or self.behaviour.take_call(self.account_number) is not None:
            with self.stats.lock:
                self.stats.rate_limited += 1
            return self._errors(429, "10429", "Too Many Requests")
        if fault in ("500", "502", "503"):
            return self._errors(int(fault), "9999", "simulated outage")
        if fault in ("malformed", "entity_bomb"):
            return Response(b'{"RateResponse": {"RatedShipment": ', media_type="application/json")
        if request.path_params["version"] != "v2409":
            return self._errors(400, "111500", f"unsupported version {request.path_params['version']}")
        try:
            shipment = json.loads(body, parse_float=Decimal)["RateRequest"]["Shipment"]
            packages = shipment["Package"]
            packages = packages if isinstance(packages, list) else [packages]
            code = shipment.get("Service", {}).get("Code", "03")
            total = Decimal(0)
            rated_packages = []
            for package in packages:
                weight = package["PackageWeight"]
                dims = package.get("Dimensions")
                sides = (
                    (Decimal(str(dims["Length"])), Decimal(str(dims["Width"])), Decimal(str(dims["Height"])))
                    if dims
                    else None
                )
                pounds, _ = billed_pounds(
                    Decimal(str(weight["Weight"])),
                    weight["UnitOfMeasurement"]["Code"],
                    sides,
                    dims["UnitOfMeasurement"]["Code"] if dims else "IN",
                )
                total += pounds
                rated_packages.append(
                    {
                        "Weight": str(weight["Weight"]),
                        "BillingWeight": {
                            "UnitOfMeasurement": {"Code": "LBS", "Description": "Pounds"},
                            "Weight": str(pounds),
                        },
                    }
                )
        except (ValueError, KeyError, TypeError, ArithmeticError) as exc:
            return self._errors(400, "111100", f"The request is invalid: {type(exc).__name__}")
        with self.stats.lock:
            self.stats.batch_sizes.append(len(packages))
            self.stats.answered += 1
        tariff = self.tariff(code)
        charge = str(tariff.charge(total))
        money = {"CurrencyCode": tariff.currency, "MonetaryValue": charge}
        return JSONResponse(
            {
                "RateResponse": {
                    "Response": {
                        "ResponseStatus": {"Code": "1", "Description": "Success"},
                        "TransactionReference": {"CustomerContext": "channel-fulfilment rating"},
                    },
                    "RatedShipment": {
                        "Service": {"Code": code, "Description": ""},
                        "BillingWeight": {
                            "UnitOfMeasurement": {"Code": "LBS", "Description": "Pounds"},
                            "Weight": str(total),
                        },
                        "TransportationCharges": money,
                        "ServiceOptionsCharges": {"CurrencyCode": tariff.currency, "MonetaryValue": "0.00"},
                        "TotalCharges": money,
                        "RatedPackage": rated_packages,
                    },
                }
            }
        )


class FedexSimulator(_CarrierSimulator):
    carrier = "fedex"

    def routes(self) -> list[Route]:
        return [
            Route("/oauth/token", self.token, methods=["POST"]),
            Route("/rate/v1/rates/quotes", self.rate, methods=["POST"]),
        ]

    @staticmethod
    def _errors(status: int, code: str, message: str) -> JSONResponse:
        return JSONResponse(
            {"transactionId": str(uuid.uuid4()), "errors": [{"code": code, "message": message}]},
            status_code=status,
        )

    async def token(self, request: Request) -> Response:
        with self.stats.lock:
            self.stats.token_calls += 1
        form = await _form(request)
        if form.get("grant_type") != "client_credentials":
            return self._errors(400, "BAD.REQUEST.ERROR", "grant_type must be client_credentials")
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            return self._errors(401, "NOT.AUTHORIZED.ERROR", "The given client credentials were not valid.")
        return JSONResponse(
            {
                "access_token": self._issue(),
                "token_type": "bearer",
                "expires_in": int(self.behaviour.token_ttl_s),
                "scope": "CXS",
            }
        )

    async def rate(self, request: Request) -> Response:
        body, fault = await self._prelude(request)
        if fault == "401" or not self._authorised(request):
            with self.stats.lock:
                self.stats.unauthorized += 1
            return self._errors(
                401, "NOT.AUTHORIZED.ERROR", "Access token expired. Please modify your request and try again."
            )
        if fault == "429" or self.behaviour.take_call(self.account_number) is not None:
            with self.stats.lock:
                self.stats.rate_limited += 1
            return self._errors(
                429, "TOO.MANY.REQUESTS.ERROR", "We have received too many requests in a short duration."
            )
        if fault in ("500", "502", "503"):
            return self._errors(int(fault), "SERVICE.UNAVAILABLE.ERROR", "simulated outage")
        if fault in ("malformed", "entity_bomb"):
            return Response(b'{"output": {"rateReplyDetails": [', media_type="application/json")
        try:
            data = json.loads(body, parse_float=Decimal)
            if data["accountNumber"]["value"] != self.account_number:
                return self._errors(400, "ACCOUNT.NUMBER.MISMATCH", "Invalid account number")
            shipment = data["requestedShipment"]
            service = shipment.get("serviceType", "FEDEX_GROUND")
            total, by_dim = Decimal(0), False
            for item in shipment["requestedPackageLineItems"]:
                weight = item["weight"]
                dims = item.get("dimensions")
                sides = (
                    (Decimal(str(dims["length"])), Decimal(str(dims["width"])), Decimal(str(dims["height"])))
                    if dims
                    else None
                )
                pounds, dim_won = billed_pounds(
                    Decimal(str(weight["value"])), weight["units"], sides, dims["units"] if dims else "IN"
                )
                total += pounds
                by_dim = by_dim or dim_won
        except (ValueError, KeyError, TypeError, ArithmeticError) as exc:
            return self._errors(
                400, "INVALID.INPUT.EXCEPTION", f"Invalid field value in the input: {type(exc).__name__}"
            )
        with self.stats.lock:
            self.stats.batch_sizes.append(len(shipment["requestedPackageLineItems"]))
            self.stats.answered += 1
        tariff = self.tariff(service)
        charge = float(tariff.charge(total))
        detail = {
            "rateType": "ACCOUNT",
            "ratedWeightMethod": "DIM" if by_dim else "ACTUAL",
            "totalDiscounts": 0.0,
            "totalBaseCharge": charge,
            "totalNetCharge": charge,
            "totalNetFedExCharge": charge,
            "currency": tariff.currency,
            "shipmentRateDetail": {
                "dimDivisor": 139,
                "totalBillingWeight": {"units": "LB", "value": float(total)},
                "currency": tariff.currency,
            },
        }
        return JSONResponse(
            {
                "transactionId": str(uuid.uuid4()),
                "output": {
                    "rateReplyDetails": [
                        {
                            "serviceType": service,
                            "serviceName": service.replace("_", " ").title(),
                            "packagingType": shipment.get("packagingType", "YOUR_PACKAGING"),
                            "ratedShipmentDetails": [detail],
                        }
                    ]
                },
            }
        )
