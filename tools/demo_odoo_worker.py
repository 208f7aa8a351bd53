"""Runs inside Odoo's own Python (tools/demo_odoo.py starts it): turns a fresh database with
channel_fulfilment into the reseller demo — a UK company on the UK chart of accounts (l10n_uk: 20 % VAT
on sales and on UK distributors' purchases), the bundled sample distributors
(purchase orders by cXML to the distributor simulators) and catalogue with their offers (the module's
bulk offer refresh from the offer store `fulfil sample load` filled), a touchless rule, fast crons,
and the connector user.

    demo_odoo_worker.py --db … --addons-path … SETTINGS_JSON

Prints one `RESULT {json}` line: the connector's and the admin's API keys, the inbox cron's id and a
few products the store doubles sell (SKU, name, store price).
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._odoo import odoo_registry, worker_parser

MODULE = "channel_fulfilment"
MARKUP = 1.35  # store price over the cheapest distributor's cost: clears the rule's margin floor


def set_up_company(env):
    company = env.company
    gbp = env.ref("base.GBP")
    gbp.active = True
    company.write(
        {
            "name": "Demo Reseller Ltd",
            "street": "10 Reseller Road",
            "city": "Leeds",
            "zip": "LS1 1AA",
            "country_id": env.ref("base.uk").id,
            "email": "ops@reseller.example",
            "channel_invoice_policy": "order",
            "channel_cxml_domain": "reseller.example",
            "tax_calculation_rounding_method": "round_per_line",  # WooCommerce rounds tax per line
        }
    )
    # Store orders come in pounds and go through the first active pricelist in their currency.
    env["product.pricelist"].create({"name": "UK stores", "currency_id": gbp.id, "sequence": 1})
    # The UK chart's standard-rated taxes: "20%" on sales (prices without VAT, as WooCommerce sends them)
    # and on purchases of goods. Shopify UK shops show prices with VAT: the same tax, VAT included.
    sale_vat = company.account_sale_tax_id
    if not (sale_vat and sale_vat.amount == 20.0):
        raise SystemExit(f"demo-odoo: the company's sales tax is {sale_vat.name!r}, not the UK chart's 20 %")
    sale_vat.copy({"name": "20% incl.", "price_include_override": "tax_included", "sequence": 1})
    # The module's freight and small-order charges are billed by UK distributors with VAT too.
    for xmlid in ("product_channel_freight", "product_channel_small_order"):
        env.ref(f"{MODULE}.{xmlid}").supplier_taxes_id = company.account_purchase_tax_id


def create_distributors(env, data_dir: Path, cxml: dict, api_distributors=()):
    """One distributor per sample distributor: its freight rule and countries, POs by cXML to its
    simulator — or over its own API for those in `api_distributors` (Ingram Micro: the account is in
    the company's fulfil.toml)."""
    Partner = env["res.partner"]
    countries = {c.code: c.id for c in env["res.country"].search([])}
    partners = Partner
    for record in json.loads((data_dir / "distributors.json").read_text()):
        endpoint = cxml.get(record["id"])
        freight = record.get("freight") or {}
        values = {
            "name": record["name"],
            "is_company": True,
            "is_distributor": True,
            "supplier_rank": 1,
            "engine_id": record["id"],
            "email": f"orders@{record['id'].lower()}.example",
            "country_id": countries.get((record.get("ships_to") or ["GB"])[0]),
            "channel_ship_country_ids": [(6, 0, [countries[c] for c in record.get("ships_to", [])])],
            "freight_type": freight.get("type", "none"),
            "freight_charge": float(freight.get("charge", 0)),
            "freight_free_over": float(freight.get("free_over", 0)),
            "freight_per_kg_over": float(freight.get("per_kg_over", 0)),
            "freight_dim_divisor": float(freight.get("dim_divisor", 0)),
            "freight_band_ids": [
                (0, 0, {"max_kg": band["max_kg"], "charge": float(band["charge"])})
                for band in freight.get("bands", [])
            ],
        }
        if record["id"] in api_distributors:
            values["po_channel"] = "ingram_v6"
        else:
            values.update(
                {
                    "po_channel": "cxml",
                    "cxml_url": endpoint["url"],
                    "cxml_from_identity": endpoint["buyer_identity"],
                    "cxml_sender_identity": endpoint["buyer_identity"],
                    "cxml_shared_secret": endpoint["buyer_secret"],
                    "cxml_to_identity": endpoint["identity"],
                    "cxml_inbound_secret": endpoint["inbound_secret"],
                }
            )
        partners |= Partner.create(values)
    return partners


def create_products(env, data_dir: Path):
    with (data_dir / "products.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return env["product.product"].create(
        [
            {
                "name": row["description"][:120],
                "default_code": row["sku"],
                "type": "consu",
                "weight": float(row["weight_kg"] or 0),
                "invoice_policy": "order",
                "taxes_id": [(6, 0, env.company.account_sale_tax_id.ids)],
                "supplier_taxes_id": [(6, 0, env.company.account_purchase_tax_id.ids)],
            }
            for row in rows
        ]
    )


def price_products(products, uk_partners):
    """List price = the cheapest UK offer's cost × MARKUP; returns what the stores sell: products some UK
    distributor has at least 5 of, between £15 and £400 of cost."""
    on_sale = []
    for product in products:
        offers = product.seller_ids.filtered(lambda s: s.partner_id in uk_partners and s.price > 0)
        if not offers:
            continue
        cheapest = min(offers, key=lambda s: s.price)
        product.list_price = round(cheapest.price * MARKUP, 2)
        if 15 <= cheapest.price <= 400 and max(offers.mapped("distributor_stock")) >= 5:
            on_sale.append({"sku": product.default_code, "name": product.name, "price": product.list_price})
    return on_sale


def set_up_automation(env):
    env["channel.fulfilment.rule"].create(
        {
            "name": "Demo: ship paid store orders with at least 5 % margin",
            "sequence": 1,
            "require_paid": True,
            "min_margin_percent": 5.0,
            "action": "ship",
        }
    )
    # A demo should move while someone watches: the inbox and the sending every minute.
    for xmlid in ("ir_cron_process_inbox", "ir_cron_send_purchase_orders"):
        env.ref(f"channel_fulfilment.{xmlid}").write({"interval_number": 1, "interval_type": "minutes"})


def api_keys(env):
    # The store connector as docs/odoo.md has an administrator make it: its group alone, a key without expiry.
    _connector, key = env["res.users"]._channel_new_store_connector("channel-sync")
    admin = env.ref("base.user_admin")
    admin_key = env["res.users.apikeys"].with_user(admin).sudo()._generate(None, "demo driver", None)
    return key, admin_key


def main() -> None:
    parser = worker_parser()
    parser.add_argument("settings")
    args = parser.parse_args()
    settings = json.loads(args.settings)
    registry = odoo_registry(args)
    from odoo import SUPERUSER_ID, api

    data_dir = Path(settings["data_dir"])
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        set_up_company(env)
        partners = create_distributors(env, data_dir, settings["cxml"], settings.get("api_distributors", ()))
        if settings.get("engine_config"):
            env.company.channel_engine_config = settings["engine_config"]
        products = create_products(env, data_dir)
        env.company.channel_offer_store_url = settings["offer_store"]
        refreshed = env["product.supplierinfo"]._channel_refresh_offers()  # it ANALYZEs its vendor lines
        # The catalogue was loaded in one go: PostgreSQL has no statistics on it until an ANALYZE (and
        # autovacuum may be off), and its plans for the order lines' product search would be blind.
        env.flush_all()
        cr.execute("ANALYZE product_template, product_product")
        uk = partners.filtered(lambda p: env.ref("base.uk") in p.channel_ship_country_ids)
        on_sale = price_products(products, uk)
        set_up_automation(env)
        key, admin_key = api_keys(env)
        result = {
            "key": key,
            "admin_key": admin_key,
            "inbox_cron": env.ref("channel_fulfilment.ir_cron_process_inbox").id,
            "distributors": len(partners),
            "products": len(products),
            "offers": refreshed,
            "on_sale": on_sale[:40],
        }
        cr.commit()
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
