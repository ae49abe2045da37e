"""A short run of the load test (bench/load.py): 4 browser sessions on their own server upload
their own files and move tier cutoffs at the same time for ~25 s; none may see a wrong tier
table, stale drag handles or another session's data.

The harness uses Playwright's async API, and a pytest process may hold only one (sync)
Playwright - the session ``browser`` fixture - so it runs in a subprocess and reports JSON.
Latency and memory are judged by the full run (``python -m bench.load``), not here: 25 s on a
shared CI machine is too short and too noisy for either.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


def test_four_sessions_stay_correct_and_isolated(browser_ok):
    proc = subprocess.run(
        [sys.executable, "-m", "bench.load", "--sessions", "4", "--duration", "25", "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=180, check=False)
    assert proc.stdout.strip(), f"no report (exit {proc.returncode}):\n{proc.stderr[-3000:]}"
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    details = json.dumps(report["error_details"], ensure_ascii=False, indent=1)[:4000]
    errors = report["errors"]
    assert errors["setup"] == 0 and errors["session"] == 0, details
    assert all(s["setup_s"] is not None for s in report["sessions"]), details
    assert errors["leak"] == 0, details
    assert errors["blind"] == 0, details  # each session's own ids were seen, so the scan works
    assert errors["wrong"] == 0, details
    assert errors["timeout"] == 0, details
    assert errors["stale_handle"] == 0, details
    # Every session acted, both by arrow keys and (over all sessions) by the numeric input.
    assert all(s["actions"] >= 2 for s in report["sessions"]), report["sessions"]
    assert report["latency"]["keys"]["n"] > 0 and report["latency"]["input"]["n"] > 0
    assert report["server_alive_at_end"] and report["server_log_tracebacks"] == 0, \
        report.get("server_log_excerpt")
