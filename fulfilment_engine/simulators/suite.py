"""`SimulatorSet`: several simulated distributors and carriers on one local server, and the fulfil.toml
that points the real adapters at them.

    with SimulatorSet() as sims:                      # one server, ephemeral port, background thread
        sims.add_ingram("ING", StockTable.from_dict({"123512": {"stock": 7, "price": "10.00"}}))
        sims.add_ups()
        Path("fulfil.toml").write_text(sims.config_toml(deadline_ms=400))
        ...                  # sims["ING"].stats.calls, sims["ING"].behaviour.then("500")
"""

from __future__ import annotations

import json
from typing import TypeVar

from .carriers import FedexSimulator, UpsSimulator
from .distributor import SimulatedDistributor
from .host import SimulatorHost
from .ingram import IngramSimulator
from .stock import StockTable
from .tdsynnex import TDSynnexSimulator

D = TypeVar("D", bound=SimulatedDistributor)


class SimulatorSet:
    """Several simulators on one `SimulatorHost`; each simulator's base URL is `<host>/<name>`."""

    def __init__(self, host: SimulatorHost | None = None):
        self.host = host or SimulatorHost()
        self.distributors: dict[str, SimulatedDistributor] = {}
        self.carriers: dict[str, UpsSimulator | FedexSimulator] = {}

    def __getitem__(self, name: str):
        return self.distributors.get(name) or self.carriers[name]

    def add_ingram(self, distributor_id: str, stock: StockTable, **options) -> IngramSimulator:
        return self._add_distributor(distributor_id, IngramSimulator(stock, **options))

    def add_tdsynnex(self, distributor_id: str, stock: StockTable, **options) -> TDSynnexSimulator:
        return self._add_distributor(distributor_id, TDSynnexSimulator(stock, **options))

    def _add_distributor(self, distributor_id: str, simulator: D) -> D:
        self.host.add(distributor_id, simulator)
        self.distributors[distributor_id] = simulator
        return simulator

    def add_ups(self, **options) -> UpsSimulator:
        simulator = UpsSimulator(**options)
        self.host.add("ups", simulator)
        self.carriers["ups"] = simulator
        return simulator

    def add_fedex(self, **options) -> FedexSimulator:
        simulator = FedexSimulator(**options)
        self.host.add("fedex", simulator)
        self.carriers["fedex"] = simulator
        return simulator

    def start(self) -> SimulatorSet:
        self.host.start()
        return self

    def stop(self) -> None:
        self.host.stop()

    def __enter__(self) -> SimulatorSet:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def config_toml(
        self,
        deadline_ms: int = 400,
        *,
        realtime: dict | None = None,
        ship_from: dict[str, tuple[str, str]] | None = None,
    ) -> str:
        """A complete fulfil.toml pointing at these simulators (start them first, so the port is known).

        `realtime` adds keys to the `[realtime]` table; `ship_from` maps a distributor id to its
        (country, postcode) for carrier rating."""
        lines = ["[planner]", f"deadline_ms = {deadline_ms}", ""]
        if realtime:
            lines.append("[realtime]")
            lines += [f"{key} = {_toml(value)}" for key, value in realtime.items()]
            lines.append("")
        for dist_id, simulator in self.distributors.items():
            lines += ["[[distributors]]", f"id = {_toml(dist_id)}"]
            if ship_from and dist_id in ship_from:
                country, postcode = ship_from[dist_id]
                lines += [f"ship_from_country = {_toml(country)}", f"ship_from_postcode = {_toml(postcode)}"]
            lines.append("[distributors.realtime]")
            lines += [f"{key} = {_toml(value)}" for key, value in simulator.realtime_config().items()]
            lines.append("")
        for name, simulator in self.carriers.items():
            lines.append(f"[carriers.{name}]")
            lines += [f"{key} = {_toml(value)}" for key, value in simulator.carrier_config().items()]
            lines.append("")
        return "\n".join(lines)


def _toml(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return json.dumps(str(value))  # a JSON string is a valid TOML basic string


def start_simulators(
    *,
    ingram: dict[str, StockTable] | None = None,
    tdsynnex: dict[str, StockTable] | None = None,
    ups: bool = False,
    fedex: bool = False,
) -> SimulatorSet:
    """Start a set in one call; stop it with `.stop()`."""
    sims = SimulatorSet()
    for dist_id, stock in (ingram or {}).items():
        sims.add_ingram(dist_id, stock)
    for dist_id, stock in (tdsynnex or {}).items():
        sims.add_tdsynnex(dist_id, stock)
    if ups:
        sims.add_ups()
    if fedex:
        sims.add_fedex()
    return sims.start()
