"""A local Ingram Micro Reseller API v6: OAuth token and price & availability, in the published shapes
(see `fulfilment_engine/realtime/ingram.py` for the wire format), with faults and a per-account rate limit."""

from __future__ import annotations

import json
import secrets
import time
import uuid

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .behaviour import Behaviour, receive
from .distributor import SimulatedDistributor
from .stock import StockTable

MAX_PRODUCTS = 50


class IngramSimulator(SimulatedDistributor):
    protocol = "ingram_v6"
    account_fields = ("client_id", "client_secret", "customer_number", "country_code")

    def __init__(
        self,
        stock: StockTable,
        *,
        client_id: str = "sim-client",
        client_secret: str = "sim-secret",
        customer_number: str = "20-222222",
        country_code: str = "GB",
        behaviour: Behaviour | None = None,
    ):
        super().__init__(stock, behaviour)
        self.client_id = client_id
        self.client_secret = client_secret
        self.customer_number = customer_number
        self.country_code = country_code
        self.tokens: dict[str, float] = {}  # access token → monotonic expiry

    def expire_tokens(self) -> None:
        """Every issued token is refused from now on (as after an expiry the client did not see coming)."""
        self.tokens.clear()

    def routes(self) -> list[Route]:
        return [
            Route("/oauth/oauth20/token", self.token, methods=["GET"]),
            Route(
                "/resellers/v6/catalog/priceandavailability", self.price_and_availability, methods=["POST"]
            ),
        ]

    # ------------------------------------------------------------------------------------------ token

    async def token(self, request: Request) -> Response:
        with self.stats.lock:
            self.stats.token_calls += 1
        query = request.query_params
        if query.get("grant_type") != "client_credentials":
            return JSONResponse({"message": "grant_type must be client_credentials"}, status_code=400)
        if query.get("client_id") != self.client_id or query.get("client_secret") != self.client_secret:
            return JSONResponse({"message": "Invalid client identifier or secret"}, status_code=400)
        access_token = secrets.token_urlsafe(24)
        self.tokens[access_token] = time.monotonic() + self.behaviour.token_ttl_s
        return JSONResponse(
            {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": str(int(self.behaviour.token_ttl_s)),
            }
        )

    # ------------------------------------------------------------------------------------------ P&A

    async def price_and_availability(self, request: Request) -> Response:
        behaviour, stats = self.behaviour, self.stats
        body, fault = await receive(request, behaviour, stats)
        correlation = request.headers.get("IM-CorrelationID", "")
        echo = {"IM-CorrelationID": correlation} if correlation else {}

        auth = request.headers.get("Authorization", "")
        token = auth[7:] if auth.startswith("Bearer ") else ""
        if fault == "401" or self.tokens.get(token, 0) < time.monotonic():
            with stats.lock:
                stats.unauthorized += 1
            return JSONResponse(
                {
                    "fault": {
                        "faultstring": "Invalid Access Token",
                        "detail": {"errorcode": "keymanagement.service.invalid_access_token"},
                    }
                },
                status_code=401,
            )

        missing = [
            h
            for h in ("IM-CustomerNumber", "IM-CountryCode", "IM-CorrelationID")
            if not request.headers.get(h)
        ]
        missing += [q for q in ("includeAvailability", "includePricing") if q not in request.query_params]
        if missing:
            return self._error(
                400,
                "Bad Request",
                "required parameters are missing",
                [{"field": name, "value": "", "message": "is required"} for name in missing],
                echo,
            )
        if request.headers["IM-CustomerNumber"] != self.customer_number:
            return self._error(
                400,
                "Bad Request",
                "Invalid customer number",
                [
                    {
                        "field": "IM-CustomerNumber",
                        "value": request.headers["IM-CustomerNumber"],
                        "message": "unknown customer",
                    }
                ],
                echo,
            )

        retry_after = behaviour.take_call(request.headers["IM-CustomerNumber"])
        if fault == "429" or retry_after is not None:
            with stats.lock:
                stats.rate_limited += 1
            seconds = max(1, int(retry_after + 0.999)) if retry_after is not None else 1
            return JSONResponse(
                {"errors": [{"type": "TooManyRequests", "message": "Rate limit quota violation"}]},
                status_code=429,
                headers={"Retry-After": str(seconds), **echo},
            )
        if fault in ("500", "502", "503"):
            return self._error(int(fault), "Internal Server Error", "simulated outage", [], echo)
        if fault in ("malformed", "entity_bomb"):
            return Response(
                b'[{"ingramPartNumber": "', status_code=200, media_type="application/json", headers=echo
            )

        try:
            products = json.loads(body)["products"]
            parts = [str(p["ingramPartNumber"]) for p in products]
        except (ValueError, KeyError, TypeError):
            return self._error(
                400, "Bad Request", 'body must be {"products": [{"ingramPartNumber": …}]}', [], echo
            )
        if len(parts) > MAX_PRODUCTS:
            return self._error(
                400,
                "Bad Request",
                f"at most {MAX_PRODUCTS} products per request",
                [{"field": "products", "value": str(len(parts)), "message": "too many"}],
                echo,
            )
        with stats.lock:
            stats.batch_sizes.append(len(parts))
            stats.parts_asked.extend(parts)
            stats.answered += 1

        include_pricing = request.query_params.get("includePricing", "").lower() == "true"
        include_availability = request.query_params.get("includeAvailability", "").lower() == "true"
        items, failed = [], 0
        for index, part in enumerate(parts):
            line = self.stock.get(part)
            if line is None or part in behaviour.failing_parts:
                failed += 1
                items.append(
                    {
                        "index": index,
                        "ingramPartNumber": part,
                        "productStatusCode": "E",
                        "productStatusMessage": "Invalid Ingram Part Number or not authorized",
                    }
                )
                continue
            item = {
                "index": index,
                "productStatusCode": "S",
                "productStatusMessage": "Active",
                "ingramPartNumber": part,
                "vendorPartNumber": line.mfg_pn,
                "description": line.description,
                "productStatus": "Active",
                "productAuthorized": True,
            }
            if include_availability:
                item["availability"] = {
                    "available": line.stock > 0,
                    "totalAvailability": line.stock,
                    "availabilityByWarehouse": [
                        {
                            "location": "Milton Keynes",
                            "warehouseId": "40",
                            "quantityAvailable": line.stock,
                            "quantityBackordered": 0,
                        }
                    ],
                }
            if include_pricing:
                item["pricing"] = {
                    "currencyCode": line.currency,
                    "retailPrice": float(line.price * 2),
                    "customerPrice": float(line.price),
                }
            items.append(item)
        return JSONResponse(items, status_code=207 if failed else 200, headers=echo)

    @staticmethod
    def _error(status: int, kind: str, message: str, fields: list, headers: dict) -> JSONResponse:
        return JSONResponse(
            {"errors": [{"id": uuid.uuid4().hex, "type": kind, "message": message, "fields": fields}]},
            status_code=status,
            headers=headers,
        )
