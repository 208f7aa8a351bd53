"""`channel-sync`: the store connectors' command line.

The connectors (WooCommerce REST wc/v3, Shopify GraphQL Admin API, Odoo JSON-2) are the next piece of
work; until they land this command says so plainly instead of pretending to sync.
"""

from __future__ import annotations

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="channel-fulfilment")
def main() -> None:
    """Sync web-store orders into Odoo and send status and tracking back (not implemented yet)."""


@main.command()
@click.option("--config", "config_path", default="sync.toml", show_default=True)
@click.option("--store", "store_id", default=None)
def pull(config_path: str, store_id: str | None) -> None:
    """Import new and changed orders from the stores."""
    raise click.ClickException("the store connectors are not implemented yet; nothing was pulled")


@main.command()
@click.option("--config", "config_path", default="sync.toml", show_default=True)
@click.option("--store", "store_id", default=None)
def push(config_path: str, store_id: str | None) -> None:
    """Send status and tracking back to the stores."""
    raise click.ClickException("the store connectors are not implemented yet; nothing was pushed")
