"""Customer Pyramid benchmarks: ours next to a plain pandas pipeline, in the same run.

    python -m bench [--quick] [--write] [--customers 1000000] [--repeat 20]

Data (seeded, written once into ``bench/.data/``, see ``bench/data.py``): 1M and 10M transaction
lines of ~1M customers as Parquet, 1M lines as CSV, a 20 MB CSV, a 200k-line XLSX with Chinese
headers (xlsxwriter, constant_memory).

Each pipeline runs in its own process (``bench/pipelines.py``); its wall time includes starting
Python and importing the libraries, and its peak memory is the process's own high-water mark
(VmHWM, written by ``bench/peak.py`` as the process ends; ``ru_maxrss`` from ``os.wait4`` would
include the parent's size at the exec, see there).

* ours   - ``pipeline.load`` (native DuckDB path for big Parquet/CSV, Python path for Excel) ->
           ``tiers.rank`` + ``tiers.grade`` -> one cutoff change;
* pandas - the same work written the way a competent analyst writes it in pandas
           (``bench.pipelines.run_pandas_same``): ``pd.read_parquet`` / ``pd.read_csv`` /
           ``pd.read_excel`` (default engine, openpyxl) -> strip text, blanks and markers as missing,
           coerce numbers and dates -> reject rows (reason and line) -> money to 1/10,000 ->
           duplicate count -> per customer first/last order, lines, distinct orders, sums, loss
           lines, most frequent region and channel -> sort -> ``pd.cut`` (1/5/20 %). The targets
           are measured against this pipeline;
* pandas minimal - read -> ``dropna`` on the customer id -> groupby sum -> sort -> ``pd.cut``
           (no validation, no rejected rows, no distinct orders, no dimensions, no duplicates),
           shown for reference;
* cli    - ``python -m tierlib grade FILE --summary -`` end to end (the 10M target);
* upload - the bytes of the 20 MB CSV through ``pipeline.load`` + rank + grade + the pyramid figure;
* 1M customers: one cutoff change on a ranking (``tiers.grade``) and the tiers page rerun under
  Streamlit's AppTest after a cutoff change (figures included).

``--quick`` skips the 10M and XLSX cases; ``--write`` writes the tables to ``bench/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd

from bench import data as bdata
from bench.machine import describe, write_keeping_notes

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable

NOTES_MARKER = "<!-- notes: kept when --write rewrites the tables above -->"
#: Targets of the issue "Performance and scale".
TARGETS = {
    "cli_10m_ratio": 0.6, "cli_10m_rss_mb": 2.5 * 1024, "xlsx_ratio": 0.25, "cutoff_ms": 20.0,
    "page_ms": 300.0, "upload_s": 3.0,
}


# ---------------------------------------------------------------------------------------------
# processes

def run_measured(cmd: list[str], env: dict | None = None) -> tuple[float, float, str, str, int]:
    """Run ``cmd`` (``[PY, "-m", module, ...]``) through ``bench.peak``; return (wall seconds, the
    child's peak RSS in MB, stdout, stderr, exit code)."""
    assert cmd[:2] == [PY, "-m"], cmd
    fd, peak_file = tempfile.mkstemp(prefix="bench-peak-")
    os.close(fd)
    cmd = [PY, "-m", "bench.peak", peak_file, *cmd[2:]]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, **(env or {})})
    out_chunks: list[bytes] = []
    err_chunks: list[bytes] = []

    def pump(stream, into):
        for chunk in iter(lambda: stream.read(65536), b""):
            into.append(chunk)

    threads = [threading.Thread(target=pump, args=(proc.stdout, out_chunks)),
               threading.Thread(target=pump, args=(proc.stderr, err_chunks))]
    for t in threads:
        t.start()
    _pid, status, _usage = os.wait4(proc.pid, 0)  # the exit status; memory: see bench/peak.py
    wall = time.perf_counter() - t0
    for t in threads:
        t.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    try:
        rss_mb = int(Path(peak_file).read_text()) / 1024  # VmHWM in kB
    except (OSError, ValueError):
        rss_mb = float("nan")  # the child died before writing it
    finally:
        os.unlink(peak_file)
    return wall, rss_mb, b"".join(out_chunks).decode("utf-8", "replace"), \
        b"".join(err_chunks).decode("utf-8", "replace"), proc.returncode


def pipeline_run(kind: str, path: Path, env: dict | None = None) -> dict:
    wall, rss, out, err, code = run_measured([PY, "-m", "bench.pipelines", kind, str(path)], env)
    if code != 0:
        raise RuntimeError(f"{kind} {path.name} failed:\n{err[-2000:]}")
    res = json.loads(out.strip().splitlines()[-1])
    res["wall"], res["rss_mb"] = wall, rss
    return res


def cli_run(path: Path) -> dict:
    wall, rss, out, err, code = run_measured([PY, "-m", "tierlib", "grade", str(path), "--summary", "-"])
    if code != 0:
        raise RuntimeError(f"cli {path.name} failed:\n{err[-2000:]}")
    summary = json.loads(out)
    return {"wall": wall, "rss_mb": rss, "rows_read": summary["rows_read"], "customers": summary["customers"]}


# ---------------------------------------------------------------------------------------------
# 1M customers: cutoff change and page rerun (in this process)

def synthetic_customers(n: int, seed: int = 42) -> pd.DataFrame:
    from tierlib.schema import MONEY_SCALE

    rng = np.random.default_rng(seed)
    revenue = np.round(rng.lognormal(7, 1.6, n), 2)
    margin = rng.normal(0.2, 0.12, n)
    profit = np.round(revenue * margin, 2)
    last = pd.Timestamp("2024-12-31") - pd.to_timedelta(rng.integers(0, 1000, n), unit="D")
    return pd.DataFrame({
        "customer_id": [f"C{i:07d}" for i in range(n)],
        "customer_name": None,
        "first_order": last - pd.to_timedelta(rng.integers(0, 700, n), unit="D"),
        "last_order": last,
        "lines": rng.integers(1, 40, n),
        "orders": rng.integers(1, 30, n),
        "revenue": pd.array(np.round(revenue * MONEY_SCALE).astype("int64"), dtype="Int64"),
        "cost": pd.array(np.round((revenue - profit) * MONEY_SCALE).astype("int64"), dtype="Int64"),
        "profit": pd.array(np.round(profit * MONEY_SCALE).astype("int64"), dtype="Int64"),
        "quantity": rng.integers(1, 500, n).astype("float64"),
        "negative_lines": 0,
        "region": None, "industry": None, "channel": None, "salesperson": None, "product": None,
    })


def timed(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def pandas_tiers(cust: pd.DataFrame, cuts) -> pd.DataFrame:
    """What an analyst would write: sort, rank, cut, group."""
    df = cust.sort_values(["profit", "customer_id"], ascending=[False, True]).reset_index(drop=True)
    n = len(df)
    bounds = [int(np.floor(n * c / 100 + 0.5)) for c in cuts]
    df["tier"] = np.searchsorted(np.array(bounds), np.arange(n), side="right")
    return df.groupby("tier").agg(customers=("customer_id", "size"), profit=("profit", "sum"),
                                  revenue=("revenue", "sum"))


def customers_1m(n: int, repeat: int, skip_page: bool) -> dict:
    from tierlib import tiers

    cust = synthetic_customers(n)
    out = {}
    t0 = time.perf_counter()
    ranked = tiers.rank(cust, "profit")
    out["rank_once"] = time.perf_counter() - t0
    cut_sets = [[1, 5, 20], [1, 5, 25], [2, 6, 20], [1, 4, 30]]
    it = iter(cut_sets * (repeat + 1))
    out["cutoff_ours"] = timed(lambda: tiers.grade(ranked, cuts=next(it)), repeat)
    it2 = iter(cut_sets * 6)
    out["cutoff_pandas"] = timed(lambda: pandas_tiers(cust, next(it2)), 5)
    if not skip_page:
        out["page_rerun"], out["page_load"] = page_rerun(cust, max(3, repeat // 4))
    return out


def page_rerun(cust: pd.DataFrame, repeat: int) -> tuple[float, float]:
    from streamlit.testing.v1 import AppTest

    from tierlib import pipeline
    from tierlib.engine import Engine
    from tierlib.schema import MONEY_SCALE
    from ui.state import Workspace

    # A real customer-level file of N customers, loaded the way the app loads a file.
    path = Path(tempfile.mkdtemp()) / "customers.parquet"
    pd.DataFrame({"customer_id": cust["customer_id"], "revenue": cust["revenue"].astype("float64") / MONEY_SCALE,
                  "profit": cust["profit"].astype("float64") / MONEY_SCALE,
                  "orders": cust["orders"]}).to_parquet(path)
    engine = Engine()
    t0 = time.perf_counter()
    loaded = pipeline.load(path, engine=engine)
    load_s = time.perf_counter() - t0
    ws = Workspace(loaded=loaded, engine=engine, kind="upload", name="bench")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.session_state["lang"] = "en"
    at.session_state["workspace"] = ws
    at.run()
    if at.exception:
        raise RuntimeError(at.exception)
    values = iter([21.0, 20.0] * repeat)

    def rerun():
        at.number_input(key="w_cut_3_2").set_value(next(values)).run()

    return timed(rerun, repeat), load_s


# ---------------------------------------------------------------------------------------------
# report

def machine() -> dict:
    return describe(("duckdb", "pandas", "pyarrow"))


def fmt_s(x) -> str:
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return "-"
    return f"{x * 1000:.2f} ms" if x < 1 else f"{x:.2f} s"


def ratio(a, b) -> str:
    return f"{a / b:.2f}" if a is not None and b else "-"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench")
    ap.add_argument("--quick", action="store_true", help="skip the 10M-row and XLSX cases")
    ap.add_argument("--write", action="store_true", help="write the results to bench/RESULTS.md")
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--skip-page", action="store_true", help="skip the AppTest page rerun")
    args = ap.parse_args(argv)

    info = machine()
    print(f"machine: {info['cpu']} · {info['cores']} cores · {info['memory']} · {info['os']}")
    print(f"python {info['python']} · duckdb {info['duckdb']} · pandas {info['pandas']} · "
          f"pyarrow {info['pyarrow']} · load average {info['load']}")
    print("preparing data in", bdata.cache_dir(), flush=True)
    files = {"parquet_1m": bdata.ensure(1_000_000, "parquet"), "csv_1m": bdata.ensure(1_000_000, "csv"),
             "csv_20mb": bdata.csv_of_size(20)}
    if not args.quick:
        files["parquet_10m"] = bdata.ensure(10_000_000, "parquet")
        files["xlsx_200k"] = bdata.ensure(200_000, "xlsx")

    rows: list[tuple] = []  # (case, stage, ours, pandas)
    mem: list[tuple] = []  # (case, ours MB, pandas MB)
    checks: dict[str, tuple] = {}
    cases = [("Parquet 1M lines", "parquet_1m"), ("CSV 1M lines", "csv_1m")]
    if not args.quick:
        cases += [("Parquet 10M lines", "parquet_10m"), ("XLSX 200k lines (zh headers)", "xlsx_200k")]
    for label, key in cases:
        print(f"\n{label}: {files[key].name} ({files[key].stat().st_size / 1e6:.0f} MB)", flush=True)
        ours = pipeline_run("ours", files[key])
        theirs = pipeline_run("pandas", files[key])
        minimal = pipeline_run("pandas_min", files[key])
        print(f"  ours ({ours['path']} path): {ours['wall']:.2f} s, {ours['rss_mb']:.0f} MB · "
              f"pandas, same work: {theirs['wall']:.2f} s, {theirs['rss_mb']:.0f} MB · "
              f"pandas, minimal: {minimal['wall']:.2f} s", flush=True)
        for name, a, b in (("rows rejected", ours.get("rows_read", 0) - ours.get("rows_used", 0),
                            theirs.get("rows_rejected")), ("customers", ours["customers"], theirs["customers"])):
            if a != b:  # the two programs must have done the same work
                print(f"  WARNING: {name} differ: ours {a}, pandas {b}", flush=True)
        for stage in ("ingest", "aggregate", "tier", "cutoff"):
            rows.append((label, stage, ours.get(stage), theirs.get(stage), minimal.get(stage)))
        rows.append((label, "whole process", ours["wall"], theirs["wall"], minimal["wall"]))
        mem.append((label, ours["rss_mb"], theirs["rss_mb"], minimal["rss_mb"]))
        checks[key] = (ours["wall"], theirs["wall"], minimal["wall"])
        if key == "parquet_10m":
            cli = cli_run(files[key])
            print(f"  cli: {cli['wall']:.2f} s, {cli['rss_mb']:.0f} MB", flush=True)
            rows.append((label, "CLI grade --summary - (end to end)", cli["wall"], theirs["wall"], minimal["wall"]))
            mem.append((label + ", CLI", cli["rss_mb"], theirs["rss_mb"], minimal["rss_mb"]))
            checks["cli_10m"] = (cli["wall"], theirs["wall"], minimal["wall"], cli["rss_mb"])

    print("\nupload of a 20 MB CSV", flush=True)
    up = pipeline_run("upload", files["csv_20mb"])
    print(f"  first pyramid {up['first_pyramid']:.2f} s ({up['path']} path)", flush=True)

    print(f"\n{args.customers:,} customers: cutoff change and page rerun", flush=True)
    c1m = customers_1m(args.customers, args.repeat, args.skip_page)

    lines = render(info, rows, mem, up, c1m, checks, args)
    print("\n" + "\n".join(lines))
    if args.write:
        write_keeping_notes(ROOT / "bench" / "RESULTS.md", lines, NOTES_MARKER, gap="\n\n")
        print("\nwritten to bench/RESULTS.md")
    return 0


def render(info, rows, mem, up, c1m, checks, args) -> list[str]:
    out = ["# Benchmark results", "",
           f"`python -m bench{' --quick' if args.quick else ''}` on {time.strftime('%Y-%m-%d %H:%M')}.", "",
           f"- CPU: {info['cpu']}, {info['cores']} cores; memory {info['memory']}; {info['os']}",
           f"- python {info['python']}, duckdb {info['duckdb']}, pandas {info['pandas']}, pyarrow {info['pyarrow']}",
           f"- load average when the run ended: {info['load']} (1, 5, 15 min; other jobs share the machine)",
           "", "## Files: ours next to pandas (same run, one process each)", "",
           "\"pandas\" does the same work as ours (the yardstick of the targets); \"minimal\" only reads,",
           "drops rows without a customer, sums and cuts (see the notes below).", "",
           "| file | stage | ours | pandas | ours / pandas | minimal | ours / minimal |",
           "|---|---|---:|---:|---:|---:|---:|"]
    for case, stage, ours, theirs, minimal in rows:
        out.append(f"| {case} | {stage} | {fmt_s(ours)} | {fmt_s(theirs)} | {ratio(ours, theirs)} | "
                   f"{fmt_s(minimal)} | {ratio(ours, minimal)} |")
    out += ["", "Peak memory (VmHWM of each process, its own high-water mark):", "", "| run | ours | pandas | minimal |",
            "|---|---:|---:|---:|"]
    for case, a, b, c in mem:
        out.append(f"| {case} | {a:,.0f} MB | {b:,.0f} MB | {c:,.0f} MB |")
    out += ["", "## Interactive", "", "| measure | time | target |", "|---|---:|---:|",
            f"| upload of a 20 MB CSV to the first pyramid (load bytes + rank + grade + figure, "
            f"{up['path']} path) | {fmt_s(up['first_pyramid'])} | ≤ 3 s |",
            f"| rank {args.customers:,} customers once (sort + cumulative sums) | {fmt_s(c1m['rank_once'])} | - |",
            f"| one cutoff change on {args.customers:,} customers (tiers.grade on the ranking) | "
            f"{fmt_s(c1m['cutoff_ours'])} | ≤ 20 ms |",
            f"| the same with pandas (sort + cut + groupby) | {fmt_s(c1m['cutoff_pandas'])} | - |"]
    if "page_rerun" in c1m:
        out.append(f"| tiers page rerun after a cutoff change, {args.customers:,} customers (AppTest) | "
                   f"{fmt_s(c1m['page_rerun'])} | ≤ 300 ms |")
    out += ["", "## Targets", ""]
    if "cli_10m" in checks:
        cli, pand, minimal, rss = checks["cli_10m"]
        out.append(f"- 10M-line Parquet graded by the CLI: {cli / pand:.2f}× the same-work pandas pipeline "
                   f"(target ≤ {TARGETS['cli_10m_ratio']}) - {'holds' if cli / pand <= TARGETS['cli_10m_ratio'] else 'misses'}; "
                   f"peak memory {rss:,.0f} MB (target ≤ 2,560 MB) - {'holds' if rss <= TARGETS['cli_10m_rss_mb'] else 'misses'}; "
                   f"{cli / minimal:.2f}× the minimal pandas pipeline")
    if "xlsx_200k" in checks:
        a, b, c = checks["xlsx_200k"]
        out.append(f"- 200k-line XLSX: {a / b:.2f}× the same-work pandas pipeline with read_excel (openpyxl) "
                   f"(target ≤ {TARGETS['xlsx_ratio']}) - {'holds' if a / b <= TARGETS['xlsx_ratio'] else 'misses'}; "
                   f"{a / c:.2f}× the minimal one")
    out.append(f"- one cutoff change: {fmt_s(c1m['cutoff_ours'])} (≤ 20 ms) - "
               f"{'holds' if c1m['cutoff_ours'] * 1000 <= TARGETS['cutoff_ms'] else 'misses'}")
    if "page_rerun" in c1m:
        out.append(f"- pyramid page rerun: {fmt_s(c1m['page_rerun'])} (≤ 300 ms) - "
                   f"{'holds' if c1m['page_rerun'] * 1000 <= TARGETS['page_ms'] else 'misses'}")
    out.append(f"- upload to first pyramid: {fmt_s(up['first_pyramid'])} (≤ 3 s) - "
               f"{'holds' if up['first_pyramid'] <= TARGETS['upload_s'] else 'misses'}")
    return out


if __name__ == "__main__":
    sys.exit(main())
