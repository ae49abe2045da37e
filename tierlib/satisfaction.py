"""Satisfaction surveys: importance-performance analysis (IPA) and the satisfaction index.

A survey scores service attributes (on-time delivery, fabric quality, ...) on *importance* and
on *satisfaction*, optionally also on *expected* and *perceived* value. It comes in one of two
forms, detected from the headers (zh/en synonyms) and overridable by the caller:

* **long**: one row per respondent and attribute -- ``respondent, [customer_id], attribute,
  importance, satisfaction, [expected], [perceived]``;
* **wide**: one row per respondent, one column per attribute and measure -- ``交货及时_重要性``,
  ``交货及时_满意度``, ``On-time delivery - importance``, ``Importance: Price``, ...

:func:`read_survey` reads and tidies a file into a :class:`Survey` (always long);
:func:`analyze` gives per-attribute means with 95% confidence intervals (Student t), the
crosshairs and the quadrant of each attribute; :func:`analyze_by_tier` repeats it per customer
tier for respondents whose customer id matches the loaded customers.

Rules (tested in ``tests/test_satisfaction.py``):

* Scale: 1-5, 1-7 or 1-10. :func:`detect_scale` takes the smallest of these that holds the
  largest rating found. Ratings outside ``1..scale`` are dropped and counted, never clipped.
* Confidence interval: ``mean ± t(0.975, n-1) * s / sqrt(n)`` with the sample standard deviation
  ``s`` (ddof 1); ``n < 2`` gives no interval.
* Crosshairs: ``"mean"`` -- the grand means, i.e. the mean of the attribute means (each attribute
  counts once, whatever its number of answers), over the attributes that have both an importance
  and a satisfaction mean; ``"midpoint"`` -- the middle of the scale, ``(1 + scale) / 2``.
* Quadrant: a mean **at or above** its crosshair counts as *high* (a tolerance of 1e-9 keeps
  floating-point noise from flipping an attribute that sits on the line). High importance + low
  satisfaction = ``improve`` (急需改进); high + high = ``keep`` (继续保持); low + low =
  ``low_priority`` (不占优先地位); low importance + high satisfaction = ``nice_extra`` (锦上添花).
* Satisfaction index = perceived ÷ expected: per attribute the mean perceived over the mean
  expected of the answers that carry both; overall the same over all such answers (a ratio of
  means, so one tiny expectation cannot blow it up). None when the expected mean is 0 or absent.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from tierlib import io as tio
from tierlib.charts import FONT_FAMILY, GRID, NEUTRAL, TRANSPARENT
from tierlib.io import InputError
from tierlib.parsing import parse_number, parse_text
from tierlib.schema import SYNONYMS as DATA_SYNONYMS
from tierlib.schema import normalize_header

FORMS = ("long", "wide")
MEASURES = ("importance", "satisfaction", "expected", "perceived")
#: Columns of the long form besides the measures.
ID_ROLES = ("respondent", "customer_id")
LONG_ROLES = ("respondent", "customer_id", "attribute", *MEASURES)
REQUIRED_MEASURES = ("importance", "satisfaction")
SCALES = (5, 7, 10)
CROSSHAIRS = ("mean", "midpoint")
QUADRANTS = ("improve", "keep", "low_priority", "nice_extra")
#: Colours of the quadrants in charts (improve urgently stands out).
QUADRANT_COLORS = {"improve": "#d62728", "keep": "#2ca02c", "low_priority": "#7f7f7f",
                   "nice_extra": "#1f77b4"}
CONFIDENCE = 0.95
TIE_TOLERANCE = 1e-9

#: Header synonyms of the long form (compared after :func:`tierlib.schema.normalize_header`).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "respondent": ("受访者", "受访者编号", "受访者id", "答卷编号", "问卷编号", "答卷id", "问卷id", "样本编号",
                   "回答者", "填写人", "序号", "respondent", "respondentid", "responseid", "response",
                   "surveyid", "answerid", "id", "no"),
    "customer_id": DATA_SYNONYMS["customer_id"],
    "attribute": ("评价项目", "评价因素", "评价指标", "服务项目", "项目", "属性", "指标", "因素", "要素",
                  "题目", "attribute", "item", "factor", "aspect", "dimension", "question", "feature"),
    "importance": ("重要性", "重要程度", "重要度", "重要性评分", "重要性得分", "importance", "imp",
                   "importancescore", "importancerating"),
    "satisfaction": ("满意度", "满意程度", "满意度评分", "满意度得分", "满意", "表现", "绩效", "satisfaction",
                     "sat", "performance", "satisfactionscore", "satisfactionrating"),
    "expected": ("期望值", "期望", "预期", "期望得分", "expected", "expectation", "expectations",
                 "expectedvalue"),
    "perceived": ("感受值", "感受", "感知", "感知值", "实际感受", "perceived", "perception", "perceivedvalue",
                  "experience"),
}

#: Measure words of the wide form, as they appear before or after the attribute name. Longest
#: first so that "满意度" wins over "满意".
WIDE_MEASURE_WORDS: dict[str, tuple[str, ...]] = {
    "importance": ("重要性评分", "重要程度", "重要性", "重要度", "importance", "imp"),
    "satisfaction": ("满意度评分", "满意程度", "满意度", "满意", "satisfaction", "performance", "sat"),
    "expected": ("期望值", "期望", "预期", "expectation", "expected"),
    "perceived": ("感受值", "感知值", "感受", "感知", "perception", "perceived"),
}
_WORDS = sorted(((w, m) for m, ws in WIDE_MEASURE_WORDS.items() for w in ws), key=lambda p: -len(p[0]))
_WHOLE_MEASURE_WORDS = {normalize_header(w) for m in MEASURES
                        for w in (*WIDE_MEASURE_WORDS[m], *SYNONYMS[m])}
_SEP = " \t_-–—:：/|·.、,，"
_OPEN, _CLOSE = "(（[【{<《", ")）]】}>》"


# ------------------------------------------------------------------------------------------
# Student t quantile (no scipy needed)

def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the regularized incomplete beta (modified Lentz)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 400):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-15:
            break
    return h


def _betainc(a: float, b: float, x: float) -> float:
    """Regularized incomplete beta I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    lbt = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(lbt) * _betacf(a, b, x) / a
    return 1.0 - math.exp(lbt) * _betacf(b, a, 1.0 - x) / b


def t_cdf(t: float, df: float) -> float:
    """Cumulative distribution function of Student's t with ``df`` degrees of freedom."""
    if df <= 0:
        raise ValueError("df must be positive")
    x = df / (df + t * t)
    tail = 0.5 * _betainc(df / 2.0, 0.5, x)
    return 1.0 - tail if t >= 0 else tail


def t_quantile(p: float, df: float) -> float:
    """The ``p`` quantile of Student's t (bisection on :func:`t_cdf`, about 1e-12 accurate).

    ``t_quantile(0.975, 1)`` is 12.7062..., ``t_quantile(0.975, 4)`` is 2.7764...
    """
    if not 0.0 < p < 1.0:
        raise ValueError("p must be in (0, 1)")
    if p == 0.5:
        return 0.0
    if p < 0.5:
        return -t_quantile(1.0 - p, df)
    lo, hi = 0.0, 1.0
    while t_cdf(hi, df) < p:
        lo, hi = hi, hi * 2.0
    for _ in range(200):
        mid = (lo + hi) / 2.0
        if t_cdf(mid, df) < p:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-13 * max(1.0, hi):
            break
    return (lo + hi) / 2.0


def mean_ci(values, level: float = CONFIDENCE) -> dict:
    """Mean and two-sided confidence interval of the finite values (Student t).

    Parameters
    ----------
    values : array-like of float
        NaN values are ignored.
    level : float
        Confidence level, 0.95 by default.

    Returns
    -------
    dict
        ``n`` (int), ``mean``, ``sd`` (ddof 1), ``lo``, ``hi`` (floats). ``mean`` is None when
        ``n == 0``; ``sd``, ``lo`` and ``hi`` are None when ``n < 2``.
    """
    x = np.asarray(values, dtype="float64")
    x = x[np.isfinite(x)]
    n = int(x.size)
    if n == 0:
        return {"n": 0, "mean": None, "sd": None, "lo": None, "hi": None}
    mean = float(x.mean())
    if n < 2:
        return {"n": n, "mean": mean, "sd": None, "lo": None, "hi": None}
    sd = float(x.std(ddof=1))
    half = t_quantile((1 + level) / 2, n - 1) * sd / math.sqrt(n)
    return {"n": n, "mean": mean, "sd": sd, "lo": mean - half, "hi": mean + half}


# ------------------------------------------------------------------------------------------
# Layout detection

@dataclass
class Layout:
    """Where the survey's data sit in the file.

    Attributes
    ----------
    form : str
        ``"long"`` or ``"wide"``.
    roles : dict
        ``{role: column}``. Long form: any of :data:`LONG_ROLES`; wide form: ``respondent``
        and ``customer_id`` only. A role that is absent is simply not a key.
    measures : dict
        Wide form only: ``{column: (attribute, measure)}`` with ``measure`` in
        :data:`MEASURES`; columns not listed are ignored.
    """

    form: str
    roles: dict = field(default_factory=dict)
    measures: dict = field(default_factory=dict)

    def attributes(self) -> list[str]:
        """Wide form: the attribute names in column order."""
        seen: dict[str, None] = {}
        for attr, _ in self.measures.values():
            seen.setdefault(attr, None)
        return list(seen)


def _clean_header(name: object) -> str:
    text = unicodedata.normalize("NFKC", str(name)).strip()
    return re.sub(r"\s+", " ", text)


def _strip_wrap(text: str) -> str:
    return text.strip(_SEP + " ")


def split_wide_header(name: object) -> tuple[str, str] | None:
    """``(attribute, measure)`` of a wide-form header, or None.

    The measure word may come after the attribute (``交货及时_重要性``, ``交货及时重要性``,
    ``On-time delivery - importance``, ``Price (satisfaction)``) or before it
    (``重要性_交货及时``, ``Importance: Price``). A Latin measure word must stand apart from
    the attribute (a separator, space or bracket between them); a Chinese one need not.
    """
    text = _clean_header(name)
    if not text or normalize_header(text) in _WHOLE_MEASURE_WORDS:
        return None  # a bare measure header ("满意度", "期望值") belongs to the long form
    low = text.lower()
    for word, measure in _WORDS:
        # suffix, possibly in brackets: "Price (importance)", "交货及时（满意度）"
        body = low.rstrip(_CLOSE + " ")
        if body.endswith(word):
            cut = len(body) - len(word)
            rest = text[:cut]
            if _apart(rest, word, before=True):
                attr = _strip_wrap(rest.rstrip(_OPEN + " "))
                if attr:
                    return attr, measure
        # prefix: "重要性_交货及时", "Importance: Price"
        if low.startswith(word):
            rest = text[len(word):]
            if _apart(rest, word, before=False):
                attr = _strip_wrap(rest)
                attr = attr.strip(_OPEN + _CLOSE + " ")
                if attr:
                    return attr, measure
    return None


def _apart(rest: str, word: str, before: bool) -> bool:
    """A Latin measure word needs a non-alphanumeric neighbour on the attribute side."""
    if not rest:
        return False
    if not word.isascii():
        return True
    neighbour = rest[-1] if before else rest[0]
    return not neighbour.isalnum() or not neighbour.isascii()


def _match_role(columns: list[str], role: str, taken: set[str], exact_only: bool = False) -> str | None:
    syns = SYNONYMS[role]
    best = None
    for c_rank, col in enumerate(columns):
        if col in taken:
            continue
        norm = normalize_header(col)
        if not norm:
            continue
        for s_rank, syn in enumerate(syns):
            if norm == syn:
                cand = (0, s_rank, c_rank, col)
            elif (not exact_only and len(syn) >= 2 and syn in norm
                  and not (syn.isascii() and len(syn) < 4)):
                cand = (1, len(norm) - len(syn), c_rank, col)
            else:
                continue
            if best is None or cand[:3] < best[:3]:
                best = cand
    return None if best is None else best[3]


def _detect_long(columns: list[str], skip: set[str]) -> dict:
    roles: dict[str, str] = {}
    taken = set(skip)
    # Measures first (most specific words), then the attribute, then the ids.
    for role in ("importance", "satisfaction", "expected", "perceived", "attribute", "customer_id",
                 "respondent"):
        col = _match_role(columns, role, taken, exact_only=role in ID_ROLES)
        if col is not None:
            roles[role] = col
            taken.add(col)
    return roles


def _detect_wide(columns: list[str]) -> tuple[dict, dict]:
    measures: dict[str, tuple[str, str]] = {}
    used: set[tuple[str, str]] = set()
    for col in columns:
        split = split_wide_header(col)
        if split is None or split in used:
            continue
        measures[col] = split
        used.add(split)
    taken = set(measures)
    roles = {}
    for role in ("customer_id", "respondent"):
        col = _match_role(columns, role, taken, exact_only=True)
        if col is not None:
            roles[role] = col
            taken.add(col)
    return roles, measures


def _complete_attributes(measures: dict) -> list[str]:
    have: dict[str, set] = {}
    for attr, m in measures.values():
        have.setdefault(attr, set()).add(m)
    return [a for a, ms in have.items() if set(REQUIRED_MEASURES) <= ms]


def detect_layout(columns, form: str | None = None) -> Layout:
    """Guess the survey's form and columns from its headers.

    Parameters
    ----------
    columns : list of str
        The headers, in file order.
    form : {"long", "wide"}, optional
        Force a form; by default the wide form is chosen when at least one attribute has both an
        importance and a satisfaction column, else the long form.

    Returns
    -------
    Layout

    Raises
    ------
    InputError
        ``satisfaction.no_layout`` when neither form is complete (the long form needs an
        attribute, an importance and a satisfaction column).
    """
    columns = [str(c) for c in columns]
    roles_w, measures = _detect_wide(columns)
    wide_ok = bool(_complete_attributes(measures))
    if form == "wide" or (form is None and wide_ok):
        if not wide_ok:
            raise InputError("satisfaction.no_layout", form="wide")
        return Layout("wide", roles_w, measures)
    roles = _detect_long(columns, set())
    if not {"attribute", *REQUIRED_MEASURES} <= set(roles):
        raise InputError("satisfaction.no_layout", form="long")
    return Layout("long", roles, {})


def check_layout(layout: Layout, columns) -> None:
    """Raise ``InputError`` when a (user-edited) layout is incomplete or names unknown columns."""
    columns = [str(c) for c in columns]
    if layout.form not in FORMS:
        raise InputError("satisfaction.no_layout", form=str(layout.form))
    for col in [*layout.roles.values(), *layout.measures]:
        if col not in columns:
            raise InputError("satisfaction.unknown_column", column=str(col))
    used = list(layout.roles.values()) + (list(layout.measures) if layout.form == "wide" else [])
    if len(set(used)) != len(used):
        raise InputError("satisfaction.column_twice")
    if layout.form == "long":
        missing = [r for r in ("attribute", *REQUIRED_MEASURES) if r not in layout.roles]
        if missing:
            raise InputError("satisfaction.missing_role", role=missing[0])
    else:
        for m in layout.measures.values():
            if m[1] not in MEASURES or not str(m[0]).strip():
                raise InputError("satisfaction.bad_measure", column=str(m))
        if not _complete_attributes(layout.measures):
            raise InputError("satisfaction.no_layout", form="wide")


# ------------------------------------------------------------------------------------------
# Tidying

@dataclass
class Survey:
    """A survey in long form, ready for analysis.

    Attributes
    ----------
    data : pandas.DataFrame
        ``respondent`` (str), ``customer_id`` (str, NaN when unknown), ``attribute`` (str),
        ``importance``, ``satisfaction``, ``expected``, ``perceived`` (float64, NaN when not
        given). One row per respondent and attribute; rows with no rating at all are dropped.
    layout : Layout
    attributes : list of str
        In file order.
    rows_read : int
        Data rows of the file.
    bad_cells : int
        Rating cells that were present but not numbers (they count as missing).
    has_customer_ids : bool
    has_index : bool
        Whether expected and perceived values were given.
    """

    data: pd.DataFrame
    layout: Layout
    attributes: list[str]
    rows_read: int
    bad_cells: int = 0

    @property
    def has_customer_ids(self) -> bool:
        return bool(self.data["customer_id"].notna().any())

    @property
    def has_index(self) -> bool:
        return bool((self.data["expected"].notna() & self.data["perceived"].notna()).any())

    @property
    def respondents(self) -> int:
        return int(self.data["respondent"].nunique())


def tidy(frame: pd.DataFrame, layout: Layout, line_numbers=None) -> Survey:
    """Turn the raw cells of a survey into a :class:`Survey` (long form).

    Parameters
    ----------
    frame : pandas.DataFrame
        Raw cells (as :func:`tierlib.io.read_table` gives them).
    layout : Layout
        From :func:`detect_layout`, possibly edited.
    line_numbers : array-like of int, optional
        The file line of each row; used as the respondent id when no respondent column is
        mapped (wide form: one respondent per row). Defaults to ``1..len(frame)``.

    Raises
    ------
    InputError
        The layout errors of :func:`check_layout`; ``satisfaction.no_ratings`` when no rating
        is left.
    """
    check_layout(layout, frame.columns)
    n = len(frame)
    lines = np.arange(1, n + 1) if line_numbers is None else np.asarray(line_numbers)
    bad_cells = 0

    def ids(role: str, fallback) -> pd.Series:
        col = layout.roles.get(role)
        if col is None:
            return pd.Series(fallback, dtype="str") if fallback is not None else \
                pd.Series([np.nan] * n, dtype="str")
        values, _ = parse_text(frame[col].reset_index(drop=True))
        return values

    def number(col: str) -> np.ndarray:
        nonlocal bad_cells
        values, _, bad = parse_number(frame[col].reset_index(drop=True))
        bad_cells += int(bad.sum())
        return values.to_numpy(dtype="float64")

    cust = ids("customer_id", None)
    if layout.form == "long":
        resp = ids("respondent", None)
        if "respondent" not in layout.roles:
            # Without a respondent column a customer id identifies the respondent, else the line.
            resp = cust.where(cust.notna(), pd.Series([f"#{i}" for i in lines], dtype="str"))
        attr, attr_missing = parse_text(frame[layout.roles["attribute"]].reset_index(drop=True))
        data = pd.DataFrame({"respondent": resp, "customer_id": cust, "attribute": attr})
        for m in MEASURES:
            col = layout.roles.get(m)
            data[m] = number(col) if col is not None else np.nan
        data = data[~attr_missing.to_numpy()]
    else:
        resp = ids("respondent", [f"#{i}" for i in lines])
        resp = resp.where(resp.notna(), pd.Series([f"#{i}" for i in lines], dtype="str"))
        parts = []
        for attr_name in layout.attributes():
            part = pd.DataFrame({"respondent": resp, "customer_id": cust,
                                 "attribute": pd.Series([attr_name] * n, dtype="str")})
            for m in MEASURES:
                cols = [c for c, (a, mm) in layout.measures.items() if a == attr_name and mm == m]
                part[m] = number(cols[0]) if cols else np.nan
            parts.append(part)
        data = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(LONG_ROLES))
    rated = data[list(MEASURES)].notna().any(axis=1)
    data = data[rated].reset_index(drop=True)
    if data.empty:
        raise InputError("satisfaction.no_ratings")
    for m in MEASURES:
        data[m] = data[m].astype("float64")
    attrs = list(dict.fromkeys(data["attribute"].tolist()))
    return Survey(data=data, layout=layout, attributes=attrs, rows_read=n, bad_cells=bad_cells)


def read_survey(source, filename: str | None = None, sheet: str | None = None, form: str | None = None,
                layout: Layout | None = None, max_bytes: int | None = None) -> Survey:
    """Read a survey file (CSV/TSV/XLSX/XLS, any encoding, title rows allowed) and tidy it.

    Parameters
    ----------
    source, filename, sheet, max_bytes
        As for :func:`tierlib.io.read_table`.
    form : {"long", "wide"}, optional
        Force the form (see :func:`detect_layout`).
    layout : Layout, optional
        Use this layout instead of detecting one.

    Returns
    -------
    Survey

    Raises
    ------
    InputError
        From :func:`tierlib.io.read_table`, :func:`detect_layout` and :func:`tidy`.
    """
    raw = tio.read_table(source, filename=filename, sheet=sheet, max_bytes=max_bytes)
    lay = layout if layout is not None else detect_layout(list(raw.frame.columns), form)
    return tidy(raw.frame, lay, raw.line_numbers)


# ------------------------------------------------------------------------------------------
# Scale

def detect_scale(data: pd.DataFrame) -> int:
    """The rating scale: the smallest of 5, 7, 10 that holds the largest rating.

    Parameters
    ----------
    data : pandas.DataFrame
        ``Survey.data`` (any of the :data:`MEASURES` columns present are used).

    Raises
    ------
    InputError
        ``satisfaction.scale_unknown`` when the largest rating exceeds 10 or there is none.
    """
    cols = [m for m in MEASURES if m in data]
    values = data[cols].to_numpy(dtype="float64").ravel()
    values = values[np.isfinite(values)]
    if values.size == 0:
        raise InputError("satisfaction.no_ratings")
    top = float(values.max())
    for s in SCALES:
        if top <= s:
            return s
    raise InputError("satisfaction.scale_unknown", max=f"{top:g}")


def midpoint(scale: int) -> float:
    """The middle of a 1..scale rating scale."""
    return (1 + scale) / 2


def in_scale(data: pd.DataFrame, scale: int) -> tuple[pd.DataFrame, dict]:
    """Drop ratings outside ``1..scale`` (set to NaN).

    Returns
    -------
    data : pandas.DataFrame
        A copy; rows left with no rating are removed.
    dropped : dict
        ``{measure: count}`` of the ratings set aside.
    """
    if scale not in SCALES:
        raise InputError("satisfaction.scale_unknown", max=str(scale))
    out = data.copy()
    dropped = {}
    for m in MEASURES:
        v = out[m].to_numpy(dtype="float64")
        bad = np.isfinite(v) & ((v < 1) | (v > scale))
        dropped[m] = int(bad.sum())
        out.loc[bad, m] = np.nan
    out = out[out[list(MEASURES)].notna().any(axis=1)].reset_index(drop=True)
    return out, dropped


# ------------------------------------------------------------------------------------------
# Analysis

def is_high(value: float, crosshair: float) -> bool:
    """The tie rule: a mean at or above the crosshair (within 1e-9) is high."""
    return value >= crosshair - TIE_TOLERANCE


def quadrant(importance: float | None, satisfaction: float | None, x_importance: float,
             y_satisfaction: float) -> str | None:
    """The IPA quadrant of one attribute (None when a mean is missing).

    Parameters
    ----------
    importance, satisfaction : float or None
        The attribute's means.
    x_importance, y_satisfaction : float
        The crosshairs on the importance and on the satisfaction axis.
    """
    if importance is None or satisfaction is None or not (math.isfinite(importance)
                                                           and math.isfinite(satisfaction)):
        return None
    hi_imp = is_high(importance, x_importance)
    hi_sat = is_high(satisfaction, y_satisfaction)
    if hi_imp:
        return "keep" if hi_sat else "improve"
    return "nice_extra" if hi_sat else "low_priority"


def ratio_index(perceived, expected) -> dict:
    """Satisfaction index of paired answers: mean perceived ÷ mean expected.

    Only answers with both values count. Returns ``{"n", "perceived", "expected", "index"}``
    (None where undefined: no pairs, or an expected mean of 0).
    """
    p = np.asarray(perceived, dtype="float64")
    e = np.asarray(expected, dtype="float64")
    both = np.isfinite(p) & np.isfinite(e)
    n = int(both.sum())
    if n == 0:
        return {"n": 0, "perceived": None, "expected": None, "index": None}
    pm, em = float(p[both].mean()), float(e[both].mean())
    return {"n": n, "perceived": pm, "expected": em, "index": pm / em if em != 0 else None}


def attribute_table(data: pd.DataFrame, attributes: list[str] | None = None,
                    level: float = CONFIDENCE) -> pd.DataFrame:
    """Per-attribute means and confidence intervals.

    Parameters
    ----------
    data : pandas.DataFrame
        ``Survey.data`` (already limited to the scale).
    attributes : list of str, optional
        Row order; default: order of first appearance.

    Returns
    -------
    pandas.DataFrame
        One row per attribute: ``attribute``, ``respondents``, and for ``importance`` and
        ``satisfaction`` the columns ``<m>_n``, ``<m>`` (mean), ``<m>_lo``, ``<m>_hi``
        (NaN when n < 2); ``gap`` = satisfaction − importance; ``expected``, ``perceived``
        (means over the paired answers), ``index_n`` and ``index`` (perceived ÷ expected).
    """
    attrs = attributes if attributes is not None else list(dict.fromkeys(data["attribute"].tolist()))
    rows = []
    groups = {a: g for a, g in data.groupby("attribute", sort=False)}
    for a in attrs:
        g = groups.get(a)
        if g is None:
            continue
        row = {"attribute": a, "respondents": int(g["respondent"].nunique())}
        for m in REQUIRED_MEASURES:
            ci = mean_ci(g[m].to_numpy(), level)
            row[f"{m}_n"] = ci["n"]
            row[m] = np.nan if ci["mean"] is None else ci["mean"]
            row[f"{m}_lo"] = np.nan if ci["lo"] is None else ci["lo"]
            row[f"{m}_hi"] = np.nan if ci["hi"] is None else ci["hi"]
        row["gap"] = row["satisfaction"] - row["importance"]
        ri = ratio_index(g["perceived"].to_numpy(), g["expected"].to_numpy())
        row["expected"] = np.nan if ri["expected"] is None else ri["expected"]
        row["perceived"] = np.nan if ri["perceived"] is None else ri["perceived"]
        row["index_n"] = ri["n"]
        row["index"] = np.nan if ri["index"] is None else ri["index"]
        rows.append(row)
    cols = ["attribute", "respondents"] + [f"{m}{s}" for m in REQUIRED_MEASURES for s in ("_n", "", "_lo", "_hi")] \
        + ["gap", "expected", "perceived", "index_n", "index"]
    return pd.DataFrame(rows, columns=cols)


def crosshairs(table: pd.DataFrame, mode: str, scale: int) -> tuple[float | None, float | None]:
    """``(importance, satisfaction)`` crosshair positions.

    ``mode="mean"``: the mean of the attribute means over attributes with both means (None when
    there is none); ``mode="midpoint"``: ``(1 + scale) / 2`` on both axes.
    """
    if mode == "midpoint":
        m = midpoint(scale)
        return m, m
    if mode != "mean":
        raise ValueError(f"unknown crosshair mode {mode!r}")
    both = table[["importance", "satisfaction"]].dropna()
    if both.empty:
        return None, None
    return float(both["importance"].mean()), float(both["satisfaction"].mean())


@dataclass
class Analysis:
    """One importance-performance analysis.

    Attributes
    ----------
    table : pandas.DataFrame
        :func:`attribute_table` plus ``quadrant`` (a key of :data:`QUADRANTS` or None).
    scale : int
    mode : str
        Crosshair mode, ``"mean"`` or ``"midpoint"``.
    x_importance, y_satisfaction : float or None
        Crosshair positions.
    respondents : int
    index : dict
        Overall satisfaction index (:func:`ratio_index` over all paired answers).
    """

    table: pd.DataFrame
    scale: int
    mode: str
    x_importance: float | None
    y_satisfaction: float | None
    respondents: int
    index: dict

    def in_quadrant(self, key: str) -> list[str]:
        """Attributes of one quadrant, the most important first."""
        t = self.table[self.table["quadrant"] == key].sort_values(
            ["importance", "satisfaction"], ascending=[False, True], kind="stable")
        return t["attribute"].tolist()


def analyze(data: pd.DataFrame, scale: int, mode: str = "mean", attributes: list[str] | None = None,
            level: float = CONFIDENCE) -> Analysis:
    """Importance-performance analysis of a survey.

    Parameters
    ----------
    data : pandas.DataFrame
        ``Survey.data``. Ratings outside ``1..scale`` are dropped first (see :func:`in_scale`).
    scale : int
        5, 7 or 10.
    mode : {"mean", "midpoint"}
        Where the crosshairs sit.
    attributes : list of str, optional
        Row order of the table.

    Returns
    -------
    Analysis
    """
    if mode not in CROSSHAIRS:
        raise ValueError(f"unknown crosshair mode {mode!r}")
    clean, _ = in_scale(data, scale)
    table = attribute_table(clean, attributes, level)
    x, y = crosshairs(table, mode, scale)
    table["quadrant"] = [
        None if x is None else quadrant(_f(i), _f(s), x, y)
        for i, s in zip(table["importance"], table["satisfaction"])
    ]
    index = ratio_index(clean["perceived"].to_numpy(), clean["expected"].to_numpy())
    return Analysis(table=table, scale=scale, mode=mode, x_importance=x, y_satisfaction=y,
                    respondents=int(clean["respondent"].nunique()), index=index)


def _f(v) -> float | None:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)


# ------------------------------------------------------------------------------------------
# Per tier

@dataclass
class TierAnalysis:
    """The survey split by customer tier.

    Attributes
    ----------
    tiers : list of dict
        Top tier first, one per tier that has matched answers: ``tier`` (1 = top),
        ``tier_name``, ``respondents``, ``analysis`` (:class:`Analysis`).
    matched_respondents : int
        Respondents whose customer id is a loaded customer.
    unmatched_respondents : int
        Respondents with a customer id that is not among the loaded customers.
    without_id : int
        Respondents with no customer id.
    """

    tiers: list[dict]
    matched_respondents: int
    unmatched_respondents: int
    without_id: int

    def quadrant_matrix(self) -> pd.DataFrame:
        """``attribute`` × tier name -> quadrant key (None when the tier did not rate it)."""
        cols = {}
        attrs: dict[str, None] = {}
        for t in self.tiers:
            tab = t["analysis"].table
            for a in tab["attribute"]:
                attrs.setdefault(a, None)
            cols[t["tier_name"]] = dict(zip(tab["attribute"], tab["quadrant"]))
        out = pd.DataFrame({"attribute": list(attrs)})
        for name, m in cols.items():
            out[name] = [m.get(a) for a in out["attribute"]]
        return out


def analyze_by_tier(data: pd.DataFrame, customer_tiers: pd.DataFrame, scale: int, mode: str = "mean",
                    attributes: list[str] | None = None) -> TierAnalysis:
    """Repeat :func:`analyze` for the respondents of each customer tier.

    Parameters
    ----------
    data : pandas.DataFrame
        ``Survey.data``.
    customer_tiers : pandas.DataFrame
        ``customer_id`` (str), ``tier`` (int, 1 = top), ``tier_name``: one row per loaded
        customer (``ui.tier_view.customer_tiers``).
    scale, mode, attributes
        As for :func:`analyze`. With ``mode="mean"`` each tier's crosshairs are that tier's own
        grand means (what matters most *to that tier*).

    Returns
    -------
    TierAnalysis
    """
    ct = customer_tiers[["customer_id", "tier", "tier_name"]].copy()
    ct["customer_id"] = ct["customer_id"].astype("str")
    has_id = data["customer_id"].notna()
    merged = data[has_id].merge(ct, on="customer_id", how="left")
    matched = merged[merged["tier"].notna()]
    resp_with_id = set(data.loc[has_id, "respondent"])
    resp_matched = set(matched["respondent"])
    resp_all = set(data["respondent"])
    out = []
    names = ct.drop_duplicates("tier").set_index("tier")["tier_name"].to_dict()
    for tier in sorted(int(t) for t in matched["tier"].unique()):
        part = matched[matched["tier"] == tier][list(LONG_ROLES)]
        an = analyze(part, scale, mode, attributes)
        out.append({"tier": tier, "tier_name": str(names.get(tier, tier)),
                    "respondents": an.respondents, "analysis": an})
    return TierAnalysis(tiers=out, matched_respondents=len(resp_matched),
                        unmatched_respondents=len(resp_with_id - resp_matched),
                        without_id=len(resp_all - resp_with_id))


# ------------------------------------------------------------------------------------------
# Charts

def quadrant_figure(an: Analysis, labels: dict, height: int = 520) -> go.Figure:
    """The importance-performance chart: satisfaction across, importance up.

    Parameters
    ----------
    an : Analysis
    labels : dict
        User-facing words: ``x`` (satisfaction axis title), ``y`` (importance axis title),
        ``quadrants`` ({key: name}), ``hover`` (template with ``{attribute}``, ``{imp}``,
        ``{sat}``, ``{imp_ci}``, ``{sat_ci}``, ``{n}``, ``{quadrant}``), ``no_ci`` (text when
        a mean has no interval), ``crosshair`` (legend name of the crosshairs, optional).

    Returns
    -------
    plotly.graph_objects.Figure
        One scatter trace per quadrant present (error bars = 95% CI), crosshair lines as
        layout shapes and the four quadrant names as annotations in the corners
        (top left = improve urgently).
    """
    tab = an.table.dropna(subset=["importance", "satisfaction"])
    qnames = labels.get("quadrants", {})
    hover = labels.get("hover", "{attribute}<br>{imp} / {sat}")
    no_ci = labels.get("no_ci", "-")
    xr, yr = _range(tab, "satisfaction", an.y_satisfaction, an.scale), _range(tab, "importance",
                                                                             an.x_importance, an.scale)
    positions = label_positions(tab["satisfaction"].to_numpy(dtype="float64"),
                                tab["importance"].to_numpy(dtype="float64"),
                                [str(a) for a in tab["attribute"]], xr, yr)
    pos_of = dict(zip(tab.index, positions))
    fig = go.Figure()
    for key in QUADRANTS:
        part = tab[tab["quadrant"] == key]
        if part.empty:
            continue
        texts = []
        for _, r in part.iterrows():
            texts.append(hover.format(
                attribute=r["attribute"], imp=f"{r['importance']:.2f}", sat=f"{r['satisfaction']:.2f}",
                imp_ci=_ci_text(r["importance_lo"], r["importance_hi"], no_ci),
                sat_ci=_ci_text(r["satisfaction_lo"], r["satisfaction_hi"], no_ci),
                n=int(r["respondents"]), quadrant=qnames.get(key, key)))
        fig.add_trace(go.Scatter(
            x=part["satisfaction"], y=part["importance"], mode="markers+text", name=qnames.get(key, key),
            text=part["attribute"], textposition=[pos_of[i] for i in part.index], textfont=dict(size=12),
            marker=dict(size=11, color=QUADRANT_COLORS[key], line=dict(width=1, color="#ffffff")),
            error_x=_err(part, "satisfaction"), error_y=_err(part, "importance"),
            hovertext=texts, hoverinfo="text", cliponaxis=False,
        ))
    if an.x_importance is not None:
        fig.add_shape(type="line", x0=xr[0], x1=xr[1], y0=an.x_importance, y1=an.x_importance,
                      line=dict(color=NEUTRAL, dash="dash", width=1))
        fig.add_shape(type="line", y0=yr[0], y1=yr[1], x0=an.y_satisfaction, x1=an.y_satisfaction,
                      line=dict(color=NEUTRAL, dash="dash", width=1))
    corners = {"improve": (0.01, 0.99, "left", "top"), "keep": (0.99, 0.99, "right", "top"),
               "low_priority": (0.01, 0.01, "left", "bottom"), "nice_extra": (0.99, 0.01, "right", "bottom")}
    for key, (x, y, xa, ya) in corners.items():
        fig.add_annotation(x=x, y=y, xref="paper", yref="paper", xanchor=xa, yanchor=ya, showarrow=False,
                           text=f"<b>{qnames.get(key, key)}</b>", font=dict(color=QUADRANT_COLORS[key], size=13),
                           opacity=0.85)
    fig.update_layout(
        height=height, autosize=True, paper_bgcolor=TRANSPARENT, plot_bgcolor=TRANSPARENT,
        font=dict(family=FONT_FAMILY, color=NEUTRAL, size=12), margin=dict(l=60, r=20, t=30, b=55),
        hoverlabel=dict(font=dict(family=FONT_FAMILY), namelength=-1),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0),
        showlegend=False,
    )
    fig.update_xaxes(title_text=labels.get("x", "satisfaction"), range=xr, gridcolor=GRID, zeroline=False)
    fig.update_yaxes(title_text=labels.get("y", "importance"), range=yr, gridcolor=GRID, zeroline=False)
    return fig


_POSITIONS = ("top center", "bottom center", "middle right", "middle left", "top right", "top left",
              "bottom right", "bottom left")


def label_positions(xs, ys, texts: list[str], xr: list[float], yr: list[float]) -> list[str]:
    """A text position per point so that labels overlap each other (and other markers) less.

    Greedy: points from the top of the chart down take the first of :data:`_POSITIONS` whose
    estimated label box (in fractions of the plot: ~1.6% of the width per character, 5% of the
    height) hits no label placed before and no marker; else ``"top center"``.
    """
    w = max(xr[1] - xr[0], 1e-9)
    h = max(yr[1] - yr[0], 1e-9)
    px = [(x - xr[0]) / w for x in xs]
    py = [(y - yr[0]) / h for y in ys]
    boxes: list[tuple[float, float, float, float]] = []
    marks = [(x - 0.012, y - 0.02, x + 0.012, y + 0.02) for x, y in zip(px, py)]
    out = [""] * len(px)
    for i in sorted(range(len(px)), key=lambda k: (-py[k], px[k])):
        width = 0.016 * max(len(texts[i]), 2) * (1.0 if any(ord(c) > 0x2e80 for c in texts[i]) else 0.55)
        height = 0.05
        chosen = None
        for pos in _POSITIONS:
            vert, horiz = pos.split()
            x0 = {"center": px[i] - width / 2, "right": px[i] + 0.012, "left": px[i] - 0.012 - width}[horiz]
            y0 = {"top": py[i] + 0.02, "bottom": py[i] - 0.02 - height, "middle": py[i] - height / 2}[vert]
            box = (x0, y0, x0 + width, y0 + height)
            others = [m for j, m in enumerate(marks) if j != i]
            if not any(_overlap(box, b) for b in boxes + others):
                chosen = (pos, box)
                break
        if chosen is None:
            x0 = px[i] - width / 2
            chosen = ("top center", (x0, py[i] + 0.02, x0 + width, py[i] + 0.02 + height))
        out[i] = chosen[0]
        boxes.append(chosen[1])
    return out


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _ci_text(lo, hi, no_ci: str) -> str:
    if lo is None or hi is None or not (np.isfinite(lo) and np.isfinite(hi)):
        return no_ci
    return f"{lo:.2f}–{hi:.2f}"


def _err(part: pd.DataFrame, m: str) -> dict:
    mean = part[m].to_numpy(dtype="float64")
    plus = np.nan_to_num(part[f"{m}_hi"].to_numpy(dtype="float64") - mean, nan=0.0)
    minus = np.nan_to_num(mean - part[f"{m}_lo"].to_numpy(dtype="float64"), nan=0.0)
    return dict(type="data", symmetric=False, array=plus, arrayminus=minus, color="rgba(128,128,128,0.6)",
                thickness=1.2, width=3)


def _range(tab: pd.DataFrame, m: str, cross: float | None, scale: int) -> list[float]:
    """Axis range around the data, the intervals and the crosshair, within 0.5..scale+0.5."""
    vals = [v for v in np.concatenate([tab[m].to_numpy(dtype="float64"), tab[f"{m}_lo"].to_numpy(dtype="float64"),
                                       tab[f"{m}_hi"].to_numpy(dtype="float64")]) if np.isfinite(v)]
    if cross is not None:
        vals.append(cross)
    if not vals:
        return [0.5, scale + 0.5]
    lo, hi = min(vals), max(vals)
    pad = max((hi - lo) * 0.12, 0.05 * scale / 5)
    return [max(0.5, lo - pad), min(scale + 0.5, hi + pad)]


def index_figure(table: pd.DataFrame, overall: float | None, labels: dict, height: int = 380) -> go.Figure:
    """Satisfaction index per attribute (perceived ÷ expected) as horizontal bars with a line at 1.

    ``labels``: ``x`` (axis title), ``overall`` (template with ``{v}`` for the overall line).
    Bars below 1 (expectations not met) are red, others green.
    """
    t = table.dropna(subset=["index"]).sort_values("index", kind="stable")
    colors = ["#d62728" if v < 1 else "#2ca02c" for v in t["index"]]
    fig = go.Figure(go.Bar(
        x=t["index"], y=t["attribute"], orientation="h", marker=dict(color=colors),
        text=[f"{v:.2f}" for v in t["index"]], textposition="outside", cliponaxis=False,
        hovertemplate="%{y}: %{x:.3f}<extra></extra>"))
    fig.add_vline(x=1.0, line=dict(color=NEUTRAL, dash="dash", width=1))
    if overall is not None:
        fig.add_vline(x=overall, line=dict(color="#ff7f0e", width=2),
                      annotation_text=labels.get("overall", "{v:.2f}").format(v=overall),
                      annotation_position="top", annotation_font=dict(color="#ff7f0e"))
    top = max([1.0, *t["index"].tolist(), overall or 0]) * 1.12
    fig.update_layout(
        height=max(height, 40 * len(t) + 90), autosize=True, paper_bgcolor=TRANSPARENT, plot_bgcolor=TRANSPARENT,
        font=dict(family=FONT_FAMILY, color=NEUTRAL, size=12), margin=dict(l=10, r=20, t=40, b=45),
        showlegend=False)
    fig.update_xaxes(title_text=labels.get("x", ""), range=[0, top], gridcolor=GRID, zeroline=False)
    fig.update_yaxes(automargin=True)
    return fig
