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
