"""The machine description printed with every benchmark result (CPU, cores, memory, versions)."""
from __future__ import annotations

import os
import platform
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path


def _first(path: str, prefix: str) -> str | None:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(prefix):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def describe(packages: tuple[str, ...] = ("duckdb", "pandas", "pyarrow"), **extra: str) -> dict:
    """CPU model, core count, memory, OS, Python, the given packages' versions and the load."""
    cpu = _first("/proc/cpuinfo", "model name") or platform.processor() or "-"
    mem_kb = _first("/proc/meminfo", "MemTotal")
    mem = f"{int(mem_kb.split()[0]) / 1024 / 1024:.1f} GB" if mem_kb else "-"
    out = {"cpu": cpu, "cores": os.cpu_count(), "memory": mem, "os": platform.platform(),
           "python": platform.python_version()}
    for name in packages:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "-"
    out.update(extra)
    out["load"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
    return out
