"""Command line: ``python -m tierlib grade INPUT [options]``.

Exit codes: 0 success; 2 bad input or bad options (one line on stderr, no traceback).
Set ``TIERLIB_DEBUG=1`` to see tracebacks of unexpected errors.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from pathlib import Path

import pandas as pd

from tierlib import i18n, pipeline, tiers
from tierlib.export import to_csv_bytes, write_table
from tierlib.i18n import t
from tierlib.io import InputError
from tierlib.schema import MONEY_SCALE

EXIT_OK, EXIT_INPUT = 0, 2
#: Subcommands beside ``grade``: (module, function adding its parser, function running it).
#: A command line names its subcommand first, so only that module is imported (cli_clv pulls in
#: scipy: half a second of every ``grade`` run otherwise).
SUBCOMMANDS = (
    ("segments", "tierlib.cli_segments", "add_segments_parser", "cmd_segments"),
    ("migrate", "tierlib.cli_migration", "add_migrate_parser", "cmd_migrate"),
    ("clv", "tierlib.cli_clv", "add_clv_parser", "cmd_clv"),
    ("report", "tierlib.cli_report", "add_report_parser", "cmd_report"),
)
DEFAULT_CUTS = {"pyramid": ["1", "5", "20"], "value-share": ["70", "90"], "quantile": ["4"], "thresholds": None}


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2, like every other bad-input case
        self.exit(EXIT_INPUT, f"{self.prog}: {message}\n")


def _split_list(text: str) -> list[str]:
    return [p.strip() for p in text.replace("，", ",").split(",") if p.strip()]


def _margin(text: str) -> float:
    text = text.strip()
    try:
        return float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a rate: {text!r}") from None


def _weights(text: str | None) -> dict | None:
    if not text:
        return None
    out = {}
    for item in _split_list(text):
        key, _, val = item.partition("=")
        try:
            if key.strip() not in tiers.DEFAULT_SCORE_WEIGHTS:
                raise ValueError(key)
            out[key.strip()] = float(val)
        except ValueError:
            raise InputError("cli.bad_weights", item=item) from None
    return out


def _mapping(items: list[str] | None) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for item in items or []:
        if "=" not in item:
            raise InputError("cli.bad_map", item=item)
        fld, col = item.split("=", 1)
        out[fld.strip()] = col.strip() or None
    return out


def add_reading_options(p: argparse.ArgumentParser) -> None:
    """Options every subcommand shares: which sheet, which columns."""
    p.add_argument("input", help="CSV/TSV/TXT, XLSX/XLS or Parquet file")
    p.add_argument("--sheet", help="Excel sheet name (default: the first sheet with data)")
    p.add_argument("--map", action="append", metavar="FIELD=COLUMN",
                   help="map a canonical field to a column, e.g. --map customer_id=客户编号 (repeatable); "
                        "FIELD= unmaps the field")
    p.add_argument("--margin", type=_margin, help="margin rate to estimate profit from revenue, e.g. 0.25 or 25%%")
    p.add_argument("--lang", choices=i18n.LANGS, default=os.environ.get("TIERLIB_LANG", "en"),
                   help="language of messages and default tier names (default: en)")


def add_grading_options(p: argparse.ArgumentParser) -> None:
    """Options that choose the tiering: value, scheme, cuts, names, score weights."""
    p.add_argument("--value", choices=tiers.VALUES,
                   help="tiering value (default: profit when the data give it, else revenue)")
    p.add_argument("--scheme", choices=tiers.SCHEMES, default="pyramid",
                   help="pyramid: cuts are cumulative %% of customers; value-share: cumulative %% of value (ABC); "
                        "thresholds: absolute values, descending; quantile: --cuts N gives N equal-count tiers")
    p.add_argument("--cuts", help="boundaries of the scheme (default 1,5,20 for pyramid, 70,90 for value-share, "
                                  "4 for quantile; required for thresholds)")
    p.add_argument("--names", help="tier names, top tier first, comma separated")
    p.add_argument("--weights", help="weights of the score value: recency=1,frequency=1,revenue=1,profit=1")


def grading_from_args(args, loaded: pipeline.Loaded) -> tiers.Grading:
    """Grade a loaded data set with the options of ``add_grading_options``."""
    value = args.value or loaded.default_value()
    if value not in loaded.available_values():
        raise InputError(f"tiers.no_{value}")
    cuts = _split_list(args.cuts) if args.cuts else DEFAULT_CUTS.get(args.scheme)
    if not cuts:
        raise InputError("cli.cuts_required", scheme=args.scheme)
    names = _split_list(args.names) if args.names else None
    customers = loaded.customers_with_clv() if value == "clv" else loaded.customers
    return tiers.grade(customers, value=value, cuts=cuts, names=names, lang=args.lang, scheme=args.scheme,
                       weights=_weights(args.weights))


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser: every subcommand, or only ``grade`` and ``command`` when it names one
    (``main`` passes the first word of the command line)."""
    parser = _Parser(prog="python -m tierlib", description="Customer Pyramid: grade customers into value tiers.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    g = sub.add_parser("grade", help="grade the customers of a file into tiers")
    add_reading_options(g)
    add_grading_options(g)
    g.add_argument("--out", help="graded customers to FILE.csv, FILE.xlsx or FILE.parquet")
    g.add_argument("--summary", metavar="FILE|-", help="write the JSON summary to FILE, or - for stdout")
    g.add_argument("--rejected", metavar="FILE", help="write the rejected rows (line, reason, ...) to a CSV file")
    g.set_defaults(func=cmd_grade)
    known = {"grade"} | {name for name, *_ in SUBCOMMANDS}
    for name, module_name, add_name, cmd_name in SUBCOMMANDS:
        if command in known and command != name:
            continue
        module = importlib.import_module(module_name)
        sp = getattr(module, add_name)(sub)
        sp.set_defaults(func=getattr(module, cmd_name))
    return parser


def graded_frame(loaded: pipeline.Loaded, grading: tiers.Grading) -> pd.DataFrame:
    """The graded customer list with money as amounts, in a stable column order."""
    df = grading.graded()
    money = ["revenue", "cost", "profit"] + (["value"] if grading.value in tiers.MONEY_VALUES else [])
    for col in money:
        df[col] = (df[col].astype("Float64") / MONEY_SCALE).round(2)
    cols = ["rank", "tier", "tier_name", "customer_id", "customer_name", "value", "revenue", "cost", "profit",
            "orders", "lines", "quantity", "first_order", "last_order", "cum_customer_share", "cum_value_share",
            "region", "industry", "channel", "salesperson", "product"]
    keep = [c for c in cols if c in df and not df[c].isna().all()]
    return df[list(dict.fromkeys(keep))]


def cmd_grade(args) -> int:
    lang = args.lang
    loaded = pipeline.load(args.input, sheet=args.sheet, overrides=_mapping(args.map), margin=args.margin)
    grading = grading_from_args(args, loaded)
    summ = pipeline.summary(loaded, grading)
    if args.out:
        out = Path(args.out)
        if out.suffix.lower() not in (".csv", ".xlsx", ".parquet"):
            raise InputError("cli.bad_out", path=args.out)
        write_table(graded_frame(loaded, grading), out)
    if args.rejected:
        Path(args.rejected).write_bytes(to_csv_bytes(loaded.prepared.rejected))
    if args.summary:
        text = summary_json(summ)
        if args.summary == "-":
            print(text)
        else:
            Path(args.summary).write_text(text + "\n", encoding="utf-8")
    if args.summary != "-":
        print(human_summary(summ, lang))
    return EXIT_OK


def summary_json(summ: dict) -> str:
    """The summary as indented JSON with the (possibly very long) ``rejected`` list last, one row a
    line: the same JSON value as ``json.dumps(summ, indent=2)``, written by the C encoder (the
    indenting encoder is pure Python: ~1 s for 60,000 rejected rows)."""
    rejected = summ.get("rejected")
    if not isinstance(rejected, list) or not rejected:
        return json.dumps(summ, ensure_ascii=False, indent=2, default=str)
    head = {k: v for k, v in summ.items() if k != "rejected"}
    head["rejected"] = []
    text = json.dumps(head, ensure_ascii=False, indent=2, default=str)
    stem, tail = text.rsplit('"rejected": []', 1)
    rows = ",\n    ".join(json.dumps(r, ensure_ascii=False, default=str) for r in rejected)
    return f'{stem}"rejected": [\n    {rows}\n  ]{tail}'


def human_summary(s: dict, lang: str) -> str:
    """A short plain-text summary for the terminal."""
    lines = [t("cli.rows", lang, read=s["rows_read"], used=s["rows_used"], rejected=s["rows_rejected"]),
             t("cli.customers", lang, customers=s["customers"], value=t(f"value.{s['value']}", lang))]
    measure = "profit" if s["totals"]["profit"] is not None else "revenue"
    for row in s["tiers"]:
        amount = "-" if row[measure] is None else f"{row[measure]:,.2f}"
        share = "-" if row[f"{measure}_share"] is None else f"{row[f'{measure}_share']:.1%}"
        lines.append(f"  {row['name']}: {row['customers']:,} ({row['customer_share']:.1%}) · "
                     f"{t('col.' + measure, lang)} {amount} ({share})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(argv[0] if argv else None)
    args = parser.parse_args(argv)
    lang = getattr(args, "lang", "en")
    try:
        return int(args.func(args))
    except InputError as exc:
        print(f"error: {i18n.error_message(exc.code, exc.params, lang)}", file=sys.stderr)
        return EXIT_INPUT
    except Exception as exc:  # noqa: BLE001 - never a traceback for a user; TIERLIB_DEBUG shows it
        if os.environ.get("TIERLIB_DEBUG"):
            raise
        print(f"error: {t('err.unexpected', lang, detail=f'{type(exc).__name__}: {exc}')}", file=sys.stderr)
        return EXIT_INPUT
