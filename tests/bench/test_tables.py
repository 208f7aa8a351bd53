"""The benchmarks' tables stay whole when their output goes to a file or a pipe (a log, CI)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bench._tables import PIPED_WIDTH

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
from bench._tables import bench_console, figures_table
table = figures_table("t", ["way", *[f"column {i} with a long heading" for i in range(4)]], no_wrap=True)
table.add_row("a row whose name is long enough to matter", *[f"{i:,}.0 orders/s" for i in range(4)])
bench_console().print(table)
"""


def test_a_piped_table_is_not_cut_at_80_columns():
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={"TERM": "dumb"},
    ).stdout
    lines = [line for line in out.splitlines() if line.strip()]
    assert max(len(line) for line in lines) > 80
    assert max(len(line) for line in lines) <= PIPED_WIDTH
    assert "3.0 orders/s" in out  # the last column is there, not cut or wrapped away
    assert "a row whose name is long enough to matter" in out
