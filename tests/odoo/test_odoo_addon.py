"""Runs the channel_fulfilment addon's own tests in a real Odoo 19, on a fresh database.

Odoo is found through ODOO_HOME (default /opt/odoo19) and ODOO_PYTHON (default /opt/odoo19-venv/bin/python,
or $ODOO_HOME/.venv/bin/python). The run is the one OCA's CI does — install the module with its tests,
stop — and it passes only when the log says so: no failure or error, at least as many tests as the
addon defines, no ERROR/CRITICAL line, no WARNING line other than the few machine-level ones listed
in ALLOWED_WARNINGS (each with the reason), and no browser tour skipped.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

from .conftest import NOT_RUN_MARK

REPO = Path(__file__).resolve().parents[2]
ADDON = REPO / "odoo_addon" / "channel_fulfilment"
MODULE = "channel_fulfilment"
DB_HOST = os.environ.get("ODOO_DB_HOST", "127.0.0.1")
DB_USER = os.environ.get("ODOO_DB_USER", "root")
TIMEOUT_S = int(os.environ.get("ODOO_TEST_TIMEOUT", "3600"))
RESULT = re.compile(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests")
LOG_LINE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (?P<level>DEBUG|INFO|WARNING|ERROR|CRITICAL) "
    r"(?P<db>\S+) (?P<logger>[\w.]+): (?P<message>.*)"
)
# WARNING lines that say something about the machine, not about the addon: (logger, message pattern, why).
# Anything else at WARNING fails the run, as OCA's CI fails on it. Add to this list only what a machine
# can produce with a correct addon, and say why.
ALLOWED_WARNINGS = [
    (
        "odoo.addons.base.models.ir_actions_report",
        r"^wkhtmltopdf: ",
        "wkhtmltopdf's own stderr when it exits with code 1 but made the PDF (options its build does not "
        "support, a font or resource it could not load, XDG_RUNTIME_DIR unset): depends on the wkhtmltopdf "
        "build installed, and the PDF test checks the PDF itself",
    ),
]

pytestmark = pytest.mark.odoo


def find_odoo() -> tuple[Path, Path] | str:
    """(odoo-bin's directory, its Python), or why they were not found."""
    home = Path(os.environ.get("ODOO_HOME", "/opt/odoo19"))
    if not (home / "odoo-bin").is_file():
        return f"Odoo 19 not found at {home} (no odoo-bin; set ODOO_HOME)"
    candidates = (
        [os.environ["ODOO_PYTHON"]]
        if os.environ.get("ODOO_PYTHON")
        else ["/opt/odoo19-venv/bin/python", str(home / ".venv" / "bin" / "python")]
    )
    python = next((Path(c) for c in candidates if Path(c).is_file()), None)
    if python is None:
        return f"Odoo 19 found at {home} but not its Python (tried {', '.join(candidates)}; set ODOO_PYTHON)"
    return home, python


def count_test_methods() -> int:
    """Test methods the addon defines (def test_… inside a class), as the log must count at least."""
    total = 0
    for path in sorted((ADDON / "tests").glob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                total += sum(
                    1
                    for item in node.body
                    if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
                    and item.name.startswith("test")
                )
    return total


def count_tours() -> int:
    """Browser tours the addon's tests start (self.start_tour(...)): each must log "tour succeeded"."""
    return sum(
        len(re.findall(r"\.start_tour\(", path.read_text(encoding="utf-8")))
        for path in sorted((ADDON / "tests").glob("test_*.py"))
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def psql(python: Path, sql: str) -> None:
    """Run one statement on the `postgres` database with Odoo's own driver (psycopg2 in Odoo's Python)."""
    script = (
        "import psycopg2, sys\n"
        f"cn = psycopg2.connect(host={DB_HOST!r}, user={DB_USER!r}, dbname='postgres')\n"
        "cn.autocommit = True\n"
        "cn.cursor().execute(sys.argv[1])\n"
    )
    subprocess.run([str(python), "-c", script, sql], check=True, capture_output=True, text=True, timeout=120)


def allowed_warning(logger: str, message: str) -> bool:
    return any(
        logger == allowed_logger and re.search(pattern, message)
        for allowed_logger, pattern, _why in ALLOWED_WARNINGS
    )


def fails_the_run(level: str, logger: str, message: str) -> bool:
    if level in ("ERROR", "CRITICAL"):
        return True
    if level == "WARNING" and not allowed_warning(logger, message):
        return True
    # A browser tour that could not run (no Chromium, no websocket-client) is not a passing tour.
    line = f"{logger}: {message}"
    return bool(re.search(r"skip", line, re.I) and re.search(r"tour|chrom|browser|websocket", line, re.I))


# An HTTP server thread of the test process (a simulator, a test server) that crashed on a request
# prints this and a traceback to stderr, outside any log record.
SERVER_THREAD_CRASH = re.compile(r"^Exception occurred during processing of request from ")


def problems_in(log: str) -> list[str]:
    """Log lines that fail the run even when every test passed."""
    bad = []
    for line in log.splitlines():
        match = LOG_LINE.match(line)
        failing_record = bool(match) and fails_the_run(match["level"], match["logger"], match["message"])
        if failing_record or SERVER_THREAD_CRASH.match(line):
            bad.append(line)
    return bad


def tail(text: str, lines: int = 120) -> str:
    return "\n".join(text.splitlines()[-lines:])


def engine_distribution_problem(python: Path, env: dict) -> str:
    """Why Odoo's Python cannot see the `channel-fulfilment` distribution the manifest requires, or "".

    Odoo checks external_dependencies with importlib.metadata: the package's metadata must be found on
    its path (`pip install -e .`, which `make test` runs, leaves channel_fulfilment.egg-info in the
    repository, which PYTHONPATH holds), not only its modules."""
    completed = subprocess.run(
        [str(python), "-c", "import importlib.metadata as m; print(m.version('channel-fulfilment'))"],
        env=env,
        cwd=tempfile.gettempdir(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    if completed.returncode == 0:
        return ""
    return (
        f"{python} does not find the channel-fulfilment distribution that the addon's manifest requires "
        f"(external_dependencies): run `pip install -e .` in {REPO} (make test does), or pip install it "
        f"into Odoo's Python\n{completed.stderr.strip().splitlines()[-1] if completed.stderr.strip() else ''}"
    )


def test_the_log_check_fails_on_every_warning_but_the_listed_ones():
    """The log policy itself: any WARNING fails the run unless ALLOWED_WARNINGS names it (no Odoo needed)."""
    stamp = "2026-11-26 08:31:32,602 2039"
    log = "\n".join(
        [
            f"{stamp} INFO db odoo.modules.loading: loading channel_fulfilment/views/menus.xml",
            f"{stamp} WARNING db odoo.addons.base.models.ir_actions_report: wkhtmltopdf: Warning: "
            "Received createRequest signal on a disposed ResourceObject's NetworkAccessManager.",
            f"{stamp} WARNING db odoo.modules.module: python external dependency on 'fulfilment_engine' "
            "does not appear o be a valid PyPI package.",
            f"{stamp} WARNING db odoo.addons.stock.models.stock_move: some other module's warning",
            f"{stamp} WARNING db odoo.addons.base.models.ir_actions_report: These documents were not saved",
            f"{stamp} ERROR db odoo.addons.channel_fulfilment.tests.test_ship: FAIL: TestShip.test_x",
            f"{stamp} INFO db odoo.addons.channel_fulfilment.tests.test_tour: skipped "
            "TestInboxTour.test_inbox_tour_ships_an_order : Chrome executable not found",
            "<string>:43: (WARNING/2) Block quote ends without a blank line; unexpected unindent.",
            "Exception occurred during processing of request from ('127.0.0.1', 49236)",
        ]
    )
    bad = problems_in(log)
    assert [line.split(" ", 5)[5][:40] for line in bad[:-1]] == [
        "odoo.modules.module: python external dep",
        "odoo.addons.stock.models.stock_move: som",
        "odoo.addons.base.models.ir_actions_repor",
        "odoo.addons.channel_fulfilment.tests.tes",
        "odoo.addons.channel_fulfilment.tests.tes",
    ]
    assert bad[-1].startswith("Exception occurred during processing of request")
    assert "wkhtmltopdf: Warning" not in "\n".join(bad)


def test_addon_tests_pass_in_odoo19(pytestconfig):
    found = find_odoo()
    if isinstance(found, str):
        pytest.skip(f"{found}; {NOT_RUN_MARK}")
    home, python = found
    expected = count_test_methods()
    assert expected > 0, f"no test methods found under {ADDON / 'tests'}"

    db = f"cf_addon_{uuid.uuid4().hex[:10]}"
    data_dir = Path(tempfile.mkdtemp(prefix="cf-odoo-data-"))
    log_file = Path(tempfile.mkstemp(prefix="cf-odoo-", suffix=".log")[1])
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    )
    command = [
        str(python),
        str(home / "odoo-bin"),
        "--addons-path",
        ",".join([str(home / "addons"), str(home / "odoo" / "addons"), str(REPO / "odoo_addon")]),
        "-d",
        db,
        "-i",
        MODULE,
        "--test-enable",
        f"--test-tags=/{MODULE}",
        "--stop-after-init",
        "--db_host",
        DB_HOST,
        "--db_user",
        DB_USER,
        "--data-dir",
        str(data_dir),
        "--http-interface",
        "127.0.0.1",
        "--http-port",
        str(free_port()),
        "--log-level",
        "info",
    ]
    missing = engine_distribution_problem(python, env)
    assert not missing, missing
    psql(python, f'CREATE DATABASE "{db}"')
    try:
        with log_file.open("w") as out:
            try:
                completed = subprocess.run(
                    command, cwd=home, env=env, stdout=out, stderr=subprocess.STDOUT, timeout=TIMEOUT_S
                )
                returncode = completed.returncode
            except subprocess.TimeoutExpired:
                returncode = "timeout"
        log = log_file.read_text(errors="replace")
        where = f"full log: {log_file}\n--- last lines ---\n{tail(log)}"
        assert returncode == 0, f"odoo-bin exited with {returncode}\n{where}"
        results = RESULT.findall(log)
        assert results, f"no 'N failed, M error(s) of K tests' line in the log\n{where}"
        failed, errors, ran = (int(n) for n in results[-1])
        assert (failed, errors) == (0, 0), f"{failed} failed, {errors} error(s) of {ran} tests\n{where}"
        assert ran >= expected, f"only {ran} tests ran; the addon defines {expected}\n{where}"
        tours = len(re.findall(r"\.browser: tour succeeded", log))
        assert tours >= count_tours(), f"{tours} browser tours succeeded of {count_tours()} started\n{where}"
        bad = problems_in(log)
        assert not bad, "the log has lines that fail the run:\n" + "\n".join(bad[:40]) + f"\n{where}"
        log_file.unlink()
        summary = (
            f"Odoo 19 at {home}: {ran} addon tests ran, {failed} failed, {errors} error(s); "
            f"{tours} browser tours succeeded"
        )
        print(summary)
        pytestconfig.odoo_addon_summary = summary  # printed by conftest.py's terminal summary
    finally:
        psql(python, f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        shutil.rmtree(data_dir, ignore_errors=True)
