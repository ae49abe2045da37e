"""Tiering: rank customers by a value, cut the ranking into tiers, summarise each tier.

The customers are sorted once (value descending, ties by customer id ascending — numerically
when every id is all digits) and cumulative arrays are kept (``Ranked``), so that recomputing
the tiers for a new set of cutoffs costs O(tiers), not O(customers).

Pyramid rule: cuts are cumulative percentages of customers; the boundary after tier i is
``k_i = floor(N * c_i / 100 + 1/2)``, computed exactly with fractions (N = 23570 and 5% give
1178.5, which rounds up to 1179).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import pandas as pd

from tierlib.i18n import t
from tierlib.io import InputError
from tierlib.schema import MONEY_SCALE, units_to_float

DEFAULT_CUTS = (1, 5, 20)
DEFAULT_TIER_KEYS = ("tier.vip", "tier.major", "tier.ordinary", "tier.small")
VALUES = ("profit", "revenue", "orders", "score", "clv")
#: Values held as integer money units (1/MONEY_SCALE); "clv" is the predicted lifetime value.
MONEY_VALUES = ("profit", "revenue", "clv")
SCHEMES = ("pyramid", "value-share", "thresholds", "quantile")
#: Default weights of the weighted score: recency, frequency, revenue, profit.
DEFAULT_SCORE_WEIGHTS = {"recency": 1.0, "frequency": 1.0, "revenue": 1.0, "profit": 1.0}
MIN_TIERS, MAX_TIERS = 2, 6
CONCENTRATION_POINTS = (1, 5, 20)


def to_fraction(x) -> Fraction:
    """An exact fraction from an int, a float (via its shortest decimal text) or a string."""
    if isinstance(x, Fraction):
        return x
    if isinstance(x, float):
        return Fraction(repr(x))
    return Fraction(str(x).strip())


def count_at(n: int, pct) -> int:
    """``floor(n * pct / 100 + 1/2)``, exactly."""
    value = Fraction(n) * to_fraction(pct) / 100 + Fraction(1, 2)
    return int(value.numerator // value.denominator)


def validate_cuts(cuts) -> list[Fraction]:
    """Cumulative percentage cuts: 1 to 5 of them, strictly increasing, each in (0, 100)."""
    fr = [to_fraction(c) for c in cuts]
    if not (MIN_TIERS - 1 <= len(fr) <= MAX_TIERS - 1):
        raise InputError("tiers.bad_cut_count", min=MIN_TIERS - 1, max=MAX_TIERS - 1)
    for c in fr:
        if not (0 < c < 100):
            raise InputError("tiers.cut_out_of_range", cut=_fmt(c))
    if any(b <= a for a, b in zip(fr, fr[1:])):
        raise InputError("tiers.cuts_not_increasing", cuts=", ".join(_fmt(c) for c in fr))
    return fr


def pyramid_bounds(n: int, cuts) -> list[int]:
    """Boundaries ``[k_1, ..., k_{T-1}]``: tier i holds ranks ``k_{i-1} <= r < k_i`` (0-based)."""
    return [count_at(n, c) for c in validate_cuts(cuts)]


def default_names(n_tiers: int, lang: str) -> list[str]:
    """The textbook names for four tiers; numbered names otherwise."""
    if n_tiers == len(DEFAULT_TIER_KEYS):
        return [t(k, lang) for k in DEFAULT_TIER_KEYS]
    return [t("tier.numbered", lang, n=i + 1) for i in range(n_tiers)]


def sort_key_for_ids(ids: pd.Series) -> np.ndarray:
    """A key that sorts customer ids ascending: numerically when every id is all digits."""
    text = ids.astype(str).to_numpy(dtype=object)
    if len(text) and all(s.isdigit() and s.isascii() for s in text):
        width = max(len(s) for s in text)
        return np.array([s.lstrip("0").rjust(width, "0") for s in text], dtype=object)
    return text


def rank_order(ids: pd.Series, values: np.ndarray) -> np.ndarray:
    """Indices that sort customers by value descending, ties by id ascending."""
    key = sort_key_for_ids(ids)
    # np.lexsort sorts by the last key first; ids are ranked as dense integers to keep it numeric.
    id_rank = pd.Series(key).rank(method="dense").to_numpy()
    return np.lexsort((id_rank, -np.asarray(values, dtype="float64")))


@dataclass
class Ranked:
    """Customers sorted by the tiering value, with cumulative sums for O(tiers) tier summaries."""

    customers: pd.DataFrame  # sorted; adds rank (1-based) and value
    value: str
    cum_value: np.ndarray  # length N+1, cum_value[k] = sum of the first k values
    cum_revenue: np.ndarray | None
    cum_profit: np.ndarray | None
    cum_orders: np.ndarray | None
    memo: dict = field(default_factory=dict, repr=False)  # per-ranking results that cuts don't change

    @property
    def n(self) -> int:
        return len(self.customers)

    @property
    def total_value(self):
        return self.cum_value[-1]


def _cum(values) -> np.ndarray:
    arr = np.asarray(values)
    out = np.zeros(len(arr) + 1, dtype=arr.dtype if arr.dtype.kind in "iu" else "float64")
    np.cumsum(arr, out=out[1:])
    return out


def score(customers: pd.DataFrame, weights: dict | None = None, as_of=None) -> np.ndarray:
    """Weighted score 0..100 over normalised recency, frequency, revenue and profit.

    Each component is turned into its percentile rank among the customers (ties share the
    average rank; a more recent last order ranks higher), so outliers cannot dominate. The score
    is ``100 * sum(w_i * pr_i) / sum(w_i)`` over the components the data have; missing ones are
    skipped. ``as_of`` (default: the latest order date in the data) sets recency.
    """
    w = dict(DEFAULT_SCORE_WEIGHTS, **(weights or {}))
    parts, total_w = np.zeros(len(customers)), 0.0
    comps = {}
    if "last_order" in customers and customers["last_order"].notna().any():
        last = pd.to_datetime(customers["last_order"])
        ref = pd.Timestamp(as_of) if as_of is not None else last.max()
        comps["recency"] = -(ref - last).dt.days.astype("float64")
    if "orders" in customers and customers["orders"].notna().any():
        comps["frequency"] = customers["orders"].astype("float64")
    for m in ("revenue", "profit"):
        if customers[m].notna().any():
            comps[m] = customers[m].astype("float64")
    for name, series in comps.items():
        weight = float(w.get(name, 0) or 0)
        if weight <= 0:
            continue
        pr = series.rank(method="average", pct=True, na_option="bottom").fillna(0).to_numpy()
        parts += weight * pr
        total_w += weight
    if total_w == 0:
        raise InputError("tiers.no_score_weights")
    return np.round(100 * parts / total_w, 6)


def rank(customers: pd.DataFrame, value: str = "profit", weights: dict | None = None, as_of=None) -> Ranked:
    """Sort customers for tiering by ``value`` ("profit", "revenue", "orders" or "score").

    ``customers`` is the per-customer table of ``Engine.customers`` (money in integer units).
    ``weights``/``as_of`` configure the weighted score (see ``score``).
    """
    if value not in VALUES:
        raise InputError("tiers.unknown_value", value=value, values=", ".join(VALUES))
    if len(customers) == 0:
        raise InputError("io.no_data_rows")
    if value == "score":
        customers = customers.assign(score=score(customers, weights, as_of))
    if value not in customers:
        raise InputError(f"tiers.no_{value}")
    col = customers[value]
    if col.isna().all():
        raise InputError(f"tiers.no_{value}")
    has_profit = not customers["profit"].isna().all()
    has_revenue = not customers["revenue"].isna().all()
    vals = col.fillna(0).to_numpy(dtype="int64" if value in MONEY_VALUES else "float64")
    order = rank_order(customers["customer_id"], vals)
    df = customers.iloc[order].reset_index(drop=True)
    df.insert(0, "rank", np.arange(1, len(df) + 1, dtype="int64"))
    df["value"] = vals[order]
    return Ranked(
        customers=df,
        value=value,
        cum_value=_cum(df["value"].to_numpy()),
        cum_revenue=_cum(df["revenue"].fillna(0).to_numpy(dtype="int64")) if has_revenue else None,
        cum_profit=_cum(df["profit"].fillna(0).to_numpy(dtype="int64")) if has_profit else None,
        cum_orders=_cum(df["orders"].fillna(0).to_numpy(dtype="float64")) if "orders" in df else None,
    )


def _share(part, total) -> float | None:
    if total == 0:
        return None
    return float(part) / float(total)


def segment_row(ranked: Ranked, name: str, a: int, b: int) -> dict:
    """Figures of the customers ranked ``a <= r < b`` (0-based) from the cumulative arrays.

    Money comes out as floats rounded to the cent; shares are fractions of the whole data set
    (None when the total is zero or the measure is unknown).
    """
    n = ranked.n
    row = {"name": name, "customers": b - a, "customer_share": (b - a) / n if n else None}
    rev = prof = orders = None
    if ranked.cum_revenue is not None:
        rev = int(ranked.cum_revenue[b] - ranked.cum_revenue[a])
        row["revenue"] = units_to_float(rev)
        row["revenue_share"] = _share(rev, ranked.cum_revenue[-1])
    else:
        row["revenue"] = row["revenue_share"] = None
    if ranked.cum_profit is not None:
        prof = int(ranked.cum_profit[b] - ranked.cum_profit[a])
        row["profit"] = units_to_float(prof)
        row["profit_share"] = _share(prof, ranked.cum_profit[-1])
    else:
        row["profit"] = row["profit_share"] = None
    row["value_share"] = _share(ranked.cum_value[b] - ranked.cum_value[a], ranked.total_value)
    if ranked.cum_orders is not None:
        orders = float(ranked.cum_orders[b] - ranked.cum_orders[a])
    count = b - a
    row["orders"] = orders
    row["profit_per_customer"] = prof / MONEY_SCALE / count if prof is not None and count else None
    row["orders_per_customer"] = orders / count if orders is not None and count else None
    row["avg_order_value"] = rev / MONEY_SCALE / orders if rev is not None and orders else None
    row["margin"] = prof / rev if prof is not None and rev else None
    return row


def tier_table(ranked: Ranked, bounds: list[int], names: list[str]) -> list[dict]:
    """Per-tier figures (top tier first), O(tiers) thanks to the cumulative arrays."""
    if len(names) != len(bounds) + 1:
        raise InputError("tiers.names_count", names=len(names), tiers=len(bounds) + 1)
    edges = [0, *bounds, ranked.n]
    return [segment_row(ranked, name, edges[i], edges[i + 1]) for i, name in enumerate(names)]


def gini(sorted_desc_values: np.ndarray) -> float | None:
    """Gini coefficient of the values (any order of input is fine; negatives allowed).

    ``G = sum_i (2i - n - 1) x_(i) / (n * sum x)`` over values sorted ascending, i = 1..n.
    None when the total is zero. With negative values G can exceed 1.
    """
    x = np.sort(np.asarray(sorted_desc_values, dtype="float64"))
    n = len(x)
    total = x.sum()
    if n == 0 or total == 0:
        return None
    i = np.arange(1, n + 1, dtype="float64")
    return float(((2 * i - n - 1) * x).sum() / (n * total))


def concentration(ranked: Ranked) -> dict:
    """Top 1/5/20% shares of the tiering value (k(p) by the pyramid rounding rule) and the Gini.

    Computed once per ranking (it does not depend on the cutoffs).
    """
    if "concentration" in ranked.memo:
        return dict(ranked.memo["concentration"])
    out = {}
    for p in CONCENTRATION_POINTS:
        k = count_at(ranked.n, p)
        out[f"top_{p}pct_share"] = _share(ranked.cum_value[k], ranked.total_value)
    out["gini"] = gini(ranked.customers["value"].to_numpy())
    ranked.memo["concentration"] = dict(out)
    return out


def assign(ranked: Ranked, bounds: list[int], names: list[str]) -> pd.DataFrame:
    """The graded customer list: rank order, tier number (1 = top), tier name, cumulative shares."""
    df = ranked.customers.copy()
    tier_idx = np.searchsorted(np.asarray(bounds, dtype="int64"), np.arange(ranked.n), side="right")
    df.insert(1, "tier", tier_idx + 1)
    df.insert(2, "tier_name", np.asarray(names, dtype=object)[tier_idx])
    df["cum_customer_share"] = np.arange(1, ranked.n + 1) / ranked.n
    total = ranked.total_value
    df["cum_value_share"] = ranked.cum_value[1:] / total if total != 0 else np.nan
    return df


@dataclass
class Grading:
    """Everything one grading produces; the CLI summary, the pages and the reports read it."""

    ranked: Ranked
    scheme: str
    cuts: list
    bounds: list[int]
    names: list[str]
    tiers: list[dict]
    concentration: dict

    @property
    def value(self) -> str:
        return self.ranked.value

    def graded(self) -> pd.DataFrame:
        return assign(self.ranked, self.bounds, self.names)

    def head(self, k: int) -> pd.DataFrame:
        """The first ``k`` graded rows (rank order) without grading everyone."""
        k = min(k, self.ranked.n)
        df = self.ranked.customers.iloc[:k].copy()
        idx = np.searchsorted(np.asarray(self.bounds, dtype="int64"), np.arange(k), side="right")
        df.insert(1, "tier", idx + 1)
        df.insert(2, "tier_name", np.asarray(self.names, dtype=object)[idx])
        df["cum_customer_share"] = np.arange(1, k + 1) / self.ranked.n
        total = self.ranked.total_value
        df["cum_value_share"] = self.ranked.cum_value[1:k + 1] / total if total != 0 else np.nan
        return df

    def tier_slice(self, tier: int) -> pd.DataFrame:
        """The graded rows of one tier (1 = top) without grading everyone: O(tier size)."""
        edges = [0, *self.bounds, self.ranked.n]
        a, b = edges[tier - 1], edges[tier]
        df = self.ranked.customers.iloc[a:b].copy()
        df.insert(1, "tier", tier)
        df.insert(2, "tier_name", self.names[tier - 1])
        n = self.ranked.n
        df["cum_customer_share"] = np.arange(a + 1, b + 1) / n
        total = self.ranked.total_value
        df["cum_value_share"] = self.ranked.cum_value[a + 1:b + 1] / total if total != 0 else np.nan
        return df

    def totals(self) -> dict:
        r = self.ranked
        return {
            "revenue": None if r.cum_revenue is None else units_to_float(int(r.cum_revenue[-1])),
            "profit": None if r.cum_profit is None else units_to_float(int(r.cum_profit[-1])),
        }


def value_share_bounds(ranked: Ranked, cuts) -> list[int]:
    """ABC / Pareto: boundary i is the smallest k with cumulative value(k) >= c_i% of the total."""
    fr = validate_cuts(cuts)
    total = ranked.total_value
    if not total > 0:
        raise InputError("tiers.value_share_nonpositive")
    cum = ranked.cum_value[1:]
    bounds = []
    for c in fr:
        if cum.dtype.kind in "iu":  # exact: integer cum >= c% of total <=> cum >= ceil(c * total / 100)
            target = c * int(total) / 100
            hit = cum >= -(-target.numerator // target.denominator)
        else:
            hit = cum * 100 >= float(c) * total
        idx = np.flatnonzero(np.asarray(hit, dtype=bool))
        bounds.append(int(idx[0]) + 1 if len(idx) else ranked.n)
    return bounds


def threshold_bounds(ranked: Ranked, cuts) -> list[int]:
    """Absolute thresholds, descending: tier 1 = value >= c_1, tier 2 = value >= c_2, ..."""
    fr = [to_fraction(c) for c in cuts]
    if not (MIN_TIERS - 1 <= len(fr) <= MAX_TIERS - 1):
        raise InputError("tiers.bad_cut_count", min=MIN_TIERS - 1, max=MAX_TIERS - 1)
    if any(b >= a for a, b in zip(fr, fr[1:])):
        raise InputError("tiers.thresholds_not_decreasing", cuts=", ".join(_fmt(c) for c in fr))
    vals = ranked.customers["value"].to_numpy()
    scale = MONEY_SCALE if ranked.value in MONEY_VALUES else 1
    neg = -vals.astype("float64")
    bounds = []
    for c in fr:
        limit = c * scale
        # value >= limit; integer money: value >= ceil(limit) exactly.
        if vals.dtype.kind in "iu":
            lim = -(-limit.numerator // limit.denominator)
            bounds.append(int(np.searchsorted(neg, -float(lim), side="right")))
        else:
            bounds.append(int(np.searchsorted(neg, -float(limit), side="right")))
    return bounds


def quantile_bounds(n: int, cuts) -> list[int]:
    """``cuts = [t]``: t equal-count tiers, ``k_i = floor(N * i / t + 1/2)``."""
    if len(cuts) != 1:
        raise InputError("tiers.quantile_needs_count")
    t_count = to_fraction(cuts[0])
    if t_count.denominator != 1 or not (MIN_TIERS <= t_count <= MAX_TIERS):
        raise InputError("tiers.bad_tier_count", min=MIN_TIERS, max=MAX_TIERS)
    t_int = int(t_count)
    out = []
    for i in range(1, t_int):
        v = Fraction(n * i, t_int) + Fraction(1, 2)
        out.append(int(v.numerator // v.denominator))
    return out


def bounds_for(ranked: Ranked, scheme: str, cuts) -> list[int]:
    """Rank boundaries for any scheme."""
    if scheme == "pyramid":
        return pyramid_bounds(ranked.n, cuts)
    if scheme == "value-share":
        return value_share_bounds(ranked, cuts)
    if scheme == "thresholds":
        return threshold_bounds(ranked, cuts)
    if scheme == "quantile":
        return quantile_bounds(ranked.n, cuts)
    raise InputError("tiers.unknown_scheme", scheme=scheme, schemes=", ".join(SCHEMES))


def grade(customers: pd.DataFrame | Ranked, value: str = "profit", cuts=DEFAULT_CUTS, names=None,
          lang: str = "zh", scheme: str = "pyramid", weights: dict | None = None) -> Grading:
    """Rank and tier customers.

    Parameters
    ----------
    customers : DataFrame or Ranked
        The per-customer table (``Engine.customers``), or an already ranked one (fast path for
        interactive cutoff changes: O(tiers)).
    value : {"profit", "revenue", "orders", "score"}
    cuts : sequence
        pyramid: cumulative % of customers; value-share: cumulative % of value; thresholds:
        absolute values, descending; quantile: ``[number of tiers]``.
    names : list of str, optional
        Tier names, top tier first (defaults depend on ``lang``).
    """
    ranked = customers if isinstance(customers, Ranked) else rank(customers, value, weights)
    bounds = bounds_for(ranked, scheme, list(cuts))
    names = list(names) if names else default_names(len(bounds) + 1, lang)
    return Grading(
        ranked=ranked,
        scheme=scheme,
        cuts=[_num(c) for c in cuts],
        bounds=bounds,
        names=names,
        tiers=tier_table(ranked, bounds, names),
        concentration=concentration(ranked),
    )


def _num(c):
    f = to_fraction(c)
    return int(f) if f.denominator == 1 else float(f)


def _fmt(c: Fraction) -> str:
    return str(_num(c))


def changes(ranked: Ranked, old_bounds: list[int], new_bounds: list[int]) -> dict:
    """How many customers (and how much profit and value) change tier between two sets of bounds.

    Both bound lists refer to the same ranking. O(tiers): the ranking is cut at the union of the
    boundaries, and each piece is compared by its tier under the old and the new bounds.
    """
    old = np.asarray(old_bounds, dtype="int64")
    new = np.asarray(new_bounds, dtype="int64")
    points = sorted({0, ranked.n, *old.tolist(), *new.tolist()})
    moved, profit, value = 0, 0, 0
    for a, b in zip(points, points[1:]):
        if a == b:
            continue
        if np.searchsorted(old, a, side="right") != np.searchsorted(new, a, side="right"):
            moved += b - a
            if ranked.cum_profit is not None:
                profit += int(ranked.cum_profit[b] - ranked.cum_profit[a])
            value += ranked.cum_value[b] - ranked.cum_value[a]
    return {
        "customers": moved,
        "customer_share": moved / ranked.n if ranked.n else None,
        "profit": units_to_float(profit) if ranked.cum_profit is not None else None,
        "value_share": _share(value, ranked.total_value),
    }


def median_days_since_last_order(ranked: Ranked, bounds: list[int], as_of=None) -> list[float | None]:
    """Per tier, the median number of days from each customer's last order to ``as_of``.

    ``as_of`` defaults to the latest order date in the data (never "now").
    """
    if "last_order" not in ranked.customers or ranked.customers["last_order"].isna().all():
        return [None] * (len(bounds) + 1)
    memo_key = ("days_since_last", None if as_of is None else str(as_of))
    days = ranked.memo.get(memo_key)
    if days is None:
        last = pd.to_datetime(ranked.customers["last_order"])
        ref = pd.Timestamp(as_of) if as_of is not None else last.max()
        days = (ref - last).dt.days.to_numpy(dtype="float64")
        ranked.memo[memo_key] = days
    edges = [0, *bounds, ranked.n]
    out = []
    for a, b in zip(edges, edges[1:]):
        part = days[a:b]
        part = part[~np.isnan(part)]
        out.append(float(np.median(part)) if len(part) else None)
    return out
