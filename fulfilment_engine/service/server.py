"""How uvicorn runs the service (`fulfil serve` and the background server share it), and the service in a
background thread on an ephemeral port (tests, the benchmark, embedding)."""

from __future__ import annotations

import socket
import threading
import time

import uvicorn
from fastapi import FastAPI

from .guarded_http import HeaderLimits, guarded_protocol
from .settings import ServiceSettings


def uvicorn_options(settings: ServiceSettings) -> dict:
    """What uvicorn is given besides the app and where to listen: the HTTP protocol that limits headers
    (size and time)."""
    return {"http": guarded_protocol(HeaderLimits(timeout_s=settings.header_timeout_s))}


class BackgroundServer:
    """uvicorn serving `app` on 127.0.0.1 at a free port, in a daemon thread, until `stop()`."""

    def __init__(self, app: FastAPI, host: str = "127.0.0.1"):
        self.app = app
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind((host, 0))
        self.host, self.port = self.socket.getsockname()[:2]
        config = uvicorn.Config(
            app,
            log_config=None,
            access_log=False,
            lifespan="on",
            timeout_graceful_shutdown=5,
            **uvicorn_options(app.state.runtime.settings),
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout_s: float = 30.0) -> BackgroundServer:
        self.thread.start()
        waited_until = time.monotonic() + timeout_s
        while not self.server.started:
            if not self.thread.is_alive():
                raise RuntimeError("the service stopped while starting (see the log above)")
            if time.monotonic() > waited_until:
                raise RuntimeError(f"the service did not start within {timeout_s:.0f} s")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)
        self.socket.close()

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
