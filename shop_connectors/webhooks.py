"""`channel-sync serve`: receives store webhooks and runs pull and push on their schedules.

`POST /webhooks/<store id>`: the signature (WooCommerce `X-WC-Webhook-Signature`, Shopify
`X-Shopify-Hmac-Sha256`: base64 HMAC-SHA256 of the raw body with the store's webhook secret) is compared
in constant time; missing or wrong -> 401 and nothing stored. WooCommerce's creation ping (an unsigned
form body `webhook_id=N`) -> 200, nothing stored. Otherwise the raw body is committed to the inbox and only
then answered 200 — a duplicate (same Shopify event id, or same store/order/modification time) is answered
200 too, stored once. Nothing is processed in the request: a worker thread is woken and fetches the order
from the store, so the store gets its answer in milliseconds whatever Odoo is doing.

`GET /healthz`: 200 when every store's last good pull is within 3 x pull_every and Odoo accepts the key,
else 503 saying which.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import re
import threading
import time

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

from .config import Settings, StoreConfig
from .errors import OdooKeyRefused
from .state import State, now, parse_iso
from .sync import KEY_REFUSED_FLAG, Sync

log = logging.getLogger("channel_sync")
PING = re.compile(rb"^webhook_id=\d+$")
SIGNATURE_HEADER = {"woocommerce": "x-wc-webhook-signature", "shopify": "x-shopify-hmac-sha256"}


def signature(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def order_version(store: StoreConfig, body: bytes) -> tuple[str | None, str | None]:
    """(order id, store modification time) of a webhook body, as far as it can be read."""
    try:
        payload = json.loads(body)
    except ValueError:
        return None, None
    if not isinstance(payload, dict) or not payload.get("id"):
        return None, None
    field = "date_modified_gmt" if store.platform == "woocommerce" else "updated_at"
    modified = payload.get(field)
    if modified and store.platform == "woocommerce" and not str(modified).endswith("Z"):
        modified = f"{modified}Z"
    return str(payload["id"]), (str(modified) if modified else None)


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
            problems[store.id] = (f"last good pull {last_good}" if last_good else "never pulled") + \
                f", older than 3 x pull_every ({int(limit.total_seconds())} s)"
    return not problems, {"ok": not problems, "stores": stores, "problems": problems}


def make_app(settings: Settings, state: State, wake: threading.Event | None = None) -> Starlette:
    stores = {store.id: store for store in settings.stores}

    async def receive(request: Request):
        store = stores.get(request.path_params["store_id"])
        if store is None:
            return PlainTextResponse("unknown store", status_code=404)
        body = await request.body()
        given = request.headers.get(SIGNATURE_HEADER[store.platform])
        if given is None and store.platform == "woocommerce" and PING.match(body.strip()):
            return PlainTextResponse("", status_code=200)
        expected = signature(store.webhook_secret, body).encode()
        if not given or not hmac.compare_digest(given.encode(), expected):
            return PlainTextResponse("signature missing or wrong", status_code=401)
        order_id, modified = order_version(store, body)
        event_id = request.headers.get("x-shopify-event-id") if store.platform == "shopify" else None
        try:
            stored = await run_in_threadpool(state.receive, store.id, "webhook", body, order_id=order_id,
                                             modified=modified, event_id=event_id)
        except Exception:  # the store retries a non-2xx: better than acknowledging what we did not keep
            log.exception("webhook for %s not stored", store.id)
            return PlainTextResponse("not stored, try again", status_code=503)
        if stored and wake is not None:
            wake.set()
        return JSONResponse({"stored": stored})

    async def healthz(_request: Request):
        ok, detail = await run_in_threadpool(health, settings, state)
        return JSONResponse(detail, status_code=200 if ok else 503)

    return Starlette(routes=[
        Route("/webhooks/{store_id}", receive, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
    ])


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
