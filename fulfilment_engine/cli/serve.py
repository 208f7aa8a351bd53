"""`fulfil serve` (the auto-fulfil web service) and `fulfil api-key` (a key and the hash to configure)."""

from __future__ import annotations

import errno
import os
import signal
import socket
import sys

import click

from ..config import find_config_path, load_config
from ..errors import ConfigError
from ..service.auth import hash_api_key, new_api_key

APP_FACTORY = "fulfilment_engine.service.app:app_from_environment"
LOG_LEVELS = ("critical", "error", "warning", "info", "debug")


@click.command("serve")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="fulfil.toml (else $FULFIL_CONFIG, else ./fulfil.toml). Without one: the embedded demo.",
)
@click.option(
    "--store",
    "store_url",
    default=None,
    metavar="URL",
    help="Offer store: SQLAlchemy URL or SQLite file (else $FULFIL_STORE, [service] store, default file).",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", default=8080, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on."
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="uvicorn worker processes (each keeps its own cache and breakers; an in-memory rate limiter "
    "takes 1/N of each account).",
)
@click.option("--log-level", default="info", show_default=True, type=click.Choice(LOG_LEVELS))
def serve(config_path, store_url, host, port, workers, log_level):
    """Serve POST /v1/fulfilment-plans, GET /v1/availability, /healthz and /openapi.json.

    With no configuration this is the embedded demo: the bundled sample catalogue in the SQLite store
    (loaded once), ING and TDS answering in real time from local simulators, and a demo API key.
    """
    import uvicorn

    from ..service.app import resolve_store_url
    from ..service.live import WORKERS_ENV
    from ..service.logs import LOG_LEVEL_ENV, configure_logging
    from ..service.server import uvicorn_options
    from ..service.settings import service_settings

    configure_logging(log_level)
    _exit_cleanly_on_stop_signals()
    os.environ[LOG_LEVEL_ENV] = log_level
    os.environ[WORKERS_ENV] = str(workers)  # each worker's in-memory rate limiter takes its share
    _check_port_free(host, port)
    found = find_config_path(config_path)
    run = dict(
        host=host,
        port=port,
        workers=workers,
        factory=True,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=10,
        log_level=log_level,
    )

    if found is None:
        from ..service.demo import EmbeddedDemo
        from ..store import default_store_url
        from ..store.engine import normalise_url

        with EmbeddedDemo(normalise_url(store_url) if store_url else default_store_url()) as demo:
            os.environ["FULFIL_CONFIG"] = str(demo.config_path)
            os.environ["FULFIL_STORE"] = demo.store_url
            settings = service_settings(load_config(demo.config_path).raw, where=str(demo.config_path))
            click.echo(demo.banner(host, port))
            uvicorn.run(APP_FACTORY, **run, **uvicorn_options(settings))
        return

    if not found.is_file():
        raise ConfigError(str(found), "no such configuration file")
    config = load_config(found)
    settings = service_settings(config.raw, where=str(found))  # refuse a bad [service] before forking
    os.environ["FULFIL_CONFIG"] = str(found.absolute())
    os.environ["FULFIL_STORE"] = resolve_store_url(store_url, settings)
    if settings.demo:
        click.echo('demo: responses are marked "demo": true (sample data)', err=True)
    uvicorn.run(APP_FACTORY, **run, **uvicorn_options(settings))


def _exit_cleanly_on_stop_signals() -> None:
    """uvicorn shuts down gracefully on SIGTERM/SIGINT, then raises the signal again for the previous
    handler; this one turns it into a normal exit, so the demo still stops its simulators and removes
    its temporary folder, and a service manager sees exit status 0."""

    def stop(signum, _frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)


def _check_port_free(host: str, port: int) -> None:
    """One clear line instead of uvicorn's traceback when the port is taken."""
    if port == 0:
        return
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            reason = (
                "is already in use" if exc.errno == errno.EADDRINUSE else f"cannot be used ({exc.strerror})"
            )
            raise click.ClickException(f"{host}:{port} {reason}: choose another with --port") from None


@click.command("api-key")
@click.option(
    "--stdin",
    "from_stdin",
    is_flag=True,
    help="Hash the key read from standard input instead of making a new one.",
)
def api_key(from_stdin):
    """Make a new API key for a shop and print the hash to put in fulfil.toml [service] api_keys."""
    if from_stdin:
        key = sys.stdin.readline().strip()
        if not key:
            raise click.ClickException("no key on standard input")
        click.echo(hash_api_key(key))
        return
    key = new_api_key()
    click.echo(f"key:  {key}")
    click.echo(f"hash: {hash_api_key(key)}")
    click.echo("Give the key to the shop (it is not stored anywhere); add the hash to fulfil.toml:", err=True)
    click.echo(f'  [service]\n  api_keys = ["{hash_api_key(key)}"]', err=True)


COMMANDS = [serve, api_key]
