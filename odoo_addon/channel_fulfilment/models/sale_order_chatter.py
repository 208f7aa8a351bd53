"""The order's story in its chatter, so a reseller reads what happened and why without opening anything
else: on Plan, one note with each line's distributor, quantity, unit cost, the engine's reason and the
runner-up (the next-best distributor for those units and what the whole order would have cost with it,
planned by the engine); then one note at each later step — Ship (the purchase orders made), each purchase
order reaching its distributor and confirmed (purchase_order_chatter.py), each delivery dispatched with
its tracking (stock_picking.py), and the customer invoice. Notes, not messages: the customer, a follower
of the order, is not e-mailed.
"""

import logging

from markupsafe import Markup
from odoo import api, models

from fulfilment_engine.errors import FulfilError
from fulfilment_engine.planner.alternatives import runner_ups

_logger = logging.getLogger(__name__)


class SaleOrder(models.Model):
    _inherit = "sale.order"

    @api.private
    def _channel_note(self, text, items=()):
        """Post `text` (and a bullet list of `items`) as an internal note on each order."""
        body = Markup("<p>%s</p>") % text
        if items:
            body += Markup("<ul>%s</ul>") % Markup("").join(Markup("<li>%s</li>") % item for item in items)
        for order in self:
            order.message_post(body=body, subtype_xmlid="mail.mt_note")

    @api.private
    def _channel_money(self, amount):
        return self.currency_id.format(float(amount))

    @api.private
    def _channel_post_plan(self, scenario, plan, partners):
        """The plan in words: per allocation, what was chosen, why, and the runner-up."""
        self.ensure_one()
        env = self.env
        if not plan.allocations:
            if plan.notes:
                self._channel_note(env._("Planning notes: %s", "; ".join(plan.notes)))
            return
        try:
            alternatives = runner_ups(scenario, plan)
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
                    total=self._channel_money(other.total),
                )
            else:
                runner_up = env._(
                    "%(dist)s, the order would cost %(total)s (%(extra)s more)",
                    dist=names(other.distributors),
                    total=self._channel_money(other.total),
                    extra=self._channel_money(other.extra),
                )
            items.append(
                env._(
                    "%(product)s: %(qty)s × %(cost)s from %(dist)s, %(reason)s. Runner-up: %(runner_up)s.",
                    product=product.display_name if product else allocation.sku,
                    qty=allocation.qty,
                    cost=self._channel_money(allocation.unit_cost),
                    dist=names([allocation.distributor]),
                    reason=allocation.reason or env._("chosen by the planner"),
                    runner_up=runner_up,
                )
            )
        text = env._(
            "Planned: goods %(goods)s + freight %(freight)s + charges %(charges)s = %(total)s.",
            goods=self._channel_money(plan.goods_total),
            freight=self._channel_money(plan.freight_total),
            charges=self._channel_money(plan.charges_total),
            total=self._channel_money(plan.total),
        )
        if plan.notes:
            text += " " + env._("Notes: %s.", "; ".join(plan.notes))
        self._channel_note(text, items)

    @api.private
    def _channel_post_ship(self, purchases):
        """Ship: the purchase orders it made for this order, queued for sending."""
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
        self._channel_note(env._("Shipped: purchase orders created, being sent to the distributors."), items)

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
