#!/usr/bin/env python3
"""Generate the demo satisfaction surveys shipped in ``sample_data/surveys/``.

Usage::

    python sample_data/surveys/make_surveys.py [OUTPUT_DIR]

Without ``OUTPUT_DIR`` the files are written next to this script. The surveys answer for the
customers of the two transaction samples one folder up, so the script reads
``../workwear_orders.xlsx`` and ``../online_shop_transactions.csv`` to rank their customers by
profit (the textbook pyramid: top 1% VIP, next 4% major, next 15% ordinary, the rest small). Bigger
customers answer more often, and each tier has its own view of what matters, so the analysis per
tier has something to find.

The output is fully determined by ``SEED``: each survey draws from its own stream
``numpy.random.default_rng([SEED, k])``. CSV files are byte-identical on a rerun; the xlsx has
identical cells and a pinned creation date.

Files written:

* ``workwear_survey_long.csv``  - long form (one row per respondent and attribute), 1-7 scale,
  importance, satisfaction, expected and perceived value; UTF-8 with BOM; Chinese headers
* ``workwear_survey_wide.xlsx`` - wide form (``交货及时_重要性``, ``交货及时_满意度``, ...), 1-5
  scale, with a title row and a note row above the headers
* ``online_shop_survey_wide.csv`` - English wide form (``On-time delivery - importance``, ...),
  1-10 scale, with expected and perceived value; UTF-8
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import sys
from pathlib import Path

import numpy as np

SEED = 20250601
HERE = Path(__file__).resolve().parent
WORKWEAR_ORDERS = HERE.parent / "workwear_orders.xlsx"
ONLINE_ORDERS = HERE.parent / "online_shop_transactions.csv"

LONG_FILE = "workwear_survey_long.csv"
WIDE_FILE = "workwear_survey_wide.xlsx"
ONLINE_FILE = "online_shop_survey_wide.csv"
XLSX_CREATED = dt.datetime(2025, 6, 1, 10, 0, 0)
WIDE_TITLE = "华东职业装有限公司 客户满意度调查（2024 年度）"
WIDE_NOTE = "评分说明：1 = 非常不重要 / 非常不满意，5 = 非常重要 / 非常满意；空白 = 未作答"

TIERS = ("vip", "major", "ordinary", "small")
CUTS = (0.01, 0.05, 0.20)

# Latent levels in 0..1 per textbook tier (VIP, major, ordinary, small): (importance, satisfaction).
# Read: VIPs care most about on-time delivery, after-sales response and on-site measuring and are
# least happy with them; small customers care about price.
WORKWEAR_ATTRS = {
    "交货及时": ((.92, .88, .80, .70), (.50, .58, .66, .70)),
    "面料质量": ((.85, .84, .80, .72), (.82, .80, .78, .74)),
    "版型合身": ((.80, .78, .74, .66), (.72, .72, .70, .68)),
    "售后响应": ((.88, .82, .70, .58), (.48, .55, .62, .66)),
    "价格": ((.55, .65, .78, .90), (.68, .62, .55, .46)),
    "量体服务": ((.78, .70, .58, .45), (.60, .64, .68, .70)),
    "款式设计": ((.50, .52, .55, .55), (.80, .78, .76, .74)),
    "包装分发": ((.45, .45, .42, .40), (.55, .57, .60, .60)),
    "订单沟通": ((.75, .70, .62, .55), (.70, .68, .64, .62)),
    "发票对账": ((.40, .42, .45, .45), (.78, .76, .74, .72)),
}
WORKWEAR_RESPONSE = (0.80, 0.60, 0.35, 0.12)

ONLINE_ATTRS = {
    "On-time delivery": ((.85, .82, .80, .75), (.70, .72, .74, .75)),
    "Product quality": ((.88, .85, .80, .75), (.80, .78, .76, .74)),
    "Price": ((.55, .62, .72, .85), (.66, .62, .58, .52)),
    "Website ease of use": ((.60, .60, .62, .65), (.82, .80, .78, .78)),
    "Returns process": ((.80, .72, .62, .55), (.50, .56, .62, .66)),
    "Customer service": ((.82, .74, .64, .55), (.55, .60, .66, .70)),
    "Packaging": ((.40, .42, .45, .45), (.60, .62, .64, .64)),
    "Product range": ((.62, .60, .58, .55), (.74, .72, .70, .70)),
}
ONLINE_RESPONSE = (0.30, 0.15, 0.06, 0.02)


# ---------------------------------------------------------------------------
# Customers of the transaction samples, ranked by profit

def _cents(text: str) -> int:
    neg = text.startswith("-")
    whole, _, frac = text.lstrip("-").partition(".")
    v = int(whole) * 100 + int((frac + "00")[:2])
    return -v if neg else v


def workwear_customers() -> list[tuple[str, str, int]]:
    """(customer id, name, profit in cents) of the workwear sample, in id order."""
    import openpyxl

    wb = openpyxl.load_workbook(WORKWEAR_ORDERS, read_only=True, data_only=True)
    ws = wb["订单明细"]
    rows = ws.iter_rows(min_row=3, values_only=True)
    header = list(next(rows))
    i_id, i_name, i_profit = header.index("客户编号"), header.index("客户名称"), header.index("利润")
    profit: dict[str, int] = {}
    names: dict[str, str] = {}
    for r in rows:
        if r[i_id] is None:
            continue
        cid = str(r[i_id])
        profit[cid] = profit.get(cid, 0) + round(float(r[i_profit]) * 100)
        names[cid] = str(r[i_name])
    wb.close()
    return [(c, names[c], profit[c]) for c in sorted(profit)]


def online_customers() -> list[tuple[str, str, int]]:
    """(customer id, name, profit in cents) of the online-shop sample, in id order."""
    profit: dict[str, int] = {}
    names: dict[str, str] = {}
    with open(ONLINE_ORDERS, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            cid = row["CustomerID"]
            profit[cid] = profit.get(cid, 0) + _cents(row["Profit"])
            names[cid] = row["CustomerName"]
    return [(c, names[c], profit[c]) for c in sorted(profit, key=int)]


def tier_of(customers: list[tuple[str, str, int]]) -> dict[str, int]:
    """Textbook tier index (0 = VIP .. 3 = small) by profit rank (ties: id order)."""
    order = sorted(range(len(customers)), key=lambda i: (-customers[i][2], i))
    n = len(customers)
    bounds = [int(np.floor(n * c + 0.5)) for c in CUTS]
    out = {}
    for rank, i in enumerate(order):
        out[customers[i][0]] = int(np.searchsorted(bounds, rank, side="right"))
    return out


# ---------------------------------------------------------------------------
# Answers

def pick_respondents(rng, customers, tiers, response) -> list[str]:
    ids = [c[0] for c in customers]
    p = [response[tiers[c]] for c in ids]
    chosen = [c for c, u, pc in zip(ids, rng.random(len(ids)), p) if u < pc]
    return [chosen[i] for i in rng.permutation(len(chosen))]


def rate(rng, latent, scale: int) -> int:
    """A latent level in 0..1 (plus noise already added) as an integer rating 1..scale."""
    v = 1 + (scale - 1) * latent
    return int(min(scale, max(1, round(v))))


def answers(rng, attrs: dict, tier: int, scale: int, with_index: bool, skip: float) -> list[dict]:
    """One respondent's answers: {attribute, importance, satisfaction[, expected, perceived]}."""
    gen_imp = rng.normal(0, 0.05)  # how generous this respondent is with "important"
    gen_sat = rng.normal(0, 0.07)  # ... and with "satisfied"
    out = []
    for name, (imp, sat) in attrs.items():
        li = imp[tier] + gen_imp + rng.normal(0, 0.11)
        ls = sat[tier] + gen_sat + rng.normal(0, 0.12)
        row = {"attribute": name,
               "importance": None if rng.random() < skip else rate(rng, li, scale),
               "satisfaction": None if rng.random() < skip else rate(rng, ls, scale)}
        if with_index:
            le = 0.30 + 0.60 * imp[tier] + gen_imp + rng.normal(0, 0.08)
            lp = le + 0.70 * (sat[tier] - imp[tier]) + gen_sat + rng.normal(0, 0.08)
            row["expected"] = None if rng.random() < skip else rate(rng, le, scale)
            row["perceived"] = None if rng.random() < skip else rate(rng, lp, scale)
        out.append(row)
    return out


def _cell(v) -> str:
    return "" if v is None else str(v)


def make_long(rng) -> tuple[list[list[str]], dict]:
    customers = workwear_customers()
    tiers = tier_of(customers)
    resp = pick_respondents(rng, customers, tiers, WORKWEAR_RESPONSE)
    # A few answers come without a customer id, and a few from prospects not in the order data.
    entries = [(cid, tiers[cid]) for cid in resp]
    entries += [("", 3)] * 8 + [(f"C0{2100 + i}", 3) for i in range(4)]
    order = rng.permutation(len(entries))
    rows = []
    for k, j in enumerate(order, start=1):
        cid, tier = entries[j]
        for a in answers(rng, WORKWEAR_ATTRS, tier, 7, True, 0.02):
            rows.append([f"Q{k:04d}", cid, a["attribute"], _cell(a["importance"]), _cell(a["satisfaction"]),
                         _cell(a["expected"]), _cell(a["perceived"])])
    stats = {"respondents": len(entries), "rows": len(rows),
             "by_tier": [sum(1 for c, t in entries if c and t == i and c in tiers) for i in range(4)]}
    return rows, stats


def make_wide(rng) -> tuple[list[list], list[str], dict]:
    customers = workwear_customers()
    names = {c: n for c, n, _ in customers}
    tiers = tier_of(customers)
    resp = pick_respondents(rng, customers, tiers, WORKWEAR_RESPONSE)
    header = ["问卷编号", "客户编号", "客户名称"]
    for a in WORKWEAR_ATTRS:
        header += [f"{a}_重要性", f"{a}_满意度"]
    rows = []
    for k, cid in enumerate(resp, start=1):
        row = [f"W{k:04d}", cid, names[cid]]
        for a in answers(rng, WORKWEAR_ATTRS, tiers[cid], 5, False, 0.02):
            row += [a["importance"], a["satisfaction"]]
        rows.append(row)
    stats = {"respondents": len(rows), "by_tier": [sum(1 for c in resp if tiers[c] == i) for i in range(4)]}
    return rows, header, stats


def make_online(rng) -> tuple[list[list[str]], list[str], dict]:
    customers = online_customers()
    tiers = tier_of(customers)
    resp = pick_respondents(rng, customers, tiers, ONLINE_RESPONSE)
    header = ["Response ID", "Customer ID"]
    for a in ONLINE_ATTRS:
        header += [f"{a} - importance", f"{a} - satisfaction", f"{a} - expected", f"{a} - perceived"]
    rows = []
    for k, cid in enumerate(resp, start=1):
        row = [f"R{k:04d}", cid]
        for a in answers(rng, ONLINE_ATTRS, tiers[cid], 10, True, 0.03):
            row += [_cell(a["importance"]), _cell(a["satisfaction"]), _cell(a["expected"]), _cell(a["perceived"])]
        rows.append(row)
    stats = {"respondents": len(rows), "by_tier": [sum(1 for c in resp if tiers[c] == i) for i in range(4)]}
    return rows, header, stats


# ---------------------------------------------------------------------------
# Writers

def write_csv(path: Path, header: list[str], rows: list[list[str]], bom: bool) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    data = buf.getvalue().encode("utf-8")
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)


def write_wide_xlsx(path: Path, header: list[str], rows: list[list]) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"title": WIDE_TITLE, "author": "华东职业装有限公司",
                       "comments": "Synthetic demo survey generated by sample_data/surveys/make_surveys.py",
                       "created": XLSX_CREATED})
    ws = wb.add_worksheet("满意度调查")
    title_fmt = wb.add_format({"bold": True, "font_size": 14})
    note_fmt = wb.add_format({"font_color": "#666666"})
    head_fmt = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    ws.write_string(0, 0, WIDE_TITLE, title_fmt)
    ws.write_string(1, 0, WIDE_NOTE, note_fmt)
    ws.write_row(2, 0, header, head_fmt)
    ws.set_column(0, 1, 10)
    ws.set_column(2, 2, 28)
    ws.set_column(3, len(header) - 1, 11)
    for r, row in enumerate(rows, start=3):
        ws.write_string(r, 0, row[0])
        ws.write_string(r, 1, row[1])
        ws.write_string(r, 2, row[2])
        for j, v in enumerate(row[3:], start=3):
            if v is not None:
                ws.write_number(r, j, v)
    ws.freeze_panes(3, 3)
    wb.close()


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else HERE
    out.mkdir(parents=True, exist_ok=True)

    rows, stats = make_long(np.random.default_rng([SEED, 1]))
    write_csv(out / LONG_FILE, ["问卷编号", "客户编号", "评价项目", "重要性", "满意度", "期望值", "感受值"], rows,
              bom=True)
    print(f"{LONG_FILE}: {stats}")

    rows, header, stats = make_wide(np.random.default_rng([SEED, 2]))
    write_wide_xlsx(out / WIDE_FILE, header, rows)
    print(f"{WIDE_FILE}: {stats}")

    rows, header, stats = make_online(np.random.default_rng([SEED, 3]))
    write_csv(out / ONLINE_FILE, header, rows, bom=False)
    print(f"{ONLINE_FILE}: {stats}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
