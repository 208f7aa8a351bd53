"""The service's door: what a request must be before anything reads or parses its body.

Checks in this order (ARCHITECTURE.md, "The cart service door"): 401 for a key-protected path without a
configured key, before a byte of the body is read; 413 for a body above MAX_BODY_BYTES, from its
Content-Length or, when it is chunked, by counting while reading (reading stops at the limit + 1); 415
for a body that is not `application/json`; 422 for a body that is not JSON or nests deeper than
MAX_JSON_DEPTH. A body that does not arrive within the body timeout is a 408. Whatever passes is handed
to the app exactly as read.

Pure ASGI on purpose: Starlette's BaseHTTPMiddleware (and FastAPI's own body parsing, which runs before
any dependency) read the whole body first, so an unauthenticated 100 MB body used to cost 1.3 GB before
its 401. A refusal sent while the body is still unread says `Connection: close`, so uvicorn drops the
connection instead of reading the rest of the body to reach a next request.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence

from .auth import KeyChecker
from .problems import Problem, problem_body

MAX_BODY_BYTES = 1024 * 1024
BODY_TIMEOUT_S = 30.0  # the default of [service] body_timeout
MAX_JSON_DEPTH = 32
PROTECTED_PREFIX = "/v1/"  # every API route; /healthz, /openapi.json, /docs and the widget are open
JSON_MEDIA_TYPE = "application/json"


class Door:
    def __init__(self, app, keys: KeyChecker, body_timeout_s: float):
        self.app = app
        self.keys = keys
        self.body_timeout_s = body_timeout_s

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        request_id = scope.get("state", {}).get("request_id", "")
        headers = header_map(scope["headers"])
        length, chunked = framing(headers)
        has_body = chunked or bool(length)

        async def refuse(status: int, problem: Problem, *, body_unread: bool, extra=()):
            await _send_problem(send, status, [problem], request_id, body_unread, extra)

        if scope["path"].startswith(PROTECTED_PREFIX):
            problem, challenge = self._key_problem(headers.get(b"authorization"))
            if problem:
                return await refuse(
                    401, problem, body_unread=has_body, extra=[(b"www-authenticate", challenge)]
                )
        if not has_body:
            return await self.app(scope, receive, send)
        if length is not None and length > MAX_BODY_BYTES:
            return await refuse(413, _too_large(f"its Content-Length is {length}"), body_unread=True)

        try:
            async with asyncio.timeout(self.body_timeout_s):
                body = await read_body(receive, MAX_BODY_BYTES)
        except TimeoutError:
            problem = Problem(
                "$", f"the body did not arrive within {self.body_timeout_s:g} s", "body_timeout"
            )
            return await refuse(408, problem, body_unread=True)
        if body is None:  # the client went away: nobody to answer
            return
        if isinstance(body, int):
            return await refuse(
                413, _too_large(f"more than {MAX_BODY_BYTES} bytes were sent"), body_unread=True
            )

        media_type = headers.get(b"content-type", b"").split(b";", 1)[0].strip().lower().decode("latin-1")
        if media_type != JSON_MEDIA_TYPE:
            problem = Problem(
                "Content-Type",
                f"the body must be sent as {JSON_MEDIA_TYPE}, got {media_type or 'no Content-Type'}",
                "unsupported_media_type",
            )
            return await refuse(415, problem, body_unread=False)
        problem = json_problem(body)
        if problem:
            return await refuse(422, problem, body_unread=False)
        await self.app(scope, _replay(body, receive), send)

    def _key_problem(self, authorization: bytes | None) -> tuple[Problem | None, bytes]:
        scheme, _, token = (authorization or b"").decode("latin-1").strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            message = "an API key is required: Authorization: Bearer <key>"
            return Problem("Authorization", message, "unauthorized"), b"Bearer"
        if not self.keys.accepts(token):
            return Problem(
                "Authorization", "the API key is not valid", "unauthorized"
            ), b'Bearer error="invalid_token"'
        return None, b""


def json_problem(body: bytes) -> Problem | None:
    """Why `body` is not JSON the service will parse, or None. Deep nesting is refused before the
    models see it: past a few hundred levels Python's parser raises RecursionError (FastAPI answered a 400
    in its own shape), and no cart needs more than a handful."""
    try:
        value = json.loads(body)
    except RecursionError:
        return Problem("$", f"the body nests deeper than {MAX_JSON_DEPTH} levels", "too_deep")
    except ValueError as exc:  # JSONDecodeError, and UnicodeDecodeError for bytes in no UTF encoding
        return Problem("$", f"the body is not valid JSON: {exc}", "json_invalid")
    where = _deeper_than(value, MAX_JSON_DEPTH)
    if where is not None:
        return Problem(where, f"nests deeper than {MAX_JSON_DEPTH} levels", "too_deep")
    return None


def _deeper_than(value, limit: int) -> str | None:
    """The JSON path of the first array or object nested deeper than `limit`, or None (no recursion)."""
    stack: list[tuple[object, int, str]] = [(value, 1, "")]
    while stack:
        node, depth, path = stack.pop()
        if not isinstance(node, (dict, list)):
            continue
        if depth > limit:
            return path or "$"
        if isinstance(node, dict):
            stack.extend((v, depth + 1, f"{path}.{k}" if path else str(k)) for k, v in node.items())
        else:
            stack.extend((v, depth + 1, f"{path}[{i}]") for i, v in enumerate(node))
    return None


async def read_body(receive, limit: int) -> bytes | int | None:
    """The whole body; the count read so far once it passes `limit` (nothing more is read); None when the
    client disconnected. Counted while reading, so a chunked body is bounded like one with a length."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return size
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive):
    delivered = False

    async def replay():
        nonlocal delivered
        if delivered:
            return await receive()  # http.disconnect, when the client goes away
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


def header_map(raw: Sequence[tuple[bytes, bytes]]) -> dict[bytes, bytes]:
    return {name.lower(): value for name, value in raw}


def framing(headers: dict[bytes, bytes]) -> tuple[int | None, bool]:
    """(Content-Length or None, whether the body is chunked); the HTTP parser has refused malformed ones."""
    chunked = b"chunked" in headers.get(b"transfer-encoding", b"").lower()
    length = headers.get(b"content-length")
    return (int(length) if length is not None and not chunked else None), chunked


def _too_large(why: str) -> Problem:
    return Problem("$", f"the body is larger than {MAX_BODY_BYTES} bytes (1 MiB): {why}", "body_too_large")


async def _send_problem(send, status: int, problems, request_id: str, close: bool, extra=()) -> None:
    body = json.dumps(problem_body(problems, request_id)).encode()
    await send_answer(send, status, body, close=close, extra=extra)


async def send_answer(
    send, status: int, body: bytes, *, content_type: bytes = JSON_MEDIA_TYPE.encode(), close=False, extra=()
) -> None:
    """One whole answer. `close`: say `Connection: close`, for an answer sent while the body is still unread
    (the HTTP protocol then closes lingering, guarded_http.py)."""
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode()), *extra]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
