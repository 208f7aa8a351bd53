"""What a store order is built of: the header (customer and addresses from sale_order_import_partners.py,
the pricelist that puts it in the store's currency, the channel fields), the goods by SKU, the store's
shipping as delivery lines and its discounts one line per tax rate, the Odoo taxes matched to the
store's rates, and, once built, the store's total compared with Odoo's. What does not fit adds a review
code and its reason (unknown_sku, missing_tax, no_pricelist, total_mismatch) rather than failing.
"""

from decimal import Decimal

from odoo import api, models
from odoo.fields import Command

from .store_order_values import _text


class SaleOrder(models.Model):
    _inherit = "sale.order"

    @api.model
    @api.private
    def _channel_import_order_values(self, store, data, cache, codes, reasons):
        """The order's header: customer and addresses, pricelist (currency), channel fields."""
        company = self.env.company
        customer, invoice, delivery = self._channel_import_partners(store, data, company, cache)
        values = {
            "company_id": company.id,
            "partner_id": customer.id,
            "partner_invoice_id": invoice.id,
            "partner_shipping_id": delivery.id,
            "client_order_ref": _text(data.get("number")) or data["external_id"],
            "channel_source": "store",
            "channel_store": store.code,
            "channel_store_id": store.id,
            "channel_external_id": data["external_id"],
            "channel_payment_state": data["payment_state"],
            "channel_import_hash": data["hash"] or False,
            "channel_store_modified": data["modified"],
            "channel_store_total": float(data["total"]),  # what the customer paid: a line keeps its share
            "channel_accepted_total": False,
            "channel_unknown_country_code": self._channel_address_country(
                data["shipping"] if self._channel_has_address(data["shipping"]) else data["billing"]
            )[1],
        }
        if _text(data.get("note")):
            values["note"] = _text(data.get("note"))
        pricelist = self._channel_import_pricelist(data["currency"], customer, company, cache)
        if pricelist:
            values["pricelist_id"] = pricelist.id
        elif pricelist is None:
            codes.append("no_pricelist")
            reasons.append(
                self.env._(
                    "The store sells in %(currency)s but no active pricelist is in %(currency)s: create one, "
                    "set it on this quotation, then accept the import differences.",
                    currency=data["currency"],
                )
            )
        return values

    @api.model
    @api.private
    def _channel_import_pricelist(self, currency_code, customer, company, cache):
        """The pricelist that puts the order in the store's currency: False when the company currency
        needs none (no pricelists in use), None when no pricelist is in that currency."""
        key = ("pricelist", currency_code, customer.property_product_pricelist.id)
        if key in cache:
            return cache[key]
        currency = (
            self.env["res.currency"]
            .with_context(active_test=False)
            .search([("name", "=", currency_code)], limit=1)
        )
        partner_pricelist = customer.with_company(company).property_product_pricelist
        if currency and partner_pricelist.currency_id == currency:
            result = partner_pricelist
        else:
            result = (
                self.env["product.pricelist"].search(
                    [("currency_id", "=", currency.id), ("company_id", "in", [company.id, False])],
                    order="sequence, id",
                    limit=1,
                )
                if currency
                else self.env["product.pricelist"]
            )
            if not result:
                result = False if currency == company.currency_id and not partner_pricelist else None
        cache[key] = result
        return result

    @api.model
    @api.private
    def _channel_import_line_values(self, data, company, cache, codes, reasons):
        """Sale line values: goods by SKU, the store's shipping (is_delivery) and one discount per rate."""
        env = self.env
        included = data["prices_include_tax"]
        products = self._channel_products_by_sku(
            {line["sku"] for line in data["lines"] if line["sku"]}, company, cache
        )
        unknown = env.ref("channel_fulfilment.product_channel_store_unknown")
        values = []
        for line in data["lines"]:
            product = products.get(line["sku"])
            taxes = self._channel_import_taxes(
                line["tax_rates"], included, data["tax_names"], company, cache, codes, reasons
            )
            vals = {
                "product_id": (product or unknown).id,
                "product_uom_qty": float(line["qty"]),
                "price_unit": float(line["unit_price"]),
                "tax_ids": [Command.set(taxes.ids)],
                "channel_line_external_id": line["external_id"] or False,
            }
            if not product:
                sku = line["sku"] or env._("no SKU")
                vals["name"] = env._("[%(sku)s] %(name)s (unknown SKU)", sku=sku, name=line["name"] or "?")
                codes.append("unknown_sku")
                reasons.append(
                    env._(
                        "The store's SKU %(sku)s (%(name)s) is no product's internal reference here: "
                        "replace the "
                        "line with the right product.",
                        sku=sku,
                        name=line["name"] or "?",
                    )
                )
            values.append(vals)
        # The store's shipping (a delivery line, at the store's price) and its discounts, one per rate.
        shipping = env.ref("channel_fulfilment.product_channel_store_shipping")
        discount = env.ref("channel_fulfilment.product_channel_store_discount")
        charges = [
            (shipping, line["name"], line["price"], line["tax_rates"]) for line in data["shipping_lines"]
        ]
        charges += [
            (discount, line["name"], -line["amount"], line["tax_rates"]) for line in data["discounts"]
        ]
        for product, name, price, rates in charges:
            taxes = self._channel_import_taxes(
                rates, included, data["tax_names"], company, cache, codes, reasons
            )
            values.append(
                {
                    "product_id": product.id,
                    "name": name or product.name,
                    "product_uom_qty": 1,
                    "price_unit": float(price),
                    "tax_ids": [Command.set(taxes.ids)],
                    "is_delivery": product == shipping,
                }
            )
        if cache.get("no_analytic_models"):
            # What Odoo's compute would give with no distribution model (its search per line cost ~10 %).
            for vals in values:
                vals["analytic_distribution"] = False
        return values

    @api.model
    @api.private
    def _channel_products_by_sku(self, skus, company, cache):
        """{sku: product} for those of `skus` that are a product's internal reference (the lowest id
        wins), each SKU searched once per call."""
        known = cache.setdefault(("products", company.id), {})
        missing = [sku for sku in skus if sku not in known]
        if missing:
            known.update(dict.fromkeys(missing))
            for product in self.env["product.product"].search(
                [("default_code", "in", missing), ("company_id", "in", [company.id, False])],
                order="id desc",
            ):
                known[product.default_code] = product  # the lowest id wins
        return {sku: known[sku] for sku in skus if known[sku]}

    @api.model
    @api.private
    def _channel_import_taxes(self, rates, included, tax_names, company, cache, codes, reasons):
        """The Odoo taxes for a line's store rates; a rate without one adds missing_tax (once per rate)."""
        taxes = self.env["account.tax"]
        for rate in rates:
            tax = self._channel_find_tax(rate, included, tax_names.get(str(rate)), company, cache)
            if tax:
                taxes |= tax
                continue
            name = tax_names.get(str(rate))
            if name:
                reason = self.env._(
                    "The store maps %(rate)s %% to the tax “%(name)s”, which is no sales tax here.",
                    rate=f"{rate.normalize():f}",
                    name=name,
                )
            else:
                reason = self.env._(
                    "No sales tax of %(rate)s %% %(inclusion)s: create it (Accounting > Taxes), then accept "
                    "the import differences.",
                    rate=f"{rate.normalize():f}",
                    inclusion=self.env._("included in price")
                    if included
                    else self.env._("excluded from price"),
                )
            if reason not in reasons:  # once per order, not once per line
                codes.append("missing_tax")
                reasons.append(reason)
        return taxes

    @api.model
    @api.private
    def _channel_find_tax(self, rate, included, name, company, cache):
        """The sales tax with this percentage and price inclusion (lowest sequence), or the one named in
        the store's [stores.taxes]."""
        key = ("taxes", company.id)
        if key not in cache:
            cache[key] = self.env["account.tax"].search(
                [
                    ("type_tax_use", "=", "sale"),
                    ("amount_type", "=", "percent"),
                    ("company_id", "=", company.id),
                ],
                order="sequence, id",
            )
        candidates = cache[key]
        if name:
            return candidates.filtered(lambda tax: tax.name == name)[:1]
        for tax in candidates:
            if (
                bool(tax.price_include) == included
                and Decimal(str(tax.amount)).quantize(Decimal("0.0001")) == rate
            ):
                return tax
        return self.env["account.tax"]

    @api.private
    def _channel_check_total(self, total, codes, reasons):
        """total_mismatch when Odoo's total is not the store's. When the company rounds tax globally and
        rounding per line (as the stores do) would give the store's total, the reason says so: the
        difference is the company's setting, not the order."""
        self.ensure_one()
        currency = self.currency_id
        if currency.compare_amounts(self.amount_total, float(total)) == 0:
            return
        ours = Decimal(str(currency.round(self.amount_total)))
        codes.append("total_mismatch")
        reason = self.env._(
            "The store's total is %(store)s, Odoo's is %(odoo)s: a difference of %(diff)s.",
            store=f"{total:.2f}",
            odoo=f"{ours:.2f}",
            diff=f"{ours - total:+.2f}",
        )
        if (
            self.company_id.tax_calculation_rounding_method == "round_globally"
            and currency.compare_amounts(self._channel_total_rounded_per_line(), float(total)) == 0
        ):
            reason = self.env._(
                "The store's total is %(store)s, Odoo's is %(odoo)s: the company rounds tax globally; per "
                "line the total matches the store's; switch to per line: %(where)s (or “Round tax per "
                "line” on the web store), then accept the import differences.",
                store=f"{total:.2f}",
                odoo=f"{ours:.2f}",
                where=self.company_id._channel_rounding_setting(),
            )
        reasons.append(reason)

    @api.private
    def _channel_total_rounded_per_line(self):
        """The order's total as Odoo would compute it (sale's _compute_amounts) with tax rounded per line,
        whatever the company's setting."""
        self.ensure_one()
        AccountTax = self.env["account.tax"]
        company = self.company_id.new(
            {"tax_calculation_rounding_method": "round_per_line"}, origin=self.company_id
        )
        base_lines = [line._prepare_base_line_for_taxes_computation() for line in self._get_priced_lines()]
        base_lines += self._add_base_lines_for_early_payment_discount()
        AccountTax._add_tax_details_in_base_lines(base_lines, company)
        AccountTax._round_base_lines_tax_details(base_lines, company)
        totals = AccountTax._get_tax_totals_summary(
            base_lines=base_lines, currency=self.currency_id or self.company_id.currency_id, company=company
        )
        return totals["total_amount_currency"]
