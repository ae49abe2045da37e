"""``python -m tierlib migrate INPUT --split DATE``: the tier transition matrix as JSON.

Wire it into ``tierlib/cli.py``::

    from tierlib.cli_migration import add_migrate_parser, cmd_migrate
    add_migrate_parser(sub)              # in build_parser()
    if args.command == "migrate": return cmd_migrate(args)   # in main()

The JSON (``--summary -``) holds ``states`` (tier names top first, then "inactive"),
``matrix[i][j]`` (customers in state i before the split and state j from the split on),
``profit_matrix[i][j]`` (those customers' profit in the LATER period), ``profit_before_matrix``
(their profit in the earlier period), ``revenue_matrix`` and the counts of upgraded,
downgraded, new, lost customers and upgrade candidates (see ``tierlib.migration``).
"""

from __future__ import annotations

import argparse
import json
import unicodedata
from pathlib import Path

import pandas as pd

import tierlib.cli as base  # a module reference: cli.py may import this module at its top
from tierlib import migration, pipeline, tiers
from tierlib.engine import Engine
from tierlib.export import write_table
from tierlib.i18n import t
from tierlib.io import InputError
from tierlib.parsing import parse_date
from tierlib.schema import MONEY_SCALE


def add_migrate_parser(sub) -> argparse.ArgumentParser:
    """Register the ``migrate`` subcommand on an ``add_subparsers()`` object."""
    p = sub.add_parser("migrate", help="tier migration between two periods: transition matrix, Sankey data")
    base.add_reading_options(p)
    when = p.add_mutually_exclusive_group(required=True)
    when.add_argument("--split", metavar="DATE",
                      help="split date: orders before it form the earlier period, orders on or after it the later one")
    when.add_argument("--later", metavar="FILE",
                      help="a second file holding the later period (INPUT is the earlier period)")
    p.add_argument("--from", dest="date_from", metavar="DATE", help="with --split: first day of the earlier period")
    p.add_argument("--to", dest="date_to", metavar="DATE", help="with --split: last day of the later period")
    p.add_argument("--value", choices=tiers.VALUES,
                   help="tiering value (default: profit when the data give it, else revenue)")
    p.add_argument("--scheme", choices=tiers.SCHEMES, default="pyramid", help="tier scheme, as for grade")
    p.add_argument("--cuts", help="boundaries of the scheme (default 1,5,20 for pyramid)")
    p.add_argument("--weights", help="weights of the score value: recency=1,frequency=1,revenue=1,profit=1")
    p.add_argument("--names", help="tier names, top tier first, comma separated")
    p.add_argument("--near", type=float, default=migration.NEAR_PCT,
                   help="upgrade candidates: later value at least this %% of the next tier's lowest value "
                        "(default 80)")
    p.add_argument("--out", help="per-customer moves to FILE.csv, FILE.xlsx or FILE.parquet")
    p.add_argument("--summary", metavar="FILE|-", help="write the JSON summary to FILE, or - for stdout")
    return p


def _date(text: str | None, option: str):
    if text is None:
        return None
    values, _missing, _bad = parse_date(pd.Series([text], dtype=object))
    if pd.isna(values.iat[0]):
        raise InputError("migration.bad_date", option=option, value=text)
    return values.iat[0].normalize()


def moves_frame(m: migration.Migration) -> pd.DataFrame:
    """The per-customer moves with money as amounts, for ``--out``."""
    df = m.customers.copy()
    for col in ("profit_before", "profit_after", "revenue_before", "revenue_after"):
        df[col] = (df[col].astype("Float64") / MONEY_SCALE).round(2)
    return df.drop(columns=["before", "after"])


def cmd_migrate(args) -> int:
    lang = args.lang
    overrides = base._mapping(args.map)
    engine = Engine()
    loaded = pipeline.load(args.input, sheet=args.sheet, overrides=overrides, margin=args.margin, engine=engine)
    value = args.value or loaded.default_value()
    if value not in loaded.available_values():
        raise InputError(f"tiers.no_{value}")
    cuts = base._split_list(args.cuts) if args.cuts else base.DEFAULT_CUTS.get(args.scheme)
    if not cuts:
        raise InputError("cli.cuts_required", scheme=args.scheme)
    names = base._split_list(args.names) if args.names else None
    weights = base._weights(args.weights)
    if args.split:
        m = migration.split(engine, _date(args.split, "--split"), value=value, cuts=cuts, names=names,
                            scheme=args.scheme, lang=lang, weights=weights,
                            start=_date(args.date_from, "--from"), end=_date(args.date_to, "--to"))
    else:
        later = pipeline.load(args.later, overrides=overrides, margin=args.margin, engine=Engine())
        m = migration.compare(loaded.customers, later.customers, value=value, cuts=cuts, names=names,
                              scheme=args.scheme, lang=lang, weights=weights,
                              periods={"before": {"file": str(args.input)}, "after": {"file": str(args.later)}})
    summ = m.summary(near_pct=args.near)
    if args.out:
        out = Path(args.out)
        if out.suffix.lower() not in (".csv", ".xlsx", ".parquet"):
            raise InputError("cli.bad_out", path=args.out)
        write_table(moves_frame(m), out)
    if args.summary:
        text = json.dumps(summ, ensure_ascii=False, indent=2, default=str)
        if args.summary == "-":
            print(text)
        else:
            Path(args.summary).write_text(text + "\n", encoding="utf-8")
    if args.summary != "-":
        print(human_summary(summ, lang))
    return base.EXIT_OK


def _width(text: str) -> int:
    """Terminal columns of ``text``: wide (CJK) characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    fill = " " * max(width - _width(text), 0)
    return fill + text if right else text + fill


def human_summary(s: dict, lang: str) -> str:
    """The transition matrix as plain text, with the move counts."""
    labels = [*s["names"], t("migration.inactive", lang)]
    width = max(_width(x) for x in labels) + 2
    lines = [t("migration.cli.header", lang), " " * width + "".join(_pad(x, width, True) for x in labels)]
    for name, row in zip(labels, s["matrix"]):
        lines.append(_pad(name, width) + "".join(_pad(f"{v:,}", width, True) for v in row))
    lines.append(t("migration.cli.counts", lang, customers=f"{s['customers']:,}", up=f"{s['upgraded']:,}",
                   down=f"{s['downgraded']:,}", new=f"{s['new']:,}", lost=f"{s['lost']:,}",
                   candidates=f"{s['upgrade_candidates']:,}"))
    return "\n".join(lines)
