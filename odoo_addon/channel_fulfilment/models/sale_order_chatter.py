"""The order's story in its chatter, so a reseller reads what happened and why without opening anything
else: on Plan, one note with each line's distributor, quantity, unit cost, the engine's reason and the
runner-up (the next-best distributor for those units and what the whole order would have cost with it,
planned by the engine); then one note at each later step — Ship (the purchase orders made), each purchase
order reaching its distributor and confirmed (purchase_order_chatter.py), each delivery dispatched with
its tracking (stock_picking.py), and the customer invoice. Notes, not messages: the customer, a follower
of the order, is not e-mailed.
"""

import logging

from markupsafe import Markup, escape
from odoo import api, models
from odoo.tools import SQL

from fulfilment_engine.errors import FulfilError
from fulfilment_engine.planner.alternatives import runner_ups

_logger = logging.getLogger(__name__)


class SaleOrder(models.Model):
    _inherit = "sale.order"

    @api.private
    def _channel_note(self, text, items=(), later=None):
        """Post `text` (and a bullet list of `items`) as an internal note on each order; with `later` (a
        list), the notes wait there for one _channel_post_notes of the whole batch."""
        body = Markup("<p>%s</p>") % text
        if items:
            body += Markup("<ul>%s</ul>") % Markup("").join(Markup("<li>%s</li>") % item for item in items)
        notes = [(order, body) for order in self]
        if later is not None:
            later.extend(notes)
        else:
            self._channel_post_notes(notes)

    @api.model
    @api.private
    def _channel_post_notes(self, notes):
        """Post [(order, body)] as internal notes, each as message_post(body, subtype mail.mt_note) posts it,
        in the order given. A batch's notes are made together (_channel_post_notes_together): one
        message_post per order costs a Ship of 50 orders a hundred round trips to the database."""
        pending = list(notes)
        while pending:
            # One note per order at a time, so an order's notes keep their order (and their parents).
            seen, together, pending_next = set(), [], []
            for order, body in pending:
                (pending_next if order in seen else together).append((order, body))
                seen.add(order)
            pending = pending_next
            if len(together) == 1:
                [(order, body)] = together
                order.message_post(body=body, subtype_xmlid="mail.mt_note")
            else:
                self.browse([order.id for order, _body in together])._channel_post_notes_together(
                    [body for _order, body in together]
                )

    @api.private
    def _channel_post_notes_together(self, bodies):
        """One internal note on each of these orders (`bodies` in their order): the messages message_post
        would make, with the same author, parent, reply-to, company and alias domain, made in one create;
        followers are notified as message_post notifies them (a note reaches only those who follow this
        subtype, usually nobody)."""
        orders = self._fallback_lang()
        env = orders.env
        author_id, email_from = orders._message_compute_author()
        subtype_id = env["ir.model.data"]._xmlid_to_res_id("mail.mt_note")
        alias_domains = orders.sudo()._mail_get_alias_domains(default_company=env.company)
        companies = orders._mail_get_companies(default=env.company)
        reply_to = orders._notify_get_reply_to(default=email_from, author_id=author_id)
        parents = orders._channel_note_parents()
        values_list = []
        for order, body in zip(orders, bodies, strict=True):
            values = {
                "email_add_signature": True,
                "author_id": author_id,
                "author_guest_id": False,
                "email_from": email_from,
                "model": orders._name,
                "res_id": order.id,
                "body": escape(body),
                "message_type": "notification",
                "parent_id": parents.get(order.id, False),
                "subject": False,
                "subtype_id": subtype_id,
                "partner_ids": [],
                "incoming_email_to": False,
                "incoming_email_cc": False,
                "outgoing_email_to": False,
                "record_alias_domain_id": alias_domains[order.id].id,
                "record_company_id": companies[order.id].id,
                "reply_to": reply_to[order.id],
            }
            values.update(order._process_attachments_for_post(None, [], values))
            values_list.append(values)
        messages = orders._message_create(values_list)
        followers = env["mail.followers"]._get_recipient_data(orders, "notification", subtype_id, [])
        for order, message, values in zip(orders, messages, values_list, strict=True):
            order._message_post_after_hook(message, values)
            if followers.get(order.id):
                order._notify_thread(message, values)
        return messages

    @api.private
    def _channel_note_parents(self):
        """{order id: parent message id} as message_post finds it for each (a flat thread: among the
        thread's 200 latest messages, the latest comment or e-mail, else the latest message)."""
        if not self._mail_flat_thread:
            return {}
        self.env["mail.message"].flush_model(["model", "res_id", "message_type", "date", "create_date"])
        rows = self.env.execute_query(
            SQL(
                """
                SELECT DISTINCT ON (res_id) res_id, id
                  FROM (SELECT id, res_id, message_type, date, create_date,
                               row_number() OVER (PARTITION BY res_id ORDER BY date DESC, id DESC) AS recent
                          FROM mail_message
                         WHERE model = %s AND res_id IN %s AND message_type != 'user_notification') AS m
                 WHERE recent <= 200
                 ORDER BY res_id, message_type IN ('comment', 'email') DESC,
                          COALESCE(date, create_date) DESC, id DESC
                """,
                self._name,
                tuple(self.ids),
            )
        )
        return dict(rows)

    @api.private
    def _channel_money(self, amount, memo=None):
        """The amount in the order's currency, as currency.format writes it; `memo` (a dict) keeps the
        amounts written already, for the many notes of a batch that name the same costs."""
        if memo is None:
            return self.currency_id.format(float(amount))
        key = (self.env.lang, self.currency_id.id, float(amount))
        if key not in memo:
            memo[key] = self.currency_id.format(float(amount))
        return memo[key]

    @api.private
    def _channel_post_plan(self, scenario, plan, partners, *, planned_as_is=False, later=None, batch=None):
        """The plan in words: per allocation, what was chosen, why, and the runner-up. `planned_as_is`:
        `plan` is the planner's own plan of `scenario` (no live figures), so comparing needs no plan of
        it again; `later`: see _channel_note; `batch` (a PlanBatch): its amounts written already."""
        self.ensure_one()
        env = self.env
        memo = batch.money if batch is not None else {}  # (lang, currency id, amount) → in words

        def money(amount):
            return self._channel_money(amount, memo)

        if not plan.allocations:
            if plan.notes:
                self._channel_note(env._("Planning notes: %s", "; ".join(plan.notes)), later=later)
            return
        try:
            alternatives = runner_ups(scenario, plan, base=plan if planned_as_is else None)
        except FulfilError as exc:  # the plan stands; only its comparison could not be made
            _logger.info("plan note for %s: no runner-ups: %s", self.name, exc)
            alternatives = {}
        products = {p.default_code: p for p in self._channel_product_lines().product_id}

        def names(keys):
            return ", ".join(partners[key].name if key in partners else key for key in keys)

        items = []
        for allocation in plan.allocations:
            product = products.get(allocation.sku)
            other = alternatives.get((allocation.sku, allocation.distributor))
            if other is None:
                runner_up = env._("not compared")
            elif not other.distributors:
                runner_up = env._("none, no other distributor has it in stock")
            elif other.total is None:
                runner_up = env._("%s, but the order could not be filled as fully", names(other.distributors))
            elif not other.extra:
                runner_up = env._(
                    "%(dist)s at the same total, %(total)s",
                    dist=names(other.distributors),
                    total=money(other.total),
                )
            else:
                runner_up = env._(
                    "%(dist)s, the order would cost %(total)s (%(extra)s more)",
                    dist=names(other.distributors),
                    total=money(other.total),
                    extra=money(other.extra),
                )
            items.append(
                env._(
                    "%(product)s: %(qty)s × %(cost)s from %(dist)s, %(reason)s. Runner-up: %(runner_up)s.",
                    product=product.display_name if product else allocation.sku,
                    qty=allocation.qty,
                    cost=money(allocation.unit_cost),
                    dist=names([allocation.distributor]),
                    reason=allocation.reason or env._("chosen by the planner"),
                    runner_up=runner_up,
                )
            )
        text = env._(
            "Planned: goods %(goods)s + freight %(freight)s + charges %(charges)s = %(total)s.",
            goods=money(plan.goods_total),
            freight=money(plan.freight_total),
            charges=money(plan.charges_total),
            total=money(plan.total),
        )
        if plan.notes:
            text += " " + env._("Notes: %s.", "; ".join(plan.notes))
        self._channel_note(text, items, later=later)

    @api.private
    def _channel_post_ship(self, purchases, later=None):
        """Ship: the purchase orders it made for this order, queued for sending (`later`: see
        _channel_note)."""
        self.ensure_one()
        env = self.env
        items = [
            env._(
                "%(po)s to %(dist)s: %(total)s untaxed",
                po=po.name,
                dist=po.partner_id.name,
                total=po.currency_id.format(po.amount_untaxed),
            )
            for po in purchases.sorted("id")
        ]
        self._channel_note(
            env._("Shipped: purchase orders created, being sent to the distributors."), items, later=later
        )

    @api.private
    def _channel_post_purchase_step(self, po):
        """A purchase order of this order changed its sending state: say what that means."""
        self.ensure_one()
        env = self.env
        dist = po.partner_id.name
        texts = {
            "sent": env._("%(po)s reached %(dist)s (cXML OrderRequest accepted).", po=po.name, dist=dist),
            "emailed": env._("%(po)s was e-mailed to %(dist)s.", po=po.name, dist=dist),
            "accepted": env._("%(dist)s confirmed %(po)s.", po=po.name, dist=dist),
            "failed": env._(
                "%(po)s could not be sent to %(dist)s: %(error)s",
                po=po.name,
                dist=dist,
                error=po.channel_last_error or env._("see the purchase order"),
            ),
            "rejected": env._(
                "%(dist)s refused %(po)s: %(error)s",
                po=po.name,
                dist=dist,
                error=po.channel_last_error or env._("see the purchase order"),
            ),
        }
        if po.channel_send_state in texts:
            self._channel_note(texts[po.channel_send_state])

    @api.private
    def _channel_post_dispatch(self, picking):
        """A drop-ship delivery of this order is done: by whom, with which tracking."""
        self.ensure_one()
        env = self.env
        po = picking.purchase_id
        tracking = picking.carrier_tracking_ref
        carrier = picking.channel_carrier or picking.carrier_id.name
        self._channel_note(
            env._(
                "Dispatched by %(dist)s (%(po)s, %(picking)s): tracking %(tracking)s.",
                dist=(po.partner_id or picking.partner_id).name,
                po=po.name or "-",
                picking=picking.name,
                tracking=" ".join(filter(None, [tracking, f"({carrier})" if carrier and tracking else ""]))
                or env._("none given"),
            )
        )

    @api.private
    def _channel_post_invoices(self, invoices):
        """The customer invoices posted for this order."""
        self.ensure_one()
        for invoice in invoices.filtered(lambda move: self in move.line_ids.sale_line_ids.order_id):
            self._channel_note(
                self.env._(
                    "Invoiced: %(invoice)s, %(total)s.",
                    invoice=invoice.name,
                    total=invoice.currency_id.format(invoice.amount_total),
                )
            )
