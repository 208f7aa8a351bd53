"""What the Odoo benchmarks share: finding Odoo 19, a throwaway database with channel_fulfilment installed,
and running a worker script inside Odoo's own Python. Not a benchmark on its own (the name starts with "_").

Odoo is found like the addon tests find it: ODOO_HOME (default /opt/odoo19) and ODOO_PYTHON.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

ROOT = Path(__file__).resolve().parents[1]
DB_HOST = os.environ.get("ODOO_DB_HOST", "127.0.0.1")
DB_USER = os.environ.get("ODOO_DB_USER", "root")


def find_odoo(bench: str) -> tuple[Path, Path]:
    home = Path(os.environ.get("ODOO_HOME", "/opt/odoo19"))
    candidates = (
        [os.environ["ODOO_PYTHON"]]
        if os.environ.get("ODOO_PYTHON")
        else ["/opt/odoo19-venv/bin/python", str(home / ".venv" / "bin" / "python")]
    )
    python = next((Path(c) for c in candidates if Path(c).is_file()), None)
    if not (home / "odoo-bin").is_file() or python is None:
        raise SystemExit(f"{bench}: Odoo 19 not found at {home} (set ODOO_HOME and ODOO_PYTHON)")
    return home, python


def sql(python: Path, statement: str) -> None:
    script = (
        "import psycopg2, sys\n"
        f"cn = psycopg2.connect(host={DB_HOST!r}, user={DB_USER!r}, dbname='postgres')\n"
        "cn.autocommit = True\n"
        "cn.cursor().execute(sys.argv[1])\n"
    )
    subprocess.run([str(python), "-c", script, statement], check=True, capture_output=True, text=True)


def run(command: list[str], env: dict, cwd: Path, what: str, bench: str) -> str:
    completed = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True)
    if completed.returncode != 0:
        tail = "\n".join((completed.stdout + completed.stderr).splitlines()[-40:])
        raise SystemExit(f"{bench}: {what} failed (exit {completed.returncode}):\n{tail}")
    return completed.stdout


@dataclass
class OdooDatabase:
    bench: str
    home: Path
    python: Path
    db: str
    addons: str
    env: dict
    data_dir: Path

    def run_worker(self, worker: Path, *args: str) -> str:
        """Runs `worker` in Odoo's Python against this database; returns what it printed."""
        common = ["--db", self.db, "--addons-path", self.addons, "--db-host", DB_HOST, "--db-user", DB_USER]
        common += ["--data-dir", str(self.data_dir)]
        command = [str(self.python), str(worker), *common, *args]
        return run(command, self.env, self.home, "the benchmark run", self.bench)


@contextlib.contextmanager
def odoo_database(
    bench: str, console: Console, *, template: str | None = None, keep: bool = False
) -> Iterator[OdooDatabase]:
    """A new database (or a copy of `template`) with channel_fulfilment installed, dropped afterwards
    unless `keep`."""
    home, python = find_odoo(bench)
    db = f"cf_bench_{uuid.uuid4().hex[:8]}"
    data_dir = Path(tempfile.mkdtemp(prefix="cf-bench-odoo-"))
    addons = ",".join([str(home / "addons"), str(home / "odoo" / "addons"), str(ROOT / "odoo_addon")])
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), str(home), os.environ.get("PYTHONPATH")])),
    )
    sql(python, f'CREATE DATABASE "{db}"' + (f' TEMPLATE "{template}"' if template else ""))
    if template:
        source = Path.home() / ".local/share/Odoo/filestore" / template
        if source.is_dir():
            shutil.copytree(source, data_dir / "filestore" / db)
    try:
        started = time.perf_counter()
        install = [str(python), str(home / "odoo-bin"), "--addons-path", addons, "-d", db]
        install += ["-i", "channel_fulfilment"]
        # a template may hold an older version of the module: bring it to this one
        install += ["-u", "channel_fulfilment"] if template else []
        install += ["--stop-after-init", "--db_host", DB_HOST, "--db_user", DB_USER]
        install += ["--data-dir", str(data_dir), "--http-interface", "127.0.0.1", "--log-level", "warn"]
        run(install, env, home, "installing channel_fulfilment", bench)
        console.print(f"installed channel_fulfilment in {db} ({time.perf_counter() - started:.0f} s)")
        yield OdooDatabase(bench, home, python, db, addons, env, data_dir)
    finally:
        if not keep:
            sql(python, f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        shutil.rmtree(data_dir, ignore_errors=True)
        if keep:
            console.print(f"database kept: {db}")


def add_worker_options(parser: argparse.ArgumentParser) -> None:
    """The options every benchmark that runs one worker in a throwaway database takes."""
    parser.add_argument(
        "--template", help="copy this database (dependencies installed) instead of a fresh one"
    )
    parser.add_argument("--keep-db", action="store_true", help="leave the database for a look afterwards")
    parser.add_argument("--profile", default="", help="cProfile each way into PREFIX.<way>.prof")


def run_in_database(
    bench: str, console: Console, args: argparse.Namespace, worker: Path, *options: str
) -> dict:
    """`worker` run with `options` (and --profile) in a throwaway database with channel_fulfilment
    (add_worker_options' --template and --keep-db); its RESULT line, read."""
    with odoo_database(bench, console, template=args.template, keep=args.keep_db) as odoo:
        profile = ["--profile", str(Path(args.profile).resolve())] if args.profile else []
        output = odoo.run_worker(worker, *options, *profile)
    return json.loads(result_line(output))


def result_line(output: str) -> str:
    """The worker's one `RESULT {json}` line."""
    return next(line for line in output.splitlines() if line.startswith("RESULT "))[7:]


# ------------------------------------------------------------------------------------ inside the worker


def worker_parser() -> argparse.ArgumentParser:
    """The arguments `OdooDatabase.run_worker` gives every worker; each worker adds its own."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("--db-host", default="127.0.0.1")
    parser.add_argument("--db-user", default="root")
    parser.add_argument("--data-dir", default="")
    return parser


def odoo_registry(args: argparse.Namespace):
    """Odoo configured for the worker's database (run in Odoo's Python); returns its registry."""
    import odoo
    from odoo.modules.registry import Registry

    options = ["--addons-path", args.addons_path, "--db_host", args.db_host, "--db_user", args.db_user]
    options += ["-d", args.db, *(["--data-dir", args.data_dir] if args.data_dir else [])]
    odoo.tools.config.parse_config(options)
    return Registry(args.db)


def answering(url: str, process: subprocess.Popen, timeout_s: float) -> bool:
    """Poll `url` until it answers 200 (True); False once `process` has exited or `timeout_s` passed."""
    import httpx

    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            return False
        time.sleep(0.5)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def odoo_http(
    database: OdooDatabase, log: Path, *, timeout_s: float = 180, workers: int = 0
) -> Iterator[str]:
    """`odoo-bin` serving `database` over HTTP on a free 127.0.0.1 port (no crons, so nothing but the
    caller touches the orders; threaded unless `workers`, then that many worker processes, as Odoo runs in
    production); yields its URL and stops it afterwards."""
    port = free_port()
    command = [str(database.python), str(database.home / "odoo-bin"), "--addons-path", database.addons]
    command += [
        "-d",
        database.db,
        "--db-filter",
        f"^{database.db}$",
        "--db_host",
        DB_HOST,
        "--db_user",
        DB_USER,
    ]
    command += [
        "--data-dir",
        str(database.data_dir),
        "--http-interface",
        "127.0.0.1",
        "--http-port",
        str(port),
    ]
    command += ["--workers", str(workers), "--max-cron-threads", "0", "--logfile", str(log)]
    command += ["--gevent-port", str(free_port())] if workers else []
    # No restart past the soft memory limit (2 GiB by default; Odoo re-executes itself as `python3`, which
    # outside an activated virtualenv is another Python): a long benchmark run must keep one server.
    command += ["--limit-memory-soft", "0"]
    server = subprocess.Popen(command, env=database.env, cwd=database.home)
    url = f"http://127.0.0.1:{port}"
    try:
        if not answering(f"{url}/web/health", server, timeout_s):
            raise SystemExit(f"{database.bench}: Odoo did not answer on {url} (log: {log})")
        yield url
    finally:
        server.terminate()
        server.wait(30)
