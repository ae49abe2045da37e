"""tierlib.clv: summary conventions (SQL and numpy), BG/NBD and Gamma-Gamma likelihoods against
slow independent computations, parameter recovery on simulated data, the published CDNOW
estimates, CLV arithmetic, the holdout check, charts and the CLI end to end.

Golden numbers from a public data set: the CDNOW sample (2,357 customers who first bought in the
first quarter of 1997, 39-week calibration to 1997-09-30), tests/data/clv/ (see its README).
* Fader, Hardie & Lee (2005), "Counting your customers the easy way: an alternative to the
  Pareto/NBD model", Marketing Science 24(2): r = 0.243, alpha = 4.414, a = 0.793, b = 2.426,
  LL = -9582.4.
* Fader, Hardie & Lee (2005), "RFM and CLV: using iso-value curves for customer base analysis",
  Journal of Marketing Research 42(4): p = 6.25, q = 3.74, gamma = 15.44 (946 repeat buyers).
* Hardie's Excel implementation of the BG/NBD (brucehardie.com notes): at the published
  parameters, the customer with x = 2, t_x = 30.43, T = 38.86 is expected to make 1.226
  purchases in the next 39 weeks.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tierlib import clv, clv_charts, pipeline
from tierlib.engine import Engine
from tierlib.io import InputError

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "clv"
CDNOW_SUMMARY = DATA / "cdnow_customers_summary_with_transactions.csv"
CDNOW_TX = DATA / "CDNOW_sample.txt"
WORKWEAR = ROOT / "sample_data" / "workwear_orders.xlsx"
PUBLISHED_BG = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
PUBLISHED_GG = {"p": 6.25, "q": 3.74, "gamma": 15.44}


# ------------------------------------------------------------------------------------------
# fixtures

def write_csv(path: Path, rows: list[tuple]) -> Path:
    lines = ["customer_id,order_date,revenue,profit"]
    lines += [f"{c},{d},{r},{p}" for c, d, r, p in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# A hand-made transaction list; calibration end 2024-01-31.
# A: 01-01 two lines (100, 50) -> ONE purchase worth 150; 01-08 (80); 01-15 a return only (-30):
#    not a purchase; 01-22 a purchase (40) with a return (-10) the same day: a purchase worth 40
#    (returns are left out of the purchase value). x = 2 (01-08, 01-22), t_x = 21 days,
#    T = 30 days, repeat value 80 + 40 = 120, average 60. Net revenue to date
#    100 + 50 + 80 - 30 + 40 - 10 = 230; profit = revenue / 2 = 115.
# B: 01-10 (200); 02-05 (70) is after the calibration end. x = 0, t_x = 0, T = 21 days.
# C: 01-05 a return only (-20): no purchase, not in the model.
# D: first purchase 02-02, after the calibration end: not in the calibration summary at all.
# E: 01-03 a free item (0) is a purchase; 01-17 (60). x = 1, t_x = 14 days, T = 28 days, avg 60.
TINY = [
    ("A", "2024-01-01", 100, 50), ("A", "2024-01-01", 50, 25), ("A", "2024-01-08", 80, 40),
    ("A", "2024-01-15", -30, -15), ("A", "2024-01-22", 40, 20), ("A", "2024-01-22", -10, -5),
    ("B", "2024-01-10", 200, 100), ("B", "2024-02-05", 70, 35),
    ("C", "2024-01-05", -20, -10),
    ("D", "2024-02-02", 90, 45),
    ("E", "2024-01-03", 0, 0), ("E", "2024-01-17", 60, 30),
]


@pytest.fixture
def tiny_engine(tmp_path):
    eng = Engine()
    pipeline.load(write_csv(tmp_path / "tiny.csv", TINY), engine=eng)
    return eng


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    return pd.read_csv(CDNOW_SUMMARY)


def cdnow_csv(path: Path) -> Path:
    """The CDNOW transaction log (id, date, CDs, dollars) as a CSV with canonical headers."""
    raw = pd.read_csv(CDNOW_TX, sep=r"\s+", header=None, names=["master_id", "id", "date", "cds", "dollars"],
                      dtype={"master_id": str, "id": str, "date": str})
    pd.DataFrame({"customer_id": raw["id"], "order_date": pd.to_datetime(raw["date"]).dt.strftime("%Y-%m-%d"),
                  "quantity": raw["cds"], "revenue": raw["dollars"]}).to_csv(path, index=False)
    return path


def hessian_se(fun_grad, theta: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Standard errors of log-parameters from the observed information: a central-difference
    Hessian of the analytic gradient of the summed log-likelihood."""
    k = len(theta)
    H = np.zeros((k, k))
    for i in range(k):
        e = np.zeros(k)
        e[i] = h
        H[:, i] = (fun_grad(theta + e) - fun_grad(theta - e)) / (2 * h)
    H = (H + H.T) / 2
    return np.sqrt(np.diag(np.linalg.inv(-H)))


# ------------------------------------------------------------------------------------------
# summary conventions

def test_summary_in_sql_follows_the_conventions(tiny_engine):
    s = clv.summary_from_engine(tiny_engine, "2024-01-31", "week")
    assert list(s.customer_id) == ["A", "B", "E"]
    assert list(s.x) == [2, 0, 1]
    np.testing.assert_allclose(s.t_x, [21 / 7, 0, 14 / 7])
    np.testing.assert_allclose(s.T, [30 / 7, 21 / 7, 28 / 7])
    np.testing.assert_allclose(s.repeat_value, [120, 0, 60])
    np.testing.assert_allclose(s.purchase_value, [150 + 120, 200, 0 + 60])
    np.testing.assert_allclose(s.avg_value, [60, np.nan, 60])
    np.testing.assert_allclose(s.revenue_to_date, [230, 200, 60])
    np.testing.assert_allclose(s.profit_to_date, [115, 100, 30])
    assert list(s.no_purchase_ids) == ["C"]
    assert s.return_lines == 3  # A's two returns and C's
    assert str(s.calibration_end) == "2024-01-31"
    # Month unit: 365.25 / 12 = 30.4375 days; day unit: whole days.
    m = clv.summary_from_engine(tiny_engine, "2024-01-31", "month")
    np.testing.assert_allclose(m.T, [30 / 30.4375, 21 / 30.4375, 28 / 30.4375])
    d = clv.summary_from_engine(tiny_engine, "2024-01-31", "day")
    np.testing.assert_allclose(d.t_x, [21, 0, 14])


def test_numpy_summary_matches_sql_on_the_tiny_file():
    ids = [r[0] for r in TINY]
    dates = np.array([r[1] for r in TINY], dtype="datetime64[D]")
    rev = [r[2] for r in TINY]
    prof = [r[3] for r in TINY]
    s = clv.summarize(ids, dates, rev, "2024-01-31", "week", revenue=rev, profit=prof)
    assert list(s.customer_id) == ["A", "B", "E"]
    assert list(s.x) == [2, 0, 1]
    np.testing.assert_allclose(s.t_x, [3, 0, 2])
    np.testing.assert_allclose(s.T, [30 / 7, 3, 4])
    np.testing.assert_allclose(s.repeat_value, [120, 0, 60])
    np.testing.assert_allclose(s.revenue_to_date, [230, 200, 60])
    assert list(s.no_purchase_ids) == ["C"]
    assert s.first_day[0] == np.datetime64("2024-01-01") and s.last_day[0] == np.datetime64("2024-01-22")


def test_numpy_summary_equals_sql_on_the_workwear_sample():
    eng = Engine()
    loaded = pipeline.load(WORKWEAR, engine=eng)
    clean = loaded.prepared.clean
    sql = clv.summary_from_engine(eng, "2024-06-30", "week")
    arr = clv.summarize(clean["customer_id"].to_numpy(dtype=object), clean["order_date"].to_numpy(),
                        clean["revenue"].to_numpy(dtype="float64") / 10_000, "2024-06-30", "week",
                        profit=clean["profit"].to_numpy(dtype="float64") / 10_000)
    assert list(arr.customer_id) == list(sql.customer_id)
    for name in ("x", "t_x", "T", "repeat_value", "profit_to_date"):
        np.testing.assert_allclose(getattr(arr, name), getattr(sql, name), rtol=1e-12, atol=1e-9, err_msg=name)


def test_cdnow_transactions_reproduce_the_published_summary(tmp_path, cdnow):
    # Same-day merging, x, t_x, T and the average repeat value (zbar) of every one of the 2,357
    # customers match the summary file of the CDNOW sample (given to 2 decimals).
    eng = Engine()
    pipeline.load(cdnow_csv(tmp_path / "cdnow.csv"), engine=eng)
    s = clv.summary_from_engine(eng, "1997-09-30", "week")
    got = pd.DataFrame({"ID": s.customer_id.astype(int), "x": s.x, "t_x": s.t_x, "T": s.T,
                        "zbar": np.nan_to_num(s.avg_value)}).sort_values("ID").reset_index(drop=True)
    assert len(got) == 2357 and got["ID"].tolist() == cdnow["ID"].tolist()
    assert (got["x"] == cdnow["x"]).all()
    for col in ("t_x", "T", "zbar"):
        assert np.abs(got[col] - cdnow[col]).max() <= 0.005 + 1e-9, col


# ------------------------------------------------------------------------------------------
# likelihoods against slow independent computations

def slow_bgnbd_ll(r, alpha, a, b, x, t_x, T) -> float:
    """FHL (2005) eq. (6) computed term by term in plain floats (no log-sum-exp, no scipy):
    L = B(a, b+x)/B(a, b) * G(r+x) alpha^r / (G(r) (alpha+T)^(r+x))
        + [x > 0] B(a+1, b+x-1)/B(a, b) * G(r+x) alpha^r / (G(r) (alpha+t_x)^(r+x))."""
    def lbeta(p, q):
        return math.lgamma(p) + math.lgamma(q) - math.lgamma(p + q)

    common = math.exp(math.lgamma(r + x) - math.lgamma(r) + r * math.log(alpha))
    term1 = math.exp(lbeta(a, b + x) - lbeta(a, b)) * common / (alpha + T) ** (r + x)
    term2 = 0.0
    if x > 0:
        term2 = math.exp(lbeta(a + 1, b + x - 1) - lbeta(a, b)) * common / (alpha + t_x) ** (r + x)
    return math.log(term1 + term2)


def test_bgnbd_loglik_matches_the_formula_term_by_term():
    rng = np.random.default_rng(7)
    n = 300
    x = rng.integers(0, 15, n).astype(float)
    T = rng.uniform(5, 60, n)
    t_x = np.where(x > 0, T * rng.uniform(0, 1, n), 0.0)
    for params in [(0.243, 4.414, 0.793, 2.426), (2.0, 30.0, 0.2, 5.0), (0.8, 1.5, 1.7, 0.6)]:
        fast = clv.bgnbd_loglik(params, x, t_x, T)
        slow = np.array([slow_bgnbd_ll(*params, xi, ti, Ti) for xi, ti, Ti in zip(x, t_x, T)])
        np.testing.assert_allclose(fast, slow, rtol=1e-10)


def test_bgnbd_gradient_matches_finite_differences(cdnow):
    data = clv._BgNbdData(cdnow["x"], cdnow["t_x"], cdnow["T"])
    for theta in (np.log([0.3, 5.0, 0.7, 2.0]), np.log([1.5, 20.0, 1.2, 0.8])):
        val, grad = data.value_grad(theta)
        assert val == pytest.approx(clv.bgnbd_loglik(np.exp(theta), cdnow["x"], cdnow["t_x"], cdnow["T"]).sum(),
                                    rel=1e-12)
        h = 1e-6
        num = [(data.value_grad(theta + h * e)[0] - data.value_grad(theta - h * e)[0]) / (2 * h)
               for e in np.eye(4)]
        np.testing.assert_allclose(grad, num, rtol=1e-5, atol=1e-4)


def slow_gg_ll(p, q, g, x, m) -> float:
    """Density of the mean m of x Gamma(p, nu) values with nu ~ Gamma(q, g), written out:
    f(m) = G(px+q) / (G(px) G(q)) * g^q * m^(px-1) * x^(px) / (g + m x)^(px+q)."""
    px = p * x
    return (math.lgamma(px + q) - math.lgamma(px) - math.lgamma(q) + q * math.log(g) + (px - 1) * math.log(m)
            + px * math.log(x) - (px + q) * math.log(g + m * x))


def test_gamma_gamma_loglik_matches_the_formula_and_integrates_to_one():
    rng = np.random.default_rng(3)
    x = rng.integers(1, 10, 50).astype(float)
    m = rng.uniform(5, 80, 50)
    fast = clv.gamma_gamma_loglik((6.25, 3.74, 15.44), x, m)
    slow = [slow_gg_ll(6.25, 3.74, 15.44, xi, mi) for xi, mi in zip(x, m)]
    np.testing.assert_allclose(fast, slow, rtol=1e-12)
    # It is a density of m: the trapezoid integral over m for x = 3 is 1.
    grid = np.linspace(1e-6, 3000, 600_001)
    dens = np.exp(clv.gamma_gamma_loglik((6.25, 3.74, 15.44), 3.0, grid))
    assert float(np.sum((dens[1:] + dens[:-1]) / 2 * np.diff(grid))) == pytest.approx(1.0, abs=2e-3)


def hyp2f1_series(a, b, c, z, tol=1e-16) -> float:
    """Gauss's hypergeometric series summed term by term (|z| < 1)."""
    total, term, k = 1.0, 1.0, 0
    while True:
        term *= (a + k) * (b + k) / ((c + k) * (k + 1)) * z
        total += term
        k += 1
        if abs(term) < tol * abs(total) or k > 200_000:
            return total


def slow_expected(r, alpha, a, b, t, x, t_x, T) -> float:
    """FHL (2005) eq. (10) as printed (no Euler transformation), with the series above."""
    z = t / (alpha + T + t)
    num = (a + b + x - 1) / (a - 1) * (1 - ((alpha + T) / (alpha + T + t)) ** (r + x)
                                       * hyp2f1_series(r + x, b + x, a + b + x - 1, z))
    den = 1 + (x > 0) * a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x)
    return num / den


@pytest.mark.parametrize("params", [(0.243, 4.414, 0.793, 2.426), (2.0, 30.0, 0.2, 5.0), (0.8, 1.5, 1.7, 0.6)])
def test_conditional_expectation_matches_the_printed_formula(params):
    bg = clv.BgNbd(*params)
    cases = [(39, 2, 30.43, 38.86), (10, 0, 0, 20), (26, 7, 35, 39), (52, 1, 3, 40), (5, 15, 50, 52), (39, 0, 0, 0)]
    for t, x, t_x, T in cases:
        assert float(bg.expected_purchases(t, x, t_x, T)) == pytest.approx(
            slow_expected(*params, t, x, t_x, T), rel=1e-9), (t, x, t_x, T)


def test_quadrature_agrees_with_the_hypergeometric_form_and_covers_the_poisson_limit():
    # E[Y(t) | alive] integrated over p ~ Beta(a, b+x) (Gauss-Jacobi) is an independent route to
    # the same number; it takes over where 2F1 fails (r -> infinity, as on 3-customer data).
    x = np.array([0.0, 1, 2, 7, 20])
    T = np.array([3.0, 4, 30 / 7, 39, 39])
    for params in [(0.243, 4.414, 0.793, 2.426), (2.0, 30.0, 0.2, 5.0), (0.8, 1.5, 1.7, 0.6)]:
        bg = clv.BgNbd(*params)
        for t in (4.3, 39.0, 200.0):
            np.testing.assert_allclose(bg._alive_mean(t, x, T), bg._alive_mean_quadrature(t, x, T), rtol=1e-9)
    poisson = clv.BgNbd(130956.9, 482284.2, 1.577, 32.43)  # a fit on 3 customers
    got = poisson.expected_purchases(4.3, x, np.minimum(T, 3), T)
    assert np.isfinite(got).all() and (got > 0).all()


def test_new_customer_expectation_and_p_alive_formulas():
    bg = clv.BgNbd(**PUBLISHED_BG)
    r, alpha, a, b = bg.params
    # E[X(t)] = (a+b-1)/(a-1) [1 - (alpha/(alpha+t))^r 2F1(r, b; a+b-1; t/(alpha+t))]  (FHL eq. 9)
    for t in (1, 13, 39, 78):
        z = t / (alpha + t)
        want = (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp2f1_series(r, b, a + b - 1, z))
        assert float(bg.expected_new(t)) == pytest.approx(want, rel=1e-9)
    # P(alive) = 1 / (1 + a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x)); 1 when x = 0.
    want = 1 / (1 + a / (b + 2 - 1) * ((alpha + 38.86) / (alpha + 30.43)) ** (r + 2))
    assert float(bg.p_alive(2, 30.43, 38.86)) == pytest.approx(want, rel=1e-12)
    assert float(bg.p_alive(0, 0, 38.86)) == 1.0


# ------------------------------------------------------------------------------------------
# published CDNOW estimates

def test_cdnow_bgnbd_mle_reproduces_the_published_estimates(cdnow):
    bg = clv.fit_bgnbd(cdnow["x"], cdnow["t_x"], cdnow["T"])
    assert bg.converged
    for k, v in PUBLISHED_BG.items():
        assert getattr(bg, k) == pytest.approx(v, rel=0.005), k
    assert bg.loglik == pytest.approx(-9582.4, abs=0.05)
    # The log-likelihood at the published (rounded) parameters is -9582.4 as well.
    assert clv.bgnbd_loglik(tuple(PUBLISHED_BG.values()), cdnow["x"], cdnow["t_x"], cdnow["T"]).sum() == \
        pytest.approx(-9582.4, abs=0.05)


def test_cdnow_expected_purchases_of_customer_one_is_hardies_1226():
    bg = clv.BgNbd(**PUBLISHED_BG)
    assert float(bg.expected_purchases(39, 2, 30.43, 38.86)) == pytest.approx(1.226, abs=5e-4)


def test_cdnow_gamma_gamma_reproduces_the_published_estimates(cdnow):
    gg = clv.fit_gamma_gamma(cdnow["x"], cdnow["zbar"])
    assert gg.n == 946 and gg.converged
    for k, v in PUBLISHED_GG.items():
        assert getattr(gg, k) == pytest.approx(v, rel=0.005), k
    # Regression pin (no published LL): the fitted log-likelihood on the 946 repeat buyers.
    assert gg.loglik == pytest.approx(-4055.92, abs=0.01)


def test_time_unit_changes_only_alpha_and_the_likelihood_constant(cdnow):
    # Measuring time in days instead of weeks (t' = 7 t) leaves r, a, b unchanged and multiplies
    # alpha by 7; each customer's likelihood alpha^r / (alpha+T)^(r+x) picks up a factor 7^-x, so
    # LL_days = LL_weeks - sum(x) ln 7 (sum(x) = 2,457 repeat purchases in CDNOW).
    x, t_x, T = cdnow["x"], cdnow["t_x"], cdnow["T"]
    wk = clv.fit_bgnbd(x, t_x, T)
    dy = clv.fit_bgnbd(x, 7 * t_x, 7 * T, time_unit="day")
    assert x.sum() == 2457
    for k in ("r", "a", "b"):
        assert getattr(dy, k) == pytest.approx(getattr(wk, k), rel=1e-4), k
    assert dy.alpha == pytest.approx(7 * wk.alpha, rel=1e-4)
    assert dy.loglik == pytest.approx(wk.loglik - 2457 * math.log(7), abs=1e-3)
    # and the same purchases are expected over the same calendar time
    np.testing.assert_allclose(dy.expected_purchases(273, x, 7 * t_x, 7 * T),
                               wk.expected_purchases(39, x, t_x, T), rtol=1e-3)


def test_mle_agrees_with_an_independent_optimiser(cdnow):
    # Nelder-Mead on the plain (vectorised) log-likelihood functions, no gradients: same optimum.
    from scipy.optimize import minimize

    x, t_x, T = cdnow["x"].to_numpy(float), cdnow["t_x"].to_numpy(float), cdnow["T"].to_numpy(float)
    nm = minimize(lambda th: -clv.bgnbd_loglik(np.exp(th), x, t_x, T).sum(), np.log([1, 1, 1, 1]),
                  method="Nelder-Mead", options={"xatol": 1e-9, "fatol": 1e-9, "maxiter": 40_000, "maxfev": 40_000})
    bg = clv.fit_bgnbd(x, t_x, T)
    np.testing.assert_allclose(np.exp(nm.x), bg.params, rtol=1e-3)
    assert bg.loglik >= -nm.fun - 1e-6
    rep = x > 0
    m = cdnow["zbar"].to_numpy(float)[rep]
    nm = minimize(lambda th: -clv.gamma_gamma_loglik(np.exp(th), x[rep], m).sum(), np.log([1, 1, 1]),
                  method="Nelder-Mead", options={"xatol": 1e-9, "fatol": 1e-9, "maxiter": 40_000, "maxfev": 40_000})
    gg = clv.fit_gamma_gamma(x, cdnow["zbar"])
    np.testing.assert_allclose(np.exp(nm.x), [gg.p, gg.q, gg.gamma], rtol=1e-3)
    assert gg.loglik >= -nm.fun - 1e-6


# ------------------------------------------------------------------------------------------
# parameter recovery on simulated data
#
# Tolerance: 4 standard errors of each log-parameter, from the observed information at the MLE.
# If the estimator is consistent and approximately normal (n = 20,000), |z| > 4 for any of the 4
# parameters has probability about 4 * 6.3e-5 = 2.5e-4; the seed makes the run deterministic.

def test_bgnbd_recovers_simulated_parameters():
    rng = np.random.default_rng(20250601)
    true = (0.5, 6.0, 0.7, 2.8)
    sim = clv.simulate_bgnbd(20_000, *true, T=rng.uniform(20, 52, 20_000), rng=rng)
    bg = clv.fit_bgnbd(sim["x"], sim["t_x"], sim["T"])
    assert bg.converged
    data = clv._BgNbdData(sim["x"], sim["t_x"], sim["T"])
    theta = np.log(bg.params)
    se = hessian_se(lambda th: data.value_grad(th)[1], theta)
    z = (theta - np.log(true)) / se
    assert np.all(np.abs(z) < 4), (bg.params, se, z)
    assert np.all(se < 0.15)  # the data pin the parameters down (a useful test, not a vacuous one)


def test_gamma_gamma_recovers_simulated_parameters():
    rng = np.random.default_rng(20250602)
    x = rng.integers(1, 12, 20_000).astype(float)
    true = (6.0, 4.0, 15.0)
    m = clv.simulate_gamma_gamma(x, *true, rng=rng)
    gg = clv.fit_gamma_gamma(x, m)
    theta = np.log([gg.p, gg.q, gg.gamma])

    def grad(th, h=1e-6):  # numeric gradient of the summed log-likelihood (independent of the fit's)
        return np.array([(clv.gamma_gamma_loglik(np.exp(th + h * e), x, m).sum()
                          - clv.gamma_gamma_loglik(np.exp(th - h * e), x, m).sum()) / (2 * h) for e in np.eye(3)])

    se = hessian_se(grad, theta, h=1e-4)
    z = (theta - np.log(true)) / se
    assert np.all(np.abs(z) < 4), ((gg.p, gg.q, gg.gamma), se, z)
    assert np.all(se < 0.1)


def test_predictions_match_simulated_holdout_purchases_and_alive_states():
    # With the TRUE parameters, E[Y(t) | x, t_x, T] is the exact conditional mean of the holdout
    # purchases and P(alive) the exact probability of not having dropped out, so the average
    # residual is zero in expectation: check |mean| < 4 standard errors overall and per x group.
    rng = np.random.default_rng(11)
    true = (0.6, 5.0, 0.9, 2.5)
    n, t = 40_000, 26.0
    sim = clv.simulate_bgnbd(n, *true, T=rng.uniform(10, 40, n), rng=rng, holdout=t)
    bg = clv.BgNbd(*true)
    pred = bg.expected_purchases(t, sim["x"], sim["t_x"], sim["T"])
    alive = bg.p_alive(sim["x"], sim["t_x"], sim["T"])
    for sel in [np.ones(n, bool), sim["x"] == 0, sim["x"] == 1, (sim["x"] >= 2) & (sim["x"] < 5), sim["x"] >= 5]:
        for resid in (sim["holdout_x"][sel] - pred[sel], sim["alive"][sel] - alive[sel]):
            se = resid.std(ddof=1) / math.sqrt(sel.sum())
            assert abs(resid.mean()) < 4 * se + 1e-12
    # New customers: E[X(t)] against the mean purchases of simulated newcomers over t.
    new = clv.simulate_bgnbd(n, *true, T=t, rng=rng)
    se = new["x"].std(ddof=1) / math.sqrt(n)
    assert abs(new["x"].mean() - float(bg.expected_new(t))) < 4 * se


# ------------------------------------------------------------------------------------------
# Gamma-Gamma expectations, CLV arithmetic and the simpler measures

def test_gamma_gamma_expected_value_by_hand():
    gg = clv.GammaGamma(6.25, 3.74, 15.44)
    # E[M] = p gamma / (q - 1) = 6.25 * 15.44 / 2.74 = 35.2190...
    assert gg.population_mean == pytest.approx(6.25 * 15.44 / 2.74)
    # x = 2, m = 20: (15.44 * 6.25 + 6.25 * 2 * 20) / (6.25 * 2 + 3.74 - 1) = 346.5 / 15.24 = 22.7362...
    ev = gg.expected_value([2, 0, 3, 2, 1], [20, np.nan, 0.0, -5.0, np.inf])
    assert ev[0] == pytest.approx(346.5 / 15.24)
    # x = 0, a zero, a negative and a non-finite average: left out of the fit, get E[M].
    np.testing.assert_allclose(ev[1:], 6.25 * 15.44 / 2.74)
    # The fit ignores them too: the same estimates with or without those customers.
    x = np.array([1, 2, 3, 4, 2, 5, 1, 3], float)
    m = np.array([10, 30, 22, 15, 41, 18, 25, 33], float)
    a = clv.fit_gamma_gamma(x, m)
    b = clv.fit_gamma_gamma(np.r_[x, 0, 2, 2], np.r_[m, np.nan, 0, -3])
    assert (a.p, a.q, a.gamma, a.n) == pytest.approx((b.p, b.q, b.gamma, b.n))


def test_discounted_purchases_and_clv_by_hand(tiny_engine):
    bg = clv.BgNbd(0.5, 6.0, 0.7, 2.8, time_unit="week")
    x, t_x, T = np.array([2.0, 0.0]), np.array([3.0, 0.0]), np.array([30 / 7, 3.0])
    exp2, disc2 = clv.discounted_purchases(bg, x, t_x, T, horizon_months=2, monthly_discount=0.01)
    e1 = bg.expected_purchases(30.4375 / 7, x, t_x, T)  # one month = 30.4375 days = 4.348 weeks
    e2 = bg.expected_purchases(2 * 30.4375 / 7, x, t_x, T)
    np.testing.assert_allclose(exp2, e2)
    np.testing.assert_allclose(disc2, e1 / 1.01 + (e2 - e1) / 1.01 ** 2)
    _, disc0 = clv.discounted_purchases(bg, x, t_x, T, horizon_months=2, monthly_discount=0.0)
    np.testing.assert_allclose(disc0, e2)
    with pytest.raises(InputError):
        clv.discounted_purchases(bg, x, t_x, T, horizon_months=0)
    # CLV = margin x E[M] x discounted purchases, per customer.
    res = clv.fit(tiny_engine, "2024-01-31", "week", horizon_months=3, monthly_discount=0.02, terms="revenue")
    f = res.frame
    _, disc = clv.discounted_purchases(res.bgnbd, f["x"], f["t_x"], f["T"], 3, 0.02)
    np.testing.assert_allclose(f["clv"], f["expected_value"] * disc)
    assert res.terms == "revenue" and res.margin == 1.0
    # Profit terms: margin = data profit / revenue = (115 + 100 + 30) / (230 + 200 + 60) = 0.5;
    # C (returns only: revenue -20, profit -10) is not in the model, so not in the margin either.
    resp = clv.fit(tiny_engine, "2024-01-31", "week", horizon_months=3, monthly_discount=0.02)
    assert resp.terms == "profit" and resp.margin == pytest.approx(0.5)
    np.testing.assert_allclose(resp.frame["clv"], 0.5 * f["clv"])
    np.testing.assert_allclose(resp.frame["historical_value"], [115, 100, 30])


def test_retention_formula_and_annual_discount_by_hand():
    # m r / (1 + d - r): 1000 * 0.8 / (1 + 0.1 - 0.8) = 2666.67
    assert float(clv.retention_clv(1000, 0.8, 0.1)) == pytest.approx(2666.6667, rel=1e-6)
    assert clv.annual_discount(0.01) == pytest.approx(1.01 ** 12 - 1)  # 12.68%
    with pytest.raises(InputError):
        clv.retention_clv(1000, 1.0, 0.1)


def test_no_spend_fit_uses_the_average_purchase_value():
    # Two customers, no repeat buyer: no Gamma-Gamma; everyone gets the average value of all
    # purchases so far, (100 + 300) / 2 = 200, and a warning says so.
    s = clv.summarize(["a", "b"], np.array(["2024-01-01", "2024-01-05"], "datetime64[D]"), [100, 300],
                      "2024-03-01", "week")
    res = clv.analyze(s)
    assert res.gamma_gamma is None
    np.testing.assert_allclose(res.frame["expected_value"], 200)
    codes = [c for c, _ in res.warnings]
    assert "clv.warn.no_spend_fit" in codes and "clv.warn.few_repeaters" in codes


def test_thin_data_warnings_thresholds():
    # 60 repeaters each buying every 10 days over 25 days of history: the span (T max = 25 days)
    # is under 3 x the median gap (10 days) -> short history; 60 >= 50 -> no few-repeaters warning.
    ids, days = [], []
    for i in range(60):
        ids += [f"c{i}"] * 3
        days += ["2024-01-01", "2024-01-11", "2024-01-21"]
    s = clv.summarize(ids, np.array(days, "datetime64[D]"), np.ones(len(ids)) * 10, "2024-01-26", "day")
    codes = dict(clv.data_warnings(s))
    assert "clv.warn.short_history" in codes and "clv.warn.few_repeaters" not in codes
    assert codes["clv.warn.short_history"] == {"days": 25, "gap": 10.0, "factor": 3.0}
    s2 = clv.summarize(ids[:147], np.array(days[:147], "datetime64[D]"), np.ones(147), "2024-12-31", "day")
    assert "clv.warn.few_repeaters" in dict(clv.data_warnings(s2))  # 49 repeaters


def test_customer_clv_frame_is_a_tiering_value(tiny_engine):
    df = clv.customer_clv_frame(tiny_engine, "2024-01-31")
    assert list(df.columns) == ["customer_id", "clv"]
    assert list(df["customer_id"]) == ["A", "B", "C", "E"]  # D starts after the calibration end
    assert df.loc[df["customer_id"] == "C", "clv"].item() == 0.0  # returns only
    assert np.isfinite(df["clv"]).all() and (df["clv"] >= 0).all()


def test_customer_clv_frame_on_the_workwear_sample():
    eng = Engine()
    pipeline.load(WORKWEAR, engine=eng)
    df = clv.customer_clv_frame(eng)
    assert len(df) == 2000 and df["customer_id"].is_unique
    assert np.isfinite(df["clv"]).all() and (df["clv"] > 0).all()


def test_by_tier_by_hand():
    frame = pd.DataFrame({"customer_id": ["a", "b", "c"], "p_alive": [0.9, 0.5, 0.1],
                          "expected_purchases": [3.0, 1.0, 0.5], "clv": [300.0, 100.0, 50.0],
                          "historical_value": [1000.0, 200.0, 100.0], "annual_value": [500.0, 100.0, 100.0]})
    tiers = pd.DataFrame({"customer_id": ["a", "b", "c", "z"], "tier": [1, 2, 2, 2],
                          "tier_name": ["VIP", "Small", "Small", "Small"]})
    bt = clv.by_tier(frame, tiers, retention=0.8, annual_discount_rate=0.1)
    assert list(bt["tier_name"]) == ["VIP", "Small"] and list(bt["customers"]) == [1, 2]
    np.testing.assert_allclose(bt["clv"], [300, 150])
    np.testing.assert_allclose(bt["clv_share"], [300 / 450, 150 / 450])
    np.testing.assert_allclose(bt["p_alive"], [0.9, 0.3])
    # retention formula: annual value x 0.8 / 0.3 -> 1333.33 (VIP); (266.67 + 266.67) / 2 (Small)
    np.testing.assert_allclose(bt["retention_mean"], [500 * 0.8 / 0.3, 100 * 0.8 / 0.3])


# ------------------------------------------------------------------------------------------
# holdout check

def test_period_bounds_by_hand():
    got = clv.period_bounds("2024-01-15", "2024-03-10", "month")
    assert [(str(a), str(b)) for a, b in got] == [("2024-01-16", "2024-01-31"), ("2024-02-01", "2024-02-29"),
                                                  ("2024-03-01", "2024-03-10")]
    got = clv.period_bounds("2024-01-15", "2024-01-31", "week")
    assert [(str(a), str(b)) for a, b in got] == [("2024-01-16", "2024-01-22"), ("2024-01-23", "2024-01-29"),
                                                  ("2024-01-30", "2024-01-31")]


def test_holdout_counts_only_the_calibration_cohort(tiny_engine):
    h = clv.holdout(tiny_engine, "2024-01-31", "2024-02-29", period="month")
    # Holdout purchases: B on 02-05 (in the cohort); D's 02-02 purchase is its first ever: not counted.
    tr = h.tracking
    assert len(tr) == 1 and tr["actual"].tolist() == [1.0] and tr["cum_actual"].tolist() == [1.0]
    res = h.result
    want = res.bgnbd.expected_purchases(29 / 7, res.summary.x, res.summary.t_x, res.summary.T).sum()
    assert tr["cum_predicted"].item() == pytest.approx(want)
    bf = h.by_frequency.set_index("x")
    assert bf.loc[0, "customers"] == 1 and bf.loc[0, "actual"] == 1.0  # B: x = 0, one holdout purchase
    assert bf.loc[2, "actual"] == 0.0  # A
    assert h.holdout_days == 29
    with pytest.raises(InputError):
        clv.holdout(tiny_engine, "2024-02-05", "2024-02-05")


def test_holdout_tracking_on_cdnow(tmp_path):
    # Holdout = weeks 40-78 (1997-10-01 .. 1998-06-30, 273 days = 39 weeks). Actual: the cohort's
    # distinct customer-days in the holdout, counted here independently with pandas (1,959 lines
    # on 1,882 customer-days; every CDNOW customer is in the cohort). Predicted: the sum of
    # E[Y(39) | x, t_x, T]. The BG/NBD under-forecasts this holdout by about 12% (1,654 vs 1,882).
    raw = pd.read_csv(CDNOW_TX, sep=r"\s+", header=None, names=["m", "id", "date", "cds", "usd"], dtype=str)
    hold = raw[raw["date"] > "19970930"]
    assert len(hold) == 1959 and len(hold.drop_duplicates(["id", "date"])) == 1882
    eng = Engine()
    pipeline.load(cdnow_csv(tmp_path / "cdnow.csv"), engine=eng)
    h = clv.holdout(eng, "1997-09-30", "1998-06-30", time_unit="week", period="week")
    assert len(h.tracking) == 39 and h.holdout_days == 273
    assert h.tracking["actual"].sum() == h.tracking["cum_actual"].iloc[-1] == 1882
    s = h.result.summary
    want = h.result.bgnbd.expected_purchases(39.0, s.x, s.t_x, s.T).sum()
    assert h.tracking["cum_predicted"].iloc[-1] == pytest.approx(want, rel=1e-9)
    assert want == pytest.approx(1654, abs=1)
    assert h.tracking["predicted"].sum() == pytest.approx(want, rel=1e-9)
    # By calibration frequency the means are in the right order: more past repeats, more future ones.
    assert h.by_frequency["predicted"].is_monotonic_increasing
    assert h.by_frequency["customers"].sum() == 2357


# ------------------------------------------------------------------------------------------
# charts

def test_chart_builders():
    tr = pd.DataFrame({"period_start": pd.to_datetime(["2024-01-01", "2024-01-08"]),
                       "period_end": pd.to_datetime(["2024-01-07", "2024-01-14"]),
                       "actual": [3.0, 5.0], "predicted": [4.0, 4.5], "cum_actual": [3.0, 8.0],
                       "cum_predicted": [4.0, 8.5]})
    fig = clv_charts.tracking_figure(tr, cumulative=True, labels={"actual": "Actual", "predicted": "Predicted",
                                                                  "title": "T"})
    assert [d.meta["role"] for d in fig.data] == ["actual", "predicted"]
    assert list(fig.data[0].y) == [3.0, 8.0] and list(fig.data[1].y) == [4.0, 8.5]
    assert fig.data[1].name == "Predicted" and fig.layout.title.text == "T"
    fig = clv_charts.tracking_figure(tr, cumulative=False, labels={})
    assert list(fig.data[0].y) == [3.0, 5.0]
    bf = pd.DataFrame({"x": [0, 1, 7], "customers": [5, 3, 2], "actual": [0.2, 0.5, 3.0],
                       "predicted": [0.25, 0.6, 2.8]})
    fig = clv_charts.frequency_figure(bf, labels={"top": "{x}+"})
    assert list(fig.data[0].x) == ["0", "1", "7+"] and list(fig.data[1].y) == [0.25, 0.6, 2.8]
    fig = clv_charts.p_alive_figure([("VIP", np.array([0.9, 0.8])), ("Small", np.array([0.1]))],
                                    colors=["#111111", "#222222"], labels={})
    assert [d.name for d in fig.data] == ["VIP", "Small"] and fig.data[0].marker.color == "#111111"
    assert tuple(fig.layout.yaxis.range) == (0, 1.02)
    fig = clv_charts.tier_value_figure(["VIP", "Small"], {"CLV": [10, 2], "History": [20, 3]}, labels={})
    assert [d.name for d in fig.data] == ["CLV", "History"] and list(fig.data[1].y) == [20, 3]


# ------------------------------------------------------------------------------------------
# CLI

def run_clv(*args):
    """``python -m tierlib clv ...`` (the wired subcommand)."""
    return subprocess.run([sys.executable, "-m", "tierlib", "clv", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


def test_cli_reproduces_the_published_cdnow_estimates_from_transactions(tmp_path):
    src = cdnow_csv(tmp_path / "cdnow.csv")
    out = tmp_path / "clv.csv"
    res = run_clv(src, "--calibration-end", "1997-09-30", "--time-unit", "week", "--json", "--out", out)
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["customers"] == 2357
    for k, v in PUBLISHED_BG.items():
        assert doc["bgnbd"][k] == pytest.approx(v, rel=0.005), k
    assert doc["bgnbd"]["loglik"] == pytest.approx(-9582.4, abs=0.05)
    assert doc["gamma_gamma"]["customers"] == 946
    for k, v in PUBLISHED_GG.items():
        assert doc["gamma_gamma"][k] == pytest.approx(v, rel=0.005), k
    assert doc["clv"]["terms"] == "revenue"  # the CDNOW log has dollars, no profit
    df = pd.read_csv(out, dtype={"customer_id": str})
    assert len(df) == 2357
    assert list(df.columns)[:8] == ["customer_id", "x", "t_x", "T", "expected_purchases", "p_alive",
                                    "expected_value", "clv"]
    one = df.set_index("customer_id").loc["0001"]
    assert one["x"] == 2 and one["t_x"] == pytest.approx(213 / 7) and one["T"] == pytest.approx(272 / 7)
    assert one["p_alive"] == pytest.approx(0.7266, abs=1e-3)


def test_cli_parquet_out_and_profit_terms_on_the_sample(tmp_path):
    out = tmp_path / "clv.parquet"
    res = run_clv(WORKWEAR, "--time-unit", "month", "--horizon", "6", "--discount", "1%", "--json", "--out", out)
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["customers"] == 2000 and doc["time_unit"] == "month"
    assert doc["clv"]["terms"] == "profit" and doc["clv"]["horizon_months"] == 6
    df = pd.read_parquet(out)
    assert len(df) == 2000 and df["clv"].sum() == pytest.approx(doc["clv"]["total"], rel=1e-6)


def test_cli_bad_input_is_one_line_exit_2(tmp_path):
    flat = tmp_path / "customers.csv"
    flat.write_text("customer_id,revenue\nA,10\nB,20\n", encoding="utf-8")
    res = run_clv(flat, "--json")
    assert res.returncode == 2 and res.stderr.count("\n") == 1 and "order dates" in res.stderr
    res = run_clv(write_csv(tmp_path / "t.csv", TINY), "--out", tmp_path / "x.txt")
    assert res.returncode == 2 and ".csv, .xlsx or .parquet" in res.stderr
    res = run_clv(write_csv(tmp_path / "t.csv", TINY), "--calibration-end", "2024-13-01")
    assert res.returncode == 2 and "not a date" in res.stderr


RETAIL = ROOT.parent / "shared" / "data" / "online_retail_II_2009-2010.parquet"


@pytest.mark.slow
@pytest.mark.skipif(not RETAIL.exists(), reason=f"public data set not found: {RETAIL}")
def test_cli_on_the_public_online_retail_file_with_returns():
    # Independent count with pandas: lines with a customer id up to 2010-06-30; a purchase day is a
    # day with a line whose Quantity x Price >= 0. 3,052 customers have lines, 2,975 have a
    # purchase (77 have returns only), 1,631 bought on two or more days.
    df = pd.read_parquet(RETAIL)
    df = df[df["Customer ID"].notna()].assign(day=lambda d: d["InvoiceDate"].str[:10])
    cal = df[df["day"] <= "2010-06-30"]
    buys = cal[cal["Quantity"] * cal["Price"] >= 0].groupby("Customer ID")["day"].nunique()
    counts = (int(cal["Customer ID"].nunique()), len(buys), int((buys >= 2).sum()))
    assert counts == (3052, 2975, 1631)
    res = run_clv(RETAIL, "--calibration-end", "2010-06-30", "--json")
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert (doc["customers"], doc["repeaters"], doc["no_purchase_customers"]) == (2975, 1631, 77)
    assert doc["gamma_gamma"]["customers"] == 1631
    assert doc["clv"]["terms"] == "revenue" and math.isfinite(doc["clv"]["total"]) and doc["clv"]["total"] > 0
    assert {"code": "clv.warn.no_purchase", "n": 77} in doc["warnings"]
    assert "77 customers have only returns" in res.stderr
