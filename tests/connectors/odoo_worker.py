"""Runs inside Odoo's own Python (bench._odoo.OdooDatabase.run_worker) for the end-to-end connector tests.

`setup`: the addon tests' own store data (distributors with offers for SKU-DOCK / SKU-MOUSE / ..., the
taxes VAT 20 %, VAT 20 % incl., VAT 5 %, a GBP pricelist, round per line) and the connector user in
`group_store_connector` with an API key an admin made without expiry; prints RESULT {"key": ...}.
`ship STORE EXTERNAL_ID TRACKING`: Ship the imported order (drop-ship POs, sent) and let each PO's
distributor send a ship notice with that tracking number, as a distributor would.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench._odoo import odoo_registry, worker_parser


def main() -> None:
    parser = worker_parser()
    parser.add_argument("command", choices=("setup", "ship"))
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
            key = (
                env["res.users.apikeys"]
                .with_user(Setup.connector)
                .sudo()
                ._generate(None, "channel-sync", None)
            )
            # The naive import script of bench/connectors.py runs as an administrator, as such scripts do.
            admin = env.ref("base.user_admin")
            admin_key = env["res.users.apikeys"].with_user(admin).sudo()._generate(None, "naive script", None)
            result = {"key": key, "login": Setup.connector.login, "admin_key": admin_key}
        else:
            from odoo.addons.channel_fulfilment.tests.common import build_ship_notice

            store, external_id, tracking = args.args
            order = env["sale.order"].search(
                [("channel_store", "=", store), ("channel_external_id", "=", external_id)]
            )
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
            result = {"state": order.inbox_state, "pickings": order.channel_purchase_ids.picking_ids.ids}
        cr.commit()
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
