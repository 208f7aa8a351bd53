"""A store's platform learnt from the updates its connector acknowledges, when nobody set it."""

from odoo import api, models


class ChannelStore(models.Model):
    _inherit = "channel.store"

    @api.private
    def _channel_learn_platform(self, keys):
        """A store whose platform nobody set is known by what its connector acknowledges: only Shopify
        sends `fulfillment` updates, only WooCommerce `tracking` and `completed`. Once known, the other
        kinds are no longer listed, so updates its connector never sends cannot pile up."""
        if self.platform not in (False, "other"):
            return
        kinds = {key.partition(":")[0] for key in keys}
        if kinds == {"fulfillment"}:
            self.sudo().platform = "shopify"
        elif kinds and kinds <= {"tracking", "completed"}:
            self.sudo().platform = "woocommerce"
