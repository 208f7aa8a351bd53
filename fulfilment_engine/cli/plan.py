"""`fulfil` commands: plan.

    fulfil plan --scenario FILE [--config FILE] [--realtime] [--json]

Prints the cheapest plan for a scenario (ARCHITECTURE.md has the JSON contract): a table for people,
one JSON object with --json. With --realtime, offers of distributors that answer in real time (as
fulfil.toml configures: --config, else $FULFIL_CONFIG, else ./fulfil.toml) are refreshed first.
Exit status 0 for every plan, `ok`, `partial` or `infeasible`; 2 for bad input.
"""

from __future__ import annotations

import json
import sys

import click
from rich.console import Console
from rich.table import Table

from ..domain import Plan, Scenario, json_number, money_text
from ..errors import FulfilError
from ..scenario import load_scenario

STATUS_STYLE = {"ok": "green", "partial": "yellow", "infeasible": "red"}


@click.command("plan")
@click.option(
    "--scenario",
    "scenario_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="The planning problem: a JSON scenario (cart, products, distributors, offers).",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    help="fulfil.toml for --realtime (default: $FULFIL_CONFIG, else ./fulfil.toml).",
)
@click.option("--realtime", is_flag=True, help="Refresh real-time distributors' offers before planning.")
@click.option("--json", "as_json", is_flag=True, help="Print the plan as one JSON object.")
def plan_command(scenario_path: str, config_path: str | None, realtime: bool, as_json: bool) -> None:
    """The cheapest way to fill a cart: which distributor ships how many of each line, and why."""
    scenario = load_scenario(scenario_path)
    result = _plan_live(scenario, config_path) if realtime else _plan(scenario)
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False))
    else:
        _print(result)


def _plan(scenario: Scenario) -> Plan:
    from ..planner import plan  # imported here: the solver is only loaded when a plan is asked for

    return plan(scenario)


def _plan_live(scenario: Scenario, config_path: str | None) -> Plan:
    try:
        from ..config import load_config
        from ..live import plan_live
    except ImportError as exc:
        raise FulfilError(f"--realtime is not available in this installation ({exc})") from None
    config = load_config(config_path)
    live = set(config.realtime_distributors()) & set(scenario.distributors)
    if not live and not config.carriers:
        where = (
            str(config.path) if config.path else "no fulfil.toml: --config, $FULFIL_CONFIG or ./fulfil.toml"
        )
        click.echo(
            f"fulfil: note: --realtime, but none of the scenario's distributors answers in real time and no "
            f"carrier is configured ({where}): planned on the scenario's figures",
            err=True,
        )
    return plan_live(scenario, config)


def _print(result: Plan) -> None:
    # A pipe or a log gets a wide page rather than rich's 80 columns: the reasons are long.
    console = Console() if sys.stdout.isatty() else Console(width=140)
    style = STATUS_STYLE.get(result.status, "")
    console.print(f"Plan: [bold {style}]{result.status}[/]")

    lines = Table(title="Allocations", title_justify="left")
    for column in ("SKU", "Distributor", "Part number", "Qty", "Unit cost", "Line", "Source"):
        right = column in ("Qty", "Unit cost", "Line")
        lines.add_column(column, justify="right" if right else "left", no_wrap=True)
    lines.add_column("Why", ratio=1)
    for a in result.allocations:
        source = f"{a.source} (stale)" if a.stale else a.source
        lines.add_row(
            a.sku,
            a.distributor,
            a.distributor_sku or a.sku,
            str(a.qty),
            money_text(a.unit_cost),
            money_text(a.unit_cost * a.qty),
            source,
            a.reason,
        )
    console.print(lines)

    shipments = Table(title="Shipments", title_justify="left")
    for column in ("Distributor", "Weight kg", "Billable kg", "Goods", "Freight", "Freight from", "Charges"):
        shipments.add_column(column, justify="left" if column in ("Distributor", "Freight from") else "right")
    for s in result.shipments:
        billable = s.weight_kg if s.billable_weight_kg is None else s.billable_weight_kg
        shipments.add_row(
            s.distributor,
            str(json_number(s.weight_kg)),
            str(json_number(billable)),
            money_text(s.goods),
            money_text(s.freight),
            s.freight_source,
            money_text(s.small_order_charge),  # the distributor's small-order charge, besides freight
        )
    console.print(shipments)

    if result.unfilled:
        unfilled = Table(title="Unfilled (no stock to ship)", title_justify="left")
        unfilled.add_column("SKU")
        unfilled.add_column("Qty", justify="right")
        for u in result.unfilled:
            unfilled.add_row(u.sku, str(u.qty))
        console.print(unfilled)

    for note in result.notes:
        console.print(f"Note: {note}")
    console.print(
        f"Goods {money_text(result.goods_total)}  Freight {money_text(result.freight_total)}  "
        f"Charges {money_text(result.charges_total)}  "
        f"[bold]Total {money_text(result.total)} {result.currency}[/]"
    )


COMMANDS = [plan_command]
