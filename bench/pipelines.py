"""One pipeline run, meant to be started in its own process by ``bench/__main__.py``.

``python -m bench.pipelines ours|pandas|cli|upload FILE`` prints one JSON line with the seconds
of each stage; the parent starts it through ``bench/peak.py``, which writes the process's own
peak memory (VmHWM) when it ends.

* ``pandas`` - the same work as ours, written the way a competent analyst writes it in pandas
  (``run_pandas_same``: read, clean, reject with reasons, aggregate with dimensions, tier).
* ``pandas_min`` - the minimal pipeline: ``pd.read_parquet`` / ``pd.read_csv`` / ``pd.read_excel``
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

EN = {"customer": "customer_id", "order": "order_id", "date": "order_date", "quantity": "quantity",
      "revenue": "revenue", "cost": "cost", "dims": ["region", "channel"]}
ZH = {"customer": "客户编号", "order": "订单号", "date": "订单日期", "quantity": "数量",
      "revenue": "销售额", "cost": "成本", "dims": ["地区", "渠道"]}
CUTS = (1, 5, 20)
#: What the analyst treats as "no value" in a text cell (lower case, after stripping).
MARKERS = ["", "-", "--", "n/a", "na", "nan", "none", "null", "#n/a", "#value!", "#ref!", "#div/0!", "—"]


def _read(path: str):
    import pandas as pd

    if path.endswith(".parquet"):
        return pd.read_parquet(path)
    if path.endswith(".xlsx"):
        return pd.read_excel(path)
    return pd.read_csv(path)


def run_pandas_same(path: str) -> dict:
    """The same work as ours, written the way a competent analyst writes it in pandas:
    strip text cells and treat blanks/markers as missing, coerce numbers and dates (a plausible
    date range), reject rows without a customer, order, date or valid amounts (reason and line of
    each), round money to 1/10,000, count exact duplicate rows, aggregate per customer (first/last
    order, lines, distinct orders, revenue, cost, profit, quantity, loss lines, the most frequent
    region and channel with ties to the smallest), rank by profit (ties by id) and cut the
    1/5/20 % pyramid."""
    import numpy as np
    import pandas as pd

    out = {"import": time.perf_counter() - T0}
    t = time.perf_counter()
    df = _read(path)
    out["ingest"] = time.perf_counter() - t
    names = ZH if ZH["customer"] in df.columns else EN
    t = time.perf_counter()
    line = np.arange(len(df)) + (1 if path.endswith(".parquet") else 2)
    for c in [names["customer"], names["order"]] + names["dims"]:
        s = df[c].astype("str").str.strip()
        df[c] = s.mask(s.str.lower().isin(MARKERS))
    for c in (names["quantity"], names["revenue"], names["cost"]):
        v = pd.to_numeric(df[c], errors="coerce")
        df[c] = v.where(np.isfinite(v))
    d = pd.to_datetime(df[names["date"]], errors="coerce")
    df[names["date"]] = d.where((d >= "1900-01-01") & (d < "2101-01-01"))
    reason = np.select(
        [df[names["customer"]].isna(), df[names["order"]].isna(), df[names["date"]].isna(),
         df[names["revenue"]].isna(), df[names["cost"]].isna(), df[names["quantity"]].isna()],
        ["missing_customer_id", "missing_order_id", "bad_date", "bad_revenue", "bad_cost", "bad_quantity"], "")
    bad = reason != ""
    rejected = pd.DataFrame({"line": line[bad], "reason": reason[bad]})
    df = df[~bad]
    for c in (names["revenue"], names["cost"]):
        df[c] = np.round(df[c].to_numpy() * 10_000).astype("int64")
    duplicates = int(df.duplicated().sum())
    df["profit"] = df[names["revenue"]] - df[names["cost"]]
    df["loss"] = (df[names["revenue"]] < 0) | (df["profit"] < 0)
    g = df.groupby(names["customer"])
    per = g.agg(first_order=(names["date"], "min"), last_order=(names["date"], "max"),
                lines=(names["date"], "size"), orders=(names["order"], "nunique"),
                revenue=(names["revenue"], "sum"), cost=(names["cost"], "sum"), profit=("profit", "sum"),
                quantity=(names["quantity"], "sum"), negative_lines=("loss", "sum"))
    for dim in names["dims"]:
        top = (df.groupby([names["customer"], dim]).size().rename("n").reset_index()
               .sort_values([names["customer"], "n", dim], ascending=[True, False, True])
               .drop_duplicates(names["customer"]).set_index(names["customer"])[dim])
        per[dim] = top
    out["aggregate"] = time.perf_counter() - t
    t = time.perf_counter()
    per = per.reset_index().sort_values(["profit", names["customer"]], ascending=[False, True])
    share = np.arange(1, len(per) + 1) / len(per)
    per["tier"] = pd.cut(share, [0] + [c / 100 for c in CUTS] + [1], labels=False)
    tiers = per.groupby("tier")[["revenue", "profit"]].agg(["size", "sum"])
    out["tier"] = time.perf_counter() - t
    t = time.perf_counter()
    per["tier"] = pd.cut(share, [0, 0.02, 0.06, 0.25, 1], labels=False)
    per.groupby("tier")[["revenue", "profit"]].agg(["size", "sum"])
    out["cutoff"] = time.perf_counter() - t
    out["customers"] = int(len(per))
    out["rows_rejected"] = int(len(rejected))
    out["duplicates"] = duplicates
    out["check"] = float(tiers.iloc[0, 1]) / 10_000
    return out


def run_pandas(path: str) -> dict:
    """The minimal pipeline: read, drop rows without a customer, groupby sum, cut (no validation,
    no rejected-rows report, no distinct orders, no dimensions, no duplicate count)."""
    import numpy as np
    import pandas as pd

    out = {"import": time.perf_counter() - T0}
    t = time.perf_counter()
    df = _read(path)
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
    fn = {"pandas": run_pandas_same, "pandas_min": run_pandas, "ours": run_ours, "upload": run_upload}[kind]
    out = fn(path)
    out["total"] = time.perf_counter() - T0
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
