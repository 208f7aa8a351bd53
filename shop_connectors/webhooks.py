"""`channel-sync serve`: receives store webhooks and runs pull and push on their schedules.

`POST /webhooks/<store id>` is answered by a pure ASGI door (`WebhookDoor`), in this order, before anything
is parsed or stored:
1. the body is read up to `[sync] max_body` (default 2 MiB), whatever its framing: a Content-Length above
   it is answered 413 before a byte is read; a chunked body is counted while it is read and reading stops
   at max_body + 1 (413). Such an answer says `Connection: close` and the connection closes lingering
   (fulfilment_engine/service/guarded_http.py, which also limits the headers' size and time). A body
   that does not arrive within BODY_TIMEOUT_S is a 408.
2. WooCommerce's creation ping (an unsigned form body `webhook_id=N` to a WooCommerce store) -> 200.
3. The signature (WooCommerce `X-WC-Webhook-Signature`, Shopify `X-Shopify-Hmac-Sha256`: base64
   HMAC-SHA256 of the raw body with the store's webhook secret; platforms/signature.py) is compared in
   constant time. Missing, wrong, or a store id that is not configured -> the same 401, byte for byte
   (an unknown store's body is checked against a random secret, so even the work done is the same).
4. A signed body that is not a JSON object -> 400, nothing stored.
5. The raw body is committed to the inbox and only then answered 200 — a duplicate (same Shopify event id,
   same store/order/modification time, or the same bytes) is answered 200 too, stored once.
Nothing is processed in the request: a worker thread is woken and fetches the order from the store, so the
store gets its answer in milliseconds whatever Odoo is doing.

Why pure ASGI: Starlette's `Request.body()` reads the whole body before any check, so five unsigned
20 MB bodies at once used to be held in memory before their 401 (bench connectors_abuse).

`GET /healthz`: 200 when every store's last good pull is within 3 x pull_every and Odoo accepts the key,
else 503. The answer is only `{"ok": bool}`, unless the request carries `Authorization: Bearer
<[sync] health_token>`: then also the stores, their last good pulls and what is wrong (the store ids and
the key's state are not for whoever can reach the port).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hmac
import json
import logging
import secrets
import threading
import time

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from fulfilment_engine.service.door import BODY_TIMEOUT_S, framing, header_map, read_body, send_answer

from .config import Settings, StoreConfig
from .errors import OdooKeyRefused
from .platforms import PLATFORMS, Platform, platform_for
from .state import State, now, parse_iso
from .sync import KEY_REFUSED_FLAG, Sync

log = logging.getLogger("channel_sync")
TEXT = b"text/plain; charset=utf-8"
REFUSED = b"signature missing or wrong"
# The inbox's column widths: a longer id or time is not an order version we can key on.
MAX_ORDER_ID, MAX_MODIFIED, MAX_EVENT_ID = 64, 32, 128


def order_version(platform: Platform, payload: dict) -> tuple[str | None, str | None]:
    """(order id, store modification time) of a webhook's JSON object, as far as it can be read; a body
    without them is deduplicated by its content instead."""
    order_id = payload.get("id")
    if not order_id or isinstance(order_id, (dict, list)) or len(str(order_id)) > MAX_ORDER_ID:
        return None, None
    modified = payload.get(platform.webhook.MODIFIED_FIELD)
    if not isinstance(modified, str) or not modified or len(modified) >= MAX_MODIFIED:
        return str(order_id), None
    return str(order_id), platform.webhook.webhook_modified(modified)


def health(settings: Settings, state: State) -> tuple[bool, dict]:
    problems = {}
    if state.flag(KEY_REFUSED_FLAG):
        problems["odoo"] = "odoo: API key refused (expired or revoked)"
    limit = dt.timedelta(seconds=3 * settings.sync.pull_every_s)
    stores = {}
    for store in settings.stores:
        _, last_good = state.cursor(store.id)
        fresh = bool(last_good) and now() - parse_iso(last_good) <= limit
        stores[store.id] = {"last_good_pull": last_good, "ok": fresh}
        if not fresh:
            problems[store.id] = (
                f"last good pull {last_good}" if last_good else "never pulled"
            ) + f", older than 3 x pull_every ({int(limit.total_seconds())} s)"
    return not problems, {"ok": not problems, "stores": stores, "problems": problems}


def bearer_matches(authorization: str | None, token: str) -> bool:
    """Whether `Authorization: Bearer <token>` was given (constant time); never with no token configured."""
    scheme, _, given = (authorization or "").strip().partition(" ")
    return (
        bool(token)
        and scheme.lower() == "bearer"
        and hmac.compare_digest(given.strip().encode(), token.encode())
    )


class WebhookDoor:
    """The ASGI app of `POST /webhooks/<store id>` (see the module's docstring for the order of checks)."""

    def __init__(self, settings: Settings, state: State, wake: threading.Event | None = None):
        self.stores = {store.id: store for store in settings.stores}
        self.max_body = settings.sync.max_body
        self.state = state
        self.wake = wake
        self._unknown_store_secret = secrets.token_hex(32)

    async def __call__(self, scope, receive, send):
        headers = header_map(scope["headers"])
        body = await self._read(headers, receive, send)
        if body is None:  # answered already (413, 408), or the client went away
            return
        store = self.stores.get(scope["path_params"]["store_id"])
        platform = platform_for(store) if store is not None else None
        try:
            payload = self._signed_payload(store, platform, headers, body)
        except _AnswerNow as answer:
            return await send_answer(send, answer.status, answer.text, content_type=TEXT)
        order_id, modified = order_version(platform, payload)
        event_id = platform.webhook.event_id(headers)
        try:
            stored = await run_in_threadpool(
                self.state.receive,
                store.id,
                "webhook",
                body,
                order_id=order_id,
                modified=modified,
                event_id=event_id if 0 < len(event_id) <= MAX_EVENT_ID else None,
            )
        except Exception:  # the store retries a non-2xx: better than acknowledging what we did not keep
            log.exception("webhook for %s not stored", store.id)
            return await send_answer(send, 503, b"not stored, try again", content_type=TEXT)
        if stored and self.wake is not None:
            self.wake.set()
        await send_answer(send, 200, json.dumps({"stored": stored}).encode())

    async def _read(self, headers: dict[bytes, bytes], receive, send) -> bytes | None:
        """The body, at most max_body bytes of it; None once it has been refused (413, 408)."""
        length, _chunked = framing(headers)
        too_large = f"the body is larger than [sync] max_body ({self.max_body} bytes)".encode()
        if length is not None and length > self.max_body:
            await send_answer(send, 413, too_large, content_type=TEXT, close=True)
            return None
        try:
            async with asyncio.timeout(BODY_TIMEOUT_S):
                body = await read_body(receive, self.max_body)
        except TimeoutError:
            message = f"the body did not arrive within {BODY_TIMEOUT_S:g} s".encode()
            await send_answer(send, 408, message, content_type=TEXT, close=True)
            return None
        if isinstance(body, int):
            await send_answer(send, 413, too_large, content_type=TEXT, close=True)
            return None
        return body

    def _signed_payload(
        self, store: StoreConfig | None, platform: Platform | None, headers: dict[bytes, bytes], body: bytes
    ) -> dict:
        """The JSON object of a body the store signed; _AnswerNow for a ping, an unsigned or wrongly signed
        body, or one that is not a JSON object."""
        if store is None or platform is None:  # any platform's header, checked against a secret nobody has
            schemes = [p.webhook.SIGNATURE for p in PLATFORMS.values()]
            scheme = next((s for s in schemes if s.given(headers) is not None), schemes[0])
            secret = self._unknown_store_secret
        else:
            scheme = platform.webhook.SIGNATURE
            secret = store.webhook_secret
            if platform.webhook.is_ping(headers, body):
                raise _AnswerNow(200, b"")
        signed = scheme.verify(secret, body, scheme.given(headers))
        if store is None or not signed:
            raise _AnswerNow(401, REFUSED)
        try:
            payload = json.loads(body)
        except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested past the parser's depth
            payload = None
        if not isinstance(payload, dict):
            raise _AnswerNow(400, b"the body is not a JSON object")
        return payload


class _AnswerNow(Exception):
    """What to answer a webhook without storing it."""

    def __init__(self, status: int, text: bytes):
        super().__init__(status, text)
        self.status = status
        self.text = text


def make_app(settings: Settings, state: State, wake: threading.Event | None = None) -> Starlette:
    async def healthz(request: Request):
        ok, detail = await run_in_threadpool(health, settings, state)
        if not bearer_matches(request.headers.get("authorization"), settings.sync.health_token):
            detail = {"ok": ok}
        return JSONResponse(detail, status_code=200 if ok else 503)

    return Starlette(
        routes=[
            Route("/webhooks/{store_id}", WebhookDoor(settings, state, wake), methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ]
    )


class Worker(threading.Thread):
    """Processes received webhooks as soon as they arrive, pulls every pull_every (and once at start) and
    pushes every push_every; one store's trouble is logged and the others go on."""

    def __init__(self, settings: Settings, sync: Sync, wake: threading.Event):
        super().__init__(name="channel-sync-worker", daemon=True)
        self.settings = settings
        self.sync = sync
        self.wake = wake
        self.stopping = threading.Event()

    def run(self) -> None:
        next_pull = next_push = 0.0
        while not self.stopping.is_set():
            moment = time.monotonic()
            pull, push = moment >= next_pull, moment >= next_push
            if pull:
                next_pull = moment + self.settings.sync.pull_every_s
            if push:
                next_push = moment + self.settings.sync.push_every_s
            for store in self.settings.stores:
                self._run_store(store, pull, push)
            self.wake.wait(timeout=max(0.05, min(next_pull, next_push) - time.monotonic()))
            self.wake.clear()

    def _run_store(self, store: StoreConfig, pull: bool, push: bool) -> None:
        try:
            failures = self.sync.pull(store) if pull else self.sync.process(store)
            if push:
                failures += self.sync.push(store)
        except OdooKeyRefused as exc:
            log.error("%s", exc)
            return
        except Exception:
            log.exception("%s: the sync failed", store.id)
            return
        for failure in failures:
            log.warning("%s", failure.line())
