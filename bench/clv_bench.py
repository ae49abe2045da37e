"""CLV benchmark: print how long each step takes for N customers on this machine.

python -m bench.clv_bench [--customers 100000] [--repeat 3] [--seed 7]

Steps (the data are simulated from the models themselves, seeded):
- summary SQL: tierlib/sql/clv_summary.sql over a DuckDB ``tx`` table of ~N x 5 transaction lines;
- summary numpy: the pandas-free ``clv.summarize`` on the same lines;
- fit BG/NBD: ``clv.fit_bgnbd`` on (x, t_x, T) — the budget is 5 s for 100,000 customers;
- fit Gamma-Gamma: ``clv.fit_gamma_gamma`` on the repeat buyers;
- CLV 12 months: ``clv.discounted_purchases`` (12 conditional expectations per customer) + E[M];
- P(alive): ``BgNbd.p_alive``.
Reported: the median of ``--repeat`` runs, and the recovered parameters next to the true ones.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

import numpy as np
import pandas as pd

from tierlib import clv
from tierlib.engine import Engine
from tierlib.schema import MONEY_SCALE

TRUE_BG = (0.5, 6.0, 0.7, 2.8)  # r, alpha, a, b (weeks)
TRUE_GG = (6.0, 4.0, 150.0)  # p, q, gamma (currency)


def timed(fn, repeat: int):
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def simulate_transactions(n: int, rng: np.random.Generator, start="2023-01-01", weeks=104) -> pd.DataFrame:
    """Transaction lines of n simulated customers: first purchase spread over the first year, BG/NBD
    repeat purchases (continuous time, rounded to days) and Gamma-Gamma values."""
    first = rng.integers(0, 365, n)
    T = (weeks * 7 - first) / 7.0
    lam = rng.gamma(TRUE_BG[0], 1 / TRUE_BG[1], n)
    p = rng.beta(TRUE_BG[2], TRUE_BG[3], n)
    nu = rng.gamma(TRUE_GG[1], 1 / TRUE_GG[2], n)
    cust, day = [np.arange(n)], [first]
    now = np.zeros(n)
    alive = np.ones(n, bool)
    while alive.any():
        idx = np.flatnonzero(alive)
        now[idx] += rng.exponential(1.0, len(idx)) / lam[idx]
        over = now[idx] > T[idx]
        alive[idx[over]] = False
        buy = idx[~over]
        cust.append(buy)
        day.append(first[buy] + np.floor(now[buy] * 7).astype(int))
        alive[buy[rng.random(len(buy)) < p[buy]]] = False
    c = np.concatenate(cust)
    d = np.concatenate(day)
    value = rng.gamma(TRUE_GG[0], 1 / nu[c])
    base = np.datetime64(start, "D")
    return pd.DataFrame({"customer_id": np.char.add("C", c.astype(str)).astype(object),
                         "order_date": (base + d.astype("timedelta64[D]")).astype("datetime64[us]"),
                         "revenue": np.round(value * MONEY_SCALE).astype("int64"),
                         "profit": np.round(value * 0.3 * MONEY_SCALE).astype("int64")})


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    n = args.customers

    t0 = time.perf_counter()
    tx = simulate_transactions(n, rng)
    sim_s = time.perf_counter() - t0
    eng = Engine()
    tx_full = tx.assign(line=np.arange(len(tx)), customer_name=None, order_id=None, cost=None, quantity=None,
                        unit_price=None, orders=None, region=None, industry=None, channel=None,
                        salesperson=None, product=None)
    eng.register("tx", tx_full)
    cal = "2024-12-29"  # 104 weeks after the start

    rows = []
    t_sql, s = timed(lambda: clv.summary_from_engine(eng, cal, "week"), args.repeat)
    rows.append(("summary SQL (DuckDB)", t_sql))
    t_np, s2 = timed(lambda: clv.summarize(tx["customer_id"].to_numpy(), tx["order_date"].to_numpy(),
                                           tx["revenue"].to_numpy() / MONEY_SCALE, cal, "week"), args.repeat)
    rows.append(("summary numpy", t_np))
    assert np.array_equal(s.x, s2.x)
    t_bg, bg = timed(lambda: clv.fit_bgnbd(s.x, s.t_x, s.T), args.repeat)
    rows.append(("fit BG/NBD", t_bg))
    t_gg, gg = timed(lambda: clv.fit_gamma_gamma(s.x, s.avg_value), args.repeat)
    rows.append(("fit Gamma-Gamma", t_gg))
    t_clv, _ = timed(lambda: gg.expected_value(s.x, s.avg_value)
                     * clv.discounted_purchases(bg, s.x, s.t_x, s.T, 12, 0.01)[1], args.repeat)
    rows.append(("CLV, 12 months", t_clv))
    t_pa, _ = timed(lambda: bg.p_alive(s.x, s.t_x, s.T), args.repeat)
    rows.append(("P(alive)", t_pa))

    print(f"CLV benchmark — {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"python {platform.python_version()}")
    print(f"{s.n:,} customers ({s.repeaters:,} repeat buyers), {len(tx):,} transaction lines "
          f"(simulated in {sim_s:.1f} s); median of {args.repeat} runs")
    for name, sec in rows:
        print(f"  {name:<24} {sec * 1000:>9.1f} ms")
    fit_total = t_bg + t_gg
    print(f"  {'fit both models':<24} {fit_total * 1000:>9.1f} ms   (budget 5,000 ms for 100,000 customers)")
    print(f"BG/NBD     true r={TRUE_BG[0]} alpha={TRUE_BG[1]} a={TRUE_BG[2]} b={TRUE_BG[3]}")
    print(f"           fit  r={bg.r:.3f} alpha={bg.alpha:.3f} a={bg.a:.3f} b={bg.b:.3f}  LL={bg.loglik:,.1f} "
          f"({bg.method})")
    print(f"Gamma-Gamma true p={TRUE_GG[0]} q={TRUE_GG[1]} gamma={TRUE_GG[2]}")
    print(f"           fit  p={gg.p:.3f} q={gg.q:.3f} gamma={gg.gamma:.3f}  LL={gg.loglik:,.1f} on {gg.n:,}")
    print("(purchase days are rounded to whole days, so the BG/NBD fit is close to, not exactly, the truth)")


if __name__ == "__main__":
    main()
