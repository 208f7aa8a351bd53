"""The benchmarks that run a worker inside Odoo still run end to end, at a tiny size (their figures are
not looked at): a change of a shared helper once broke `bench reconcile` without any test noticing.
Skipped, naming what did not run, when no Odoo 19 is found (ODOO_HOME, ODOO_PYTHON)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bench import _odoo

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("command", "says"),
    [
        (["odoo_import", "--orders", "20", "--customers", "10"], "channel_import_orders vs Odoo's way:"),
        (["reconcile", "--invoices", "4"], "bills/s"),
        (["odoo_ship", "--orders", "10", "--send", "0"], "action_ship() vs Odoo's route"),
    ],
    ids=["odoo_import", "reconcile", "odoo_ship"],
)
def test_an_odoo_benchmark_runs_at_a_tiny_size(command, says):
    try:
        _odoo.find_odoo(f"bench {command[0]}")
    except SystemExit as missing:
        pytest.skip(f"{missing}; bench {command[0]} did NOT run")
    run = subprocess.run(
        [sys.executable, "-m", "bench", *command], capture_output=True, text=True, cwd=ROOT, timeout=900
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert says in run.stdout
