#!/usr/bin/env python3
"""Generate the demo data sets shipped in ``sample_data/``.

Usage::

    python sample_data/make_samples.py [OUTPUT_DIR]

Without ``OUTPUT_DIR`` the files are written next to this script. The output is
fully determined by ``SEED``: every data set draws from its own
``numpy.random.default_rng([SEED, k])`` stream, so rerunning the script gives
byte-identical CSV files and an xlsx with identical cell values (the xlsx
creation date is pinned too, so in practice it is byte-identical as well).

Files written:

* ``workwear_orders.xlsx``          - B2B workwear maker, order lines (Chinese headers)
* ``online_shop_transactions.csv``  - online retailer, transaction lines with returns
* ``customers_summary.csv``         - customer-level summary sheet, GBK encoded

All money is computed in integer cents, so ``profit == revenue - cost`` holds to
the cent on every row. See ``sample_data/README.md`` for the column reference.
"""

from __future__ import annotations

import csv
import datetime as dt
import sys
from pathlib import Path

import numpy as np

SEED = 20250106

WORKWEAR_FILE = "workwear_orders.xlsx"
ONLINE_FILE = "online_shop_transactions.csv"
SUMMARY_FILE = "customers_summary.csv"


# ---------------------------------------------------------------------------
# Shared helpers
# ---------------------------------------------------------------------------

def day_calendar(start: str, end: str, month_w, weekday_w):
    """Days from start to end (inclusive) and the cumulative sampling weight.

    month_w has 12 weights (Jan..Dec), weekday_w has 7 weights (Mon..Sun).
    """
    days = np.arange(np.datetime64(start), np.datetime64(end) + 1)
    month = days.astype("datetime64[M]").astype(np.int64) % 12
    weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
    w = np.asarray(month_w, float)[month] * np.asarray(weekday_w, float)[weekday]
    return days, np.cumsum(w)


def sample_days(rng, cum, lo, hi):
    """Draw one day index per (lo, hi) pair (inclusive), following the weights."""
    lo = np.asarray(lo, np.int64)
    hi = np.asarray(hi, np.int64)
    base = np.where(lo > 0, cum[np.maximum(lo - 1, 0)], 0.0)
    top = cum[hi]
    u = base + rng.random(len(lo)) * (top - base)
    idx = np.searchsorted(cum, u, side="right")
    return np.clip(idx, lo, hi)


def cents_str(values) -> list[str]:
    """Integer cents -> '1234.50' / '-0.99' strings (exact, no float rounding)."""
    out = []
    for v in np.asarray(values, np.int64).tolist():
        sign = "-" if v < 0 else ""
        a = -v if v < 0 else v
        out.append(f"{sign}{a // 100}.{a % 100:02d}")
    return out


def top_share(values, frac: float) -> float:
    """Share of the total held by the top `frac` of entries (ranked by value)."""
    v = np.sort(np.asarray(values, float))[::-1]
    k = max(1, int(round(len(v) * frac)))
    return float(v[:k].sum() / v.sum())


# ---------------------------------------------------------------------------
# Chinese company names
# ---------------------------------------------------------------------------

# (city, province, region)
CITIES = [
    ("上海", "上海", "华东"), ("杭州", "浙江", "华东"), ("南京", "江苏", "华东"),
    ("苏州", "江苏", "华东"), ("宁波", "浙江", "华东"), ("无锡", "江苏", "华东"),
    ("合肥", "安徽", "华东"), ("济南", "山东", "华东"), ("青岛", "山东", "华东"),
    ("福州", "福建", "华东"), ("厦门", "福建", "华东"), ("温州", "浙江", "华东"),
    ("广州", "广东", "华南"), ("深圳", "广东", "华南"), ("东莞", "广东", "华南"),
    ("佛山", "广东", "华南"), ("南宁", "广西", "华南"), ("海口", "海南", "华南"),
    ("北京", "北京", "华北"), ("天津", "天津", "华北"), ("石家庄", "河北", "华北"),
    ("太原", "山西", "华北"), ("呼和浩特", "内蒙古", "华北"), ("唐山", "河北", "华北"),
    ("武汉", "湖北", "华中"), ("长沙", "湖南", "华中"), ("郑州", "河南", "华中"),
    ("南昌", "江西", "华中"), ("宜昌", "湖北", "华中"), ("洛阳", "河南", "华中"),
    ("成都", "四川", "西南"), ("重庆", "重庆", "西南"), ("昆明", "云南", "西南"),
    ("贵阳", "贵州", "西南"), ("绵阳", "四川", "西南"),
    ("西安", "陕西", "西北"), ("兰州", "甘肃", "西北"), ("银川", "宁夏", "西北"),
    ("乌鲁木齐", "新疆", "西北"), ("西宁", "青海", "西北"),
    ("沈阳", "辽宁", "东北"), ("大连", "辽宁", "东北"), ("长春", "吉林", "东北"),
    ("哈尔滨", "黑龙江", "东北"), ("吉林", "吉林", "东北"),
]

# Two-character trade names (字号) are built from these characters.
ZIHAO_FIRST = list("恒华金鼎瑞宏永盛中天锦明新东德嘉泰富长安信海龙祥兴隆和丰康景")
ZIHAO_SECOND = list("通信盛泰丰达安和元江珠城方润禾康源辉业远晟宇利邦诚悦航瑞程")

INDUSTRY_SUFFIXES = {
    "银行": ["村镇银行", "农商银行{z}支行", "商业银行{z}支行", "银行{z}分理处"],
    "酒店": ["大酒店", "酒店管理有限公司", "国际酒店", "宾馆有限公司"],
    "医院": ["医院", "中医院", "口腔医院", "妇产医院", "康复医院"],
    "物业": ["物业管理有限公司", "物业服务有限公司", "物业发展有限公司"],
    "学校": ["实验学校", "外国语学校", "中学", "职业技术学院", "小学"],
    "航空": ["航空服务有限公司", "航空地勤服务有限公司", "通用航空有限公司"],
    "制造": ["机械制造有限公司", "电子科技有限公司", "精密制造有限公司",
             "汽车零部件有限公司", "化工有限公司", "新材料有限公司"],
    "餐饮": ["餐饮管理有限公司", "餐饮连锁有限公司", "酒楼", "食品有限公司"],
    "零售": ["商贸有限公司", "百货有限公司", "超市连锁有限公司", "购物中心"],
}
GOV_DISTRICTS = ["高新区", "经开区", "新区", "滨江区", "城东区", "城西区", "城南区",
                 "城北区", "开发区", "港区"]
GOV_BUREAUS = ["政务服务中心", "税务局", "市场监督管理局", "城市管理局", "公安分局",
               "交通运输局", "人力资源和社会保障局", "行政服务中心", "街道办事处",
               "应急管理局", "自然资源局", "住房和城乡建设局"]
CN_NUMERALS = list("一二三四五六七八九")


def company_name(rng, city: str, industry: str) -> str:
    """One candidate company name; the caller retries until it is unique."""
    if industry == "政府机关":
        return f"{city}市{GOV_DISTRICTS[rng.integers(len(GOV_DISTRICTS))]}" \
               f"{GOV_BUREAUS[rng.integers(len(GOV_BUREAUS))]}"
    if industry == "医院" and rng.random() < 0.3:
        return f"{city}市第{CN_NUMERALS[rng.integers(len(CN_NUMERALS))]}人民医院"
    a = ZIHAO_FIRST[rng.integers(len(ZIHAO_FIRST))]
    b = ZIHAO_SECOND[rng.integers(len(ZIHAO_SECOND))]
    while b == a:
        b = ZIHAO_SECOND[rng.integers(len(ZIHAO_SECOND))]
    z = a + b
    suffixes = INDUSTRY_SUFFIXES[industry]
    s = suffixes[rng.integers(len(suffixes))]
    if "{z}" in s:
        return city + s.format(z=z)
    return city + z + s


def unique_company_names(rng, cities, industries) -> list[str]:
    used: set[str] = set()
    names = []
    for city, ind in zip(cities, industries):
        for _ in range(1000):
            name = company_name(rng, city, ind)
            if name not in used:
                break
        else:  # pragma: no cover - the name space is far larger than needed
            raise RuntimeError(f"could not find a unique name for {city}/{ind}")
        used.add(name)
        names.append(name)
    return names


def pick_cities(rng, regions, region_of_city_idx):
    """Pick a city per customer within its region (the first city is the largest)."""
    out = []
    for reg in regions:
        idx = region_of_city_idx[reg]
        w = np.array([2.0] + [1.0] * (len(idx) - 1))
        out.append(CITIES[idx[rng.choice(len(idx), p=w / w.sum())]][0])
    return out


def cities_by_region():
    d: dict[str, list[int]] = {}
    for i, (_c, _p, reg) in enumerate(CITIES):
        d.setdefault(reg, []).append(i)
    return d


# ---------------------------------------------------------------------------
# (a) Workwear maker, B2B order lines -> xlsx
# ---------------------------------------------------------------------------

WW_HEADERS = ["订单号", "下单日期", "客户编号", "客户名称", "所属行业", "区域", "销售员",
              "产品类别", "数量", "销售金额", "成本", "利润"]
WW_TITLE = "华东职业装有限公司 2022-2024 年订单明细"
WW_NOTE = "导出时间: 2025-01-06 09:30  单位: 元"
WW_CREATED = dt.datetime(2025, 1, 6, 9, 30, 0)
WW_N_CUSTOMERS = 2000

WW_REGIONS = ["华东", "华南", "华北", "华中", "西南", "西北", "东北"]
WW_REGION_W = [0.38, 0.16, 0.14, 0.11, 0.09, 0.06, 0.06]
WW_INDUSTRIES = ["银行", "酒店", "医院", "物业", "学校", "航空", "制造", "政府机关", "餐饮", "零售"]
WW_INDUSTRY_W = [0.10, 0.12, 0.10, 0.14, 0.12, 0.03, 0.17, 0.07, 0.09, 0.06]
# Typical account size by industry (multiplies the customer's size draw).
WW_INDUSTRY_SIZE = [2.0, 1.0, 1.3, 0.8, 1.0, 3.0, 1.2, 1.5, 0.5, 0.7]
WW_SALES = {
    "华东": ["张伟", "王芳", "李娜", "陈静"],
    "华南": ["刘洋", "黄丽"],
    "华北": ["赵磊", "孙悦"],
    "华中": ["吴敏"],
    "西南": ["杨帆"],
    "西北": ["徐强"],
    "东北": ["朱琳"],
}
WW_CATEGORIES = ["西装套装", "衬衫", "工装裤", "防护服", "厨师服", "校服", "制服外套", "配饰"]
WW_PRICE_RANGE = [(450, 1500), (80, 260), (90, 220), (60, 400), (70, 180), (90, 300),
                  (200, 800), (18, 120)]
WW_CATEGORY_MARGIN_ADJ = [0.03, 0.0, -0.02, -0.03, 0.0, -0.02, 0.01, 0.10]
# Category affinity per industry (rows follow WW_INDUSTRIES, columns WW_CATEGORIES).
WW_AFFINITY = np.array([
    # 西装 衬衫 工装裤 防护 厨师 校服 外套 配饰
    [5, 4, 0, 0, 0, 0, 2, 3],   # 银行
    [2, 3, 0, 0, 3, 0, 4, 2],   # 酒店
    [0, 2, 0, 5, 0, 0, 3, 1],   # 医院
    [0, 2, 3, 1, 0, 0, 4, 1],   # 物业
    [1, 1, 0, 0, 0, 6, 2, 2],   # 学校
    [4, 3, 0, 0, 0, 0, 4, 3],   # 航空
    [0, 1, 5, 4, 0, 0, 3, 1],   # 制造
    [4, 4, 0, 0, 0, 0, 3, 1],   # 政府机关
    [0, 2, 1, 0, 6, 0, 1, 2],   # 餐饮
    [1, 4, 2, 0, 0, 0, 3, 3],   # 零售
], float)
WW_MONTH_W = [0.8, 0.5, 1.2, 1.2, 1.0, 0.9, 1.0, 1.3, 1.3, 1.1, 1.2, 1.0]
WW_WEEKDAY_W = [1, 1, 1, 1, 1, 0.12, 0.03]


def make_workwear(rng):
    """Return (rows, stats) for the workwear order lines."""
    n = WW_N_CUSTOMERS
    days, cum = day_calendar("2022-01-01", "2024-12-31", WW_MONTH_W, WW_WEEKDAY_W)
    last = len(days) - 1
    d0 = np.datetime64("2022-01-01")

    def di(s):  # day index of a date string
        return int((np.datetime64(s) - d0).astype(np.int64))

    region = rng.choice(len(WW_REGIONS), size=n, p=WW_REGION_W)
    industry = rng.choice(len(WW_INDUSTRIES), size=n, p=WW_INDUSTRY_W)
    regions = [WW_REGIONS[r] for r in region]
    industries = [WW_INDUSTRIES[k] for k in industry]
    cities = pick_cities(rng, regions, cities_by_region())
    names = unique_company_names(rng, cities, industries)
    sales_rep = [WW_SALES[r][rng.integers(len(WW_SALES[r]))] for r in regions]

    # Size: heavy-tailed annual purchase volume (yuan per active year).
    z = rng.standard_normal(n)
    annual = 30_000.0 * np.exp(1.55 * z) * np.asarray(WW_INDUSTRY_SIZE)[industry]

    # Lifecycle: when the customer is active.
    kind = rng.choice(5, size=n, p=[0.70, 0.07, 0.09, 0.08, 0.06])
    # 0 steady, 1 churned (2022 only), 2 new (2024 only), 3 joined 2023, 4 lapsed
    start = np.zeros(n, np.int64)
    end = np.full(n, last, np.int64)
    for i in range(n):
        k = kind[i]
        if k == 0:
            start[i] = rng.integers(0, di("2022-04-01"))
        elif k == 1:
            start[i] = rng.integers(0, di("2022-07-01"))
            end[i] = min(start[i] + rng.integers(60, 330), di("2022-12-31"))
        elif k == 2:
            start[i] = rng.integers(di("2024-01-01"), di("2024-10-31"))
        elif k == 3:
            start[i] = rng.integers(di("2023-01-01"), di("2023-12-31"))
        else:
            start[i] = rng.integers(0, di("2022-10-01"))
            end[i] = rng.integers(di("2023-03-01"), di("2024-07-01"))
    years = (end - start + 1) / 365.0

    # Margin: most customers 5-40%; large accounts negotiate a little harder.
    margin = np.clip(rng.normal(0.21, 0.08, n) - 0.015 * z, 0.05, 0.40)
    # Loss-making accounts (heavy discounts, high service cost): small/medium ones.
    cand = np.flatnonzero(z < 0.9)
    loss = rng.choice(cand, size=int(round(0.040 * n)), replace=False)
    margin[loss] = rng.uniform(-0.30, -0.06, len(loss))
    # Bigger accounts get deeper list-price discounts.
    discount = np.select([z > 1.8, z > 1.0, z > 0.3], [0.80, 0.85, 0.90], 0.95)

    # Number of order lines grows sub-linearly with size.
    lam = 3.0 * np.exp(0.5 * 1.55 * z) * years
    n_lines = np.minimum(1 + rng.poisson(lam), 400)

    order_cust, order_size = [], []
    line_cust, line_cat, line_order = [], [], []
    size_vals = np.array([1, 2, 3, 4])
    size_p = np.array([0.86, 0.09, 0.04, 0.01])
    for i in range(n):
        sizes = rng.choice(size_vals, size=int(n_lines[i]), p=size_p)
        cs = np.cumsum(sizes)
        m = int(np.searchsorted(cs, n_lines[i])) + 1
        sizes = sizes[:m].copy()
        sizes[-1] -= cs[m - 1] - n_lines[i]
        aff = WW_AFFINITY[industry[i]]
        aff = aff / aff.sum()
        for s in sizes.tolist():
            oid = len(order_cust)
            order_cust.append(i)
            order_size.append(s)
            cats = rng.choice(len(WW_CATEGORIES), size=s, replace=False, p=aff)
            line_cat.extend(cats.tolist())
            line_cust.extend([i] * s)
            line_order.extend([oid] * s)

    order_cust = np.array(order_cust)
    line_cust = np.array(line_cust)
    line_cat = np.array(line_cat)
    line_order = np.array(line_order)
    n_orders = len(order_cust)
    n_rows = len(line_cust)

    order_day = sample_days(rng, cum, start[order_cust], end[order_cust])

    # Per-customer list price per category (the product grade they buy).
    lo = np.array([r[0] for r in WW_PRICE_RANGE], float)
    hi = np.array([r[1] for r in WW_PRICE_RANGE], float)
    list_price = lo + rng.random((n, len(WW_CATEGORIES))) * (hi - lo)
    list_price = np.maximum(np.round(list_price / 10) * 10 - 2, 18)  # 598-style prices
    unit_cents = np.rint(list_price * 100 * discount[:, None]).astype(np.int64)
    unit = unit_cents[line_cust, line_cat]

    # Spread each customer's volume over its lines.
    w = rng.lognormal(0.0, 0.6, n_rows)
    wsum = np.bincount(line_cust, weights=w, minlength=n)
    target = (annual * years)[line_cust] * w / wsum[line_cust]  # yuan
    qty = np.maximum(1, np.rint(target * 100 / unit)).astype(np.int64)
    revenue = qty * unit

    lm = margin[line_cust] + np.asarray(WW_CATEGORY_MARGIN_ADJ)[line_cat] \
        + rng.normal(0, 0.03, n_rows)
    # A few rush / rework lines cost more than they earn, even for good accounts.
    rush = rng.random(n_rows) < 0.015
    lm[rush] = rng.uniform(-0.30, -0.02, rush.sum())
    lm = np.clip(lm, -0.6, 0.6)
    cost = np.rint(revenue * (1 - lm)).astype(np.int64)
    profit = revenue - cost

    # Order ids: SO + date + running number within the day, in date order.
    order_rank = np.lexsort((np.arange(n_orders), order_cust, order_day))
    seq = np.zeros(n_orders, np.int64)
    day_sorted = order_day[order_rank]
    counter: dict[int, int] = {}
    for o, d in zip(order_rank.tolist(), day_sorted.tolist()):
        counter[d] = counter.get(d, 0) + 1
        seq[o] = counter[d]
    order_pos = np.empty(n_orders, np.int64)
    order_pos[order_rank] = np.arange(n_orders)

    row_order = np.lexsort((np.arange(n_rows), order_pos[line_order]))
    base = dt.date(2022, 1, 1)
    rows = []
    for r in row_order.tolist():
        o = line_order[r]
        c = line_cust[r]
        day = base + dt.timedelta(days=int(order_day[o]))
        rows.append((
            f"SO{day:%Y%m%d}{seq[o]:04d}",
            day,
            f"C{c + 1:05d}",
            names[c],
            industries[c],
            regions[c],
            sales_rep[c],
            WW_CATEGORIES[line_cat[r]],
            int(qty[r]),
            int(revenue[r]),
            int(cost[r]),
            int(profit[r]),
        ))

    cust_profit = np.bincount(line_cust, weights=profit, minlength=n) / 100
    stats = {
        "customers": int(len(np.unique(line_cust))),
        "lines": n_rows,
        "orders": n_orders,
        "multi_line_orders": int((np.asarray(order_size) > 1).sum()),
        "revenue_yuan": float(revenue.sum() / 100),
        "profit_yuan": float(profit.sum() / 100),
        "top1_profit_share": top_share(cust_profit, 0.01),
        "top20_profit_share": top_share(cust_profit, 0.20),
        "loss_customers": int((cust_profit < 0).sum()),
        "churned_2022_only": int((kind == 1).sum()),
        "new_2024_only": int((kind == 2).sum()),
    }
    return rows, stats


def write_workwear(path: Path, rows) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({
        "title": WW_TITLE,
        "author": "华东职业装有限公司",
        "comments": "Synthetic demo data generated by sample_data/make_samples.py",
        "created": WW_CREATED,
    })
    ws = wb.add_worksheet("订单明细")
    title_fmt = wb.add_format({"bold": True, "font_size": 14, "align": "center",
                               "valign": "vcenter"})
    note_fmt = wb.add_format({"font_color": "#666666"})
    head_fmt = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1,
                              "align": "center"})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    money_fmt = wb.add_format({"num_format": "#,##0.00"})
    int_fmt = wb.add_format({"num_format": "0"})

    ws.merge_range(0, 0, 0, len(WW_HEADERS) - 1, WW_TITLE, title_fmt)
    ws.set_row(0, 24)
    ws.write_string(1, 0, WW_NOTE, note_fmt)
    ws.write_row(2, 0, WW_HEADERS, head_fmt)
    for j, width in enumerate([16, 12, 10, 30, 10, 8, 8, 10, 8, 14, 14, 14]):
        ws.set_column(j, j, width)

    for r, row in enumerate(rows, start=3):
        (oid, day, cid, name, ind, reg, rep, cat, qty, rev, cost, profit) = row
        ws.write_string(r, 0, oid)
        ws.write_datetime(r, 1, dt.datetime(day.year, day.month, day.day), date_fmt)
        ws.write_string(r, 2, cid)
        ws.write_string(r, 3, name)
        ws.write_string(r, 4, ind)
        ws.write_string(r, 5, reg)
        ws.write_string(r, 6, rep)
        ws.write_string(r, 7, cat)
        ws.write_number(r, 8, qty, int_fmt)
        ws.write_number(r, 9, rev / 100, money_fmt)
        ws.write_number(r, 10, cost / 100, money_fmt)
        ws.write_number(r, 11, profit / 100, money_fmt)
    ws.freeze_panes(3, 0)
    ws.autofilter(2, 0, 2 + len(rows), len(WW_HEADERS) - 1)
    wb.close()


# ---------------------------------------------------------------------------
# (b) Online retailer transactions -> CSV (UTF-8, no BOM)
# ---------------------------------------------------------------------------

OS_HEADERS = ["InvoiceNo", "InvoiceDate", "CustomerID", "CustomerName", "Country",
              "Channel", "Category", "Quantity", "UnitPrice", "Revenue", "Cost", "Profit"]
OS_N_CUSTOMERS = 20_000
OS_FIRST_ID = 10_000
OS_FIRST_INVOICE = 500_001
OS_RETURN_SHARE = 0.02

OS_COUNTRIES = ["United Kingdom", "Germany", "France", "Netherlands", "Ireland", "Spain",
                "Italy", "Belgium", "Sweden", "Poland", "Denmark", "Portugal",
                "United States", "Australia"]
OS_COUNTRY_W = [0.62, 0.08, 0.06, 0.04, 0.04, 0.03, 0.03, 0.02, 0.02, 0.02, 0.01, 0.01,
                0.015, 0.005]
OS_CHANNELS = ["Web", "App", "Marketplace"]
OS_CHANNEL_W = [0.50, 0.32, 0.18]
OS_CATEGORIES = ["Home & Kitchen", "Electronics", "Apparel", "Beauty", "Toys",
                 "Sports & Outdoors", "Books", "Garden", "Stationery", "Pet Supplies"]
OS_CATEGORY_W = [0.18, 0.10, 0.17, 0.10, 0.08, 0.08, 0.09, 0.07, 0.08, 0.05]
OS_MEDIAN_PRICE = [18.0, 39.0, 22.0, 12.0, 15.0, 25.0, 9.0, 16.0, 4.0, 11.0]
OS_MARGIN = [0.40, 0.18, 0.50, 0.55, 0.42, 0.38, 0.25, 0.40, 0.55, 0.35]
OS_RETURN_RATE = [1.0, 1.3, 3.0, 0.6, 0.8, 1.2, 0.3, 0.7, 0.3, 0.6]
OS_MONTH_W = [0.9, 0.8, 0.9, 0.9, 0.95, 0.95, 1.0, 1.0, 1.0, 1.1, 1.5, 1.4]
OS_WEEKDAY_W = [1.0, 1.0, 1.0, 1.0, 1.0, 1.1, 1.15]
OS_HOUR_W = [0.3, 0.15, 0.1, 0.1, 0.1, 0.2, 0.5, 1.0, 1.5, 1.8, 2.0, 2.1, 2.4, 2.2,
             2.0, 1.9, 1.9, 2.0, 2.4, 2.9, 3.2, 3.0, 2.0, 0.9]

OS_FIRST_NAMES = (
    "James Mary John Patricia Robert Jennifer Michael Linda William Elizabeth David Barbara "
    "Richard Susan Joseph Jessica Thomas Sarah Charles Karen Daniel Nancy Matthew Lisa "
    "Anthony Betty Mark Margaret Paul Sandra Steven Ashley Andrew Emily Joshua Donna Kevin "
    "Michelle Brian Carol George Amanda Edward Melissa Ronald Deborah Timothy Stephanie "
    "Jason Rebecca Jeffrey Laura Ryan Sharon Jacob Cynthia Gary Kathleen Nicholas Amy Eric "
    "Shirley Jonathan Angela Stephen Helen Larry Anna Justin Brenda Scott Pamela Brandon "
    "Nicole Oliver Emma Harry Sophie Jack Chloe Charlie Olivia Noah Ava Leo Isla Freddie "
    "Grace Alfie Lily Archie Ella Lukas Hannah Felix Lea Jonas Mia Maximilian Lena Paul "
    "Marie Louis Camille Hugo Manon Lucas Chloe Jules Ines Daan Sanne Sem Fleur Sean Aoife "
    "Conor Niamh Pablo Lucia Alejandro Sofia Marco Giulia Matteo Chiara Erik Astrid Lars "
    "Ingrid Jakub Zofia Piotr Maja Mads Freja Tiago Beatriz Ethan Chloe Liam Harper Mason "
    "Zoe Aiden Ruby Finn Ivy"
).split()
OS_LAST_NAMES = (
    "Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson "
    "Thompson Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke Patel "
    "Jackson Wood Turner Martin Cooper Hill Ward Morris Moore Clark Lee King Baker Harrison "
    "Morgan Allen James Scott Phillips Watson Davis Parker Price Bennett Young Griffiths "
    "Mitchell Kelly Cook Carter Richardson Bailey Collins Bell Shaw Murphy Miller Cox "
    "Richards Khan Marshall Anderson Simpson Ellis Adams Singh Begum Wilkinson Foster "
    "Chapman Powell Webb Rogers Gray Mason Ali Hunt Hussain Campbell Matthews Owen Palmer "
    "Holmes Mills Barnes Knight Lloyd Butler Russell Barker Fisher Stevens Jenkins Murray "
    "Dixon Harvey Graham Pearson Ahmed Fletcher Walsh Kaur Gibson Howard Andrews Stewart "
    "Elliott Reynolds Saunders Payne Fox Ford Pearce Day Brooks West Lawrence Cole Atkinson "
    "Bradley Spencer Gill Dawson Ball Burton Obrien Watts Rose Booth Perry Ryan Grant Wells "
    "Armstrong Francis Rees Hayes Hart Hudson Newman Barrett Webster Hunter Gregory Carr "
    "Lowe Page Marsh Riley Dunn Woods Parsons Berry Stone Reid Holland Hawkins Harding "
    "Porter Robertson Newton Oliver Reed Kennedy Williamson Bird Gardner Shah Dean Lane "
    "Cooke Bates Henderson Parry Burgess Bishop Walton Burns Nicholson Shepherd Ross Cross "
    "Long Freeman Warren Nicholls Hamilton Byrne Sutton McDonald Yates Hodgson Robson "
    "Curtis Hopkins OConnor Harper Coleman Watkins Moss McCarthy Chambers Mueller Schmidt "
    "Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Martin Bernard Dubois "
    "Thomas Robert Richard Petit Durand Leroy Moreau DeJong Jansen DeVries VanDijk Bakker "
    "Garcia Fernandez Lopez Martinez Rossi Russo Ferrari Esposito Bianchi Andersson "
    "Johansson Karlsson Nowak Kowalski Wisniewski Nielsen Jensen Hansen Silva Santos"
).split()


def make_online(rng):
    """Return (rows, stats) for the online shop transactions."""
    n = OS_N_CUSTOMERS
    days, cum = day_calendar("2023-01-01", "2024-12-31", OS_MONTH_W, OS_WEEKDAY_W)
    last = len(days) - 1
    ncat = len(OS_CATEGORIES)

    # Unique customer names from the first x last name grid.
    first = list(dict.fromkeys(OS_FIRST_NAMES))
    lastn = list(dict.fromkeys(OS_LAST_NAMES))
    pick = rng.choice(len(first) * len(lastn), size=n, replace=False)
    names = np.array([f"{first[p // len(lastn)]} {lastn[p % len(lastn)]}"
                      for p in pick.tolist()], dtype=object)
    country = rng.choice(len(OS_COUNTRIES), size=n, p=OS_COUNTRY_W)
    pref_channel = rng.choice(3, size=n, p=OS_CHANNEL_W)
    fav_cat = rng.choice(ncat, size=n, p=OS_CATEGORY_W)

    # Lifecycle window: acquisition date, then an exponential lifetime.
    start = sample_days(rng, cum, np.zeros(n, np.int64), np.full(n, last))
    end = np.minimum(start + rng.exponential(420.0, n).astype(np.int64), last)
    active_years = (end - start + 1) / 365.0
    # Purchase frequency: heavy tail (many one-time buyers, some resellers).
    freq = np.exp(rng.normal(-0.05, 1.35, n))
    n_inv = 1 + rng.poisson(freq * active_years)
    basket = np.exp(rng.normal(np.log(1.9), 0.35, n))   # extra lines per invoice
    qty_mult = np.exp(rng.normal(0.0, 0.9, n))          # bulk buyers buy more units

    # Invoices (sales).
    inv_cust = np.repeat(np.arange(n), n_inv)
    n_sales_inv = len(inv_cust)
    first_of_cust = np.r_[0, np.cumsum(n_inv)[:-1]]
    inv_day = sample_days(rng, cum, start[inv_cust], end[inv_cust])
    inv_day[first_of_cust] = start  # the first purchase opens the window
    hour_p = np.asarray(OS_HOUR_W) / np.sum(OS_HOUR_W)
    inv_sec = (inv_day * 86400 + rng.choice(24, size=n_sales_inv, p=hour_p) * 3600
               + rng.integers(0, 3600, n_sales_inv))
    inv_chan = np.where(rng.random(n_sales_inv) < 0.8, pref_channel[inv_cust],
                        rng.choice(3, size=n_sales_inv, p=OS_CHANNEL_W))

    # Lines.
    n_lines = 1 + rng.poisson(basket[inv_cust])
    line_inv = np.repeat(np.arange(n_sales_inv), n_lines)
    n_sales = len(line_inv)
    line_cust = inv_cust[line_inv]
    cat = np.where(rng.random(n_sales) < 0.45, fav_cat[line_cust],
                   rng.choice(ncat, size=n_sales, p=OS_CATEGORY_W))

    # A small catalogue of price points per category, popular items first.
    n_items = 60
    item_price = np.exp(np.log(np.asarray(OS_MEDIAN_PRICE))[:, None]
                        + rng.normal(0, 0.6, (ncat, n_items)))
    endings = np.array([99, 49, 95, 0, 99, 50])
    item_cents = (np.floor(item_price).astype(np.int64) * 100
                  + endings[rng.integers(0, len(endings), (ncat, n_items))])
    item_cents = np.maximum(item_cents, 49)
    item_p = 1.0 / np.arange(1, n_items + 1) ** 0.8
    item_p /= item_p.sum()
    item = rng.choice(n_items, size=n_sales, p=item_p)
    unit = item_cents[cat, item]

    qty = np.maximum(1, np.rint(rng.geometric(0.55, n_sales) * qty_mult[line_cust]))
    qty = qty.astype(np.int64)
    revenue = qty * unit

    chan = inv_chan[line_inv]
    m = np.asarray(OS_MARGIN)[cat] + rng.normal(0, 0.05, n_sales) - 0.12 * (chan == 2)
    clearance = rng.random(n_sales) < 0.03
    m[clearance] = rng.uniform(-0.45, -0.05, clearance.sum())
    m = np.clip(m, -0.6, 0.85)
    cost = np.rint(revenue * (1 - m)).astype(np.int64)
    profit = revenue - cost

    # Returns: reverse (part of) earlier profitable sale lines, ~2% of all lines.
    last_sale_day = int((np.datetime64("2024-12-01") - np.datetime64("2023-01-01"))
                        .astype(np.int64))
    eligible = np.flatnonzero((profit > 0) & (inv_day[line_inv] <= last_sale_day))
    n_ret = int(round(n_sales * OS_RETURN_SHARE / (1 - OS_RETURN_SHARE)))
    p = np.asarray(OS_RETURN_RATE)[cat[eligible]]
    ret_src = np.sort(rng.choice(eligible, size=n_ret, replace=False, p=p / p.sum()))
    src_q = qty[ret_src]
    partial = (rng.random(n_ret) < 0.25) & (src_q > 1)
    rq = np.where(partial, 1 + (rng.random(n_ret) * (src_q - 1)).astype(np.int64), src_q)
    ret_rev = -rq * unit[ret_src]
    ret_cost = -np.rint(cost[ret_src] * rq / src_q).astype(np.int64)
    ret_profit = ret_rev - ret_cost
    keep = ret_profit < 0
    ret_src, rq, ret_rev, ret_cost, ret_profit = (
        a[keep] for a in (ret_src, rq, ret_rev, ret_cost, ret_profit))

    # One return invoice per original invoice, 1-30 days after the purchase.
    src_inv = line_inv[ret_src]
    ret_inv_src, ret_line_inv = np.unique(src_inv, return_inverse=True)
    n_ret_inv = len(ret_inv_src)
    ret_day = np.minimum(inv_day[ret_inv_src] + rng.integers(1, 31, n_ret_inv), last)
    ret_sec = ret_day * 86400 + rng.integers(8 * 3600, 22 * 3600, n_ret_inv)

    # Number all invoices (sales and returns) in time order.
    all_sec = np.r_[inv_sec, ret_sec]
    all_is_ret = np.r_[np.zeros(n_sales_inv, bool), np.ones(n_ret_inv, bool)]
    all_cust = np.r_[inv_cust, inv_cust[ret_inv_src]]
    all_chan = np.r_[inv_chan, inv_chan[ret_inv_src]]
    order = np.lexsort((np.arange(len(all_sec)), all_is_ret, all_sec))
    inv_no = np.empty(len(all_sec), np.int64)
    inv_no[order] = OS_FIRST_INVOICE + np.arange(len(all_sec))

    # Customer ids in order of first purchase.
    first_sec = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(first_sec, inv_cust, inv_sec)
    cust_rank = np.empty(n, np.int64)
    cust_rank[np.lexsort((np.arange(n), first_sec))] = np.arange(n)
    cust_id = OS_FIRST_ID + cust_rank

    # Assemble all lines: sales then returns, sorted by invoice number.
    l_inv = np.r_[line_inv, n_sales_inv + ret_line_inv]
    l_cat = np.r_[cat, cat[ret_src]]
    l_qty = np.r_[qty, -rq]
    l_unit = np.r_[unit, unit[ret_src]]
    l_rev = np.r_[revenue, ret_rev]
    l_cost = np.r_[cost, ret_cost]
    l_profit = np.r_[profit, ret_profit]
    srt = np.lexsort((np.arange(len(l_inv)), inv_no[l_inv]))
    l_inv, l_cat, l_qty, l_unit, l_rev, l_cost, l_profit = (
        a[srt] for a in (l_inv, l_cat, l_qty, l_unit, l_rev, l_cost, l_profit))
    l_cust = all_cust[l_inv]

    stamp = (np.datetime64("2023-01-01T00:00:00")
             + all_sec.astype("timedelta64[s]"))
    stamp_str = np.char.replace(np.datetime_as_string(stamp, unit="s"), "T", " ")
    inv_str = np.array([("C" if r else "") + str(v)
                        for r, v in zip(all_is_ret.tolist(), inv_no.tolist())], dtype=object)

    columns = [
        inv_str[l_inv].tolist(),
        stamp_str[l_inv].tolist(),
        cust_id[l_cust].tolist(),
        names[l_cust].tolist(),
        np.asarray(OS_COUNTRIES, dtype=object)[country[l_cust]].tolist(),
        np.asarray(OS_CHANNELS, dtype=object)[all_chan[l_inv]].tolist(),
        np.asarray(OS_CATEGORIES, dtype=object)[l_cat].tolist(),
        l_qty.tolist(),
        cents_str(l_unit),
        cents_str(l_rev),
        cents_str(l_cost),
        cents_str(l_profit),
    ]
    rows = list(zip(*columns))

    cust_profit = np.bincount(l_cust, weights=l_profit, minlength=n) / 100
    stats = {
        "customers": int(len(np.unique(l_cust))),
        "lines": len(rows),
        "invoices": int(n_sales_inv),
        "return_invoices": int(n_ret_inv),
        "return_lines": int(len(ret_src)),
        "return_share": len(ret_src) / len(rows),
        "one_time_buyers": int((n_inv == 1).sum()),
        "revenue": float(l_rev.sum() / 100),
        "profit": float(l_profit.sum() / 100),
        "top1_profit_share": top_share(cust_profit, 0.01),
        "top20_profit_share": top_share(cust_profit, 0.20),
        "loss_customers": int((cust_profit < 0).sum()),
    }
    return rows, stats


def write_online(path: Path, rows) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(OS_HEADERS)
        w.writerows(rows)


# ---------------------------------------------------------------------------
# (c) Customer summary sheet -> CSV (GBK, spreadsheet-style numbers)
# ---------------------------------------------------------------------------

CS_HEADERS = ["客户名称", "地区", "行业", "年销售额", "年毛利"]
CS_N_CUSTOMERS = 500
CS_N_NEGATIVE = 4
# GBK cannot encode U+00A5 (¥); Chinese Excel writes the full-width U+FFE5 (￥).
CS_CURRENCY = "\uffe5"


def fmt_spreadsheet(cents: int, style: int) -> str:
    """Format cents the way a spreadsheet export might.

    style 0: '￥1,234.50' / '-￥1,234.50'; style 1: '1234.50'; style 2: '1234.5' / '98000'.
    """
    sign = "-" if cents < 0 else ""
    a = abs(cents)
    if style == 0:
        return f"{sign}{CS_CURRENCY}{a // 100:,}.{a % 100:02d}"
    if style == 1:
        return f"{sign}{a // 100}.{a % 100:02d}"
    frac = f"{a % 100:02d}".rstrip("0")
    return f"{sign}{a // 100}" + (f".{frac}" if frac else "")


def make_summary(rng):
    n = CS_N_CUSTOMERS
    industry = rng.choice(len(WW_INDUSTRIES), size=n, p=WW_INDUSTRY_W)
    industries = [WW_INDUSTRIES[k] for k in industry]
    city_idx = rng.choice(len(CITIES), size=n)
    cities = [CITIES[k][0] for k in city_idx]
    provinces = [CITIES[k][1] for k in city_idx]
    names = unique_company_names(rng, cities, industries)

    sales = np.rint(200_000 * np.exp(rng.normal(0, 1.3, n)) * 100).astype(np.int64)
    margin = np.clip(rng.normal(0.18, 0.07, n), 0.02, 0.45)
    neg = rng.choice(n, size=CS_N_NEGATIVE, replace=False)
    margin[neg] = rng.uniform(-0.15, -0.02, CS_N_NEGATIVE)
    gross = np.rint(sales * margin).astype(np.int64)
    style = rng.choice(3, size=n, p=[0.6, 0.25, 0.15])

    rows = [(names[i], provinces[i], industries[i],
             fmt_spreadsheet(int(sales[i]), int(style[i])),
             fmt_spreadsheet(int(gross[i]), int(style[i]))) for i in range(n)]
    stats = {
        "customers": n,
        "top20_profit_share": top_share(gross, 0.20),
        "negative_profit": int((gross < 0).sum()),
    }
    return rows, stats


def write_summary(path: Path, rows) -> None:
    with open(path, "w", encoding="gbk", newline="") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(CS_HEADERS)
        w.writerows(rows)


# ---------------------------------------------------------------------------

def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent
    out.mkdir(parents=True, exist_ok=True)

    rows, stats = make_workwear(np.random.default_rng([SEED, 1]))
    write_workwear(out / WORKWEAR_FILE, rows)
    print(f"{WORKWEAR_FILE}: {stats}")

    rows, stats = make_online(np.random.default_rng([SEED, 2]))
    write_online(out / ONLINE_FILE, rows)
    print(f"{ONLINE_FILE}: {stats}")

    rows, stats = make_summary(np.random.default_rng([SEED, 3]))
    write_summary(out / SUMMARY_FILE, rows)
    print(f"{SUMMARY_FILE}: {stats}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
