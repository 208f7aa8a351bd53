"""`channel-sync`: pull orders into Odoo, push status and tracking back, serve webhooks.

Exit codes: 0 every order went through (an order in review in Odoo went through); 1 an order failed or was
parked, or a store or Odoo was unreachable — one line per failure on stderr (store, order, reason); 2 bad
configuration or usage, naming the file and key. `--config` works before or after the subcommand, else
CHANNEL_SYNC_CONFIG, else ./sync.toml.
"""

from __future__ import annotations

import logging
import sys
import threading

import click

from . import config as config_module
from .errors import ConfigError, OdooKeyRefused
from .odoo import OdooClient
from .state import State
from .sync import Failure, Sync

CONFIG_HELP = "sync.toml (default: $CHANNEL_SYNC_CONFIG, else ./sync.toml)"


def _load(ctx: click.Context, local: str | None):
    path = local or (ctx.obj or {}).get("config")
    try:
        return config_module.load(path)
    except ConfigError as exc:
        click.echo(f"channel-sync: {exc}", err=True)
        ctx.exit(2)


def _stores(ctx: click.Context, settings, store_id: str | None):
    if store_id is None:
        return settings.stores
    try:
        return (settings.store(store_id),)
    except ConfigError as exc:
        click.echo(f"channel-sync: {exc}", err=True)
        ctx.exit(2)


def _run(ctx: click.Context, local_config: str | None, store_id: str | None, action: str) -> None:
    settings = _load(ctx, local_config)
    stores = _stores(ctx, settings, store_id)
    state = State(settings.sync.state)
    odoo = OdooClient(settings.odoo)
    sync = Sync(settings, state, odoo)
    failures: list[Failure] = []
    try:
        for store in stores:
            try:
                failures += getattr(sync, action)(store)
            except OdooKeyRefused:
                raise
            except Exception as exc:  # one store's surprise never stops the others
                failures.append(Failure(store.id, "", f"{type(exc).__name__}: {exc}"))
    except OdooKeyRefused as exc:
        click.echo(str(exc), err=True)
        ctx.exit(1)
    finally:
        state.close()
    for failure in failures:
        click.echo(failure.line(), err=True)
    click.echo(f"{action}: {len(stores)} store(s), {len(failures)} failure(s), {odoo.calls} Odoo call(s)")
    ctx.exit(1 if failures else 0)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", default=None, help=CONFIG_HELP)
@click.version_option(package_name="channel-fulfilment")
@click.pass_context
def main(ctx: click.Context, config_path: str | None) -> None:
    """Sync web-store orders into Odoo and send status and tracking back."""
    ctx.obj = {"config": config_path}


@main.command()
@click.option("--config", "config_path", default=None, help=CONFIG_HELP)
@click.option("--store", "store_id", default=None, help="only this store (its id in sync.toml)")
@click.pass_context
def pull(ctx: click.Context, config_path: str | None, store_id: str | None) -> None:
    """Import new and changed orders from the stores (and any webhook not processed yet)."""
    _run(ctx, config_path, store_id, "pull")


@main.command()
@click.option("--config", "config_path", default=None, help=CONFIG_HELP)
@click.option("--store", "store_id", default=None, help="only this store (its id in sync.toml)")
@click.pass_context
def push(ctx: click.Context, config_path: str | None, store_id: str | None) -> None:
    """Send status and tracking back to the stores."""
    _run(ctx, config_path, store_id, "push")


@main.command()
@click.option("--config", "config_path", default=None, help=CONFIG_HELP)
@click.pass_context
def serve(ctx: click.Context, config_path: str | None) -> None:
    """Receive webhooks on [sync] listen and run pull and push on their schedules."""
    import uvicorn

    from fulfilment_engine.service.guarded_http import guarded_protocol

    from .webhooks import Worker, make_app

    settings = _load(ctx, config_path)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(message)s")
    state = State(settings.sync.state)
    wake = threading.Event()
    worker = Worker(settings, Sync(settings, state, OdooClient(settings.odoo)), wake)
    worker.start()
    # fulfil serve's HTTP protocol: limits the headers' size and time, closes on a refused upload lingering.
    uvicorn.run(
        make_app(settings, state, wake),
        host=settings.sync.listen_host,
        port=settings.sync.listen_port,
        log_level="warning",
        http=guarded_protocol(),
    )
    worker.stopping.set()


if __name__ == "__main__":
    main()
