"""The auto-fulfil web service (`fulfil serve`): carts in, plans and delivery charges out (docs/service.md).

from fulfilment_engine.service import create_app, service_settings
app = create_app(config, service_settings(config.raw), store_url)

The names below are imported when first used, so a submodule (the HTTP protocol and the door, which
`channel-sync serve` reuses) can be imported without loading the app, the planner and the offer store.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

_WHERE = {
    "app_from_environment": ".app",
    "create_app": ".app",
    "resolve_store_url": ".app",
    "DeliveryPolicy": ".delivery",
    "DeliveryQuote": ".delivery",
    "DeliveryRule": ".delivery",
    "parse_policy": ".delivery",
    "ServiceSettings": ".settings",
    "service_settings": ".settings",
}

if TYPE_CHECKING:
    from .app import app_from_environment, create_app, resolve_store_url
    from .delivery import DeliveryPolicy, DeliveryQuote, DeliveryRule, parse_policy
    from .settings import ServiceSettings, service_settings

__all__ = [
    "DeliveryPolicy",
    "DeliveryQuote",
    "DeliveryRule",
    "ServiceSettings",
    "app_from_environment",
    "create_app",
    "parse_policy",
    "resolve_store_url",
    "service_settings",
]


def __getattr__(name: str):
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module, __name__), name)
