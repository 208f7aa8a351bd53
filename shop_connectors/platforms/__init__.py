"""The store platforms, each one folder (its adapter, mapper, push and webhook rules) and one line in
`PLATFORMS`. The sync, the webhook door and the configuration look a store's platform up here, once, and
never ask which platform it is again: a third platform is a new folder and a new line below.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import shopify, woocommerce
from .base import Platform, StorePush

if TYPE_CHECKING:
    from ..backend import StoreConfig

__all__ = ["PLATFORMS", "Platform", "StorePush", "platform_for"]

PLATFORMS: dict[str, Platform] = {
    "woocommerce": woocommerce.PLATFORM,
    "shopify": shopify.PLATFORM,
}


def platform_for(store: StoreConfig) -> Platform:
    return PLATFORMS[store.platform]
