"""What can go wrong with a cXML document, typed so callers choose policy (retry, review, reject).

Every error names where it happened: an element path in the document
(`cXML/Request/ShipNoticeRequest/ShipNoticeHeader: missing attribute shipmentID`), a field of the
value being built (`PurchaseOrderDoc.lines[2].quantity: must be > 0`), or the URL a request went to.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import FulfilError

if TYPE_CHECKING:
    from .model import ResponseStatus


class CxmlError(FulfilError):
    """Base of every cXML error; `where` is an element path, a field name or a URL."""

    def __init__(self, where: str, message: str):
        self.where = where
        self.message = message
        super().__init__(f"{where}: {message}" if where else message)


class CxmlMalformed(CxmlError):
    """A received document that is not well-formed, hostile (entities), or lacks what we need."""


class CxmlInvalid(CxmlError):
    """A document that does not follow the cXML subset schema (see `documents/schema/`)."""


class CxmlBuildError(CxmlError):
    """A value that cannot become a correct cXML document (empty part number, wrong total, naive date)."""


class CxmlSendError(CxmlError):
    """Sending a document did not end in a 2xx cXML status. `retryable` tells the caller's policy.

    Retrying is always safe for an OrderRequest: its payloadID is stable, so the distributor sees a
    duplicate, never a second order.
    """

    retryable: bool = False

    def __init__(
        self,
        url: str,
        message: str,
        *,
        status: ResponseStatus | None = None,
        http_status: int | None = None,
        retry_after: float | None = None,
    ):
        self.status = status
        self.http_status = http_status
        self.retry_after = retry_after
        super().__init__(url, message)


class CxmlTransientError(CxmlSendError):
    """Worth retrying later: timeout, connection refused, HTTP 5xx/408/429, cXML 5xx, unreadable 2xx."""

    retryable = True


class CxmlRejected(CxmlSendError):
    """Final: the distributor refused the document (cXML 4xx, or HTTP 4xx without a cXML answer).

    Sending the same bytes again will be refused again; a person must look (wrong part number,
    unknown account, ...). cXML 409 usually means an identical document was already processed.
    """


class CxmlUnauthorized(CxmlRejected):
    """cXML/HTTP 401 or 403: the credentials (From/To/Sender identity or SharedSecret) are wrong."""
