"""``python -m tierlib segments INPUT --as-of DATE [grade options] --out FILE.csv``.

One row per customer: ``customer_id, tier, tier_name, recency_days, frequency, monetary,
r_score, f_score, m_score, segment, kind, lifecycle_stage, churn_flags`` — the tier from the
grade options, the RFM scores and segment (tierlib.rfm), the customer kind (tierlib.kinds), the
lifecycle stage code and the churn indicator codes (tierlib.lifecycle / tierlib.churn), all at
the explicit as-of date.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from tierlib import churn, kinds, pipeline, rfm, tiers
from tierlib.engine import Engine
from tierlib.export import write_table
from tierlib.i18n import t
from tierlib.io import InputError


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def add_segments_parser(sub) -> argparse.ArgumentParser:
    from tierlib.cli import add_grading_options, add_reading_options

    p = sub.add_parser("segments", help="one row per customer: tier, RFM scores and segment, kind, "
                                        "lifecycle stage and churn flags")
    add_reading_options(p)
    add_grading_options(p)
    p.add_argument("--as-of", type=_date, help="the as-of date (default: the latest order date in the data)")
    p.add_argument("--monetary", choices=("revenue", "profit"), default="revenue",
                   help="the M of RFM (default revenue)")
    p.add_argument("--bins", type=int, default=rfm.DEFAULT_BINS, choices=(3, 4, 5), help="RFM score bins")
    p.add_argument("--out", required=True, help="FILE.csv, FILE.xlsx or FILE.parquet")
    return p


def segments_table(loaded: pipeline.Loaded, engine: Engine, grading: tiers.Grading, as_of=None,
                   monetary: str = "revenue", bins: int = rfm.DEFAULT_BINS) -> pd.DataFrame:
    """The joined per-customer table (see the module docstring)."""
    g = grading
    base = g.ranked.customers[["customer_id"]].copy()
    idx = np.searchsorted(np.asarray(g.bounds, dtype="int64"), np.arange(g.ranked.n), side="right")
    base["tier"] = idx + 1
    base["tier_name"] = np.asarray(g.names, dtype=object)[idx]
    seg = rfm.segments_frame(loaded.customers, as_of=as_of, monetary=monetary, bins=bins)
    try:
        kind = kinds.kinds_frame(loaded.customers)
    except InputError:  # no profit: profit- and volume-type cannot be told apart
        kind = pd.DataFrame({"customer_id": base["customer_id"], "kind": ""})
    life = churn.segment_columns(engine, as_of=as_of)
    out = base.merge(seg, on="customer_id", how="left").merge(kind, on="customer_id", how="left")
    out = out.merge(life, on="customer_id", how="left")
    out["lifecycle_stage"] = out["lifecycle_stage"].fillna("")
    out["churn_flags"] = out["churn_flags"].fillna("")
    return out


def cmd_segments(args) -> int:
    from tierlib.cli import _mapping, grading_from_args

    engine = Engine()
    loaded = pipeline.load(args.input, sheet=args.sheet, overrides=_mapping(args.map), margin=args.margin,
                           engine=engine)
    if not loaded.customers["last_order"].notna().any():
        raise InputError("cli.segments_need_dates")
    grading = grading_from_args(args, loaded)
    table = segments_table(loaded, engine, grading, as_of=args.as_of, monetary=args.monetary, bins=args.bins)
    out = Path(args.out)
    if out.suffix.lower() not in (".csv", ".xlsx", ".parquet"):
        raise InputError("cli.bad_out", path=args.out)
    write_table(table, out, sheet="segments")
    counts = {k: int(v) for k, v in table["segment"].value_counts().items()}
    print(t("cli.segments_done", args.lang, customers=len(table), path=str(out)), file=sys.stderr)
    print(json.dumps({"customers": len(table), "segments": counts}, ensure_ascii=False))
    return 0
