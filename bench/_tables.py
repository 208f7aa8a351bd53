"""The shape of a results table: the first column names the row, the figures after it align right."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

# Rich draws 80 columns when it does not write to a terminal (a log, a pipe, CI): wide enough for every table.
PIPED_WIDTH = 200


def bench_console(*, stderr: bool = False) -> Console:
    """The console a benchmark prints to: the terminal's width, or PIPED_WIDTH when piped to a file."""
    probe = Console(stderr=stderr)
    return Console(stderr=stderr, width=None if probe.is_terminal else PIPED_WIDTH)


def figures_table(title: str, columns: Sequence[str], *, no_wrap: bool = False) -> Table:
    table = Table(title=title)
    for index, column in enumerate(columns):
        table.add_column(column, justify="right" if index else "left", no_wrap=no_wrap)
    return table
