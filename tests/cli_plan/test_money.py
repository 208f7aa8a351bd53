"""Money in a scenario is written as everywhere else (`-?digits{1,12}(.digits{1,4})?`): `fulfil plan` refuses
anything else with exit 2 and the JSON path, instead of reading "1_000" as 1000 or failing on "1e26"."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from fulfilment_engine.errors import ScenarioError
from fulfilment_engine.scenario import parse_scenario

FULFIL = str(Path(sys.executable).with_name("fulfil"))

SCENARIO = {
    "currency": "GBP",
    "ship_to": {"country": "GB", "postcode": "M1 1AE"},
    "cart": [{"sku": "A", "qty": 3, "unit_price": "19.99"}],
    "products": [{"sku": "A", "weight_kg": "1.5"}],
    "distributors": [
        {
            "id": "D1",
            "freight": {"type": "weight", "per_kg_over": "1.10", "bands": [{"max_kg": 30, "charge": "7.50"}]},
            "small_order": {"below": "50.00", "charge": "5.00"},
        },
        {"id": "D2", "freight": {"type": "flat", "charge": "9.95", "free_over": "250.00"}},
    ],
    "offers": [
        {"distributor": "D1", "sku": "A", "stock": 5, "cost": "10.00"},
        {"distributor": "D2", "sku": "A", "stock": 5, "cost": "10.50"},
    ],
}

MONEY_FIELDS = {
    "$.cart[0].unit_price": lambda s: s["cart"][0],
    "$.offers[1].cost": lambda s: s["offers"][1],
    "$.distributors[0].freight.per_kg_over": lambda s: s["distributors"][0]["freight"],
    "$.distributors[0].freight.bands[0].charge": lambda s: s["distributors"][0]["freight"]["bands"][0],
    "$.distributors[0].small_order.below": lambda s: s["distributors"][0]["small_order"],
    "$.distributors[1].freight.free_over": lambda s: s["distributors"][1]["freight"],
}


def test_money_written_plainly_plans():
    scenario = parse_scenario(SCENARIO)
    assert scenario.cart[0].unit_price == Decimal("19.99")
    assert scenario.distributors["D1"].freight.per_kg_over == Decimal("1.10")


@pytest.mark.parametrize("written", ["1e26", "1_000", "12.34567", " 12.50", "NaN", "1E+2", "\u0661\u0662"])
@pytest.mark.parametrize("path", list(MONEY_FIELDS))
def test_money_not_written_as_money_is_an_error_naming_the_path(path, written):
    scenario = copy.deepcopy(SCENARIO)
    MONEY_FIELDS[path](scenario)[path.rsplit(".", 1)[1]] = written
    with pytest.raises(ScenarioError) as refused:
        parse_scenario(scenario)
    assert refused.value.where == path
    assert refused.value.message.startswith("must be a decimal string")
    assert repr(written) in refused.value.message


@pytest.mark.parametrize(
    ("field", "written"), [("cart[0].unit_price", '"1_000"'), ("offers[0].cost", "1e26")]
)
def test_fulfil_plan_exits_2_naming_the_path(tmp_path, field, written):
    """A JSON number is held to its own digits: 1e26 is refused as "1e26" would be."""
    path = tmp_path / "scenario.json"
    text = json.dumps(SCENARIO)
    text = text.replace(
        '"unit_price": "19.99"' if "unit_price" in field else '"cost": "10.00"',
        ('"unit_price": ' if "unit_price" in field else '"cost": ') + written,
    )
    path.write_text(text, encoding="utf-8")
    done = subprocess.run(
        [FULFIL, "plan", "--scenario", str(path), "--json"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2, done.stdout
    assert f"$.{field}: must be a decimal string" in done.stderr
