"""`fulfil dispatch read` and `fulfil dispatch report`: what an admin runs to try a message or a mapping."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from fulfilment_engine.cli import main
from fulfilment_engine.dispatch.message import from_mime

ROOT = Path(__file__).parents[2]
CORPUS = Path(__file__).parent / "corpus"


def test_read_prints_the_reading():
    result = CliRunner().invoke(main, ["dispatch", "read", str(CORPUS / "01_westcoast_text_full.eml")])
    assert result.exit_code == 0, result.output
    reading = json.loads(result.output)
    assert reading["po_refs"] == ["P00012"]
    assert reading["tracking"][0]["number"] == "15501234567890"
    assert reading["summary"].startswith(
        "PO: P00012; distributor order: 8123456; tracking: DPD 15501234567890"
    )


def test_report_lists_bad_rows_and_exits_1(tmp_path):
    content = from_mime((CORPUS / "05_target_csv_report.eml").read_bytes()).attachments[0].content
    report = tmp_path / "daily.csv"
    report.write_bytes(content + b"03/03/2026,P00017,T-9,BX700UI,UPS,2,TNT,480253471\r\n")
    result = CliRunner().invoke(
        main,
        ["dispatch", "report", "--mapping", str(ROOT / "data/despatch-mappings/target.toml"), str(report)],
    )
    assert result.exit_code == 1
    assert [row["po"] for row in json.loads(result.stdout)] == ["P00016", "P00017", "P00099"]
    assert result.stderr.strip() == (
        f"{report}:5: tracking '480253471' is not a valid TNT number (shape or check digit)"
    )
