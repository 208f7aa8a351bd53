"""The sync: orders in (pull and webhooks, through one inbox), status and tracking back (push).

Orders in. Everything received goes into the inbox first (`state.receive`): a webhook's raw body, or each
order a pull reads (a page in one transaction). Processing the inbox maps each order and sends the new or
changed ones to Odoo in batches of 100 (`channel_import_orders`, one savepoint per order in Odoo), then
records the bindings of each batch in one transaction. `[sync] import_calls` (default 2) batches are in
Odoo at once: the orders are shared out by customer (e-mail, else store customer id), so two calls at
once never make or lock the same customer in Odoo; each share's batches go one after the other.
- A pull reads the window from (cursor - 10 min) to the end of the second the run started in, pages all
  of it, and moves the cursor to that end only when every order in it is in Odoo or parked: a crash or an
  outage means the next run reads the same window again, and the overlap is harmless because the
  bindings and Odoo's (store, external id) key both deduplicate. The stores keep modification times in
  whole seconds and the window's end is exclusive (WooCommerce's `modified_before`, Shopify's
  `updated_at:<`), so a window ending at the run's start would leave an order changed earlier in that
  second to the next pull; the pull waits for that second to be over before it asks, so every order
  changed before the window's end was changed before the store was asked.
- A stored webhook is only a notification: processing fetches the order's current state from the store
  (so an old delivery never overwrites a newer order); with the store down, the stored body is used.
- Processed inbox rows are deleted once older than `[sync] keep_inbox` (at each pull); the bindings stay.
- An order Odoo refuses (`failed`) or that cannot be mapped is parked with its error for a person; it is
  never retried in a loop and never holds up the orders behind it.
- Killed after Odoo committed but before the binding is written, the next run sends the order again and
  Odoo answers `unchanged` (same hash) with the id it already has: nothing twice.

Back to the store. What is due comes from Odoo in one call (`channel_pending_updates`). Each update is
recorded "sending" (committed) before the store is called and "sent" after it accepted; only then is Odoo
told (`channel_updates_sent`). Found "sending" at the next run, the store is asked first whether it already
has it (its tracking numbers, notes, fulfillments, status), so a kill between send and record never sends
twice.
"""

from __future__ import annotations

import datetime as dt
import json
import queue
import threading
import time
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from .config import Settings, StoreConfig
from .errors import (
    BadOrder,
    OdooKeyRefused,
    OdooRejected,
    OdooUnavailable,
    StoreRejected,
    StoreUnavailable,
    SyncError,
)
from .odoo import IMPORT_BATCH, OdooClient
from .platforms import Platform, platform_for
from .platforms.mapping import with_hash
from .retry import crash_point, with_retries
from .state import InboxEntry, State, iso, now, parse_iso

OVERLAP = dt.timedelta(minutes=10)
PARK_AFTER = 3  # failed tries of one order (not outages) before it is parked for a person
KEY_REFUSED_FLAG = "odoo_key_refused"
STOCK_BATCH = 100  # items per stock call (WooCommerce's batch limit; well under Shopify's cost cap)


@dataclass(frozen=True)
class Failure:
    store: str
    order: str
    reason: str

    def line(self) -> str:
        return f"{self.store}: order {self.order or '-'}: {self.reason}"


class Sync:
    def __init__(
        self,
        settings: Settings,
        state: State,
        odoo: OdooClient,
        adapter_factory: Callable[[StoreConfig], Any] | None = None,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.settings = settings
        self.state = state
        self.odoo = odoo
        self._adapters: dict[str, Any] = {}
        self._factory = adapter_factory or (lambda store: platform_for(store).adapter(store))
        self.clock = clock  # the pull window's time (a test may stop it)
        self.sleep = sleep

    def adapter(self, store: StoreConfig):
        if store.id not in self._adapters:
            self._adapters[store.id] = self._factory(store)
        return self._adapters[store.id]

    def _retry(self, call: Callable[[], Any]) -> Any:
        return with_retries(call, attempts=self.settings.sync.retries, backoff_s=self.settings.sync.backoff_s)

    def _odoo(self, call: Callable[[], Any]) -> Any:
        try:
            result = self._retry(call)
        except OdooKeyRefused:
            self.state.set_flag(KEY_REFUSED_FLAG, iso(now()))
            raise
        if self.state.flag(KEY_REFUSED_FLAG):
            self.state.set_flag(KEY_REFUSED_FLAG, None)
        return result

    # -- orders in -----------------------------------------------------------------------------------
    def pull(self, store: StoreConfig) -> list[Failure]:
        # Processed raw bodies are not kept for ever ([sync] keep_inbox): the state would grow without end.
        self.state.prune_inbox(store.id, now() - dt.timedelta(seconds=self.settings.sync.keep_inbox_s))
        window_end = self.window_end()
        cursor, _ = self.state.cursor(store.id)
        since = (
            (parse_iso(cursor) - OVERLAP)
            if cursor
            else window_end - dt.timedelta(seconds=self.settings.sync.first_pull_s)
        )
        after, before = iso(since), iso(window_end)
        adapter = self.adapter(store)
        platform = platform_for(store)
        token = None
        try:
            while True:
                orders, token = self._retry(lambda t=token: adapter.changed_orders(after, before, t))
                self.state.receive_many(store.id, "pull", [_pulled(platform, order) for order in orders])
                if token is None:
                    break
        except (StoreUnavailable, StoreRejected) as exc:
            # The webhooks already received still go in (from their bodies if the store stays down).
            return [Failure(store.id, "", f"pull stopped, cursor kept: {exc}"), *self.process(store)]
        crash_point("after_store")
        failures = self.process(store)
        # Parked orders are not pending: a poison order never holds the cursor back.
        if not self.state.pending(store.id, limit=1):
            self.state.move_cursor(store.id, before)
        return failures

    def window_end(self) -> dt.datetime:
        """The end of the second the pull started in, once it is over (see the module's docstring)."""
        started = self.clock()
        end = started.replace(microsecond=0) + dt.timedelta(seconds=1)
        wait = (end - self.clock()).total_seconds()
        if wait > 0:
            self.sleep(wait)
        return end

    def process(self, store: StoreConfig) -> list[Failure]:
        """Sends every pending inbox entry of the store to Odoo (new or changed orders only)."""
        failures: list[Failure] = []
        platform = platform_for(store)
        while True:
            entries = self.state.pending(store.id, limit=IMPORT_BATCH * 5 * self.settings.sync.import_calls)
            if not entries:
                return failures
            progress, stop = self._process_entries(store, platform, entries, failures)
            if stop or not progress:
                return failures

    def _current(self, store: StoreConfig, platform: Platform, entry: InboxEntry) -> dict | None:
        """The order as it is now: from the store's API for a webhook, else as stored; None if deleted."""
        try:
            stored = json.loads(entry.body)
        except ValueError:
            raise BadOrder("body", "the stored body is not JSON") from None
        if entry.source != "webhook":
            return stored
        stored = platform.mapper.from_webhook(stored)
        if not entry.order_id:
            raise BadOrder("body", "no order id in the webhook")
        adapter = self.adapter(store)
        try:
            return self._retry(lambda: adapter.order(entry.order_id))
        except StoreUnavailable:
            return stored  # the store is down: the body it signed is the best we have

    def _process_entries(
        self, store: StoreConfig, platform: Platform, entries: list[InboxEntry], failures: list[Failure]
    ) -> tuple[bool, bool]:
        known = self.state.known_orders(store.id, {e.order_id for e in entries if e.order_id})
        chosen: dict[str, tuple[dict, list[int]]] = {}  # order id -> (normalised, inbox ids it answers)
        finished: list[int] = []
        progress = False
        for entry in entries:
            try:
                order = self._current(store, platform, entry)
                if order is None:  # deleted in the store since: nothing to import
                    finished.append(entry.id)
                    continue
                normalised = platform.mapper.map_order(order)
                if store.taxes:  # [stores.taxes]: the Odoo tax named for a store rate, not found by rate
                    normalised = with_hash({**normalised, "tax_names": dict(store.taxes)})
            except BadOrder as exc:
                self.state.finish([entry.id], "parked", f"cannot be read: {exc}")
                failures.append(Failure(store.id, entry.order_id or "", f"parked: cannot be read: {exc}"))
                progress = True
                continue
            except SyncError as exc:
                if self.state.failed_attempt(entry.id, str(exc), PARK_AFTER):
                    failures.append(Failure(store.id, entry.order_id or "", f"parked: {exc}"))
                else:
                    failures.append(Failure(store.id, entry.order_id or "", str(exc)))
                progress = True
                continue
            order_id = normalised["external_id"]
            binding = known.get(order_id)
            wanted = platform.mapper.is_wanted(order, store, binding is not None)
            if not wanted or (
                binding
                and (binding["hash"] == normalised["hash"] or binding["modified"] > normalised["modified"])
            ):
                finished.append(entry.id)
                continue
            previous = chosen.get(order_id)
            if previous and previous[0]["modified"] > normalised["modified"]:
                previous[1].append(entry.id)
            else:
                chosen[order_id] = (normalised, [*(previous[1] if previous else []), entry.id])
        if finished:
            self.state.finish(finished)
            progress = True
        if not chosen:
            return progress, False
        sent, stop = self._send(store, self._shares(list(chosen.values())), failures)
        return progress or sent, stop

    def _shares(self, batch: list[tuple[dict, list[int]]]) -> list[list[tuple[dict, list[int]]]]:
        """The orders shared out by customer among `import_calls` calls (see the module's docstring)."""
        count = self.settings.sync.import_calls
        shares: list[list[tuple[dict, list[int]]]] = [[] for _ in range(count)]
        for item in batch:
            shares[zlib.crc32(_customer_key(item[0]).encode()) % count].append(item)
        return [share for share in shares if share]

    def _send(
        self, store: StoreConfig, shares: list[list[tuple[dict, list[int]]]], failures: list[Failure]
    ) -> tuple[bool, bool]:
        """Each share's batches in turn, the shares side by side; each call's answers are recorded as it
        comes back, in this thread. Odoo unavailable or refusing stops every share before its next call
        (the rest stays pending); any other error (the key refused) is raised once all have stopped."""
        answers: queue.Queue = queue.Queue()
        halt = threading.Event()

        def share_calls(share: list[tuple[dict, list[int]]]) -> None:
            try:
                for start in range(0, len(share), IMPORT_BATCH):
                    if halt.is_set():
                        return
                    part = share[start : start + IMPORT_BATCH]
                    try:
                        orders = [n for n, _ in part]
                        answers.put((part, self._odoo(lambda o=orders: self.odoo.import_orders(store.id, o))))
                    except Exception as exc:
                        halt.set()
                        answers.put((part, exc))
                        return
            finally:
                answers.put(None)

        progress, stop, error = False, False, None
        with ThreadPoolExecutor(len(shares), thread_name_prefix="import") as calls:
            for share in shares:
                calls.submit(share_calls, share)
            running = len(shares)
            try:
                while running:
                    item = answers.get()
                    if item is None:
                        running -= 1
                        continue
                    part, results = item
                    if isinstance(results, (OdooUnavailable, OdooRejected)):
                        failures.extend(Failure(store.id, n["external_id"], str(results)) for n, _ in part)
                        stop = True
                    elif isinstance(results, Exception):
                        error = error or results
                    else:
                        crash_point("after_odoo_commit")
                        self._record_answers(store, part, results, failures)
                        progress = True
            except BaseException:
                halt.set()  # the state cannot take the answers: no more calls (what is unrecorded is resent)
                raise
        if error:
            raise error
        return progress, stop

    def _record_answers(
        self, store: StoreConfig, part: list[tuple[dict, list[int]]], results: Any, failures: list[Failure]
    ) -> None:
        """One import call's answers: bindings made and entries done in one transaction; refusals parked."""
        by_id = {str(r.get("external_id")): r for r in results or []}
        bindings, done = [], []
        for normalised, entry_ids in part:
            result = by_id.get(normalised["external_id"])
            if result is None:
                failures.append(Failure(store.id, normalised["external_id"], "odoo: no answer for it"))
                continue
            if result.get("result") == "failed":
                error = result.get("error") or "failed without a reason"
                self.state.finish(entry_ids, "parked", f"odoo: {error}")
                failures.append(Failure(store.id, normalised["external_id"], f"parked: odoo: {error}"))
            else:
                bindings.append(
                    (normalised["external_id"], normalised["modified"], normalised["hash"], result.get("id"))
                )
                done += entry_ids
        self.state.imported(store.id, bindings, done)

    # -- back to the store ---------------------------------------------------------------------------
    def push(self, store: StoreConfig) -> list[Failure]:
        failures: list[Failure] = []
        try:
            due = self._odoo(lambda: self.odoo.pending_updates(store.id))
        except (OdooUnavailable, OdooRejected) as exc:
            return [Failure(store.id, "", str(exc))]
        platform = platform_for(store)
        due = [u for u in due if u.get("kind") in platform.push.KINDS]
        sender = platform.push.sender(store, self.adapter(store), self.state)
        acknowledged: list[str] = []
        for group in sender.groups(due):
            keys = [u["key"] for u in group]
            order = str(group[0].get("order_external_id"))
            statuses = {self.state.update_status(store.id, k) for k in keys}
            if statuses == {"sent"}:
                acknowledged += keys
                continue
            if "parked" in statuses:
                failures.append(Failure(store.id, order, f"update {keys[0]} parked earlier; see the state"))
                continue
            try:
                if "sending" in statuses and self._retry(lambda g=group: sender.already_applied(g)):
                    for key, update in zip(keys, group, strict=True):
                        self.state.record_update(store.id, key, "sent", update)
                    acknowledged += keys
                    continue
                for key, update in zip(keys, group, strict=True):
                    self.state.record_update(store.id, key, "sending", update)
                self._retry(lambda g=group: sender.send(g))
            except StoreUnavailable as exc:
                failures.append(Failure(store.id, order, f"{keys[0]}: {exc}"))
                break  # the store is down: the rest waits for the next push
            except (StoreRejected, BadOrder) as exc:
                for key, update in zip(keys, group, strict=True):
                    self.state.record_update(store.id, key, "parked", update, str(exc))
                failures.append(Failure(store.id, order, f"{keys[0]} parked: {exc}"))
                continue
            crash_point("after_push_send")
            for key, update in zip(keys, group, strict=True):
                self.state.record_update(store.id, key, "sent", update)
            acknowledged += keys
        if acknowledged:
            try:
                self._odoo(lambda: self.odoo.updates_sent(store.id, acknowledged))
            except (OdooUnavailable, OdooRejected) as exc:
                failures.append(Failure(store.id, "", f"sent but not acknowledged yet: {exc}"))
        if store.push_stock:
            failures += self.push_stock(store)
        return failures

    # -- stock to the store --------------------------------------------------------------------------
    def stock_levels(self, store: StoreConfig) -> dict[str, int]:
        """Per SKU of the engine's products: the distributors' stock summed, less the store's buffer,
        never below 0."""
        from fulfilment_engine.store.offer_store import OfferStore  # only stores that push stock need it

        offers = OfferStore.open(self.settings.sync.offers or None, create=False)
        try:
            skus = sorted(offers.products())
            totals = dict.fromkeys(skus, 0)
            for offer in offers.offers_for(skus):
                totals[offer.sku] = totals.get(offer.sku, 0) + max(0, offer.stock)
        finally:
            offers.close()
        return {sku: max(0, total - store.stock_buffer) for sku, total in totals.items()}

    def push_stock(self, store: StoreConfig) -> list[Failure]:
        """Sends the quantities that changed since the last push the store accepted. A SKU the store does
        not sell is recorded too, so it is looked up again only when its quantity changes. Quantities are
        absolute: a batch resent after a kill sets the same figures again."""
        from fulfilment_engine.errors import FulfilError

        try:
            levels = self.stock_levels(store)
        except FulfilError as exc:
            return [Failure(store.id, "", f"stock not pushed: {exc}")]
        sent = self.state.stock_sent(store.id)
        changed = {sku: quantity for sku, quantity in levels.items() if sent.get(sku) != quantity}
        adapter = self.adapter(store)
        platform = platform_for(store)
        skus = list(changed)
        step = platform.push.SKUS_PER_LOOKUP
        try:
            for start in range(0, len(skus), step):
                chunk = skus[start : start + step]
                found = self._retry(lambda c=chunk: platform.push.stock_places(adapter, c))
                # (where in the store: a product id, or an inventory item and location; quantity; SKU)
                items = [(target, changed[sku], sku) for sku, targets in found.items() for target in targets]
                for first in range(0, len(items), STOCK_BATCH):
                    batch = items[first : first + STOCK_BATCH]
                    self._retry(lambda b=batch: platform.push.set_stock(adapter, b))
                # Recorded once every place of every SKU in the chunk took it (a SKU may span batches).
                self.state.record_stock(store.id, {sku: changed[sku] for sku in chunk})
        except (StoreUnavailable, StoreRejected) as exc:
            return [Failure(store.id, "", f"stock push stopped: {exc}")]
        return []


def _pulled(platform: Platform, order: dict) -> tuple[bytes, str | None, str | None]:
    """(body, order id, modified) of an order a pull read, as the inbox keeps it."""
    try:
        modified = platform.mapper.modified_of(order)
    except BadOrder:
        modified = None
    return json.dumps(order, sort_keys=True).encode(), platform.mapper.order_id(order), modified


def _customer_key(order: dict) -> str:
    """Who the order's customer is, as Odoo finds it: the e-mail, else the store's customer id."""
    customer = order.get("customer") or {}
    billing = order.get("billing") or {}
    email = str(customer.get("email") or billing.get("email") or "").strip().lower()
    if email:  # Odoo normalises it further (email_normalize): two keys for one customer only cost a wait
        return email
    store_customer = customer.get("store_customer_id")
    return f"customer:{store_customer}" if store_customer else f"order:{order.get('external_id')}"
