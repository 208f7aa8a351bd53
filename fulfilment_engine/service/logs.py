"""Structured logs: one JSON object a line, and one `request` line per HTTP request carrying its id.

The request id comes from the caller's `X-Request-ID` (so a shop can follow one cart through its own
logs and ours) or is made here; it goes back in the response's `X-Request-ID` header.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from .problems import Problem, problem_body

LOGGER_NAME = "fulfilment_engine.service"
LOG_LEVEL_ENV = "FULFIL_LOG_LEVEL"  # handed from `fulfil serve` to its uvicorn workers
log = logging.getLogger(LOGGER_NAME)

REQUEST_ID_HEADER = "x-request-id"
# Accept the caller's id only when it is short and plain, so it cannot forge log lines or headers.
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:@/+=-]{1,128}$")

# uvicorn adds `color_message` (its text with terminal colours): not for JSON logs.
_STANDARD_ATTRS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "color_message"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                out[key] = value
        if record.exc_info:
            out["error"] = self.formatException(record.exc_info)
        return json.dumps(out, default=str)


def configure_logging(level: str = "info") -> None:
    """JSON lines on stderr for our logs and uvicorn's own (its access log is replaced by ours)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    for name in (LOGGER_NAME, "fulfilment_engine", "uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(level.upper())
        logger.propagate = False
    logging.getLogger("uvicorn.access").disabled = True


def request_id_from(headers: list[tuple[bytes, bytes]]) -> str:
    for name, value in headers:
        if name == b"x-request-id":
            candidate = value.decode("latin-1").strip()
            if _SAFE_REQUEST_ID.match(candidate):
                return candidate
            break
    return uuid.uuid4().hex


class RequestLogMiddleware:
    """Pure ASGI (no per-request task or body buffering): sets `scope["state"]["request_id"]`, adds the
    response header, and logs method, path, status and duration, plus whatever the route put in
    `scope["state"]["log"]` (plan status, distributors refreshed, ...)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        request_id = request_id_from(scope["headers"])
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        state["log"] = {}
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_id(message):
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"]
                headers.append((b"x-request-id", request_id.encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            # Answer here rather than in Starlette's outer error handler, so even a 500 carries its id.
            log.exception("unhandled error", extra={"request_id": request_id})
            if not response_started:
                problem = Problem("$", "internal error", "internal")
                body = json.dumps(problem_body([problem], request_id)).encode()
                await send_with_id(
                    {
                        "type": "http.response.start",
                        "status": 500,
                        "headers": [
                            (b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                        ],
                    }
                )
                await send_with_id({"type": "http.response.body", "body": body})
        finally:
            client = scope.get("client")
            log.info(
                "request",
                extra={
                    "request_id": request_id,
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    "client": client[0] if client else None,
                    **state["log"],
                },
            )
