"""What every store platform offers the sync, the webhook door and the configuration.

The OCA connector shape without its framework: the backend is `backend.StoreConfig`, the bindings live in
`state.py`, and a platform (`Platform`) brings its adapter (the only code that knows the store's wire
format), its mapper (`Mapper`: the store's order as the contract's normalised order), its push (`Push`:
Odoo's updates and stock in the store's terms) and its webhook rules (`WebhookRules`). Mapper, push and
webhook rules are modules of the platform's folder; a platform is that folder and one line in the
registry (`platforms/__init__.py`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ..backend import StoreConfig
    from ..contract import NormalisedOrder, StoreUpdate
    from ..state import State
    from .signature import WebhookSignature


class Mapper(Protocol):
    def order_id(self, order: dict) -> str:
        """The store's own id of an order as its API returns it (the binding's external id)."""

    def modified_of(self, order: dict) -> str:
        """The order's modification time in the store (BadOrder when it has none)."""

    def is_wanted(self, order: dict, store: StoreConfig, known: bool) -> bool:
        """Whether the order goes to Odoo (`known`: Odoo already has it, so any change goes through)."""

    def map_order(self, order: dict) -> NormalisedOrder: ...

    def from_webhook(self, body: dict) -> dict:
        """A webhook's body in the shape `map_order` reads."""


class StorePush(Protocol):
    """Odoo's updates for one store, in that store's terms."""

    def groups(self, due: list[StoreUpdate]) -> list[list[StoreUpdate]]:
        """The updates sent together (each group is one call to the store, recorded as one)."""

    def already_applied(self, group: list[StoreUpdate]) -> bool:
        """Whether the store already shows this group (asked after a kill between send and record)."""

    def send(self, group: list[StoreUpdate]) -> None: ...


class Push(Protocol):
    KINDS: tuple[str, ...]  # the kinds of Odoo's store updates the platform applies
    SKUS_PER_LOOKUP: int  # SKUs per look-up of where the store keeps them

    def sender(self, store: StoreConfig, api: Any, state: State) -> StorePush: ...

    def stock_places(self, api: Any, skus: list[str]) -> dict[str, list[Any]]:
        """Where in the store each SKU's stock is kept (a SKU the store does not sell is left out)."""

    def set_stock(self, api: Any, batch: list[tuple[Any, int, str]]) -> None:
        """Absolute quantities, (place, quantity, SKU) each."""


class WebhookRules(Protocol):
    SIGNATURE: WebhookSignature
    MODIFIED_FIELD: str  # where a webhook body carries the order's modification time

    def is_ping(self, headers: Mapping[bytes, bytes], body: bytes) -> bool:
        """Whether an unsigned body is the store's harmless check that the URL answers."""

    def event_id(self, headers: Mapping[bytes, bytes]) -> str:
        """The store's id of the event, the same on every delivery of it ("" when it gives none)."""

    def webhook_modified(self, value: str) -> str:
        """A webhook body's modification time as the inbox keys on it."""


class Platform(Protocol):
    name: str  # `platform` in sync.toml
    mapper: Mapper
    push: Push
    webhook: WebhookRules

    def store_fields(self, table: Any) -> dict[str, Any]:
        """The platform's own keys of a `[[stores]]` table (a config._Table), as StoreConfig fields."""

    def adapter(self, store: StoreConfig) -> Any:
        """The store's API client, its HTTP client built here and injected."""
