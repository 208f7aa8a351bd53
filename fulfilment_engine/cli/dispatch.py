"""`fulfil dispatch` commands: try a dispatch e-mail or a despatch report before Odoo reads it.

    fulfil dispatch read MESSAGE.eml [--po-prefix P] [--po-digits 5]
    fulfil dispatch report --mapping FILE REPORT.csv|REPORT.xlsx [--po-prefix P] [--po-digits 5]

`read` prints what a message says (PO references, the distributor's order numbers, tracking numbers with
their carrier, lines, whole or part) as one JSON object; `report` prints a report's good rows as JSON and
lists its bad rows on standard error as FILE:LINE: reason (exit status 1 when there are any).
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

import click

from ..dispatch.message import po_pattern, read
from ..dispatch.report import load_report_mapping, read_report
from ..errors import InputError

_PO_OPTIONS = [
    click.option("--po-prefix", default="P", show_default=True, help="Prefix of your purchase order names."),
    click.option(
        "--po-digits", default=5, show_default=True, help="Digits after the prefix (Odoo: padding)."
    ),
]


def _po_options(command):
    for option in reversed(_PO_OPTIONS):
        command = option(command)
    return command


def _bytes(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror or exc}") from None


@click.group("dispatch")
def dispatch() -> None:
    """Dispatch e-mails and despatch reports, read as Odoo reads them."""


@dispatch.command("read")
@click.argument("message", type=click.Path(dir_okay=False))
@_po_options
def read_command(message: str, po_prefix: str, po_digits: int) -> None:
    """Print what MESSAGE (a whole e-mail, .eml) says about despatch."""
    reading = read(_bytes(message), po_pattern(po_prefix, po_digits))
    click.echo(json.dumps(asdict(reading) | {"summary": reading.summary()}, indent=2, default=str))


@dispatch.command("report")
@click.option(
    "--mapping", required=True, type=click.Path(dir_okay=False), help="The report's mapping (TOML)."
)
@click.argument("report", type=click.Path(dir_okay=False))
@_po_options
def report_command(mapping: str, report: str, po_prefix: str, po_digits: int) -> None:
    """Print the rows of a despatch REPORT read through --mapping; bad rows go to standard error."""
    found = read_report(
        _bytes(report), report, load_report_mapping(mapping), po_pattern(po_prefix, po_digits)
    )
    click.echo(json.dumps([asdict(row) for row in found.rows], indent=2, default=str))
    for bad in found.bad:
        click.echo(str(bad), err=True)
    if found.bad:
        sys.exit(1)


COMMANDS = [dispatch]
