"""Runs inside Odoo's own Python (started by bench/odoo_ship.py): builds the data, ships the orders both
ways, prints one JSON line with the timings. Not a benchmark on its own (the name starts with "_").

    python bench/_odoo_ship_worker.py --db DB --addons-path … --orders 500 --lines 3 --distributors 4
"""

from __future__ import annotations

import cProfile
import json
import random
import sys
import time

from bench._odoo import odoo_registry, worker_parser

CHUNK = 50  # orders per transaction, both ways, as the inbox cron commits its batches


def parse_args(argv):
    parser = worker_parser()
    parser.add_argument("--orders", type=int, default=500)
    parser.add_argument("--lines", type=int, default=3)
    parser.add_argument("--distributors", type=int, default=4)
    parser.add_argument("--products", type=int, default=60)
    parser.add_argument(
        "--send", type=int, default=50, help="POs to send (timed): a sample, e-mails render PDFs"
    )
    parser.add_argument("--profile", default="", help="write cProfile stats of each way to PREFIX.<way>.prof")
    return parser.parse_args(argv)


def build_data(env, args, cxml_url):
    from odoo import Command

    rng = random.Random(42)
    company = env.company
    # Odoo's own route below must stay Odoo's: confirmed quotations do not enter the inbox here.
    company.write(
        {
            "channel_inbox_quotations": False,
            "street": "10 Reseller Road",
            "city": "Leeds",
            "zip": "LS1 1AA",
            "country_id": env.ref("base.uk").id,
            "channel_cxml_domain": "bench.example",
        }
    )
    uk = env.ref("base.uk")
    freight_rules = [
        {"freight_type": "flat", "freight_charge": 9.95, "freight_free_over": 250.0},
        {
            "freight_type": "weight",
            "freight_per_kg_over": 1.1,
            "freight_band_ids": [
                Command.create({"max_kg": 2, "charge": 7.5}),
                Command.create({"max_kg": 30, "charge": 25.0}),
            ],
        },
        {"freight_type": "none", "small_order_threshold": 50.0, "small_order_charge": 5.0},
        {"freight_type": "flat", "freight_charge": 4.95},
    ]
    distributors = env["res.partner"]
    for n in range(args.distributors):
        values = {
            "name": f"Bench Distributor {n + 1}",
            "is_company": True,
            "is_distributor": True,
            "engine_id": f"BD{n + 1}",
            "email": f"orders@bd{n + 1}.example",
            "supplier_rank": 1,
            "street": "1 Depot Way",
            "city": "Reading",
            "zip": "RG1 1AA",
            "country_id": uk.id,
            **freight_rules[n % len(freight_rules)],
        }
        if n == 0:  # one distributor takes cXML, on a real HTTP endpoint
            values.update(
                {
                    "po_channel": "cxml",
                    "cxml_url": cxml_url,
                    "cxml_from_identity": "BENCH",
                    "cxml_sender_identity": "BENCH",
                    "cxml_to_identity": "BD1-UK",
                    "cxml_shared_secret": "bench-secret",
                }
            )
        distributors |= env["res.partner"].create(values)
    products = env["product.product"].create(
        [
            {
                "name": f"Bench item {n:03d}",
                "default_code": f"BENCH-{n:03d}",
                "type": "consu",
                "list_price": rng.choice([15, 40, 90, 250, 600]),
                "weight": rng.choice([0.2, 0.5, 1.0, 2.5]),
            }
            for n in range(args.products)
        ]
    )
    env["product.supplierinfo"].create(
        [
            {
                "partner_id": dist.id,
                "product_tmpl_id": product.product_tmpl_id.id,
                "min_qty": 0,
                "price": round(product.list_price * rng.uniform(0.6, 0.8), 2),
                "distributor_stock": rng.randint(0, 200),
                "product_code": f"{dist.engine_id}-{product.default_code}",
                "stock_source": "feed",
            }
            for product in products
            for dist in distributors
        ]
    )
    customer = env["res.partner"].create(
        {
            "name": "Bench Customer Ltd",
            "is_company": True,
            "street": "7 Dock Road",
            "city": "Salford",
            "zip": "M50 2EQ",
            "country_id": uk.id,
            "email": "buyer@bench.example",
        }
    )
    dropship = env.ref("stock_dropshipping.route_drop_shipping")

    def orders(inbox):
        vals = []
        for n in range(args.orders):
            lines = rng.sample(list(products), args.lines)
            vals.append(
                {
                    "partner_id": customer.id,
                    **(
                        {
                            "channel_source": "store",
                            "channel_store": "bench",
                            "channel_external_id": f"B{n}",
                            "channel_payment_state": "paid",
                        }
                        if inbox
                        else {}
                    ),
                    "order_line": [
                        Command.create(
                            {
                                "product_id": p.id,
                                "product_uom_qty": rng.randint(1, 4),
                                **({} if inbox else {"route_ids": [Command.set(dropship.ids)]}),
                            }
                        )
                        for p in lines
                    ],
                }
            )
        return env["sale.order"].create(vals)

    return orders(inbox=True), orders(inbox=False), orders(inbox=False)


def confirm_and_order(orders):
    orders.action_confirm()
    orders._get_purchase_orders().button_confirm()


def timed_chunks(cr, ways, profile_prefix="", chunk_size=CHUNK):
    """ways: {name: (records, work)}. Chunk by chunk, each way in turn runs `work(chunk)` and commits, so
    neither gets a warmer cache or a smaller database than the other; seconds spent and SQL queries run
    (the cursor's count, the commit left out) per way. With a profile prefix, each way runs under
    cProfile and its stats go to PREFIX.<way>.prof (slower: compare the timings of a run without it)."""
    spent = dict.fromkeys(ways, 0.0)
    queries = dict.fromkeys(ways, 0)
    profiles = {name: cProfile.Profile() for name in ways} if profile_prefix else {}
    size = max(len(records) for records, _work in ways.values())
    for start in range(0, size, chunk_size):
        for name, (records, work) in ways.items():
            chunk = records[start : start + chunk_size]
            if not chunk:
                continue
            profiler = profiles.get(name)
            began = time.perf_counter()
            if profiler:
                profiler.enable()
            counted = cr.sql_log_count
            work(chunk)
            queries[name] += cr.sql_log_count - counted
            cr.commit()
            if profiler:
                profiler.disable()
            spent[name] += time.perf_counter() - began
    for name, profiler in profiles.items():
        profiler.dump_stats(f"{profile_prefix}.{name}.prof")
    return spent, queries


def main(argv):
    args = parse_args(argv)
    registry = odoo_registry(args)
    from odoo import SUPERUSER_ID, api

    from fulfilment_engine.documents import cxml
    from fulfilment_engine.simulators.cxml_supplier import CxmlSupplierSimulator

    with (
        CxmlSupplierSimulator(
            buyer=cxml.Credential("NetworkID", "BENCH", "bench-secret"),
            supplier=cxml.Credential("NetworkID", "BD1-UK", "bd1-in"),
        ) as supplier,
        registry.cursor() as cr,
    ):
        env = api.Environment(cr, SUPERUSER_ID, {})
        inbox_orders, odoo_orders, odoo_confirmed = build_data(env, args, supplier.url)
        cr.commit()
        spent, queries = timed_chunks(
            cr,
            {
                "odoo": (odoo_orders, lambda chunk: chunk.action_confirm()),
                "ours": (inbox_orders, lambda chunk: chunk.action_ship()),
                # Odoo's route as far as ours goes: the buyer then confirms the RFQs (drop-ship pickings).
                "odoo_confirmed": (odoo_confirmed, confirm_and_order),
            },
            args.profile,
        )
        purchases = inbox_orders.channel_purchase_ids
        sample = purchases.sorted("id")[: args.send]
        send = (
            timed_chunks(cr, {"send": (sample, lambda chunk: chunk._channel_send())})[0]["send"]
            if sample
            else 0.0
        )
        ours, theirs, theirs_confirmed = spent["ours"], spent["odoo"], spent["odoo_confirmed"]
        result = {
            "orders": args.orders,
            "lines": args.lines,
            "distributors": args.distributors,
            "ours_s": ours,
            "send_s": send,
            "odoo_s": theirs,
            "odoo_confirmed_s": theirs_confirmed,
            "queries": queries,
            "ours_pos": len(inbox_orders.channel_purchase_ids),
            "ours_pos_confirmed": len(
                inbox_orders.channel_purchase_ids.filtered(lambda p: p.state == "purchase")
            ),
            "send_sample": len(sample),
            "ours_sent": len(sample.filtered(lambda p: p.channel_send_state in ("sent", "emailed"))),
            "ours_shipped": len(inbox_orders.filtered(lambda o: o.channel_purchase_ids)),
            "odoo_pos": len(odoo_orders._get_purchase_orders()),
            "odoo_confirmed_pos": len(
                odoo_confirmed._get_purchase_orders().filtered(lambda p: p.state == "purchase")
            ),
            "odoo_distributors": len(odoo_orders._get_purchase_orders().partner_id),
            "ours_distributors": len(inbox_orders.channel_purchase_ids.partner_id),
            "cxml_orders_received": len(supplier.orders),
        }
    print("RESULT " + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
