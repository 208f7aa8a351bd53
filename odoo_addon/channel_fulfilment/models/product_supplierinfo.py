"""Distributors' vendor lines as the planner's offers: cost, stock and how old the stock figure is,
refreshed in bulk from the engine's offer store (a cron and a button on the distributor).
"""

import logging
from datetime import datetime, timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# Offers are read from the store and written to PostgreSQL in chunks of this many rows: large enough
# that one round trip carries a lot, small enough to keep every statement's parameters reasonable.
REFRESH_CHUNK = 5000


def age_in_words(env, moment, now=None):
    """'just now', '12 min ago', '3 h ago', '2 days ago' — how old a stock figure is, for a person."""
    if not moment:
        return ""
    seconds = max(((now or fields.Datetime.now()) - moment).total_seconds(), 0)
    if seconds < 60:
        return env._("just now")
    if seconds < 3600:
        return env._("%s min ago", int(seconds // 60))
    if seconds < 86400:
        return env._("%s h ago", int(seconds // 3600))
    return env._("%s days ago", int(seconds // 86400))


class ProductSupplierinfo(models.Model):
    _inherit = "product.supplierinfo"

    distributor_stock = fields.Integer(string="Distributor stock", help="Units the distributor can ship now.")
    stock_source = fields.Selection(
        [("feed", "Feed"), ("realtime", "Real-time"), ("manual", "Manual")],
        string="Stock source",
        default="manual",
    )
    stock_updated_at = fields.Datetime(string="Stock as of")
    stock_age = fields.Char(compute="_compute_stock_age", string="Age")
    is_distributor_line = fields.Boolean(
        compute="_compute_is_distributor_line",
        store=True,
        index=True,
        string="Distributor line",
        help="The distributor's own offer: undated, from quantity 0. Planning reads cost and stock from it.",
    )

    @api.depends("stock_updated_at")
    def _compute_stock_age(self):
        now = fields.Datetime.now()
        for line in self:
            line.stock_age = age_in_words(self.env, line.stock_updated_at, now)

    @api.depends("partner_id.is_distributor", "date_start", "date_end", "min_qty")
    def _compute_is_distributor_line(self):
        for line in self:
            line.is_distributor_line = bool(
                line.partner_id.is_distributor
                and not line.date_start
                and not line.date_end
                and not line.min_qty
            )

    @api.model
    @api.private
    def _channel_lines_for(self, products, distributors=None):
        """The distributor lines of `products` (product.product): {(product id, partner id): supplierinfo}.

        A line bound to the variant wins over a template-wide one; among equals, the lowest sequence.
        """
        domain = [
            ("is_distributor_line", "=", True),
            ("product_tmpl_id", "in", products.product_tmpl_id.ids),
        ]
        if distributors is not None:
            domain.append(("partner_id", "in", distributors.ids))
        found = {}
        for line in self.search(domain, order="sequence, id"):
            variants = line.product_id or products.filtered(
                lambda p, tmpl=line.product_tmpl_id: p.product_tmpl_id == tmpl
            )
            for product in variants:
                key = (product.id, line.partner_id.id)
                current = found.get(key)
                if current is None or (line.product_id and not current.product_id):
                    found[key] = line
        return found

    # ------------------------------------------------------------------------------ offer refresh

    @api.model
    def _cron_refresh_offers(self):
        for company in self.env["res.company"].sudo().search([("channel_offer_store_url", "!=", False)]):
            self.with_company(company)._channel_refresh_offers()

    @api.model
    @api.private
    def _channel_refresh_offers(self, distributors=None, products=None):
        """Update (or create) the distributors' vendor lines from the engine's offer store, in bulk.

        Reads the offers of every product Odoo knows by its default_code, then writes them with one
        `UPDATE … FROM (VALUES …)` and one `INSERT … SELECT` per chunk: tens of thousands of rows in
        seconds, where one ORM write per row would take minutes. The ORM cache is invalidated after.
        """
        from fulfilment_engine.store import OfferStore

        company = self.env.company
        url = company.sudo().channel_offer_store_url  # a manager's setting; inbox users click Refresh
        if not url:
            raise UserError(self.env._("Set the offer store URL in Orders Inbox settings first."))
        partners = self.env["res.partner"]
        domain = [
            ("is_distributor", "=", True),
            ("engine_id", "!=", False),
            ("company_id", "in", [False, company.id]),
        ]
        if distributors is not None:
            domain.append(("id", "in", distributors.ids))
        partners = partners.search(domain)
        partner_ids_by_engine = {}
        for partner in partners:
            partner_ids_by_engine.setdefault(partner.engine_id, []).append(partner.id)
        result = {"offers": 0, "updated": 0, "created": 0}
        if not partner_ids_by_engine:
            return result

        self.flush_model()
        self.env.cr.execute(
            SQL(
                """SELECT p.default_code, p.id, p.product_tmpl_id, t.uom_id
                     FROM product_product p JOIN product_template t ON t.id = p.product_tmpl_id
                    WHERE p.default_code IS NOT NULL AND p.active %s""",
                SQL("AND p.id = ANY(%s)", products.ids) if products is not None else SQL(""),
            )
        )
        product_by_sku = {sku: (pid, tmpl, uom) for sku, pid, tmpl, uom in self.env.cr.fetchall()}
        if not product_by_sku:
            return result

        store = OfferStore.open(url)
        try:
            skus = list(product_by_sku)
            # Not fields.Datetime.now(): cut to the second before subtracting the age, it would date a
            # feed up to a second before it was loaded.
            now = datetime.now()
            for start in range(0, len(skus), REFRESH_CHUNK):
                rows = []
                for offer in store.offers_for(skus[start : start + REFRESH_CHUNK]):
                    if offer.sku not in product_by_sku:
                        continue
                    age = timedelta(seconds=offer.age_s or 0)
                    updated_at = (now - age).replace(microsecond=0)
                    for partner_id in partner_ids_by_engine.get(offer.distributor, ()):
                        rows.append((partner_id, offer, updated_at))
                result["offers"] += len(rows)
                if rows:
                    updated, created = self._channel_write_offer_rows(rows, product_by_sku, company)
                    result["updated"] += updated
                    result["created"] += created
        finally:
            close = getattr(store, "close", None)
            if close:
                close()
        self.invalidate_model()
        self.env["product.template"].invalidate_model(["seller_ids"])
        if result["created"] or result["updated"]:
            # A bulk load leaves PostgreSQL without statistics on what it wrote until an ANALYZE (never,
            # where autovacuum is off): the order lines' product search, which joins the vendor lines,
            # would be planned blind. ANALYZE samples the table; it takes well under a second.
            self.env.cr.execute(SQL("ANALYZE product_supplierinfo"))
        _logger.info("offer refresh for %s: %s", company.name, result)
        return result

    @api.model
    @api.private
    def _channel_write_offer_rows(self, rows, product_by_sku, company):
        """UPDATE the existing distributor lines of `rows` and INSERT the missing ones; returns the counts."""
        cr = self.env.cr
        values = SQL(", ").join(
            SQL(
                "(%s, %s, %s, %s::numeric, %s::integer, %s, %s::timestamp, %s)",
                partner_id,
                product_by_sku[offer.sku][0],
                product_by_sku[offer.sku][1],
                offer.cost,
                max(int(offer.stock), 0),
                offer.distributor_sku or offer.sku,
                updated_at,
                "realtime" if offer.source == "realtime" else "feed",
            )
            for partner_id, offer, updated_at in rows
        )
        # A line bound to the variant wins over a template-wide one; new lines are bound to the
        # variant, since our SKU (default_code) names a variant.
        cr.execute(
            SQL(
                """
                WITH v(partner_id, product_id, product_tmpl_id, price, stock, code, updated_at, source) AS (
                    VALUES %(values)s
                ), target AS (
                    SELECT DISTINCT ON (v.partner_id, v.product_id) s.id, v.*
                      FROM v JOIN product_supplierinfo s
                        ON s.partner_id = v.partner_id AND s.product_tmpl_id = v.product_tmpl_id
                       AND (s.product_id IS NULL OR s.product_id = v.product_id)
                     WHERE s.is_distributor_line
                     ORDER BY v.partner_id, v.product_id, (s.product_id IS NULL), s.sequence, s.id
                ), updated AS (
                    UPDATE product_supplierinfo s
                       SET price = t.price, distributor_stock = t.stock, product_code = t.code,
                           stock_source = t.source, stock_updated_at = t.updated_at,
                           write_date = now() AT TIME ZONE 'UTC', write_uid = %(uid)s
                      FROM target t
                     WHERE s.id = t.id
                    RETURNING s.id
                ), inserted AS (
                    INSERT INTO product_supplierinfo (
                        partner_id, sequence, product_uom_id, company_id, currency_id, product_tmpl_id,
                        product_id, delay, min_qty, price, discount, product_code, distributor_stock,
                        stock_source, stock_updated_at, is_distributor_line,
                        create_uid, create_date, write_uid, write_date)
                    SELECT v.partner_id, 1, t.uom_id, %(company)s, %(currency)s, v.product_tmpl_id,
                           v.product_id, 1, 0, v.price, 0, v.code, v.stock, v.source, v.updated_at, TRUE,
                           %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
                      FROM v JOIN product_template t ON t.id = v.product_tmpl_id
                     WHERE NOT EXISTS (SELECT 1 FROM target x
                                        WHERE x.partner_id = v.partner_id AND x.product_id = v.product_id)
                    RETURNING id
                )
                SELECT (SELECT count(*) FROM updated), (SELECT count(*) FROM inserted)
                """,
                values=values,
                uid=self.env.uid,
                company=company.id,
                currency=company.currency_id.id,
            )
        )
        return cr.fetchone()
