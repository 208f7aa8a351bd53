"""One local HTTP server (uvicorn, in a background thread, 127.0.0.1, an ephemeral port) that hosts any
number of simulated services, each under its own path prefix — so each has its own base URL, the way a
real distributor does, without a thread and a port per simulator."""

from __future__ import annotations

import logging
import socket
import threading
import time

import uvicorn
from starlette.applications import Starlette
from starlette.routing import Mount


class SimulatorHost:
    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        self.app = Starlette()
        self._host = host
        self._port = port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self.port: int | None = None
        self.simulators: dict[str, object] = {}

    @property
    def base_url(self) -> str:
        if self.port is None:
            raise RuntimeError("the simulator host is not started")
        return f"http://{self._host}:{self.port}"

    def add(self, name: str, simulator) -> str:
        """Serve `simulator` (anything with `routes()`) under `/<name>`; returns its base URL."""
        if name in self.simulators:
            raise ValueError(f"a simulator named {name!r} is already served")
        self.app.router.routes.append(Mount(f"/{name}", routes=simulator.routes()))
        self.simulators[name] = simulator
        simulator.url = f"{self.base_url}/{name}" if self.port is not None else f"/{name}"
        return simulator.url

    def start(self, timeout_s: float = 10.0) -> SimulatorHost:
        if self._server is not None:
            return self
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((self._host, self._port))
        self.port = self._socket.getsockname()[1]
        config = uvicorn.Config(
            self.app,
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=1,
            timeout_keep_alive=30,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [self._socket]},
            name=f"simulators:{self.port}",
            daemon=True,
        )
        self._thread.start()
        give_up = time.monotonic() + timeout_s
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > give_up:
                raise RuntimeError("the simulator host did not start")
            time.sleep(0.01)
        for name, simulator in self.simulators.items():
            simulator.url = f"{self.base_url}/{name}"
        return self

    def stop(self, timeout_s: float = 5.0) -> None:
        if self._server is None:
            return
        self._server.should_exit = True
        # Handlers still sleeping (a simulated hang) are cancelled by the shutdown; that is expected here,
        # so uvicorn's traceback for each of them is silenced while the server stops.
        error_log = logging.getLogger("uvicorn.error")
        level = error_log.level
        error_log.setLevel(logging.CRITICAL)
        try:
            if self._thread is not None:
                self._thread.join(timeout_s)
        finally:
            error_log.setLevel(level)
        if self._socket is not None:
            self._socket.close()
        self._server = self._thread = self._socket = None

    def __enter__(self) -> SimulatorHost:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
