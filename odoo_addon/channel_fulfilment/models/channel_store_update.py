"""An update listed to a web store's connector (its key, per store): recorded when
sale.order.channel_pending_updates lists it, marked acknowledged when channel-sync reports through
channel_updates_sent that the store has it — then never listed again. Only a listed key can be
acknowledged (sale_order_store_updates.py).
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
    # Rows from before listed keys were kept are acknowledged ones: the default fills them on upgrade.
    acknowledged = fields.Boolean(default=True, help="The store has it; off: listed, not acknowledged yet.")

    _store_key_unique = models.Constraint("UNIQUE(store_id, key)", "An update is recorded once per store.")
