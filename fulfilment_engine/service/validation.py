"""Every error answer in one shape, `{message, errors, request_id}`; a 422 names the field:
`cart[2].qty: Input should be greater than or equal to 1`.

FastAPI reports a location as a tuple (`("body", "cart", 2, "qty")`); a shop developer reads the JSON path
of their own request body instead, and `?sku` for a query parameter.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from .problems import Problem, problem_body


class InvalidRequest(Exception):
    """Raised by a route when the request is well-formed but names things we do not have."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = tuple(problems)
        super().__init__(problems[0].message if problems else "invalid request")


def json_path(loc: Iterable[str | int]) -> str:
    parts = list(loc)
    if parts and parts[0] == "query":
        return "?" + ".".join(str(p) for p in parts[1:])
    if parts and parts[0] in ("body", "path", "header"):
        parts = parts[1:]
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "$"


def _problem_from_pydantic(error: dict) -> Problem:
    loc = list(error.get("loc", ()))
    kind = error.get("type", "invalid")
    message = error.get("msg", "is invalid")
    if kind == "missing":
        message = "is required"
    elif kind == "extra_forbidden":
        message = "is not a field of this request (nothing sent is ignored)"
    elif kind == "json_invalid":
        loc = ["body"]
        context = error.get("ctx", {}).get("error", "")
        message = f"the body is not valid JSON: {context}".rstrip(": ")
    elif kind in ("model_attributes_type", "dict_type") and loc == ["body"]:
        message = "the body must be a JSON object"
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    elif kind not in ("missing", "extra_forbidden", "json_invalid") and "input" in error:
        value = error["input"]
        if value is None or isinstance(value, (str, int, float, bool)):
            message = f"{message}, got {json.dumps(value)}"
    return Problem(json_path(loc), message, kind)


def problem_response(
    problems: Sequence[Problem], request: Request, status_code: int = 422, headers: dict | None = None
) -> JSONResponse:
    request_id = request.scope.get("state", {}).get("request_id", "")
    return JSONResponse(problem_body(problems, request_id), status_code=status_code, headers=headers)


async def on_request_validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    problems = [_problem_from_pydantic(e) for e in exc.errors()] or [
        Problem("$", "invalid request", "invalid")
    ]
    return problem_response(problems, request)


async def on_invalid_request(request: Request, exc: InvalidRequest) -> JSONResponse:
    return problem_response(exc.problems, request)
