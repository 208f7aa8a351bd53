"""Runs the channel_fulfilment addon's own tests in a real Odoo 19, on a fresh database.

Odoo is found through ODOO_HOME (default /opt/odoo19) and ODOO_PYTHON (default /opt/odoo19-venv/bin/python,
or $ODOO_HOME/.venv/bin/python). The run is the one OCA's CI does — install the module with its tests,
stop — and it passes only when the log says so: no failure or error, at least as many tests as the
addon defines, no ERROR/CRITICAL line, no warning about the module or deprecated view syntax, and no
browser tour skipped.
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
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (DEBUG|INFO|WARNING|ERROR|CRITICAL) ")

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


def fails_the_run(level: str, line: str) -> bool:
    if level in ("ERROR", "CRITICAL"):
        return True
    if level == "WARNING":
        if MODULE in line:
            return True
        if re.search(r"deprecat", line, re.I) and re.search(r"\bview|arch|attrs|<tree|states=", line, re.I):
            return True
    # A browser tour that could not run (no Chromium, no websocket-client) is not a passing tour.
    return bool(re.search(r"skip", line, re.I) and re.search(r"\btour|chrom|browser|websocket", line, re.I))


def problems_in(log: str) -> list[str]:
    """Log lines that fail the run even when every test passed."""
    bad = []
    for line in log.splitlines():
        level = LOG_LINE.match(line)
        if level and fails_the_run(level.group(1), line):
            bad.append(line)
    return bad


def tail(text: str, lines: int = 120) -> str:
    return "\n".join(text.splitlines()[-lines:])


def test_addon_tests_pass_in_odoo19():
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
        bad = problems_in(log)
        assert not bad, "the log has lines that fail the run:\n" + "\n".join(bad[:40]) + f"\n{where}"
        log_file.unlink()
    finally:
        psql(python, f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        shutil.rmtree(data_dir, ignore_errors=True)
