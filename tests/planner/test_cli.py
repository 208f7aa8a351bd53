"""`fulfil plan`, run as a user runs it: the installed command in a subprocess, stdout parsed as JSON."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

FULFIL = str(Path(sys.executable).with_name("fulfil"))
MONEY = re.compile(r"^\d+\.\d{2}$")


def run(*args, cwd=None, env=None):
    return subprocess.run([FULFIL, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=120)


def write(tmp_path: Path, data: dict, name: str = "scenario.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.fixture
def example(fixtures_dir) -> dict:
    return json.loads((fixtures_dir / "architecture_example.json").read_text(encoding="utf-8"))


def test_the_architecture_example_plans_to_39_95(fixtures_dir):
    done = run("plan", "--scenario", str(fixtures_dir / "architecture_example.json"), "--json")
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)  # stdout is one JSON object and nothing else
    assert body["status"] == "ok"
    assert (body["goods_total"], body["freight_total"], body["total"]) == ("30.00", "9.95", "39.95")
    assert body["unfilled"] == []
    (allocation,) = body["allocations"]
    assert {k: allocation[k] for k in ("sku", "distributor", "qty", "unit_cost", "source")} == {
        "sku": "SKU-1",
        "distributor": "D1",
        "qty": 3,
        "unit_cost": "10.00",
        "source": "feed",
    }
    assert allocation["reason"] == "only distributor with stock"
    (shipment,) = body["shipments"]
    assert shipment == {
        "distributor": "D1",
        "weight_kg": 4.5,
        "billable_weight_kg": 4.5,
        "goods": "30.00",
        "freight": "9.95",
        "freight_source": "rule",
        "small_order_charge": "0.00",
    }
    assert body["charges_total"] == "0.00", "no small-order rule: nothing besides goods and freight"


def test_output_shape_follows_the_contract(tmp_path, example):
    # D1 has 5 of the 7 wanted: the rest must come from D2, under its own part number.
    example["cart"] = [{"sku": "SKU-1", "qty": 7}, {"sku": "SKU-2", "qty": 1}]
    example["products"].append({"sku": "SKU-2", "weight_kg": 0.5})
    example["offers"].append(
        {"distributor": "D2", "sku": "SKU-1", "stock": 9, "cost": "9.50", "distributor_sku": "ING-77"}
    )
    done = run("plan", "--scenario", str(write(tmp_path, example)), "--json")
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert set(body) >= {
        "status",
        "allocations",
        "shipments",
        "unfilled",
        "goods_total",
        "freight_total",
        "total",
    }
    assert body["status"] == "partial"  # SKU-2 has no offer at all
    assert body["unfilled"] == [{"sku": "SKU-2", "qty": 1}]
    for allocation in body["allocations"]:
        assert set(allocation) >= {"sku", "distributor", "qty", "unit_cost", "source", "reason"}
        assert MONEY.match(allocation["unit_cost"]) and isinstance(allocation["qty"], int)
        assert allocation["source"] in ("feed", "realtime") and allocation["reason"]
    for shipment in body["shipments"]:
        assert set(shipment) >= {"distributor", "weight_kg", "goods", "freight", "freight_source"}
        assert MONEY.match(shipment["goods"]) and MONEY.match(shipment["freight"])
        assert isinstance(shipment["weight_kg"], (int, float))
        assert shipment["freight_source"] in ("rule", "carrier", "fallback")
    for key in ("goods_total", "freight_total", "total"):
        assert MONEY.match(body[key])
    from_d2 = [a for a in body["allocations"] if a["distributor"] == "D2"]
    assert from_d2 and from_d2[0]["distributor_sku"] == "ING-77"
    assert sum(a["qty"] for a in body["allocations"]) == 7


def test_infeasible_is_a_plan_and_exits_zero(tmp_path, example):
    example["offers"][0]["stock"] = 0
    done = run("plan", "--scenario", str(write(tmp_path, example)), "--json")
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert body["status"] == "infeasible"
    assert body["allocations"] == [] and body["shipments"] == []
    assert body["unfilled"] == [{"sku": "SKU-1", "qty": 3}]
    assert (body["goods_total"], body["freight_total"], body["total"]) == ("0.00", "0.00", "0.00")


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda s: s["offers"][0].update(distributor="D9"), "$.offers[0].distributor"),
        (lambda s: s["offers"][0].update(sku="NOPE"), "$.offers[0].sku"),
        (lambda s: s["cart"][0].update(sku="NOPE"), "$.cart[0].sku"),
        (lambda s: s["offers"][0].update(stock=-2), "$.offers[0].stock"),
        (lambda s: s["offers"][0].update(cost="ten"), "$.offers[0].cost"),
        (
            lambda s: s["distributors"][1]["freight"]["bands"][1].update(max_kg=1),
            "$.distributors[1].freight.bands[1]",
        ),
        (lambda s: s["cart"][0].update(qty=1.5), "$.cart[0].qty"),
        (lambda s: s["distributors"][0].update(small_order="5.00"), "$.distributors[0].small_order"),
        (
            lambda s: s["distributors"][0].update(small_order={"below": "fifty", "charge": "5.00"}),
            "$.distributors[0].small_order.below",
        ),
        (
            lambda s: s["distributors"][1].update(small_order={"below": "50.00"}),
            "$.distributors[1].small_order.charge",
        ),
        (
            lambda s: s["distributors"][1].update(small_order={"below": "50.00", "charge": "-5"}),
            "$.distributors[1].small_order.charge",
        ),
        # A misspelt field is an error, not silently ignored (a plan without the free delivery it meant).
        (
            lambda s: s["distributors"][0]["freight"].update(free_ovr="0.50"),
            "$.distributors[0].freight.free_ovr",
        ),
        (lambda s: s["cart"][0].update(qtty=4), "$.cart[0].qtty"),
        (lambda s: s["offers"][0].update(price="9.00"), "$.offers[0].price"),
        (lambda s: s.update(shipto={"country": "GB"}), "$.shipto"),
        (lambda s: s["distributors"][0].update(ships_to=["France"]), "$.distributors[0].ships_to[0]"),
        # Weight-charged freight needs every product's weight; box sizes come as all three or none.
        (lambda s: s["products"][0].pop("weight_kg"), "$.products[0].weight_kg"),
        (lambda s: s["products"][0].update(length_cm=30, width_cm=20), "$.products[0].height_cm"),
        # Numbers the exact planner cannot hold exactly.
        (lambda s: s["offers"][0].update(cost="1e30"), "$.offers[0].cost"),
        (lambda s: s["offers"][0].update(cost="0.0000001"), "$.offers[0].cost"),
    ],
)
def test_bad_input_exits_non_zero_naming_the_json_path(tmp_path, example, change, where):
    change(example)
    done = run("plan", "--scenario", str(write(tmp_path, example)), "--json")
    assert done.returncode != 0
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1
    assert where in done.stderr
    assert "scenario.json: $" in done.stderr  # the file, then the path in it


def test_a_small_order_charge_is_on_the_shipment_and_in_the_total(tmp_path, example):
    # 3 × 10.00 at D1 is under D1's 50.00 threshold: 30.00 + 9.95 freight + 5.00 charge.
    example["distributors"][0]["small_order"] = {"below": "50.00", "charge": "5.00"}
    done = run("plan", "--scenario", str(write(tmp_path, example)), "--json")
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    (shipment,) = body["shipments"]
    assert (shipment["goods"], shipment["freight"], shipment["small_order_charge"]) == (
        "30.00",
        "9.95",
        "5.00",
    )
    assert (body["goods_total"], body["freight_total"], body["charges_total"], body["total"]) == (
        "30.00",
        "9.95",
        "5.00",
        "44.95",
    )


def test_unreadable_json_names_the_file_line_and_column(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"currency": "GBP",\n "cart": [}\n', encoding="utf-8")
    done = run("plan", "--scenario", str(path), "--json")
    assert done.returncode != 0
    assert f"{path}:2:" in done.stderr and "not valid JSON" in done.stderr


def test_the_table_shows_the_plan_and_its_reasons(fixtures_dir):
    done = run("plan", "--scenario", str(fixtures_dir / "architecture_example.json"))
    assert done.returncode == 0, done.stderr
    assert "Plan: ok" in done.stdout
    assert "only distributor with stock" in done.stdout
    assert "Total 39.95 GBP" in done.stdout


def test_realtime_with_no_realtime_distributors_plans_from_the_feed(tmp_path, fixtures_dir):
    config = tmp_path / "fulfil.toml"
    config.write_text("[planner]\ndeadline_ms = 400\n", encoding="utf-8")
    done = run(
        "plan", "--scenario", str(fixtures_dir / "architecture_example.json"), "--config", str(config),
        "--realtime", "--json",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert (body["status"], body["total"]) == ("ok", "39.95")
    assert body["allocations"][0]["source"] == "feed"
