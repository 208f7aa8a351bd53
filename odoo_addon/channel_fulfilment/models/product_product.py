"""Products as the engine plans them: SKU, weight in kg and dimensions in cm (product_template.py)."""

from odoo import api, models

from fulfilment_engine.domain import Product

from .engine_bridge import to_decimal

LB_IN_KG = 0.45359237


class ProductProduct(models.Model):
    _inherit = "product.product"

    @api.private
    def _channel_engine_products(self):
        """These products as the engine sees them: {product id: Product} with our SKU (default_code),
        weight in kg and dimensions in cm."""
        in_lbs = self.env["ir.config_parameter"].sudo().get_param("product.weight_in_lbs") == "1"
        result = {}
        for product in self:
            tmpl = product.product_tmpl_id
            weight = product.weight * LB_IN_KG if in_lbs else product.weight
            dims = (tmpl.channel_length_cm, tmpl.channel_width_cm, tmpl.channel_height_cm)
            known = all(dims)
            result[product.id] = Product(
                sku=product.default_code or f"product-{product.id}",
                weight_kg=to_decimal(weight, 3),
                length_cm=to_decimal(dims[0], 2) if known else None,
                width_cm=to_decimal(dims[1], 2) if known else None,
                height_cm=to_decimal(dims[2], 2) if known else None,
                description=product.name or "",
            )
        return result
