"""The mail gateway hands the dispatch reader the message as it was received.

Odoo's parsed message (`message_parse`) carries a sanitized HTML body: a plain-text body becomes <pre>,
an HTML one loses its classes (Gmail's quote marker among them). The dispatch reader reads the received
MIME message instead, passed on in the context to `message_new` / `message_update` of the two models
that read dispatch e-mails, and only to them.
"""

from odoo import api, models

from .channel_dispatch_message import MIME_CONTEXT_KEY

READERS = ("channel.dispatch.message", "purchase.order")


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    @api.model
    def _message_route_process(self, message, message_dict, routes):
        if any(route[0] in READERS for route in routes or ()):
            self = self.with_context(**{MIME_CONTEXT_KEY: message.as_bytes()})
        return super()._message_route_process(message, message_dict, routes)
