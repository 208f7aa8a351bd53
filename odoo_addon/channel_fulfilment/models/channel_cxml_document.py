"""The log of every cXML document exchanged with distributors, in and out, stored with its shared
secret masked (the class docstring says how); reading and applying the inbound ones is
channel_cxml_document_inbound.py and channel_cxml_document_invoice.py.
"""

import re
from xml.sax.saxutils import escape

from odoo import api, fields, models

# What a stored document shows instead of a shared secret (Header/Sender/Credential/SharedSecret).
SECRET_MASK = "********"
_SHARED_SECRET = re.compile(r"(<SharedSecret\b[^>/]*>)(.*?)(</SharedSecret>)", re.DOTALL)
_MASKED_SECRET = re.compile(r"(<SharedSecret\b[^>/]*>)" + re.escape(SECRET_MASK) + r"(</SharedSecret>)")


def redact_secrets(body):
    """`body` (cXML text) with every SharedSecret replaced by the mask: the copy Odoo keeps."""
    return _SHARED_SECRET.sub(lambda m: m.group(1) + SECRET_MASK + m.group(3), body or "")


def restore_secret(body, secret):
    """A stored (masked) body with `secret` back in its SharedSecret: the bytes actually sent."""
    return _MASKED_SECRET.sub(lambda m: m.group(1) + escape(secret or "") + m.group(2), body)


class ChannelCxmlDocument(models.Model):
    """Every cXML document exchanged with distributors, in and out.

    (payload_id, direction, partner_id) is unique: a distributor repeating a document (same payloadID)
    finds it here and nothing changes twice, while another distributor's document with the same
    payloadID is its own; our OrderRequest keeps one record however often it is retried.

    Bodies are stored with their SharedSecret masked: inbox users read this log, and the secrets are
    managers' business. A received document is masked on its parsed tree (cxml.stored_copy), so no way of
    writing the element escapes; one that does not parse is kept as bytes in `raw_body` for managers.
    The OrderRequest we build is masked with redact_secrets (our own serializer writes the element one
    way), and the one actually POSTed gets the distributor's current secret back at each attempt
    (restore_secret), the rest of its bytes unchanged.
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
            ("unreadable", "Unreadable"),
        ],
        string="Type",
        required=True,
        readonly=True,
    )
    purchase_id = fields.Many2one(
        "purchase.order", string="Purchase order", index="btree_not_null", ondelete="set null"
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Distributor",
        compute="_compute_partner_id",
        store=True,
        precompute=True,
        readonly=True,
        index=True,
        help="Who sent a received document (the authenticated distributor), or whom we sent it to.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True, readonly=True
    )
    state = fields.Selection(
        [("received", "Received"), ("processed", "Processed"), ("error", "Error")],
        default="received",
        required=True,
    )
    error = fields.Text()
    body = fields.Text(
        readonly=True,
        help="Received documents: the parsed document written back as UTF-8, every SharedSecret masked.",
    )
    body_encoding = fields.Char(
        string="Received encoding", readonly=True, help="The encoding the distributor's document came in."
    )
    raw_body = fields.Binary(
        string="Received bytes",
        readonly=True,
        attachment=False,
        groups="channel_fulfilment.group_inbox_manager",
        help="A received document that could not be read as XML, kept as it came with its SharedSecret "
        "blanked: it may hold anything, so only managers see it.",
    )
    response_code = fields.Integer(string="Response status", readonly=True)
    response_body = fields.Text(string="Response", readonly=True)
    attempts = fields.Integer(
        readonly=True, help="Times this document was sent (outbound) or received (inbound)."
    )

    # payloadIDs are unique per sender, not across distributors: two distributors may well send the same
    # one. (The constraint keeps its name so that upgraded databases get the new definition.)
    _payload_direction_unique = models.Constraint(
        "UNIQUE NULLS NOT DISTINCT (payload_id, direction, partner_id)",
        "This cXML document (payloadID) is already recorded for this distributor.",
    )

    @api.depends("purchase_id.partner_id")
    def _compute_partner_id(self):
        for document in self:
            # Set once: a received document keeps the distributor that sent it.
            document.partner_id = document.partner_id or document.purchase_id.partner_id

    @api.model
    @api.private
    def _channel_redact_stored_secrets(self, batch_size=1000):
        """Mask the shared secrets of documents stored before bodies were masked (run on upgrade);
        returns how many documents changed."""
        changed = 0
        last_id = 0
        while True:
            documents = (
                self.sudo()
                .with_context(active_test=False)
                .search(
                    [("id", ">", last_id), ("body", "like", "<SharedSecret")], order="id", limit=batch_size
                )
            )
            if not documents:
                return changed
            last_id = documents[-1].id
            for document in documents:
                masked = redact_secrets(document.body)
                if masked != document.body:
                    document.body = masked
                    changed += 1
            documents.flush_recordset()
            documents.invalidate_recordset()
