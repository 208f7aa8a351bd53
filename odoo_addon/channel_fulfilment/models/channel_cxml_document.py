from odoo import fields, models


class ChannelCxmlDocument(models.Model):
    """Every cXML document exchanged with distributors, in and out.

    The (payload_id, direction) pair is unique: a distributor repeating a document (same payloadID)
    finds it here and nothing changes twice; our OrderRequest keeps one record however often it is retried.
    """

    _name = "channel.cxml.document"
    _description = "cXML document"
    _order = "create_date desc, id desc"
    _rec_name = "payload_id"

    payload_id = fields.Char(required=True, index=True, readonly=True)
    direction = fields.Selection([("in", "Received"), ("out", "Sent")], required=True, readonly=True)
    doc_type = fields.Selection(
        [
            ("OrderRequest", "OrderRequest"),
            ("ConfirmationRequest", "ConfirmationRequest"),
            ("ShipNoticeRequest", "ShipNoticeRequest"),
            ("Response", "Response"),
        ],
        string="Type",
        required=True,
        readonly=True,
    )
    purchase_id = fields.Many2one(
        "purchase.order", string="Purchase order", index="btree_not_null", ondelete="set null"
    )
    partner_id = fields.Many2one(related="purchase_id.partner_id", string="Distributor", store=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True, readonly=True
    )
    state = fields.Selection(
        [("received", "Received"), ("processed", "Processed"), ("error", "Error")],
        default="received",
        required=True,
    )
    error = fields.Text()
    body = fields.Text(readonly=True)
    response_code = fields.Integer(string="Response status", readonly=True)
    response_body = fields.Text(string="Response", readonly=True)
    attempts = fields.Integer(
        readonly=True, help="Times this document was sent (outbound) or received (inbound)."
    )

    _payload_direction_unique = models.Constraint(
        "UNIQUE(payload_id, direction)", "This cXML document (payloadID) is already recorded."
    )
