"""One pipeline run, meant to be started in its own process by ``bench/__main__.py``.

``python -m bench.pipelines ours|pandas|cli|upload FILE`` prints one JSON line with the seconds
of each stage; the parent reads the peak memory of the process from ``os.wait4`` (its
``ru_maxrss``, the same figure ``resource.getrusage(RUSAGE_CHILDREN)`` gives a parent with one child).

* ``pandas`` - what an analyst writes: ``pd.read_parquet`` / ``pd.read_csv`` / ``pd.read_excel``
  (default engine, openpyxl) -> ``dropna`` on the customer id -> profit = revenue - cost ->
  ``groupby(...).sum()`` -> sort by profit -> ``pd.cut`` into the 1/5/20 % pyramid -> tier sums.
  No validation, no rejected-rows report, no dimensions.
* ``ours`` - ``tierlib.pipeline.load`` (the native path for big Parquet/CSV files, the Python path
  for Excel) -> ``tiers.rank`` -> ``tiers.grade`` (pyramid 1/5/20) -> one cutoff change.
* ``cli`` - ``python -m tierlib grade FILE --summary -`` as a user runs it (timed by the parent).
* ``upload`` - the bytes of a file as the app receives an upload: ``pipeline.load(bytes)`` ->
  rank -> grade -> the pyramid figure (``charts.paired_pyramids``).
"""

from __future__ import annotations

import json
import sys
import time

T0 = time.perf_counter()

EN = {"customer": "customer_id", "revenue": "revenue", "cost": "cost"}
ZH = {"customer": "客户编号", "revenue": "销售额", "cost": "成本"}
CUTS = (1, 5, 20)


def run_pandas(path: str) -> dict:
    import numpy as np
    import pandas as pd

    out = {"import": time.perf_counter() - T0}
    t = time.perf_counter()
    if path.endswith(".parquet"):
        df = pd.read_parquet(path)
    elif path.endswith(".xlsx"):
        df = pd.read_excel(path)
    else:
        df = pd.read_csv(path)
    out["ingest"] = time.perf_counter() - t
    names = ZH if ZH["customer"] in df.columns else EN
    t = time.perf_counter()
    df = df.dropna(subset=[names["customer"]])
    df["profit"] = df[names["revenue"]] - df[names["cost"]]
    per = df.groupby(names["customer"])[[names["revenue"], "profit"]].sum()
    out["aggregate"] = time.perf_counter() - t
    t = time.perf_counter()
    per = per.sort_values("profit", ascending=False)
    share = np.arange(1, len(per) + 1) / len(per)
    per["tier"] = pd.cut(share, [0] + [c / 100 for c in CUTS] + [1], labels=False)
    tiers = per.groupby("tier")[[names["revenue"], "profit"]].agg(["size", "sum"])
    out["tier"] = time.perf_counter() - t
    t = time.perf_counter()
    per["tier"] = pd.cut(share, [0, 0.02, 0.06, 0.25, 1], labels=False)
    per.groupby("tier")[[names["revenue"], "profit"]].agg(["size", "sum"])
    out["cutoff"] = time.perf_counter() - t
    out["customers"] = int(len(per))
    out["check"] = float(tiers.iloc[0, 1])
    return out


def run_ours(path: str) -> dict:
    from tierlib import pipeline, tiers
    from tierlib.engine import Engine

    out = {"import": time.perf_counter() - T0}
    t = time.perf_counter()
    loaded = pipeline.load(path, engine=Engine())
    load_s = time.perf_counter() - t
    timings = getattr(loaded.read, "timings", None) or {}
    if timings:  # native path: split reading/validating from aggregating
        out["aggregate"] = timings.get("customers", 0.0)
        out["ingest"] = load_s - out["aggregate"]
        out["path"] = "native"
    else:
        out["ingest"] = load_s
        out["aggregate"] = 0.0
        out["path"] = "python"
    value = loaded.default_value()
    t = time.perf_counter()
    ranked = tiers.rank(loaded.customers, value)
    grading = tiers.grade(ranked, value=value, cuts=list(CUTS))
    out["tier"] = time.perf_counter() - t
    t = time.perf_counter()
    tiers.grade(ranked, value=value, cuts=[2, 6, 25])
    out["cutoff"] = time.perf_counter() - t
    out["customers"] = int(ranked.n)
    out["rows_read"] = int(loaded.prepared.rows_read)
    out["rows_used"] = int(loaded.prepared.rows_used)
    out["check"] = grading.tiers[0]["customers"]
    return out


def run_upload(path: str) -> dict:
    from pathlib import Path

    from tierlib import charts, pipeline, tiers
    from tierlib.engine import Engine

    out = {"import": time.perf_counter() - T0}
    data = Path(path).read_bytes()
    t = time.perf_counter()
    loaded = pipeline.load(data, filename=Path(path).name, engine=Engine())
    out["load"] = time.perf_counter() - t
    out["path"] = "native" if getattr(loaded.read, "timings", None) else "python"
    t = time.perf_counter()
    value = loaded.default_value()
    ranked = tiers.rank(loaded.customers, value)
    grading = tiers.grade(ranked, value=value, cuts=list(CUTS))
    out["tier"] = time.perf_counter() - t
    t = time.perf_counter()
    fig = charts.paired_pyramids(grading.tiers, colors=["#8e2430", "#c8553d", "#f28f3b", "#ffd5c2"],
                                 labels={}, value_label="Profit", negative_note="loss")
    fig.to_plotly_json()
    out["figure"] = time.perf_counter() - t
    out["first_pyramid"] = out["load"] + out["tier"] + out["figure"]
    out["customers"] = int(ranked.n)
    return out


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    kind, path = argv[0], argv[1]
    fn = {"pandas": run_pandas, "ours": run_ours, "upload": run_upload}[kind]
    out = fn(path)
    out["total"] = time.perf_counter() - T0
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
