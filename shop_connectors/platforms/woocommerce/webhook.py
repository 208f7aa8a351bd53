"""WooCommerce's webhook rules: the signature header, the creation ping, no event id."""

from __future__ import annotations

import re
from collections.abc import Mapping

from ..signature import WebhookSignature

SIGNATURE = WebhookSignature("X-WC-Webhook-Signature")
# When a webhook is created, WooCommerce posts an unsigned form body `webhook_id=N` and wants a 2xx.
PING = re.compile(rb"^webhook_id=\d+$")
MODIFIED_FIELD = "date_modified_gmt"


def is_ping(headers: Mapping[bytes, bytes], body: bytes) -> bool:
    return SIGNATURE.given(headers) is None and PING.match(body.strip()) is not None


def event_id(headers: Mapping[bytes, bytes]) -> str:
    return ""  # a redelivery gets a new X-WC-Webhook-Delivery-ID: the order's version deduplicates


def webhook_modified(value: str) -> str:
    """`date_modified_gmt` is UTC without a zone."""
    return value if value.endswith("Z") else f"{value}Z"
