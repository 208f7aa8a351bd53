"""`fulfil`: the engine's command line. One module per command group, imported only when used."""

from __future__ import annotations

import importlib
import sys

import click

from ..errors import FulfilError

INPUT_ERROR_EXIT = 2

# Command name → the module that defines it (its COMMANDS list). Importing a module only when its
# command runs keeps `fulfil plan` from paying for the web service's imports (FastAPI, uvicorn).
COMMAND_MODULES = {
    "products": "catalogue",
    "feeds": "catalogue",
    "offers": "catalogue",
    "distributors": "catalogue",
    "sample": "catalogue",
    "plan": "plan",
    "serve": "serve",
    "api-key": "serve",
    "dispatch": "dispatch",
}


class _Group(click.Group):
    """Loads commands lazily, and turns the engine's own errors into one line on stderr and a
    non-zero exit, never a traceback."""

    def list_commands(self, ctx):
        return sorted(COMMAND_MODULES)

    def get_command(self, ctx, name):
        module_name = COMMAND_MODULES.get(name)
        if module_name is None:
            return None
        module = importlib.import_module(f"{__name__}.{module_name}")
        return next(command for command in module.COMMANDS if command.name == name)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except FulfilError as exc:
            # One line, whatever a driver put in its message (libpq adds a tab-indented second line).
            click.echo("fulfil: error: " + " ".join(str(exc).split()), err=True)
            sys.exit(INPUT_ERROR_EXIT)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="channel-fulfilment")
def main() -> None:
    """Channel Fulfilment engine: distributor feeds, offers, cheapest plans and the cart service."""
