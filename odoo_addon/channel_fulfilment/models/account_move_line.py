"""A bill line's distributor charge: freight or a small-order charge, compared with the purchase order's
charge lines rather than with a product (account_move.py's match); and the serial numbers the distributor
billed on it (read from its API).
"""

from odoo import fields, models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    channel_charge_type = fields.Selection(
        [("freight", "Freight"), ("small_order", "Small order charge")],
        string="Distributor charge",
        copy=False,
        help="A distributor's freight or small-order charge (compared with the PO's, not with a product).",
    )
    channel_serial_numbers = fields.Text(
        string="Serial numbers",
        copy=False,
        help="The serial numbers the distributor's invoice lists for this line (\", \"-joined).",
    )
