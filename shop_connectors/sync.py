"""The sync: orders in (pull and webhooks, through one inbox), status and tracking back (push).

Orders in. Everything received goes into the inbox first (`state.receive`): a webhook's raw body, or each
order a pull reads. Processing the inbox maps each order and sends the new or changed ones to Odoo in
batches of 100 (`channel_import_orders`, one savepoint per order in Odoo), then records the binding.
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
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .adapters.shopify import ShopifyAdapter
from .adapters.woocommerce import WooCommerceAdapter
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
from .mappers import shopify as shopify_mapper
from .mappers import woocommerce as woo_mapper
from .mappers.common import with_hash
from .odoo import IMPORT_BATCH, OdooClient
from .retry import crash_point, with_retries
from .state import InboxEntry, State, iso, now, parse_iso

OVERLAP = dt.timedelta(minutes=10)
PARK_AFTER = 3  # failed tries of one order (not outages) before it is parked for a person
KINDS = {"woocommerce": ("tracking", "completed"), "shopify": ("fulfillment",)}
KEY_REFUSED_FLAG = "odoo_key_refused"
STOCK_LOOKUP = {"woocommerce": 100, "shopify": 50}  # SKUs per look-up call
STOCK_BATCH = 100  # items per stock call (WooCommerce's batch limit; well under Shopify's cost cap)


@dataclass(frozen=True)
class Failure:
    store: str
    order: str
    reason: str

    def line(self) -> str:
        return f"{self.store}: order {self.order or '-'}: {self.reason}"


class Sync:
    def __init__(self, settings: Settings, state: State, odoo: OdooClient,
                 adapter_factory: Callable[[StoreConfig], Any] | None = None,
                 clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
                 sleep: Callable[[float], None] = time.sleep):
        self.settings = settings
        self.state = state
        self.odoo = odoo
        self._adapters: dict[str, Any] = {}
        self._factory = adapter_factory or make_adapter
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
        since = (parse_iso(cursor) - OVERLAP) if cursor else window_end - dt.timedelta(
            seconds=self.settings.sync.first_pull_s)
        after, before = iso(since), iso(window_end)
        adapter = self.adapter(store)
        token = None
        try:
            while True:
                orders, token = self._retry(lambda t=token: adapter.changed_orders(after, before, t))
                for order in orders:
                    self._receive_pulled(store, order)
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

    def _receive_pulled(self, store: StoreConfig, order: dict) -> None:
        mapper = woo_mapper if store.platform == "woocommerce" else shopify_mapper
        if store.platform == "woocommerce":
            order_id = str(order.get("id"))
        else:
            order_id = str(order.get("legacyResourceId") or "")
        body = json.dumps(order, sort_keys=True).encode()
        try:
            modified = mapper.modified_of(order)
        except BadOrder:
            modified = None
        # A version already received (by webhook or an earlier pull) is refused by the unique key: fine.
        self.state.receive(store.id, "pull", body, order_id=order_id, modified=modified)

    def process(self, store: StoreConfig) -> list[Failure]:
        """Sends every pending inbox entry of the store to Odoo (new or changed orders only)."""
        failures: list[Failure] = []
        while True:
            entries = self.state.pending(store.id, limit=IMPORT_BATCH * 5)
            if not entries:
                return failures
            progress, stop = self._process_entries(store, entries, failures)
            if stop or not progress:
                return failures

    def _current(self, store: StoreConfig, entry: InboxEntry) -> dict | None:
        """The order as it is now: from the store's API for a webhook, else as stored; None if deleted."""
        try:
            stored = json.loads(entry.body)
        except ValueError:
            raise BadOrder("body", "the stored body is not JSON") from None
        if entry.source != "webhook":
            return stored
        if store.platform == "shopify":
            stored = shopify_mapper.from_webhook(stored)
        if not entry.order_id:
            raise BadOrder("body", "no order id in the webhook")
        adapter = self.adapter(store)
        try:
            return self._retry(lambda: adapter.order(entry.order_id))
        except StoreUnavailable:
            return stored  # the store is down: the body it signed is the best we have

    def _process_entries(self, store: StoreConfig, entries: list[InboxEntry],
                         failures: list[Failure]) -> tuple[bool, bool]:
        mapper = woo_mapper if store.platform == "woocommerce" else shopify_mapper
        known = self.state.known_orders(store.id, {e.order_id for e in entries if e.order_id})
        chosen: dict[str, tuple[dict, list[int]]] = {}  # order id -> (normalised, inbox ids it answers)
        finished: list[int] = []
        progress = False
        for entry in entries:
            try:
                order = self._current(store, entry)
                if order is None:  # deleted in the store since: nothing to import
                    finished.append(entry.id)
                    continue
                normalised = mapper.map_order(order)
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
            wanted = (woo_mapper.order_is_wanted(order, store.statuses, binding is not None)
                      if store.platform == "woocommerce"
                      else shopify_mapper.order_is_wanted(order, binding is not None))
            if not wanted or (binding and (binding["hash"] == normalised["hash"]
                                          or binding["modified"] > normalised["modified"])):
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
        batch = list(chosen.values())
        for start in range(0, len(batch), IMPORT_BATCH):
            part = batch[start:start + IMPORT_BATCH]
            try:
                results = self._odoo(lambda p=part: self.odoo.import_orders(store.id, [n for n, _ in p]))
            except OdooUnavailable as exc:
                failures.extend(Failure(store.id, n["external_id"], str(exc)) for n, _ in part)
                return progress, True
            except OdooRejected as exc:
                failures.extend(Failure(store.id, n["external_id"], str(exc)) for n, _ in part)
                return progress, True
            crash_point("after_odoo_commit")
            by_id = {str(r.get("external_id")): r for r in results or []}
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
                    self.state.bind(store.id, normalised["external_id"], normalised["modified"],
                                    normalised["hash"], result.get("id"))
                    self.state.finish(entry_ids)
                progress = True
        return progress, False

    # -- back to the store ---------------------------------------------------------------------------
    def push(self, store: StoreConfig) -> list[Failure]:
        failures: list[Failure] = []
        try:
            due = self._odoo(lambda: self.odoo.pending_updates(store.id))
        except (OdooUnavailable, OdooRejected) as exc:
            return [Failure(store.id, "", str(exc))]
        due = [u for u in due if u.get("kind") in KINDS[store.platform]]
        sender = WooCommercePush(self, store) if store.platform == "woocommerce" else ShopifyPush(self, store)
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
        skus = list(changed)
        step = STOCK_LOOKUP[store.platform]
        try:
            for start in range(0, len(skus), step):
                chunk = skus[start:start + step]
                lookup = adapter.products_by_sku if store.platform == "woocommerce" else adapter.stock_items
                found = self._retry(lambda c=chunk, f=lookup: f(c))
                # (where in the store: a product id, or an inventory item and location; quantity; SKU)
                items = [(target, changed[sku], sku) for sku, targets in found.items() for target in targets]
                for first in range(0, len(items), STOCK_BATCH):
                    batch = items[first:first + STOCK_BATCH]
                    self._retry(lambda b=batch: self._send_stock(store, adapter, b))
                # Recorded once every place of every SKU in the chunk took it (a SKU may span batches).
                self.state.record_stock(store.id, {sku: changed[sku] for sku in chunk})
        except (StoreUnavailable, StoreRejected) as exc:
            return [Failure(store.id, "", f"stock push stopped: {exc}")]
        return []

    @staticmethod
    def _send_stock(store: StoreConfig, adapter, batch: list[tuple[Any, int, str]]) -> None:
        if store.platform == "woocommerce":
            adapter.set_stock({product_id: quantity for product_id, quantity, _sku in batch})
        else:
            adapter.set_stock([(*place, quantity) for place, quantity, _sku in batch])


class WooCommercePush:
    """Tracking (one Shipment Tracking item per number, else one customer note per delivery), then
    `completed` once Odoo says every line shipped."""

    def __init__(self, sync: Sync, store: StoreConfig):
        self.sync = sync
        self.store = store
        self.api: WooCommerceAdapter = sync.adapter(store)

    def uses_extension(self, order_id: str) -> bool:
        if self.store.shipment_tracking != "auto":
            return self.store.shipment_tracking == "extension"
        flag = f"{self.store.id}:shipment_tracking"
        known = self.sync.state.flag(flag)
        if known is None:
            known = "extension" if self.api.has_tracking_extension(order_id) else "note"
            self.sync.state.set_flag(flag, known)
        return known == "extension"

    def groups(self, due: list[dict]) -> list[list[dict]]:
        groups: dict[Any, list[dict]] = {}
        for update in due:
            order_id = str(update.get("order_external_id"))
            if update["kind"] == "tracking" and not self.uses_extension(order_id):
                groups.setdefault(("note", update.get("picking_id")), []).append(update)
            else:
                groups[update["key"]] = [update]
        return list(groups.values())

    @staticmethod
    def _numbers(group: list[dict]) -> list[str]:
        return [n for u in group for n in u.get("tracking_numbers") or []]

    def already_applied(self, group: list[dict]) -> bool:
        first = group[0]
        order_id = str(first["order_external_id"])
        if first["kind"] == "completed":
            order = self.api.order(order_id)
            return bool(order) and order.get("status") == "completed"
        numbers = set(self._numbers(group))
        if self.uses_extension(order_id):
            return numbers <= {t.get("tracking_number") for t in self.api.trackings(order_id)}
        notes = " ".join(n.get("note", "") for n in self.api.notes(order_id))
        return all(number in notes for number in numbers)

    def send(self, group: list[dict]) -> None:
        first = group[0]
        order_id = str(first["order_external_id"])
        if first["kind"] == "completed":
            self.api.set_status(order_id, "completed")
            return
        shipped = now().date().isoformat()
        if self.uses_extension(order_id):
            for number in self._numbers(group):
                self.api.add_tracking(order_id, first.get("carrier") or "", number,
                                      first.get("tracking_url") or "", shipped)
            return
        carrier = first.get("carrier") or "the carrier"
        numbers = ", ".join(self._numbers(group))
        link = f" Track it at {first['tracking_url']}" if first.get("tracking_url") else ""
        self.api.add_note(order_id,
                          f"Your order has shipped with {carrier}, tracking number {numbers}.{link}")


class ShopifyPush:
    """One fulfillmentCreate per delivery on the order's fulfillment order(s), for exactly the shipped
    lines and quantities, with its tracking; a partial shipment leaves the fulfillment order open."""

    def __init__(self, sync: Sync, store: StoreConfig):
        self.store = store
        self.api: ShopifyAdapter = sync.adapter(store)

    def groups(self, due: list[dict]) -> list[list[dict]]:
        return [[update] for update in due]

    def already_applied(self, group: list[dict]) -> bool:
        numbers = set(group[0].get("tracking_numbers") or [])
        state = self.api.fulfillment_state(str(group[0]["order_external_id"]))
        for fulfillment in state.get("fulfillments") or []:
            if numbers & {t.get("number") for t in fulfillment.get("trackingInfo") or []}:
                return True
        return False

    def send(self, group: list[dict]) -> None:
        update = group[0]
        order_id = str(update["order_external_id"])
        state = self.api.fulfillment_state(order_id)
        open_lines = [
            (fo["id"], line)
            for fo in state.get("fulfillmentOrders", {}).get("nodes", [])
            if fo.get("status") in ("OPEN", "IN_PROGRESS")
            for line in fo.get("lineItems", {}).get("nodes", [])
            if line.get("remainingQuantity", 0) > 0
        ]
        by_order: dict[str, list[dict]] = {}
        for shipped in update.get("lines") or []:
            wanted = int(float(shipped.get("qty") or 0))
            line_id = str(shipped.get("line_external_id"))
            for fo_id, line in open_lines:
                if wanted <= 0:
                    break
                if shopify_mapper.legacy_id((line.get("lineItem") or {}).get("id")) != line_id:
                    continue
                take = min(wanted, line["remainingQuantity"] - line.get("_taken", 0))
                if take <= 0:
                    continue
                line["_taken"] = line.get("_taken", 0) + take
                by_order.setdefault(fo_id, []).append({"id": line["id"], "quantity": take})
                wanted -= take
            if wanted > 0:
                raise StoreRejected(f"{self.store.id}: order {order_id}: line {line_id} has {wanted} fewer "
                                    "units left to fulfil in Shopify than the delivery shipped")
        if not by_order:
            raise StoreRejected(f"{self.store.id}: order {order_id}: the delivery names no line to fulfil")
        tracking: dict[str, Any] = {"numbers": list(update.get("tracking_numbers") or [])}
        if update.get("carrier"):
            tracking["company"] = update["carrier"]
        if update.get("tracking_url"):
            tracking["urls"] = [update["tracking_url"]]
        self.api.create_fulfillment({
            "lineItemsByFulfillmentOrder": [
                {"fulfillmentOrderId": fo_id, "fulfillmentOrderLineItems": items}
                for fo_id, items in by_order.items()
            ],
            "notifyCustomer": self.store.notify_customer,
            "trackingInfo": tracking,
        })


def make_adapter(store: StoreConfig):
    if store.platform == "woocommerce":
        return WooCommerceAdapter(store)
    return ShopifyAdapter(store)
