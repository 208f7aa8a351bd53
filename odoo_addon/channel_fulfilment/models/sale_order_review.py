"""The review desk: what a person does with an order that waits. Each review code has one resolving
action (RESOLVED_BY), and the order form offers that one only, in the reseller's words:

- plan: fix what the reason names (the delivery address, right on the order; a distributor; stock), then
  *Plan* — a plan decides the planning codes again;
- approve: a rule's verdict on money (margin, value limit) — a manager's *Approve*, saying why; nothing
  else clears it, and the inbox cron never ships such an order;
- product: an unknown store SKU — choose the product on its line; the line keeps what the customer paid;
- accept: what the import found (taxes, the total, the payment, a change in the store) — a manager's
  *Accept import differences*;
- ship: a proposal or a plan a person only has to look at (a rule without a verdict on money, a live
  price, a distributor's refusal, a ship notice) — *Ship as planned* orders it at the cost shown;
- resend: a purchase order that could not be sent — *Send again*, or *Order elsewhere*.

*Ship* refuses, for everyone, an order whose goods cannot be delivered (no address, an unknown product,
nobody delivering there), whose total is not what the customer paid, or that waits for a manager: with
the reason and what resolves it. Failures reach a person: the order's salesperson, else the company's
*Inbox owner*, never the connector's or the cron's user.
"""

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Command

from .sale_order import AFTER_SHIP_CODES, APPROVAL_CODES, PLAN_CODES, RESOLVED_BY, VERDICT_CODES
from .sale_order_ship import ShipRefused
from .store_order_values import IMPORT_REVIEW_CODES

# Ship refuses these, whoever clicks: goods nobody can deliver, a product nobody knows, a total or a
# payment that is not what the store said, a verdict only a manager may lift.
SHIP_REFUSED_CODES = ("no_address", "unknown_sku", "undeliverable", *APPROVAL_CODES, *IMPORT_REVIEW_CODES)
# Sending states of a purchase order that will not reach its distributor without a person.
FAILED_SEND_STATES = ("failed", "rejected")


class SaleOrder(models.Model):
    _inherit = "sale.order"

    channel_next_step = fields.Char(
        string="To go on", compute="_compute_channel_review_desk", help="What resolves this review."
    )
    channel_offer_plan = fields.Boolean(compute="_compute_channel_review_desk")
    channel_offer_ship = fields.Boolean(compute="_compute_channel_review_desk")
    channel_offer_approve = fields.Boolean(compute="_compute_channel_review_desk")
    channel_offer_accept = fields.Boolean(compute="_compute_channel_review_desk")
    channel_offer_resend = fields.Boolean(compute="_compute_channel_review_desk")
    channel_offer_address = fields.Boolean(compute="_compute_channel_review_desk")
    # The delivery address, editable where the problem is shown: a change makes (or finds) a delivery
    # contact of the customer with that address, so no other order's address moves with it.
    channel_ship_street = fields.Char(
        string="Street", compute="_compute_channel_ship_address", inverse="_inverse_channel_ship_address"
    )
    channel_ship_street2 = fields.Char(
        string="Street 2", compute="_compute_channel_ship_address", inverse="_inverse_channel_ship_address"
    )
    channel_ship_city = fields.Char(
        string="City", compute="_compute_channel_ship_address", inverse="_inverse_channel_ship_address"
    )
    channel_ship_zip = fields.Char(
        string="Postcode", compute="_compute_channel_ship_address", inverse="_inverse_channel_ship_address"
    )
    channel_ship_country_id = fields.Many2one(
        "res.country",
        string="Country",
        compute="_compute_channel_ship_address",
        inverse="_inverse_channel_ship_address",
    )
    channel_store_total = fields.Monetary(
        string="Paid in the store",
        copy=False,
        readonly=True,
        help="The order's total as the store charged the customer: a store order whose total moves away "
        "from it (a price or quantity changed here) waits as total_mismatch until a manager accepts it.",
    )
    channel_accepted_total = fields.Monetary(
        string="Accepted total",
        copy=False,
        readonly=True,
        help="A total differing from the store's that a manager accepted (Accept import differences).",
    )

    # ------------------------------------------------------------------------------ what is offered

    @api.private
    def _channel_codes(self):
        return (self.review_codes or "").split()

    @api.private
    def _channel_review_actions(self):
        """The actions that resolve this order's review now (RESOLVED_BY), as the form offers them."""
        self.ensure_one()
        if not self.is_inbox or self.inbox_state != "review":
            return set()
        actions = set()
        for code in self._channel_codes():
            action = RESOLVED_BY.get(code, "ship")
            if code == "no_stock" and self.channel_to_order and not self._channel_unallocated_lines():
                action = "ship"  # a plan proposes another distributor for every unit
            elif code == "ship_failed" and not self._channel_unsent_purchases():
                action = "ship"  # ordered elsewhere: the proposal is on the lines
            actions.add(action)
        if not actions:  # sent to review by a person, or a failure that has no code
            actions = {"plan", "ship"}
        if actions - {"ship"}:
            actions.discard("ship")  # Ship as planned only when nothing else waits
        if not self.channel_to_order:
            actions.discard("plan")
        return actions

    @api.depends("review_codes", "inbox_state", "is_inbox", "channel_to_order")
    def _compute_channel_review_desk(self):
        words = self._channel_action_words()
        for order in self:
            actions = order._channel_review_actions() if order.id else set()
            order.channel_offer_plan = "plan" in actions
            order.channel_offer_ship = "ship" in actions
            order.channel_offer_approve = "approve" in actions
            order.channel_offer_accept = "accept" in actions
            order.channel_offer_resend = "resend" in actions
            order.channel_offer_address = "no_address" in order._channel_codes()
            order.channel_next_step = "; ".join(words[action] for action in sorted(actions)) or False

    @api.private
    def _channel_action_words(self):
        env = self.env
        return {
            "plan": env._("fix what the reason names, then Plan"),
            "approve": env._("a manager approves it, saying why (Approve)"),
            "product": env._(
                "choose the right product on the line of the unknown SKU (the line keeps the price the "
                "customer paid)"
            ),
            "accept": env._("a manager accepts what the import found (Accept import differences)"),
            "ship": env._("check the plan and its cost on the lines, then Ship as planned"),
            "resend": env._(
                "send the purchase order again (Send again), or order elsewhere (Order elsewhere)"
            ),
        }

    @api.private
    def _channel_codes_reason(self, codes=None):
        """What waits and what resolves it, for an order whose reason in words is gone."""
        self.ensure_one()
        codes = self._channel_codes() if codes is None else codes
        words = self._channel_action_words()
        steps = dict.fromkeys(words[RESOLVED_BY.get(code, "ship")] for code in codes)
        return self.env._(
            "%(order)s waits (%(codes)s): %(steps)s.",
            order=self.name,
            codes=", ".join(codes) or self.env._("no code"),
            steps="; ".join(steps) or words["plan"],
        )

    @api.private
    def _channel_not_offered(self, what):
        """An action this order does not offer was called anyway (an old tab, JSON-2): refuse it, saying
        what the order has (`what`, e.g. "no rule's verdict to approve") and what resolves it instead."""
        self.ensure_one()
        state = self._channel_codes_reason()
        message = self.env._("%(order)s has %(what)s. %(state)s", order=self.name, what=what, state=state)
        raise UserError(message)

    # ------------------------------------------------------------------------------ Ship refuses

    @api.private
    def _channel_ship_refusal(self):
        """(codes, words) for why this order may not ship as it stands, or None: codes it carries that
        Ship refuses, and what it lacks now (the address, the store's total) even without a code."""
        self.ensure_one()
        codes = [code for code in self._channel_codes() if code in SHIP_REFUSED_CODES]
        words = [self.review_reason] if codes and self.review_reason else []
        if self.channel_to_order:
            address_problem = self._channel_address_problem()
            if address_problem and "no_address" not in codes:
                codes.append("no_address")
                words.append(address_problem)
            difference = self._channel_store_total_difference()
            if difference and "total_mismatch" not in codes:
                codes.append("total_mismatch")
                words.append(difference)
        if "ship_failed" in self._channel_codes() and self._channel_unsent_purchases():
            codes.append("ship_failed")  # Ship would only resume it as Sending, its PO still unsent
            words = words or [self.review_reason or ""]
        if not codes:
            return None
        return codes, "\n".join(filter(None, words)) or self._channel_codes_reason(codes)

    @api.private
    def _channel_refuse_unshippable(self):
        """Raise ShipRefused (the reason and what resolves it) when Ship must not order this order."""
        self.ensure_one()
        refusal = self._channel_ship_refusal()
        if not refusal:
            return
        codes, reason = refusal
        words = self._channel_action_words()
        steps = "; ".join(dict.fromkeys(words[RESOLVED_BY[code]] for code in codes))
        raise ShipRefused(
            self.env._(
                "%(order)s cannot ship yet: %(reason)s\nTo go on: %(steps)s.",
                order=self.name,
                reason=reason,
                steps=steps,
            ),
            codes,
            reason,
        )

    # ------------------------------------------------------------------------------ the actions

    @api.private
    def _channel_check_manager(self, what):
        if self.env.su or self.env.user.has_group("channel_fulfilment.group_inbox_manager"):
            return
        raise AccessError(
            self.env._(
                "Only an Orders Inbox manager may %(what)s; %(user)s is not one.",
                what=what,
                user=self.env.user.name,
            )
        )

    def action_channel_approve(self, reason=None):
        """A manager lifts a rule's verdict on money (margin, value limit), saying why: the chatter
        records who and why. Without `reason` (the form's button) this opens the dialog that asks why.
        With no other code left the order is ready to ship as planned (or planned again)."""
        self._channel_check_manager(self.env._("approve an order a rule stopped"))
        for order in self:
            codes = [code for code in order._channel_codes() if code in APPROVAL_CODES]
            if not codes:
                order._channel_not_offered(self.env._("no rule's verdict to approve"))
        if reason is None:
            return {
                "type": "ir.actions.act_window",
                "name": self.env._("Approve"),
                "res_model": "channel.approve.wizard",
                "view_mode": "form",
                "target": "new",
                "context": {"default_order_ids": [Command.set(self.ids)]},
            }
        reason = (reason or "").strip()
        if not reason:
            raise UserError(self.env._("Say why you approve: the chatter keeps it."))
        for order in self:
            codes = [code for code in order._channel_codes() if code in APPROVAL_CODES]
            verdict = order.review_reason or ", ".join(codes)
            order._channel_drop_review_codes(APPROVAL_CODES)
            order.message_post(
                body=self.env._(
                    "Approved by %(user)s (%(codes)s: %(verdict)s). Why: %(why)s",
                    user=self.env.user.name,
                    codes=", ".join(codes),
                    verdict=verdict,
                    why=reason,
                ),
                subtype_xmlid="mail.mt_note",
            )
            if order.review_codes:
                continue  # something else still waits, with its own words
            if order.channel_to_order and order._channel_unallocated_lines():
                order._channel_plan()
            else:
                order.write({"inbox_state": "ready", "review_reason": False, "channel_plan_reason": False})
        return True

    @api.private
    def _channel_resume(self):
        """A person dealt with a review that came after Ship: the order goes back where its purchase
        orders and deliveries stand (or to Ready when something is left to order)."""
        done = [code for code in PLAN_CODES + VERDICT_CODES + AFTER_SHIP_CODES if code not in APPROVAL_CODES]
        for order in self:
            order._channel_drop_review_codes(done)
            order.write({"inbox_state": "ready", "review_reason": False, "channel_plan_reason": False})
            order._channel_update_progress()

    @api.private
    def _channel_unsent_purchases(self):
        self.ensure_one()
        return self.sudo().channel_purchase_ids.filtered(
            lambda po: po.state != "cancel" and po.channel_send_state in FAILED_SEND_STATES
        )

    def action_channel_send_again(self):
        """Send this order's purchase orders that could not be sent, now (the PO's own Send now)."""
        for order in self:
            unsent = order._channel_unsent_purchases().filtered(lambda po: po.channel_send_state == "failed")
            if not unsent:
                order._channel_not_offered(self.env._("no purchase order to send again"))
            unsent.with_env(self.env).action_channel_send()
        return True

    def action_channel_order_elsewhere(self):
        """A purchase order could not be sent (or the distributor refused it): cancel it, leave its
        distributor out for those lines and plan them again. The order waits in review with the
        proposal and its cost; Ship as planned orders it."""
        for order in self:
            unsent = order._channel_unsent_purchases()
            if not unsent:
                order._channel_not_offered(self.env._("no purchase order that failed"))
            for po in unsent:
                po.order_line.sale_line_id.channel_excluded_distributor_ids = [Command.link(po.partner_id.id)]
            order.allocation_ids.filtered(lambda a, pos=unsent: a.purchase_line_id.order_id in pos).unlink()
            unsent.sudo().write({"locked": False})
            unsent.sudo().button_cancel()
            note = self.env._(
                "%(pos)s cancelled by %(user)s (not sent to %(dists)s): planned again without them.",
                pos=", ".join(unsent.mapped("name")),
                user=self.env.user.name,
                dists=", ".join(unsent.partner_id.mapped("name")),
            )
            order.message_post(body=note, subtype_xmlid="mail.mt_note")
            order.with_context(channel_replan=True).write({"inbox_state": "review"})
            order._channel_plan()
            lines = [note]
            if order.inbox_state == "review" and order.review_reason:
                lines.append(order.review_reason)
            proposal = order._channel_proposal_text()
            if proposal and not order._channel_unallocated_lines():
                lines.append(proposal)
            order._channel_review("\n".join(lines), ["ship_failed"])
        return True

    # ------------------------------------------------------------------------------ proposals

    @api.private
    def _channel_proposal_text(self):
        """The plan that stands for what is left to order, in words with its cost ("" when none)."""
        self.ensure_one()
        env = self.env
        items = [
            env._(
                "%(product)s: %(qty)s × %(cost)s from %(dist)s",
                product=line.product_id.display_name,
                qty=f"{allocation.product_qty:g}",
                cost=self.currency_id.format(allocation.unit_cost),
                dist=allocation.distributor_id.name,
            )
            for line in self._channel_product_lines()
            for allocation in line._channel_open_allocations()
        ]
        if not items:
            return ""
        return env._(
            "Proposed: %(items)s (planned cost of the order %(cost)s). Ship as planned orders it.",
            items="; ".join(items),
            cost=self.currency_id.format(self.plan_total_cost),
        )

    # ------------------------------------------------------------------------------ what the customer paid

    @api.private
    def _channel_store_total_difference(self):
        """Words for a store order whose total is no longer what the customer paid (and no manager
        accepted that total); "" when it is."""
        self.ensure_one()
        currency = self.currency_id
        if self.channel_source != "store" or not self.channel_store_total:
            return ""
        if not currency.compare_amounts(self.amount_total, self.channel_store_total):
            return ""
        if self.channel_accepted_total and not currency.compare_amounts(
            self.amount_total, self.channel_accepted_total
        ):
            return ""
        return self.env._(
            "The customer paid %(store)s in the store; the order now comes to %(odoo)s (%(diff)s): a price "
            "or a quantity changed here.",
            store=currency.format(self.channel_store_total),
            odoo=currency.format(self.amount_total),
            diff=("+" if self.amount_total > self.channel_store_total else "−")
            + currency.format(abs(self.amount_total - self.channel_store_total)),
        )

    @api.private
    def _channel_products_chosen(self, replaced):
        """A person chose products for lines of unknown store SKUs ({line: the SKU it had}): say so,
        and once no unknown line is left the code goes with its words. The lines kept the customer's
        price; a total that moved anyway waits as total_mismatch."""
        unknown = self.env.ref("channel_fulfilment.product_channel_store_unknown")
        env = self.env
        for order in self:
            mine = {line: sku for line, sku in replaced.items() if line.order_id == order}
            items = [
                env._(
                    "%(sku)s is %(product)s, at %(price)s a unit as the customer paid (its list price is "
                    "%(list)s)",
                    sku=sku or env._("the unknown SKU"),
                    product=line.product_id.display_name,
                    price=order.currency_id.format(line.price_unit),
                    list=order.currency_id.format(line.product_id.lst_price),
                )
                for line, sku in mine.items()
            ]
            order._channel_note(env._("Product chosen by %s:", env.user.name), items)
            if order.order_line.filtered(lambda line: line.product_id == unknown):
                continue  # other unknown SKUs still wait
            # The unknown SKUs' words go, and a plan's (made while a line was unknown): the order is
            # planned again.
            skus = [sku for sku in mine.values() if sku]
            earlier_plan = set((order.channel_plan_reason or "").splitlines())
            kept = [
                line
                for line in (order.review_reason or "").splitlines()
                if line not in earlier_plan and not any(f"SKU {sku} " in line for sku in skus)
            ]
            order._channel_drop_review_codes(["unknown_sku", *PLAN_CODES])
            order.channel_plan_reason = False
            difference = order._channel_store_total_difference()
            if difference:
                order._channel_add_review_codes(["total_mismatch"])
                kept.append(difference)
            if order.review_codes:
                order.review_reason = "\n".join(kept) or order._channel_codes_reason()
            elif order.inbox_state == "review":
                # Nothing else waits: planned and judged by the rules again, as a new order.
                order.write({"inbox_state": "new", "review_reason": False, "channel_plan_reason": False})

    # ------------------------------------------------------------------------------ the address

    @api.depends(
        "partner_shipping_id.street",
        "partner_shipping_id.street2",
        "partner_shipping_id.city",
        "partner_shipping_id.zip",
        "partner_shipping_id.country_id",
    )
    def _compute_channel_ship_address(self):
        for order in self:
            address = order.partner_shipping_id
            order.channel_ship_street = address.street
            order.channel_ship_street2 = address.street2
            order.channel_ship_city = address.city
            order.channel_ship_zip = address.zip
            order.channel_ship_country_id = address.country_id

    def _inverse_channel_ship_address(self):
        """The address typed on the order: the customer's delivery contact with exactly that address,
        found or made (sudo: inbox users may not edit contacts; they only choose where this order goes)."""
        for order in self:
            typed = {
                "street": order.channel_ship_street or False,
                "street2": order.channel_ship_street2 or False,
                "city": order.channel_ship_city or False,
                "zip": order.channel_ship_zip or False,
                "country_id": order.channel_ship_country_id.id or False,
            }
            current = order.partner_shipping_id
            if all(
                (current[key].id if key == "country_id" else current[key]) == value
                for key, value in typed.items()
            ):
                continue
            customer = order.partner_id.commercial_partner_id.sudo()
            name = current.name if current and current != customer else customer.name
            found = customer.child_ids.filtered(
                lambda child, typed=typed, name=name: (
                    child.type == "delivery"
                    and child.name == name
                    and all(
                        (child[key].id if key == "country_id" else child[key]) == value
                        for key, value in typed.items()
                    )
                )
            )[:1]
            address = found or customer.env["res.partner"].create(
                {**typed, "parent_id": customer.id, "type": "delivery", "name": name}
            )
            order.partner_shipping_id = address.id
            order.message_post(
                body=self.env._(
                    "Delivery address set by %(user)s: %(address)s.",
                    user=self.env.user.name,
                    address=", ".join(
                        filter(
                            None,
                            [
                                typed["street"],
                                typed["street2"],
                                typed["city"],
                                typed["zip"],
                                address.country_id.name,
                            ],
                        )
                    ),
                ),
                subtype_xmlid="mail.mt_note",
            )

    # ------------------------------------------------------------------------------ who hears of it

    @api.private
    def _channel_responsible_user(self):
        """The person a failure on this order is for: its salesperson, else the company's Inbox owner,
        else the company's first Orders Inbox manager — never the connector's or the cron's user."""
        self.ensure_one()
        for user in (self.user_id, self.company_id.channel_inbox_owner_id):
            if user._channel_is_person():
                return user
        managers = self.env.ref("channel_fulfilment.group_inbox_manager").sudo().user_ids
        return managers.filtered(
            lambda user: user._channel_is_person() and self.company_id in user.company_ids
        ).sorted("id")[:1]
