"""Customer lifetime value: BG/NBD purchase counts, Gamma-Gamma spend, discounted CLV.

The models
----------
* **BG/NBD** (Fader, Hardie & Lee 2005, "Counting your customers the easy way", *Marketing
  Science* 24(2)): while alive a customer buys at rate ``lambda ~ Gamma(r, alpha)``; after each
  repeat purchase the customer drops out for good with probability ``p ~ Beta(a, b)``. Fitted by
  maximum likelihood on ``(x, t_x, T)``; gives the expected number of purchases in the next ``t``
  time units ``E[Y(t) | x, t_x, T]``, ``P(alive | x, t_x, T)`` and, for a new customer, ``E[X(t)]``.
* **Gamma-Gamma** (Fader, Hardie & Lee 2005, "RFM and CLV: using iso-value curves for customer
  base analysis", *Journal of Marketing Research* 42(4)): the value of a transaction is
  ``Gamma(p, nu)`` around the customer's mean ``p / nu`` with ``nu ~ Gamma(q, gamma)``; fitted on the
  customers with at least one repeat purchase and a positive average repeat value. It gives the
  expected average transaction value ``E[M | x, m_x] = (gamma p + p x m_x) / (p x + q - 1)``.

Conventions of the summary (the same in SQL, ``tierlib/sql/clv_summary.sql``, and in the
pandas-free numpy path ``summarize``)
------------------------------------
* Only lines dated on or before the calibration end (inclusive) are used for fitting.
* A *purchase* is a customer-day: all lines and orders of one customer on one day are merged
  into one transaction. A day counts as a purchase when it has at least one line whose value is
  ``>= 0`` (revenue, or profit when the data have no revenue); days with only negative lines
  (returns, credit notes) are not purchases. Zero-value lines (free items) are purchases.
* The value of a purchase is the sum of its non-negative lines. Returns are left out of the spend
  model; they are in the historical value (net revenue / profit to date).
* The first purchase is not a repeat: ``x`` = purchase days after the first one; ``t_x`` = time
  from the first to the last purchase; ``T`` = time from the first purchase to the calibration
  end, in the chosen time unit (``TIME_UNITS``: day = 1, week = 7, month = 365.25 / 12 days).
* The Gamma-Gamma input ``m_x`` is the average value of the *repeat* purchases only (the first
  purchase is left out, as in the literature).
* Who is left out of the spend fit, and what they get: customers with ``x = 0`` (no repeat) and
  customers whose average repeat value is not positive (all repeats free, or non-finite values
  passed to the array functions) are not used to fit Gamma-Gamma and get the population mean
  ``E[M] = p gamma / (q - 1)``. Customers with lines but no purchase at all (returns only) are not
  in the model: ``customer_clv_frame`` gives them a CLV of 0.

CLV
---
``CLV = margin * E[M] * sum_{k=1..H} (E[Y(k months)] - E[Y(k-1 months)]) / (1 + d)^k``: the
expected purchases of each of the next ``H`` months, discounted at the monthly rate ``d`` at the
end of each month, times the expected average value. With ``margin = 1`` on revenue data the CLV
is in revenue terms; a margin (the data's profit / revenue, or one the user sets) turns it into
profit terms. Shown beside it: the historical value (net profit, or revenue, to date) and the
simple retention formula ``m r / (1 + d - r)`` (Gupta & Lehmann 2003) with ``m`` the customer's
average yearly value so far.

This module never imports streamlit; user-facing words are i18n keys (``clv.warn.*``).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, special

from tierlib.io import InputError
from tierlib.schema import MONEY_SCALE

#: Length of each time unit in days.
TIME_UNITS = {"day": 1.0, "week": 7.0, "month": 365.25 / 12}
MONTH_DAYS = 365.25 / 12
YEAR_DAYS = 365.25
DEFAULT_TIME_UNIT = "week"
DEFAULT_HORIZON_MONTHS = 12
DEFAULT_MONTHLY_DISCOUNT = 0.01
DEFAULT_RETENTION = 0.8
#: Warn when fewer customers than this have a repeat purchase.
MIN_REPEATERS = 50
#: Warn when the calibration history is shorter than this many median inter-purchase times.
MIN_HISTORY_GAPS = 3.0
#: Warn when |corr(x, m_x)| among repeaters exceeds this (Gamma-Gamma assumes independence).
MAX_SPEND_CORRELATION = 0.3
PERIODS = ("week", "month")
MEASURES = ("revenue", "profit")
_LOG_BOUND = 15.0  # parameters are optimised as logs within +/- this


# ------------------------------------------------------------------------------------------
# summary: transactions -> (x, t_x, T, m_x)

@dataclass(frozen=True)
class Summary:
    """Per-customer model inputs (one entry per customer with at least one purchase).

    Attributes
    ----------
    customer_id : ndarray of object
    x, t_x, T : ndarray of float64
        Repeat purchase days; time first -> last purchase; time first purchase -> calibration end.
    repeat_value : ndarray of float64
        Summed value of the repeat purchases (currency amounts); ``avg_value = repeat_value / x``.
    purchase_value : ndarray of float64
        Summed value of all purchases, the first included.
    first_day, last_day : ndarray of datetime64[D]
    revenue_to_date, profit_to_date : ndarray of float64
        Net amounts (returns included) up to the calibration end; NaN when the data lack them.
    calibration_end : datetime64[D]
    time_unit : str
    measure : str
        ``revenue`` or ``profit``: the value that defines purchases and their value.
    no_purchase_ids : ndarray of object
        Customers with lines up to the calibration end but no purchase (returns only).
    """

    customer_id: np.ndarray
    x: np.ndarray
    t_x: np.ndarray
    T: np.ndarray
    repeat_value: np.ndarray
    purchase_value: np.ndarray
    first_day: np.ndarray
    last_day: np.ndarray
    revenue_to_date: np.ndarray
    profit_to_date: np.ndarray
    calibration_end: np.datetime64
    time_unit: str
    measure: str = "revenue"
    no_purchase_ids: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=object))
    return_lines: int = 0

    @property
    def n(self) -> int:
        return int(len(self.x))

    @property
    def repeaters(self) -> int:
        return int(np.count_nonzero(self.x > 0))

    @property
    def unit_days(self) -> float:
        return TIME_UNITS[self.time_unit]

    @property
    def avg_value(self) -> np.ndarray:
        """Average repeat transaction value ``m_x`` (NaN when ``x = 0``)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.x > 0, self.repeat_value / np.where(self.x > 0, self.x, 1), np.nan)

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame({"customer_id": self.customer_id, "x": self.x, "t_x": self.t_x, "T": self.T,
                             "avg_value": self.avg_value, "first_purchase": self.first_day,
                             "last_purchase": self.last_day})


def _unit_days(time_unit: str) -> float:
    if time_unit not in TIME_UNITS:
        raise InputError("clv.bad_time_unit", unit=time_unit)
    return TIME_UNITS[time_unit]


def _day(value) -> np.datetime64:
    """A date-like (date, datetime, Timestamp, datetime64, "YYYY-MM-DD[...]") -> numpy day."""
    if value is None:
        raise ValueError("a date is required")
    if isinstance(value, str):
        value = value.strip()[:10]
    elif isinstance(value, dt.datetime):
        value = value.date()
    return np.datetime64(value, "D")


def summary_from_engine(engine, calibration_end, time_unit: str = DEFAULT_TIME_UNIT,
                        measure: str = "revenue") -> Summary:
    """Summary computed in SQL (``tierlib/sql/clv_summary.sql``) from the engine's ``tx`` table.

    Parameters
    ----------
    engine : tierlib.engine.Engine
        Holds ``tx`` (canonical columns; money in units of 1/MONEY_SCALE).
    calibration_end : date-like
        Last day (inclusive) of the calibration period.
    time_unit : {"day", "week", "month"}
    measure : {"revenue", "profit"}
        The value that defines purchases and their value (revenue unless the data lack it).
    """
    unit = _unit_days(time_unit)
    if measure not in MEASURES:
        raise ValueError(measure)
    cal = _day(calibration_end)
    df = engine.query("clv_summary", {"calibration_end": cal.astype(dt.date), "unit_days": unit,
                                      "measure": measure})
    model = df["first_day"].notna().to_numpy()
    m = df[model]
    return Summary(
        customer_id=m["customer_id"].to_numpy(dtype=object),
        x=m["x"].to_numpy(dtype="float64"),
        t_x=m["t_x"].to_numpy(dtype="float64"),
        T=m["T"].to_numpy(dtype="float64"),
        repeat_value=m["repeat_value"].to_numpy(dtype="float64") / MONEY_SCALE,
        purchase_value=m["purchase_value"].to_numpy(dtype="float64") / MONEY_SCALE,
        first_day=m["first_day"].to_numpy().astype("datetime64[D]"),
        last_day=m["last_day"].to_numpy().astype("datetime64[D]"),
        revenue_to_date=m["revenue_to_date"].to_numpy(dtype="float64", na_value=np.nan) / MONEY_SCALE,
        profit_to_date=m["profit_to_date"].to_numpy(dtype="float64", na_value=np.nan) / MONEY_SCALE,
        calibration_end=cal,
        time_unit=time_unit,
        measure=measure,
        no_purchase_ids=df.loc[~model, "customer_id"].to_numpy(dtype=object),
        return_lines=int(df["return_lines"].sum()),
    )


def summarize(customer_id, order_date, value, calibration_end, time_unit: str = DEFAULT_TIME_UNIT,
              revenue=None, profit=None, measure: str = "revenue") -> Summary:
    """Pandas-free summary of transaction arrays (same conventions as the SQL).

    Parameters
    ----------
    customer_id : array-like
        One entry per transaction line.
    order_date : array-like of datetime64 (or anything ``np.asarray(..., "datetime64[D]")`` takes)
    value : array-like of float
        The line's value (currency amounts) that defines purchases: >= 0 purchase, < 0 return.
    calibration_end : date-like
        Last day (inclusive) of the calibration period; later lines are ignored.
    time_unit : {"day", "week", "month"}
    revenue, profit : array-like of float, optional
        Net line amounts for the historical value (NaN arrays when omitted).

    Returns
    -------
    Summary
        Customers sorted by id.
    """
    unit = _unit_days(time_unit)
    cal = _day(calibration_end)
    ids = np.asarray(customer_id, dtype=object)
    days = np.asarray(order_date).astype("datetime64[D]")
    val = np.asarray(value, dtype="float64")
    keep = ~np.isnat(days) & (days <= cal)
    ids, days, val = ids[keep], days[keep], val[keep]
    rev = np.full(len(ids), np.nan) if revenue is None else np.asarray(revenue, dtype="float64")[keep]
    prof = np.full(len(ids), np.nan) if profit is None else np.asarray(profit, dtype="float64")[keep]
    uniq, inv = np.unique(ids, return_inverse=True)
    k = len(uniq)
    rev_to_date = np.bincount(inv, weights=rev, minlength=k) if revenue is not None else np.full(k, np.nan)
    prof_to_date = np.bincount(inv, weights=prof, minlength=k) if profit is not None else np.full(k, np.nan)

    pos = val >= 0
    c, d, v = inv[pos], days[pos].astype("int64"), val[pos]
    order = np.lexsort((d, c))
    c, d, v = c[order], d[order], v[order]
    new = np.ones(len(c), dtype=bool)
    new[1:] = (c[1:] != c[:-1]) | (d[1:] != d[:-1])
    gid = np.cumsum(new) - 1
    day_value = np.bincount(gid, weights=v) if len(v) else np.empty(0)
    gc, gd = c[new], d[new]
    first = np.ones(len(gc), dtype=bool)
    first[1:] = gc[1:] != gc[:-1]
    last = np.ones(len(gc), dtype=bool)
    last[:-1] = gc[1:] != gc[:-1]
    count = np.bincount(gc, minlength=k)
    has = count > 0
    first_day = np.zeros(k, dtype="int64")
    last_day = np.zeros(k, dtype="int64")
    first_day[gc[first]] = gd[first]
    last_day[gc[last]] = gd[last]
    repeat_value = np.bincount(gc[~first], weights=day_value[~first], minlength=k)
    purchase_value = np.bincount(gc, weights=day_value, minlength=k)
    cal_i = cal.astype("int64")
    return Summary(
        customer_id=uniq[has],
        x=(count[has] - 1).astype("float64"),
        t_x=(last_day[has] - first_day[has]) / unit,
        T=(cal_i - first_day[has]) / unit,
        repeat_value=repeat_value[has],
        purchase_value=purchase_value[has],
        first_day=first_day[has].astype("datetime64[D]"),
        last_day=last_day[has].astype("datetime64[D]"),
        revenue_to_date=rev_to_date[has],
        profit_to_date=prof_to_date[has],
        calibration_end=cal,
        time_unit=time_unit,
        measure=measure,
        no_purchase_ids=uniq[~has],
        return_lines=int(np.count_nonzero(~pos)),
    )


# ------------------------------------------------------------------------------------------
# BG/NBD

def _as_float(*arrays):
    return [np.asarray(a, dtype="float64") for a in arrays]


def bgnbd_loglik(params, x, t_x, T) -> np.ndarray:
    """Per-customer BG/NBD log-likelihood ``ln L(r, alpha, a, b | x, t_x, T)``.

    FHL (2005) eq. (6), written as ``A1 + A2 + logaddexp(A3, A4)`` (A4 only when ``x > 0``):
    ``A1 = lnG(r+x) - lnG(r) + r ln(alpha)``, ``A2 = lnB(a, b+x) - lnB(a, b)``,
    ``A3 = -(r+x) ln(alpha+T)``, ``A4 = ln(a) - ln(b+x-1) - (r+x) ln(alpha+t_x)``.
    """
    r, alpha, a, b = (float(v) for v in params)
    x, t_x, T = _as_float(x, t_x, T)
    a1 = special.gammaln(r + x) - special.gammaln(r) + r * math.log(alpha)
    a2 = special.betaln(a, b + x) - special.betaln(a, b)
    a3 = -(r + x) * np.log(alpha + T)
    rep = x > 0
    a4 = np.where(rep, math.log(a) - np.log(np.where(rep, b + x - 1, 1.0)) - (r + x) * np.log(alpha + t_x),
                  -np.inf)
    return a1 + a2 + np.logaddexp(a3, a4)


class _BgNbdData:
    """Sufficient data for fast likelihood + gradient: terms that depend on x alone are computed
    once per distinct x; (x, t_x, T) triples are deduplicated with counts as weights."""

    def __init__(self, x, t_x, T, weights=None):
        x, t_x, T = _as_float(x, t_x, T)
        w = np.ones(len(x)) if weights is None else np.asarray(weights, dtype="float64")
        trip = np.column_stack([x, t_x, T])
        uniq, inv = np.unique(trip, axis=0, return_inverse=True)
        self.w = np.bincount(inv.ravel(), weights=w, minlength=len(uniq))
        self.x, self.t_x, self.T = uniq[:, 0], uniq[:, 1], uniq[:, 2]
        self.ux, self.ix = np.unique(self.x, return_inverse=True)
        self.ix = self.ix.ravel()
        self.rep = self.x > 0
        self.total = float(self.w.sum())

    def value_grad(self, theta):
        r, alpha, a, b = np.exp(theta)
        ux, ix, x, w, rep = self.ux, self.ix, self.x, self.w, self.rep
        # terms of distinct x
        a1u = special.gammaln(r + ux) - special.gammaln(r)
        a2u = special.betaln(a, b + ux) - special.betaln(a, b)
        psi_rx = special.digamma(r + ux) - special.digamma(r)
        psi_b = special.digamma(b + ux) - special.digamma(b)
        psi_ab = special.digamma(a + b) - special.digamma(a + b + ux)
        bx1 = np.where(ux > 0, b + ux - 1, 1.0)
        rx = r + x
        la_T = np.log(alpha + self.T)
        la_t = np.log(alpha + self.t_x)
        a3 = -rx * la_T
        a4 = np.where(rep, math.log(a) - np.log(bx1)[ix] - rx * la_t, -np.inf)
        lse = np.logaddexp(a3, a4)
        ll = a1u[ix] + r * math.log(alpha) + a2u[ix] + lse
        w4 = np.exp(a4 - lse)  # weight of the "dropped out after the last purchase" branch
        w3 = 1.0 - w4
        d_r = psi_rx[ix] + math.log(alpha) - w3 * la_T - w4 * la_t
        d_alpha = r / alpha - w3 * rx / (alpha + self.T) - w4 * rx / (alpha + self.t_x)
        d_a = psi_ab[ix] + w4 / a
        d_b = psi_b[ix] + psi_ab[ix] - w4 / bx1[ix]
        total = float(w @ ll)
        grad = np.array([r * (w @ d_r), alpha * (w @ d_alpha), a * (w @ d_a), b * (w @ d_b)])
        return total, grad


@dataclass(frozen=True)
class BgNbd:
    """A fitted BG/NBD model (parameters in the summary's time unit)."""

    r: float
    alpha: float
    a: float
    b: float
    loglik: float = float("nan")
    n: int = 0
    converged: bool = True
    method: str = ""
    time_unit: str = DEFAULT_TIME_UNIT

    @property
    def params(self) -> tuple[float, float, float, float]:
        return self.r, self.alpha, self.a, self.b

    def as_dict(self) -> dict:
        return {"r": self.r, "alpha": self.alpha, "a": self.a, "b": self.b, "loglik": self.loglik}

    def loglik_terms(self, x, t_x, T) -> np.ndarray:
        return bgnbd_loglik(self.params, x, t_x, T)

    def p_alive(self, x, t_x, T) -> np.ndarray:
        """``P(alive | x, t_x, T) = 1 / (1 + [x>0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x))``."""
        x, t_x, T = np.broadcast_arrays(*_as_float(x, t_x, T))
        rep = x > 0
        lr = np.where(rep, math.log(self.a) - np.log(np.where(rep, self.b + x - 1, 1.0))
                      + (self.r + x) * (np.log(self.alpha + T) - np.log(self.alpha + t_x)), -np.inf)
        return special.expit(-lr)

    def _alive_mean(self, t, x, T) -> np.ndarray:
        """``E[Y(t) | alive at T]`` = (a+b+x-1)/(a-1) [1 - (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z)],
        z = t / (alpha+T+t): FHL eq. (10) after Euler's transformation of the 2F1, whose first two
        parameters then no longer grow with x (accurate for heavy buyers)."""
        r, alpha, a, b = self.params
        if abs(a - 1.0) < 1e-9:  # removable singularity: step off it
            a = 1.0 + 1e-9
        c = a + b + x - 1
        z = t / (alpha + T + t)
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            h = special.hyp2f1(a + b - 1 - r, a - 1, c, z)
            log_part = (a - 1) * np.log1p(-z) + np.log(h)
            out = c / (a - 1) * -np.expm1(log_part)
        bad = ~np.isfinite(out) | (out < 0)
        if bad.any():  # 2F1 out of reach (e.g. r -> infinity, the Poisson limit): integrate instead
            out = np.where(bad, self._alive_mean_quadrature(t, x, T), out)
        return out

    def _alive_mean_quadrature(self, t, x, T, nodes: int = 96) -> np.ndarray:
        """The same expectation by Gauss-Jacobi quadrature over the dropout probability:
        given alive, lambda ~ Gamma(r+x, alpha+T) and p ~ Beta(a, b+x), and
        E[Y(t) | lambda, p] = (1 - exp(-lambda p t)) / p, so
        E = E_p[(1 - (1 + p t / (alpha+T))^-(r+x)) / p]."""
        r, alpha, a, b = self.params
        t, x, T = np.broadcast_arrays(t, x, T)
        out = np.empty(t.shape)
        for xv in np.unique(x):
            sel = x == xv
            # Jacobi weight (1-u)^(b+x-1) (1+u)^(a-1) on [-1, 1]; p = (1+u)/2 ~ Beta(a, b+x).
            u, w = special.roots_jacobi(nodes, b + xv - 1, a - 1)
            w = w / w.sum()
            pn = (1 + u) / 2
            k = pn[None, :] * (t[sel] / (alpha + T[sel]))[:, None]
            f = -np.expm1(-(r + xv) * np.log1p(k)) / pn[None, :]
            out[sel] = f @ w
        return out

    def expected_purchases(self, t, x, t_x, T) -> np.ndarray:
        """Conditional expectation ``E[Y(t) | x, t_x, T]`` of purchases in the next ``t`` time units."""
        t, x, t_x, T = np.broadcast_arrays(*_as_float(t, x, t_x, T))
        out = self.p_alive(x, t_x, T) * self._alive_mean(t, x, T)
        return np.where(t > 0, out, 0.0)

    def expected_new(self, t) -> np.ndarray:
        """``E[X(t)]``: expected purchases of a new customer in ``t`` time units after the first."""
        t = np.asarray(t, dtype="float64")
        return self.expected_purchases(t, 0.0, 0.0, 0.0)


def _start_bgnbd(x, T) -> np.ndarray:
    rate = max(float(np.sum(x)) / max(float(np.sum(T)), 1e-12), 1e-6)
    return np.log([1.0, 1.0 / rate, 1.0, 3.0])


def fit_bgnbd(x, t_x, T, start=None, time_unit: str = DEFAULT_TIME_UNIT) -> BgNbd:
    """Maximum-likelihood BG/NBD.

    Parameters are optimised as logs with L-BFGS-B and the analytic gradient; when that does
    not converge, Nelder-Mead continues from the best point. The objective is the mean negative
    log-likelihood per customer; ``loglik`` is the full sum over customers.

    Parameters
    ----------
    x, t_x, T : array-like
        Summary arrays (same time unit).
    start : sequence of 4 floats, optional
        Starting ``(r, alpha, a, b)``; by default r=1, alpha=1/(sum x / sum T), a=1, b=3.
    """
    x, t_x, T = _as_float(x, t_x, T)
    if len(x) == 0:
        raise InputError("clv.no_customers")
    if np.any(~np.isfinite(x) | ~np.isfinite(t_x) | ~np.isfinite(T)) or np.any(x < 0) or np.any(t_x > T + 1e-9):
        raise ValueError("invalid summary: need finite x >= 0 and t_x <= T")
    data = _BgNbdData(x, t_x, T)
    n = data.total

    def f(theta):
        val, grad = data.value_grad(theta)
        if not np.isfinite(val):
            return 1e300, np.zeros(4)
        return -val / n, -grad / n

    theta0 = np.log(np.asarray(start, dtype="float64")) if start is not None else _start_bgnbd(x, T)
    bounds = [(-_LOG_BOUND, _LOG_BOUND)] * 4
    res = optimize.minimize(f, theta0, jac=True, method="L-BFGS-B", bounds=bounds,
                            options={"maxiter": 2000, "ftol": 1e-13, "gtol": 1e-9})
    method, ok = "L-BFGS-B", bool(res.success)
    theta = res.x
    if not ok or not np.isfinite(res.fun):
        nm = optimize.minimize(lambda th: f(np.clip(th, -_LOG_BOUND, _LOG_BOUND))[0], theta, method="Nelder-Mead",
                               options={"maxiter": 20000, "xatol": 1e-8, "fatol": 1e-12})
        if np.isfinite(nm.fun) and (nm.fun <= res.fun or not np.isfinite(res.fun)):
            theta, method, ok = np.clip(nm.x, -_LOG_BOUND, _LOG_BOUND), "Nelder-Mead", bool(nm.success)
    r, alpha, a, b = np.exp(theta)
    ll = float(np.sum(bgnbd_loglik((r, alpha, a, b), x, t_x, T)))
    at_bound = bool(np.any(np.abs(theta) >= _LOG_BOUND - 1e-6))
    return BgNbd(float(r), float(alpha), float(a), float(b), loglik=ll, n=len(x), converged=ok and not at_bound,
                 method=method, time_unit=time_unit)


# ------------------------------------------------------------------------------------------
# Gamma-Gamma

def gamma_gamma_loglik(params, x, m) -> np.ndarray:
    """Per-customer Gamma-Gamma log-density of the average repeat value ``m_x`` of ``x`` purchases:

    ``lnG(px+q) - lnG(px) - lnG(q) + q ln(gamma) + (px-1) ln(m) + px ln(x) - (px+q) ln(gamma + x m)``
    (FHL 2005, RFM and CLV; the distribution of the mean of x Gamma(p, nu) values, nu ~ Gamma(q, gamma)).
    """
    p, q, g = (float(v) for v in params)
    x, m = _as_float(x, m)
    px = p * x
    return (special.gammaln(px + q) - special.gammaln(px) - special.gammaln(q) + q * math.log(g)
            + (px - 1) * np.log(m) + px * np.log(x) - (px + q) * np.log(g + x * m))


@dataclass(frozen=True)
class GammaGamma:
    """A fitted Gamma-Gamma spend model (values in currency amounts)."""

    p: float
    q: float
    gamma: float
    loglik: float = float("nan")
    n: int = 0
    converged: bool = True
    fallback_mean: float = float("nan")  # mean of the fitted m_x, used when q <= 1

    def as_dict(self) -> dict:
        return {"customers": self.n, "p": self.p, "q": self.q, "gamma": self.gamma, "loglik": self.loglik}

    @property
    def population_mean(self) -> float:
        """``E[M] = p gamma / (q - 1)`` (needs q > 1; else the plain mean of the fitted ``m_x``)."""
        return self.p * self.gamma / (self.q - 1) if self.q > 1 else self.fallback_mean

    def expected_value(self, x, m) -> np.ndarray:
        """``E[M | x, m_x] = (gamma p + p x m_x) / (p x + q - 1)``; customers left out of the fit
        (x = 0, or m_x not positive / not finite) get the population mean ``E[M]``."""
        x, m = np.broadcast_arrays(*_as_float(x, m))
        ok = usable_spend(x, m)
        with np.errstate(invalid="ignore", divide="ignore"):
            cond = (self.gamma * self.p + self.p * x * m) / (self.p * x + self.q - 1)
        return np.where(ok & (cond > 0), cond, self.population_mean)


def usable_spend(x, m) -> np.ndarray:
    """Customers that enter the Gamma-Gamma fit: at least one repeat and a positive finite average."""
    x, m = _as_float(x, m)
    with np.errstate(invalid="ignore"):
        return (x > 0) & np.isfinite(m) & (m > 0)


def fit_gamma_gamma(x, m, start=None) -> GammaGamma:
    """Maximum-likelihood Gamma-Gamma on the customers ``usable_spend`` selects.

    The values are divided by their median before optimising (log-parameters, L-BFGS-B with the
    analytic gradient, Nelder-Mead fallback) and ``gamma`` is scaled back; ``loglik`` is the sum
    of ``gamma_gamma_loglik`` on the original values.
    """
    x, m = _as_float(x, m)
    ok = usable_spend(x, m)
    x, m = x[ok], m[ok]
    if len(x) < 2:
        raise InputError("clv.no_repeaters")
    scale = float(np.median(m))
    ms = m / scale
    n = float(len(x))
    lx, lm, xm = np.log(x), np.log(ms), x * ms

    def f(theta):
        p, q, g = np.exp(theta)
        px = p * x
        lg = np.log(g + xm)
        ll = (special.gammaln(px + q) - special.gammaln(px) - special.gammaln(q) + q * math.log(g)
              + (px - 1) * lm + px * lx - (px + q) * lg)
        val = float(ll.sum())
        if not np.isfinite(val):
            return 1e300, np.zeros(3)
        dpsi = special.digamma(px + q)
        d_p = np.sum(x * (dpsi - special.digamma(px) + lm + lx - lg))
        d_q = np.sum(dpsi - special.digamma(q) + math.log(g) - lg)
        d_g = np.sum(q / g - (px + q) / (g + xm))
        return -val / n, -np.array([p * d_p, q * d_q, g * d_g]) / n

    theta0 = np.log(np.asarray(start, dtype="float64") / [1, 1, scale]) if start is not None \
        else np.log([2.0, 3.0, 1.0])
    bounds = [(-_LOG_BOUND, _LOG_BOUND)] * 3
    res = optimize.minimize(f, theta0, jac=True, method="L-BFGS-B", bounds=bounds,
                            options={"maxiter": 2000, "ftol": 1e-13, "gtol": 1e-9})
    theta, conv = res.x, bool(res.success)
    if not conv or not np.isfinite(res.fun):
        nm = optimize.minimize(lambda th: f(np.clip(th, -_LOG_BOUND, _LOG_BOUND))[0], theta, method="Nelder-Mead",
                               options={"maxiter": 20000, "xatol": 1e-8, "fatol": 1e-12})
        if np.isfinite(nm.fun) and nm.fun <= res.fun:
            theta, conv = np.clip(nm.x, -_LOG_BOUND, _LOG_BOUND), bool(nm.success)
    p, q, g = np.exp(theta)
    g = g * scale
    ll = float(np.sum(gamma_gamma_loglik((p, q, g), x, m)))
    at_bound = bool(np.any(np.abs(theta) >= _LOG_BOUND - 1e-6))
    return GammaGamma(float(p), float(q), float(g), loglik=ll, n=len(x), converged=conv and not at_bound,
                      fallback_mean=float(np.mean(m)))


# ------------------------------------------------------------------------------------------
# CLV and the simpler measures

def discounted_purchases(bg: BgNbd, x, t_x, T, horizon_months: int = DEFAULT_HORIZON_MONTHS,
                         monthly_discount: float = DEFAULT_MONTHLY_DISCOUNT) -> tuple[np.ndarray, np.ndarray]:
    """Expected purchases over the horizon, plain and discounted month by month.

    ``sum_k (E[Y(k)] - E[Y(k-1)]) / (1 + d)^k`` over months k = 1..H (a month = 365.25/12 days,
    converted to the model's time unit). Returns ``(expected, discounted)`` per customer.
    """
    if horizon_months < 1:
        raise InputError("clv.bad_horizon", months=horizon_months)
    if not (0 <= monthly_discount < 1):
        raise InputError("clv.bad_discount", rate=monthly_discount)
    x, t_x, T = _as_float(x, t_x, T)
    unit = TIME_UNITS[bg.time_unit]
    prev = np.zeros(len(x))
    disc = np.zeros(len(x))
    for k in range(1, int(horizon_months) + 1):
        cur = bg.expected_purchases(k * MONTH_DAYS / unit, x, t_x, T)
        disc += (cur - prev) / (1.0 + monthly_discount) ** k
        prev = cur
    return prev, disc


def retention_clv(m, r: float, d: float) -> np.ndarray:
    """Simple retention-based CLV ``m r / (1 + d - r)`` (Gupta & Lehmann 2003): a constant yearly
    margin ``m`` kept with yearly retention ``r``, discounted at the yearly rate ``d`` (the current
    year's margin excluded)."""
    if not (0 <= r < 1) or not (0 <= d < 1):
        raise InputError("clv.bad_retention", r=r, d=d)
    return np.asarray(m, dtype="float64") * r / (1.0 + d - r)


def annual_discount(monthly: float) -> float:
    """The yearly rate equivalent to a monthly one: (1 + d_m)^12 - 1."""
    return (1.0 + monthly) ** 12 - 1.0


def observed_retention(engine, end, measure: str = "revenue") -> tuple[float | None, int]:
    """Share of the customers who bought in the year before last (end - 2y, end - 1y] and bought
    again in the last year (end - 1y, end]; ``(None, 0)`` when nobody bought in the first year.
    Years are 365 days. SQL: ``tierlib/sql/clv_retention.sql``."""
    e = _day(end)
    one, two = e - np.timedelta64(365, "D"), e - np.timedelta64(730, "D")
    df = engine.query("clv_retention", {"base_start": two.astype(dt.date), "base_end": one.astype(dt.date),
                                        "end": e.astype(dt.date), "measure": measure})
    base, kept = int(df["base_customers"].iat[0]), int(df["retained"].iat[0])
    return (kept / base if base else None), base


# ------------------------------------------------------------------------------------------
# the whole analysis for a data set

@dataclass
class Result:
    """BG/NBD + Gamma-Gamma on one calibration period, with per-customer outputs.

    ``frame`` columns: customer_id, x, t_x, T, avg_value, p_alive, expected_purchases (over the
    horizon, undiscounted), expected_value (E[M]), clv, historical_value, annual_value,
    first_purchase, last_purchase.
    """

    summary: Summary
    bgnbd: BgNbd
    gamma_gamma: GammaGamma | None
    frame: pd.DataFrame
    horizon_months: int
    monthly_discount: float
    margin: float
    terms: str  # "revenue" | "profit"
    warnings: list[tuple[str, dict]]
    spend_correlation: float | None = None

    def to_json(self) -> dict:
        s = self.summary
        return {
            "customers": s.n,
            "repeaters": s.repeaters,
            "time_unit": s.time_unit,
            "calibration_end": str(s.calibration_end),
            "bgnbd": self.bgnbd.as_dict(),
            "gamma_gamma": None if self.gamma_gamma is None else self.gamma_gamma.as_dict(),
            "clv": {"terms": self.terms, "margin": self.margin, "horizon_months": self.horizon_months,
                    "monthly_discount": self.monthly_discount,
                    "total": float(self.frame["clv"].sum()), "mean": float(self.frame["clv"].mean())},
            "no_purchase_customers": int(len(s.no_purchase_ids)),
            "warnings": [{"code": c, **{k: _jsonable(v) for k, v in p.items()}} for c, p in self.warnings],
        }


def _jsonable(v):
    return float(v) if isinstance(v, (np.floating, np.integer)) else v


def default_measure(has_revenue: bool) -> str:
    return "revenue" if has_revenue else "profit"


def choose_terms(summary: Summary, terms: str | None = None, margin: float | None = None) -> tuple[str, float]:
    """The CLV's terms and the margin that gets it there.

    * measure profit (data without revenue): profit terms, margin 1;
    * ``terms="revenue"``: margin 1;
    * ``terms="profit"`` (the default when the data know profit): ``margin`` if given, else the
      data's profit / revenue over the calibration period (``data_margin``).

    Raises ``InputError("clv.no_profit")`` when profit terms are asked of data without profit and
    no margin is given.
    """
    if summary.measure == "profit":
        return "profit", 1.0
    dm = data_margin(summary)
    if terms is None:
        terms = "profit" if (dm is not None or margin is not None) else "revenue"
    if terms == "revenue":
        return "revenue", 1.0
    if terms != "profit":
        raise ValueError(terms)
    if margin is not None:
        return "profit", float(margin)
    if dm is None:
        raise InputError("clv.no_profit")
    return "profit", dm


def data_margin(summary: Summary) -> float | None:
    """Profit / revenue over the calibration period (None when either is unknown or revenue <= 0)."""
    rev, prof = np.nansum(summary.revenue_to_date), np.nansum(summary.profit_to_date)
    if np.all(np.isnan(summary.profit_to_date)) or np.all(np.isnan(summary.revenue_to_date)) or rev <= 0:
        return None
    return float(prof / rev)


def data_warnings(summary: Summary) -> list[tuple[str, dict]]:
    """Thin-data warnings: few repeaters, short history against the inter-purchase time."""
    out: list[tuple[str, dict]] = []
    if summary.repeaters < MIN_REPEATERS:
        out.append(("clv.warn.few_repeaters", {"n": summary.repeaters, "min": MIN_REPEATERS}))
    rep = summary.x > 0
    if rep.any():
        gap = float(np.median(summary.t_x[rep] / summary.x[rep])) * summary.unit_days
        span = float(summary.T.max()) * summary.unit_days
        if span < MIN_HISTORY_GAPS * gap:
            out.append(("clv.warn.short_history", {"days": round(span), "gap": round(gap, 1),
                                                   "factor": MIN_HISTORY_GAPS}))
    if len(summary.no_purchase_ids):
        out.append(("clv.warn.no_purchase", {"n": int(len(summary.no_purchase_ids))}))
    return out


def fit_models(summary: Summary) -> tuple[BgNbd, GammaGamma | None]:
    """Fit BG/NBD on every customer of the summary and Gamma-Gamma on those ``usable_spend``
    selects (None when fewer than two)."""
    if summary.n == 0:
        raise InputError("clv.no_customers")
    bg = fit_bgnbd(summary.x, summary.t_x, summary.T, time_unit=summary.time_unit)
    m = summary.avg_value
    gg = fit_gamma_gamma(summary.x, m) if usable_spend(summary.x, m).sum() >= 2 else None
    return bg, gg


def model_warnings(summary: Summary, bg: BgNbd, gg: GammaGamma | None) -> tuple[list[tuple[str, dict]], float | None]:
    """Warnings about the fits, and corr(x, m_x) among the spend-fit customers."""
    out: list[tuple[str, dict]] = []
    if not bg.converged:
        out.append(("clv.warn.not_converged", {"model": "BG/NBD"}))
    corr = None
    if gg is None:
        out.append(("clv.warn.no_spend_fit", {}))
        return out, corr
    if not gg.converged:
        out.append(("clv.warn.not_converged", {"model": "Gamma-Gamma"}))
    if gg.q <= 1:
        out.append(("clv.warn.q_le_1", {"q": round(gg.q, 3)}))
    m = summary.avg_value
    usable = usable_spend(summary.x, m)
    if usable.sum() >= 3 and np.std(summary.x[usable]) > 0 and np.std(m[usable]) > 0:
        corr = float(np.corrcoef(summary.x[usable], m[usable])[0, 1])
        if abs(corr) > MAX_SPEND_CORRELATION:
            out.append(("clv.warn.spend_correlation", {"corr": round(corr, 2)}))
    return out, corr


def analyze(summary: Summary, horizon_months: int = DEFAULT_HORIZON_MONTHS,
            monthly_discount: float = DEFAULT_MONTHLY_DISCOUNT, margin: float | None = None,
            terms: str | None = None, models: tuple[BgNbd, GammaGamma | None] | None = None) -> Result:
    """Fit both models on a summary (or reuse ``models`` from ``fit_models``) and compute every
    per-customer output.

    Parameters
    ----------
    summary : Summary
    horizon_months, monthly_discount : CLV horizon and monthly discount rate.
    margin : float, optional
        Multiplies the expected value: 1 (default) keeps the summary's measure (revenue terms on
        revenue data); a profit margin turns revenue into profit.
    terms : {"revenue", "profit"}, optional
        How to label the CLV; by default "profit" when the measure is profit or a margin is given.
    models : (BgNbd, GammaGamma or None), optional
        Fits to reuse (they must come from this summary).
    """
    if summary.n == 0:
        raise InputError("clv.no_customers")
    bg, gg = models if models is not None else fit_models(summary)
    warnings, corr = model_warnings(summary, bg, gg)
    warnings = data_warnings(summary) + warnings
    m = summary.avg_value
    margin_v = 1.0 if margin is None else float(margin)
    if terms is None:
        terms = "profit" if (summary.measure == "profit" or margin is not None) else "revenue"
    expected, disc = discounted_purchases(bg, summary.x, summary.t_x, summary.T, horizon_months, monthly_discount)
    if gg is not None:
        ev = gg.expected_value(summary.x, m)
    else:  # no spend model: the average value of every purchase so far, first ones included
        ev = np.full(summary.n, summary.purchase_value.sum() / (summary.x.sum() + summary.n))
    clv = margin_v * ev * disc
    hist = historical_value(summary, terms, margin_v)
    years = np.maximum(summary.T * summary.unit_days / YEAR_DAYS, 1.0)
    frame = pd.DataFrame({
        "customer_id": summary.customer_id,
        "x": summary.x,
        "t_x": summary.t_x,
        "T": summary.T,
        "avg_value": m,
        "p_alive": bg.p_alive(summary.x, summary.t_x, summary.T),
        "expected_purchases": expected,
        "expected_value": ev,
        "clv": clv,
        "historical_value": hist,
        "annual_value": hist / years,
        "first_purchase": summary.first_day,
        "last_purchase": summary.last_day,
    })
    return Result(summary=summary, bgnbd=bg, gamma_gamma=gg, frame=frame, horizon_months=int(horizon_months),
                  monthly_discount=float(monthly_discount), margin=margin_v, terms=terms, warnings=warnings,
                  spend_correlation=corr)


def historical_value(summary: Summary, terms: str, margin: float = 1.0) -> np.ndarray:
    """Value to date in the CLV's terms: net profit (or net revenue x margin when the data have no
    profit) for profit terms; net revenue (or profit when there is no revenue) for revenue terms."""
    rev, prof = summary.revenue_to_date, summary.profit_to_date
    has_rev, has_prof = not np.all(np.isnan(rev)), not np.all(np.isnan(prof))
    if terms == "profit":
        return prof if has_prof else rev * margin
    return rev if has_rev else prof


def fit(engine, calibration_end=None, time_unit: str = DEFAULT_TIME_UNIT, measure: str = "revenue",
        horizon_months: int = DEFAULT_HORIZON_MONTHS, monthly_discount: float = DEFAULT_MONTHLY_DISCOUNT,
        margin: float | None = None, terms: str | None = None) -> Result:
    """Summary in SQL, then ``analyze``. ``calibration_end`` defaults to the last order day; the
    terms and margin follow ``choose_terms`` (profit terms when the data know profit)."""
    if calibration_end is None:
        calibration_end = last_day(engine)
    summary = summary_from_engine(engine, calibration_end, time_unit, measure)
    if summary.n == 0:
        raise InputError("clv.no_customers")
    terms, margin = choose_terms(summary, terms, margin)
    return analyze(summary, horizon_months, monthly_discount, margin, terms)


def last_day(engine) -> np.datetime64:
    first, last = engine.date_range()
    if last is None:
        raise InputError("clv.needs_dates")
    return _day(last)


def customer_clv_frame(engine, calibration_end=None, time_unit: str = DEFAULT_TIME_UNIT, measure: str = "revenue",
                       horizon_months: int = DEFAULT_HORIZON_MONTHS,
                       monthly_discount: float = DEFAULT_MONTHLY_DISCOUNT, margin: float | None = None,
                       terms: str | None = None, result: Result | None = None) -> pd.DataFrame:
    """``customer_id, clv`` for every customer with lines up to the calibration end: a tiering value.

    By default the CLV is over the next 12 months at 1% a month, in profit terms when the data
    know profit (``choose_terms``), with all history as calibration. Customers with returns only
    (no purchase) get 0. Pass ``result`` to reuse a fit (e.g. ``ws.cache``).
    """
    res = result or fit(engine, calibration_end, time_unit, measure, horizon_months, monthly_discount, margin,
                        terms)
    out = res.frame[["customer_id", "clv"]]
    extra = res.summary.no_purchase_ids
    if len(extra):
        out = pd.concat([out, pd.DataFrame({"customer_id": extra, "clv": 0.0})], ignore_index=True)
    return out.sort_values("customer_id", kind="stable").reset_index(drop=True)


def by_tier(frame: pd.DataFrame, tiers: pd.DataFrame, retention: float, annual_discount_rate: float) -> pd.DataFrame:
    """CLV and the simpler measures per tier.

    Parameters
    ----------
    frame : DataFrame
        ``Result.frame``.
    tiers : DataFrame
        ``customer_id, tier, tier_name`` (tier 1 = top); customers missing from ``frame`` (not in
        the model) are left out, customers missing from ``tiers`` are ignored.
    retention, annual_discount_rate : float
        ``r`` and ``d`` of the retention formula ``m r / (1 + d - r)``.

    Returns
    -------
    DataFrame
        One row per tier (top first): tier, tier_name, customers, p_alive (mean),
        expected_purchases (sum), clv (sum), clv_mean, clv_share, historical_value (sum),
        historical_mean, retention_clv (sum), retention_mean.
    """
    simple = retention_clv(frame["annual_value"].to_numpy(dtype="float64"), retention, annual_discount_rate)
    df = frame[["customer_id", "p_alive", "expected_purchases", "clv", "historical_value"]].assign(
        retention_clv=simple).merge(tiers[["customer_id", "tier", "tier_name"]], on="customer_id", how="inner")
    g = df.groupby(["tier", "tier_name"], sort=True)
    out = g.agg(customers=("customer_id", "size"), p_alive=("p_alive", "mean"),
                expected_purchases=("expected_purchases", "sum"), clv=("clv", "sum"),
                clv_mean=("clv", "mean"), historical_value=("historical_value", "sum"),
                historical_mean=("historical_value", "mean"), retention_clv=("retention_clv", "sum"),
                retention_mean=("retention_clv", "mean")).reset_index()
    total = float(out["clv"].sum())
    out.insert(6, "clv_share", out["clv"] / total if total else np.nan)
    return out


# ------------------------------------------------------------------------------------------
# calibration / holdout check

@dataclass
class Holdout:
    """A fit on the calibration period against what the cohort did in the holdout period.

    ``tracking`` (one row per period): period_start, period_end, actual, predicted, cum_actual,
    cum_predicted. ``by_frequency``: calibration x (7 = 7 or more), customers, actual (mean holdout
    purchases), predicted (mean E[Y(holdout)|x, t_x, T]).
    """

    result: Result
    holdout_end: np.datetime64
    period: str
    tracking: pd.DataFrame
    by_frequency: pd.DataFrame

    @property
    def holdout_days(self) -> int:
        return int((self.holdout_end - self.result.summary.calibration_end).astype(int))


def period_bounds(calibration_end, holdout_end, period: str) -> list[tuple[np.datetime64, np.datetime64]]:
    """(start, end) days (inclusive) of the holdout periods: 7-day weeks from the day after the
    calibration end, or calendar months; the last one ends at the holdout end."""
    cal, end = _day(calibration_end), _day(holdout_end)
    if period not in PERIODS:
        raise ValueError(period)
    out = []
    start = cal + np.timedelta64(1, "D")
    while start <= end:
        if period == "week":
            stop = start + np.timedelta64(6, "D")
        else:
            nxt = (start.astype("datetime64[M]") + np.timedelta64(1, "M")).astype("datetime64[D]")
            stop = nxt - np.timedelta64(1, "D")
        stop = min(stop, end)
        out.append((start, stop))
        start = stop + np.timedelta64(1, "D")
    return out


def tracking(bg: BgNbd, summary: Summary, day_counts: pd.DataFrame, holdout_end, period: str) -> pd.DataFrame:
    """Predicted vs actual repeat purchases per holdout period.

    ``day_counts``: columns day, purchases (from ``clv_holdout_daily.sql``). Predicted cumulative
    purchases at a period end ``e`` are ``sum_i E[Y(e - calibration end) | x_i, t_x_i, T_i]``.
    """
    bounds = period_bounds(summary.calibration_end, holdout_end, period)
    days = np.asarray(day_counts["day"]).astype("datetime64[D]")
    counts = np.asarray(day_counts["purchases"], dtype="float64")
    # Deduplicate customers for speed: predictions depend on (x, t_x, T) only.
    trip = np.column_stack([summary.x, summary.t_x, summary.T])
    uniq, w = np.unique(trip, axis=0, return_counts=True)
    rows = []
    prev_pred, cum_act = 0.0, 0.0
    for start, stop in bounds:
        t = (stop - summary.calibration_end).astype(int) / summary.unit_days
        cum_pred = float(w @ bg.expected_purchases(t, uniq[:, 0], uniq[:, 1], uniq[:, 2]))
        act = float(counts[(days >= start) & (days <= stop)].sum())
        cum_act += act
        rows.append({"period_start": start, "period_end": stop, "actual": act, "predicted": cum_pred - prev_pred,
                     "cum_actual": cum_act, "cum_predicted": cum_pred})
        prev_pred = cum_pred
    df = pd.DataFrame(rows, columns=["period_start", "period_end", "actual", "predicted", "cum_actual",
                                     "cum_predicted"])
    for col in ("period_start", "period_end"):
        df[col] = pd.to_datetime(df[col])
    return df


def by_frequency(bg: BgNbd, summary: Summary, holdout_x, t: float, top: int = 7) -> pd.DataFrame:
    """Mean actual vs predicted holdout purchases by calibration frequency x (``top`` = top or more)."""
    bucket = np.minimum(summary.x, top).astype(int)
    pred = bg.expected_purchases(t, summary.x, summary.t_x, summary.T)
    act = np.asarray(holdout_x, dtype="float64")
    rows = []
    for k in range(top + 1):
        sel = bucket == k
        if sel.any():
            rows.append({"x": k, "customers": int(sel.sum()), "actual": float(act[sel].mean()),
                         "predicted": float(pred[sel].mean())})
    return pd.DataFrame(rows, columns=["x", "customers", "actual", "predicted"])


def holdout(engine, calibration_end, holdout_end=None, time_unit: str = DEFAULT_TIME_UNIT,
            measure: str = "revenue", period: str = "week", result: Result | None = None,
            **clv_options) -> Holdout:
    """Fit on transactions up to ``calibration_end``; compare with the cohort's holdout purchases
    up to ``holdout_end`` (default: the last order day). Pass ``result`` (a fit on the same
    calibration end) to reuse it; ``clv_options`` go to ``fit`` otherwise."""
    end = _day(holdout_end) if holdout_end is not None else last_day(engine)
    cal = _day(calibration_end)
    if cal >= end:
        raise InputError("clv.no_holdout", end=str(cal))
    if result is not None and result.summary.calibration_end != cal:
        raise ValueError("result was fitted on another calibration end")
    res = result or fit(engine, cal, time_unit, measure, **clv_options)
    params = {"calibration_end": cal.astype(dt.date), "holdout_end": end.astype(dt.date), "measure": measure}
    daily = engine.query("clv_holdout_daily", params)
    per = engine.query("clv_holdout_customers", params)
    hx = pd.Series(per["holdout_x"].to_numpy(dtype="float64"), index=per["customer_id"].to_numpy(dtype=object))
    hx = hx.reindex(res.summary.customer_id).fillna(0.0).to_numpy()
    t = (end - cal).astype(int) / res.summary.unit_days
    return Holdout(result=res, holdout_end=end, period=period,
                   tracking=tracking(res.bgnbd, res.summary, daily, end, period),
                   by_frequency=by_frequency(res.bgnbd, res.summary, hx, t))


def default_calibration_end(engine, share: float = 2 / 3) -> np.datetime64:
    """A calibration end that keeps the last third of the history (at least 30 days) as holdout."""
    first, last = engine.date_range()
    if last is None:
        raise InputError("clv.needs_dates")
    f, lday = _day(first), _day(last)
    span = int((lday - f).astype(int))
    cut = f + np.timedelta64(int(round(span * share)), "D")
    return min(cut, lday - np.timedelta64(min(30, max(span // 3, 1)), "D"))


# ------------------------------------------------------------------------------------------
# simulation (tests, classroom)

def simulate_bgnbd(n: int, r: float, alpha: float, a: float, b: float, T, rng: np.random.Generator,
                   holdout: float = 0.0) -> dict:
    """Draw customers from the BG/NBD process, observed for ``T`` (scalar or per customer) after
    their first purchase at time 0, and optionally for ``holdout`` more time units.

    Returns a dict of arrays: x, t_x, T (calibration), holdout_x (purchases in (T, T+holdout])
    and alive (not dropped out by T).
    """
    T = np.broadcast_to(np.asarray(T, dtype="float64"), (n,)).copy()
    lam = rng.gamma(r, 1.0 / alpha, n)
    p = rng.beta(a, b, n)
    end = T + holdout
    x = np.zeros(n)
    hx = np.zeros(n)
    t_x = np.zeros(n)
    now = np.zeros(n)
    alive = np.ones(n, dtype=bool)
    dropped = np.zeros(n, dtype=bool)  # dropped out at or before T
    while alive.any():
        idx = np.flatnonzero(alive)
        now[idx] += rng.exponential(1.0, len(idx)) / lam[idx]
        done = now[idx] > end[idx]
        alive[idx[done]] = False
        buy = idx[~done]
        cal = now[buy] <= T[buy]
        x[buy[cal]] += 1
        t_x[buy[cal]] = now[buy[cal]]
        hx[buy[~cal]] += 1
        die = rng.random(len(buy)) < p[buy]
        alive[buy[die]] = False
        dropped[buy[die & cal]] = True
    return {"x": x, "t_x": t_x, "T": T, "holdout_x": hx, "alive": ~dropped}


def simulate_gamma_gamma(x, p: float, q: float, gamma: float, rng: np.random.Generator) -> np.ndarray:
    """Average value of ``x`` transactions per customer drawn from Gamma-Gamma (NaN when x = 0):
    nu ~ Gamma(q, rate gamma); the sum of x values ~ Gamma(p x, rate nu)."""
    x = np.asarray(x, dtype="float64")
    nu = rng.gamma(q, 1.0 / gamma, len(x))
    total = np.where(x > 0, rng.gamma(np.where(x > 0, p * x, 1.0), 1.0 / nu), np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        return total / x
