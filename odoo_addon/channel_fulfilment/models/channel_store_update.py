"""An update a web store has received (its key, per store): what channel-sync acknowledged through
sale.order.channel_updates_sent is recorded once and never listed again (sale_order_store_updates.py).
"""

from odoo import fields, models


class ChannelStoreUpdate(models.Model):
    _name = "channel.store.update"
    _description = "Update a web store has received"
    _order = "id"

    store_id = fields.Many2one("channel.store", required=True, ondelete="cascade", index=True)
    key = fields.Char(
        required=True, help="tracking:<picking>:<number>, fulfillment:<picking> or completed:<order>"
    )

    _store_key_unique = models.Constraint("UNIQUE(store_id, key)", "An update is recorded once per store.")
