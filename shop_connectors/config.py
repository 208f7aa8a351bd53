"""`sync.toml`: the Odoo to write to, the sync's own settings, and one `[[stores]]` table per store.

Found by `--config` (before or after the subcommand), else `CHANNEL_SYNC_CONFIG`, else `./sync.toml`.
Checked strictly: an unknown key, a missing credential or a duration like `5 minutes` is an error naming the
file and the key (exit 2), because a typo must not turn into a sync that silently does nothing.
A secret may be written `"env:NAME"` to read it from the environment instead of the file.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import platformdirs

from .backend import StoreConfig
from .errors import ConfigError
from .platforms import PLATFORMS

CONFIG_ENV = "CHANNEL_SYNC_CONFIG"
DEFAULT_CONFIG = "sync.toml"
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(ms|s|m|h|d)$")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_SIZE = re.compile(r"^(\d+)(B|KiB|MiB|GiB)$")
MAX_IMPORT_CALLS = 8  # import calls at once: more would only queue in Odoo's workers
_SIZE_UNITS = {"B": 1, "KiB": 1024, "MiB": 1024**2, "GiB": 1024**3}


@dataclass(frozen=True)
class OdooConfig:
    url: str
    database: str
    api_key: str
    timeout_s: float = 60.0


@dataclass(frozen=True)
class SyncConfig:
    state: str
    listen_host: str = "127.0.0.1"
    listen_port: int = 8075
    pull_every_s: float = 300.0
    push_every_s: float = 60.0
    first_pull_s: float = 86400.0  # how far back the very first pull of a store looks
    retries: int = 4
    backoff_s: float = 0.5
    offers: str = ""  # the engine's offer store, for push_stock; empty: FULFIL_STORE, else its default
    max_body: int = 2 * 1024**2  # bytes of a webhook body read at most (a store's largest order)
    health_token: str = ""  # GET /healthz says more than {"ok": ...} only to `Bearer <health_token>`
    keep_inbox_s: float = 7 * 86400.0  # how long a processed inbox row (a raw body) is kept
    import_calls: int = 2  # import calls in Odoo at once (each needs an Odoo worker or thread)


@dataclass(frozen=True)
class Settings:
    path: Path
    odoo: OdooConfig
    sync: SyncConfig
    stores: tuple[StoreConfig, ...]

    def store(self, store_id: str) -> StoreConfig:
        for store in self.stores:
            if store.id == store_id:
                return store
        raise ConfigError(
            str(self.path), f"no store with id {store_id!r} (stores: {', '.join(s.id for s in self.stores)})"
        )


def parse_duration(text: Any, where: str) -> float:
    """ "30s", "5m", "1h", "7d" (and "250ms") as seconds."""
    match = _DURATION.match(str(text).strip()) if isinstance(text, str) else None
    if not match:
        raise ConfigError(where, f'{text!r} is not a duration like "30s", "5m", "1h" or "7d"')
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse_size(text: Any, where: str) -> int:
    """ "2MiB", "512KiB" (and "1GiB", "4096B") as bytes; more than none."""
    match = _SIZE.match(text.strip()) if isinstance(text, str) else None
    if not match or not int(match.group(1)):
        raise ConfigError(where, f'{text!r} is not a size like "2MiB" or "512KiB"')
    return int(match.group(1)) * _SIZE_UNITS[match.group(2)]


def default_state_url() -> str:
    folder = Path(platformdirs.user_data_dir("channel-fulfilment"))
    return f"sqlite:///{folder / 'channel-sync.sqlite'}"


def find_config_path(explicit: str | None) -> Path:
    return Path(explicit or os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG)


def load(explicit: str | None = None) -> Settings:
    path = find_config_path(explicit)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(str(path), "no such file (give --config, or set CHANNEL_SYNC_CONFIG)") from None
    except OSError as exc:
        raise ConfigError(str(path), f"cannot read it: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), f"not valid TOML: {exc}") from None
    return parse(raw, path)


class _Table:
    """One TOML table read key by key; `done()` refuses whatever was not read (a typo)."""

    def __init__(self, raw: Any, where: str):
        if not isinstance(raw, dict):
            raise ConfigError(where, "must be a table")
        self.raw = raw
        self.where = where
        self.seen: set[str] = set()

    def key(self, name: str) -> str:
        return f"{self.where}.{name}"

    def get(self, name: str, kind: type | tuple[type, ...], default: Any = None, required: bool = False):
        self.seen.add(name)
        if name not in self.raw:
            if required:
                raise ConfigError(self.key(name), "missing")
            return default
        value = self.raw[name]
        if (kind is not bool and isinstance(value, bool)) or not isinstance(value, kind):
            expected = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            raise ConfigError(self.key(name), f"must be a {expected}, not {value!r}")
        return value

    def secret(self, name: str, required: bool = True) -> str:
        value = self.get(name, str, "", required)
        if value.startswith("env:"):
            env_name = value[4:]
            value = os.environ.get(env_name, "")
            if not value and required:
                raise ConfigError(self.key(name), f"environment variable {env_name} is not set")
        if required and not value:
            raise ConfigError(self.key(name), "is empty")
        return value

    def done(self) -> None:
        unknown = sorted(set(self.raw) - self.seen)
        if unknown:
            raise ConfigError(self.key(unknown[0]), "unknown key")


def parse(raw: dict, path: Path) -> Settings:
    file = str(path)
    top = _Table(raw, file)
    odoo_t = _Table(top.get("odoo", dict, required=True), f"{file}: [odoo]")
    odoo_url = odoo_t.get("url", str, required=True).rstrip("/")
    if not odoo_url.startswith(("http://", "https://")):
        raise ConfigError(odoo_t.key("url"), f"{odoo_url!r} is not an http(s) URL")
    odoo = OdooConfig(
        url=odoo_url,
        database=odoo_t.get("database", str, required=True),
        api_key=odoo_t.secret("api_key"),
        timeout_s=parse_duration(odoo_t.get("timeout", str, "60s"), odoo_t.key("timeout")),
    )
    odoo_t.done()

    sync_t = _Table(top.get("sync", dict, {}), f"{file}: [sync]")
    listen = sync_t.get("listen", str, "127.0.0.1:8075")
    host, _, port = listen.rpartition(":")
    if not host or not port.isdigit():
        raise ConfigError(sync_t.key("listen"), f"{listen!r} is not HOST:PORT")
    state = sync_t.get("state", str, "") or default_state_url()
    sync = SyncConfig(
        state=state,
        listen_host=host,
        listen_port=int(port),
        pull_every_s=parse_duration(sync_t.get("pull_every", str, "5m"), sync_t.key("pull_every")),
        push_every_s=parse_duration(sync_t.get("push_every", str, "1m"), sync_t.key("push_every")),
        first_pull_s=parse_duration(sync_t.get("first_pull", str, "24h"), sync_t.key("first_pull")),
        retries=sync_t.get("retries", int, 4),
        backoff_s=parse_duration(sync_t.get("backoff", str, "500ms"), sync_t.key("backoff")),
        offers=sync_t.get("offers", str, ""),
        max_body=parse_size(sync_t.get("max_body", str, "2MiB"), sync_t.key("max_body")),
        health_token=sync_t.secret("health_token", required=False),
        keep_inbox_s=parse_duration(sync_t.get("keep_inbox", str, "7d"), sync_t.key("keep_inbox")),
        import_calls=sync_t.get("import_calls", int, 2),
    )
    if not 1 <= sync.import_calls <= MAX_IMPORT_CALLS:
        raise ConfigError(
            sync_t.key("import_calls"), f"{sync.import_calls} is not between 1 and {MAX_IMPORT_CALLS}"
        )
    sync_t.done()

    stores_raw = top.get("stores", list, [])
    top.done()
    if not stores_raw:
        raise ConfigError(f"{file}: [[stores]]", "no store configured")
    stores = []
    for index, store_raw in enumerate(stores_raw):
        stores.append(_store(store_raw, f"{file}: [[stores]] #{index + 1}"))
    ids = [s.id for s in stores]
    for store_id in ids:
        if ids.count(store_id) > 1:
            raise ConfigError(f"{file}: [[stores]] id", f"{store_id!r} is used twice")
    return Settings(path=path, odoo=odoo, sync=sync, stores=tuple(stores))


def _store(raw: Any, where: str) -> StoreConfig:
    t = _Table(raw, where)
    store_id = t.get("id", str, required=True)
    if not re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", store_id):
        raise ConfigError(t.key("id"), f"{store_id!r}: use letters, digits, '-', '_' or '.' (it is in URLs)")
    t.where = f"{where.rsplit(':', 1)[0]}: [[stores]] {store_id}"
    platform = t.get("platform", str, required=True)
    if platform not in PLATFORMS:
        raise ConfigError(t.key("platform"), f"{platform!r} is not one of {', '.join(PLATFORMS)}")
    common: dict[str, Any] = {
        "id": store_id,
        "platform": platform,
        "webhook_secret": t.secret("webhook_secret"),
        "push_stock": t.get("push_stock", bool, False),
        "stock_buffer": t.get("stock_buffer", int, 0),
        "timeout_s": parse_duration(t.get("timeout", str, "30s"), t.key("timeout")),
    }
    if common["stock_buffer"] < 0:
        raise ConfigError(t.key("stock_buffer"), f"{common['stock_buffer']} is negative")
    taxes = t.get("taxes", dict, {})
    for rate, name in taxes.items():
        try:
            Decimal(rate)
        except InvalidOperation:
            raise ConfigError(
                t.key(f"taxes.{rate}"), 'the key must be a store tax rate like "20.0"'
            ) from None
        if not isinstance(name, str) or not name:
            raise ConfigError(t.key(f"taxes.{rate}"), "must be the name of an Odoo tax")
    common["taxes"] = dict(taxes)
    store = StoreConfig(**PLATFORMS[platform].store_fields(t), **common)
    if not store.url.startswith(("http://", "https://")):
        raise ConfigError(t.key("url"), f"{store.url!r} is not an http(s) URL")
    t.done()
    return store
