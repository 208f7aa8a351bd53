"""Distributor bills checked against their purchase orders: what was ordered (at the planned or edited
cost), what the distributor has shipped, and what is billed already. Within the company's tolerance a
distributor's own document posts by itself; otherwise the bill waits in *Bills to check* with every
difference in words, for a person to accept or dispute.

The lines are linked to the purchase order lines through purchase's own `purchase_line_id`, so
purchase's billed quantities, the PO's billing status and Odoo's reports all see them.
"""

from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError

REVIEW_STATES = [
    ("ok", "Matches the order"),
    ("review", "To check"),
    ("accepted", "Difference accepted"),
    ("disputed", "Disputed"),
]
PURPOSES = [
    ("standard", "Invoice"),
    ("creditMemo", "Credit memo"),
    ("lineLevelCreditMemo", "Line-level credit memo"),
]
CHARGE_WORDS = {"freight": "freight", "small_order": "small order charge"}


class AccountMove(models.Model):
    _inherit = "account.move"

    channel_review_state = fields.Selection(
        REVIEW_STATES,
        string="Bill check",
        copy=False,
        index="btree_not_null",
        tracking=True,
        help="How this distributor bill compares with its purchase orders: matching (posted by itself "
        "when the distributor sent it), to check, a difference a person accepted, or disputed with the "
        "distributor.",
    )
    channel_review_reason = fields.Text(
        string="Differences", copy=False, readonly=True, help="Each difference from the purchase order."
    )
    channel_purpose = fields.Selection(PURPOSES, string="Distributor document", copy=False, readonly=True)
    channel_origin = fields.Selection(
        [("cxml", "cXML"), ("edi", "E-invoice")], string="Received as", copy=False, readonly=True
    )
    channel_import_notes = fields.Text(
        string="Import notes",
        copy=False,
        readonly=True,
        help="What did not fit while the distributor's document was read: unknown lines, part numbers "
        "that disagree, a summary that does not add up.",
    )
    channel_document_tax = fields.Monetary(string="Tax on the document", copy=False, readonly=True)
    channel_document_has_tax = fields.Boolean(copy=False, readonly=True)
    channel_credited_ref = fields.Char(
        string="Credits invoice", copy=False, readonly=True, help="The invoiceID a credit memo reverses."
    )
    channel_is_distributor_bill = fields.Boolean(compute="_compute_channel_is_distributor_bill")
    channel_amount_untaxed_billed = fields.Monetary(
        string="Untaxed",
        compute="_compute_channel_amount_untaxed_billed",
        store=True,
        currency_field="currency_id",
        help="What a distributor bills, untaxed, in the bill's currency, as an accountant reads it: a "
        "bill positive, a credit note negative (Odoo's signed amounts count a bill as money going out).",
    )

    @api.depends("amount_untaxed_in_currency_signed", "move_type")
    def _compute_channel_amount_untaxed_billed(self):
        for move in self:
            billed = move.move_type in ("in_invoice", "in_refund", "in_receipt")
            move.channel_amount_untaxed_billed = -move.amount_untaxed_in_currency_signed if billed else 0.0

    @api.depends("partner_id.is_distributor", "move_type")
    def _compute_channel_is_distributor_bill(self):
        for move in self:
            move.channel_is_distributor_bill = bool(
                move.move_type in ("in_invoice", "in_refund") and move.commercial_partner_id.is_distributor
            )

    # ------------------------------------------------------------------------------ matched on save

    @api.model_create_multi
    def create(self, vals_list):
        moves = super().create(vals_list)
        if not self.env.context.get("channel_matching"):
            moves._channel_match_typed()
        return moves

    def write(self, vals):
        res = super().write(vals)
        if not self.env.context.get("channel_matching") and {
            "invoice_line_ids",
            "line_ids",
            "partner_id",
        } & set(vals):
            self._channel_match_typed()
        return res

    @api.private
    def _channel_match_typed(self):
        """A bill a person types (or Odoo's PO → bill makes) is matched on save, never posted by it."""
        bills = self.filtered(
            lambda m: m.state == "draft" and m.channel_is_distributor_bill and m.invoice_line_ids
        )
        if bills:
            bills._channel_match()

    # ------------------------------------------------------------------------------ posting

    def _post(self, soft=True):
        if not self.env.context.get("channel_matched"):
            bills = self.filtered(
                lambda m: m.channel_is_distributor_bill and m.channel_review_state not in ("accepted",)
            )
            bills._channel_match()
            refused = bills.filtered(lambda m: m.channel_review_state in ("review", "disputed"))
            if refused:
                raise UserError(
                    "\n\n".join(
                        self.env._(
                            "%(bill)s differs from its purchase order; accept the difference or dispute "
                            "it:\n%(reason)s",
                            bill=bill.ref or bill.display_name,
                            reason=bill.channel_review_reason,
                        )
                        for bill in refused
                    )
                )
        return super()._post(soft)

    def _autopost_bill(self):
        # A distributor's e-invoice is posted by our matcher only, never by Odoo's auto-validation.
        if self.channel_is_distributor_bill:
            return
        return super()._autopost_bill()

    def action_channel_accept_difference(self):
        """A person agrees with what the distributor billed: post it as billed. The purchase order lines
        it bills count as fully billed from now on (the difference closed them)."""
        for bill in self.filtered(lambda m: m.state == "draft" and m.channel_is_distributor_bill):
            reason = bill.channel_review_reason
            bill.with_context(channel_matching=True).channel_review_state = "accepted"
            bill.invoice_line_ids.purchase_line_id.channel_bill_closed = True
            bill.with_context(channel_matched=True).action_post()
            if reason:
                bill.message_post(body=self.env._("Difference accepted:\n%s", reason))
        return True

    def action_channel_dispute(self):
        """The difference goes back to the distributor: its account manager gets a note with the purchase
        order PDF; the bill stays draft until a credit memo or a corrected invoice arrives."""
        for bill in self.filtered(lambda m: m.state == "draft" and m.channel_is_distributor_bill):
            for po in bill.invoice_line_ids.purchase_line_id.order_id:
                po._channel_dispute_bill(bill)
            bill.with_context(channel_matching=True).channel_review_state = "disputed"
            bill.message_post(
                body=self.env._(
                    "Disputed with %s:\n%s", bill.partner_id.name, bill.channel_review_reason or ""
                )
            )
        return True

    # ------------------------------------------------------------------------------ the three-way check

    @api.private
    def _channel_tolerance_ok(self, difference, expected):
        """Within the company's amount and within its per cent of the expected value (both)."""
        self.ensure_one()
        company = self.company_id
        currency = self.currency_id
        limit = min(
            company.currency_id._convert(
                company.channel_bill_tolerance_amount, currency, company, self.invoice_date or self.date
            ),
            abs(expected) * company.channel_bill_tolerance_percent / 100.0,
        )
        return currency.compare_amounts(abs(difference), limit) <= 0

    @api.private
    def _channel_match(self):
        """Compare each bill with its purchase orders; writes channel_review_state and the reasons."""
        for bill in self:
            if bill.state != "draft" and bill.channel_review_state:
                continue
            reasons = []
            if bill.channel_import_notes:
                reasons.extend(bill.channel_import_notes.splitlines())
            if bill.move_type == "in_invoice":
                reasons.extend(bill._channel_invoice_differences())
            elif bill.channel_purpose == "creditMemo":
                reasons.extend(bill._channel_reversal_differences())
            else:
                reasons.extend(bill._channel_credit_differences())
            if bill.channel_document_has_tax and not bill._channel_tolerance_ok(
                bill.channel_document_tax - bill.amount_tax, bill.amount_tax
            ):
                reasons.append(
                    self.env._(
                        "tax %(doc)s on the invoice, %(ours)s computed",
                        doc=bill._channel_money(bill.channel_document_tax),
                        ours=bill._channel_money(bill.amount_tax),
                    )
                )
            state = "review" if reasons else "ok"
            if bill.channel_review_state in ("accepted", "disputed") and reasons:
                state = bill.channel_review_state
            bill.with_context(channel_matching=True).write(
                {"channel_review_state": state, "channel_review_reason": "\n".join(reasons) or False}
            )

    @api.private
    def _channel_money(self, amount):
        return self.currency_id.format(amount)

    @api.private
    def _channel_po_price(self, po_line, quantity):
        """What `quantity` of `po_line` costs at the PO's price, in this bill's currency, untaxed."""
        price = po_line.price_unit * (1 - (po_line.discount or 0.0) / 100.0)
        return po_line.currency_id._convert(
            price * quantity, self.currency_id, self.company_id, self.invoice_date or self.date, round=False
        )

    @api.private
    def _channel_billed_elsewhere(self, po_line):
        """(quantity, untaxed amount) of `po_line` on other posted bills, net of posted refunds."""
        quantity = amount = 0.0
        for line in po_line.invoice_lines:
            move = line.move_id
            if move == self or move.state != "posted":
                continue
            sign = 1 if move.move_type == "in_invoice" else -1
            quantity += sign * line.product_uom_id._compute_quantity(line.quantity, po_line.product_uom_id)
            amount += sign * line.price_subtotal
        return quantity, amount

    @api.private
    def _channel_invoice_differences(self):
        self.ensure_one()
        env = self.env
        reasons = []
        goods = self.invoice_line_ids.filtered(lambda line: line.display_type == "product")
        by_po_line = defaultdict(lambda: env["account.move.line"])
        for line in goods:
            if line.purchase_line_id:
                by_po_line[line.purchase_line_id] |= line
            elif not line.channel_charge_type:
                reasons.append(
                    env._(
                        "%(line)s (%(amount)s) is on no purchase order line",
                        line=line.name or line.product_id.display_name,
                        amount=self._channel_money(line.price_subtotal),
                    )
                )
        expected_total = billed_total = 0.0
        charges_billed = defaultdict(float)
        charge_po_lines = env["purchase.order.line"]
        purchases = self.invoice_line_ids.purchase_line_id.order_id
        for po_line, lines in by_po_line.items():
            if po_line.channel_charge_type:
                charges_billed[po_line.channel_charge_type] += sum(lines.mapped("price_subtotal"))
                charge_po_lines |= po_line
                continue
            quantity = sum(
                line.product_uom_id._compute_quantity(line.quantity, po_line.product_uom_id) for line in lines
            )
            billed = sum(lines.mapped("price_subtotal"))
            expected = self._channel_po_price(po_line, quantity)
            expected_total += expected
            billed_total += billed
            code = po_line._channel_part_number()
            if not self._channel_tolerance_ok(billed - expected, expected):
                unit = billed / quantity if quantity else 0.0
                note = ""
                if po_line.sale_line_id.cost_edited:
                    note = (
                        env._(" (cost edited on the PO — the account manager's copy went out with it)")
                        if po_line.order_id.channel_manager_notified
                        else env._(" (cost edited on the PO — no account manager was sent it)")
                    )
                reasons.append(
                    env._(
                        "[%(code)s] billed %(qty)s × %(billed)s, ordered at %(ordered)s%(note)s: %(diff)s",
                        code=code,
                        qty=_qty(quantity),
                        billed=self._channel_money(unit),
                        ordered=self._channel_money(self._channel_po_price(po_line, 1.0)),
                        note=note,
                        diff=_signed(self, billed - expected),
                    )
                )
            done_before, _amount = self._channel_billed_elsewhere(po_line)
            delivered = po_line.qty_received
            if po_line.product_uom_id.compare(quantity, delivered - done_before) > 0:
                reasons.append(
                    env._(
                        "[%(code)s] billed %(qty)s, delivered %(delivered)s, already billed %(before)s: "
                        "%(over)s not shipped yet",
                        code=code,
                        qty=_qty(quantity),
                        delivered=_qty(delivered),
                        before=_qty(done_before),
                        over=_qty(quantity - (delivered - done_before)),
                    )
                )
        # Charges billed without a PO line of their type (freight the plan did not expect).
        for line in goods.filtered(lambda g: not g.purchase_line_id and g.channel_charge_type):
            charges_billed[line.channel_charge_type] += line.price_subtotal
        all_billed = all(
            po_line.product_uom_id.compare(
                self._channel_billed_elsewhere(po_line)[0] + sum(by_po_line[po_line].mapped("quantity")),
                po_line.product_qty,
            )
            >= 0
            for po_line in purchases.order_line.filtered(
                lambda pol: not pol.display_type and not pol.channel_charge_type and pol.product_qty
            )
        )
        for charge_type, words in CHARGE_WORDS.items():
            po_charges = purchases.order_line.filtered(
                lambda pol, t=charge_type: pol.channel_charge_type == t
            )
            billed = charges_billed.get(charge_type, 0.0)
            if not billed and not (all_billed and po_charges):
                continue  # a later invoice may bill the freight; the last one must
            expected = sum(self._channel_po_price(pol, pol.product_qty) for pol in po_charges) - sum(
                self._channel_billed_elsewhere(pol)[1] for pol in po_charges
            )
            expected_total += expected
            billed_total += billed
            if not self._channel_tolerance_ok(billed - expected, expected):
                reasons.append(
                    env._(
                        "%(what)s %(billed)s billed, %(planned)s planned",
                        what=env._(words),
                        billed=self._channel_money(billed),
                        planned=self._channel_money(expected),
                    )
                )
        if not reasons and not self._channel_tolerance_ok(billed_total - expected_total, expected_total):
            reasons.append(
                env._(
                    "total %(billed)s billed, %(expected)s expected: %(diff)s",
                    billed=self._channel_money(billed_total),
                    expected=self._channel_money(expected_total),
                    diff=_signed(self, billed_total - expected_total),
                )
            )
        return reasons

    @api.private
    def _channel_credit_differences(self):
        """A line-level credit memo posts when it credits at most what was billed, at the billed price."""
        self.ensure_one()
        env = self.env
        reasons = []
        for line in self.invoice_line_ids.filtered(lambda g: g.display_type == "product"):
            po_line = line.purchase_line_id
            if not po_line:
                reasons.append(
                    env._("%s is on no purchase order line", line.name or line.product_id.display_name)
                )
                continue
            code = po_line._channel_part_number()
            quantity, amount = self._channel_billed_elsewhere(po_line)
            if po_line.product_uom_id.compare(line.quantity, quantity) > 0:
                reasons.append(
                    env._(
                        "[%(code)s] credited %(qty)s, only %(billed)s billed",
                        code=code,
                        qty=_qty(line.quantity),
                        billed=_qty(quantity),
                    )
                )
            elif quantity:
                billed_price = amount / quantity
                difference = line.price_subtotal - billed_price * line.quantity
                if difference > 0 and not self._channel_tolerance_ok(
                    difference, billed_price * line.quantity
                ):
                    reasons.append(
                        env._(
                            "[%(code)s] credited at %(credited)s, billed at %(billed)s",
                            code=code,
                            credited=self._channel_money(line.price_unit),
                            billed=self._channel_money(billed_price),
                        )
                    )
        return reasons

    @api.private
    def _channel_reversal_differences(self):
        """A header-level credit memo posts only when it exactly reverses the invoice it names."""
        self.ensure_one()
        env = self.env
        original = self._channel_credited_bill()
        if not original:
            return [
                env._(
                    "credit memo for invoice %s, which is not a posted bill of %s",
                    self.channel_credited_ref or "(none named)",
                    self.partner_id.name,
                )
            ]

        def shape(move):
            return sorted(
                (
                    line.purchase_line_id.id,
                    line.product_id.id,
                    line.quantity,
                    move.currency_id.round(line.price_subtotal),
                )
                for line in move.invoice_line_ids
                if line.display_type == "product"
            )

        if shape(original) != shape(self) or self.currency_id.compare_amounts(
            original.amount_total, self.amount_total
        ):
            return [
                env._(
                    "credit memo of %(credit)s does not exactly reverse invoice %(ref)s (%(total)s)",
                    credit=self._channel_money(self.amount_total),
                    ref=original.ref,
                    total=self._channel_money(original.amount_total),
                )
            ]
        if not self.reversed_entry_id:
            self.with_context(channel_matching=True).reversed_entry_id = original
        return []

    @api.private
    def _channel_credited_bill(self):
        self.ensure_one()
        if not self.channel_credited_ref:
            return self.browse()
        return self.search(
            [
                ("move_type", "=", "in_invoice"),
                ("commercial_partner_id", "=", self.commercial_partner_id.id),
                ("ref", "=", self.channel_credited_ref),
                ("state", "=", "posted"),
                ("company_id", "=", self.company_id.id),
            ],
            limit=1,
        )

    @api.private
    def _channel_rematch_after_delivery(self):
        """Deliveries changed: a draft bill in review may match now; the distributor's own one then
        posts (a typed bill waits for its person)."""
        bills = self.filtered(lambda m: m.state == "draft" and m.channel_review_state == "review")
        bills._channel_match()
        for bill in bills.filtered(lambda m: m.channel_review_state == "ok" and m.channel_origin == "cxml"):
            bill.with_context(channel_matched=True).action_post()


def _qty(quantity):
    return f"{quantity:g}"


def _signed(move, amount):
    text = move.currency_id.format(abs(amount))
    return f"+{text}" if amount > 0 else f"−{text}"
