"""Shopify's webhook rules: the signature header, no ping, the event id every delivery of an event
repeats."""

from __future__ import annotations

from collections.abc import Mapping

from ..signature import WebhookSignature

SIGNATURE = WebhookSignature("X-Shopify-Hmac-Sha256")
EVENT_ID = b"x-shopify-event-id"
MODIFIED_FIELD = "updated_at"


def is_ping(headers: Mapping[bytes, bytes], body: bytes) -> bool:
    return False


def event_id(headers: Mapping[bytes, bytes]) -> str:
    return headers.get(EVENT_ID, b"").decode("latin-1")


def webhook_modified(value: str) -> str:
    return value
