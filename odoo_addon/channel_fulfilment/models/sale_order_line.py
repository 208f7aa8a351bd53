"""Inbox sale lines: the chosen distributor with its cost, stock and their age, the allocations a plan
made, a person's choice of distributor or cost, the lock once Ship ordered the line, and the
procurement forced to each allocation's distributor.
"""

from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command

from .product_supplierinfo import age_in_words


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    distributor_id = fields.Many2one(
        "res.partner",
        string="Distributor",
        domain=[("is_distributor", "=", True)],
        index="btree_not_null",
        copy=False,
        help="The distributor this line is bought from (the main one when the line is split).",
    )
    allocation_ids = fields.One2many(
        "sale.order.line.allocation", "line_id", string="Allocations", copy=False
    )
    planned_cost = fields.Monetary(
        string="Unit cost", copy=False, help="What the distributor charges us per unit."
    )
    cost_edited = fields.Boolean(
        string="Cost edited",
        copy=False,
        help="A person changed the cost: the distributor's account manager gets the PDF purchase order too, "
        "so it invoices at this cost and not at its feed price.",
    )
    channel_excluded_distributor_ids = fields.Many2many(
        "res.partner",
        "sale_order_line_channel_excluded_rel",
        "line_id",
        "partner_id",
        string="Refused by",
        copy=False,
        help="Distributors that rejected or backordered this line: planning leaves them out.",
    )
    channel_locked = fields.Boolean(
        string="Shipped (locked)",
        compute="_compute_channel_locked",
        help="Everything on this line is on a distributor's purchase order: its distributor and cost "
        "can no longer change here.",
    )
    feed_cost = fields.Monetary(compute="_compute_distributor_offer", string="Feed cost")
    distributor_stock = fields.Integer(compute="_compute_distributor_offer", string="Distributor stock")
    distributor_stock_age = fields.Char(compute="_compute_distributor_offer", string="Stock age")

    @api.depends("product_id", "distributor_id")
    def _compute_distributor_offer(self):
        """The chosen distributor's own figures for this product: cost, stock and how old they are."""
        self.feed_cost = 0.0
        self.distributor_stock = 0
        self.distributor_stock_age = False
        lines = self.filtered(lambda line: line.product_id and line.distributor_id)
        if not lines:
            return
        offers = self.env["product.supplierinfo"]._channel_lines_for(lines.product_id, lines.distributor_id)
        now = fields.Datetime.now()
        for line in lines:
            supplier = offers.get((line.product_id.id, line.distributor_id.id))
            if not supplier:
                continue
            order = line.order_id
            line.feed_cost = supplier.currency_id._convert(
                supplier.price,
                line.currency_id or supplier.currency_id,
                order.company_id or self.env.company,
                order.date_order or now,
                round=False,
            )
            line.distributor_stock = supplier.distributor_stock
            line.distributor_stock_age = age_in_words(self.env, supplier.stock_updated_at, now)

    @api.depends(
        "order_id.is_inbox",
        "product_uom_qty",
        "allocation_ids.product_qty",
        "allocation_ids.purchase_line_id.state",
        "purchase_line_ids.state",
    )
    def _compute_channel_locked(self):
        """Locked once Ship has put the whole line on purchase orders: changing the distributor or the
        cost here would no longer reach the distributor (the PO keeps what was sent). A line with units
        still to order (raised after Ship, or refused by a distributor) stays open for those units."""
        for line in self:
            line.channel_locked = bool(
                line.order_id.is_inbox
                and line._channel_is_ordered()
                and not line._channel_open_allocations()
                and line.product_uom_id.compare(line._channel_qty_to_plan(), 0) <= 0
            )

    @api.private
    def _channel_is_ordered(self):
        """Some of this line is on a purchase order Ship made (not cancelled)."""
        self.ensure_one()
        return bool(
            self.allocation_ids - self._channel_open_allocations()
            or self.sudo().purchase_line_ids.filtered(lambda pol: pol.state != "cancel")
        )

    @api.private
    def _channel_check_locked(self, vals):
        """A person may not change the distributor or cost of a shipped line (see channel_locked)."""
        for line in self.filtered("channel_locked"):
            changed = []
            if "distributor_id" in vals and (vals["distributor_id"] or False) != (
                line.distributor_id.id or False
            ):
                changed.append(self.env._("distributor"))
            if "planned_cost" in vals and line.currency_id.compare_amounts(
                vals["planned_cost"] or 0.0, line.planned_cost
            ):
                changed.append(self.env._("cost"))
            if not changed:
                continue
            purchases = (
                line.sudo().allocation_ids.purchase_line_id | line.sudo().purchase_line_ids
            ).order_id.filtered(lambda po: po.state != "cancel")
            raise UserError(
                self.env._(
                    "%(order)s, line “%(line)s”: its %(what)s cannot change any more, it was shipped on "
                    "%(purchases)s. Agree any change with the distributor and on the purchase order.",
                    order=line.order_id.name,
                    line=line.product_id.display_name or line.name,
                    what=self.env._(" and ").join(changed),
                    purchases=", ".join(purchases.mapped("name")) or self.env._("a purchase order"),
                )
            )

    @api.onchange("distributor_id")
    def _onchange_distributor_id(self):
        # A person choosing another distributor sees that distributor's cost; the cost is not "edited".
        if self.distributor_id:
            self.planned_cost = self.feed_cost
            self.cost_edited = False

    # ------------------------------------------------------------------------------ allocations

    @api.private
    def _channel_open_allocations(self):
        """Allocations not yet on a purchase order: the part of the plan that may still change."""
        return self.allocation_ids.filtered(
            lambda a: not a.purchase_line_id or a.purchase_line_id.state == "cancel"
        )

    @api.private
    def _channel_qty_to_plan(self):
        """Quantity (line UoM) not yet ordered from any distributor."""
        self.ensure_one()
        ordered = sum((self.allocation_ids - self._channel_open_allocations()).mapped("product_qty"))
        return max(self.product_uom_qty - ordered, 0.0)

    @api.private
    def _channel_sync_main_distributor(self):
        """distributor_id = the distributor with the largest share; planned_cost = the average unit cost."""
        for line in self:
            allocations = line.allocation_ids
            qty = sum(allocations.mapped("product_qty"))
            if not allocations or not qty:
                line.with_context(channel_planning=True).write({"distributor_id": False, "planned_cost": 0.0})
                continue
            main = max(allocations, key=lambda a: (a.product_qty, -a.id))
            average = sum(a.product_qty * a.unit_cost for a in allocations) / qty
            line.with_context(channel_planning=True).write(
                {"distributor_id": main.distributor_id.id, "planned_cost": average}
            )

    @api.private
    def _channel_user_changed(self, distributor_changed, cost_changed):
        """A person chose a distributor or typed a cost: open allocations follow; edited costs are flagged."""
        for line in self:
            line = line.with_context(channel_planning=True)
            open_allocations = line._channel_open_allocations()
            feed = line.feed_cost
            currency = line.currency_id
            if distributor_changed:
                open_allocations.unlink()
                if not line.distributor_id:
                    line.write({"planned_cost": 0.0, "cost_edited": False})
                    continue
                cost = line.planned_cost if cost_changed else feed
                supplier = (
                    self.env["product.supplierinfo"]
                    ._channel_lines_for(line.product_id, line.distributor_id)
                    .get((line.product_id.id, line.distributor_id.id))
                )
                qty = line._channel_qty_to_plan()
                commands = []
                if qty > 0:
                    commands.append(
                        Command.create(
                            {
                                "distributor_id": line.distributor_id.id,
                                "product_qty": qty,
                                "unit_cost": cost,
                                "source": "manual",
                                "reason": self.env._("Chosen by %s", self.env.user.name),
                                "supplierinfo_id": supplier.id if supplier else False,
                            }
                        )
                    )
                line.write(
                    {
                        "allocation_ids": commands,
                        "planned_cost": cost,
                        "cost_edited": bool(cost_changed and currency.compare_amounts(cost, feed)),
                    }
                )
            elif cost_changed:
                open_allocations.write({"unit_cost": line.planned_cost})
                line.cost_edited = bool(currency.compare_amounts(line.planned_cost, feed))

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        if not self.env.context.get("channel_planning"):
            chosen = lines.filtered(lambda line: line.distributor_id and not line.allocation_ids)
            for line, vals in zip(lines, vals_list, strict=True):
                if line in chosen:
                    line._channel_user_changed(True, "planned_cost" in vals)
        return lines

    def write(self, vals):
        if self.env.context.get("channel_planning") or not ({"distributor_id", "planned_cost"} & vals.keys()):
            return super().write(vals)
        self._channel_check_locked(vals)
        result = super().write(vals)
        self._channel_user_changed("distributor_id" in vals, "planned_cost" in vals)
        return result

    # ------------------------------------------------------------------------------ procurement

    def _action_launch_stock_rule(self, *, previous_product_uom_qty=False):
        # sale_stock launches procurement when an order is confirmed, when a line is added to a confirmed
        # order and when a quantity changes: for an inbox order it only ever runs from Ship, which plans
        # the distributors first and then releases it (context key below). Without this, a quantity
        # raised after Ship would make a draft PO of Odoo's own through _select_seller, never sent.
        if self.env.context.get("channel_release_procurement"):
            return super()._action_launch_stock_rule(previous_product_uom_qty=previous_product_uom_qty)
        held = self.filtered(lambda line: line.order_id.is_inbox)
        held._channel_review_changes_after_ship(previous_product_uom_qty or {})
        return super(SaleOrderLine, self - held)._action_launch_stock_rule(
            previous_product_uom_qty=previous_product_uom_qty
        )

    @api.private
    def _channel_review_changes_after_ship(self, previous_qty):
        """Lines added, or quantities changed, on an order Ship has passed: the order goes to review
        with the reason, and Ship then plans and orders what is missing (nothing is ordered on its own)."""
        env = self.env
        reasons = defaultdict(list)
        for line in self:
            order = line.order_id
            if (
                line.state != "sale"
                or line.display_type
                or line.product_id.type != "consu"
                or not order._channel_past_ship()
            ):
                continue
            product = line.product_id.display_name
            before = previous_qty.get(line.id)
            uom = line.product_uom_id
            if before is None:
                if uom.compare(line._channel_qty_to_plan(), 0) > 0 and not line._channel_is_ordered():
                    reasons[order].append(env._("%s added after Ship: plan and ship it", product))
                continue
            change = uom.compare(line.product_uom_qty, before)
            if change > 0:
                reasons[order].append(
                    env._(
                        "quantity of %(product)s raised from %(old)s to %(new)s after Ship: plan and ship "
                        "the extra units",
                        product=product,
                        old=f"{before:g}",
                        new=f"{line.product_uom_qty:g}",
                    )
                )
            elif change < 0:
                reasons[order].append(
                    env._(
                        "quantity of %(product)s lowered from %(old)s to %(new)s after Ship: the "
                        "distributor's purchase order still has the units ordered; change it with them",
                        product=product,
                        old=f"{before:g}",
                        new=f"{line.product_uom_qty:g}",
                    )
                )
        for order, texts in reasons.items():
            reason = "; ".join(texts) + "."
            if order.inbox_state == "review" and order.review_reason:
                reason = f"{order.review_reason}\n{reason}"
            order._channel_review_after_ship(reason)

    def _prepare_procurement_values(self):
        # Force the planned distributor, as OCA's sale_purchase_force_vendor does: purchase_stock's
        # buy rule takes `supplierinfo_id` as the vendor instead of asking _select_seller.
        values = super()._prepare_procurement_values()
        if self.order_id.is_inbox:
            open_allocations = self._channel_open_allocations()
            if len(open_allocations) == 1 and open_allocations.supplierinfo_id:
                values["supplierinfo_id"] = open_allocations.supplierinfo_id
                values["channel_allocation_id"] = open_allocations.id
        return values

    def _create_procurements(self, product_qty, procurement_uom, values):
        """A split line becomes one procurement per allocation, each forced to its distributor."""
        if not (self.env.context.get("channel_release_procurement") and self.order_id.is_inbox):
            return super()._create_procurements(product_qty, procurement_uom, values)
        self.ensure_one()
        procurements = []
        left = product_qty
        for allocation in self._channel_open_allocations():
            qty = min(self.product_uom_id._compute_quantity(allocation.product_qty, procurement_uom), left)
            if procurement_uom.compare(qty, 0) <= 0:
                continue
            allocation_values = dict(
                values,
                supplierinfo_id=allocation._channel_supplierinfo(),
                channel_allocation_id=allocation.id,
            )
            procurements += super()._create_procurements(qty, procurement_uom, allocation_values)
            left -= qty
        if procurement_uom.compare(left, 0) > 0:
            procurements += super()._create_procurements(left, procurement_uom, values)
        return procurements

    # ------------------------------------------------------------------------------ invoicing

    @api.depends("order_id.is_inbox", "company_id.channel_invoice_policy")
    def _compute_qty_to_invoice(self):
        """Inbox goods are invoiced by the company's Orders Inbox policy: as ordered, or as dispatched."""
        super()._compute_qty_to_invoice()
        for line in self:
            if (
                line.order_id.is_inbox
                and line.state == "sale"
                and not line.display_type
                and line.product_id.type == "consu"
            ):
                if line.company_id.channel_invoice_policy == "delivery":
                    line.qty_to_invoice = line.qty_delivered - line.qty_invoiced
                else:
                    line.qty_to_invoice = line.product_uom_qty - line.qty_invoiced
