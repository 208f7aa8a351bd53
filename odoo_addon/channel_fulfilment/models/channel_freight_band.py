"""A weight band of a distributor's freight rule (res_partner.py turns the bands into the engine's rule)."""

from odoo import fields, models


class ChannelFreightBand(models.Model):
    """One weight band of a distributor's freight rule: shipments up to `max_kg` cost `charge`."""

    _name = "channel.freight.band"
    _description = "Distributor freight weight band"
    _order = "partner_id, max_kg, sequence, id"

    partner_id = fields.Many2one(
        "res.partner", string="Distributor", required=True, ondelete="cascade", index=True
    )
    sequence = fields.Integer(default=10)
    max_kg = fields.Float(string="Up to (kg)", required=True, digits=(12, 3))
    charge = fields.Monetary(required=True, currency_field="currency_id")
    currency_id = fields.Many2one(related="partner_id.distributor_currency_id")

    _max_kg_positive = models.Constraint("CHECK(max_kg > 0)", "A weight band must end above 0 kg.")
    _charge_positive = models.Constraint("CHECK(charge >= 0)", "A freight charge cannot be negative.")
