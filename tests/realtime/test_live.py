"""Live planning end to end: simulators over HTTP, the real planner, carrier rating, and the CLI."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from fulfilment_engine.config import parse_config_text
from fulfilment_engine.live import plan_live, plan_live_async
from fulfilment_engine.scenario import parse_scenario
from fulfilment_engine.simulators import StockLine, StockTable


def scenario_dict(currency="GBP", country="GB", tds_freight=None):
    return {
        "currency": currency,
        "ship_to": {"country": country, "postcode": "10001" if country == "US" else "M1 1AE"},
        "cart": [{"sku": "LAPTOP", "qty": 3}],
        "products": [{"sku": "LAPTOP", "weight_kg": "2.5", "length_cm": 50, "width_cm": 35, "height_cm": 10}],
        "distributors": [
            {"id": "ING", "freight": {"type": "flat", "charge": "9.95"}},
            {"id": "TDS", **({"freight": tds_freight} if tds_freight else {})},
        ],
        "offers": [
            # On the feed, ING is the cheaper one; live, TDS is.
            {
                "distributor": "ING",
                "sku": "LAPTOP",
                "stock": 10,
                "cost": "500.00",
                "distributor_sku": "ING-LAP",
            },
            {
                "distributor": "TDS",
                "sku": "LAPTOP",
                "stock": 10,
                "cost": "530.00",
                "distributor_sku": "55501",
            },
        ],
    }


def scenario(**kwargs):
    return parse_scenario(json.loads(json.dumps(scenario_dict(**kwargs)), parse_float=Decimal))


@pytest.fixture
def distributors(sims):
    sims.add_ingram("ING", StockTable.from_dict({"ING-LAP": {"stock": 8, "price": "540.00"}}))
    sims.add_tdsynnex("TDS", StockTable.from_dict({"55501": {"stock": 6, "price": "505.00"}}))
    return sims


async def test_real_time_figures_override_feed_figures_in_the_plan(distributors, client):
    config = parse_config_text(distributors.config_toml(2000))

    plan = await plan_live_async(scenario(), config, client=client)

    assert plan.status == "ok"
    [allocation] = plan.allocations
    assert (allocation.distributor, allocation.qty, allocation.unit_cost) == ("TDS", 3, Decimal("505.00"))
    assert (allocation.source, allocation.stale) == ("realtime", False)
    assert plan.total == Decimal("1515.00")


async def test_a_distributor_that_misses_the_deadline_keeps_its_feed_figure_marked_stale(
    distributors, client
):
    distributors["TDS"].behaviour.latency_ms = 2000
    config = parse_config_text(distributors.config_toml(300))

    plan = await plan_live_async(scenario(), config, client=client)

    [allocation] = plan.allocations  # live ING is dearer than TDS's (stale) feed figure
    assert (allocation.distributor, allocation.unit_cost) == ("TDS", Decimal("530.00"))
    assert (allocation.source, allocation.stale) == ("feed", True)
    assert allocation.to_dict()["stale"] is True and allocation.to_dict()["source"] == "feed"
    assert any(note.startswith("TDS: feed figures used (stale)") for note in plan.notes)


CARRIER_RULE = {
    "type": "carrier",
    "carrier": "ups",
    "service": "ground",
    "bands": [{"max_kg": 30, "charge": "60.00"}],
    "per_kg_over": "2.00",
}


def priced_in_dollars(sims):
    sims["ING"].stock.set("ING-LAP", StockLine(8, Decimal("540.00"), "USD"))


async def test_carrier_rule_is_rated_live_with_dimensional_weight(distributors, client):
    priced_in_dollars(distributors)
    distributors.add_ups()
    config = parse_config_text(distributors.config_toml(2000, ship_from={"TDS": ("US", "07001")}))

    plan = await plan_live_async(
        scenario(currency="USD", country="US", tds_freight=CARRIER_RULE), config, client=client
    )

    [shipment] = plan.shipments
    assert (shipment.distributor, shipment.freight_source) == ("TDS", "carrier")
    # Each 50 × 35 × 10 cm laptop box is 1067.9 in³ = 7.68 lb dimensional (> 5.51 lb actual) → 8 lb billed.
    assert shipment.freight == Decimal("8.50") + Decimal("0.95") * 24
    assert shipment.billable_weight_kg.quantize(Decimal("0.01")) == Decimal("10.45")
    assert distributors["ups"].stats.answered == 1


async def test_carrier_that_does_not_answer_in_time_falls_back_to_the_weight_bands(distributors, client):
    priced_in_dollars(distributors)
    distributors.add_ups().behaviour.latency_ms = 3000
    config = parse_config_text(distributors.config_toml(400, ship_from={"TDS": ("US", "07001")}))

    plan = await plan_live_async(
        scenario(currency="USD", country="US", tds_freight=CARRIER_RULE), config, client=client
    )

    [shipment] = plan.shipments
    assert (shipment.freight_source, shipment.freight) == ("fallback", Decimal("60.00"))
    assert shipment.to_dict()["freight_source"] == "fallback"
    assert any("UPS rate not available" in note for note in plan.notes)


async def test_a_slow_distributor_leaves_the_carrier_its_share_of_the_deadline(distributors, client):
    # ING never answers in time; TDS ships under the carrier rule. Without a share kept for the carrier,
    # ING's wait would use the whole deadline and UPS would not be asked at all.
    priced_in_dollars(distributors)
    distributors["ING"].behaviour.latency_ms = 3000
    ups = distributors.add_ups()
    config = parse_config_text(distributors.config_toml(500, ship_from={"TDS": ("US", "07001")}))
    assert config.planner.carrier_reserve_s == 0.150  # the default share
    data = scenario_dict(currency="USD", country="US", tds_freight=CARRIER_RULE)
    data["offers"][0]["cost"] = "900.00"  # TDS is the cheaper whatever ING says
    slow_cart = parse_scenario(json.loads(json.dumps(data), parse_float=Decimal))

    plan = await plan_live_async(slow_cart, config, client=client)

    [shipment] = plan.shipments
    assert (shipment.distributor, shipment.freight_source) == ("TDS", "carrier")
    assert ups.stats.answered == 1
    assert any(note.startswith("ING: feed figures used (stale)") for note in plan.notes)


def test_plan_live_is_usable_without_an_event_loop(distributors):
    config = parse_config_text(distributors.config_toml(2000))
    plan = plan_live(scenario(), config)
    assert plan.allocations[0].source == "realtime"
    with pytest.raises(RuntimeError, match="inside a running event loop"):
        asyncio.run(_call_sync_inside_loop(config))


async def _call_sync_inside_loop(config):
    plan_live(scenario(), config)


def test_cli_plan_realtime_json_against_simulators(distributors, tmp_path):
    distributors["ING"].behaviour.latency_ms = 5000  # misses the deadline: stale
    config_path = tmp_path / "fulfil.toml"
    config_path.write_text(distributors.config_toml(600))
    scenario_path = tmp_path / "scenario.json"
    scenario_path.write_text(json.dumps(scenario_dict()))

    done = subprocess.run(
        [
            str(Path(sys.executable).with_name("fulfil")),
            "plan",
            "--scenario",
            str(scenario_path),
            "--config",
            str(config_path),
            "--realtime",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["status"] == "ok"
    # ING missed the 600 ms deadline: its feed figure (the cheapest) stands, marked stale.
    assert [(a["distributor"], a["unit_cost"], a["source"], a["stale"]) for a in out["allocations"]] == [
        ("ING", "500.00", "feed", True)
    ]
    assert any(note.startswith("ING: feed figures used (stale)") for note in out["notes"])
    assert distributors["TDS"].stats.answered == 1 and distributors["ING"].stats.calls == 1
    assert "fulfil: note" not in done.stderr


def test_cli_plan_realtime_without_any_real_time_distributor_says_so(tmp_path):
    scenario_path = tmp_path / "scenario.json"
    scenario_path.write_text(json.dumps(scenario_dict()))
    env = {k: v for k, v in os.environ.items() if k != "FULFIL_CONFIG"}
    fulfil = str(Path(sys.executable).with_name("fulfil"))
    done = subprocess.run(
        [fulfil, "plan", "--scenario", str(scenario_path), "--realtime", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,  # no ./fulfil.toml
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["status"] == "ok"  # still a plan, on the scenario's figures
    assert done.stderr.startswith("fulfil: note: --realtime, but none of the scenario's distributors")
    assert "no fulfil.toml: --config" in done.stderr
