"""Typed errors, so the sync decides policy (retry, park, skip a store) and a person reads what and where."""

from __future__ import annotations


class SyncError(Exception):
    """Base of every error the connectors raise on purpose; its text is meant for a person."""


class ConfigError(SyncError):
    """sync.toml is unreadable or inconsistent: names the file and the key."""

    def __init__(self, where: str, message: str):
        self.where = where
        self.message = message
        super().__init__(f"{where}: {message}")


class Transient(SyncError):
    """Worth another try later: a timeout, a lost connection, 5xx, 429, a throttle. `retry_after_s` when
    the other side said how long to wait."""

    def __init__(self, message: str, retry_after_s: float | None = None):
        self.retry_after_s = retry_after_s
        super().__init__(message)


class StoreUnavailable(Transient):
    """The store's API did not answer usefully (down, 5xx, 429, throttled)."""


class StoreRejected(SyncError):
    """The store refused a request for a reason another try will not fix (4xx, userErrors)."""

    def __init__(self, message: str, status: int | None = None, code: str = ""):
        self.status = status
        self.code = code
        super().__init__(message)


class OdooUnavailable(Transient):
    """Odoo did not answer (down, 5xx, timeout)."""


class OdooKeyRefused(SyncError):
    """Odoo answered 401: the connector's API key expired or was revoked. Nothing will work until an
    admin makes a new one, so every store stops for this run."""

    def __init__(self) -> None:
        super().__init__("odoo: API key refused (expired or revoked)")


class OdooRejected(SyncError):
    """Odoo refused a call (access error, validation, unknown method): not worth repeating as is."""

    def __init__(self, message: str, status: int):
        self.status = status
        super().__init__(message)


class BadOrder(SyncError):
    """A store order that cannot be mapped (missing field, unreadable money): parked for a person."""

    def __init__(self, where: str, message: str):
        super().__init__(f"{where}: {message}")
