"""The embedded default that `fulfil serve` runs with no configuration: try the service in one command.

- The offer store (the default SQLite file, or `--store`) gets the bundled sample data when it is empty;
  later starts reuse it.
- Ingram Micro (ING) and TD SYNNEX (TDS) answer in real time from the built-in simulators
  (`fulfilment_engine.simulators`) on 127.0.0.1, serving the store's own figures nudged a little
  (prices 2% down, one unit less), so an answer shows `"source": "realtime"` beside feed figures.
- A generated fulfil.toml (in a temporary folder) points the real adapters at them, accepts the demo key,
  allows any origin (the widget may be opened from a file) and serves the cart widget at /widget/.
Every response says `"demo": true`: these are sample figures, not anyone's prices.
"""

from __future__ import annotations

import json
import logging
import shlex
import tempfile
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

from ..simulators import Behaviour, SimulatorSet, StockTable
from ..store import OfferStore, load_sample
from .auth import hash_api_key
from .models import EXAMPLE_REQUEST

log = logging.getLogger("fulfilment_engine.service")

DEMO_API_KEY = "cfk_demo_not_secret"  # fixed so the README's example request works as printed
DEMO_DEADLINE_MS = 400
SIMULATED = {"ING": "ingram", "TDS": "tdsynnex"}
LIVE_PRICE_FACTOR = Decimal("0.98")
LIVE_STOCK_DELTA = -1
SIMULATED_LATENCY_MS = (30.0, 120.0)

# The demo's delivery charges; the service tests run with the same ones (`service_toml`).
DELIVERY_TOML = """
[service.delivery]
default = "pass_through"

[[service.delivery.regions]]
name = "UK"
countries = ["GB"]
policy = "flat"
charge = "4.95"
free_over = "100.00"

[[service.delivery.regions]]
name = "EU"
countries = ["EU"]
policy = "flat"
charge = "12.50"
free_over = "250.00"

[[service.delivery.regions]]
name = "US"
countries = ["US"]
policy = "pass_through"
"""


def service_toml(
    api_keys: Iterable[str],
    cors_origins: Iterable[str],
    *,
    demo: bool = False,
    widget: bool = False,
    extra: str = "",
) -> str:
    """A `[service]` table accepting `api_keys` (hashed here) from `cors_origins`, with the demo's delivery
    charges; `demo` and `widget` are set only when true; `extra`: more `[service]` keys, as TOML lines."""
    flags = "".join(f"{name} = true\n" for name, on in (("demo", demo), ("widget", widget)) if on)
    return (
        f"\n[service]\n{flags}{extra}"
        f"api_keys = [{', '.join(json.dumps(hash_api_key(key)) for key in api_keys)}]\n"
        f"cors_origins = [{', '.join(json.dumps(origin) for origin in cors_origins)}]\n" + DELIVERY_TOML
    )


def prepare_store(store_url: str) -> bool:
    """Load the bundled sample data into an empty store; True when it was loaded now."""
    with OfferStore.open(store_url) as store:
        if not store.is_empty():
            return False
        log.info("loading the bundled sample data (demo data) into the store", extra={"store": store.url})
        report = load_sample(store)
        if not report.ok:
            for listing in [report.products, *report.feeds]:
                for line in listing.lines() if listing else []:
                    log.warning("sample data: %s", line)
        return True


def simulated_stock(store_url: str) -> dict[str, StockTable]:
    """What each simulated distributor serves: its offers in the store, nudged so live differs from feed."""
    with OfferStore.open(store_url) as store:
        present = [dist for dist in SIMULATED if dist in store.distributors()]
        skus = list(store.products())
        offers = store.offers_for(skus, distributors=present) if present else []
    return {
        dist: StockTable.from_offers(
            offers, dist, price_factor=LIVE_PRICE_FACTOR, stock_delta=LIVE_STOCK_DELTA
        )
        for dist in present
    }


class EmbeddedDemo:
    """Prepares the store, starts the simulators and writes the demo's fulfil.toml; `with` stops them."""

    def __init__(self, store_url: str, *, latency_ms: tuple[float, float] = SIMULATED_LATENCY_MS):
        self.store_url = store_url
        self.latency_ms = latency_ms
        self.simulators = SimulatorSet()
        self._folder: tempfile.TemporaryDirectory | None = None
        self.config_path: Path | None = None
        self.loaded_sample = False

    def start(self) -> EmbeddedDemo:
        self.loaded_sample = prepare_store(self.store_url)
        for dist, stock in simulated_stock(self.store_url).items():
            behaviour = Behaviour(latency_ms=self.latency_ms)
            if SIMULATED[dist] == "ingram":
                self.simulators.add_ingram(dist, stock, behaviour=behaviour)
            else:
                self.simulators.add_tdsynnex(dist, stock, behaviour=behaviour)
        self.simulators.start()
        self._folder = tempfile.TemporaryDirectory(prefix="fulfil-demo-")
        self.config_path = Path(self._folder.name) / "fulfil.toml"
        self.config_path.write_text(self.config_toml(), encoding="utf-8")
        log.info(
            "demo: sample data; simulated real-time distributors",
            extra={
                "demo": True,
                "realtime_distributors": sorted(self.simulators.distributors),
                "simulators": self.simulators.host.base_url,
                "store": self.store_url,
                "config": str(self.config_path),
            },
        )
        return self

    def config_toml(self) -> str:
        return self.simulators.config_toml(deadline_ms=DEMO_DEADLINE_MS) + service_toml(
            [DEMO_API_KEY], ["*"], demo=True, widget=True
        )

    def stop(self) -> None:
        self.simulators.stop()
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None

    def __enter__(self) -> EmbeddedDemo:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def banner(self, host: str, port: int) -> str:
        base = f"http://{'127.0.0.1' if host in ('0.0.0.0', '') else host}:{port}"
        live = ", ".join(sorted(self.simulators.distributors)) or "none"
        lines = [
            "",
            "Channel Fulfilment: auto-fulfil service, DEMO (bundled sample data; simulated distributors)",
            f"  store:        {self.store_url}"
            + ("  (sample data loaded now)" if self.loaded_sample else ""),
            f"  real time:    {live} answer from local simulators at {self.simulators.host.base_url}",
            f"  listening on: {base}   (OpenAPI: {base}/docs)",
            f"  demo API key: {DEMO_API_KEY}",
            f"  cart widget:  {base}/widget/?key={DEMO_API_KEY}",
            "",
            "  try:",
            "  " + example_curl(base, DEMO_API_KEY),
            "",
        ]
        if host not in ("127.0.0.1", "localhost", "::1"):
            lines.insert(
                2, f"  WARNING: listening on {host} with a publicly known demo key: use a fulfil.toml"
            )
        return "\n".join(lines)


def example_curl(base_url: str, key: str) -> str:
    return (
        f"curl -s {base_url}/v1/fulfilment-plans -H {shlex.quote('Authorization: Bearer ' + key)} "
        f"-H 'Content-Type: application/json' -d {shlex.quote(json.dumps(EXAMPLE_REQUEST))}"
    )
