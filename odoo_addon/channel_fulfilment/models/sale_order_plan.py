"""Planning an inbox order with the engine: Odoo records → Scenario → plan → allocations on the lines."""

from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError

from fulfilment_engine.domain import CartLine, Offer, Scenario, ShipTo
from fulfilment_engine.errors import FulfilError

from .engine_bridge import run_plan, to_decimal
from .sale_order import OPEN_STATES, PLAN_CODES


class PlanBatch:
    """What the plans of several orders share and write, done once for all of them (a Ship of a batch):
    the distributors' vendor lines of every product in the batch, read in one search; the allocations
    the plans make, created in one create; the lines' main distributor and planned cost, written in one
    write per set of equal values; the amounts the plan notes format. A plan made with a batch has its
    allocations only once `apply()` ran: the caller checks the planned orders after that."""

    def __init__(self, orders):
        self.env = orders.env
        self.orders = orders
        self._products = None
        self._vendor_lines = None
        self.allocation_values = []
        self.line_values = {}  # sale line → its main distributor and planned cost (the plan's: not edited)
        self.reordered = orders.env["sale.order.line"]  # lines whose earlier allocations weigh too
        self.money = {}  # (lang, currency id, amount) → the amount in words, as currency.format writes it
        self._distributors = {}  # (partner, currency, company, date) → the engine's Distributor

    def vendor_lines_for(self, products):
        """_channel_lines_for(products), out of one search for the batch's products: a product's lines
        are the same whichever other products are searched with it."""
        if self._products is None:
            self._products = self.orders._channel_product_lines().product_id
        if products - self._products:
            return self.env["product.supplierinfo"]._channel_lines_for(products)
        if self._vendor_lines is None:
            self._vendor_lines = self.env["product.supplierinfo"]._channel_lines_for(self._products)
        ids = set(products.ids)
        return {key: line for key, line in self._vendor_lines.items() if key[0] in ids}

    def engine_distributor(self, partner, currency, company, date):
        """partner._channel_engine_distributor(currency, company, date), made once for the batch."""
        key = (partner, currency, company, date)
        if key not in self._distributors:
            self._distributors[key] = partner._channel_engine_distributor(currency, company, date)
        return self._distributors[key]

    def apply(self):
        """Create the allocations the plans made and write their lines' main distributor and cost."""
        env = self.env
        values, self.allocation_values = self.allocation_values, []
        line_values, self.line_values = self.line_values, {}
        reordered, self.reordered = self.reordered, env["sale.order.line"]
        if values:
            env["sale.order.line.allocation"].create(values)
        # A planned cost is the plan's, not edited: one write clears the flag on the lines that had it.
        lines = env["sale.order.line"].concat(*line_values).with_context(channel_planning=True)
        lines.filtered("cost_edited").write({"cost_edited": False})
        groups = defaultdict(list)
        for line, vals in line_values.items():
            groups[(vals["distributor_id"], vals["planned_cost"])].append(line.id)
        for (distributor_id, planned_cost), ids in groups.items():
            lines.browse(ids).write({"distributor_id": distributor_id, "planned_cost": planned_cost})
        reordered._channel_sync_main_distributor()


class SaleOrder(models.Model):
    _inherit = "sale.order"

    channel_plan_reason = fields.Text(
        string="Last plan's reasons",
        copy=False,
        readonly=True,
        help="What the last plan found (the planning codes' words in the review reason): the next plan "
        "replaces these lines and keeps the others.",
    )

    def action_plan(self):
        """Choose a distributor (or several) for every line with the engine's planner."""
        for order in self:
            # Sending: shipped, its POs on their way; a Plan clicked then (an old tab) changes nothing.
            if order.inbox_state and order.inbox_state not in (*OPEN_STATES, "sending"):
                raise UserError(self.env._("%s is past Ship: its plan can no longer change.", order.name))
            if not order.channel_to_order and any(
                line._channel_is_ordered() for line in order._channel_product_lines()
            ):
                continue  # shipped, its POs not all sent yet: what is ordered is not re-planned
            order._channel_plan()
        return True

    @api.private
    def _channel_plan(self, exclude=frozenset(), proposal_note="", later=None, batch=None):
        """Plan the quantities not yet ordered from a distributor.

        `exclude` holds (product id, distributor id) offers not to use, e.g. a distributor that just
        rejected the line. Lines that cannot be planned send the order to review with the reasons. The
        plan's note is posted, or with `later` (a list) waits there for the batch's (_channel_note).
        With `batch` (a PlanBatch), the allocations and line values wait there for its apply().
        """
        self.ensure_one()
        env = self.env
        reasons = []
        codes = []  # the review codes naming `reasons`
        todo = {}
        address_problem = self._channel_address_problem()
        if address_problem:
            reasons.append(address_problem)
            codes.append("no_address")
        for line in self._channel_product_lines():
            qty = line._channel_qty_to_plan()
            if line.product_uom_id.compare(qty, 0) <= 0:
                continue
            units = line.product_uom_id._compute_quantity(qty, line.product_id.uom_id)
            if units != int(units):
                reasons.append(
                    env._(
                        "%(product)s: %(qty)s is not a whole number of units.",
                        product=line.product_id.display_name,
                        qty=units,
                    )
                )
                codes.append("plan_failed")
                continue
            if not line.product_id.default_code:
                reasons.append(
                    env._(
                        "%s has no internal reference (our SKU): distributors cannot be matched.",
                        line.product_id.display_name,
                    )
                )
                codes.append("plan_failed")
                continue
            todo[line] = int(units)

        lines = self.env["sale.order.line"].concat(*todo)
        exclude = set(exclude) | {
            (line.product_id.id, partner.id)
            for line in lines
            for partner in line.channel_excluded_distributor_ids
        }
        lines.allocation_ids.filtered(lambda a: not a.purchase_line_id).unlink()
        if todo:
            scenario, vendor_lines, partners = self._channel_scenario(todo, exclude, batch=batch)
            company = self.company_id
            config = (company.channel_realtime_check and company.sudo().channel_engine_config) or None
            try:
                plan = run_plan(scenario, config)
            except FulfilError as exc:
                reasons.append(env._("The planner could not plan this order: %s", exc))
                codes.append("plan_failed")
            except OSError as exc:
                reasons.append(env._("The engine configuration cannot be read: %s", exc))
                codes.append("plan_failed")
            else:
                reasons += self._channel_apply_plan(plan, todo, vendor_lines, partners, codes, batch=batch)
                self._channel_post_plan(
                    scenario, plan, partners, planned_as_is=not config, later=later, batch=batch
                )
        difference = self._channel_store_total_difference()
        if difference:
            reasons.append(difference)
            codes.append("total_mismatch")
        self.planned_at = fields.Datetime.now()
        self._channel_plan_decides(codes, reasons, proposal_note)
        return not reasons

    @api.private
    def _channel_plan_decides(self, codes, reasons, proposal_note=""):
        """This plan decides the planning codes and their words; every other code stays, with its words,
        until the person its action belongs to acts (a rule's verdict, the import's differences, what a
        distributor did). The order is ready only when nothing is left for anyone to do."""
        self.ensure_one()
        earlier_plan = set((self.channel_plan_reason or "").splitlines())
        kept_words = [
            line for line in (self.review_reason or "").splitlines() if line and line not in earlier_plan
        ]
        self._channel_drop_review_codes(PLAN_CODES)
        self._channel_add_review_codes(codes)
        kept_codes = [code for code in (self.review_codes or "").split() if code not in PLAN_CODES]
        values = {"is_inbox": True, "channel_plan_reason": "\n".join(reasons) or False}
        if reasons or proposal_note or kept_codes:
            lines = [proposal_note] if proposal_note else []
            lines += reasons
            lines += [line for line in kept_words if line not in lines] if kept_codes else []
            text = "\n".join(lines) or self._channel_codes_reason(kept_codes)
            self.write({**values, "inbox_state": "review", "review_reason": text})
        else:
            self.write({**values, "inbox_state": "ready", "review_reason": False})

    @api.private
    def _channel_scenario(self, todo, exclude, batch=None):
        """The planning problem for `todo` {sale line: units}: cart, products, distributors, offers.

        Offers are the products' distributor vendor lines: price = cost, distributor_stock = stock,
        product_code = the distributor's part number. A distributor's freight rule and small-order
        charge come from its partner, converted into the order's currency like the costs.
        """
        env = self.env
        products = self.env["product.product"].concat(*{line.product_id for line in todo})
        engine_products = products._channel_engine_products()
        if batch is not None:
            vendor_lines = batch.vendor_lines_for(products)
        else:
            vendor_lines = env["product.supplierinfo"]._channel_lines_for(products)
        now = fields.Datetime.now()
        date = fields.Date.context_today(self)
        # Stock this order has already taken (ordered earlier, e.g. before a rejection) is not on offer again.
        taken = defaultdict(float)
        for line in self._channel_product_lines():
            for allocation in line.allocation_ids - line._channel_open_allocations():
                taken[(line.product_id.id, allocation.distributor_id.id)] += allocation.product_qty
        offers = []
        partners = {}
        for (product_id, partner_id), supplier in vendor_lines.items():
            if (product_id, partner_id) in exclude:
                continue
            partner = supplier.partner_id
            if partner.company_id and partner.company_id != self.company_id:
                continue
            key = partner._channel_engine_key()
            partners[key] = partner
            cost = supplier.currency_id._convert(
                supplier.price, self.currency_id, self.company_id, date, round=False
            )
            sku = engine_products[product_id].sku
            offers.append(
                Offer(
                    distributor=key,
                    sku=sku,
                    stock=max(supplier.distributor_stock - int(taken[(product_id, partner_id)]), 0),
                    cost=to_decimal(cost, 4),
                    distributor_sku=supplier.product_code or sku,
                    source="realtime" if supplier.stock_source == "realtime" else "feed",
                    age_s=(now - supplier.stock_updated_at).total_seconds()
                    if supplier.stock_updated_at
                    else None,
                )
            )
        cart = tuple(
            CartLine(
                sku=engine_products[line.product_id.id].sku,
                qty=units,
                unit_price=to_decimal(line.price_reduce_taxexcl, 4),
            )
            for line, units in todo.items()
        )
        address = self.partner_shipping_id or self.partner_id
        scenario = Scenario(
            currency=self.currency_id.name,
            ship_to=ShipTo(country=self._channel_ship_country_code(), postcode=address.zip or ""),
            cart=cart,
            products={p.sku: p for p in engine_products.values()},
            # Freight rules and small-order charges in the order's currency, as the costs above.
            distributors={
                key: batch.engine_distributor(partner, self.currency_id, self.company_id, date)
                if batch is not None
                else partner._channel_engine_distributor(self.currency_id, self.company_id, date)
                for key, partner in partners.items()
            },
            offers=tuple(offers),
        )
        return scenario, vendor_lines, partners

    @api.private
    def _channel_ship_country_code(self):
        """Where the goods go: the delivery address's country, else the company's (GB when neither)."""
        self.ensure_one()
        address = self.partner_shipping_id or self.partner_id
        return (address.country_id or self.company_id.country_id).code or "GB"

    @api.private
    def _channel_apply_plan(self, plan, todo, vendor_lines, partners, codes, batch=None):
        """Write the plan's allocations onto the lines (with `batch`: leave them to its apply()); the
        reasons why some units could not be placed, their review codes added to `codes`: `undeliverable`
        for a line that distributors have in stock but none of them delivers to the order's country,
        else `no_stock`."""
        env = self.env
        remaining = defaultdict(list)  # sku → [[allocation, units left]]
        for allocation in plan.allocations:
            remaining[allocation.sku].append([allocation, allocation.qty])
        country = self._channel_ship_country_code()
        offered = defaultdict(int)  # product id → units the distributors have between them
        offered_here = defaultdict(int)  # … the distributors that deliver to `country`
        for (product_id, _partner_id), supplier in vendor_lines.items():
            offered[product_id] += max(supplier.distributor_stock, 0)
            ships_to = supplier.partner_id._channel_ships_to(self.company_id)
            if not ships_to or country in ships_to:
                offered_here[product_id] += max(supplier.distributor_stock, 0)
        reasons = []
        writes = PlanBatch(self) if batch is None else batch
        allocation_values = writes.allocation_values
        line_values = writes.line_values  # sale line → what the plan makes of it
        for line, units in todo.items():
            sku = line.product_id.default_code
            need = units
            shares = []
            while need and remaining[sku]:
                entry = remaining[sku][0]
                allocation, left = entry
                take = min(need, left)
                partner = partners[allocation.distributor]
                supplier = vendor_lines.get((line.product_id.id, partner.id))
                qty = line.product_id.uom_id._compute_quantity(take, line.product_uom_id)
                unit_cost = float(allocation.unit_cost)
                allocation_values.append(
                    {
                        "line_id": line.id,
                        "distributor_id": partner.id,
                        "product_qty": qty,
                        "unit_cost": unit_cost,
                        "source": "realtime" if allocation.source == "realtime" else "feed",
                        "stale": allocation.stale,
                        "reason": allocation.reason,
                        "supplierinfo_id": supplier.id if supplier else False,
                    }
                )
                shares.append((partner, qty, unit_cost))
                entry[1] -= take
                need -= take
                if not entry[1]:
                    remaining[sku].pop(0)
            # distributor_id = the largest share (the first of equals), planned_cost = the average cost
            planned_qty = sum(qty for _partner, qty, _cost in shares)
            main = max(shares, key=lambda share: share[1], default=None)
            line_values[line] = {
                "distributor_id": main[0].id if main and planned_qty else False,
                "planned_cost": sum(qty * cost for _p, qty, cost in shares) / planned_qty
                if planned_qty
                else 0.0,
            }
            if need:
                if not offered[line.product_id.id]:
                    why = env._("no distributor has it in stock")
                    codes.append("no_stock")
                elif not offered_here[line.product_id.id]:
                    why = env._("no distributor that has it delivers to %s", country)
                    codes.append("undeliverable")
                else:
                    why = env._("the distributors have %s in stock between them", offered[line.product_id.id])
                    codes.append("no_stock")
                reasons.append(
                    env._(
                        "%(product)s: %(need)s of %(units)s units cannot be sourced (%(why)s).",
                        product=line.product_id.display_name,
                        need=need,
                        units=units,
                        why=why,
                    )
                )
        # Lines ordered in part already (a distributor refused the rest) weigh their earlier allocations too.
        writes.reordered |= self.env["sale.order.line"].concat(*todo).filtered("allocation_ids")
        # One create for the allocations (the order's, or the batch's), then the lines learn their main
        # distributor and cost.
        if batch is None:
            writes.apply()
        return reasons

    @api.private
    def _channel_address_problem(self):
        """Why no distributor can deliver to the delivery address, in words ("" when it is complete)."""
        missing = self._channel_missing_address_parts()
        if not missing:
            return ""
        parts = ", ".join(missing)
        return self.env._("The delivery address has no %s: no distributor can deliver it.", parts)

    @api.private
    def _channel_missing_address_parts(self):
        """What the delivery address lacks for a distributor to deliver it (street, city, and the postcode
        where its country requires one), in words; empty when complete. An address without a country is
        in the company's (_channel_ship_country_code) — unless a store gave it a country code Odoo does
        not know: then its country is missing too."""
        self.ensure_one()
        env = self.env
        address = self.partner_shipping_id or self.partner_id
        missing = []
        unknown = self.channel_unknown_country_code
        if not address.country_id and unknown:
            missing.append(env._("country (the store's “%s” is no country Odoo knows)", unknown))
        if not (address.street or address.street2):
            missing.append(env._("street"))
        if not address.city:
            missing.append(env._("city"))
        if (address.country_id or self.company_id.country_id).zip_required and not address.zip:
            missing.append(env._("postcode"))
        return missing
