"""Runs inside Odoo's own Python (started by bench/odoo_import.py): the addon tests' store data, then the
same kind of store orders imported two ways, and ours once more; prints one JSON line with the timings
and the SQL queries. Not a benchmark on its own (the name starts with "_").

    python bench/_odoo_import_worker.py --db DB --addons-path … --orders 1000 --customers 2000
"""

from __future__ import annotations

import json
import random
import sys

from bench._odoo import odoo_registry, worker_parser
from bench._odoo_ship_worker import timed_chunks
from bench._store_orders import woo_orders

BATCH = 100  # orders a call: channel-sync's batch, the import's limit


def parse_args(argv):
    parser = worker_parser()
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--profile", default="", help="write cProfile stats of each way to PREFIX.<way>.prof")
    return parser.parse_args(argv)


def store_orders(count, customers, domain, first, rng):
    """Normalised orders as channel-sync sends them: WooCommerce orders through its mapper."""
    from shop_connectors.platforms.woocommerce.mapper import map_order

    raw = woo_orders(first, count, customers, rng, lambda _order_id: "2026-12-08T09:00:00Z", domain)
    return [map_order(order) for order in raw]


def odoo_way(env):
    """What an integration written straight on Odoo does for each order, in the same process: find the
    customer by e-mail or make it, one sale.order create with its lines (products by SKU, the 20 % tax),
    confirm it."""
    from odoo import Command

    Partner, Product = env["res.partner"], env["product.product"]
    tax = env["account.tax"].search(
        [("amount", "=", 20.0), ("type_tax_use", "=", "sale"), ("price_include", "=", False)], limit=1
    )

    def work(chunk):
        for data in chunk:
            billing = data["billing"]
            partner = Partner.search([("email", "=", billing["email"])], limit=1) or Partner.create(
                {
                    "name": billing["name"],
                    "email": billing["email"],
                    "street": billing["street"],
                    "city": billing["city"],
                    "zip": billing["zip"],
                }
            )
            lines = [
                Command.create(
                    {
                        "product_id": Product.search([("default_code", "=", line["sku"])], limit=1).id,
                        "product_uom_qty": float(line["qty"]),
                        "price_unit": float(line["unit_price"]),
                        "tax_ids": [Command.set(tax.ids)],
                    }
                )
                for line in data["lines"]
            ]
            order = env["sale.order"].create(
                {"partner_id": partner.id, "client_order_ref": data["number"], "order_line": lines}
            )
            order.action_confirm()

    return work


def main(argv):
    args = parse_args(argv)
    registry = odoo_registry(args)
    from odoo import SUPERUSER_ID, api

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        from odoo.addons.channel_fulfilment.tests.store_common import StoreData

        class Setup(StoreData):
            pass

        Setup.env = env
        Setup._setup_store_data()
        cr.commit()
        rng = random.Random(17)
        ours = store_orders(args.orders, args.customers, "ours.example", 1, rng)
        theirs = store_orders(args.orders, args.customers, "odoo.example", args.orders + 1, rng)
        sale_order = env["sale.order"]

        def import_batch(chunk):
            answers = sale_order.channel_import_orders("woo-main", chunk)
            failed = [a for a in answers if a["result"] not in ("created", "updated", "unchanged")]
            if failed:
                raise SystemExit(f"odoo_import: {len(failed)} orders not imported, e.g. {failed[0]}")

        ways = {"ours": (ours, import_batch), "odoo": (theirs, odoo_way(env))}
        spent, queries = timed_chunks(cr, ways, args.profile, chunk_size=BATCH)
        again_spent, again_queries = timed_chunks(cr, {"again": (ours, import_batch)}, chunk_size=BATCH)
        imported = sale_order.search([("channel_store", "=", "woo-main")])
        result = {
            "orders": args.orders,
            "customers": args.customers,
            "spent": {**spent, **again_spent},
            "queries": {**queries, **again_queries},
            "imported": len(imported),
            "in_review": len(imported.filtered(lambda order: order.inbox_state == "review")),
            "customers_made": {
                way: env["res.partner"].search_count([("email", "=like", f"%@{way}.example")])
                for way in ("ours", "odoo")
            },
        }
        cr.commit()
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
