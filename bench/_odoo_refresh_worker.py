"""Runs inside Odoo's own Python (started by bench/odoo_refresh.py): fills an offer store and Odoo with the
same catalogue, times the bulk offer refresh (first: vendor lines created; then the next day's feed:
updated) and a naive ORM loop on a sample, and the product search of an order line (as an inbox user
types in it) right after the bulk load and after the ANALYZEs; prints one RESULT JSON line. Not a
benchmark on its own.
"""

from __future__ import annotations

import csv
import json
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from bench._odoo import odoo_registry, worker_parser
from bench.feeds import generate


def parse_args(argv):
    parser = worker_parser()
    parser.add_argument("--products", type=int, default=20_000)
    parser.add_argument("--distributors", type=int, default=4)
    parser.add_argument("--naive", type=int, default=2_000, help="offers the naive loop writes (sample)")
    return parser.parse_args(argv)


def timed(cr, action):
    started = time.perf_counter()
    result = action()
    cr.commit()
    return time.perf_counter() - started, result


def naive_loop(env, store, partner_by_engine, product_by_sku, limit):
    """What a module without a bulk path does: per offer, find the vendor line and write it (or create)."""
    Supplierinfo = env["product.supplierinfo"]
    written = 0
    skus = list(product_by_sku)
    now = datetime.now().replace(microsecond=0)
    for start in range(0, len(skus), 500):
        for offer in store.offers_for(skus[start : start + 500]):
            partner = partner_by_engine.get(offer.distributor)
            if partner is None:
                continue
            product = product_by_sku[offer.sku]
            values = {
                "price": float(offer.cost),
                "distributor_stock": max(int(offer.stock), 0),
                "product_code": offer.distributor_sku or offer.sku,
                "stock_source": "feed",
                "stock_updated_at": now,
            }
            line = Supplierinfo.search(
                [("partner_id", "=", partner.id), ("product_id", "=", product.id)], limit=1
            )
            if line:
                line.write(values)
            else:
                Supplierinfo.create(
                    {
                        **values,
                        "partner_id": partner.id,
                        "product_tmpl_id": product.product_tmpl_id.id,
                        "product_id": product.id,
                    }
                )
            written += 1
            if written >= limit:
                env.flush_all()
                return written
    env.flush_all()
    return written


def product_search(env, user, customer, terms, repeat=3):
    """The order line's product search as the form's product field asks it (product.template and, for
    the variant column, product.product; sale_ok, the customer in the context) for each term: the median
    seconds per term over `repeat` rounds, each on a cold ORM cache."""
    times = []
    for _round in range(repeat):
        for term in terms:
            env.invalidate_all()
            started = time.perf_counter()
            for model in ("product.template", "product.product"):
                env[model].with_user(user).with_context(partner_id=customer.id).name_search(
                    term, [("sale_ok", "=", True)], limit=8
                )
            times.append(time.perf_counter() - started)
    return statistics.median(times)


def main(argv):
    args = parse_args(argv)
    registry = odoo_registry(args)
    from odoo import SUPERUSER_ID, api

    from fulfilment_engine.store import OfferStore, load_sample

    with tempfile.TemporaryDirectory(prefix="cf-bench-refresh-") as tmp:
        tmp = Path(tmp)
        generate(tmp / "day0", args.products, args.distributors, 0)
        generate(tmp / "day1", args.products, args.distributors, 1)
        url = f"sqlite:///{tmp / 'offers.sqlite'}"
        store = OfferStore.open(url)
        assert load_sample(store, tmp / "day0").ok
        distributors = json.loads((tmp / "day0" / "distributors.json").read_text())
        with (tmp / "day0" / "products.csv").open(newline="", encoding="utf-8") as handle:
            catalogue = list(csv.DictReader(handle))

        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env.company.channel_offer_store_url = url
            partner_by_engine = {
                d["id"]: env["res.partner"].create(
                    {"name": d["name"], "is_company": True, "is_distributor": True, "engine_id": d["id"]}
                )
                for d in distributors
            }
            products = env["product.product"].create(
                [
                    {"name": row["description"][:120], "default_code": row["sku"], "type": "consu"}
                    for row in catalogue
                ]
            )
            product_by_sku = {p.default_code: p for p in products}
            user = env["res.users"].create(
                {
                    "name": "Bench inbox user",
                    "login": "bench-inbox",
                    "group_ids": [(6, 0, [env.ref("channel_fulfilment.group_inbox_user").id])],
                }
            )
            customer = env["res.partner"].create({"name": "Bench customer", "customer_rank": 1})
            sample = catalogue[len(catalogue) // 2]
            words = sample["description"].split()
            terms = [sample["sku"], words[0], words[len(words) // 2], "zzz-none"]  # SKU, brand, a word, none
            cr.commit()
            Supplierinfo = env["product.supplierinfo"]
            # The catalogue was just bulk-created: no ANALYZE yet (autovacuum, where on, comes later).
            search_loaded_s = product_search(env, user, customer, terms)

            first_s, first = timed(cr, Supplierinfo._channel_refresh_offers)  # ends with its ANALYZE
            search_refreshed_s = product_search(env, user, customer, terms)
            cr.execute("ANALYZE product_template, product_product")  # what the demo's loading ends with
            cr.commit()
            search_analyzed_s = product_search(env, user, customer, terms)
            load_sample(store, tmp / "day1")  # the next day's feeds: new stock and costs
            again_s, again = timed(cr, Supplierinfo._channel_refresh_offers)
            load_sample(store, tmp / "day0")  # and back, so the naive loop has something to change
            naive_s, naive_rows = timed(
                cr, lambda: naive_loop(env, store, partner_by_engine, product_by_sku, args.naive)
            )
        store.close()
    result = {
        "products": len(catalogue),
        "distributors": len(distributors),
        "first_s": first_s,
        "first": first,
        "again_s": again_s,
        "again": again,
        "naive_s": naive_s,
        "naive_rows": naive_rows,
        "search_terms": terms,
        "search_loaded_s": search_loaded_s,
        "search_refreshed_s": search_refreshed_s,
        "search_analyzed_s": search_analyzed_s,
    }
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
