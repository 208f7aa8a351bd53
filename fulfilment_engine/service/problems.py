"""The shape of every error the service answers, `{message, errors, request_id}`, without FastAPI: the
HTTP protocol and the door (which `channel-sync serve` reuses) build it before any app runs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    path: str
    message: str
    type: str

    def to_dict(self) -> dict:
        return {"path": self.path, "message": self.message, "type": self.type}


def problem_body(problems: Sequence[Problem], request_id: str) -> dict:
    """Every error the service answers, whatever its status: `{message, errors, request_id}`."""
    first = problems[0]
    return {
        "message": f"{first.path}: {first.message}",
        "errors": [p.to_dict() for p in problems],
        "request_id": request_id,
    }
