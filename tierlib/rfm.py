"""RFM scoring (recency, frequency, monetary) and named segments from a rule table.

Scores
------
Each measure is scored 1..``bins`` (3, 4 or 5; default 5), **higher is better**: the most recent
last order, the most orders and the most money score ``bins``.

*Quantile scores* (the default) are rank based and keep ties together. Customers are ordered from
worst to best; a customer's score is the bin in which its *tie block starts*::

    score = 1 + floor(bins * worse / n)

where ``worse`` is the number of customers strictly worse on that measure and ``n`` the number
of customers scored. With ``n`` distinct values this is the usual split into equal-count bins
(10 customers, 5 bins: two per score). Equal inputs always get equal scores, and the worst value
always scores 1. When a tie block is larger than a bin (say 56% of the customers ordered once), the
scores it would have spanned stay empty: fewer distinct scores are used than asked. That is not
hidden: ``RFMResult.collapsed`` maps each such measure to the number of scores in use, e.g.
``{"frequency": 4}``, and ``RFMResult.scores_used`` lists them, e.g. ``[1, 3, 4, 5]``.

*Break-point scores* use thresholds the user gives, ``bins - 1`` strictly increasing numbers per
measure (``breaks={"frequency": [2, 3, 5, 10]}``):

- frequency and monetary: a break is the lowest value of the next score,
  ``score = 1 + #{b <= value}`` (with ``[2, 3, 5, 10]``: 1 order -> 1, 2 -> 2, 3-4 -> 3,
  5-9 -> 4, 10+ -> 5); monetary breaks are money amounts (not 1/10,000 units);
- recency: breaks are days since the last order, a break is the highest day count of the better
  score, ``score = bins - #{b < days}`` (with ``[30, 90, 180, 365]``: 0-30 days -> 5, 31-90 -> 4,
  91-180 -> 3, 181-365 -> 2, 366+ -> 1).

Recency is counted in whole calendar days from the last order to ``as_of``. ``as_of`` is explicit;
by default it is the latest order date in the data (never "now"), so the most recent customers
have recency 0.

Segments
--------
A segment is named by a *rule table*: rows ``{"code", "r": [lo, hi], "f": [lo, hi], "m": [lo, hi]}``
(inclusive score ranges, optional ``"name"`` for a custom display name), read top to bottom; the
first rule whose three ranges hold the customer's scores wins. A table is written for one bin count
(ranges within 1..bins): ``DEFAULT_RULES`` is the 5-score table, and ``default_rules(bins)`` gives
the same eleven segments scaled by hand to 3 and 4 scores (a mechanical projection of the 5-score
table would leave some segments unreachable, e.g. Loyal with 4 scores). Each default table names
every combination (125, 64, 27). A combination that matches no rule (possible after the user edits
a table) gets the catch-all code ``UNCLASSIFIED``; ``coverage`` lists such gaps so that the page can
show them before any customer falls into one.

Segments need all three measures. Without order dates (a customer-level sheet) recency is
unavailable: frequency and monetary are still scored, ``RFMResult.available`` says which measures
were, and ``segment`` stays empty.

Money in the input is in integer units of 1/``MONEY_SCALE``; in the results it is a float amount.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from tierlib.io import InputError
from tierlib.schema import MONEY_SCALE

MEASURES = ("recency", "frequency", "monetary")
SCORE_COLUMNS = {"recency": "r_score", "frequency": "f_score", "monetary": "m_score"}
MONETARY_CHOICES = ("revenue", "profit")
BIN_CHOICES = (3, 4, 5)
DEFAULT_BINS = 5
UNCLASSIFIED = "unclassified"

#: The default rule table for 5 scores: first match wins; together the rules name all 125
#: combinations of R, F and M (tests/test_rfm.py checks this), so the catch-all never fires.
DEFAULT_RULES: tuple[dict, ...] = (
    # Recent, frequent, big: the best customers.
    {"code": "champions", "r": [4, 5], "f": [4, 5], "m": [4, 5]},
    # Good on all three, fairly recent.
    {"code": "loyal", "r": [3, 5], "f": [3, 5], "m": [3, 5]},
    # Very recent, lowest frequency: just won.
    {"code": "new", "r": [5, 5], "f": [1, 1], "m": [1, 5]},
    # Recent, lowest frequency: worth cultivating.
    {"code": "promising", "r": [4, 4], "f": [1, 1], "m": [1, 5]},
    # The rest of the recent customers: could become loyal.
    {"code": "potential", "r": [4, 5], "f": [1, 5], "m": [1, 5]},
    # Middle recency, average-or-better frequency and spend.
    {"code": "need_attention", "r": [3, 3], "f": [2, 5], "m": [2, 5]},
    # Middle recency, low frequency or spend: slipping away.
    {"code": "about_to_sleep", "r": [3, 3], "f": [1, 5], "m": [1, 5]},
    # Long gone, but used to buy often and big.
    {"code": "cant_lose", "r": [1, 2], "f": [4, 5], "m": [4, 5]},
    # Long gone, used to buy regularly with real money.
    {"code": "at_risk", "r": [1, 2], "f": [2, 5], "m": [3, 5]},
    # Long gone, low frequency or spend.
    {"code": "hibernating", "r": [2, 2], "f": [1, 5], "m": [1, 5]},
    # The longest gone with little value.
    {"code": "lost", "r": [1, 1], "f": [1, 5], "m": [1, 5]},
)

#: The same segments for 4 scores (all 64 combinations named, every segment reachable).
DEFAULT_RULES_4: tuple[dict, ...] = (
    {"code": "champions", "r": [4, 4], "f": [3, 4], "m": [3, 4]},
    {"code": "loyal", "r": [3, 4], "f": [3, 4], "m": [3, 4]},
    {"code": "new", "r": [4, 4], "f": [1, 1], "m": [1, 4]},
    {"code": "promising", "r": [3, 3], "f": [1, 1], "m": [1, 4]},
    {"code": "potential", "r": [3, 4], "f": [1, 4], "m": [1, 4]},
    {"code": "cant_lose", "r": [1, 2], "f": [4, 4], "m": [4, 4]},
    {"code": "need_attention", "r": [2, 2], "f": [2, 4], "m": [2, 4]},
    {"code": "about_to_sleep", "r": [2, 2], "f": [1, 4], "m": [1, 4]},
    {"code": "at_risk", "r": [1, 1], "f": [2, 4], "m": [3, 4]},
    {"code": "hibernating", "r": [1, 1], "f": [2, 4], "m": [1, 4]},
    {"code": "lost", "r": [1, 1], "f": [1, 1], "m": [1, 4]},
)

#: The same segments for 3 scores (all 27 combinations named, every segment reachable).
DEFAULT_RULES_3: tuple[dict, ...] = (
    {"code": "champions", "r": [3, 3], "f": [3, 3], "m": [3, 3]},
    {"code": "loyal", "r": [2, 3], "f": [3, 3], "m": [2, 3]},
    {"code": "new", "r": [3, 3], "f": [1, 1], "m": [1, 3]},
    {"code": "potential", "r": [3, 3], "f": [1, 3], "m": [1, 3]},
    {"code": "promising", "r": [2, 2], "f": [1, 1], "m": [1, 3]},
    {"code": "need_attention", "r": [2, 2], "f": [2, 3], "m": [2, 3]},
    {"code": "about_to_sleep", "r": [2, 2], "f": [1, 3], "m": [1, 3]},
    {"code": "cant_lose", "r": [1, 1], "f": [3, 3], "m": [3, 3]},
    {"code": "at_risk", "r": [1, 1], "f": [2, 3], "m": [2, 3]},
    {"code": "hibernating", "r": [1, 1], "f": [2, 3], "m": [1, 3]},
    {"code": "lost", "r": [1, 1], "f": [1, 1], "m": [1, 3]},
)
_DEFAULTS = {3: DEFAULT_RULES_3, 4: DEFAULT_RULES_4, 5: DEFAULT_RULES}

SEGMENT_CODES: tuple[str, ...] = tuple(r["code"] for r in DEFAULT_RULES)


def default_rules(bins: int = 5) -> list[dict]:
    """A fresh copy of the default rule table for ``bins`` scores (3, 4 or 5)."""
    return [{k: (list(v) if isinstance(v, list) else v) for k, v in r.items()} for r in _DEFAULTS[_check_bins(bins)]]

#: One colour per built-in segment (green = healthy, blue = new, yellow/orange/red = fading,
#: grey = gone); custom codes take colours from ``EXTRA_COLORS`` in order.
SEGMENT_COLORS = {
    "champions": "#1a9850", "loyal": "#66bd63", "potential": "#a6d96a", "new": "#4575b4",
    "promising": "#74add1", "need_attention": "#fee08b", "about_to_sleep": "#fdae61",
    "at_risk": "#f46d43", "cant_lose": "#d73027", "hibernating": "#9e9e9e", "lost": "#616161",
    UNCLASSIFIED: "#212121",
}
EXTRA_COLORS = ("#8e44ad", "#16a085", "#c0392b", "#2c3e50", "#d35400", "#7f8c8d", "#27ae60", "#2980b9")

RULE_COLUMNS = ("code", "name", "r_min", "r_max", "f_min", "f_max", "m_min", "m_max")


# ------------------------------------------------------------------------------------------
# result

@dataclass
class RFMResult:
    """Scores of every scored customer plus what the UI must say about them.

    ``frame`` columns: customer_id, customer_name (when known), recency_days (Int64; NA when
    recency is unavailable), frequency (Int64 or NA), monetary (float amount), revenue, profit
    (float amounts or NaN), r_score, f_score, m_score (Int64 1..bins or NA), segment (code, or
    None when segments are unavailable). Sorted by customer_id.
    """

    frame: pd.DataFrame
    as_of: pd.Timestamp | None
    monetary: str
    bins: int
    available: tuple[str, ...]
    #: measure -> number of distinct scores actually used, only for measures using fewer than bins
    collapsed: dict[str, int] = field(default_factory=dict)
    #: measure -> sorted list of the scores used
    scores_used: dict[str, list[int]] = field(default_factory=dict)
    #: measure -> number of customers left out because that measure was missing for them
    excluded: dict[str, int] = field(default_factory=dict)
    #: measure -> the user's break points (only measures scored by break points)
    breaks: dict[str, list[float]] = field(default_factory=dict)
    rules: list[dict] = field(default_factory=lambda: default_rules(DEFAULT_BINS))

    @property
    def has_segments(self) -> bool:
        return set(MEASURES) <= set(self.available)

    @property
    def n(self) -> int:
        return len(self.frame)

    def count(self, code: str) -> int:
        """Customers in the segment ``code``."""
        if not self.has_segments:
            return 0
        return int((self.frame["segment"] == code).sum())


# ------------------------------------------------------------------------------------------
# scoring

def quantile_scores(values, bins: int = DEFAULT_BINS, higher_is_better: bool = True) -> np.ndarray:
    """Rank-based scores 1..bins that keep ties together.

    ``score = 1 + floor(bins * worse / n)`` with ``worse`` the number of values strictly worse
    (smaller when ``higher_is_better``, larger otherwise). Values must be finite.

    >>> quantile_scores([1, 1, 1, 1, 1, 1, 2, 3, 4, 5], 5).tolist()
    [1, 1, 1, 1, 1, 1, 4, 4, 5, 5]
    """
    v = np.asarray(values, dtype="float64")
    if not higher_is_better:
        v = -v
    n = len(v)
    if n == 0:
        return np.zeros(0, dtype="int64")
    # One sort: each distinct value's "worse" count is the number of values before its tie block.
    uniq, inv, cnt = np.unique(v, return_inverse=True, return_counts=True)
    worse = np.concatenate(([0], np.cumsum(cnt)[:-1])).astype("int64")
    return 1 + (worse[inv.ravel()] * bins) // n


def break_scores(values, breaks, bins: int, higher_is_better: bool = True) -> np.ndarray:
    """Scores 1..bins from ``bins - 1`` strictly increasing break points.

    Higher is better (frequency, monetary): ``1 + #{b <= value}``. Lower is better (recency in
    days): ``bins - #{b < value}``.
    """
    v = np.asarray(values, dtype="float64")
    b = np.asarray(breaks, dtype="float64")
    if higher_is_better:
        return 1 + np.searchsorted(b, v, side="right").astype("int64")
    return bins - np.searchsorted(b, v, side="left").astype("int64")


def check_breaks(measure: str, breaks, bins: int) -> list[float]:
    """Validate one measure's break points; return them as floats or raise ``InputError``."""
    try:
        vals = [float(x) for x in breaks]
    except (TypeError, ValueError):
        raise InputError("rfm.bad_breaks", measure=measure, n=bins - 1) from None
    if len(vals) != bins - 1 or not all(math.isfinite(x) for x in vals) or \
            any(b <= a for a, b in zip(vals, vals[1:])):
        raise InputError("rfm.bad_breaks", measure=measure, n=bins - 1)
    return vals


def parse_breaks(text: str) -> list[float]:
    """Break points typed as text: ``"30, 90 180；365"`` -> [30.0, 90.0, 180.0, 365.0].

    Commas (ASCII or full-width), semicolons and spaces separate numbers; thousands separators
    are not supported. Raises ``InputError("rfm.breaks_not_numbers")`` on anything else.
    """
    parts = [p for p in str(text).replace("，", ",").replace("；", ",").replace(";", ",")
             .replace(" ", ",").split(",") if p.strip()]
    try:
        return [float(p) for p in parts]
    except ValueError:
        raise InputError("rfm.breaks_not_numbers", text=str(text)) from None


def _check_bins(bins) -> int:
    if bins not in BIN_CHOICES:
        raise InputError("rfm.bad_bins", bins=bins, choices=", ".join(map(str, BIN_CHOICES)))
    return int(bins)


def compute(customers: pd.DataFrame, as_of=None, monetary: str = "revenue", bins: int = DEFAULT_BINS,
            breaks: dict | None = None, rules=None) -> RFMResult:
    """Score customers on recency, frequency and monetary and name their segments.

    Parameters
    ----------
    customers : DataFrame
        One row per customer (``Engine.customers``): ``customer_id``; ``last_order`` (datetime,
        optional or all-NaT without order dates); ``orders`` (optional); ``revenue``/``profit``
        (integer money units of 1/MONEY_SCALE); ``customer_name`` optional.
    as_of : date-like, optional
        The date recency is counted to. Default: the latest ``last_order``. Must not be before the
        latest order in ``customers`` (cut the data at the as-of date first).
    monetary : {"revenue", "profit"}
        The money measure.
    bins : {3, 4, 5}
        Number of scores per measure.
    breaks : dict, optional
        ``{measure: [bins - 1 increasing numbers]}`` for the measures scored by break points
        (see the module docstring); the others are scored by quantiles.
    rules : list of dict, optional
        The segment rule table for ``bins`` scores (default ``default_rules(bins)``).

    Returns
    -------
    RFMResult
        ``frame`` with customer_id, recency_days, frequency, monetary, r_score, f_score, m_score,
        segment (and customer_name, revenue, profit), plus ``collapsed``, ``scores_used``,
        ``excluded`` and ``available``.

    Raises
    ------
    InputError
        ``rfm.no_customers``, ``rfm.bad_bins``, ``rfm.bad_monetary``, ``rfm.no_revenue`` /
        ``rfm.no_profit``, ``rfm.as_of_before_data``, ``rfm.bad_breaks``, ``rfm.nothing_scored``.
    """
    bins = _check_bins(bins)
    if monetary not in MONETARY_CHOICES:
        raise InputError("rfm.bad_monetary", monetary=monetary)
    if customers is None or len(customers) == 0:
        raise InputError("rfm.no_customers")
    if monetary not in customers or customers[monetary].isna().all():
        raise InputError(f"rfm.no_{monetary}")
    unknown = set(breaks or {}) - set(MEASURES)
    if unknown:
        raise InputError("rfm.bad_breaks", measure=sorted(unknown)[0], n=bins - 1)
    brk = {m: check_breaks(m, b, bins) for m, b in (breaks or {}).items() if b is not None}

    cust = customers.reset_index(drop=True)
    n_all = len(cust)
    cols: dict[str, pd.Series] = {}
    available = []

    last = pd.to_datetime(cust["last_order"]) if "last_order" in cust else pd.Series(pd.NaT, index=cust.index)
    ref = None
    if last.notna().any():
        latest = last.max().normalize()
        ref = latest if as_of is None else pd.Timestamp(as_of).normalize()
        if ref < latest:
            raise InputError("rfm.as_of_before_data", as_of=ref.date().isoformat(),
                             latest=latest.date().isoformat())
        days = (ref - last.dt.normalize()).dt.days
        cols["recency"] = days.astype("Int64")
        available.append("recency")
    if "orders" in cust and cust["orders"].notna().any():
        cols["frequency"] = pd.to_numeric(cust["orders"]).astype("Int64")
        available.append("frequency")
    cols["monetary"] = cust[monetary].astype("Float64") / MONEY_SCALE
    available.append("monetary")

    mask = np.ones(n_all, dtype=bool)
    excluded = {}
    for m in available:
        miss = cols[m].isna().to_numpy()
        if miss.any():
            excluded[m] = int(miss.sum())
            mask &= ~miss
    if not mask.any():
        raise InputError("rfm.nothing_scored")

    def amount(col):
        return (cust[col].astype("Float64") / MONEY_SCALE).astype("float64") if col in cust \
            else pd.Series(np.nan, index=cust.index)

    out = pd.DataFrame({"customer_id": cust["customer_id"]})
    if "customer_name" in cust:
        out["customer_name"] = cust["customer_name"]
    out["recency_days"] = cols.get("recency", pd.Series(pd.NA, index=cust.index, dtype="Int64"))
    out["frequency"] = cols.get("frequency", pd.Series(pd.NA, index=cust.index, dtype="Int64"))
    out["monetary"] = cols["monetary"].astype("float64")
    out["revenue"] = amount("revenue")
    out["profit"] = amount("profit")
    out = out[mask].reset_index(drop=True)

    collapsed, used = {}, {}
    for m in MEASURES:
        col = SCORE_COLUMNS[m]
        if m not in available:
            out[col] = pd.array([pd.NA] * len(out), dtype="Int64")
            continue
        vals = out[{"recency": "recency_days", "frequency": "frequency", "monetary": "monetary"}[m]] \
            .astype("float64").to_numpy()
        better_high = m != "recency"
        if m in brk:
            s = break_scores(vals, brk[m], bins, better_high)
        else:
            s = quantile_scores(vals, bins, better_high)
        out[col] = pd.array(s, dtype="Int64")
        u = sorted(int(x) for x in np.unique(s))
        used[m] = u
        if len(u) < bins:
            collapsed[m] = len(u)

    res = RFMResult(frame=out, as_of=ref, monetary=monetary, bins=bins, available=tuple(available),
                    collapsed=collapsed, scores_used=used, excluded=excluded, breaks=brk)
    return with_rules(res, rules)


def with_rules(result: RFMResult, rules=None) -> RFMResult:
    """The same scores with segments named by ``rules`` (default ``default_rules(bins)``); cheap."""
    rules = default_rules(result.bins) if rules is None else [dict(r) for r in rules]
    frame = result.frame.copy()
    if result.has_segments:
        frame["segment"] = assign_segments(frame, rules, result.bins)
    else:
        frame["segment"] = pd.Series([None] * len(frame), dtype="object")
    return replace(result, frame=frame, rules=rules)


# ------------------------------------------------------------------------------------------
# rules

def _as_range(value, bins: int) -> tuple[int, int] | None:
    try:
        lo, hi = value
        lo_f, hi_f = float(lo), float(hi)
    except (TypeError, ValueError):
        return None
    if not (math.isfinite(lo_f) and math.isfinite(hi_f)) or not lo_f.is_integer() or not hi_f.is_integer():
        return None
    lo_i, hi_i = int(lo_f), int(hi_f)
    if not (1 <= lo_i <= hi_i <= bins):
        return None
    return lo_i, hi_i


def check_rules(rules, bins: int = DEFAULT_BINS) -> tuple[list[dict], list[dict]]:
    """Split a rule table into usable rules and problems.

    A usable rule has a non-empty ``code`` (or ``name``) and three integer ranges with
    ``1 <= lo <= hi <= bins``. Returns ``(valid, problems)``; each problem is
    ``{"row": index (0-based), "reason": "range" | "code"}``. Invalid rows are ignored by
    ``assign_segments`` (their combinations then show up as gaps in ``coverage``).
    """
    valid, problems = [], []
    for i, rule in enumerate(rules or []):
        code = str(rule.get("code") or "").strip()
        name = str(rule.get("name") or "").strip()
        if not code and not name:
            problems.append({"row": i, "reason": "code"})
            continue
        ranges = [_as_range(rule.get(k), bins) for k in ("r", "f", "m")]
        if any(r is None for r in ranges):
            problems.append({"row": i, "reason": "range"})
            continue
        out = {"code": code or custom_code(name), "r": list(ranges[0]), "f": list(ranges[1]),
               "m": list(ranges[2])}
        if name:
            out["name"] = name
        valid.append(out)
    return valid, problems


def custom_code(name: str) -> str:
    """The code of a rule the user added with a name only."""
    return "custom:" + name.strip()


def rule_index_table(rules, bins: int = DEFAULT_BINS) -> np.ndarray:
    """``table[r-1, f-1, m-1]`` = index (among the usable rules, see ``check_rules``) of the
    first rule that matches scores (r, f, m), or -1 when none does."""
    valid, _ = check_rules(rules, bins)
    table = np.full((bins, bins, bins), -1, dtype="int64")
    s = np.arange(1, bins + 1)
    r, f, m = np.meshgrid(s, s, s, indexing="ij")
    for i in range(len(valid) - 1, -1, -1):  # reverse: the first matching rule is written last
        rule = valid[i]
        hit = ((r >= rule["r"][0]) & (r <= rule["r"][1]) & (f >= rule["f"][0]) & (f <= rule["f"][1])
               & (m >= rule["m"][0]) & (m <= rule["m"][1]))
        table[hit] = i
    return table


def assign_segments(scores: pd.DataFrame, rules=None, bins: int = DEFAULT_BINS) -> pd.Series:
    """Segment code of each row of ``scores`` (columns r_score, f_score, m_score, 1..bins).

    ``rules`` is a table for ``bins`` scores (default ``default_rules(bins)``). The first
    matching rule wins; a combination that matches none gets ``UNCLASSIFIED``; a row with a
    missing score gets None. O(rows): the rules are compiled into a bins^3 lookup table.
    """
    bins = _check_bins(bins)
    rules = default_rules(bins) if rules is None else rules
    valid, _ = check_rules(rules, bins)
    table = rule_index_table(valid, bins)
    codes = np.array([r["code"] for r in valid] + [UNCLASSIFIED], dtype=object)
    missing = np.zeros(len(scores), dtype=bool)
    idx = []
    for c in ("r_score", "f_score", "m_score"):
        col = scores[c]
        missing |= col.isna().to_numpy()
        a = pd.to_numeric(col).fillna(1).astype("int64").to_numpy() - 1
        if len(a) and (a.min() < 0 or a.max() >= bins):
            raise ValueError(f"scores must be within 1..{bins}")
        idx.append(a)
    hit = table[idx[0], idx[1], idx[2]] if len(scores) else np.zeros(0, dtype="int64")
    out = codes[np.where(hit < 0, len(valid), hit)]
    out = np.where(missing, None, out)
    return pd.Series(out, index=scores.index, dtype="object", name="segment")


@dataclass
class Coverage:
    """Which score combinations of a rule table are named, for one bin count."""

    bins: int
    total: int  # bins ** 3 combinations
    gaps: list[tuple[int, int, int]]  # (r, f, m) that match no rule
    claimed: list[int]  # per usable rule: combinations it wins (0 = never wins: shadowed)
    rules: list[dict]  # the usable rules, in order
    problems: list[dict]  # rows that were ignored (see check_rules)

    @property
    def ok(self) -> bool:
        return not self.gaps

    @property
    def shadowed(self) -> list[int]:
        """Indices of usable rules that never win any combination."""
        return [i for i, n in enumerate(self.claimed) if n == 0]


def coverage(rules=None, bins: int = DEFAULT_BINS) -> Coverage:
    """Check a rule table for ``bins`` scores: the (r, f, m) combinations that match no rule,
    how many combinations each rule wins, and which rows are unusable."""
    bins = _check_bins(bins)
    rules = default_rules(bins) if rules is None else rules
    valid, problems = check_rules(rules, bins)
    table = rule_index_table(valid, bins)
    gaps = [(int(r) + 1, int(f) + 1, int(m) + 1) for r, f, m in np.argwhere(table < 0)]
    claimed = [int((table == i).sum()) for i in range(len(valid))]
    return Coverage(bins=bins, total=bins ** 3, gaps=gaps, claimed=claimed, rules=valid, problems=problems)


def rules_to_frame(rules) -> pd.DataFrame:
    """The rule table as a frame for an editor: code, name, r_min..m_max (one row per rule)."""
    rows = []
    for r in rules:
        row = {"code": r.get("code"), "name": r.get("name")}
        for k in ("r", "f", "m"):
            lo, hi = (list(r.get(k) or [None, None]) + [None, None])[:2]
            row[f"{k}_min"], row[f"{k}_max"] = lo, hi
        rows.append(row)
    df = pd.DataFrame(rows, columns=list(RULE_COLUMNS))
    for c in RULE_COLUMNS[2:]:
        df[c] = pd.to_numeric(df[c], errors="coerce").astype("Int64")
    df["code"] = df["code"].astype(object)
    df["name"] = df["name"].astype(object)
    return df


def rules_from_frame(df: pd.DataFrame, default_names: dict | None = None) -> list[dict]:
    """Rows of an edited rule frame back into rules (JSON-friendly: ints and strings only).

    ``default_names`` maps built-in codes to their display names in the editor's language: a
    name equal to it (or empty) is not stored, so the built-in name follows the language. Rows
    with every field empty are dropped; other rows are kept as typed (``check_rules`` judges them).
    """
    out = []
    default_names = default_names or {}
    for row in df.to_dict("records"):
        def clean(v):
            if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
                return None
            try:
                f = float(v)
            except (TypeError, ValueError):
                return None
            return int(f) if f.is_integer() else f

        code = row.get("code")
        code = None if code is None or code is pd.NA or (isinstance(code, float) and math.isnan(code)) \
            else str(code).strip() or None
        name = row.get("name")
        name = None if name is None or name is pd.NA or (isinstance(name, float) and math.isnan(name)) \
            else str(name).strip() or None
        nums = {k: clean(row.get(k)) for k in RULE_COLUMNS[2:]}
        if code is None and name is None and all(v is None for v in nums.values()):
            continue
        if code is None and name is not None:
            code = custom_code(name)
        rule = {"code": code or "", "r": [nums["r_min"], nums["r_max"]], "f": [nums["f_min"], nums["f_max"]],
                "m": [nums["m_min"], nums["m_max"]]}
        if name is not None and name != default_names.get(code):
            rule["name"] = name
        out.append(rule)
    return out


def segment_color(code: str, rules=None) -> str:
    """The colour of a segment code (custom codes: a stable pick from ``EXTRA_COLORS``)."""
    if code in SEGMENT_COLORS:
        return SEGMENT_COLORS[code]
    custom = [r.get("code") for r in (rules or []) if r.get("code") not in SEGMENT_COLORS]
    seen = list(dict.fromkeys(custom))
    i = seen.index(code) if code in seen else sum(map(ord, str(code)))
    return EXTRA_COLORS[i % len(EXTRA_COLORS)]


def segment_order(rules, bins: int = DEFAULT_BINS) -> list[str]:
    """Distinct segment codes in rule order (the order tables and charts use)."""
    valid, _ = check_rules(rules, bins)
    return list(dict.fromkeys(r["code"] for r in valid))


def custom_names(rules) -> dict[str, str]:
    """code -> custom display name, for rules that carry one (the first name given wins)."""
    out: dict[str, str] = {}
    for r in rules or []:
        if r.get("name") and r.get("code") and r["code"] not in out:
            out[r["code"]] = str(r["name"])
    return out


# ------------------------------------------------------------------------------------------
# summaries

def segment_summary(result: RFMResult) -> pd.DataFrame:
    """One row per segment in rule order (empty segments included; ``UNCLASSIFIED`` last when
    any customer is in it): segment, customers, share, revenue, profit, avg_recency,
    avg_frequency, avg_monetary. Money in amounts; share of the scored customers.
    """
    cols = ["segment", "customers", "share", "revenue", "profit", "avg_recency", "avg_frequency", "avg_monetary"]
    if not result.has_segments:
        return pd.DataFrame(columns=cols)
    f = result.frame
    order = segment_order(result.rules, result.bins)
    if (f["segment"] == UNCLASSIFIED).any():
        order.append(UNCLASSIFIED)
    g = f.groupby("segment", sort=False)
    agg = pd.DataFrame({
        "customers": g.size(),
        "revenue": g["revenue"].sum(min_count=1),
        "profit": g["profit"].sum(min_count=1),
        "avg_recency": g["recency_days"].apply(lambda s: s.astype("float64").mean()),
        "avg_frequency": g["frequency"].apply(lambda s: s.astype("float64").mean()),
        "avg_monetary": g["monetary"].mean(),
    }).reindex(order)
    agg["customers"] = agg["customers"].fillna(0).astype("int64")
    n = len(f)
    agg["share"] = agg["customers"] / n if n else np.nan
    agg.index.name = "segment"
    return agg.reset_index()[cols]


def score_grid(result: RFMResult, y: str = "recency", x: str = "frequency") -> tuple[np.ndarray, np.ndarray]:
    """Counts and mean monetary of customers per (y score, x score) cell.

    Returns ``(counts, mean_monetary)``, both ``bins x bins`` with row ``i`` = y score ``i + 1``
    and column ``j`` = x score ``j + 1``; empty cells have count 0 and mean NaN.
    """
    b = result.bins
    f = result.frame
    yi = f[SCORE_COLUMNS[y]].astype("int64").to_numpy() - 1
    xi = f[SCORE_COLUMNS[x]].astype("int64").to_numpy() - 1
    counts = np.zeros((b, b), dtype="int64")
    sums = np.zeros((b, b), dtype="float64")
    np.add.at(counts, (yi, xi), 1)
    np.add.at(sums, (yi, xi), f["monetary"].to_numpy(dtype="float64"))
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    return counts, mean


def score_ranges(result: RFMResult) -> pd.DataFrame:
    """What each score means in the data: measure, score, customers, min and max of the measure."""
    rows = []
    src = {"recency": "recency_days", "frequency": "frequency", "monetary": "monetary"}
    for m in result.available:
        col = result.frame[src[m]].astype("float64")
        s = result.frame[SCORE_COLUMNS[m]]
        for score in range(result.bins, 0, -1):
            sel = col[(s == score).to_numpy()]
            rows.append({"measure": m, "score": score, "customers": int(len(sel)),
                         "min": float(sel.min()) if len(sel) else np.nan,
                         "max": float(sel.max()) if len(sel) else np.nan})
    return pd.DataFrame(rows, columns=["measure", "score", "customers", "min", "max"])


def tier_crosstab(frame: pd.DataFrame, tiers: pd.DataFrame, order: list[str] | None = None) -> pd.DataFrame:
    """Customers per tier (rows, top tier first) and segment (columns, in ``order``).

    ``frame``: an RFM frame with customer_id and segment; ``tiers``: customer_id, tier, tier_name
    (``ui.tier_view.customer_tiers``). Only customers present in both are counted. The index is
    the tier name; a final column ``total`` holds the row sums.
    """
    m = frame[["customer_id", "segment"]].merge(tiers[["customer_id", "tier", "tier_name"]], on="customer_id")
    m = m[m["segment"].notna()]
    order = list(order) if order is not None else list(dict.fromkeys(m["segment"]))
    names = tiers.drop_duplicates("tier").sort_values("tier")[["tier", "tier_name"]]
    ct = pd.crosstab(m["tier"], m["segment"]).reindex(index=names["tier"], columns=order, fill_value=0)
    ct = ct.fillna(0).astype("int64")
    ct.index = list(names["tier_name"])
    ct["total"] = ct.sum(axis=1)
    ct.columns.name = None
    return ct


def segments_frame(customers: pd.DataFrame, as_of=None, monetary: str = "revenue", bins: int = DEFAULT_BINS,
                   breaks: dict | None = None, rules=None) -> pd.DataFrame:
    """For the CLI: customer_id, recency_days, frequency, monetary, r_score, f_score, m_score,
    segment (code) of every scored customer. See ``compute`` for the parameters."""
    res = compute(customers, as_of=as_of, monetary=monetary, bins=bins, breaks=breaks, rules=rules)
    return res.frame[["customer_id", "recency_days", "frequency", "monetary", "r_score", "f_score",
                      "m_score", "segment"]].copy()
