"""uvicorn's HTTP protocol with the two limits it does not have: the size of a request's headers and the
time a client may take to send them.

uvicorn (0.55, checked in its source) limits headers only with h11 (`h11_max_incomplete_event_size`, and
then answers a plain-text 400); its default parser, httptools, gathers a header of any size — a 100 MB
Authorization header held the event loop for 10 s — and nothing times out a client that never finishes
its headers (`timeout_keep_alive` only runs between requests), so a half-sent request held its
connection for good. This subclass counts what arrives while a request's headers are awaited: above
`max_bytes` it answers 431 at once and closes; when they are not complete `timeout_s` after the
connection opened (or the request's first byte, for the next request on a kept-alive connection), it
answers 408 and closes. Both answers have the service's error shape. The body has its own timeout in
the Door (door.py), which reads it.

Closing a connection while the client is still sending makes the kernel answer with a reset, and a
reset can destroy the answer before the client reads it (one client in four in the abuse benchmark got
"connection reset" instead of its 401). So a connection whose request is refused before it was read in
full is closed the way nginx's `lingering_close` does it: what still arrives is thrown away unparsed,
for at most LINGER_S, and the connection closes then or when the client closes first. Memory stays flat:
nothing thrown away is kept.
"""

from __future__ import annotations

import functools
import json
import logging
import uuid
from dataclasses import dataclass

import httptools
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from .problems import Problem, problem_body

log = logging.getLogger("fulfilment_engine.service")

MAX_HEADER_BYTES = 16 * 1024
HEADER_TIMEOUT_S = 10.0
LINGER_S = 2.0


@dataclass(frozen=True)
class HeaderLimits:
    max_bytes: int = MAX_HEADER_BYTES
    timeout_s: float = HEADER_TIMEOUT_S


def guarded_protocol(limits: HeaderLimits = HeaderLimits()):
    """What to give uvicorn as its `http` option. A partial of a module-level class, so uvicorn's worker
    processes can unpickle it."""
    return functools.partial(GuardedHttpProtocol, limits=limits)


class _HeadersTooLarge(Exception):
    pass


class GuardedHttpProtocol(HttpToolsProtocol):
    def __init__(self, config, server_state, app_state, _loop=None, *, limits: HeaderLimits = HeaderLimits()):
        super().__init__(config, server_state, app_state, _loop)
        self.limits = limits
        self._awaiting_headers = True
        self._header_bytes = 0  # bytes received since the request began, while its headers are awaited
        self._header_size = 0  # request target + header names and values, as the parser hands them over
        self._header_timer = None
        self._request_complete = True
        self._lingering = None  # the timer that ends a lingering close

    # -- the connection

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self._arm_header_timer()

    def connection_lost(self, exc) -> None:
        self._disarm_header_timer()
        if self._lingering is not None:
            self._lingering.cancel()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._lingering is not None:
            return  # answered and closing: thrown away, unparsed
        # uvicorn's own data_received, plus the header-size checks around feeding the parser.
        self._unset_keepalive_if_required()
        if self._awaiting_headers:
            self._header_bytes += len(data)
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserCallbackError as exc:
            if isinstance(exc.__context__, _HeadersTooLarge):
                self._too_large()
                return
            self._invalid_request()
            return
        except httptools.HttpParserError:
            self._invalid_request()
            return
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()
            return
        # Headers still incomplete: stop before the parser gathers any more of them.
        if self._awaiting_headers and self._header_bytes > self.limits.max_bytes:
            self._too_large()

    # -- parser callbacks

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._request_complete = False
        self._awaiting_headers = True
        self._header_size = 0
        self._arm_header_timer()

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        self._header_size += len(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        super().on_header(name, value)
        self._header_size += len(name) + len(value) + 4  # ": " and CRLF

    def on_headers_complete(self) -> None:
        # Headers that arrived in one piece with (part of) the body were not caught by the byte count.
        if self._header_size > self.limits.max_bytes:
            raise _HeadersTooLarge
        self._awaiting_headers = False
        self._disarm_header_timer()
        super().on_headers_complete()
        if self.cycle is not None and self.cycle.scope is self.scope:
            self.cycle.transport = _LingeringClose(self.transport, self)

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._request_complete = True
        self._awaiting_headers = True  # what arrives next is the next request's
        self._header_bytes = 0

    # -- refusing

    def _arm_header_timer(self) -> None:
        if self._header_timer is None:
            self._header_timer = self.loop.call_later(self.limits.timeout_s, self._headers_timed_out)

    def _disarm_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_timed_out(self) -> None:
        self._header_timer = None
        if not self._awaiting_headers or self.transport.is_closing():
            return
        if self._header_bytes:
            self._refuse(408, f"the request headers did not arrive within {self.limits.timeout_s:g} s")
        else:  # a connection that never said anything: nothing to answer
            self.transport.close()

    def close_after_the_request(self) -> None:
        """Close now when the request has been read in full; else linger (see the module's docstring)."""
        if self._request_complete or self.transport.is_closing():
            self.transport.close()
            return
        if self._lingering is None:
            self._lingering = self.loop.call_later(LINGER_S, self.transport.close)
            self.flow.resume_reading()

    def _too_large(self) -> None:
        self._refuse(431, f"the request line and headers are larger than {self.limits.max_bytes} bytes")

    def _invalid_request(self) -> None:
        msg = "Invalid HTTP request received."
        self.logger.warning(msg)
        self.send_400_response(msg)

    def _refuse(self, status: int, message: str) -> None:
        """Answer before any app sees the request (its headers are incomplete), and close."""
        self._disarm_header_timer()
        self._awaiting_headers = False
        request_id = uuid.uuid4().hex
        kind = "headers_too_large" if status == 431 else "header_timeout"
        body = json.dumps(problem_body([Problem("headers", message, kind)], request_id)).encode()
        head = [STATUS_LINE[status]]
        for name, value in self.server_state.default_headers:
            head += [name, b": ", value, b"\r\n"]
        head += [
            b"content-type: application/json\r\n",
            b"content-length: %d\r\n" % len(body),
            b"x-request-id: " + request_id.encode() + b"\r\n",
            b"connection: close\r\n\r\n",
        ]
        self.transport.write(b"".join(head) + body)
        self.close_after_the_request()
        client = self.client[0] if self.client else None
        log.info("request refused", extra={"request_id": request_id, "status": status, "client": client})


class _LingeringClose:
    """The transport as a request's cycle sees it: uvicorn closes it after a `Connection: close` answer,
    and that close lingers when the request's body is still arriving."""

    def __init__(self, transport, protocol: GuardedHttpProtocol):
        self._transport = transport
        self._protocol = protocol

    def close(self) -> None:
        self._protocol.close_after_the_request()

    def __getattr__(self, name):
        return getattr(self._transport, name)
