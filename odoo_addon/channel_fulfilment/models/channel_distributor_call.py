"""Every call made to a distributor's own API about a purchase order (Ingram Micro's Reseller API): what
was asked and answered, with its IM-CorrelationID, so a person (and Ingram's support) can follow it.

Kept beside the cXML documents of the same purchase order; secrets never reach it (the engine masks the
token call's client secret and access token and the Authorization header before handing a call back).
"""

from odoo import api, fields, models


class ChannelDistributorCall(models.Model):
    _name = "channel.distributor.call"
    _description = "Distributor API call"
    _order = "id desc"
    _rec_name = "correlation_id"

    purchase_id = fields.Many2one(
        "purchase.order", string="Purchase order", index=True, ondelete="cascade", readonly=True
    )
    partner_id = fields.Many2one("res.partner", string="Distributor", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    operation = fields.Char(
        readonly=True, help="token, create, search, details, cancel, invoice search, invoice"
    )
    method = fields.Char(readonly=True)
    url = fields.Char(string="URL", readonly=True)
    status = fields.Integer(string="HTTP status", readonly=True, help="0: no answer came.")
    correlation_id = fields.Char(string="IM-CorrelationID", index="btree_not_null", readonly=True)
    request_headers = fields.Text(readonly=True)
    request_body = fields.Text(readonly=True)
    response_body = fields.Text(readonly=True)
    error = fields.Text(readonly=True)
    called_at = fields.Datetime(readonly=True)
    elapsed_ms = fields.Float(string="Time (ms)", readonly=True)

    @api.model
    @api.private
    def _channel_keep(self, purchase, records):
        """Store `records` (engine CallRecords) for `purchase`, as the system (users only read the log)."""
        if not records:
            return self.browse()
        return self.sudo().create(
            [
                {
                    "purchase_id": purchase.id,
                    "partner_id": purchase.partner_id.id,
                    "company_id": purchase.company_id.id,
                    "operation": record.operation,
                    "method": record.method,
                    "url": record.url,
                    "status": record.status,
                    "correlation_id": record.correlation_id,
                    "request_headers": "\n".join(f"{k}: {v}" for k, v in record.request_headers.items()),
                    "request_body": record.request_body,
                    "response_body": record.response_body,
                    "error": record.error,
                    "called_at": record.at.replace(tzinfo=None) if record.at else False,
                    "elapsed_ms": record.elapsed_ms,
                }
                for record in records
            ]
        )
