"""`fulfil`: the engine's command line. One module per command group, registered below."""

from __future__ import annotations

import sys

import click

from ..errors import FulfilError

INPUT_ERROR_EXIT = 2


class _Group(click.Group):
    """Turns the engine's own errors into one line on stderr and a non-zero exit, never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except FulfilError as exc:
            click.echo(f"fulfil: error: {exc}", err=True)
            sys.exit(INPUT_ERROR_EXIT)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="channel-fulfilment")
def main() -> None:
    """Channel Fulfilment engine: distributor feeds, offers, cheapest plans and the cart service."""


def _register() -> None:
    from . import catalogue, plan, serve

    for module in (catalogue, plan, serve):
        for command in module.COMMANDS:
            main.add_command(command)


_register()
