"""Customer Pyramid benchmarks: print a table of timings on this machine.

python -m bench [--customers 1000000] [--repeat 50] [--skip-page]

- cutoff change: one new set of cutoffs on N ranked customers (tiers.grade on a Ranked),
  against recomputing the tiers from the customer table with pandas (sort + cumsum + groupby);
- rank once: the one-off sort and cumulative sums after a data or filter change;
- page rerun: the tiers page rerun under Streamlit's AppTest after a cutoff change, with the
  N customers already loaded in the workspace (includes building the Plotly figures).
"""

from __future__ import annotations

import argparse
import platform
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from tierlib import tiers
from tierlib.schema import MONEY_SCALE

ROOT = Path(__file__).resolve().parents[1]


def synthetic_customers(n: int, seed: int = 42) -> pd.DataFrame:
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


def timed(fn, repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times)


def pandas_tiers(cust: pd.DataFrame, cuts) -> pd.DataFrame:
    """What an analyst would write: sort, rank, cut, group."""
    df = cust.sort_values(["profit", "customer_id"], ascending=[False, True]).reset_index(drop=True)
    n = len(df)
    bounds = [int(np.floor(n * c / 100 + 0.5)) for c in cuts]
    df["tier"] = np.searchsorted(np.array(bounds), np.arange(n), side="right")
    return df.groupby("tier").agg(customers=("customer_id", "size"), profit=("profit", "sum"),
                                  revenue=("revenue", "sum"))


def page_rerun(cust: pd.DataFrame, repeat: int) -> tuple[float, float]:
    from streamlit.testing.v1 import AppTest

    from tierlib import pipeline
    from tierlib.engine import Engine
    from ui.state import Workspace

    # A real customer-level file of N customers, loaded the way an upload is.
    path = Path(tempfile.mkdtemp()) / "customers.parquet"
    pd.DataFrame({"customer_id": cust["customer_id"], "revenue": cust["revenue"].astype("float64") / MONEY_SCALE,
                  "profit": cust["profit"].astype("float64") / MONEY_SCALE,
                  "orders": cust["orders"]}).to_parquet(path)
    engine = Engine()
    t0 = time.perf_counter()
    loaded = pipeline.load(path, engine=engine)
    load_s = time.perf_counter() - t0
    ws = Workspace(loaded=loaded, engine=engine, kind="upload", name="bench")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.session_state["lang"] = "en"
    at.session_state["workspace"] = ws
    at.run()
    if at.exception:
        raise RuntimeError(at.exception)
    values = iter([21.0, 20.0] * repeat)

    def rerun():
        at.number_input(key="w_cut_3_2").set_value(next(values)).run()

    return timed(rerun, repeat), load_s


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m bench")
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=50)
    ap.add_argument("--skip-page", action="store_true")
    args = ap.parse_args()
    n = args.customers
    print(f"machine: {platform.machine()} · {platform.processor() or '-'} · cpus {__import__('os').cpu_count()} · "
          f"python {platform.python_version()}")
    cust = synthetic_customers(n)
    rows = []
    t0 = time.perf_counter()
    ranked = tiers.rank(cust, "profit")
    rows.append(("rank once (sort + cumulative sums)", time.perf_counter() - t0, None))
    cut_sets = [[1, 5, 20], [1, 5, 25], [2, 6, 20], [1, 4, 30]]
    it = iter(cut_sets * (args.repeat + 1))
    med, _ = timed(lambda: tiers.grade(ranked, cuts=next(it)), args.repeat)
    it2 = iter(cut_sets * 6)
    pmed, _ = timed(lambda: pandas_tiers(cust, next(it2)), 5)
    rows.append(("one cutoff change (tiers.grade on ranked)", med, pmed))
    if not args.skip_page:
        (pr_med, _), load_s = page_rerun(cust, max(3, args.repeat // 10))
        rows.append(("load a customer-level Parquet (read, validate, SQL)", load_s, None))
        rows.append(("tiers page rerun after a cutoff change (AppTest)", pr_med, None))
    print(f"\n{n:,} customers\n")
    print(f"{'step':52s} {'ours':>12s} {'pandas':>12s} {'ratio':>8s}")
    for name, ours, theirs in rows:
        ratio = f"{ours / theirs:.3f}" if theirs else "-"
        print(f"{name:52s} {ours * 1000:10.2f}ms {'' if theirs is None else f'{theirs * 1000:10.2f}ms':>12s} "
              f"{ratio:>8s}")


if __name__ == "__main__":
    main()
