"""The accountant's side of an inbox order: the store's online payment registered on the customer invoice
(on the store's clearing journal, as Odoo's own e-commerce does: account_move_store_payment.py), the
refund on the same journal, and the order's margins — planned, as ordered and as billed by the
distributors."""

from collections import defaultdict

from odoo import api, fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    channel_cost_planned = fields.Monetary(
        string="Costs planned",
        compute="_compute_channel_margins",
        store=True,
        help="Goods at the planned cost.",
    )
    channel_cost_ordered = fields.Monetary(
        string="Costs ordered",
        compute="_compute_channel_margins",
        store=True,
        help="Goods on the distributors' purchase orders (the planned or edited cost).",
    )
    channel_cost_billed = fields.Monetary(
        string="Costs billed",
        compute="_compute_channel_margins",
        store=True,
        help="Goods on the distributors' posted bills, less their posted credit notes.",
    )
    channel_charges_planned = fields.Monetary(
        string="Charges planned", compute="_compute_channel_margins", store=True
    )
    channel_charges_billed = fields.Monetary(
        string="Charges billed",
        compute="_compute_channel_margins",
        store=True,
        help="Freight and small-order charges on the distributors' posted bills.",
    )
    channel_margin_expected = fields.Monetary(
        string="Margin expected",
        compute="_compute_channel_margins",
        store=True,
        help="Sold (untaxed) less the planned costs and charges.",
    )
    channel_margin_actual = fields.Monetary(
        string="Margin actual",
        compute="_compute_channel_margins",
        store=True,
        help="Sold (untaxed) less what the distributors billed, goods and charges.",
    )
    channel_margin_actual_percent = fields.Float(
        string="Margin actual (%)",
        compute="_compute_channel_margins",
        store=True,
        digits=(16, 2),
        aggregator="avg",
    )
    channel_billed = fields.Boolean(
        string="Billed by distributors",
        compute="_compute_channel_margins",
        store=True,
        help="A distributor bill is posted for this order: the actual margin means something.",
    )
    channel_distributor_ids = fields.Many2many(
        "res.partner",
        string="Distributors",
        compute="_compute_channel_margins",
        store=True,
        relation="sale_order_channel_distributor_rel",
    )

    @api.depends(
        "amount_untaxed",
        "allocation_ids.subtotal_cost",
        "plan_freight",
        "plan_charges",
        "channel_purchase_ids.state",
        "channel_purchase_ids.order_line.price_subtotal",
        "channel_purchase_ids.order_line.invoice_lines.balance",
        "channel_purchase_ids.order_line.invoice_lines.parent_state",
        "channel_purchase_ids.invoice_ids.invoice_line_ids.channel_charge_type",
    )
    def _compute_channel_margins(self):
        # The distributors as stored, read for all these orders at once: setting them compares with them
        # (one query per order otherwise); orders with the same distributors are set together below.
        self.fetch(["channel_distributor_ids"])
        by_distributors = defaultdict(list)  # partner ids → orders
        for order in self:
            purchases = order.channel_purchase_ids.filtered(lambda po: po.state != "cancel")
            date = order.date_order or fields.Date.context_today(order)

            def to_order(amount, currency, order=order, date=date):
                return currency._convert(amount, order.currency_id, order.company_id, date, round=False)

            ordered = 0.0
            for line in purchases.order_line.filtered(lambda pol: not pol.channel_charge_type):
                ordered += to_order(line.price_subtotal, line.currency_id)
            goods_billed = charges_billed = 0.0
            bills = purchases.invoice_ids.filtered(lambda m: m.state == "posted")
            company_currency = order.company_id.currency_id
            for bill in bills:
                for line in bill.invoice_line_ids.filtered(lambda aml: aml.display_type == "product"):
                    # balance is in the company currency, signed: a refund takes off what it credits
                    amount = to_order(line.balance, company_currency)
                    if line.channel_charge_type or line.purchase_line_id.channel_charge_type:
                        charges_billed += amount
                    elif line.purchase_line_id.order_id in purchases:
                        goods_billed += amount
            planned = sum(order.allocation_ids.mapped("subtotal_cost"))
            charges_planned = order.plan_freight + order.plan_charges
            sold = order.amount_untaxed
            actual = sold - goods_billed - charges_billed
            order.update(
                {
                    "channel_cost_planned": planned,
                    "channel_cost_ordered": ordered,
                    "channel_cost_billed": goods_billed,
                    "channel_charges_planned": charges_planned,
                    "channel_charges_billed": charges_billed,
                    "channel_margin_expected": sold - planned - charges_planned,
                    "channel_margin_actual": actual if bills else 0.0,
                    "channel_margin_actual_percent": actual / sold * 100 if bills and sold else 0.0,
                    "channel_billed": bool(bills),
                }
            )
            by_distributors[tuple(sorted(purchases.partner_id.ids))].append(order)
        for partner_ids, orders in by_distributors.items():
            self.concat(*orders).channel_distributor_ids = self.env["res.partner"].browse(partner_ids)

    # ------------------------------------------------------------------------------ store payments

    @api.private
    def _channel_order_store(self):
        """This order's channel.store. Not `_channel_store_record(code)`: that is the connectors' lookup by
        store id (sale_order_import.py), which a same-named method here would override."""
        self.ensure_one()
        if not self.channel_store:
            return self.env["channel.store"]
        return self.env["channel.store"]._channel_for_code(self.channel_store, self.company_id)

    def write(self, vals):
        refunded = (
            self.filtered(lambda o: o.channel_payment_state != "refunded")
            if vals.get("channel_payment_state") == "refunded"
            else self.browse()
        )
        res = super().write(vals)
        if refunded:
            refunded._channel_refund_store_payment()
        return res

    @api.private
    def _channel_refund_store_payment(self):
        """The store refunded the order: a credit note for each posted invoice still open or paid, and
        the refund paid from the store's clearing journal."""
        for order in self:
            invoices = order.invoice_ids.filtered(
                lambda m: (
                    m.move_type == "out_invoice" and m.state == "posted" and m.payment_state != "reversed"
                )
            )
            for invoice in invoices:
                credit = invoice._reverse_moves(
                    [
                        {
                            "ref": self.env._("Store refund of %s", order.name),
                            "invoice_date": fields.Date.today(),
                        }
                    ]
                )
                credit.action_post()
                credit._channel_register_store_payment(order)
