"""The door distributors post to: every POST gets a cXML Response, whatever went wrong.

- Size: one limit (cxml.MAX_DOCUMENT_BYTES, 5 MiB) whatever the framing. At most limit + 1 bytes are
  read, from a Content-Length body or a chunked one alike, and kept on the request: Odoo serves the
  request again after a serialization failure, and the stream cannot be read twice.
- One document per purchase order at a time: two ship notices for one order would write the same
  delivery, and one would lose to a serialization failure. A transaction-level advisory lock per order,
  taken on a second connection before this request's transaction reads anything, queues them instead;
  each then starts from what the previous one committed. Whatever still fails to serialize reaches
  Odoo, which retries the whole request; after its last try the sender gets 503 with Retry-After
  (ir_http.py), never PostgreSQL's words.
"""

from contextlib import contextmanager

from odoo import SUPERUSER_ID, http
from odoo.http import request
from odoo.sql_db import Cursor

from fulfilment_engine.documents import cxml

from ..models.cxml_answer import INBOUND_PATH, cxml_response

MAX_BODY_BYTES = cxml.MAX_DOCUMENT_BYTES
_BODY_KEY = "channel_fulfilment.cxml_body"
_READ_CHUNK = 64 * 1024
XML_MIMETYPES = ("text/xml", "application/xml")
# Waiting for the documents ahead of this one; past it, Odoo's retry takes over (LockNotAvailable).
LOCK_TIMEOUT_MS = 20_000
_LOCK_NAMESPACE = 0x63584D4C  # "cXML": keeps these advisory locks apart from any other module's


class CxmlInbound(http.Controller):
    """Where distributors post ConfirmationRequest and ShipNoticeRequest documents.

    No Odoo session: the distributor authenticates with its shared secret inside the document
    (Header/Sender/Credential/SharedSecret), checked by channel.cxml.document._channel_receive.
    """

    @http.route(
        INBOUND_PATH,
        type="http",
        auth="none",
        methods=["POST"],
        csrf=False,
        save_session=False,
        readonly=False,
    )
    def inbound(self, **_kwargs):
        if not request.db:
            return cxml_response(
                503,
                "Service Unavailable",
                "No database selected: add ?db=<name> to the URL or set dbfilter.",
            )
        mimetype = request.httprequest.mimetype
        if mimetype and mimetype not in XML_MIMETYPES and not mimetype.endswith("+xml"):
            return cxml_response(
                415,
                "Unsupported Media Type",
                f"Content-Type {mimetype} is not XML: post the cXML document as text/xml.",
            )
        body = self._limited_body()
        if body is None:
            return cxml_response(
                413,
                "Request Entity Too Large",
                f"Documents are limited to {MAX_BODY_BYTES} bytes (5 MiB).",
                headers=[("Connection", "close")],
            )
        # No session: the document authenticates itself (shared secret); the work runs as the superuser.
        request.update_env(user=SUPERUSER_ID)
        Document = request.env["channel.cxml.document"]
        try:
            doc = cxml.parse_inbound_request(body)  # parsed once: the model takes the parsed document
        except cxml.CxmlError as exc:
            status, answer = Document._channel_refuse_unread(body, exc)  # touches no order: no lock
        else:
            with self._one_document_per_order(doc):
                status, answer = Document._channel_receive(body, doc)
        return request.make_response(
            answer, headers=[("Content-Type", "text/xml; charset=UTF-8")], status=status
        )

    @staticmethod
    def _limited_body():
        """The body, read once (at most the limit + 1 bytes whatever the framing), or None when larger."""
        environ = request.httprequest.environ
        if _BODY_KEY not in environ:
            length = request.httprequest.content_length
            if length is not None and length > MAX_BODY_BYTES:
                environ[_BODY_KEY] = None
            else:
                # Odoo's request wrapper hides the input stream (it only offers get_data(), which reads
                # everything): the werkzeug request underneath gives it, bounded by Content-Length or
                # the chunked framing's end.
                stream = request.httprequest._HTTPRequest__wrapped.stream
                chunks, size = [], 0
                while size <= MAX_BODY_BYTES:
                    chunk = stream.read(min(_READ_CHUNK, MAX_BODY_BYTES + 1 - size))
                    if not chunk:
                        break
                    chunks.append(chunk)
                    size += len(chunk)
                environ[_BODY_KEY] = b"".join(chunks) if size <= MAX_BODY_BYTES else None
        return environ[_BODY_KEY]

    @staticmethod
    @contextmanager
    def _one_document_per_order(doc):
        """Hold an advisory lock per purchase order the document names until this request's transaction
        ends (commit or rollback), taken on a second connection so that this transaction's snapshot
        is taken after the lock, hence after the previous document's commit."""
        cr = request.env.cr
        order_ids = sorted(set(request.env["channel.cxml.document"]._channel_order_ids(doc)))
        if not order_ids or not isinstance(cr, Cursor):
            # Tests run every request in one shared transaction, serialized already: no lock to take.
            yield
            return
        cr.rollback()  # nothing read before the lock may shape this transaction's snapshot
        request.env.transaction.reset()
        locks = request.env.registry.cursor()
        try:
            locks.execute("SET LOCAL lock_timeout = %s", [f"{LOCK_TIMEOUT_MS}ms"])
            for order_id in order_ids:
                locks.execute(
                    "SELECT pg_advisory_xact_lock(%s, hashtext(%s))",
                    [_LOCK_NAMESPACE, order_id],
                    log_exceptions=False,  # a lock timeout is retried by Odoo, not an error
                )
        except BaseException:
            locks.close()
            raise

        def release():
            if not locks.closed:
                locks.close()  # rolls back: the locks go with the transaction

        cr.postcommit.add(release)
        cr.postrollback.add(release)
        yield
