"""Typed exceptions, so callers choose policy and users read what was wrong and where."""

from __future__ import annotations


class FulfilError(Exception):
    """Base of every error the engine raises on purpose; its text is meant for a person."""


class InputError(FulfilError):
    """Bad input: names where (a file, a file:line, a JSON path) and what is wrong."""

    def __init__(self, where: str, message: str):
        self.where = where
        self.message = message
        super().__init__(f"{where}: {message}" if where else message)


class ScenarioError(InputError):
    """A planning scenario (JSON) that does not follow the contract; `where` is its JSON path."""


class ConfigError(InputError):
    """fulfil.toml (or another configuration file) is unreadable or inconsistent."""


class BadFeedRow(InputError):
    """One feed or product-master row that cannot be loaded; `where` is FILE:LINE."""


class FeedRefused(FulfilError):
    """A feed that would do more harm than good (say, zero most of a distributor's offers)."""


class StoreError(FulfilError):
    """The offer store cannot be opened or written."""


class PlanningError(FulfilError):
    """The planner could not prove an optimum (solver failure, time limit)."""


class DistributorUnavailable(FulfilError):
    """A distributor's real-time service did not give a usable answer (timeout, 5xx, 429, bad payload)."""

    def __init__(self, distributor: str, reason: str):
        self.distributor = distributor
        self.reason = reason
        super().__init__(f"distributor {distributor}: {reason}")


class DistributorTransientError(DistributorUnavailable):
    """5xx, timeout, lost connection or a garbled answer: worth one more try when the deadline allows."""


class DistributorRateLimited(DistributorUnavailable):
    """HTTP 429 (or our own limiter said no): try again after `retry_after_s` seconds, when known."""

    def __init__(self, distributor: str, reason: str, retry_after_s: float | None = None):
        self.retry_after_s = retry_after_s
        super().__init__(distributor, reason)


class CarrierUnavailable(FulfilError):
    """A carrier's rating service did not give a usable answer."""

    def __init__(self, carrier: str, reason: str):
        self.carrier = carrier
        self.reason = reason
        super().__init__(f"carrier {carrier}: {reason}")


class DistributorOrderError(FulfilError):
    """A call about a purchase order on a distributor's own API (place, read, cancel, invoices) failed.

    `records`: every HTTP exchange the call made, secrets masked (`distributors.orders.CallRecord`), so
    the caller can keep what was sent and answered even when nothing came of it."""

    def __init__(self, distributor: str, reason: str, records: tuple = ()):
        self.distributor = distributor
        self.reason = reason
        self.records = tuple(records)
        super().__init__(f"distributor {distributor}: {reason}")


class OrderRejected(DistributorOrderError):
    """The distributor refused the request as it stands (HTTP 400): sending it again changes nothing.
    `fields` are the distributor's own (field, value, message) triples, its words for a person."""

    def __init__(self, distributor: str, reason: str, fields: tuple = (), records: tuple = ()):
        self.fields = tuple(fields)
        super().__init__(distributor, reason, records)


class OrderUnavailable(DistributorOrderError):
    """No usable answer (unreachable, timeout, 429, 5xx, a token refused, a garbled body): try later,
    after `retry_after_s` when the distributor said."""

    def __init__(
        self, distributor: str, reason: str, retry_after_s: float | None = None, records: tuple = ()
    ):
        self.retry_after_s = retry_after_s
        super().__init__(distributor, reason, records)


class OrderAnswerLost(OrderUnavailable):
    """The request reached the distributor but its answer did not reach us (a timeout or a reset after the
    body was sent, a 5xx): an order may exist there. Search for it before any new attempt."""


class OrderNotFound(DistributorOrderError):
    """The distributor knows no such order or invoice (HTTP 404)."""


class CancelRefused(DistributorOrderError):
    """The distributor refused to cancel (already released to its warehouse, shipped): `reason` carries
    its words."""
