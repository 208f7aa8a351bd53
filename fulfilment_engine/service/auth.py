"""API keys: only their SHA-256 hashes are configured; a presented key is hashed and compared in
constant time against every configured hash, so neither the config nor the timing gives a key away.

Keys are long random tokens, so a fast hash is enough (no password-stretching needed): guessing a
256-bit token is as hopeless as reversing SHA-256.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from ..errors import ConfigError

KEY_PREFIX = "cfk_"
_HASH = re.compile(r"^(?:sha256:)?([0-9a-fA-F]{64})$")


def new_api_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_api_key(key: str) -> str:
    """The form to put in `[service] api_keys`: `sha256:<hex>`."""
    return "sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()


def parse_key_hash(value: object, where: str) -> bytes:
    if not isinstance(value, str) or not (match := _HASH.match(value.strip())):
        raise ConfigError(
            where,
            "must be a key hash 'sha256:<64 hex digits>' (run `fulfil api-key` to make a key and its hash)",
        )
    return bytes.fromhex(match.group(1))


class KeyChecker:
    def __init__(self, digests: tuple[bytes, ...]):
        self._digests = digests

    @property
    def configured(self) -> bool:
        return bool(self._digests)

    def accepts(self, presented: str) -> bool:
        digest = hashlib.sha256(presented.encode("utf-8")).digest()
        # Compare against every hash, without stopping early, so timing says nothing about which matched.
        found = False
        for expected in self._digests:
            found |= hmac.compare_digest(digest, expected)
        return found
