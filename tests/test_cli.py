"""The `fulfil` command group: every command is reachable, and each module's commands are registered."""

from __future__ import annotations

import importlib

from click.testing import CliRunner

from fulfilment_engine.cli import COMMAND_MODULES, main


def test_every_listed_command_exists_in_its_module():
    for name, module_name in COMMAND_MODULES.items():
        module = importlib.import_module(f"fulfilment_engine.cli.{module_name}")
        assert name in {command.name for command in module.COMMANDS}, (name, module_name)


def test_every_module_command_is_listed():
    for module_name in set(COMMAND_MODULES.values()):
        module = importlib.import_module(f"fulfilment_engine.cli.{module_name}")
        for command in module.COMMANDS:
            assert COMMAND_MODULES.get(command.name) == module_name, command.name


def test_help_lists_the_commands_and_unknown_command_fails():
    runner = CliRunner()
    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0
    for name in COMMAND_MODULES:
        assert name in result.output
    result = runner.invoke(main, ["nonsense"])
    assert result.exit_code == 2
    assert "nonsense" in result.output
