"""The shape of a results table: the first column names the row, the figures after it align right."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table


def figures_table(title: str, columns: Sequence[str], *, no_wrap: bool = False) -> Table:
    table = Table(title=title)
    for index, column in enumerate(columns):
        table.add_column(column, justify="right" if index else "left", no_wrap=no_wrap)
    return table
