"""The Odoo addon's tests run inside a real Odoo 19 (see test_odoo_addon.py). When no Odoo is found they
are skipped, and the terminal summary says so in capitals: a skipped addon suite is not a passing one."""

from __future__ import annotations

NOT_RUN_MARK = "the addon's tests did NOT run"


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    summary = getattr(config, "odoo_addon_summary", None)
    if summary:
        terminalreporter.write_sep("=", summary, green=True)
    reasons = []
    for report in terminalreporter.stats.get("skipped", []):
        location = getattr(report, "location", None) or ("",)
        if "tests/odoo/" not in str(location[0]).replace("\\", "/"):
            continue
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)
        if NOT_RUN_MARK in reason:
            reasons.append(reason.removeprefix("Skipped: "))
    if reasons:
        terminalreporter.write_sep("!", "ODOO ADDON TESTS NOT RUN", red=True, bold=True)
        for reason in dict.fromkeys(reasons):
            terminalreporter.write_line(reason, red=True, bold=True)
        terminalreporter.write_line(
            "Set ODOO_HOME (Odoo 19 source) and ODOO_PYTHON (its Python) to run them; tools/odoo-venv.sh "
            "prepares that Python.",
            red=True,
        )
