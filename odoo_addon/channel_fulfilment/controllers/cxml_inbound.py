from odoo import SUPERUSER_ID, http
from odoo.http import request

# A distributor posts small XML documents; anything this large is not one of them.
MAX_BODY_BYTES = 5 * 1024 * 1024


class CxmlInbound(http.Controller):
    """Where distributors post ConfirmationRequest and ShipNoticeRequest documents.

    No Odoo session: the distributor authenticates with its shared secret inside the document
    (Header/Sender/Credential/SharedSecret), checked by channel.cxml.document._channel_receive.
    """

    @http.route(
        "/channel_fulfilment/cxml/inbound",
        type="http",
        auth="none",
        methods=["POST"],
        csrf=False,
        save_session=False,
        readonly=False,
    )
    def inbound(self, **_kwargs):
        if not request.db:
            return request.make_response(
                "No database selected: add ?db=<name> to the URL or set dbfilter.", status=503
            )
        length = request.httprequest.content_length or 0
        if length > MAX_BODY_BYTES:
            return request.make_response("Document too large.", status=413)
        body = request.httprequest.get_data()
        # No session: the document authenticates itself (shared secret); the work runs as the superuser.
        request.update_env(user=SUPERUSER_ID)
        env = request.env
        status, answer = env["channel.cxml.document"]._channel_receive(body)
        return request.make_response(
            answer, headers=[("Content-Type", "text/xml; charset=UTF-8")], status=status
        )
