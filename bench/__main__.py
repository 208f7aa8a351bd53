"""Runs the benchmarks: `python -m bench` runs every one at its default size; `python -m bench NAME
[--help | options]` runs one. Each benchmark is a module `bench/<name>.py` with `main(argv) -> int`."""

from __future__ import annotations

import importlib
import pkgutil
import platform
import sys
from pathlib import Path

import bench


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import os

    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def names() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if not m.name.startswith("_"))


def main(argv: list[str]) -> int:
    available = names()
    if argv and argv[0] in ("-h", "--help"):
        print(__doc__)
        print("benchmarks:", ", ".join(available))
        return 0
    selected, rest = (argv[:1], argv[1:]) if argv else (available, [])
    # with --json a benchmark's stdout is its one JSON object
    print(f"machine: {machine()}", file=sys.stderr if "--json" in rest else sys.stdout)
    status = 0
    for name in selected:
        if name not in available:
            print(f"bench: no benchmark named {name!r}; there are: {', '.join(available)}", file=sys.stderr)
            return 2
        module = importlib.import_module(f"bench.{name}")
        status |= module.main(rest)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
