"""The narrow interface every carrier rating adapter implements, and the OAuth plumbing they share."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol, runtime_checkable

import httpx

from ..config import CarrierConfig
from ..errors import CarrierUnavailable
from ..realtime.http import describe_status, describe_transport_error
from ..realtime.oauth import TokenCache, parse_expires_in
from .parcels import Parcel


@dataclass(frozen=True)
class Address:
    country: str
    postcode: str = ""


@dataclass(frozen=True)
class RateQuery:
    service: str
    ship_from: Address
    ship_to: Address
    parcels: tuple[Parcel, ...]
    currency: str = ""
    shipper_name: str = ""


@dataclass(frozen=True)
class CarrierQuote:
    charge: Decimal
    currency: str
    billing_weight_lb: Decimal | None = None
    service: str = ""


@runtime_checkable
class CarrierRater(Protocol):
    carrier: str

    async def rate(self, query: RateQuery) -> CarrierQuote:
        """The carrier's price for the shipment; raises `CarrierUnavailable` when it gives none."""
        ...


MAX_PARCELS = 200  # both carriers' limit on packages in one rated shipment


class OAuthRater:
    """Client-credentials token, cached; a 401 on the rating call fetches a new token and retries once."""

    carrier = "carrier"

    def __init__(self, config: CarrierConfig, client: httpx.AsyncClient):
        self.config = config
        self.client = client
        self.tokens = TokenCache(self._fetch_token)
        self.calls = 0

    rate_path = ""

    async def _fetch_token(self) -> tuple[str, float]:  # pragma: no cover - each carrier defines it
        raise NotImplementedError

    async def _token_call(self, url: str, **request) -> tuple[str, float]:
        """POST a client-credentials token request; (access_token, expires_in seconds)."""
        try:
            response = await self.client.post(url, **request)
        except httpx.HTTPError as exc:
            raise CarrierUnavailable(self.carrier, f"token: {describe_transport_error(exc)}") from None
        if response.status_code != 200:
            raise CarrierUnavailable(
                self.carrier, f"token: {describe_status(response, self.error_text(response))}"
            )
        try:
            data = response.json()
            return str(data["access_token"]), parse_expires_in(data.get("expires_in"))
        except (ValueError, KeyError, TypeError):
            raise CarrierUnavailable(self.carrier, "token: malformed answer") from None

    def request_body(self, query: RateQuery) -> dict:  # pragma: no cover
        raise NotImplementedError

    def parse_answer(self, response: httpx.Response, service: str) -> CarrierQuote:  # pragma: no cover
        raise NotImplementedError

    def service_key(self, service: str) -> str:  # pragma: no cover
        return service

    def rate_headers(self, token: str) -> dict[str, str]:  # pragma: no cover
        return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def error_text(self, response: httpx.Response) -> str:  # pragma: no cover
        return response.text

    async def rate(self, query: RateQuery) -> CarrierQuote:
        self._check(query)
        body = json.dumps(self.request_body(query)).encode()

        async def post(token: str) -> httpx.Response:
            return await self.client.post(
                self.config.url + self.rate_path, content=body, headers=self.rate_headers(token)
            )

        response = await self._send(post)
        if response.status_code != 200:
            raise self._unavailable(response, self.error_text(response))
        return self.parse_answer(response, self.service_key(query.service))

    async def _send(self, make_request) -> httpx.Response:
        """`make_request(token)` performs the call; this adds the token, the one 401 retry and error text."""
        token = await self.tokens.get()
        response = await self._call(make_request, token)
        if response.status_code == 401:
            self.tokens.invalidate(token)
            response = await self._call(make_request, await self.tokens.get())
        return response

    async def _call(self, make_request, token: str) -> httpx.Response:
        self.calls += 1
        try:
            return await make_request(token)
        except httpx.HTTPError as exc:
            raise CarrierUnavailable(self.carrier, describe_transport_error(exc)) from None

    def _unavailable(self, response: httpx.Response, detail: str = "") -> CarrierUnavailable:
        return CarrierUnavailable(self.carrier, describe_status(response, detail))

    def _check(self, query: RateQuery) -> None:
        if not query.parcels:
            raise CarrierUnavailable(self.carrier, "nothing to ship")
        if len(query.parcels) > MAX_PARCELS:
            raise CarrierUnavailable(self.carrier, f"{len(query.parcels)} parcels, more than {MAX_PARCELS}")
        if not query.ship_from.country or not query.ship_from.postcode:
            raise CarrierUnavailable(self.carrier, "no ship-from postcode configured for this distributor")
