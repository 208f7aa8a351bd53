"""Runs inside Odoo's own Python (bench._odoo.OdooDatabase.run_worker) for the end-to-end connector tests.

`setup`: the addon tests' own store data (distributors with offers for SKU-DOCK / SKU-MOUSE / ..., the
taxes VAT 20 %, VAT 20 % incl., VAT 5 %, a GBP pricelist, round per line) and the connector user — only
`group_store_connector`, with an API key an admin made without expiry (`_channel_new_store_connector`,
as docs/odoo.md has an administrator do) — and an administrator's key for what only a person may read;
prints RESULT {"key": ..., "admin_key": ...}.
`ship STORE EXTERNAL_ID TRACKING`: Ship the imported order (drop-ship POs, sent) and let each PO's
distributor send a ship notice with that tracking number, as a distributor would.
`ship-all`: the same for every store order still before Ship (tracking 1Z<store><id>); prints how many.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench._odoo import odoo_registry, worker_parser


def ship(env, order, tracking: str) -> None:
    from odoo.addons.channel_fulfilment.tests.common import build_ship_notice

    order.action_ship()
    order.channel_purchase_ids._channel_send()
    for po in order.channel_purchase_ids:
        status, answer = env["channel.cxml.document"]._channel_receive(
            build_ship_notice(
                po,
                tracking=(tracking,),
                carrier="UPS",
                tracking_url=f"https://ups.example/track?n={tracking}",
            )
        )
        if status != 200:
            raise SystemExit(f"ship notice refused: {status} {answer}")


def main() -> None:
    parser = worker_parser()
    parser.add_argument("command", choices=("setup", "ship", "ship-all"))
    parser.add_argument("args", nargs="*")
    args = parser.parse_args()
    registry = odoo_registry(args)

    from odoo import SUPERUSER_ID, api

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        if args.command == "setup":
            from odoo.addons.channel_fulfilment.tests.store_common import StoreData

            class Setup(StoreData):
                pass

            Setup.env = env
            Setup._setup_store_data()
            key = Setup.connector_key
            # The naive import script of bench/connectors.py runs as an administrator, as such scripts do.
            admin = env.ref("base.user_admin")
            admin_key = env["res.users.apikeys"].with_user(admin).sudo()._generate(None, "naive script", None)
            result = {"key": key, "login": Setup.connector.login, "admin_key": admin_key}
        elif args.command == "ship":
            store, external_id, tracking = args.args
            order = env["sale.order"].search(
                [("channel_store", "=", store), ("channel_external_id", "=", external_id)]
            )
            ship(env, order, tracking)
            result = {"state": order.inbox_state, "pickings": order.channel_purchase_ids.picking_ids.ids}
        else:
            orders = env["sale.order"].search(
                [("channel_store", "!=", False), ("inbox_state", "in", ("new", "ready"))]
            )
            for order in orders:
                ship(env, order, f"1Z{order.channel_store.upper()}{order.channel_external_id}")
            result = {"shipped": len(orders)}
        cr.commit()
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
