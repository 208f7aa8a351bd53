"""Two things every request goes through: errors that leave the cXML door's controller are still
answered in cXML (cxml_answer.py), not with Odoo's HTML error page; and the store connector's key
reaches three JSON-2 methods and nothing else (why, and the other fences: res_users.py).
"""

from odoo import models
from odoo.exceptions import AccessError
from odoo.http import request

from .cxml_answer import INBOUND_PATH, inbound_error_response

# What channel-sync calls, all on sale.order (sale_order_import.py, sale_order_store_updates.py).
CONNECTOR_METHODS = ("channel_import_orders", "channel_pending_updates", "channel_updates_sent")


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

    @classmethod
    def _dispatch(cls, endpoint):
        """A store connector's request goes on only as `POST /json/2/sale.order/<one of the three>`,
        without `ids` or `context` (a context could give the records the method makes other defaults);
        anything else — another model or method, /json/1, any other route its key opens — is Odoo's
        AccessError (403), before the endpoint runs. Checked after authentication, so for the user the
        key belongs to, whatever the route."""
        if request.env.uid and request.env.user._channel_is_store_connector():
            params = request.params
            asked = f"{params.get('__model__', '')}.{params.get('__method__', '')}".strip(".")
            if not (
                endpoint.routing.get("type") == "json2"
                and params.get("__model__") == "sale.order"
                and params.get("__method__") in CONNECTOR_METHODS
                and not params.get("ids")
                and "context" not in params
            ):
                raise AccessError(
                    request.env._(
                        "The store connector's key reaches only sale.order's %(methods)s over JSON-2, "
                        "without ids or context; refused: %(asked)s.",
                        methods=", ".join(CONNECTOR_METHODS),
                        asked=asked or request.httprequest.path,
                    )
                )
        return super()._dispatch(endpoint)
