"""Runs the channel_fulfilment addon's own tests in a real Odoo 19, on a fresh database, one pytest item
per Odoo test method.

Odoo is found through ODOO_HOME (default /opt/odoo19) and ODOO_PYTHON (default /opt/odoo19-venv/bin/python,
or $ODOO_HOME/.venv/bin/python). The Odoo tests are collected from the addon's test files by reading them
(AST), not by importing them: they import `odoo`, which the project's .venv does not have. One odoo-bin
run per pytest session does what OCA's CI does — install the module with its tests, stop — narrowed with
--test-tags to the items pytest selected (`pytest -k name` runs just those), and each item reads its own
outcome from the log: its FAIL/ERROR record with the traceback, an error in its class's setUpClass, or
that it never started or never finished. Why not pytest-odoo: it must run inside Odoo's interpreter (not
this .venv), so it would be a second pytest in a subprocess whose results are read back anyway, and it
skips the module install with --test-enable that the at-install checks and the strict log rules rely on.

The strict rules stay, as their own item `test_odoo_log_is_clean`: no ERROR/CRITICAL line and no
WARNING line other than the few machine-level ones in ALLOWED_WARNINGS (each with the reason), at least
as many tests ran as were selected, and every browser tour that should have run succeeded. A skipped tour
fails its own item as well.
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
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from .conftest import NOT_RUN_MARK

REPO = Path(__file__).resolve().parents[2]
ADDON = REPO / "odoo_addon" / "channel_fulfilment"
MODULE = "channel_fulfilment"
DB_HOST = os.environ.get("ODOO_DB_HOST", "127.0.0.1")
DB_USER = os.environ.get("ODOO_DB_USER", "root")
TIMEOUT_S = int(os.environ.get("ODOO_TEST_TIMEOUT", "3600"))
RESULT = re.compile(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests when loading database")
LOG_LINE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (?P<level>DEBUG|INFO|WARNING|ERROR|CRITICAL) "
    r"(?P<db>\S+) (?P<logger>[\w.]+): (?P<message>.*)"
)
TEST_LOGGER = f"odoo.addons.{MODULE}.tests."
# What odoo/tests/result.py (OdooTestResult) logs, on the test module's logger, for each test.
STARTING = re.compile(r"^Starting (\w+)\.(\w+) \.\.\.$")
OUTCOME = re.compile(r"^(FAIL|ERROR): (?:Subtest )?(\w+)\.(\w+)\b")
SKIPPED = re.compile(r"^skipped (\w+)\.(\w+) : (.*)")
# An error in setUpClass is reported for an _ErrorHolder, on odoo.tests.suite's logger.
CLASS_SETUP_ERROR = re.compile(rf"^ERROR: setUpClass \(odoo\.addons\.{MODULE}\.tests\.\w+\.(\w+)\)")
# Totals Odoo logs at ERROR when a test failed: each failure already fails its own item.
TOTALS = re.compile(rf"^(Module {MODULE}: \d+ failures, \d+ errors of \d+ tests|{RESULT.pattern})")
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


@dataclass(frozen=True)
class OdooCase:
    """One Odoo test method as the addon's files define it."""

    file: str
    cls: str
    method: str
    tours: int  # browser tours it starts (self.start_tour(...)), each must log "tour succeeded"

    @property
    def name(self) -> str:
        return f"{self.cls}.{self.method}"

    @property
    def test_tag(self) -> str:
        return f"/{MODULE}:{self.name}"


def discover_cases(tests_dir: Path = ADDON / "tests") -> list[OdooCase]:
    """Every `def test…` inside a class of the addon's test_*.py files, read from the source: a new test
    file needs no change here."""
    cases = []
    for path in sorted(tests_dir.glob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.ClassDef):
                continue
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and item.name.startswith("test"):
                    tours = sum(
                        1
                        for call in ast.walk(item)
                        if isinstance(call, ast.Call)
                        and isinstance(call.func, ast.Attribute)
                        and call.func.attr == "start_tour"
                    )
                    cases.append(OdooCase(path.name, node.name, item.name, tours))
    return cases


CASES = discover_cases()


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


@dataclass
class Record:
    """One log record: its first line (parsed) and the lines that continue it (a traceback)."""

    first: str
    level: str
    logger: str
    message: str
    text: str  # the whole record, first line and continuation
    during: str | None  # the test that had started and not yet been followed by another


def records_in(log: str) -> list[Record]:
    records: list[Record] = []
    during = None
    for line in log.splitlines():
        match = LOG_LINE.match(line)
        if match:
            # Odoo ends each first line with a space (its perf-info slot): the message is stripped.
            message = match["message"].rstrip()
            if match["logger"].startswith(TEST_LOGGER) and (started := STARTING.match(message)):
                during = f"{started[1]}.{started[2]}"
            elif RESULT.search(message) or message == "Starting post tests":
                during = None
            records.append(Record(line, match["level"], match["logger"], message, line, during))
        elif SERVER_THREAD_CRASH.match(line):
            records.append(Record(line, "ERROR", "stderr", line, line, during))
        elif records:
            records[-1].text += "\n" + line
        # Lines before the first record (odoo-bin's own start-up output) belong to no record.
    return records


@dataclass
class OdooRun:
    """What one odoo-bin run says about each selected Odoo test, and about itself."""

    selected: list[OdooCase]
    not_run: str = ""  # set when there was no run at all (no Odoo): every item skips with it
    returncode: int | str | None = None
    log_path: Path | None = None
    started: list[str] = field(default_factory=list)
    finished: set[str] = field(default_factory=set)
    failures: dict[str, list[str]] = field(default_factory=dict)
    class_errors: dict[str, list[str]] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    totals: tuple[int, int, int] | None = None
    tours_succeeded: int = 0
    problems: list[str] = field(default_factory=list)

    def read_log(self, log: str) -> None:
        known = {case.name for case in self.selected}
        known_classes = {case.cls for case in self.selected}
        records = records_in(log)
        for record in records:
            message = record.message
            if record.logger.startswith(TEST_LOGGER):
                if started := STARTING.match(message):
                    if self.started:
                        self.finished.add(self.started[-1])
                    self.started.append(f"{started[1]}.{started[2]}")
                    continue
                if (skipped := SKIPPED.match(message)) and f"{skipped[1]}.{skipped[2]}" in known:
                    self.skipped[f"{skipped[1]}.{skipped[2]}"] = skipped[3]
                    continue
                outcome = OUTCOME.match(message)
                if outcome and f"{outcome[2]}.{outcome[3]}" in known:
                    self.failures.setdefault(f"{outcome[2]}.{outcome[3]}", []).append(record.text)
                    continue
            if (setup := CLASS_SETUP_ERROR.match(message)) and setup[1] in known_classes:
                self.class_errors.setdefault(setup[1], []).append(record.text)
                continue
            if totals := RESULT.search(message):
                self.totals = tuple(int(n) for n in totals.groups())
                if self.started:
                    self.finished.add(self.started[-1])
            if record.logger.endswith(".browser") and message.startswith("tour succeeded"):
                self.tours_succeeded += 1
            if TOTALS.match(message):
                continue
            if fails_the_run(record.level, record.logger, message) or record.logger == "stderr":
                during = f" (during {record.during})" if record.during else ""
                self.problems.append(record.text + during)

    def outcome(self, case: OdooCase) -> tuple[str, str]:
        """("passed" | "failed" | "skipped", what to show, its first line a headline) for one selected
        test."""
        name = case.name
        if name in self.failures:
            return "failed", exception_line(self.failures[name][0]) + "\n" + "\n".join(self.failures[name])
        if name in self.skipped:
            if case.tours:
                return "failed", f"the browser tour was skipped, which is not a pass: {self.skipped[name]}"
            return "skipped", f"Odoo skipped {name}: {self.skipped[name]}"
        if name not in self.started:
            if case.cls in self.class_errors:
                return "failed", "it did not run: its class's setUpClass failed\n" + "\n".join(
                    self.class_errors[case.cls]
                )
            return "failed", (
                f"it did not run (is {case.file} imported in tests/__init__.py, and the class tagged "
                f"to run?); odoo-bin exited with {self.returncode}{self.where()}"
            )
        if name not in self.finished:
            return "failed", f"it started but never finished: odoo-bin exited with {self.returncode}" + (
                self.where()
            )
        return "passed", ""

    def where(self) -> str:
        return f"\nfull log: {self.log_path}" if self.log_path else ""

    def run_problems(self) -> list[str]:
        """Why the run as a whole fails even if every item passed (test_odoo_log_is_clean)."""
        problems = []
        if self.totals is None:
            problems.append(
                f"no 'N failed, M error(s) of K tests' line in the log (odoo-bin: {self.returncode})"
            )
        else:
            failed, errors, ran = self.totals
            if self.returncode != 0 and not failed + errors:
                problems.append(f"odoo-bin exited with {self.returncode} although no test failed")
            if ran < len(self.selected):
                problems.append(f"only {ran} tests ran; {len(self.selected)} were selected")
        tours = sum(case.tours for case in self.selected if self.outcome(case)[0] == "passed")
        if self.tours_succeeded < tours:
            problems.append(
                f"{self.tours_succeeded} browser tours succeeded of {tours} started by passing tests"
            )
        if self.problems:
            problems.append("the log has lines that fail the run:\n" + "\n".join(self.problems[:40]))
        return problems


def exception_line(record: str) -> str:
    """The exception a logged traceback ends with ("AssertionError: 'ready' != 'review'"): the first
    unindented line after its last "Traceback" line, or the record's first line."""
    lines = record.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("Traceback (most recent call last)")]
    after = lines[starts[-1] + 1 :] if starts else []
    return next((line for line in after if line and not line[0].isspace()), lines[0] if lines else "")


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


def tags_for(selected: list[OdooCase]) -> str:
    """The whole module when every test is selected (so a test inherited by another class runs too),
    else exactly the selected methods."""
    if {case.name for case in selected} >= {case.name for case in CASES}:
        return f"/{MODULE}"
    return ",".join(case.test_tag for case in selected)


def run_odoo(selected: list[OdooCase]) -> OdooRun:
    run = OdooRun(selected)
    found = find_odoo()
    if isinstance(found, str):
        run.not_run = f"{found}; {NOT_RUN_MARK}"
        return run
    home, python = found
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
        f"--test-tags={tags_for(selected)}",
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
    if missing:
        run.returncode = missing
        run.problems.append(missing)
        return run
    psql(python, f'CREATE DATABASE "{db}"')
    try:
        with log_file.open("w") as out:
            try:
                completed = subprocess.run(
                    command, cwd=home, env=env, stdout=out, stderr=subprocess.STDOUT, timeout=TIMEOUT_S
                )
                run.returncode = completed.returncode
            except subprocess.TimeoutExpired:
                run.returncode = f"a time-out after {TIMEOUT_S} s"
        log = log_file.read_text(errors="replace")
        run.read_log(log)
        if run.run_problems() or any(run.outcome(case)[0] != "passed" for case in selected):
            run.log_path = log_file
            if run.totals is None:
                run.problems.append(f"--- last lines ---\n{tail(log)}")
        else:
            log_file.unlink()
    finally:
        psql(python, f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        shutil.rmtree(data_dir, ignore_errors=True)
    return run


@pytest.fixture(scope="session")
def odoo_run(request) -> OdooRun:
    """One odoo-bin run for the whole session, over the Odoo tests pytest selected."""
    wanted = {
        item.callspec.params["case"].name
        for item in request.session.items
        if getattr(item, "originalname", None) == "test_odoo" and hasattr(item, "callspec")
    }
    selected = [case for case in CASES if case.name in wanted] or list(CASES)
    run = run_odoo(selected)
    if not run.not_run:
        failed = sum(1 for case in selected if run.outcome(case)[0] == "failed")
        request.config.odoo_addon_summary = (  # printed by conftest.py's terminal summary
            f"Odoo 19: {len(run.started)} addon tests ran, {failed} failed; "
            f"{run.tours_succeeded} browser tours succeeded"
        )
    return run


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_odoo(odoo_run: OdooRun, case: OdooCase):
    if odoo_run.not_run:
        pytest.skip(odoo_run.not_run)
    outcome, details = odoo_run.outcome(case)
    if outcome == "skipped":
        pytest.skip(details)
    if outcome == "failed":
        # The first line is what `make test`'s short summary shows.
        pytest.fail(f"{case.name} ({case.file}): {details}", pytrace=False)


def test_odoo_log_is_clean(odoo_run: OdooRun):
    """The rules for the run as a whole: see the module docstring."""
    if odoo_run.not_run:
        pytest.skip(odoo_run.not_run)
    problems = odoo_run.run_problems()
    if problems:
        pytest.fail("\n".join(problems) + odoo_run.where(), pytrace=False)


# --- the runner's own rules, checked without Odoo ---------------------------------------------------

STAMP = "2026-11-26 08:31:32,602 2039"


def test_the_log_check_fails_on_every_warning_but_the_listed_ones():
    """The log policy itself: any WARNING fails the run unless ALLOWED_WARNINGS names it (no Odoo needed)."""
    log = "\n".join(
        [
            f"{STAMP} INFO db odoo.modules.loading: loading channel_fulfilment/views/menus.xml",
            f"{STAMP} WARNING db odoo.addons.base.models.ir_actions_report: wkhtmltopdf: Warning: "
            "Received createRequest signal on a disposed ResourceObject's NetworkAccessManager.",
            f"{STAMP} WARNING db odoo.modules.module: python external dependency on 'fulfilment_engine' "
            "does not appear o be a valid PyPI package.",
            f"{STAMP} WARNING db odoo.addons.stock.models.stock_move: some other module's warning",
            f"{STAMP} WARNING db odoo.addons.base.models.ir_actions_report: These documents were not saved",
            f"{STAMP} ERROR db odoo.addons.channel_fulfilment.tests.test_ship: FAIL: TestShip.test_x",
            f"{STAMP} INFO db odoo.addons.channel_fulfilment.tests.test_tour: skipped "
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


def test_each_odoo_test_gets_its_own_outcome_from_the_log(tmp_path):
    """A synthetic odoo-bin log in Odoo 19's format (odoo/tests/result.py) read into per-test outcomes."""
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_a.py").write_text(
        "class TestA(Case):\n"
        "    def test_ok(self): pass\n"
        "    def test_fails(self): pass\n"
        "    def test_tour(self):\n"
        "        self.start_tour('/odoo', 'x')\n"
        "    def test_crashed(self): pass\n"
        "    def helper(self): pass\n"
        "class TestB(Case):\n"
        "    def test_never(self): pass\n"
        "class TestC(Case):\n"
        "    def test_skips(self): pass\n"
    )
    cases = discover_cases(tests)
    assert [case.name for case in cases] == [
        "TestA.test_ok",
        "TestA.test_fails",
        "TestA.test_tour",
        "TestA.test_crashed",
        "TestB.test_never",
        "TestC.test_skips",
    ]
    assert [case.tours for case in cases] == [0, 0, 1, 0, 0, 0]
    logger = "odoo.addons.channel_fulfilment.tests.test_a"
    log = "\n".join(
        [
            "Odoo's start-up banner",
            f"{STAMP} INFO db odoo.service.server: Starting post tests",
            f"{STAMP} ERROR db odoo.tests.suite: ERROR: setUpClass "
            "(odoo.addons.channel_fulfilment.tests.test_a.TestB)",
            "Traceback (most recent call last):",
            "ValueError: no distributor",
            f"{STAMP} INFO db {logger}: Starting TestA.test_ok ...",
            f"{STAMP} INFO db {logger}: Starting TestA.test_fails ...",
            f"{STAMP} INFO db {logger}: " + "=" * 70,
            f"{STAMP} ERROR db {logger}: FAIL: TestA.test_fails",
            "Traceback (most recent call last):",
            '  File "test_a.py", line 3, in test_fails',
            "AssertionError: 'ready' != 'review'",
            f"{STAMP} INFO db {logger}: Starting TestA.test_tour ...",
            f"{STAMP} INFO db {logger}: skipped TestA.test_tour : Chrome executable not found",
            f"{STAMP} INFO db {logger}: Starting TestC.test_skips ...",
            f"{STAMP} INFO db {logger}: skipped TestC.test_skips : not on this database",
            f"{STAMP} INFO db {logger}: Starting TestA.test_crashed ...",
            f"{STAMP} ERROR db odoo.addons.sale.models.sale_order: something broke",
        ]
    )
    run = OdooRun(cases, returncode=1)
    run.read_log(log)
    outcomes = {case.name: run.outcome(case) for case in cases}
    assert outcomes["TestA.test_ok"] == ("passed", "")
    status, details = outcomes["TestA.test_fails"]
    assert status == "failed"
    assert details.splitlines()[0] == "AssertionError: 'ready' != 'review'"
    assert (
        exception_line(
            'FAIL: TestA.test_x\nTraceback (most recent call last):\n  File "a.py"\n'
            "    code\nAssertionError: 1 != 2\n- 1\n+ 2\n : why"
        )
        == "AssertionError: 1 != 2"
    )
    assert 'File "test_a.py", line 3, in test_fails' in details
    assert outcomes["TestA.test_tour"][0] == "failed"  # a skipped tour is not a pass
    assert "Chrome executable not found" in outcomes["TestA.test_tour"][1]
    assert outcomes["TestC.test_skips"] == ("skipped", "Odoo skipped TestC.test_skips: not on this database")
    assert outcomes["TestB.test_never"][0] == "failed"
    assert "setUpClass failed" in outcomes["TestB.test_never"][1]
    assert "ValueError: no distributor" in outcomes["TestB.test_never"][1]
    # The last test never reached the end: no later test started and no totals line came.
    assert outcomes["TestA.test_crashed"][0] == "failed"
    assert "never finished" in outcomes["TestA.test_crashed"][1]
    # What no item owns stays for test_odoo_log_is_clean, with the test it happened during.
    problems = run.run_problems()
    assert any("no 'N failed, M error(s) of K tests' line" in problem for problem in problems)
    assert run.problems == [
        f"{STAMP} ERROR db odoo.addons.sale.models.sale_order: something broke (during TestA.test_crashed)"
    ]


def test_a_clean_run_needs_the_totals_and_every_selected_test():
    case = OdooCase("test_a.py", "TestA", "test_ok", 1)
    logger = "odoo.addons.channel_fulfilment.tests.test_a"
    run = OdooRun([case], returncode=0)
    run.read_log(
        "\n".join(
            [
                f"{STAMP} INFO db {logger}: Starting TestA.test_ok ...",
                f"{STAMP} INFO db odoo.addons.base.tests.common.browser: tour succeeded",
                f"{STAMP} INFO db odoo.tests.result: 0 failed, 0 error(s) of 1 tests "
                "when loading database 'db' ",
            ]
        )
    )
    assert run.outcome(case) == ("passed", "")
    assert run.run_problems() == []
    # The same log without the tour's success line: the tour did not really run.
    run = OdooRun([case], returncode=0)
    run.read_log(
        f"{STAMP} INFO db {logger}: Starting TestA.test_ok ...\n"
        f"{STAMP} INFO db odoo.tests.result: 0 failed, 0 error(s) of 1 tests when loading database 'db'"
    )
    assert run.run_problems() == ["0 browser tours succeeded of 1 started by passing tests"]
    assert tags_for([case]) == "/channel_fulfilment:TestA.test_ok"
    assert tags_for(list(CASES)) == "/channel_fulfilment"
