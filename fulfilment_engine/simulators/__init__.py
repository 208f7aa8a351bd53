"""Local stand-ins for distributor and carrier services (Ingram Micro v6, TD SYNNEX XML, UPS, FedEx; and,
in `cxml_supplier`, a cXML order endpoint) that speak the published wire formats, so the real adapters run
unchanged against them. The demo service and the tests share these; they listen on 127.0.0.1 only.

    from fulfilment_engine.simulators import SimulatorSet, StockTable
    with SimulatorSet() as sims:                      # one uvicorn server, ephemeral port, background thread
        sims.add_ingram("ING", StockTable.from_dict({"123512": {"stock": 7, "price": "10.00"}}))
        sims.add_ups()
        Path("fulfil.toml").write_text(sims.config_toml(deadline_ms=400))
        sims["ING"].behaviour.then("500"); sims["ING"].stats.calls

Names are imported lazily, so importing one module here (as Odoo does with `cxml_supplier`) does not pull
in the HTTP server stack.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "Behaviour": "behaviour",
    "Stats": "behaviour",
    "StockLine": "stock",
    "StockTable": "stock",
    "SimulatorHost": "host",
    "SimulatedDistributor": "distributor",
    "IngramSimulator": "ingram",
    "TDSynnexSimulator": "tdsynnex",
    "UpsSimulator": "carriers",
    "FedexSimulator": "carriers",
    "Tariff": "carriers",
    "SimulatorSet": "suite",
    "start_simulators": "suite",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
