"""The auto-fulfil web service (`fulfil serve`): carts in, plans and delivery charges out (docs/service.md).

from fulfilment_engine.service import create_app, service_settings
app = create_app(config, service_settings(config.raw), store_url)
"""

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
