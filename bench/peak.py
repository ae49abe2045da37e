"""Run a module as ``__main__`` and write the process's own peak memory (VmHWM) to a file.

    python -m bench.peak OUT_FILE module [args...]

Why not ``os.wait4``'s ``ru_maxrss``: on Linux, exec folds the old address space's high-water
mark into the new process's, and Python starts children with vfork, whose "old address space" is
the parent's. So every child of a parent holding 4 GB (say, right after generating the benchmark
data) reports at least 4 GB. VmHWM belongs to the process's own, post-exec address space.
"""
from __future__ import annotations

import runpy
import sys
from pathlib import Path


def _vm_hwm_kb() -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return None


def main() -> None:
    out, module, *args = sys.argv[1:]
    sys.argv = [module, *args]
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    finally:
        kb = _vm_hwm_kb()
        if kb is not None:
            Path(out).write_text(str(kb))


if __name__ == "__main__":
    main()
