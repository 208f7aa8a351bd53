"""Errors that leave the cXML door's controller are still answered in cXML (cxml_answer.py), not with
Odoo's HTML error page.
"""

from odoo import models
from odoo.http import request

from .cxml_answer import INBOUND_PATH, inbound_error_response


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _handle_error(cls, exception):
        """What leaves the cXML door's controller is still answered in cXML (a distributor's client
        reads nothing else): 503 with Retry-After after Odoo's last try of a serialization failure,
        the HTTP error's own code otherwise."""
        if request and request.httprequest.path == INBOUND_PATH:
            return inbound_error_response(exception)
        return super()._handle_error(exception)
