"""``python -m tierlib clv INPUT``: fit BG/NBD + Gamma-Gamma and report CLV.

Wired into ``tierlib/cli.py`` with ``add_clv_parser(sub)`` and ``cmd_clv(args)``.

Output: without ``--json`` a few human lines; with ``--json`` the JSON document
``{"customers": N, "bgnbd": {"r", "alpha", "a", "b", "loglik"}, "gamma_gamma": {"customers",
"p", "q", "gamma", "loglik"}, ...}`` on stdout (log-likelihoods are sums over customers, in the
chosen time unit). ``--out FILE`` (.csv/.xlsx/.parquet) writes one row per customer.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from tierlib import clv, pipeline
from tierlib.cli import EXIT_OK, _mapping, _margin, add_reading_options
from tierlib.engine import Engine
from tierlib.export import write_table
from tierlib.i18n import t
from tierlib.io import InputError

OUT_COLUMNS = ["customer_id", "x", "t_x", "T", "expected_purchases", "p_alive", "expected_value", "clv",
               "historical_value", "first_purchase", "last_purchase"]


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def add_clv_parser(sub) -> argparse.ArgumentParser:
    """Register the ``clv`` subcommand on ``sub`` (the result of ``add_subparsers``)."""
    p = sub.add_parser("clv", help="customer lifetime value: BG/NBD + Gamma-Gamma fit and per-customer CLV")
    add_reading_options(p)
    p.add_argument("--calibration-end", type=_date, metavar="YYYY-MM-DD",
                   help="last day (inclusive) of the calibration period used for fitting (default: last order day)")
    p.add_argument("--time-unit", choices=list(clv.TIME_UNITS), default=clv.DEFAULT_TIME_UNIT,
                   help="time unit of t_x, T and the parameters (default: week)")
    p.add_argument("--horizon", type=int, default=clv.DEFAULT_HORIZON_MONTHS, metavar="MONTHS",
                   help="CLV horizon in months (default: 12)")
    p.add_argument("--discount", type=_margin, default=clv.DEFAULT_MONTHLY_DISCOUNT,
                   help="monthly discount rate, e.g. 0.01 or 1%% (default: 1%%)")
    p.add_argument("--terms", choices=["revenue", "profit"],
                   help="CLV in revenue or profit terms (default: profit when the data give profit; "
                        "profit uses the data's profit/revenue margin, or --margin)")
    p.add_argument("--json", action="store_true", help="print the JSON result on stdout")
    p.add_argument("--out", help="per-customer results to FILE.csv, FILE.xlsx or FILE.parquet")
    return p


def out_frame(res: clv.Result) -> pd.DataFrame:
    """Per-customer output: x, t_x, T, expected purchases over the horizon, P(alive), expected
    average value, CLV and historical value (money rounded to the cent)."""
    df = res.frame.copy()
    for col in ("expected_value", "clv", "historical_value"):
        df[col] = df[col].round(2)
    return df[OUT_COLUMNS]


def cmd_clv(args) -> int:
    out = Path(args.out) if args.out else None
    if out is not None and out.suffix.lower() not in (".csv", ".xlsx", ".parquet"):
        raise InputError("cli.bad_out", path=args.out)
    engine = Engine()
    loaded = pipeline.load(args.input, sheet=args.sheet, overrides=_mapping(args.map), margin=args.margin,
                           engine=engine)
    prepared = loaded.prepared
    if "order_date" not in prepared.mapping:
        raise InputError("clv.needs_dates")
    measure = clv.default_measure(prepared.has_revenue)
    cal = args.calibration_end or clv.last_day(engine)
    summary = clv.summary_from_engine(engine, cal, args.time_unit, measure)
    if summary.n == 0:
        raise InputError("clv.no_customers")
    terms, margin = clv.choose_terms(summary, args.terms, args.margin if args.terms == "profit" else None)
    res = clv.analyze(summary, args.horizon, args.discount, margin, terms)
    if out is not None:
        write_table(out_frame(res), out)
    doc = res.to_json()
    if args.json:
        print(json.dumps(doc, ensure_ascii=False, indent=2))
    else:
        print(human_summary(res, args.lang))
    for code, params in res.warnings:
        print(t(code, args.lang, **params), file=sys.stderr)
    return EXIT_OK


def human_summary(res: clv.Result, lang: str) -> str:
    bg, gg, s = res.bgnbd, res.gamma_gamma, res.summary
    lines = [t("clv.cli.customers", lang, n=s.n, repeaters=s.repeaters, end=str(s.calibration_end),
               unit=t(f"clv.unit.{s.time_unit}", lang)),
             f"  BG/NBD: r={bg.r:.4f} alpha={bg.alpha:.4f} a={bg.a:.4f} b={bg.b:.4f} LL={bg.loglik:,.2f}"]
    if gg is not None:
        lines.append(f"  Gamma-Gamma ({gg.n:,}): p={gg.p:.4f} q={gg.q:.4f} gamma={gg.gamma:.4f} LL={gg.loglik:,.2f}")
    total = float(np.sum(res.frame["clv"]))
    lines.append(t("clv.cli.total", lang, months=res.horizon_months, total=total,
                   terms=t(f"clv.terms.{res.terms}", lang)))
    return "\n".join(lines)
