"""Store orders into the Orders Inbox: `channel_import_orders`, the one call channel-sync makes per batch.

Each order is built whole — customer, addresses, lines, the store's shipping and discounts, taxes —
confirmed (procurement stays held until Ship) and dated as the store dated it, inside its own savepoint,
so the touchless cron never sees half an order and one bad order never stops the batch. What does not
fit (an unknown SKU, a tax Odoo lacks, a total a penny off) still creates the order, in review, with
codes that only a person's *Accept import differences* clears. The contract with channel-sync is
shop_connectors/contract.py (docs/connectors-contract.md): (store, external id) is unique, `hash` and
`modified` make a repeat a no-op, and a duplicate arriving concurrently answers the existing id.

This file holds the call, its batching (new orders created together, one by one should that fail) and
the concurrency rules; the order's reading is sale_order_import_parse.py, its customer and addresses
sale_order_import_partners.py, its values sale_order_import_values.py, its later changes
sale_order_import_changes.py, and the review of its differences sale_order_import_review.py.
"""

import logging

import psycopg2.errors
from odoo import api, fields, models
from odoo.exceptions import AccessError, ConcurrencyError, UserError, ValidationError
from odoo.fields import Command
from odoo.tools import SQL

from .channel_store import STORE_CODE
from .odoo_retry import RETRIED_BY_ODOO, quiet_sql_errors
from .store_order_values import (
    NewOrder,
    StoreOrderError,
    _lock_key,
    _text,
)

_logger = logging.getLogger(__name__)

MAX_ORDERS_PER_CALL = 100


class SaleOrder(models.Model):
    _inherit = "sale.order"

    channel_import_hash = fields.Char(
        string="Store order hash",
        copy=False,
        readonly=True,
        help="channel-sync's hash of the order as imported.",
    )
    channel_store_modified = fields.Datetime(
        string="Store modified",
        copy=False,
        readonly=True,
        help="The store's modification time of the order as imported.",
    )
    channel_store_id = fields.Many2one(
        "channel.store", string="Web store", copy=False, index="btree_not_null", readonly=True
    )
    channel_unknown_country_code = fields.Char(
        string="Unknown store country",
        copy=False,
        readonly=True,
        help="The country code the store gave the delivery address when Odoo has no such country (e.g. XX, "
        "or Shopify's AC and TA): the address has no country, and planning asks a person for it.",
    )

    # ------------------------------------------------------------------------------ the public call

    @api.model
    def channel_import_orders(self, store, orders):
        """Import up to 100 normalised store orders; one answer per order, in the same order.

        [{"external_id", "id", "result": created|updated|unchanged|failed, "error"}]
        """
        store_record = self._channel_connector_store(store)
        self = self.sudo()  # the connector has no model access of its own (res_users.py)
        if not isinstance(orders, list):
            raise ValidationError(self.env._("orders: a list of normalised orders is expected."))
        if len(orders) > MAX_ORDERS_PER_CALL:
            raise ValidationError(
                self.env._(
                    "orders: at most %(max)s orders a call, got %(n)s.",
                    max=MAX_ORDERS_PER_CALL,
                    n=len(orders),
                )
            )
        cache = {}
        try:
            return self._channel_import_all(store_record, orders, cache)
        finally:
            fresh = cache.pop("fresh_cursor", None)  # see _channel_committed_exists
            if fresh:
                fresh.close()
            for memo in ("channel_countries", "channel_currency_places"):  # this call's, not the next's
                self.env.cr.cache.pop(memo, None)

    @api.model
    @api.private
    def _channel_import_all(self, store, orders, cache):
        self._channel_import_look_ahead(store, orders, cache)
        answers = []
        new = []  # (index, parsed order, order values, codes, reasons): created together below
        for index, data in enumerate(orders):
            external_id = _text(data.get("external_id")) if isinstance(data, dict) else ""
            answer = {"external_id": external_id, "id": None, "result": "failed", "error": None}
            answers.append(answer)
            outcome = self._channel_guarded(store, index, data, answer, self._channel_import_step, cache)
            if isinstance(outcome, NewOrder):
                new.append((index, *outcome))
            elif outcome:
                answer.update(id=outcome[0].id, result=outcome[1])
        if new:
            self._channel_import_create_all(store, orders, new, answers, cache)
        return answers

    @api.model
    @api.private
    def _channel_import_look_ahead(self, store, orders, cache):
        """What the call's orders need, asked once for all of them rather than once per order: which of
        them Odoo has (cache["existing"]: {external id: order}) and the customers of the others
        (_channel_import_customers_all). An order that cannot be read is left to its own step, which
        answers why; the analytic distribution is left out of the lines when no model could fill it."""
        readable = {}
        for data in orders:
            try:
                parsed = self._channel_import_parse(data)
            except StoreOrderError:
                continue
            readable.setdefault(parsed["external_id"], parsed)
            cache.setdefault("parsed", {})[id(data)] = parsed
        existing = self.with_context(active_test=False).search(
            [("channel_store", "=", store.code), ("channel_external_id", "in", list(readable))]
        )
        cache["existing"] = {order.channel_external_id: order for order in existing}
        new = [data for external_id, data in readable.items() if external_id not in cache["existing"]]
        self._channel_import_customers_all(store, new, self.env.company, cache)
        skus = {line["sku"] for data in new for line in data["lines"] if line["sku"]}
        self._channel_products_by_sku(skus, self.env.company, cache)
        cache["no_analytic_models"] = not self.env["account.analytic.distribution.model"].search_count(
            [], limit=1
        )

    @api.model
    @api.private
    def _channel_guarded(self, store, index, data, answer, work, *args):
        """work(store, data, *args) in its own savepoint: its outcome, or None with the answer filled in
        (the existing id for a concurrent duplicate, else the error naming the order and the field)."""
        external_id = answer["external_id"]
        try:
            with self.env.cr.savepoint():
                return work(store, data, *args)
        except psycopg2.errors.UniqueViolation:
            # A concurrent call created this order first (see _channel_import_duplicate).
            order_id = self._channel_import_duplicate(store, external_id, data.get("hash"))
            answer.update(id=order_id, result="unchanged")
        except (StoreOrderError, UserError, ValidationError) as exc:
            _logger.info("store %s order %s not imported: %s", store.code, external_id, exc)
            answer["error"] = f"orders[{index}]: {exc}"
        except RETRIED_BY_ODOO:
            raise  # a concurrent transaction won: Odoo retries the whole call
        except Exception as exc:
            _logger.exception("store %s order %s: import failed", store.code, external_id)
            answer["error"] = f"orders[{index}]: {exc.__class__.__name__}: {exc}"
        self.env.invalidate_all()
        return None

    @api.model
    @api.private
    def _channel_import_step(self, store, data, cache):
        """(order, result) for an order Odoo has, else a NewOrder to create with the others."""
        # read once by the look-ahead; read again if this order is imported a second time (one by one)
        data = cache.get("parsed", {}).pop(id(data), None) or self._channel_import_parse(data)
        existing = self._channel_existing(store, data, cache)
        if existing:
            return existing, existing._channel_import_change(store, data, cache)
        return NewOrder(data, *self._channel_import_prepare(store, data, cache))

    @api.model
    @api.private
    def _channel_import_create_all(self, store, orders, new, answers, cache):
        """Create the new orders of a call together — one create and one confirmation for all, about
        three times faster than one by one. Should that fail (a duplicate within the call, a concurrent
        insert, one broken order), its savepoint is rolled back and each order is imported on its own,
        in its own savepoint, where a failure touches that order only."""
        if len(new) > 1:
            try:
                with quiet_sql_errors(), self.env.cr.savepoint():
                    created = self.create([values for _index, _data, values, _codes, _reasons in new])
                    created._channel_import_finish_all(
                        [(data, codes, reasons) for _index, data, _values, codes, reasons in new]
                    )
            except RETRIED_BY_ODOO:
                raise
            except Exception as exc:
                _logger.info(
                    "store %s: %s new orders failed together (%s); one by one",
                    store.code,
                    len(new),
                    (str(exc).splitlines() or [type(exc).__name__])[0],
                )
                self.env.invalidate_all()
            else:
                for order, (index, *_rest) in zip(created, new, strict=True):
                    answers[index].update(id=order.id, result="created")
                return
        cache.pop("existing", None)  # one by one, each order looks for itself (a duplicate in the call)
        for index, *_rest in new:
            outcome = self._channel_guarded(
                store, index, orders[index], answers[index], self._channel_import_one, cache
            )
            if outcome:
                answers[index].update(id=outcome[0].id, result=outcome[1])

    @api.model
    @api.private
    def _channel_connector_store(self, code):
        """The channel.store the caller exchanges orders with, made on its first use. The caller is a
        store connector (or the superuser) allowed that store (channel.store's *Connector users*), and
        `code` is a store id as sync.toml has it; else AccessError or ValidationError, before anything."""
        user = self.env.user
        if not (self.env.su or user._channel_is_store_connector()):
            raise AccessError(
                self.env._(
                    "%s is not a store connector: only users of the group “Orders Inbox: store connector” "
                    "exchange orders with the web stores.",
                    user.name,
                )
            )
        if not isinstance(code, str) or not STORE_CODE.fullmatch(code):
            raise ValidationError(
                self.env._(
                    "store: %s is not a store id from sync.toml (1 to 64 letters, digits, '_', '.' or '-').",
                    repr(code)[:80],
                )
            )
        company = self.env.company
        if not self.env.su and not self.env["channel.store"]._channel_connector_may_use(code, company, user):
            raise AccessError(
                self.env._(
                    "%(user)s may not exchange the orders of the store %(store)s: the store does not name it "
                    "among its connector users.",
                    user=user.name,
                    store=code,
                )
            )
        return self._channel_store_record(code)

    @api.model
    @api.private
    def _channel_store_record(self, code):
        """The channel.store of this code, made on its first import. Two first calls at once: an advisory
        lock per (company, code) makes the second wait for the first's commit; its snapshot predates that
        commit, so a fresh cursor is asked, and finding the store there, the call is retried
        (ConcurrencyError), whose retry finds it. Never a failed INSERT: Odoo logs those as errors, and
        mute_logger cannot hide them from a threaded server (it swaps the logger's handlers globally)."""
        Store = self.env["channel.store"].sudo().with_context(active_test=False)
        company = self.env.company
        domain = [("code", "=", code), ("company_id", "=", company.id)]
        store = Store.search(domain, limit=1)
        if store:
            return store
        self.env.cr.execute(
            SQL("SELECT pg_advisory_xact_lock(%s)", _lock_key("channel.store", company.id, code))
        )
        with self.env.registry.cursor() as fresh:
            fresh.execute(Store._search(domain).select())
            if fresh.fetchone():
                raise ConcurrencyError(f"store {code} is being created by a concurrent call")
        return Store._channel_for_code(code, company)

    @api.model
    @api.private
    def _channel_import_duplicate(self, store, external_id, order_hash):
        """The id of the order a concurrent transaction has just committed for (store, external id).

        Our INSERT waited on the unique index until that transaction committed, so the row exists —
        but Odoo runs in REPEATABLE READ and our snapshot predates it: only a fresh cursor sees it.
        The same content answers the existing id; a different one retries the whole request (Odoo
        retries on ConcurrencyError), whose fresh snapshot then updates it in the ordinary way.
        """
        with self.env.registry.cursor() as cr:
            cr.execute(
                SQL(
                    "SELECT id, channel_import_hash FROM sale_order"
                    " WHERE channel_store = %s AND channel_external_id = %s",
                    store.code,
                    external_id,
                )
            )
            row = cr.fetchone()
        if not row or (order_hash and row[1] != order_hash):
            raise ConcurrencyError(f"store {store.code} order {external_id} is being imported concurrently")
        _logger.info(
            "store %s order %s: created concurrently by another call, answering id %s",
            store.code,
            external_id,
            row[0],
        )
        return row[0]

    # ------------------------------------------------------------------------------ one order

    @api.model
    @api.private
    def _channel_import_one(self, store, data, cache):
        """(order, result) for one normalised order: created, updated or unchanged."""
        outcome = self._channel_import_step(store, data, cache)
        if not isinstance(outcome, NewOrder):
            return outcome
        # A concurrent call inserting the same (store, external id) makes this INSERT fail: expected,
        # answered by channel_import_orders, so kept out of the error log.
        with quiet_sql_errors():
            order = self.create(outcome.values)
        order._channel_import_finish_all([(outcome.data, outcome.codes, outcome.reasons)])
        return order, "created"

    @api.model
    @api.private
    def _channel_existing(self, store, data, cache):
        """The order Odoo has for (store, external id): from the call's one search while it stands."""
        if "existing" in cache:
            return cache["existing"].get(data["external_id"], self.browse())
        return self.with_context(active_test=False).search(
            [("channel_store", "=", store.code), ("channel_external_id", "=", data["external_id"])], limit=1
        )

    @api.private
    def _channel_import_change(self, store, data, cache):
        """What a known order becomes: unchanged (same hash, or an older state arriving late) or updated."""
        self.ensure_one()
        if self.channel_import_hash == data["hash"]:
            return "unchanged"
        if (
            self.channel_store_modified
            and data["modified"]
            and data["modified"] < self.channel_store_modified
        ):
            return "unchanged"
        return self._channel_import_update(store, data, cache)

    @api.model
    @api.private
    def _channel_import_prepare(self, store, data, cache):
        """(order values, codes, reasons): customer and addresses found or made, lines, taxes."""
        codes, reasons = [], []
        values = self._channel_import_order_values(store, data, cache, codes, reasons)
        # The customer's own salesperson (if any), never the connector's user making the call.
        customer = self.env["res.partner"].browse(values["partner_id"])
        values["user_id"] = (customer.user_id or customer.commercial_partner_id.user_id).id or False
        values["order_line"] = [
            Command.create(line)
            for line in self._channel_import_line_values(data, self.env.company, cache, codes, reasons)
        ]
        return values, codes, reasons

    @api.private
    def _channel_import_finish_all(self, items):
        """Compare each total, confirm the orders together, date them as the store did, and set their
        review codes; items are (parsed order, codes, reasons) in the order of self."""
        for order, (data, codes, reasons) in zip(self, items, strict=True):
            order._channel_check_total(data["total"], codes, reasons)
            if data["payment_state"] == "pending":
                codes.append("payment_pending")
                reasons.append(self.env._("The store has not received the payment yet."))
        to_confirm = self.browse(
            order.id
            for order, (_data, codes, _reasons) in zip(self, items, strict=True)
            if order.state in ("draft", "sent") and "no_pricelist" not in codes
        )
        if to_confirm:
            to_confirm.action_confirm()  # procurement is held for inbox orders until Ship
        for order, (data, codes, reasons) in zip(self, items, strict=True):
            if data["created"]:
                order.date_order = data["created"]
            for note in data.get("notes", ()):  # e.g. why the customer is not the partner the e-mail named
                order._channel_note(note)
            if codes:
                order._channel_add_review_codes(codes)
                order.write({"inbox_state": "review", "review_reason": "\n".join(reasons)})
