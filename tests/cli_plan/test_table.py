"""`fulfil plan` without --json, run as a user runs it: the shipments table has a Charges column with each
shipment's small-order charge, and the total line shows the charges beside goods and freight."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

FULFIL = str(Path(sys.executable).with_name("fulfil"))

# D1 ships three A (30.00 of goods: under its 50.00 threshold, so 5.00 on top of 9.95 freight); D2 ships
# one B (100.00: over its threshold, no charge, and no freight rule).
SCENARIO = {
    "currency": "GBP",
    "ship_to": {"country": "GB", "postcode": "M1 1AE"},
    "cart": [{"sku": "A", "qty": 3}, {"sku": "B", "qty": 1}],
    "products": [{"sku": "A", "weight_kg": "1.5"}, {"sku": "B", "weight_kg": "2"}],
    "distributors": [
        {
            "id": "D1",
            "freight": {"type": "flat", "charge": "9.95", "free_over": "250.00"},
            "small_order": {"below": "50.00", "charge": "5.00"},
        },
        {"id": "D2", "small_order": {"below": "50.00", "charge": "5.00"}},
    ],
    "offers": [
        {"distributor": "D1", "sku": "A", "stock": 5, "cost": "10.00"},
        {"distributor": "D2", "sku": "B", "stock": 5, "cost": "100.00"},
    ],
}


def plan_table(tmp_path: Path, scenario: dict) -> str:
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(scenario), encoding="utf-8")
    done = subprocess.run(
        [FULFIL, "plan", "--scenario", str(path)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def shipment_rows(table: str) -> dict[str, dict[str, str]]:
    """{distributor: {column heading: cell}} read from the Shipments table as printed."""
    lines = table[table.index("Shipments") :].splitlines()
    header = next(line for line in lines if line.startswith("┃"))
    headings = [cell.strip() for cell in header.strip("┃").split("┃")]
    out = {}
    for line in lines:
        if line.startswith("│"):
            cells = [cell.strip() for cell in line.strip("│").split("│")]
            out[cells[0]] = dict(zip(headings, cells, strict=True))
    return out


def test_the_shipments_table_shows_each_shipments_charge(tmp_path):
    shipments = shipment_rows(plan_table(tmp_path, SCENARIO))
    assert set(shipments) == {"D1", "D2"}
    assert {k: shipments["D1"][k] for k in ("Goods", "Freight", "Charges")} == {
        "Goods": "30.00",
        "Freight": "9.95",
        "Charges": "5.00",
    }
    assert {k: shipments["D2"][k] for k in ("Goods", "Freight", "Charges")} == {
        "Goods": "100.00",
        "Freight": "0.00",
        "Charges": "0.00",
    }


def test_the_total_line_shows_the_charges(tmp_path):
    table = plan_table(tmp_path, SCENARIO)
    assert "Goods 130.00  Freight 9.95  Charges 5.00  Total 144.95 GBP" in table


def test_without_small_order_rules_the_charges_are_nought_and_the_total_unchanged(tmp_path):
    plain = {
        **SCENARIO,
        "distributors": [
            {k: v for k, v in d.items() if k != "small_order"} for d in SCENARIO["distributors"]
        ],
    }
    table = plan_table(tmp_path, plain)
    assert {row["Charges"] for row in shipment_rows(table).values()} == {"0.00"}
    assert "Goods 130.00  Freight 9.95  Charges 0.00  Total 139.95 GBP" in table
