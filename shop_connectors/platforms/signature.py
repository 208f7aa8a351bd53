"""How a store signs a webhook, in one place for the door that verifies and the doubles that sign.

Both platforms sign the same way — the base64 HMAC-SHA256 of the raw body, keyed with the store's webhook
secret — in a header of their own (WooCommerce `X-WC-Webhook-Signature`, Shopify `X-Shopify-Hmac-Sha256`).
The shape is stripe-python's `WebhookSignature`: one class holds the header, the algorithm and both
directions, so the scheme cannot drift between the side that signs and the side that checks.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping


class WebhookSignature:
    def __init__(self, header: str):
        self.header = header  # as the store writes it
        self.header_key = header.lower().encode()  # as the door's header map holds it

    @staticmethod
    def compute(secret: str, body: bytes) -> str:
        return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()

    def headers(self, secret: str, body: bytes) -> dict[str, str]:
        """The header a store sends with `body` (for the doubles)."""
        return {self.header: self.compute(secret, body)}

    def given(self, headers: Mapping[bytes, bytes]) -> bytes | None:
        """The signature a request carries, if any (headers keyed by their lower-case bytes)."""
        return headers.get(self.header_key)

    def verify(self, secret: str, body: bytes, given: bytes | None) -> bool:
        """Whether `given` is the signature of `body` with `secret` (compared in constant time)."""
        return given is not None and hmac.compare_digest(given.strip(), self.compute(secret, body).encode())
