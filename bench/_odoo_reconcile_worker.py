"""Runs inside Odoo's own Python (started by bench/reconcile.py): ships 2 × N drop-ship purchase orders,
then bills N of them by distributor invoices (cXML InvoiceDetailRequest, 10 % with a difference) and the
other N through Odoo's own PO → bill action; prints one JSON line. Not a benchmark on its own.
"""

from __future__ import annotations

import json
import random
import sys
from datetime import UTC, datetime
from decimal import Decimal

from bench._odoo import odoo_registry, worker_parser
from bench._odoo_ship_worker import timed_chunks

KINDS = ("price", "freight", "quantity")


def parse_args(argv):
    parser = worker_parser()
    parser.add_argument("--invoices", type=int, default=1000)
    parser.add_argument("--differ", type=float, default=0.10)
    parser.add_argument("--products", type=int, default=40)
    parser.add_argument("--profile", default="", help="write cProfile stats of each way to PREFIX.<way>.prof")
    return parser.parse_args(argv)


def build_orders(env, args):
    """2 × N inbox orders of 1-3 lines at one cXML distributor, shipped, their deliveries done."""
    from odoo import Command

    rng = random.Random(7)
    company = env.company
    uk = env.ref("base.uk")
    company.write(
        {
            "channel_inbox_quotations": False,
            "street": "10 Reseller Road",
            "city": "Leeds",
            "zip": "LS1 1AA",
            "country_id": uk.id,
            "channel_cxml_domain": "bench.example",
        }
    )
    distributor = env["res.partner"].create(
        {
            "name": "Bench Distributor",
            "is_company": True,
            "is_distributor": True,
            "engine_id": "BD",
            "email": "orders@bd.example",
            "supplier_rank": 1,
            "street": "1 Depot Way",
            "city": "Reading",
            "zip": "RG1 1AA",
            "country_id": uk.id,
            "freight_type": "flat",
            "freight_charge": 9.95,
            "freight_free_over": 250.0,
            "cxml_to_identity": "BD-UK",
            "cxml_inbound_secret": "bd-inbound",
        }
    )
    products = env["product.product"].create(
        [
            {
                "name": f"Bench item {n:03d}",
                "default_code": f"BENCH-{n:03d}",
                "type": "consu",
                "list_price": rng.choice([15, 40, 90, 250]),
                "weight": 0.5,
            }
            for n in range(args.products)
        ]
    )
    env["product.supplierinfo"].create(
        [
            {
                "partner_id": distributor.id,
                "product_tmpl_id": product.product_tmpl_id.id,
                "min_qty": 0,
                "price": round(product.list_price * rng.uniform(0.6, 0.8), 2),
                "distributor_stock": 100000,
                "product_code": f"BD-{product.default_code}",
                "stock_source": "feed",
            }
            for product in products
        ]
    )
    customer = env["res.partner"].create(
        {
            "name": "Bench Customer Ltd",
            "street": "7 Dock Road",
            "city": "Salford",
            "zip": "M50 2EQ",
            "country_id": uk.id,
            "email": "buyer@bench.example",
        }
    )
    orders = env["sale.order"].create(
        [
            {
                "partner_id": customer.id,
                "channel_source": "store",
                "channel_store": "bench",
                "channel_external_id": f"R{n}",
                "channel_payment_state": "paid",
                "order_line": [
                    Command.create({"product_id": p.id, "product_uom_qty": rng.randint(1, 4)})
                    for p in rng.sample(list(products), rng.randint(1, 3))
                ],
            }
            for n in range(2 * args.invoices)
        ]
    )
    for start in range(0, len(orders), 50):
        chunk = orders[start : start + 50]
        chunk.action_ship()
        pickings = chunk.channel_purchase_ids.picking_ids
        for move in pickings.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        pickings.with_context(skip_backorder=True, picking_ids_not_to_backorder=[]).button_validate()
        env.cr.commit()
    purchases = orders.channel_purchase_ids.sorted("id")
    return distributor, purchases[: args.invoices], purchases[args.invoices : 2 * args.invoices]


def invoice_body(po, distributor, kind):
    """The distributor's InvoiceDetailRequest for `po`; `kind` names the difference it carries, if any."""
    from fulfilment_engine.documents import cxml
    from fulfilment_engine.documents import invoice as cxml_invoice

    goods = po.order_line.filtered(lambda pol: pol.channel_line_number and not pol.channel_charge_type)
    freight = sum(
        po.order_line.filtered(lambda pol: pol.channel_charge_type == "freight").mapped("price_subtotal")
    )
    lines = []
    for i, pol in enumerate(goods.sorted("channel_line_number"), 1):
        quantity = Decimal(str(pol.product_qty))
        price = Decimal(str(pol.price_unit))
        if i == 1 and kind == "price":
            price = (price * Decimal("1.03")).quantize(Decimal("0.01")) + Decimal("1.00")
        if i == 1 and kind == "quantity":
            quantity += 1  # billed before it was shipped
        lines.append(
            cxml_invoice.InvoiceLine(
                i, quantity, price, pol.channel_line_number, po.name, f"BD-{pol.product_id.default_code}"
            )
        )
    shipping = Decimal(str(freight)) if freight else None
    if kind == "freight":
        shipping = (shipping or Decimal(0)) + Decimal("4.55")
    now = datetime.now(UTC)
    doc = cxml_invoice.Invoice(
        payload_id=f"inv-{po.name}@bd.example",
        invoice_id=f"BD-INV-{po.name}",
        purpose="standard",
        invoice_date=now,
        order_ids=(po.name,),
        order_payload_ids=((po.name, f"{po.name}.r0@bench.example"),),
        lines=tuple(lines),
        sender=cxml.Credential("NetworkID", distributor.cxml_to_identity, distributor.cxml_inbound_secret),
        currency=po.currency_id.name,
        shipping=shipping,
    )
    return cxml_invoice.build_invoice_detail_request(doc)


def main(argv):
    args = parse_args(argv)
    registry = odoo_registry(args)
    from odoo import SUPERUSER_ID, api, fields

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        distributor, ours, theirs = build_orders(env, args)
        cr.commit()
        rng = random.Random(11)
        differing = set(rng.sample(range(len(ours)), round(len(ours) * args.differ)))
        rank = {n: r for r, n in enumerate(sorted(differing))}  # each kind of difference in turn
        kinds = {
            po.id: (KINDS[rank[n] % len(KINDS)] if n in differing else None) for n, po in enumerate(ours)
        }
        bodies = {po.id: invoice_body(po, distributor, kinds[po.id]) for po in ours}
        Documents = env["channel.cxml.document"]
        statuses = []

        def receive(chunk):
            for po in chunk:
                statuses.append(Documents._channel_receive(bodies[po.id])[0])

        def odoo_bill(chunk):
            # Odoo's own PO → bill (action_create_invoice) and posting, one bill per PO as a person makes
            # them (on several POs at once Odoo makes one bill per vendor), without our matcher in the way.
            for po in chunk.with_context(channel_matching=True, channel_matched=True):
                po.action_create_invoice()
                bill = po.invoice_ids.filtered(lambda m: m.state == "draft")
                bill.invoice_date = fields.Date.context_today(bill)
                bill.action_post()

        spent, _queries = timed_chunks(
            cr, {"ours": (ours, receive), "odoo": (theirs, odoo_bill)}, args.profile
        )
        env.invalidate_all()
        posted = review = caught = false_alarms = 0
        by_kind = dict.fromkeys(KINDS, 0)
        for po in ours:
            bill = po.invoice_ids[:1]
            kind = kinds[po.id]
            if bill.state == "posted":
                posted += 1
            elif bill.channel_review_state == "review":
                review += 1
                if kind:
                    caught += 1
                    by_kind[kind] += 1
                else:
                    false_alarms += 1
        result = {
            "invoices": len(ours),
            "differing": len(differing),
            "ours_s": spent["ours"],
            "odoo_s": spent["odoo"],
            "posted": posted,
            "review": review,
            "caught": caught,
            "caught_by_kind": by_kind,
            "false_alarms": false_alarms,
            "answers_200": statuses.count(200),
            "odoo_bills": len(theirs.invoice_ids.filtered(lambda m: m.state == "posted")),
        }
    print("RESULT " + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
