"""A local Ingram Micro Reseller API v6 in the published shapes: the OAuth token, price & availability
(see `fulfilment_engine/realtime/ingram.py`) and the order lifecycle — create, details, search, cancel,
invoice search and details (see `fulfilment_engine/distributors/ingram_orders.py`; the order book itself is
`ingram_orders.OrderBook`) — with faults, expiring tokens and a per-account rate limit shared by all.

Faults for the order calls: `fail_next("create", "lost")` makes the next create be processed and its answer
never sent (the client times out); "lost_500" processes it and answers 500; "timeout" never processes it;
"429", "401", "500", "502", "503" and "malformed" answer so before doing anything; "stale" answers a
search 204 No Content, as a search index that has not caught up with a create yet would. The behaviour's
random rates and script (`behaviour.then(...)`) apply to every call as well.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import threading
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .behaviour import FAULTS, Behaviour, hang, receive
from .distributor import SimulatedDistributor
from .ingram_orders import OrderBook, RequestRefused
from .stock import StockTable

MAX_PRODUCTS = 50
ORDER_OPERATIONS = ("create", "search", "details", "cancel", "invoice search", "invoice")
ORDER_FAULTS = (*FAULTS, "lost", "lost_500", "stale")
REQUIRED_HEADERS = ("IM-CustomerNumber", "IM-CountryCode", "IM-CorrelationID")


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
        self.book = OrderBook(stock, currency=_currency_of(stock))
        self.order_calls: Counter[str] = Counter()  # order calls received, by operation (refused ones too)
        self.order_requests: list[tuple[str, dict[str, str], bytes]] = []  # (operation, headers, body)
        self._order_faults: dict[str, deque[str]] = {op: deque() for op in ORDER_OPERATIONS}
        self._faults_lock = threading.Lock()
        # The first create of each customer order holding one of these parts is processed and its answer
        # lost: a benchmark's way to aim a lost answer at orders it cannot name in advance.
        self.lose_answer_parts: set[str] = set()
        self._lost_for: set[str] = set()

    def expire_tokens(self) -> None:
        """Every issued token is refused from now on (as after an expiry the client did not see coming)."""
        self.tokens.clear()

    def fail_next(self, operation: str, *faults: str) -> IngramSimulator:
        """Queue faults for the next calls of one order operation: `fail_next("create", "lost")`."""
        if operation not in ORDER_OPERATIONS:
            raise ValueError(f"unknown operation {operation!r}; known: {', '.join(ORDER_OPERATIONS)}")
        for fault in faults:
            if fault not in ORDER_FAULTS:
                raise ValueError(f"unknown fault {fault!r}; known: {', '.join(ORDER_FAULTS)}")
        with self._faults_lock:
            self._order_faults[operation].extend(faults)
        return self

    @property
    def answers_lost(self) -> int:
        """How many creates `lose_answer_parts` processed without answering."""
        with self._faults_lock:
            return len(self._lost_for)

    def clear_faults(self) -> None:
        """Forget every queued order fault (between tests sharing one simulator)."""
        with self._faults_lock:
            for queued in self._order_faults.values():
                queued.clear()

    def routes(self) -> list[Route]:
        return [
            Route("/oauth/oauth20/token", self.token, methods=["GET"]),
            Route(
                "/resellers/v6/catalog/priceandavailability", self.price_and_availability, methods=["POST"]
            ),
            Route("/resellers/v6/orders", self.create_order, methods=["POST"]),
            Route("/resellers/v6/orders/search", self.search_orders, methods=["GET"]),
            Route("/resellers/v6.1/orders/{ordernumber}", self.order_details, methods=["GET"]),
            Route("/resellers/v6/orders/{OrderNumber}", self.cancel_order, methods=["DELETE"]),
            Route("/resellers/v6/invoices", self.search_invoices, methods=["GET"]),
            Route("/resellers/v6.1/invoices/{invoiceNumber}", self.invoice_details, methods=["GET"]),
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

        refused = self._gate(request, fault, REQUIRED_HEADERS, echo)
        if refused is not None:
            return refused
        missing = [q for q in ("includeAvailability", "includePricing") if q not in request.query_params]
        if missing:
            return self._missing(missing, echo)
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

    # ------------------------------------------------------------------------------------------ orders

    async def create_order(self, request: Request) -> Response:
        def create(body: bytes):
            try:
                data = json.loads(body)
            except ValueError:
                raise RequestRefused(400, "Validation failed", [("body", "", "not JSON")]) from None
            self.book.failing_parts = self.behaviour.failing_parts
            answer = self.book.create(data)
            parts = {
                str(line.get("ingramPartNumber"))
                for line in data.get("lines") or []
                if isinstance(line, dict)
            }
            number = str(data.get("customerOrderNumber"))
            with self._faults_lock:
                if parts & self.lose_answer_parts and number not in self._lost_for:
                    self._lost_for.add(number)
                    request.state.lose_answer = True
            return answer

        return await self._order_call(request, "create", create)

    async def search_orders(self, request: Request) -> Response:
        return await self._order_call(request, "search", lambda _body: self.book.search(request.query_params))

    async def order_details(self, request: Request) -> Response:
        number = request.path_params["ordernumber"]
        return await self._order_call(request, "details", lambda _body: (200, self.book.details(number)))

    async def cancel_order(self, request: Request) -> Response:
        number = request.path_params["OrderNumber"]

        def cancel(_body):
            self.book.cancel(number)
            return 200, None

        return await self._order_call(request, "cancel", cancel)

    async def search_invoices(self, request: Request) -> Response:
        return await self._order_call(
            request, "invoice search", lambda _body: (200, self.book.invoice_search(request.query_params))
        )

    async def invoice_details(self, request: Request) -> Response:
        number = request.path_params["invoiceNumber"]
        serials = request.query_params.get("includeSerialNumbers", "").lower() == "true"
        return await self._order_call(
            request, "invoice", lambda _body: (200, self.book.invoice_details(number, serials))
        )

    async def _order_call(self, request: Request, operation: str, action: Callable) -> Response:
        """What every order call goes through: the fault for this call, the token, the published headers,
        the account's rate limit; then the book's answer (or its 4xx), unless the fault loses it."""
        body = await request.body()
        with self._faults_lock:
            self.order_calls[operation] += 1
            self.order_requests.append((operation, dict(request.headers), body))
            queued = self._order_faults[operation]
            fault = queued.popleft() if queued else None
        fault = fault or self.behaviour.next_fault()
        await asyncio.sleep(self.behaviour.latency_s())
        if fault == "timeout":
            await hang(self.behaviour)
        correlation = request.headers.get("IM-CorrelationID", "")
        echo = {"IM-CorrelationID": correlation} if correlation else {}
        required = REQUIRED_HEADERS
        if operation.startswith("invoice"):
            required = (*REQUIRED_HEADERS, "IM-ApplicationID")
        refused = self._gate(request, fault, required, echo)
        if refused is not None:
            return refused
        if fault in ("malformed", "entity_bomb"):
            return Response(b'{"orders": [{"ingramOrderNumber": "', 200, media_type="application/json")
        if fault == "stale":
            return Response(status_code=204, headers=echo)
        try:
            status, payload = action(body)
        except RequestRefused as refusal:
            return JSONResponse(refusal.body(), status_code=refusal.status, headers=echo)
        if fault == "lost" or getattr(request.state, "lose_answer", False):  # processed; no answer leaves
            await hang(self.behaviour)
        if fault == "lost_500":
            return self._error(500, "/errors/system-errors", "Some unexpected error occured", [], echo)
        if payload is None:
            return Response(status_code=status, headers=echo)
        return JSONResponse(payload, status_code=status, headers=echo)

    def _gate(self, request: Request, fault: str | None, required: tuple[str, ...], echo: dict):
        """401 for a bad or expired token, 400 for a missing header or an unknown customer number, 429
        past the account's rate, 5xx for a scripted outage; None when the call may go on."""
        auth = request.headers.get("Authorization", "")
        token = auth[7:] if auth.startswith("Bearer ") else ""
        if fault == "401" or self.tokens.get(token, 0) < time.monotonic():
            with self.stats.lock:
                self.stats.unauthorized += 1
            return JSONResponse(
                {
                    "fault": {
                        "faultstring": "Invalid Access Token",
                        "detail": {"errorcode": "keymanagement.service.invalid_access_token"},
                    }
                },
                status_code=401,
            )
        missing = [h for h in required if not request.headers.get(h)]
        if missing:
            return self._missing(missing, echo)
        country = request.headers["IM-CountryCode"]
        if len(country) != 2 or not country.isalpha():
            return self._error(
                400,
                "/errors/validation-failed",
                "Validation failed",
                [{"field": "IM-CountryCode", "value": country, "message": "IM-CountryCode is not valid"}],
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
        retry_after = self.behaviour.take_call(request.headers["IM-CustomerNumber"])
        if fault == "429" or retry_after is not None:
            with self.stats.lock:
                self.stats.rate_limited += 1
            seconds = max(1, int(retry_after + 0.999)) if retry_after is not None else 1
            return JSONResponse(
                {"errors": [{"type": "TooManyRequests", "message": "Rate limit quota violation"}]},
                status_code=429,
                headers={"Retry-After": str(seconds), **echo},
            )
        if fault in ("500", "502", "503"):
            return self._error(int(fault), "Internal Server Error", "simulated outage", [], echo)
        return None

    def _missing(self, names: list[str], echo: dict) -> JSONResponse:
        fields = [{"field": name, "value": "", "message": "is required"} for name in names]
        return self._error(400, "Bad Request", "required parameters are missing", fields, echo)

    @staticmethod
    def _error(status: int, kind: str, message: str, fields: list, headers: dict) -> JSONResponse:
        return JSONResponse(
            {"errors": [{"id": uuid.uuid4().hex, "type": kind, "message": message, "fields": fields}]},
            status_code=status,
            headers=headers,
        )


def _currency_of(stock: StockTable) -> str:
    parts = stock.parts()
    line = stock.get(parts[0]) if parts else None
    return line.currency if line is not None else "GBP"
