"""The cXML Response every document posted to the door gets, whatever went wrong.

One place mints a Response: a fresh payloadID `<uuid>@<domain>` and the time, where `domain` is our cXML
domain (res.company._channel_cxml_domain) once the document is being handled, and the host the sender
posted to for what is answered before or without the database (no database, not XML, too large, an
exception that left the controller). ir.http's error handler reaches these through this module: models
never import the controller.
"""

import logging
import uuid
from datetime import UTC

from odoo import fields, http
from odoo.http import request
from werkzeug.exceptions import HTTPException

from fulfilment_engine.documents import cxml

from .odoo_retry import RETRIED_BY_ODOO

_logger = logging.getLogger(__name__)

INBOUND_PATH = "/channel_fulfilment/cxml/inbound"
RETRY_AFTER_S = 30


def response_body(code, status, text, domain):
    """The cXML Response (bytes) saying `code` `status` `text`, under a new payloadID of `domain`."""
    _logger.info("cXML inbound answered %s %s: %s", code, status, text)
    return cxml.build_response(
        code,
        status,
        text,
        payload_id=f"{uuid.uuid4()}@{domain}",
        timestamp=fields.Datetime.now().replace(tzinfo=UTC),
    )


def cxml_response(code, status, text, *, headers=()):
    """A cXML Response as an HTTP response, for answers given before (or without) the database."""
    domain = (request.httprequest.host.split(":")[0] if request else "") or "localhost"
    body = response_body(code, status, text, domain)
    return http.Response(body, status=code, headers=[("Content-Type", "text/xml; charset=UTF-8"), *headers])


def inbound_error_response(exc):
    """The cXML answer to an exception that left the controller (see ir.http._handle_error), or None
    for Odoo's own handling."""
    if isinstance(exc, RETRIED_BY_ODOO):
        # Odoo tried the request five times: the sender should try later. Expected under load, not a bug.
        exc.loglevel = logging.WARNING
        return cxml_response(
            503,
            "Service Unavailable",
            "Too many documents for this order are being processed at once: send this one again later.",
            headers=[("Retry-After", str(RETRY_AFTER_S))],
        )
    if isinstance(exc, HTTPException) and exc.code:
        return cxml_response(exc.code, exc.name, exc.description or exc.name)
    return cxml_response(
        500,
        "Internal Server Error",
        "The document could not be processed. Sending it again later is safe.",
    )
