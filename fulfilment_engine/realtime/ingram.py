"""Ingram Micro Reseller API v6: price and availability.

Wire format (Ingram Micro's published v6 API, as in its xi-sdk-resellers clients):
- Token: `GET /oauth/oauth20/token?grant_type=client_credentials&client_id=…&client_secret=…` →
  `{"access_token": "…", "token_type": "Bearer", "expires_in": "86399"}`.
- `POST /resellers/v6/catalog/priceandavailability?includeAvailability=true&includePricing=true` with
  `Authorization: Bearer …`, `IM-CustomerNumber`, `IM-CountryCode`, `IM-CorrelationID` (and optional
  `IM-SenderID`), body `{"products": [{"ingramPartNumber": "…"}, …]}` — at most 50 products.
- 200 or 207 (multi-status: some lines failed) → a JSON array, one object per product:
  `ingramPartNumber`, `productStatusCode` ("E" on a failed line) / `productStatusMessage`,
  `availability.totalAvailability`, `pricing.customerPrice`, `pricing.currencyCode`.
- 400 → `{"errors": [{"id", "type", "message", "fields": […]}]}`; 401 on a missing, bad or expired token;
  429 with `Retry-After` when the account's rate is exceeded; 500 → `{"errors": […]}`.
"""

from __future__ import annotations

import json
import uuid
from decimal import Decimal

import httpx

from ..config import RealtimeConfig
from ..errors import DistributorRateLimited, DistributorTransientError, DistributorUnavailable
from .base import BatchAnswer, BatchedSource, Deadline, LiveFigure
from .http import describe_status, describe_transport_error, retry_after_seconds, short
from .oauth import TokenCache, parse_expires_in

TOKEN_PATH = "/oauth/oauth20/token"
PRICE_AVAILABILITY_PATH = "/resellers/v6/catalog/priceandavailability"
MAX_PRODUCTS_PER_CALL = 50


class IngramSource(BatchedSource):
    protocol = "ingram_v6"
    max_batch_cap = MAX_PRODUCTS_PER_CALL

    def __init__(self, distributor: str, config: RealtimeConfig, client: httpx.AsyncClient, *, limiter=None):
        super().__init__(distributor, config, client, limiter=limiter)
        self.tokens = TokenCache(self._fetch_token)

    # ------------------------------------------------------------------------------------------ token

    async def _fetch_token(self) -> tuple[str, float]:
        params = {
            "grant_type": "client_credentials",
            "client_id": self.config.client_id,
            "client_secret": self.config.client_secret,
        }
        try:
            response = await self.client.get(
                self.config.url + TOKEN_PATH, params=params, headers={"Accept": "application/json"}
            )
        except httpx.HTTPError as exc:
            raise DistributorTransientError(
                self.distributor, f"token: {describe_transport_error(exc)}"
            ) from None
        if response.status_code != 200:
            kind = DistributorTransientError if response.status_code >= 500 else DistributorUnavailable
            raise kind(self.distributor, f"token: {describe_status(response, _error_text(response))}")
        try:
            data = response.json()
            return str(data["access_token"]), parse_expires_in(data.get("expires_in"))
        except (ValueError, KeyError, TypeError):
            raise DistributorUnavailable(self.distributor, "token: malformed answer") from None

    # ------------------------------------------------------------------------------------------ P&A

    async def _fetch_chunk(self, parts: list[str], deadline: Deadline, currency: str) -> BatchAnswer:
        token = await self.tokens.get()
        response = await self._post(parts, token, deadline)
        if response.status_code == 401:  # expired or revoked early: one fresh token, one retry
            self.tokens.invalidate(token)
            token = await self.tokens.get()
            response = await self._post(parts, token, deadline)
        return self._read(response, parts, currency)

    async def _post(self, parts: list[str], token: str, deadline: Deadline) -> httpx.Response:
        await self._permit(deadline)
        headers = {
            "Authorization": f"Bearer {token}",
            "IM-CustomerNumber": self.config.customer_number,
            "IM-CountryCode": self.config.country_code,
            "IM-CorrelationID": uuid.uuid4().hex,  # 32 characters, the published maximum
            "Accept": "application/json",
            "Content-Type": "application/json",
        }
        if self.config.sender_id:
            headers["IM-SenderID"] = self.config.sender_id
        body = {"products": [{"ingramPartNumber": part} for part in parts]}
        try:
            return await self.client.post(
                self.config.url + PRICE_AVAILABILITY_PATH,
                params={"includeAvailability": "true", "includePricing": "true"},
                headers=headers,
                content=json.dumps(body).encode(),
            )
        except httpx.HTTPError as exc:
            raise DistributorTransientError(self.distributor, describe_transport_error(exc)) from None

    def _read(self, response: httpx.Response, parts: list[str], currency: str) -> BatchAnswer:
        status = response.status_code
        if status == 429:
            wait = retry_after_seconds(response)
            raise DistributorRateLimited(
                self.distributor, describe_status(response, _error_text(response)), wait
            )
        if status not in (200, 207):
            kind = DistributorTransientError if status >= 500 else DistributorUnavailable
            raise kind(self.distributor, describe_status(response, _error_text(response)))
        try:
            items = json.loads(response.content, parse_float=Decimal)
        except ValueError as exc:
            raise DistributorTransientError(
                self.distributor, f"malformed answer (HTTP {status}): not JSON: {exc}"
            ) from None
        if not isinstance(items, list):
            raise DistributorTransientError(
                self.distributor, f"malformed answer (HTTP {status}): expected a JSON array"
            )
        return parse_lines(self.distributor, items, parts, currency)


def parse_lines(distributor: str, items: list, parts: list[str], currency: str) -> BatchAnswer:
    """Map each product object back to the part asked for; anything unusable is a failed line, with why."""
    wanted = {part.upper(): part for part in parts}
    figures: dict[str, LiveFigure] = {}
    failed: dict[str, str] = {}
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise DistributorUnavailable(distributor, f"malformed answer: product [{index}] is not an object")
        part = wanted.get(str(item.get("ingramPartNumber", "")).upper())
        if part is None:
            continue  # an echo of something we did not ask for (vendor part lookups, substitutions)
        code = str(item.get("productStatusCode") or "").upper()
        if code == "E":
            failed[part] = f"line failed: {item.get('productStatusMessage') or 'error'}"
            continue
        availability = item.get("availability") if isinstance(item.get("availability"), dict) else {}
        pricing = item.get("pricing") if isinstance(item.get("pricing"), dict) else {}
        stock = availability.get("totalAvailability")
        price = pricing.get("customerPrice")
        if isinstance(stock, bool) or not isinstance(stock, (int, Decimal)) or stock != int(stock):
            failed[part] = "line without availability.totalAvailability"
            continue
        if isinstance(price, bool) or not isinstance(price, (int, Decimal)) or price < 0:
            failed[part] = "line without pricing.customerPrice"
            continue
        line_currency = str(pricing.get("currencyCode") or "").upper()
        if currency and line_currency and line_currency != currency.upper():
            failed[part] = f"priced in {line_currency}, the plan is in {currency.upper()}"
            continue
        figures[part] = LiveFigure(part, max(0, int(stock)), Decimal(price), line_currency)
    for part in parts:
        if part not in figures and part not in failed:
            failed[part] = "missing from the answer"
    return BatchAnswer(figures, failed)


def _error_text(response: httpx.Response) -> str:
    """The `errors[].message` (or `message`, or `fault.faultstring`) of an error body, if there is one."""
    try:
        data = response.json()
    except ValueError:
        return short(response.text) if response.text else ""
    if isinstance(data, dict):
        errors = data.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            return short(str(errors[0].get("message") or errors[0].get("type") or ""))
        fault = data.get("fault")
        if isinstance(fault, dict):
            return short(str(fault.get("faultstring", "")))
        if "message" in data:
            return short(str(data["message"]))
    return ""
