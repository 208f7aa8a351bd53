"""Back to the store: what channel-sync should tell a store, and the keys it has told it already.

`channel_pending_updates(store)` lists, oldest first, each done drop-ship delivery's tracking (one
`tracking:<picking>:<number>` per number, for WooCommerce), the delivery as a whole
(`fulfillment:<picking>`, for Shopify) and `completed:<order>` once the order is shipped and every tracking
key of it acknowledged — so a WooCommerce customer never gets the "completed" e-mail before the tracking.
`channel_updates_sent(store, keys)` records what the store accepted; a recorded key is never listed again.
Every key listed is kept (channel.store.update, not acknowledged yet), and only a key listed to that store
is accepted: a connector's key cannot silence another store's updates or fill the table with made-up ones.
Tracking is Odoo's own `carrier_tracking_ref`: a distributor's ship notice fills it, and so does a person
who types a number and validates the delivery.
"""

from odoo import api, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

MAX_PENDING_UPDATES = 500
PICKING_CHUNK = 200
# Which update kinds a platform uses (a store whose platform Odoo does not know gets them all).
PLATFORM_KINDS = {
    "woocommerce": ("tracking", "completed"),
    "shopify": ("fulfillment",),
}


class SaleOrder(models.Model):
    _inherit = "sale.order"

    @api.model
    def channel_pending_updates(self, store):
        """What the store should be told, oldest first, at most 500, without the keys it acknowledged."""
        store_record = self._channel_connector_store(store)
        kinds = PLATFORM_KINDS.get(store_record.platform, ("tracking", "fulfillment", "completed"))
        self = self.sudo()  # the connector has no model access (res_users.py); it reads its store's only
        updates = []
        if {"tracking", "fulfillment"} & set(kinds):
            updates += self._channel_delivery_updates(store_record, kinds)
        if "completed" in kinds and len(updates) < MAX_PENDING_UPDATES:
            updates += self._channel_completed_updates(store_record)
        updates = updates[:MAX_PENDING_UPDATES]
        self._channel_keep_listed(store_record, [update["key"] for update in updates])
        return updates

    @api.model
    def channel_updates_sent(self, store, keys):
        """Record the keys the store accepted (idempotent); the number newly recorded. Every key must be
        one channel_pending_updates listed to this store; else nothing is recorded and the answer names
        the first that was not."""
        store_record = self._channel_connector_store(store)
        self = self.sudo()
        if not isinstance(keys, list) or not all(isinstance(key, str) and key for key in keys):
            raise ValidationError(self.env._("keys: a list of non-empty strings is expected."))
        if not keys:
            return 0
        keys = list(dict.fromkeys(keys))
        self.env["channel.store.update"].flush_model()
        self.env.cr.execute(
            SQL(
                "SELECT key FROM channel_store_update WHERE store_id = %s AND key = ANY(%s::varchar[])",
                store_record.id,
                keys,
            )
        )
        listed = {key for (key,) in self.env.cr.fetchall()}
        for index, key in enumerate(keys):
            if key not in listed:
                raise ValidationError(
                    self.env._(
                        "keys[%(index)s]: %(key)s was never listed to the store %(store)s by "
                        "channel_pending_updates; nothing was recorded.",
                        index=index,
                        key=repr(key)[:100],
                        store=store_record.code,
                    )
                )
        # Only rows not acknowledged yet change: the same key acknowledged twice is counted once.
        self.env.cr.execute(
            SQL(
                """UPDATE channel_store_update
                      SET acknowledged = true, write_uid = %(uid)s, write_date = now() at time zone 'UTC'
                    WHERE store_id = %(store)s AND key = ANY(%(keys)s::varchar[]) AND NOT acknowledged
                RETURNING id""",
                store=store_record.id,
                uid=self.env.uid,
                keys=keys,
            )
        )
        recorded = len(self.env.cr.fetchall())
        self.env["channel.store.update"].invalidate_model(["acknowledged"])
        store_record._channel_learn_platform(keys)
        return recorded

    @api.model
    @api.private
    def _channel_keep_listed(self, store, keys):
        """Keep the keys listed to the store (not acknowledged yet), so that it can acknowledge them; a
        key listed before, or listed by two calls at once, is kept once (ON CONFLICT)."""
        if not keys:
            return
        self.env["channel.store.update"].flush_model()
        self.env.cr.execute(
            SQL(
                """INSERT INTO channel_store_update
                          (store_id, key, acknowledged, create_uid, create_date, write_uid, write_date)
                   SELECT %(store)s, key, false, %(uid)s, now() at time zone 'UTC', %(uid)s,
                          now() at time zone 'UTC'
                     FROM unnest(%(keys)s::varchar[]) AS key
                   ON CONFLICT (store_id, key) DO NOTHING""",
                store=store.id,
                uid=self.env.uid,
                keys=keys,
            )
        )

    @api.model
    @api.private
    def _channel_acknowledged(self, store, keys):
        if not keys:
            return set()
        self.env["channel.store.update"].flush_model()
        self.env.cr.execute(
            SQL(
                "SELECT key FROM channel_store_update"
                " WHERE store_id = %s AND key = ANY(%s::varchar[]) AND acknowledged",
                store.id,
                list(keys),
            )
        )
        return {key for (key,) in self.env.cr.fetchall()}

    @api.model
    @api.private
    def _channel_store_pickings(self, store, kinds):
        """The store's done deliveries with tracking that still owe the store an update of these kinds,
        oldest first (at most as many as updates are listed). The acknowledged keys are compared in SQL:
        deliveries told long ago cost nothing, however many there are."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT p.id FROM stock_picking p
                 WHERE p.state = 'done' AND p.company_id = %(company)s AND btrim(p.carrier_tracking_ref) <> ''
                   AND EXISTS (SELECT 1 FROM stock_move m
                                 JOIN sale_order_line l ON l.id = m.sale_line_id
                                 JOIN sale_order o ON o.id = l.order_id
                                WHERE m.picking_id = p.id AND o.channel_store = %(code)s)
                   AND ((%(fulfillment)s AND NOT EXISTS (
                            SELECT 1 FROM channel_store_update u
                             WHERE u.store_id = %(store)s AND u.acknowledged
                               AND u.key = 'fulfillment:' || p.id))
                        OR (%(tracking)s AND EXISTS (
                            SELECT 1 FROM regexp_split_to_table(p.carrier_tracking_ref, ',') AS t(number)
                             WHERE btrim(t.number) <> ''
                               AND NOT EXISTS (
                                   SELECT 1 FROM channel_store_update u
                                    WHERE u.store_id = %(store)s AND u.acknowledged
                                      AND u.key = 'tracking:' || p.id || ':' || btrim(t.number)))))
                 ORDER BY p.date_done, p.id
                 LIMIT %(limit)s
                """,
                company=store.company_id.id,
                code=store.code,
                store=store.id,
                fulfillment="fulfillment" in kinds,
                tracking="tracking" in kinds,
                limit=MAX_PENDING_UPDATES,
            )
        )
        return self.env["stock.picking"].browse([picking_id for (picking_id,) in self.env.cr.fetchall()])

    @api.model
    @api.private
    def _channel_delivery_updates(self, store, kinds):
        updates = []
        pickings = self._channel_store_pickings(store, kinds)
        for start in range(0, len(pickings), PICKING_CHUNK):
            candidates = []
            for picking in pickings[start : start + PICKING_CHUNK]:
                order = picking.move_ids.sale_line_id.order_id[:1]
                numbers = picking._channel_tracking_numbers()
                if not numbers or order.channel_store != store.code:
                    continue
                base = {
                    "order_id": order.id,
                    "order_external_id": order.channel_external_id or "",
                    "picking_id": picking.id,
                    "carrier": picking.channel_carrier or picking.carrier_id.name or "",
                    "tracking_url": picking.channel_tracking_url or "",
                }
                if "tracking" in kinds:
                    for number in numbers:
                        candidates.append(
                            {
                                "key": f"tracking:{picking.id}:{number}",
                                "kind": "tracking",
                                **base,
                                "tracking_numbers": [number],
                                "picking": picking,
                            }
                        )
                if "fulfillment" in kinds:
                    candidates.append(
                        {
                            "key": f"fulfillment:{picking.id}",
                            "kind": "fulfillment",
                            **base,
                            "tracking_numbers": numbers,
                            "picking": picking,
                        }
                    )
            done = self._channel_acknowledged(store, [c["key"] for c in candidates])
            for candidate in candidates:
                if candidate["key"] in done:
                    continue
                picking = candidate.pop("picking")
                candidate["lines"] = picking._channel_shipped_lines()
                updates.append(self._channel_update_shape(candidate))
                if len(updates) >= MAX_PENDING_UPDATES:
                    return updates
        return updates

    @api.model
    @api.private
    def _channel_completed_updates(self, store):
        """`completed:<order>` for shipped orders whose every tracking key the store has acknowledged."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT o.id FROM sale_order o
                 WHERE o.channel_store = %(code)s AND o.company_id = %(company)s
                   AND o.inbox_state IN ('shipped', 'invoiced', 'done')
                   AND NOT EXISTS (SELECT 1 FROM channel_store_update u
                                    WHERE u.store_id = %(store)s AND u.acknowledged
                                      AND u.key = 'completed:' || o.id)
                 ORDER BY o.id
                 LIMIT %(limit)s
                """,
                code=store.code,
                company=store.company_id.id,
                store=store.id,
                limit=MAX_PENDING_UPDATES,
            )
        )
        orders = self.browse([order_id for (order_id,) in self.env.cr.fetchall()])
        keys = {order: f"completed:{order.id}" for order in orders}
        if not orders:
            return []
        pickings = self.env["stock.picking"].search(
            [
                ("state", "=", "done"),
                ("carrier_tracking_ref", "!=", False),
                ("move_ids.sale_line_id.order_id", "in", orders.ids),
            ]
        )
        tracking = {}
        for picking in pickings:
            for order in picking.move_ids.sale_line_id.order_id:
                tracking.setdefault(order, []).extend(
                    f"tracking:{picking.id}:{number}" for number in picking._channel_tracking_numbers()
                )
        acknowledged = self._channel_acknowledged(
            store, [key for keys_ in tracking.values() for key in keys_]
        )
        updates = []
        for order in orders:
            if not set(tracking.get(order, [])) <= acknowledged:
                continue  # the tracking goes first: the "completed" e-mail must not come before it
            updates.append(
                self._channel_update_shape(
                    {
                        "key": keys[order],
                        "kind": "completed",
                        "order_id": order.id,
                        "order_external_id": order.channel_external_id or "",
                        "picking_id": None,
                        "tracking_numbers": [],
                        "carrier": "",
                        "tracking_url": "",
                        "lines": [],
                    }
                )
            )
            if len(updates) >= MAX_PENDING_UPDATES:
                break
        return updates

    @api.model
    @api.private
    def _channel_update_shape(self, update):
        keys = (
            "key",
            "kind",
            "order_id",
            "order_external_id",
            "picking_id",
            "tracking_numbers",
            "carrier",
            "tracking_url",
            "lines",
        )
        return {key: update[key] for key in keys}
