"""What every benchmark report shares: the machine description printed with the results, and
writing a results file without losing its hand-written notes."""
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


def write_keeping_notes(path: Path, lines: list[str], marker: str, gap: str = "\n") -> None:
    """Write ``lines`` (a fresh run's results) to ``path``; the hand-written notes below
    ``marker`` in the file survive, and a new file gets the marker."""
    notes = ""
    if path.exists():
        old = path.read_text(encoding="utf-8")
        if marker in old:
            notes = old[old.index(marker):]
    path.write_text("\n".join(lines) + gap + (notes or marker + "\n"), encoding="utf-8")
