"""cXML 1.2 for distributors, in one import: OrderRequest out, Response in and out,
ConfirmationRequest and ShipNoticeRequest in. See docs/cxml.md for the wire format.

    from fulfilment_engine.documents import cxml
    body = cxml.build_order_request(po, from_=..., to=..., sender=..., user_agent=...,
                                    payload_id=cxml.payload_id_for(po.order_id, "reseller.example"),
                                    timestamp=now)
    status = cxml.send_order_request(url, body, client=client, timeout=20)
"""

from __future__ import annotations

from .envelope import CXML_VERSION, order_id_from_payload_id, payload_id_for, verify_sender
from .errors import (
    CxmlBuildError,
    CxmlError,
    CxmlInvalid,
    CxmlMalformed,
    CxmlRejected,
    CxmlSendError,
    CxmlTransientError,
    CxmlUnauthorized,
)
from .fulfill import (
    build_confirmation_request,
    build_ship_notice_request,
    parse_confirmation_request,
    parse_inbound_request,
    parse_ship_notice_request,
)
from .model import (
    Address,
    Confirmation,
    ConfirmationLine,
    Credential,
    OrderLine,
    OrderRequestDoc,
    PurchaseOrderDoc,
    ResponseStatus,
    ShipNotice,
    ShipNoticeLine,
)
from .order import (
    blind_ship_comment,
    build_order_request,
    build_response,
    parse_order_request,
    parse_response,
)
from .stored import SECRET_MASK, StoredCopy, blank_secret_spans, mask_secrets, stored_copy
from .transport import send_order_request
from .xmlio import MAX_DOCUMENT_BYTES, SCHEMA_PATH, schema_errors, validate

__all__ = [
    "CXML_VERSION",
    "MAX_DOCUMENT_BYTES",
    "SCHEMA_PATH",
    "SECRET_MASK",
    "Address",
    "Confirmation",
    "ConfirmationLine",
    "Credential",
    "CxmlBuildError",
    "CxmlError",
    "CxmlInvalid",
    "CxmlMalformed",
    "CxmlRejected",
    "CxmlSendError",
    "CxmlTransientError",
    "CxmlUnauthorized",
    "OrderLine",
    "OrderRequestDoc",
    "PurchaseOrderDoc",
    "ResponseStatus",
    "ShipNotice",
    "ShipNoticeLine",
    "StoredCopy",
    "blank_secret_spans",
    "blind_ship_comment",
    "build_confirmation_request",
    "build_order_request",
    "build_response",
    "build_ship_notice_request",
    "mask_secrets",
    "order_id_from_payload_id",
    "parse_confirmation_request",
    "parse_inbound_request",
    "parse_order_request",
    "parse_response",
    "parse_ship_notice_request",
    "payload_id_for",
    "schema_errors",
    "send_order_request",
    "stored_copy",
    "validate",
    "verify_sender",
]
