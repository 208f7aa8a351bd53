"""A validated delivery changes what may be billed: the draft bills of its purchase lines are matched
again (account_move.py's _channel_rematch_after_delivery).
"""

from odoo import models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _action_done(self):
        res = super()._action_done()
        po_lines = self.move_ids.purchase_line_id
        if po_lines:
            bills = po_lines.invoice_lines.move_id
            bills._channel_rematch_after_delivery()
        return res
