"""Runs inside Odoo's own Python (started by bench/touchless.py) after tests/connectors/odoo_worker.py setup:
the touchless benchmark's catalogue. Not a benchmark on its own (the name starts with "_").

- clean SKUs (TL-CLEAN-n), stocked in depth at ING, TD, WC and EX, each at its own cost;
- TL-NOSTOCK: offered by every distributor, stock 0 everywhere;
- TL-LIVE: offered only by ING (its real-time price is set above this feed price by the bench);
- TL-DOWN: offered only by the distributor DN, ordered by cXML at an endpoint that is down;
- TL-ING-LOST, TL-ING-BACK, TL-ING-PART, TL-ING-BILL: offered only by ING (ordered over Ingram's API), for
  the Ingram anomalies (a lost create answer, a backorder, a partial shipment, a bill with a difference).
- TL-MAIL-n: stocked in depth only at the two distributors that take PDF orders by e-mail and answer with
  dispatch e-mails (bench/_touchless_mail.py), VP and TG.

Prints RESULT {"currency", "clean": {sku: cost}, "ingram_parts": {part: [stock, price]}, "live_part",
"live_cost", "down": engine id, "ingram_only", "ingram_only_costs", "mail": {sku: engine id}}: what the
bench needs for the store orders and Ingram's real-time table.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._odoo import odoo_registry, worker_parser

CLEAN = {  # sku: (ING, TD, WC, EX) cost
    "TL-CLEAN-1": (40.0, 41.0, 42.0, 43.0),
    "TL-CLEAN-2": (95.0, 93.0, 97.0, 99.0),
    "TL-CLEAN-3": (12.0, 12.5, 11.5, 13.0),
    "TL-CLEAN-4": (250.0, 255.0, 245.0, 260.0),
    "TL-CLEAN-5": (18.0, 17.0, 19.0, 18.5),
    "TL-CLEAN-6": (60.0, 62.0, 61.0, 59.0),
}
MAIL = {  # sku: (engine id of the e-mail distributor stocking it, cost)
    "TL-MAIL-1": ("VP", 33.0),
    "TL-MAIL-2": ("VP", 120.0),
    "TL-MAIL-3": ("TG", 14.0),
    "TL-MAIL-4": ("TG", 75.0),
}
MAIL_DISTRIBUTORS = {"VP": ("VIP Computers", "vip.example"), "TG": ("Target Components", "target.example")}
DEEP_STOCK = 1_000_000
LIVE_COST = 80.0
DOWN = "DN"
INGRAM_ONLY = {"TL-ING-LOST": 300.0, "TL-ING-BACK": 280.0, "TL-ING-PART": 320.0, "TL-ING-BILL": 310.0}


def build(env) -> dict:
    from odoo.addons.channel_fulfilment.tests.common import OUR_IDENTITY, OUR_SECRET, offered_product

    distributors = {p.engine_id: p for p in env["res.partner"].search([("is_distributor", "=", True)])}
    down = env["res.partner"].create(
        {
            "name": "Downtime Distribution",
            "is_company": True,
            "is_distributor": True,
            "engine_id": DOWN,
            "email": "orders@dn.example",
            "street": "1 Quiet Lane",
            "city": "Reading",
            "zip": "RG1 1AA",
            "country_id": env.ref("base.uk").id,
            "supplier_rank": 1,
            "freight_type": "none",
            "cxml_from_identity": OUR_IDENTITY,
            "cxml_sender_identity": OUR_IDENTITY,
            "cxml_to_identity": f"{DOWN}-UK",
            "cxml_shared_secret": OUR_SECRET,
            "cxml_inbound_secret": "dn-inbound-secret",
        }
    )

    def product(sku, offers):
        price = max(cost for _partner, cost, _stock in offers) * 1.6
        return offered_product(env, sku, f"Bench {sku}", price, 0.5, offers)

    for engine_id, (name, domain) in MAIL_DISTRIBUTORS.items():  # PDF orders by e-mail, the default
        distributors[engine_id] = env["res.partner"].create(
            {
                "name": name,
                "is_company": True,
                "is_distributor": True,
                "engine_id": engine_id,
                "email": f"orders@{domain}",
                "street": "2 Mail Road",
                "city": "Worcester",
                "zip": "WR3 8SG",
                "country_id": env.ref("base.uk").id,
                "supplier_rank": 1,
                "freight_type": "none",
            }
        )
    four = [distributors[e] for e in ("ING", "TD", "WC", "EX")]
    for sku, costs in CLEAN.items():
        product(sku, [(partner, cost, DEEP_STOCK) for partner, cost in zip(four, costs, strict=True)])
    product("TL-NOSTOCK", [(partner, 30.0, 0) for partner in four])
    product("TL-LIVE", [(distributors["ING"], LIVE_COST, DEEP_STOCK)])
    product("TL-DOWN", [(down, 35.0, DEEP_STOCK)])
    for sku, cost in INGRAM_ONLY.items():
        product(sku, [(distributors["ING"], cost, DEEP_STOCK)])
    for sku, (engine_id, cost) in MAIL.items():
        product(sku, [(distributors[engine_id], cost, DEEP_STOCK)])
    # Ingram's real-time table holds every part it offers at its feed figures (the bench moves TL-LIVE's).
    ingram_parts = {
        info.product_code: [info.distributor_stock, info.price]
        for info in env["product.supplierinfo"].search([("partner_id", "=", distributors["ING"].id)])
    }
    return {
        "currency": env.company.currency_id.name,
        "clean": {sku: min(costs) for sku, costs in CLEAN.items()} | {s: c for s, (_e, c) in MAIL.items()},
        "ingram_parts": ingram_parts,
        "live_part": "ING-TL-LIVE",
        "live_cost": LIVE_COST,
        "down": DOWN,
        "ingram_only": {sku: f"ING-{sku}" for sku in INGRAM_ONLY},
        "ingram_only_costs": INGRAM_ONLY,
        "mail": {sku: engine_id for sku, (engine_id, _cost) in MAIL.items()},
    }


def main() -> None:
    args = worker_parser().parse_args()
    registry = odoo_registry(args)
    from odoo import SUPERUSER_ID, api

    with registry.cursor() as cr:
        result = build(api.Environment(cr, SUPERUSER_ID, {}))
        cr.commit()
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
