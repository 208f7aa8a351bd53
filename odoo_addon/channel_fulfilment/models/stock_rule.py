"""Procurements of two allocations bought from one distributor stay two purchase order lines."""

from odoo import api, models


class StockRule(models.Model):
    _inherit = "stock.rule"

    @api.model
    def _get_procurements_to_merge_groupby(self, procurement):
        # Two allocations (or two sale lines of one product) bought from one distributor stay two PO
        # lines, each linked to its own sale line: merged, one sale line would lose its link.
        key = super()._get_procurements_to_merge_groupby(procurement)
        allocation = procurement.values.get("channel_allocation_id")
        if allocation:
            return (*key, allocation, procurement.values.get("sale_line_id"))
        return key
