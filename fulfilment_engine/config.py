"""`fulfil.toml`: planner settings, real-time distributor endpoints and carrier accounts.

Found by an explicit path, else the `FULFIL_CONFIG` environment variable, else `./fulfil.toml`; with none of
them the defaults apply (no real-time distributors, a 400 ms deadline). The sections this module owns are
checked strictly — an unknown key is an error naming the file and the key, because a typo such as
`deadline = 300` must not be ignored silently. Every other top-level table (for example `[service]`, read by
the HTTP service) is kept untouched in `Config.raw`.

A credential may be written as `"env:NAME"` to read it from the environment instead of the file.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

from .errors import ConfigError

DEFAULT_DEADLINE_MS = 400
DEFAULT_CARRIER_RESERVE_MS = 150
PROTOCOLS = ("ingram_v6", "tdsynnex_xml")
ORDER_PROTOCOLS = ("ingram_v6",)
CARRIERS = ("ups", "fedex")
DEFAULT_ORDERS_TIMEOUT_S = 30.0
DEFAULT_APPLICATION_ID = "ChannelFulfilment"

Protocol = Literal["ingram_v6", "tdsynnex_xml"]


@dataclass(frozen=True)
class RealtimeConfig:
    """How to reach one distributor's real-time price & availability service."""

    protocol: Protocol
    url: str
    client_id: str = ""
    client_secret: str = ""
    customer_number: str = ""
    country_code: str = "GB"
    sender_id: str = ""
    username: str = ""
    password: str = ""
    part_number_field: str = ""  # TD SYNNEX: "synnexSKU" (default) or "mfgPN"
    rate_limit: int = 100  # calls per rate_limit_period_s for the whole account
    rate_limit_period_s: float = 60.0
    rate_limit_burst: int | None = None  # default: rate_limit - 1 (one call in hand)
    max_batch: int = 50

    @property
    def account(self) -> str:
        """The identity a rate limit belongs to: one account may serve several processes and plans."""
        return account_key(self.protocol, self.url, self.customer_number or self.username or self.client_id)


@dataclass(frozen=True)
class OrdersConfig:
    """`[distributors.orders]`: how to place purchase orders and read their status, tracking and
    invoices over a distributor's own API (Ingram Micro Reseller API v6). Each key not given falls back
    to `[distributors.realtime]` when that one is `ingram_v6`: one account, one set of credentials, and
    (through `account`) one rate limit shared with the real-time queries."""

    protocol: Literal["ingram_v6"]
    url: str
    client_id: str = ""
    client_secret: str = ""
    customer_number: str = ""
    country_code: str = "GB"
    sender_id: str = ""
    # IM-ApplicationID, which the invoice calls require: default sender_id, else DEFAULT_APPLICATION_ID
    application_id: str = ""
    rate_limit: int = 100
    rate_limit_period_s: float = 60.0
    rate_limit_burst: int | None = None
    http_timeout_s: float = DEFAULT_ORDERS_TIMEOUT_S
    max_wait_s: float = 30.0  # at most this long for the account's limiter or a Retry-After, per call

    @property
    def account(self) -> str:
        return account_key(self.protocol, self.url, self.customer_number or self.client_id)


def account_key(protocol: str, url: str, who: str) -> str:
    """The rate-limit identity of an account (`RealtimeConfig.account`, `OrdersConfig.account`): the same
    for the real-time and the order calls of one Ingram account, so they spend one budget."""
    return f"{protocol}:{url.rstrip('/')}:{who}"


@dataclass(frozen=True)
class DistributorConfig:
    id: str
    name: str = ""
    realtime: RealtimeConfig | None = None
    orders: OrdersConfig | None = None  # `[distributors.orders]`, or the real-time Ingram account
    ship_from_country: str = ""
    ship_from_postcode: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CarrierConfig:
    """A carrier account used to rate `{"type": "carrier"}` freight rules live."""

    carrier: str
    url: str
    client_id: str = ""
    client_secret: str = ""
    account_number: str = ""
    ship_from_country: str = ""
    ship_from_postcode: str = ""


@dataclass(frozen=True)
class PlannerConfig:
    deadline_ms: int = DEFAULT_DEADLINE_MS
    time_limit_s: float | None = None
    # Of the deadline, what is kept for rating carrier-rule shipments live (UPS/FedEx) after planning:
    # the distributors' real-time queries get the rest, so a slow distributor cannot leave the carrier
    # no time at all. Only taken when the cart has a carrier rule and a carrier account is configured.
    # Not set: 150 ms, or under a short deadline three eighths of it.
    carrier_reserve_ms: int | None = None

    @property
    def carrier_reserve_s(self) -> float:
        if self.carrier_reserve_ms is not None:
            return self.carrier_reserve_ms / 1000
        return min(DEFAULT_CARRIER_RESERVE_MS, self.deadline_ms * 3 // 8) / 1000


@dataclass(frozen=True)
class GatewayConfig:
    """`[realtime]`: behaviour shared by every real-time distributor."""

    cache_ttl_s: float = 30.0
    breaker_failures: int = 3
    breaker_cooldown_s: float = 30.0
    http_timeout_s: float = 2.0
    max_retries: int = 1
    limiter: Literal["memory", "postgres"] = "memory"
    limiter_url: str = ""


@dataclass(frozen=True)
class Config:
    path: Path | None = None
    planner: PlannerConfig = field(default_factory=PlannerConfig)
    distributors: Mapping[str, DistributorConfig] = field(default_factory=dict)
    carriers: Mapping[str, CarrierConfig] = field(default_factory=dict)
    realtime: GatewayConfig = field(default_factory=GatewayConfig)
    raw: Mapping[str, Any] = field(default_factory=dict)

    @property
    def deadline_s(self) -> float:
        return self.planner.deadline_ms / 1000

    def realtime_distributors(self) -> dict[str, DistributorConfig]:
        return {key: dist for key, dist in self.distributors.items() if dist.realtime is not None}


# ---------------------------------------------------------------------------------------------- loading


def find_config_path(path: str | Path | None = None) -> Path | None:
    """The file to read: `path`, else $FULFIL_CONFIG, else ./fulfil.toml when it exists, else None."""
    if path is not None and str(path) != "":
        return Path(path)
    env = os.environ.get("FULFIL_CONFIG")
    if env:
        return Path(env)
    local = Path("fulfil.toml")
    return local if local.is_file() else None


def load_config(path: str | Path | None = None) -> Config:
    found = find_config_path(path)
    if found is None:
        return Config()
    try:
        text = found.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(str(found), f"cannot read configuration: {exc.strerror or exc}") from None
    return parse_config_text(text, source=str(found), path=found)


def parse_config_text(text: str, source: str = "fulfil.toml", path: Path | None = None) -> Config:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(source, f"not valid TOML: {exc}") from None
    return parse_config(data, source=source, path=path)


def parse_config(data: Mapping[str, Any], source: str = "fulfil.toml", path: Path | None = None) -> Config:
    reader = _Reader(source)
    planner = _planner(reader, data.get("planner", {}))
    gateway = _gateway(reader, data.get("realtime", {}))
    distributors: dict[str, DistributorConfig] = {}
    items = data.get("distributors", [])
    if not isinstance(items, list):
        raise ConfigError(source, "distributors: must be an array of tables, written [[distributors]]")
    for index, item in enumerate(items):
        dist = _distributor(reader, item, f"distributors[{index}]")
        if dist.id in distributors:
            raise ConfigError(
                source, f"distributors[{index}].id: distributor {dist.id!r} is configured twice"
            )
        distributors[dist.id] = dist
    carriers = _carriers(reader, data.get("carriers", {}))
    if gateway.limiter == "postgres" and not gateway.limiter_url:
        raise ConfigError(source, 'realtime.limiter_url: required when limiter = "postgres"')
    return Config(
        path=path,
        planner=planner,
        distributors=distributors,
        carriers=carriers,
        realtime=gateway,
        raw=dict(data),
    )


# ---------------------------------------------------------------------------------------------- sections


class _Reader:
    """Typed access to one table, with errors that name the file and the dotted key."""

    def __init__(self, source: str):
        self.source = source

    def error(self, key: str, message: str) -> ConfigError:
        return ConfigError(self.source, f"{key}: {message}")

    def table(self, value: Any, where: str, allowed: tuple[str, ...] | None = None) -> dict:
        if not isinstance(value, dict):
            raise self.error(where, "must be a table")
        if allowed is not None:
            for key in value:
                if key not in allowed:
                    raise self.error(
                        f"{where}.{key}" if where else key, f"unknown key (known keys: {', '.join(allowed)})"
                    )
        return value

    def text(self, table: dict, key: str, where: str, default: str | None = None, *, secret=False) -> str:
        value = table.get(key, default)
        if value is None:
            raise self.error(f"{where}.{key}", "is required")
        if not isinstance(value, str):
            raise self.error(f"{where}.{key}", f"must be text, got {value!r}")
        if secret and value.startswith("env:"):
            name = value[4:]
            if name not in os.environ:
                raise self.error(f"{where}.{key}", f"environment variable {name} is not set")
            return os.environ[name]
        return value.strip()

    def url(self, table: dict, where: str) -> str:
        """The required `url` key: an http(s) base URL, without a trailing slash."""
        url = self.text(table, "url", where)
        if not url.startswith(("http://", "https://")):
            raise self.error(f"{where}.url", f"must be an http:// or https:// URL, got {url!r}")
        return url.rstrip("/")

    def number(self, table: dict, key: str, where: str, default, *, minimum=0, integer=False, positive=False):
        value = table.get(key, default)
        if value is None:
            return None
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or (integer and not isinstance(value, int))
        ):
            kind = "a whole number" if integer else "a number"
            raise self.error(f"{where}.{key}", f"must be {kind}, got {value!r}")
        if value < minimum or (positive and value <= 0):
            bound = f"greater than {minimum}" if positive else f"at least {minimum}"
            raise self.error(f"{where}.{key}", f"must be {bound}, got {value!r}")
        return value


def _keys(section: type, leave_out: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The keys a section accepts: its dataclass's fields, in their order (error messages list them)."""
    return tuple(f.name for f in fields(section) if f.name not in leave_out)


def _planner(reader: _Reader, value: Any) -> PlannerConfig:
    table = reader.table(value, "planner", _keys(PlannerConfig))
    planner = PlannerConfig(
        deadline_ms=reader.number(
            table, "deadline_ms", "planner", DEFAULT_DEADLINE_MS, integer=True, positive=True
        ),
        time_limit_s=reader.number(table, "time_limit_s", "planner", None, positive=True),
        carrier_reserve_ms=reader.number(table, "carrier_reserve_ms", "planner", None, integer=True),
    )
    if planner.carrier_reserve_ms is not None and planner.carrier_reserve_ms >= planner.deadline_ms:
        raise reader.error(
            "planner.carrier_reserve_ms",
            f"must be below planner.deadline_ms ({planner.deadline_ms}), got {planner.carrier_reserve_ms}",
        )
    return planner


def _gateway(reader: _Reader, value: Any) -> GatewayConfig:
    table = reader.table(value, "realtime", _keys(GatewayConfig))
    defaults = GatewayConfig()
    limiter = reader.text(table, "limiter", "realtime", defaults.limiter)
    if limiter not in ("memory", "postgres"):
        raise reader.error("realtime.limiter", f'must be "memory" or "postgres", got {limiter!r}')
    return GatewayConfig(
        cache_ttl_s=reader.number(table, "cache_ttl_s", "realtime", defaults.cache_ttl_s),
        breaker_failures=reader.number(
            table, "breaker_failures", "realtime", defaults.breaker_failures, integer=True, positive=True
        ),
        breaker_cooldown_s=reader.number(
            table, "breaker_cooldown_s", "realtime", defaults.breaker_cooldown_s
        ),
        http_timeout_s=reader.number(
            table, "http_timeout_s", "realtime", defaults.http_timeout_s, positive=True
        ),
        max_retries=reader.number(table, "max_retries", "realtime", defaults.max_retries, integer=True),
        limiter=limiter,
        limiter_url=reader.text(table, "limiter_url", "realtime", "", secret=True),
    )


def _distributor(reader: _Reader, value: Any, where: str) -> DistributorConfig:
    table = reader.table(value, where)  # other components may keep their own keys here: kept in `raw`
    dist_id = reader.text(table, "id", where)
    if not dist_id:
        raise reader.error(f"{where}.id", "must not be empty")
    realtime = None
    if "realtime" in table:
        realtime = _realtime(reader, table["realtime"], f"{where}.realtime")
    orders = None
    if "orders" in table:
        orders = _orders(reader, table["orders"], f"{where}.orders", realtime)
    elif realtime is not None and realtime.protocol == "ingram_v6":
        orders = _orders(reader, {}, f"{where}.orders", realtime)
    return DistributorConfig(
        id=dist_id,
        name=reader.text(table, "name", where, dist_id),
        realtime=realtime,
        orders=orders,
        ship_from_country=reader.text(table, "ship_from_country", where, "").upper(),
        ship_from_postcode=reader.text(table, "ship_from_postcode", where, ""),
        raw=dict(table),
    )


def _realtime(reader: _Reader, value: Any, where: str) -> RealtimeConfig:
    table = reader.table(value, where, _keys(RealtimeConfig))
    protocol = reader.text(table, "protocol", where)
    if protocol not in PROTOCOLS:
        raise reader.error(f"{where}.protocol", f"must be one of {', '.join(PROTOCOLS)}, got {protocol!r}")
    config = RealtimeConfig(
        protocol=protocol,
        url=reader.url(table, where),
        client_id=reader.text(table, "client_id", where, "", secret=True),
        client_secret=reader.text(table, "client_secret", where, "", secret=True),
        customer_number=reader.text(table, "customer_number", where, "", secret=True),
        country_code=reader.text(table, "country_code", where, "GB").upper(),
        sender_id=reader.text(table, "sender_id", where, ""),
        username=reader.text(table, "username", where, "", secret=True),
        password=reader.text(table, "password", where, "", secret=True),
        part_number_field=reader.text(table, "part_number_field", where, ""),
        rate_limit=reader.number(table, "rate_limit", where, 100, integer=True, positive=True),
        rate_limit_period_s=reader.number(table, "rate_limit_period_s", where, 60.0, positive=True),
        rate_limit_burst=reader.number(table, "rate_limit_burst", where, None, integer=True, positive=True),
        max_batch=reader.number(table, "max_batch", where, 50, integer=True, positive=True),
    )
    required = {
        "ingram_v6": ("client_id", "client_secret", "customer_number"),
        "tdsynnex_xml": ("customer_number", "username", "password"),
    }[protocol]
    for key in required:
        if not getattr(config, key):
            raise reader.error(f"{where}.{key}", f"is required for protocol {protocol!r}")
    if protocol == "ingram_v6" and config.max_batch > 50:
        raise reader.error(f"{where}.max_batch", "Ingram Micro accepts at most 50 products a call")
    if protocol == "tdsynnex_xml" and config.part_number_field not in ("", "synnexSKU", "mfgPN"):
        raise reader.error(f"{where}.part_number_field", 'must be "synnexSKU" or "mfgPN"')
    return config


def _orders(reader: _Reader, value: Any, where: str, realtime: RealtimeConfig | None) -> OrdersConfig:
    """`[distributors.orders]`, every key not given taken from an `ingram_v6` `[distributors.realtime]`."""
    table = dict(reader.table(value, where, _keys(OrdersConfig)))
    inherited: dict[str, Any] = {}
    if realtime is not None and realtime.protocol == "ingram_v6":
        for key in _keys(OrdersConfig):
            if hasattr(realtime, key):
                inherited[key] = getattr(realtime, key)
    protocol = reader.text(table, "protocol", where, inherited.get("protocol"))
    if protocol not in ORDER_PROTOCOLS:
        raise reader.error(
            f"{where}.protocol", f"must be one of {', '.join(ORDER_PROTOCOLS)}, got {protocol!r}"
        )
    url = reader.url(table, where) if "url" in table else inherited.get("url")
    if not url:
        raise reader.error(f"{where}.url", "is required (or an ingram_v6 [distributors.realtime] url)")

    def text(key: str, *, secret: bool = False) -> str:
        if key in table:
            return reader.text(table, key, where, secret=secret)
        return str(inherited.get(key, ""))

    def number(key: str, default, **rules):
        if key in table:
            return reader.number(table, key, where, default, **rules)
        return inherited.get(key, default)

    sender_id = text("sender_id")
    config = OrdersConfig(
        protocol=protocol,  # type: ignore[arg-type]
        url=url,
        client_id=text("client_id", secret=True),
        client_secret=text("client_secret", secret=True),
        customer_number=text("customer_number", secret=True),
        country_code=(text("country_code") or "GB").upper(),
        sender_id=sender_id,
        application_id=text("application_id") or sender_id or DEFAULT_APPLICATION_ID,
        rate_limit=number("rate_limit", 100, integer=True, positive=True),
        rate_limit_period_s=number("rate_limit_period_s", 60.0, positive=True),
        rate_limit_burst=number("rate_limit_burst", None, integer=True, positive=True),
        http_timeout_s=number("http_timeout_s", DEFAULT_ORDERS_TIMEOUT_S, positive=True),
        max_wait_s=number("max_wait_s", 30.0),
    )
    for key in ("client_id", "client_secret", "customer_number"):
        if not getattr(config, key):
            raise reader.error(f"{where}.{key}", f"is required for protocol {protocol!r}")
    return config


def _carriers(reader: _Reader, value: Any) -> dict[str, CarrierConfig]:
    table = reader.table(value, "carriers", CARRIERS)
    carriers = {}
    allowed = _keys(CarrierConfig, leave_out=("carrier",))  # the carrier is the table's name
    for name, section in table.items():
        where = f"carriers.{name}"
        section = reader.table(section, where, allowed)
        carriers[name] = CarrierConfig(
            carrier=name,
            url=reader.url(section, where),
            client_id=reader.text(section, "client_id", where, secret=True),
            client_secret=reader.text(section, "client_secret", where, secret=True),
            account_number=reader.text(section, "account_number", where, "", secret=True),
            ship_from_country=reader.text(section, "ship_from_country", where, "").upper(),
            ship_from_postcode=reader.text(section, "ship_from_postcode", where, ""),
        )
    return carriers
