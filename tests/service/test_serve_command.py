"""`fulfil serve` with no configuration, as a user runs it (`make demo`): a real process on a free port with
a fresh store, answering the example request it prints, the demo widget, and a clean stop on SIGTERM."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from fulfilment_engine.service.auth import hash_api_key
from fulfilment_engine.service.demo import DEMO_API_KEY, EXAMPLE_REQUEST

FULFIL = str(Path(sys.executable).parent / "fulfil")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def fulfil_serve(tmp_path: Path, store: Path, port: int, *options: str):
    env = {k: v for k, v in os.environ.items() if k not in ("FULFIL_CONFIG", "FULFIL_STORE")}
    out, err = (tmp_path / f"serve-{port}.out").open("w+"), (tmp_path / f"serve-{port}.err").open("w+")
    process = subprocess.Popen(
        [FULFIL, "serve", "--store", str(store), "--port", str(port), *options],
        cwd=tmp_path,
        env=env,
        stdout=out,
        stderr=err,
        stdin=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        give_up = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                err.seek(0)
                pytest.fail(f"fulfil serve exited with {process.returncode}:\n{err.read()[-3000:]}")
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > give_up:
                pytest.fail("fulfil serve did not answer /healthz within 120 s")
            time.sleep(0.2)
        out.seek(0)
        yield base, process, out.read(), err
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        out.close()
        err.close()


def test_fulfil_serve_without_config_runs_the_demo(tmp_path):
    store = tmp_path / "demo-store.sqlite"
    port = free_port()
    with fulfil_serve(tmp_path, store, port) as (base, process, banner, err):
        assert DEMO_API_KEY in banner
        assert "sample data loaded now" in banner
        assert f"{base}/widget/?key={DEMO_API_KEY}" in banner

        # The example request exactly as printed (and as the README shows it).
        curl = next(line.strip() for line in banner.splitlines() if line.strip().startswith("curl "))
        assert shutil.which("curl"), "curl is needed to run the printed example"
        printed = subprocess.run(shlex.split(curl), capture_output=True, text=True, timeout=60, check=True)
        answer = httpx.Response(200, content=printed.stdout).json()
        assert answer["status"] == "ok"
        assert answer["demo"] is True
        assert {line["sku"] for line in EXAMPLE_REQUEST["cart"]} == {a["sku"] for a in answer["allocations"]}
        assert re.fullmatch(r"\d+\.\d\d", answer["delivery_charge"])
        assert answer["delivery_policy"]["region"] == "UK"

        headers = {"Authorization": f"Bearer {DEMO_API_KEY}"}
        for _attempt in range(5):  # a late live answer still fills the cache for the next ask
            availability = httpx.get(f"{base}/v1/availability", params={"sku": "CF100004"}, headers=headers)
            offers = availability.json()["items"][0]["offers"]
            sources = {o["distributor"]: o["source"] for o in offers}
            if sources["ING"] == sources["TDS"] == "realtime":
                break
            time.sleep(0.5)
        assert sources["ING"] == sources["TDS"] == "realtime"
        availability = availability.json()
        assert availability["demo"] is True
        assert httpx.get(f"{base}/healthz").json()["realtime_distributors"] == ["ING", "TDS"]
        widget = httpx.get(f"{base}/widget/")
        assert widget.status_code == 200 and 'class="cf-cart"' in widget.text
        assert httpx.post(f"{base}/v1/fulfilment-plans", json=EXAMPLE_REQUEST).status_code == 401

        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        err.seek(0)
        log = err.read()
        assert '"event": "service stopped"' in log
        assert '"demo": true' in log
        demo_config = re.search(r'"config": "([^"]+fulfil\.toml)"', log).group(1)
        assert not Path(demo_config).exists()  # the demo's generated config is removed on stop

    # A second start reuses the loaded store.
    with fulfil_serve(tmp_path, store, free_port()) as (_base, _process, banner, _err):
        assert "sample data loaded now" not in banner


def test_fulfil_serve_refuses_a_config_without_keys(tmp_path):
    config = tmp_path / "fulfil.toml"
    config.write_text('[planner]\ndeadline_ms = 300\n[service]\ncors_origins = ["https://shop.example"]\n')
    result = subprocess.run(
        [FULFIL, "serve", "--config", str(config), "--port", str(free_port())],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert "[service].api_keys" in result.stderr and str(config) in result.stderr


def test_api_key_prints_a_key_and_the_hash_that_accepts_it():
    made = subprocess.run([FULFIL, "api-key"], capture_output=True, text=True, timeout=60, check=True)
    key = re.search(r"^key:\s+(\S+)$", made.stdout, re.M).group(1)
    key_hash = re.search(r"^hash:\s+(\S+)$", made.stdout, re.M).group(1)
    again = subprocess.run(
        [FULFIL, "api-key", "--stdin"],
        input=key + "\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert again.stdout.strip() == key_hash
    assert key_hash.startswith("sha256:") and len(key_hash) == len("sha256:") + 64


def _answer_to(port: int, request: bytes) -> tuple[bytes, float]:
    """The status line the service answers `request` with (written on a raw socket), and how long it took."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        started = time.monotonic()
        connection.sendall(request)
        return connection.makefile("rb").readline(), time.monotonic() - started


def test_fulfil_serve_workers_keep_the_door(tmp_path):
    """The limits reach uvicorn's worker processes: headers above 16 KiB are a 431, headers not finished
    within [service] header_timeout a 408, a key-less 100 MB body a 401 after its first 64 KiB."""
    config = tmp_path / "fulfil.toml"
    config.write_text(
        f'[service]\napi_keys = ["{hash_api_key("cfk_door_test")}"]\nheader_timeout = "2s"\n',
        encoding="utf-8",
    )
    port = free_port()
    with fulfil_serve(tmp_path, tmp_path / "store.sqlite", port, "--config", str(config), "--workers", "2"):
        status, _ = _answer_to(port, b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Pad: " + b"a" * 65536)
        assert status.startswith(b"HTTP/1.1 431")
        status, waited = _answer_to(port, b"GET /healthz HTTP/1.1\r\nHost: t\r\n")
        # Answered because the 2 s header timeout ran out (not before it); the upper bound only says it
        # did not hang, with room for a loaded machine. (With 500 ms it failed once in a CI run: the
        # connection closed with no answer, which is what the server does when the timer finds no byte
        # received yet — a worker stalled that long between accepting and reading would do it, since
        # uvloop runs due timers before reading. Not reproduced in 8 runs on a loaded machine.)
        assert status.startswith(b"HTTP/1.1 408") and 1.8 < waited < 30
        head = b"POST /v1/fulfilment-plans HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
        status, _ = _answer_to(port, head + b"Content-Length: 100000000\r\n\r\n" + b"[" * 65536)
        assert status.startswith(b"HTTP/1.1 401")
