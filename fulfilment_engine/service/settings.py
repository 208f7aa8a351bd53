"""The service's own settings: the `[service]` table of fulfil.toml (see docs/service.md).

`api_keys` (SHA-256 hashes, `fulfil api-key` makes a key and its hash), `cors_origins` (shop pages allowed
to call from a browser), `store` (a SQLAlchemy URL; --store and FULFIL_STORE win), `widget` (serve the cart
widget at /widget/), `demo` (mark answers as sample data), `currency` and `exchange_rates` (the store's
currency, and what one unit of it is in each other currency carts may come in: fulfilment_engine/currency.py),
`header_timeout` and `body_timeout` (how long a client may take to send its headers and its body: "10s",
"30s" by default) and `[service.delivery]` (delivery.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from ..errors import ConfigError
from .auth import KeyChecker, parse_key_hash
from .delivery import DeliveryPolicy, parse_policy
from .door import BODY_TIMEOUT_S
from .guarded_http import HEADER_TIMEOUT_S
from .models import currency_code

KNOWN_KEYS = {
    "api_keys",
    "cors_origins",
    "store",
    "widget",
    "demo",
    "delivery",
    "currency",
    "exchange_rates",
    "header_timeout",
    "body_timeout",
}
_DURATION = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*(ms|s|m)")
_UNIT_S = {"ms": 0.001, "s": 1.0, "m": 60.0}


@dataclass(frozen=True)
class ServiceSettings:
    keys: KeyChecker
    cors_origins: tuple[str, ...] = ()
    delivery: DeliveryPolicy = field(default_factory=DeliveryPolicy)
    store_url: str | None = None
    demo: bool = False  # responses say `"demo": true`: the figures are sample data
    widget: bool = False
    # The currency the store's costs and distributors' charges are in ("": not said; a cart's currency is
    # then taken as theirs), and units of another currency per unit of it.
    currency: str = ""
    exchange_rates: Mapping[str, Decimal] = field(default_factory=dict)
    header_timeout_s: float = HEADER_TIMEOUT_S
    body_timeout_s: float = BODY_TIMEOUT_S

    def rate_for(self, currency: str) -> Decimal | None:
        """What one unit of the store's currency is in `currency`; None when no rate is configured."""
        if not self.currency or currency == self.currency:
            return Decimal(1)
        return self.exchange_rates.get(currency)


def service_settings(raw: Mapping[str, Any], where: str = "fulfil.toml") -> ServiceSettings:
    """Read the `[service]` table; a config without one (or without keys) is refused, never served open."""
    table = raw.get("service")
    if table is None:
        raise ConfigError(
            f"{where}: [service]", "missing: the service needs at least api_keys (run `fulfil api-key`)"
        )
    if not isinstance(table, Mapping):
        raise ConfigError(f"{where}: [service]", "must be a table")
    unknown = sorted(set(table) - KNOWN_KEYS)
    if unknown:
        raise ConfigError(
            f"{where}: [service].{unknown[0]}", f"unknown setting (known: {', '.join(sorted(KNOWN_KEYS))})"
        )

    keys_spec = table.get("api_keys")
    if not isinstance(keys_spec, list) or not keys_spec:
        raise ConfigError(
            f"{where}: [service].api_keys",
            "must list at least one key hash 'sha256:…' (run `fulfil api-key` to make one)",
        )
    digests = tuple(
        parse_key_hash(value, f"{where}: [service].api_keys[{index}]")
        for index, value in enumerate(keys_spec)
    )

    origins_spec = table.get("cors_origins", [])
    if not isinstance(origins_spec, list) or not all(isinstance(o, str) and o.strip() for o in origins_spec):
        raise ConfigError(
            f"{where}: [service].cors_origins", 'must be a list of origins, e.g. ["https://shop.example"]'
        )
    origins = tuple(o.strip().rstrip("/") for o in origins_spec)
    for index, origin in enumerate(origins):
        if origin != "*" and not origin.startswith(("http://", "https://")):
            raise ConfigError(
                f"{where}: [service].cors_origins[{index}]",
                f"must be an origin like https://shop.example, got {origin!r}",
            )

    store = table.get("store")
    if store is not None and (not isinstance(store, str) or not store.strip()):
        raise ConfigError(f"{where}: [service].store", "must be a SQLAlchemy URL")

    for flag in ("widget", "demo"):
        if not isinstance(table.get(flag, False), bool):
            raise ConfigError(f"{where}: [service].{flag}", "must be true or false")

    currency = _currency_code(table.get("currency", ""), f"{where}: [service].currency", allow_empty=True)
    rates_spec = table.get("exchange_rates", {})
    if not isinstance(rates_spec, Mapping):
        raise ConfigError(f"{where}: [service].exchange_rates", 'must be a table, e.g. { EUR = "1.17" }')
    if rates_spec and not currency:
        raise ConfigError(
            f"{where}: [service].exchange_rates", "needs [service].currency: the currency the rates are from"
        )
    rates = {}
    for code, value in rates_spec.items():
        path = f"{where}: [service].exchange_rates.{code}"
        code = _currency_code(code, path)
        try:
            rate = Decimal(str(value).strip()) if not isinstance(value, bool) else None
        except InvalidOperation:
            rate = None
        if rate is None or not rate.is_finite() or rate <= 0:
            raise ConfigError(path, f'must be a positive number such as "1.17", got {value!r}')
        rates[code] = rate

    return ServiceSettings(
        keys=KeyChecker(digests),
        cors_origins=origins,
        delivery=parse_policy(table.get("delivery"), where=f"{where}: [service.delivery]"),
        store_url=store.strip() if store else None,
        demo=table.get("demo", False),
        widget=table.get("widget", False),
        currency=currency,
        exchange_rates=rates,
        header_timeout_s=_duration(table, "header_timeout", HEADER_TIMEOUT_S, where),
        body_timeout_s=_duration(table, "body_timeout", BODY_TIMEOUT_S, where),
    )


def _duration(table: Mapping[str, Any], key: str, default: float, where: str) -> float:
    """A duration written like "10s", "500ms" or "1m" (a bare number is seconds), greater than 0."""
    value = table.get(key)
    if value is None:
        return default
    match = _DURATION.fullmatch(value.strip()) if isinstance(value, str) else None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = float(value)
    elif match:
        seconds = float(match.group(1)) * _UNIT_S[match.group(2)]
    else:
        seconds = 0.0
    if seconds <= 0:
        raise ConfigError(
            f"{where}: [service].{key}", f'must be a duration such as "10s" or "500ms", got {value!r}'
        )
    return seconds


def _currency_code(value: Any, where: str, *, allow_empty: bool = False) -> str:
    """The request models' rule for a currency code, as a configuration error naming the key."""
    if allow_empty and isinstance(value, str) and not value.strip():
        return ""
    try:
        return currency_code(value if isinstance(value, str) else repr(value))
    except ValueError as exc:
        raise ConfigError(where, str(exc)) from None
