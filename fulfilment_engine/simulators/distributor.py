"""What every simulated real-time distributor has, whatever wire format it speaks."""

from __future__ import annotations

from .behaviour import Behaviour, Stats
from .stock import StockTable


class SimulatedDistributor:
    """The stock it serves, the behaviour a test or the demo steers (faults, latency, rate limit), what
    reached it, its base URL once mounted on a host, and the account the adapter must present."""

    protocol = ""
    account_fields: tuple[str, ...] = ()  # attributes that `realtime_config` hands to fulfil.toml

    def __init__(self, stock: StockTable, behaviour: Behaviour | None = None):
        self.stock = stock
        self.behaviour = behaviour or Behaviour()
        self.stats = Stats()
        self.url = ""

    def realtime_config(self) -> dict:
        """The `[distributors.realtime]` table that points the adapter at this simulator."""
        account = {name: getattr(self, name) for name in self.account_fields}
        return {"protocol": self.protocol, "url": self.url, **account}
