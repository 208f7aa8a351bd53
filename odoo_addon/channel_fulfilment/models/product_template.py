"""A product's dimensions in cm, which Odoo Community lacks: weight-band freight with a dimensional
divisor needs them (product_product.py hands them to the engine).
"""

from odoo import fields, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    # Odoo Community has no product dimensions; weight-band freight with a dimensional divisor needs them.
    channel_length_cm = fields.Float(string="Length (cm)", digits=(12, 2))
    channel_width_cm = fields.Float(string="Width (cm)", digits=(12, 2))
    channel_height_cm = fields.Float(string="Height (cm)", digits=(12, 2))
