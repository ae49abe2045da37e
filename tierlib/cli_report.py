"""``python -m tierlib report INPUT [grade options] [--lang zh|en] --out FILE.html|FILE.xlsx``.

Grades the customers of INPUT exactly as ``grade`` does (same options, same defaults) and writes
the report of ``tierlib.report``: a self-contained HTML file (works offline, printable to PDF)
or an Excel workbook, chosen by the extension of ``--out``. Parts of the report that the data
cannot support are listed on stdout. Bad input: ``InputError`` (exit 2, one line, handled by
``tierlib.cli.main``).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from tierlib import pipeline, report, tiers
from tierlib.cli import EXIT_OK, _mapping, _weights, add_grading_options, add_reading_options, grading_from_args
from tierlib.engine import Engine
from tierlib.i18n import t
from tierlib.io import InputError

OUT_SUFFIXES = (".html", ".htm", ".xlsx")


def add_report_parser(sub) -> argparse.ArgumentParser:
    """Register the ``report`` subcommand on ``sub`` (the result of ``add_subparsers``)."""
    p = sub.add_parser("report", help="write a report of the tiering: self-contained HTML or an Excel workbook")
    add_reading_options(p)
    add_grading_options(p)
    p.add_argument("--out", required=True, metavar="FILE.html|FILE.xlsx",
                   help="the report: .html (offline, interactive charts, printable) or .xlsx (workbook)")
    return p


def grade_from_args(args, loaded: pipeline.Loaded) -> tiers.Grading:
    """The grading the ``grade`` options ask for (the same rules as ``python -m tierlib grade``)."""
    return grading_from_args(args, loaded)


def cmd_report(args) -> int:
    """Load, grade, build the report and write it to ``args.out``."""
    lang = args.lang
    out = Path(args.out)
    if out.suffix.lower() not in OUT_SUFFIXES:
        raise InputError("report.bad_out", path=args.out)
    engine = Engine()
    try:
        loaded = pipeline.load(args.input, sheet=args.sheet, overrides=_mapping(args.map), margin=args.margin,
                               engine=engine)
        grading = grade_from_args(args, loaded)
        extras = {"source": Path(args.input).name}
        if grading.value == "score":
            extras["weights"] = _weights(args.weights)
        rep = report.build_report(loaded, grading, lang, engine=engine, extras=extras)
        report.write(rep, out)
    finally:
        engine.close()
    print(t("report.cli.written", lang, path=str(out), sections=len(rep.available)))
    for sec in rep.unavailable:
        print(t("report.cli.missing", lang, title=sec.title, note=sec.note))
    return EXIT_OK
