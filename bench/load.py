"""Bounded load test on loopback: N real browser sessions upload their own file and move tier
cutoffs at the same time against one Streamlit server.

    .venv/bin/python -m bench.load [--sessions 20] [--duration 180] [--write] [--json]

What it does
    * starts one server on app.py (``tests.e2e.helpers.AppServer``) with its workspace folder
      (``CUSTOMER_PYRAMID_DATA_DIR``) in a temporary directory;
    * drives Debian's Chromium through Playwright's *async* API: one Playwright, one browser, one
      context (= one Streamlit session) per simulated user, all in this process;
    * every session generates its OWN transaction file (customer ids ``LT<ss>C<nnnnn>``, file name
      ``load<ss>_...``, a different number of customers per session, CSV utf-8 / CSV GBK / XLSX
      in turn), opens the data page, uploads it, waits for "已加载 <its file>", and goes to the
      tiers page through the sidebar link (a full page load would start a new session);
    * when every session is ready, each one for ``--duration`` seconds moves a cutoff handle
      with the keyboard (focus + arrow keys, sometimes Shift+arrow) or, now and then, types a
      value into the precise numeric input, then waits until the tier table shows the customer
      counts and profit sums the harness computed itself for its own file and cutoffs, then
      "thinks" for a moment (``--think``) and goes again;
    * records, per action, the on-screen latency (on the page's own clock: first keydown ->
      the DOM change that shows the new numbers; the keyboard figure includes the control's
      250 ms key debounce) and, inside the server (a sitecustomize hook loaded through the test
      server's PYTHONPATH, see ``SERVER_HOOK``), the time from each rerun request arriving to
      its script run finishing; every second, in a separate normal-priority process, the
      server's RSS (VmRSS of the process and its children, /proc/<pid>/status), its CPU time,
      the machine's busy time and how long /_stcore/health takes to answer.

Loopback caveat
    The browsers share the machine with the server: one cutoff change costs Chromium roughly
    three to five times the server's CPU (Plotly redraws, the React tree). So the browsers, the
    Playwright driver and this harness run at ``--client-nice`` (default 19) and the server at
    normal priority - the browsers stand in for users on their own machines. The report splits
    the CPU between server, browsers, harness and whatever else ran on the machine, and gives
    the server-side figure next to the on-screen one.

    ``LOAD_PROFILE=1`` in the environment also samples the server's script threads every 20 ms
    during the action phase (top frames) into ``profile.json`` of the kept folder (``--keep``).

Leak detection (a session must never see another session's data)
    * every WebSocket frame the server sends to a session is scanned for the id and file-name
      markers of all sessions (``LT(\\d\\d)C\\d{5}`` and ``load(\\d\\d)_``): a foreign marker is a
      leak. The session's own markers must show up too - if they never do, the scan is blind
      and the run fails: its file name is in the sidebar on every run, and at setup each
      session opens the tiers page's customer grid once (the page's tabs are lazy: only the open
      tab is sent), so its customer ids cross the socket as well;
    * after each action the page text is searched for other sessions' file names, and the
      sidebar must name the session's own file and customer count at the end.

Pass / fail (exit status 1 when any fails)
    * zero wrong results (a table that never reaches the expected numbers or changes back
      before the next move, a Streamlit exception or error box), zero stale handles (drag
      handles that, a second after the table updated, still do not show the cutoffs in use),
      zero leaks, zero timeouts, every session set up and acted at least once;
    * p95 server turnaround <= ``SERVER_P95_BOUND_S`` and p95 on-screen latency <=
      ``SCREEN_P95_BOUND_S`` (see there for why those numbers);
    * server RSS bounded: the peak of the last third of the action phase may exceed the peak of
      the first two thirds by at most ``max(RSS_SLACK_MB, RSS_SLACK_FRACTION * that peak)``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import datetime as dt
import json
import math
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from bench.machine import describe, write_keeping_notes

ROOT = Path(__file__).resolve().parents[1]
LOAD_MD = ROOT / "bench" / "LOAD.md"
NOTES_MARKER = "<!-- notes: kept when --write rewrites the results above -->"

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [  # the same as tests/e2e/conftest.py
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]

#: p95 bounds. 5 s is where a user moving a handle stops feeling a response and starts waiting.
#: Measured on the 2-core reference machine (bench/LOAD.md): 2 sessions stay well inside (server
#: p95 ~1-2 s, on screen ~2-3 s); 20 active sessions do not (see the notes there). The bounds
#: are not loosened to make 20 pass: a failing run says this machine cannot serve that load.
SERVER_P95_BOUND_S = 5.0
SCREEN_P95_BOUND_S = 5.0
#: Think time between a session's actions (min:max seconds, uniform): a user reads the new
#: counts before the next move.
DEFAULT_THINK = "1:3"
#: Chromium, the Playwright driver and this harness run at this nice level (the server keeps 0).
CLIENT_NICE = 19
#: Server memory: allowed rise of the last third's peak over the earlier peak.
RSS_SLACK_MB = 48.0
RSS_SLACK_FRACTION = 0.05
ACTION_TIMEOUT_S = 60.0
SETUP_TIMEOUT_S = 300.0

# The app's pyramid control, read from ui/tier_view.py and ui/cutoff_control.py (not imported:
# the harness keeps its own model of what the browser and the server must do).
STEP = 0.5  # PCT_STEP: keyboard grid of the percentage track; limits [STEP, 100 - STEP]
DEFAULT_CUTS = (1.0, 5.0, 20.0)
TIER_NAMES = ("重要客户", "次要客户", "普通客户", "小客户")  # zh: VIP, Major, Ordinary, Small
TOTAL_NAME = "合计"
PRECISE_LABEL = "精确分界点、等级数、名称与颜色"

MARK_RE = re.compile(rb"LT(\d\d)C\d{5}|load(\d\d)_")


# ---------------------------------------------------------------------------------------------
# data sets and the expected tier table (computed here, independently of tierlib)

@dataclass
class Dataset:
    index: int
    path: Path
    fmt: str  # "csv" | "gbk" | "xlsx"
    n: int  # customers
    lines: int
    profits_desc: list[int]  # per-customer profit in cents, sorted high to low

    @property
    def name(self) -> str:
        return self.path.name


def customers_for(index: int) -> int:
    """A different number of customers per session (97 .. ~3,900 for 20 sessions)."""
    return 97 + 101 * index + (index % 4) * 613


def make_dataset(index: int, folder: Path, n: int | None = None) -> Dataset:
    """Write session ``index``'s transaction file (seeded) and return what the harness expects.

    Columns (Chinese headers, as a Chinese sales export would have): 订单号, 下单日期, 客户编号,
    客户名称, 销售金额, 成本. Customer j has 1-3 lines; every 17th customer loses money.
    Amounts are whole cents so the expected sums are exact.
    """
    rng = random.Random(7919 * (index + 1))
    n = n or customers_for(index)
    fmt = ("csv", "gbk", "xlsx")[index % 3]
    rows = []
    profits = []
    for j in range(1, n + 1):
        cid, name = f"LT{index:02d}C{j:05d}", f"负载{index:02d}号客户{j}"
        total = 0
        for _ in range(1 + (7 * j + index) % 3):
            rev = rng.randint(5_000, 900_000)
            cost = rev + rng.randint(100, 50_000) if j % 17 == 0 else rng.randint(rev * 40 // 100, rev * 95 // 100)
            total += rev - cost
            day = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(366))
            rows.append((f"SO{index:02d}{len(rows):06d}", day, cid, name, rev, cost))
        profits.append(total)
    headers = ["订单号", "下单日期", "客户编号", "客户名称", "销售金额", "成本"]
    suffix = {"csv": "订单.csv", "gbk": "订单_gbk.csv", "xlsx": "订单.xlsx"}[fmt]
    path = folder / f"load{index:02d}_{suffix}"
    if fmt == "xlsx":
        import xlsxwriter

        wb = xlsxwriter.Workbook(str(path))
        ws = wb.add_worksheet("订单")
        date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
        ws.write_row(0, 0, headers)
        for r, (so, day, cid, name, rev, cost) in enumerate(rows, start=1):
            ws.write(r, 0, so)
            ws.write_datetime(r, 1, dt.datetime.combine(day, dt.time()), date_fmt)
            ws.write(r, 2, cid)
            ws.write(r, 3, name)
            ws.write_number(r, 4, rev / 100)
            ws.write_number(r, 5, cost / 100)
        wb.close()
    else:
        text = "\n".join([",".join(headers)] + [
            f"{so},{day.isoformat()},{cid},{name},{cents(rev)},{cents(cost)}"
            for so, day, cid, name, rev, cost in rows]) + "\n"
        path.write_bytes(text.encode("gbk" if fmt == "gbk" else "utf-8"))
    return Dataset(index, path, fmt, n, len(rows), sorted(profits, reverse=True))


def cents(c: int) -> str:
    """Whole cents as plain decimal text: -1234 -> '-12.34'."""
    return f"{'-' if c < 0 else ''}{abs(c) // 100}.{abs(c) % 100:02d}"


def money_text(c: int) -> str:
    """Cents the way the tier table prints money (``f"{v:,.2f}"``): 123456 -> '1,234.56'."""
    return f"{'-' if c < 0 else ''}{abs(c) // 100:,}.{abs(c) % 100:02d}"


def bounds(n: int, cuts) -> list[int]:
    """The pyramid rule (tierlib/tiers.py docs): cuts are cumulative percentages of customers
    ranked by profit (high to low); the boundary after tier i is ``k_i = floor(N * c_i / 100 +
    1/2)`` - round half up - computed exactly (N = 23570 and 5 % give 1178.5 -> 1179)."""
    out = []
    for c in cuts:
        v = Fraction(n) * Fraction(repr(float(c))) / 100 + Fraction(1, 2)
        out.append(v.numerator // v.denominator)
    return out


def expected_rows(ds: Dataset, cuts) -> list[tuple[str, str, str]]:
    """(tier name, customers, profit) as the tier table must print them, plus the total row.

    Tier i holds ranks k_{i-1} <= r < k_i; ties in profit do not change the sums."""
    ks = [0, *bounds(ds.n, cuts), ds.n]
    out = []
    for name, a, b in zip(TIER_NAMES, ks, ks[1:]):
        out.append((name, f"{b - a:,}", money_text(sum(ds.profits_desc[a:b]))))
    out.append((TOTAL_NAME, f"{ds.n:,}", money_text(sum(ds.profits_desc))))
    return out


# ---------------------------------------------------------------------------------------------
# the model of the cutoff control (ui/cutoff_control.py, onKey / limits, ascending track)

def key_target(v0: float, count: int, direction: int) -> float:
    """Where ``count`` arrow steps take a handle at ``v0``: the next grid values in that direction
    (an off-grid value typed into the numeric input lands on the grid first)."""
    if direction > 0:
        g = math.floor(v0 / STEP + 1e-9) + count
    else:
        g = math.ceil(v0 / STEP - 1e-9) - count
    return round(g * STEP, 2)


def limits(cuts, i: int) -> tuple[float, float]:
    """Allowed range of handle i: the track ends and the neighbours count, STEP apart."""
    lo = STEP if i == 0 else cuts[i - 1] + STEP
    hi = 100 - STEP if i == len(cuts) - 1 else cuts[i + 1] - STEP
    return round(lo, 10), round(hi, 10)


@dataclass
class Move:
    kind: str  # "keys" | "input"
    handle: int
    cuts: list[float]  # the cutoffs after the move
    keys: list[str] = field(default_factory=list)
    value: float | None = None


def choose_move(rng: random.Random, n: int, cuts: list[float], p_input: float,
                display: list[float] | None = None) -> Move:
    """A random move that stays inside the limits (no clamping to model) and changes at least
    one tier boundary, so the table must visibly change.

    ``cuts`` are the cutoffs in use (the table and the numeric inputs show them); ``display`` is
    what the drag handles show, the same in a correct app. Arrow keys move a handle from the
    value it shows and the control then sends all its shown values, so a keyboard move starts
    from ``display``."""
    display = list(cuts) if display is None else list(display)
    old = bounds(n, cuts)
    for _ in range(500):
        h = rng.randrange(len(cuts))
        if rng.random() < p_input:
            lo, hi = limits(cuts, h)
            v = round(rng.uniform(lo, hi) * 4) / 4  # quarter percents: off the keyboard grid
            if not (lo <= v <= hi) or v == cuts[h]:
                continue
            new = list(cuts)
            new[h] = v
            if bounds(n, new) != old:
                return Move("input", h, new, value=v)
            continue
        lo, hi = limits(display, h)
        direction = rng.choice((-1, 1))
        shift = rng.random() < 0.2
        presses = 1 if shift else rng.randint(1, 6)
        count = 10 * presses if shift else presses
        v = key_target(display[h], count, direction)
        if not (lo <= v <= hi):
            continue
        new = list(display)
        new[h] = v
        if bounds(n, new) == old:
            continue
        key = ("Shift+" if shift else "") + ("ArrowRight" if direction > 0 else "ArrowLeft")
        return Move("keys", h, new, keys=[key] * presses)
    raise RuntimeError(f"no move changes a boundary from {cuts} (handles {display}) with N={n}")


# ---------------------------------------------------------------------------------------------
# browser side

# Waits until the tier table shows the expected rows; returns early on an exception or error box.
# Also reports the handle values and the other sessions' file names found in the page text.
TABLE_STATE_JS = """
([rows, own]) => {
  const report = (state) => {
    const text = document.body ? document.body.textContent : "";
    const files = [...new Set([...text.matchAll(/load(\\d\\d)_/g)].map(m => m[1]))].filter(x => x !== own);
    // The cutoff control lives in an open shadow root (Streamlit components v2).
    const roots = [document, ...[...document.querySelectorAll('*')].filter(e => e.shadowRoot).map(e => e.shadowRoot)];
    const handles = roots.flatMap(r => [...r.querySelectorAll('[data-testid^="cutoff-handle-"]')])
      .map(h => [h.getAttribute('data-testid'), h.getAttribute('data-value')]);
    return {state, files, handles, table: shown()};
  };
  const shown = () => {
    const table = document.querySelector('[data-testid="stTable"]');
    if (!table) return null;
    const head = [...table.querySelectorAll('thead th')].map(x => x.textContent.trim());
    const ic = head.indexOf('客户数'), ip = head.indexOf('利润');
    return [...table.querySelectorAll('tbody tr')].map(tr => {
      const c = [...tr.querySelectorAll('td,th')].map(x => x.textContent.trim());
      return [c[0], c[ic], c[ip]];
    });
  };
  const exc = document.querySelector('[data-testid="stException"], [data-testid="stAlertContentError"]');
  if (exc) return {...report("error"), error: exc.textContent.slice(0, 400)};
  const got = shown();
  if (!got) return false;
  const byName = Object.fromEntries(got.map(r => [r[0], r]));
  for (const [name, n, p] of rows) {
    const g = byName[name];
    if (!g || g[1] !== n || g[2] !== p) return false;
  }
  return report("ok");
}
"""

# The cutoff control's own state (ui/cutoff_control.py keeps it on the root element).
CONTROL_STATE_JS = """
() => {
  const roots = [document, ...[...document.querySelectorAll('*')].filter(e => e.shadowRoot).map(e => e.shadowRoot)];
  for (const r of roots) {
    const el = r.querySelector('[data-testid="tier-cutoffs"]');
    if (el && el.__tierCutoffs) {
      const S = el.__tierCutoffs;
      return {display: S.display, front: S.front, awaiting: S.awaiting, pending: S.pending,
              awaiting_ms: S.awaiting ? Date.now() - S.awaitingSince : null, kb_timer: !!S.kbTimer,
              shown: S.cfg && S.cfg.cuts, data_state: S.data && S.data.state};
    }
  }
  return null;
}
"""

SNAPSHOT_JS = TABLE_STATE_JS.replace("if (!got) return false;", "if (!got) return report('none');") \
    .replace("if (!g || g[1] !== n || g[2] !== p) return false;", "if (!g || g[1] !== n || g[2] !== p) return report('differs');")

# Waits without polling: checks the table when the DOM changes (MutationObserver), so waiting
# pages cost no CPU, and times the action on the page's own clock - from the first keydown
# after arming (ARM_JS) to the DOM change that shows the expected table - so neither Playwright
# nor this harness is inside the figure. Resolves with the page state (or null on timeout).
WAIT_JS = """
async ([rows, own, timeoutMs]) => {
  const check = () => (""" + TABLE_STATE_JS + """)([rows, own]);
  const done = (v) => v && {...v, t0: window.__loadT0 ?? null, t1: performance.now()};
  const first = check();
  if (first) return done(first);
  return await new Promise((resolve) => {
    let over = false;
    const finish = (v) => { if (over) return; over = true; obs.disconnect(); clearTimeout(timer); resolve(v); };
    const obs = new MutationObserver(() => { const v = check(); if (v) finish(done(v)); });
    obs.observe(document.body, {subtree: true, childList: true, characterData: true});
    const timer = setTimeout(() => finish(null), timeoutMs);
  });
}
"""

# Installed in every page: remembers the time of the first keydown after ARM_JS.
KEY_CLOCK_JS = """
document.addEventListener('keydown', () => {
  if (window.__loadArmed) { window.__loadArmed = false; window.__loadT0 = performance.now(); }
}, true);
"""
ARM_JS = "() => { window.__loadArmed = true; window.__loadT0 = null; }"


class FrameMonitor:
    """Watches one page's WebSocket through a CDP session (Network.webSocketFrame*): scans every
    frame the server sends for the session markers, and keeps the browser's timestamps of the
    rerun requests it sends and of the "script finished" messages it receives, so the server's
    part of an action can be told apart from the browser's drawing."""

    def __init__(self, index: int):
        from streamlit.proto import BackMsg_pb2, ForwardMsg_pb2

        self._back, self._fwd = BackMsg_pb2.BackMsg, ForwardMsg_pb2.ForwardMsg
        self.index = index
        self.own = 0
        self.frames = 0
        self.sent = 0
        self.bytes = 0
        self.foreign: dict[int, str] = {}  # other session -> first context seen
        self.events: list[tuple[str, float]] = []  # ("rerun" | "finished", browser seconds)
        self.requests: list[tuple[float, str | None]] = []  # (t, cutoff state sent) per rerun request
        self.finishes: list[tuple[float, int]] = []  # (t, ScriptFinishedStatus) per finished run

    async def attach(self, ctx, page) -> None:
        cdp = await ctx.new_cdp_session(page)
        cdp.on("Network.webSocketFrameReceived", self.on_received)
        cdp.on("Network.webSocketFrameSent", self.on_sent)
        await cdp.send("Network.enable")

    @staticmethod
    def _payload(params) -> bytes:
        r = params.get("response") or {}
        data = r.get("payloadData") or ""
        return base64.b64decode(data) if r.get("opcode") == 2 else data.encode("utf-8", "replace")

    def on_sent(self, params) -> None:
        self.sent += 1
        msg = self._back()
        try:
            msg.ParseFromString(self._payload(params))
        except Exception:  # noqa: BLE001 - not a BackMsg: nothing to time
            return
        if msg.WhichOneof("type") == "rerun_script":
            self.events.append(("rerun", params["timestamp"]))
            # For diagnostics: the cutoff control's state carried by this request.
            cuts = None
            for w in msg.rerun_script.widget_states.widgets:
                if "tier_cutoffs" in w.id and w.WhichOneof("value") in ("json_value", "string_value"):
                    cuts = (w.json_value or w.string_value)[:120]
            self.requests.append((params["timestamp"], cuts))

    def on_received(self, params) -> None:
        data = self._payload(params)
        self.frames += 1
        self.bytes += len(data)
        for m in MARK_RE.finditer(data):
            other = int(m.group(1) or m.group(2))
            if other == self.index:
                self.own += 1
            elif other not in self.foreign:
                self.foreign[other] = data[max(0, m.start() - 40):m.end() + 40].decode("utf-8", "replace")
        if len(data) < 64:  # script_finished is a few bytes; deltas are larger
            msg = self._fwd()
            try:
                msg.ParseFromString(data)
            except Exception:  # noqa: BLE001
                return
            if msg.WhichOneof("type") == "script_finished":  # any status, "stopped early for a rerun" too
                self.events.append(("finished", params["timestamp"]))
                self.finishes.append((params["timestamp"], int(msg.script_finished)))

    def run_times(self, mark: int) -> list[float] | None:
        """For each rerun request sent after event ``mark``: seconds until the next "script
        finished" message (the server's turnaround: queueing + the script run + sending, timed by
        the browser's network stack, without the drawing). None while a run is still going."""
        ev = self.events[mark:]
        out = []
        for i, (kind, t) in enumerate(ev):
            if kind == "rerun":
                done = next((u for k, u in ev[i + 1:] if k == "finished"), None)
                if done is None:
                    return None
                out.append(done - t)
        return out


@dataclass
class SessionResult:
    index: int
    file: str
    fmt: str
    customers: int
    lines: int
    setup_s: float | None = None
    latencies: list[tuple[str, float]] = field(default_factory=list)  # (kind, seconds)
    server_times: list[float] = field(default_factory=list)  # server turnaround per action
    errors: list[dict] = field(default_factory=list)
    frames: int = 0
    frame_mb: float = 0.0
    own_marks: int = 0

    def error(self, kind: str, **detail) -> None:
        self.errors.append({"session": self.index, "kind": kind, **detail})


def _fmt_cuts(cuts) -> str:
    return "/".join(f"{c:g}" for c in cuts)


async def run_session(ds: Dataset, browser, url: str, res: SessionResult, ready: Countdown,
                      go: asyncio.Event, stop_at: list, p_input: float, think: tuple[float, float],
                      seed: int) -> None:
    rng = random.Random(seed * 1000 + ds.index)
    scanner = FrameMonitor(ds.index)
    ctx = await browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    await ctx.add_init_script(KEY_CLOCK_JS)
    page = await ctx.new_page()
    page.set_default_timeout(SETUP_TIMEOUT_S * 1000)
    await scanner.attach(ctx, page)
    own = f"{ds.index:02d}"
    cuts = list(DEFAULT_CUTS)
    display = list(cuts)
    ok = False
    try:
        t0 = time.perf_counter()
        await page.goto(url + "/data", wait_until="domcontentloaded")
        await page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(ds.path))
        await page.get_by_text(re.compile("已加载 " + re.escape(ds.name))).wait_for()
        body = await page.locator("body").inner_text()
        if f"共 {ds.n:,} 位客户" not in body:
            line = next((x for x in body.splitlines() if "已加载" in x), "")
            res.error("wrong", where="data page", expected=f"{ds.n:,} customers", shown=line[:200])
        await page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="客户分级").click()
        state = await wait_table(page, ds, cuts, own, SETUP_TIMEOUT_S)
        if state is None:
            res.error("setup", detail=f"the first tier table did not show the expected numbers in {SETUP_TIMEOUT_S:g} s")
        elif state.get("state") == "error":
            res.error("wrong", where="setup", detail="exception or error box", error=state.get("error"))
        elif state.get("files"):
            res.error("leak", where="page text at setup", other_sessions=state["files"])
        else:
            # The page's tabs are lazy: open the customer grid once, so that the session's own
            # customer ids cross its WebSocket (the leak scan must see them), then go back to
            # the tier table that every action checks.
            await page.get_by_role("tab", name="客户明细").click()
            await page.get_by_text(f"显示 {min(ds.n, 2000):,} / {ds.n:,} 位客户").wait_for()
            await page.get_by_role("tab", name="等级汇总").click()
            state = await wait_table(page, ds, cuts, own, SETUP_TIMEOUT_S)
            if state is None or state.get("state") == "error":
                res.error("setup", detail="the tier table did not come back after the customer grid")
            else:
                res.setup_s = time.perf_counter() - t0
                ok = True
    except Exception as exc:  # noqa: BLE001 - any failure of a session is a result to report
        res.error("setup", detail=f"{type(exc).__name__}: {str(exc)[:300]}")
    finally:
        ready.done()
    await go.wait()
    page.set_default_timeout(ACTION_TIMEOUT_S * 1000)
    precise_open = False
    try:
        while ok and time.monotonic() < stop_at[0]:
            # The table must still show the last result (a late, stale rerun must not undo it).
            snap = await page.evaluate(SNAPSHOT_JS, [expected_rows(ds, cuts), own])
            if snap.get("state") != "ok":
                res.error("wrong", where="before action", cuts=_fmt_cuts(cuts), state=snap.get("state"),
                          shown=snap.get("table"), error=snap.get("error"))
                break
            move = choose_move(rng, ds.n, cuts, p_input, display)
            sent0, got0, mark = scanner.sent, scanner.frames, len(scanner.events)
            if move.kind == "input":
                if not precise_open:
                    await page.get_by_text(PRECISE_LABEL).click()
                    precise_open = True
                box = page.get_by_label(f"第 {move.handle + 1} 个分界点 %", exact=True)
                await box.fill(f"{move.value:.2f}")
                await page.evaluate(ARM_JS)
                t0 = time.perf_counter()
                await box.press("Enter")
            else:
                await page.locator(f'[data-testid="cutoff-handle-{move.handle}"]').focus()
                await page.evaluate(ARM_JS)
                t0 = time.perf_counter()
                for key in move.keys:
                    await page.keyboard.press(key)
            what = f"{move.kind} handle {move.handle + 1}: {_fmt_cuts(cuts)} -> {_fmt_cuts(move.cuts)}"
            try:
                state = await wait_table(page, ds, move.cuts, own, ACTION_TIMEOUT_S)
                if state is None:
                    raise TimeoutError(f"the table did not show the expected numbers in {ACTION_TIMEOUT_S:g} s")
            except Exception as exc:  # noqa: BLE001 - a timeout: what does the page show?
                snap = await page.evaluate(SNAPSHOT_JS, [expected_rows(ds, move.cuts), own])
                control = await page.evaluate(CONTROL_STATE_JS)
                t_mark = scanner.events[mark][1] if len(scanner.events) > mark else None
                res.error("timeout", move=what, expected=expected_rows(ds, move.cuts),
                          shown=snap.get("table"), handles=snap.get("handles"),
                          frames_sent=scanner.sent - sent0, frames_received=scanner.frames - got0,
                          reruns_sent=sum(k == "rerun" for k, _t in scanner.events[mark:]),
                          runs_finished=sum(k == "finished" for k, _t in scanner.events[mark:]),
                          requests=[(round(t - t_mark, 3), c) for t, c in scanner.requests if t_mark and t >= t_mark],
                          finishes=[(round(t - t_mark, 3), st) for t, st in scanner.finishes if t_mark and t >= t_mark],
                          control=control, url=page.url[:300],
                          detail=f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
                break
            elapsed = time.perf_counter() - t0
            if state.get("t0") is not None:  # the page's own clock (see WAIT_JS)
                elapsed = (state["t1"] - state["t0"]) / 1000
            if state.get("state") == "error":
                res.error("wrong", move=what, detail="exception or error box", error=state.get("error"))
                break
            if state.get("files"):
                res.error("leak", where=f"page text after {what}", other_sessions=state["files"])
            res.latencies.append((move.kind, elapsed))
            # The table is drawn before the script ends (curves, grid and export tabs follow):
            # wait for the run to finish, as a user waits for the page to stop "running".
            runs, until = scanner.run_times(mark), time.monotonic() + ACTION_TIMEOUT_S
            while runs is None and time.monotonic() < until:
                await asyncio.sleep(0.05)
                runs = scanner.run_times(mark)
            if runs is None:
                res.error("timeout", move=what, detail=f"the script run did not finish in {ACTION_TIMEOUT_S:g} s "
                          "after the table updated")
                break
            res.server_times.extend(runs)
            cuts = move.cuts
            shown = handle_values(state, len(cuts))
            if shown != cuts:  # give a late redraw a moment before calling it stale
                await asyncio.sleep(1.0)
                snap = await page.evaluate(SNAPSHOT_JS, [expected_rows(ds, cuts), own])
                shown = handle_values(snap, len(cuts))
                if shown != cuts:
                    res.error("stale_handle", move=what, detail="the drag handles do not show the cutoffs "
                              "in use (table and numeric inputs)", expected=cuts, shown=shown)
            # Arrow keys act on what the handles show (the same as ``cuts`` in a correct app).
            display = shown if shown and None not in shown else list(cuts)
            await asyncio.sleep(rng.uniform(*think))
        if ok:
            side = await page.locator('[data-testid="stSidebar"]').inner_text()
            if f"上传文件：{ds.name}" not in side or f"{ds.n:,} 位客户" not in side:
                res.error("wrong", where="sidebar at the end", shown=" | ".join(side.splitlines()[-12:])[:300])
    except Exception as exc:  # noqa: BLE001
        res.error("session", detail=f"{type(exc).__name__}: {str(exc)[:300]}")
    finally:
        res.frames, res.frame_mb, res.own_marks = scanner.frames, scanner.bytes / 1e6, scanner.own
        for other, context in scanner.foreign.items():
            res.error("leak", where="websocket frame", other_session=other, context=context)
        if ok and scanner.own == 0:
            res.error("blind", detail="no frame carried this session's own ids: the leak scan saw nothing")
        await ctx.close()


async def wait_table(page, ds: Dataset, cuts, own: str, timeout_s: float) -> dict | None:
    """The page state once the tier table shows the expected rows (or an error box), None after
    ``timeout_s``."""
    return await page.evaluate(WAIT_JS, [expected_rows(ds, cuts), own, timeout_s * 1000])


def handle_values(state: dict, n: int) -> list[float | None]:
    """The values the drag handles show (``data-value``), None where missing or unreadable."""
    got = dict(state.get("handles") or [])
    out = []
    for i in range(n):
        try:
            out.append(float(got[f"cutoff-handle-{i}"]))
        except (KeyError, TypeError, ValueError):
            out.append(None)
    return out


class Countdown:
    def __init__(self, n: int):
        self.n = n
        self.event = asyncio.Event()
        if n == 0:
            self.event.set()

    def done(self) -> None:
        self.n -= 1
        if self.n <= 0:
            self.event.set()


# ---------------------------------------------------------------------------------------------
# server-side timing: a sitecustomize hook loaded into the server process only (PYTHONPATH), so
# no app file changes. It wraps two methods of Streamlit's AppSession (1.67) and appends, per
# completed script run, [t, turnaround s (earliest rerun request it serves received -> run
# finished; None for runs nobody asked for), run wall s, run thread-CPU s, session] to
# $LOAD_SERVER_TIMINGS. If Streamlit's internals move, the hook does nothing and the report
# says "no server-side timings" (a failure).

SERVER_HOOK = r'''
import json, os, threading, time
try:
    from streamlit.runtime import app_session as _as
    _path = os.environ["LOAD_SERVER_TIMINGS"]
    _lock = threading.Lock()
    _orig_request = _as.AppSession.request_rerun
    _orig_event = _as.AppSession._on_scriptrunner_event

    def request_rerun(self, client_state):
        if getattr(self, "_lt_req", None) is None:
            self._lt_req = time.monotonic()
        return _orig_request(self, client_state)

    def _on_scriptrunner_event(self, sender, event, *args, **kwargs):
        # A run serves the requests that arrived before it started (the earliest one counts); a
        # run stopped for a rerun hands its request on to the run that replaces it.
        name = getattr(event, "name", str(event))
        now = time.monotonic()
        if name == "SCRIPT_STARTED":
            waiting = [t for t in (getattr(self, "_lt_carry", None), getattr(self, "_lt_req", None)) if t]
            self._lt_run_req = min(waiting) if waiting else None
            self._lt_req = self._lt_carry = None
            self._lt_start, self._lt_cpu = now, time.thread_time()
        elif name == "SCRIPT_STOPPED_FOR_RERUN":
            self._lt_carry = getattr(self, "_lt_run_req", None)
        elif name in ("SCRIPT_STOPPED_WITH_SUCCESS", "SCRIPT_STOPPED_WITH_COMPILE_ERROR"):
            start, req = getattr(self, "_lt_start", None), getattr(self, "_lt_run_req", None)
            if start is not None:
                row = [now, None if req is None else now - req, now - start,
                       time.thread_time() - self._lt_cpu, self.id[:8]]
                with _lock, open(_path, "a") as fh:
                    fh.write(json.dumps(row) + "\n")
            self._lt_run_req = None
        return _orig_event(self, sender, event, *args, **kwargs)

    _as.AppSession.request_rerun = request_rerun
    _as.AppSession._on_scriptrunner_event = _on_scriptrunner_event
except Exception:  # the load test then reports no server-side timings
    pass

if os.environ.get("LOAD_SERVER_PROFILE"):  # diagnostics: where do the script threads spend time?
    import atexit, collections, signal, sys, traceback
    _counts, _inner = collections.Counter(), collections.Counter()

    _others, _chains = collections.Counter(), collections.Counter()
    _go = os.environ["LOAD_SERVER_PROFILE"] + ".go"  # counts only while this file exists

    def _sampler():
        me = threading.get_ident()
        while True:
            time.sleep(0.02)
            if not os.path.exists(_go):
                continue
            names = {t.ident: t.name for t in threading.enumerate()}
            for ident, frame in sys._current_frames().items():
                if ident == me:
                    continue
                stack = traceback.extract_stack(frame)
                top = stack[-1]
                where = f"{top.filename.split('site-packages/')[-1]}:{top.lineno} {top.name}"
                if "ScriptRunner" not in names.get(ident, ""):
                    _others[f"{names.get(ident, '?')[:20]} | {where}"] += 1
                    continue
                _inner[where] += 1
                chain = " <- ".join(f"{f.filename.split('/')[-1]}:{f.lineno} {f.name}" for f in reversed(stack[-6:]))
                _chains[chain] += 1
                mine = next((f for f in reversed(stack) if "/work/main/" in f.filename and "site-packages" not in f.filename), None)
                if mine is not None:
                    _counts[f"{mine.filename.split('/work/main/')[-1]}:{mine.lineno} {mine.name}"] += 1

    def _dump(*_a):
        with open(os.environ["LOAD_SERVER_PROFILE"], "w") as fh:
            json.dump({"app": _counts.most_common(40), "inner": _inner.most_common(40),
                       "others": _others.most_common(40), "chains": _chains.most_common(30)}, fh, indent=1)

    threading.Thread(target=_sampler, daemon=True).start()
    atexit.register(_dump)
    _prev = signal.getsignal(signal.SIGTERM)
    signal.signal(signal.SIGTERM, lambda *a: (_dump(), _prev(*a) if callable(_prev) else sys.exit(0)))
'''


# ---------------------------------------------------------------------------------------------
# server memory and responsiveness

def _children(pid: int) -> list[int]:
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            stat = Path(f"/proc/{d}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid:
            out.append(int(d))
    return out


def tree(pid: int) -> list[int]:
    todo, seen = [pid], []
    while todo:
        p = todo.pop()
        seen.append(p)
        todo.extend(_children(p))
    return seen


def rss_mb(pids) -> float:
    total = 0
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
                    break
        except OSError:
            pass
    return total / 1024


def cpu_s(pids) -> float:
    """User + system CPU seconds used so far by these processes (/proc/<pid>/stat)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / tick


def machine_busy_s() -> float:
    """CPU seconds the whole machine has been busy (all cores; /proc/stat, idle and iowait excluded)."""
    f = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (f + [0] * 8)[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def health_s(url: str) -> float | None:
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(url + "/_stcore/health", timeout=10) as r:
            r.read()
    except OSError:
        return None
    return time.perf_counter() - t0


def server_sampler_main(pid: int, url: str, out: str) -> int:
    """Every second append ``[monotonic t, server RSS MB (children included), server CPU s,
    /_stcore/health seconds or null, machine busy CPU s]`` to ``out`` until the server is gone.
    Runs in its own process at normal priority, so a busy (lower-priority) harness does not
    distort it."""
    with open(out, "a", encoding="utf-8") as fh:
        while Path(f"/proc/{pid}").exists():
            t = time.monotonic()
            pids = tree(pid)
            rss, cpu, busy = rss_mb(pids), cpu_s(pids), machine_busy_s()
            if rss == 0:  # exiting (a zombie has no VmRSS)
                break
            h = health_s(url)
            fh.write(json.dumps([t, rss, cpu, h, busy]) + "\n")
            fh.flush()
            time.sleep(max(0.0, 1.0 - (time.monotonic() - t)))
    return 0


async def sample_client(server_pid: int, out: list, stop: asyncio.Event) -> None:
    """Every second: (monotonic t, RSS MB and CPU s of the Playwright driver and Chromium, CPU s
    of this process)."""
    me = os.getpid()
    while not stop.is_set():
        server = set(tree(server_pid))
        client = [p for p in tree(me) if p != me and p not in server]
        out.append((time.monotonic(), rss_mb(client), cpu_s(client), time.process_time()))
        try:
            await asyncio.wait_for(stop.wait(), timeout=1.0)
        except TimeoutError:
            pass


# ---------------------------------------------------------------------------------------------
# the run

def pct(values, q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100)."""
    if not values:
        return None
    s = sorted(values)
    return s[max(0, math.ceil(q / 100 * len(s)) - 1)]


def memory_verdict(samples, t_go: float, t_end: float) -> dict:
    """Server RSS at the start, when the action phase began, at its peak and at the end, and
    whether the last third of the action phase still climbed (see RSS_SLACK_*)."""
    samples = [x for x in samples if x[1] > 0]
    steady = [(t, r) for t, r, *_ in samples if t_go <= t <= t_end]
    all_rss = [r for _t, r, *_ in samples]
    out = {"start_mb": all_rss[0] if all_rss else None, "peak_mb": max(all_rss) if all_rss else None,
           "end_mb": all_rss[-1] if all_rss else None, "at_go_mb": steady[0][1] if steady else None}
    if len(steady) < 6:
        out.update(bounded=None, growth_mb=None, slope_mb_min=None, note="too short to judge")
        return out
    span = steady[-1][0] - steady[0][0]
    cut = steady[0][0] + span * 2 / 3
    early = [r for t, r in steady if t < cut]
    late = [(t, r) for t, r in steady if t >= cut]
    growth = max(r for _t, r in late) - max(early)
    allowed = max(RSS_SLACK_MB, RSS_SLACK_FRACTION * max(early))
    mt = statistics.fmean(t for t, _r in late)
    mr = statistics.fmean(r for _t, r in late)
    den = sum((t - mt) ** 2 for t, _r in late)
    slope = sum((t - mt) * (r - mr) for t, r in late) / den * 60 if den else 0.0
    out.update(bounded=growth <= allowed, growth_mb=growth, allowed_mb=allowed, slope_mb_min=slope,
               early_peak_mb=max(early), late_peak_mb=max(r for _t, r in late))
    return out


async def run_async(sessions: int, duration: float, p_input: float, think: tuple[float, float],
                    seed: int, log=print, keep: bool = False, client_nice: int = CLIENT_NICE) -> dict:
    import subprocess

    from playwright.async_api import async_playwright

    from tests.e2e.helpers import AppServer

    tmp = Path(tempfile.mkdtemp(prefix="cp-load-"))
    files = tmp / "files"
    files.mkdir()
    datasets = [make_dataset(i, files) for i in range(sessions)]
    log(f"{sessions} files in {files}: " + ", ".join(f"{d.name} ({d.n:,} customers)" for d in datasets[:4])
        + (" ..." if sessions > 4 else ""))
    results = [SessionResult(d.index, d.name, d.fmt, d.n, d.lines) for d in datasets]
    client_samples: list = []
    t_start = time.monotonic()
    # No file watcher, as in a deployment: with the default watcher, an edit to any source file
    # while the server runs (other people work in this checkout) makes Streamlit drop the
    # changed modules from sys.modules, and concurrent reruns then fail with KeyError on import
    # or "object of type 'Ranked' has no len()" (a cached object of the old class).
    hook = tmp / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(SERVER_HOOK, encoding="utf-8")
    env = {"CUSTOMER_PYRAMID_DATA_DIR": str(tmp / "workspaces"), "PYTHONUNBUFFERED": "1",
           "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none", "LOAD_SERVER_TIMINGS": str(tmp / "runs.jsonl"),
           **({"LOAD_SERVER_PROFILE": str(tmp / "profile.json")} if os.environ.get("LOAD_PROFILE") else {}),
           "PYTHONPATH": os.pathsep.join([str(hook), str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
    with AppServer(tmp / "streamlit.log", env_extra=env) as srv:
        sampler = subprocess.Popen([sys.executable, "-m", "bench.load", "--sample-server", str(srv.proc.pid),
                                    srv.url, str(tmp / "server.jsonl")], cwd=ROOT)
        # The browsers stand in for users on their own machines: they get the CPU the server
        # leaves (the server and its sampler keep normal priority; Chromium inherits ours).
        if client_nice:
            os.nice(client_nice)
        stop = asyncio.Event()
        client_task = asyncio.create_task(sample_client(srv.proc.pid, client_samples, stop))
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            ready, go, stop_at = Countdown(sessions), asyncio.Event(), [0.0]
            tasks = [asyncio.create_task(run_session(d, browser, srv.url, r, ready, go, stop_at, p_input,
                                                     think, seed))
                     for d, r in zip(datasets, results)]
            await ready.event.wait()
            t_go = time.monotonic() - t_start
            n_ready = sum(r.setup_s is not None for r in results)
            log(f"{n_ready}/{sessions} sessions ready after {t_go:.1f} s; moving cutoffs for {duration:g} s")
            stop_at[0] = time.monotonic() + duration
            if env.get("LOAD_SERVER_PROFILE"):
                Path(env["LOAD_SERVER_PROFILE"] + ".go").touch()
            go.set()
            progress = asyncio.create_task(_progress(results, stop_at, log))
            await asyncio.gather(*tasks)
            progress.cancel()
            t_end = min(time.monotonic(), stop_at[0]) - t_start
            await browser.close()
        stop.set()
        await client_task
        server_alive = srv.proc.poll() is None
    try:
        sampler.wait(timeout=15)  # it stops when the server is gone
    except subprocess.TimeoutExpired:
        sampler.kill()
    server_samples = []
    for line in (tmp / "server.jsonl").read_text().splitlines():
        t, rss, cpu, h, busy = json.loads(line)
        server_samples.append((t - t_start, rss, cpu, h, busy))
    client_samples = [(t - t_start, rss, cpu, mine) for t, rss, cpu, mine in client_samples]
    runs_file = tmp / "runs.jsonl"
    server_runs = [(r[0] - t_start, *r[1:]) for r in map(json.loads, runs_file.read_text().splitlines())] \
        if runs_file.exists() else []
    log_text = (tmp / "streamlit.log").read_text(errors="replace")
    tracebacks = log_text.count("Traceback (most recent call last)")
    report = summarize(results, server_samples, client_samples, server_runs, t_go, t_end,
                       {"sessions": sessions, "duration_s": duration, "p_input": p_input, "think_s": list(think),
                        "seed": seed, "client_nice": client_nice})
    report["server_alive_at_end"] = server_alive
    report["server_log_tracebacks"] = tracebacks
    if tracebacks:
        i = log_text.find("Traceback (most recent call last)")
        report["server_log_excerpt"] = log_text[i:i + 2000]
    if not server_alive:
        report["failures"].append("the server died during the run")
    if tracebacks:
        report["failures"].append(f"{tracebacks} traceback(s) in the server log")
    report["passed"] = not report["failures"]
    if report["passed"] and not keep:
        shutil.rmtree(tmp, ignore_errors=True)
    else:  # keep the server log (and the files) to look at
        report["kept"] = str(tmp)
        (tmp / "report.json").write_text(json.dumps(report, ensure_ascii=False, default=str, indent=1),
                                         encoding="utf-8")
        log(f"server log kept: {tmp / 'streamlit.log'}")
    return report


def cpu_split(server_samples, client_samples, t_go: float, t_end: float) -> dict:
    """Average cores used by the server, the browsers and the harness during the action phase."""
    srv = [x for x in server_samples if t_go <= x[0] <= t_end]
    cli = [x for x in client_samples if t_go <= x[0] <= t_end]
    if len(srv) < 2 or len(cli) < 2:
        return {}
    span_s, span_c = srv[-1][0] - srv[0][0], cli[-1][0] - cli[0][0]
    out = {"server_cores": (srv[-1][2] - srv[0][2]) / span_s,
           "browser_cores": (cli[-1][2] - cli[0][2]) / span_c,
           "harness_cores": (cli[-1][3] - cli[0][3]) / span_c,
           "busy_cores": (srv[-1][4] - srv[0][4]) / span_s,
           "machine_cores": os.cpu_count()}
    # Whatever else ran on the machine at the same time (other people's jobs).
    out["other_cores"] = max(0.0, out["busy_cores"] - out["server_cores"] - out["browser_cores"]
                             - out["harness_cores"])
    return out


async def _progress(results, stop_at, log) -> None:
    while True:
        await asyncio.sleep(30)
        left = stop_at[0] - time.monotonic()
        lat = [x for r in results for _k, x in r.latencies]
        log(f"  {sum(len(r.latencies) for r in results)} actions, p95 {fmt_s(pct(lat, 95))}, "
            f"{sum(len(r.errors) for r in results)} errors, {max(0, left):.0f} s left")


def stats(v) -> dict:
    return {"n": len(v), "p50": pct(v, 50), "p95": pct(v, 95), "max": max(v) if v else None,
            "mean": statistics.fmean(v) if v else None}


def summarize(results, server_samples, client_samples, server_runs, t_go, t_end, settings: dict) -> dict:
    lat_all = [x for r in results for _k, x in r.latencies]
    by_kind = {k: [x for r in results for kk, x in r.latencies if kk == k] for k in ("keys", "input")}
    browser_turn = [x for r in results for x in r.server_times]
    # Server-side, from the hook: runs that finished in the action phase.
    phase_runs = [r for r in server_runs if t_go <= r[0] <= t_end]
    turnaround = [r[1] for r in phase_runs if r[1] is not None]
    run_wall = [r[2] for r in phase_runs]
    run_cpu = [r[3] for r in phase_runs]
    errors = [e for r in results for e in r.errors]
    counts = {k: sum(e["kind"] == k for e in errors)
              for k in ("wrong", "stale_handle", "leak", "timeout", "blind", "setup", "session")}
    mem = memory_verdict(server_samples, t_go, t_end)
    steady_health = [h for t, _r, _c, h, _b in server_samples if t_go <= t <= t_end and h is not None]
    health_fail = sum(1 for t, _r, _c, h, _b in server_samples if t_go <= t <= t_end and h is None)
    setup = [r.setup_s for r in results if r.setup_s is not None]

    failures = []
    if counts["wrong"]:
        failures.append(f"{counts['wrong']} wrong result(s)")
    if counts["stale_handle"]:
        failures.append(f"{counts['stale_handle']} time(s) the drag handles did not show the cutoffs in use")
    if counts["leak"]:
        failures.append(f"{counts['leak']} leak(s) of another session's data")
    if counts["blind"]:
        failures.append(f"{counts['blind']} session(s) where the leak scan saw no own data")
    if counts["timeout"]:
        failures.append(f"{counts['timeout']} action(s) without an answer in {ACTION_TIMEOUT_S:g} s")
    if counts["setup"] or counts["session"]:
        failures.append(f"{counts['setup'] + counts['session']} session(s) failed to set up or crashed")
    idle = [r.index for r in results if not r.latencies]
    if idle:
        failures.append(f"sessions without a single completed action: {idle}")
    p95 = pct(turnaround, 95)
    if p95 is None:
        failures.append("no server-side timings (the sitecustomize hook did not load)")
    elif p95 > SERVER_P95_BOUND_S:
        failures.append(f"server turnaround p95 {p95:.2f} s > {SERVER_P95_BOUND_S:g} s")
    p95 = pct(lat_all, 95)
    if p95 is not None and p95 > SCREEN_P95_BOUND_S:
        failures.append(f"on-screen latency p95 {p95:.2f} s > {SCREEN_P95_BOUND_S:g} s")
    if mem.get("bounded") is False:
        failures.append(f"server RSS kept growing: last-third peak {mem['late_peak_mb']:.0f} MB vs "
                        f"{mem['early_peak_mb']:.0f} MB before (+{mem['growth_mb']:.0f} MB > {mem['allowed_mb']:.0f} MB)")
    cpu = cpu_split(server_samples, client_samples, t_go, t_end)
    return {
        "settings": {**settings, "action_timeout_s": ACTION_TIMEOUT_S, "server_p95_bound_s": SERVER_P95_BOUND_S,
                     "screen_p95_bound_s": SCREEN_P95_BOUND_S},
        "setup": {"ready_after_s": t_go, **stats(setup)},
        "action_phase_s": t_end - t_go,
        "latency": {"all": stats(lat_all), "keys": stats(by_kind["keys"]), "input": stats(by_kind["input"]),
                    "server": stats(turnaround), "run_wall": stats(run_wall), "run_cpu": stats(run_cpu),
                    "browser_turnaround": stats(browser_turn)},
        "server_runs_per_s": len(phase_runs) / (t_end - t_go) if t_end > t_go else None,
        "throughput_per_s": len(lat_all) / (t_end - t_go) if t_end > t_go else None,
        "errors": counts,
        "error_details": [e for k in counts for e in [x for x in errors if x["kind"] == k][:5]],
        "memory": mem,
        "cpu": cpu,
        "client_rss_peak_mb": max((c[1] for c in client_samples), default=None),
        "health": {**stats(steady_health), "failed": health_fail},
        "sessions": [{"index": r.index, "file": r.file, "format": r.fmt, "customers": r.customers,
                      "lines": r.lines, "setup_s": r.setup_s, "actions": len(r.latencies),
                      "p50": pct([x for _k, x in r.latencies], 50), "p95": pct([x for _k, x in r.latencies], 95),
                      "browser_turnaround_p95": pct(r.server_times, 95),
                      "errors": len(r.errors), "frames": r.frames, "frame_mb": r.frame_mb,
                      "own_marks": r.own_marks} for r in results],
        "rss_series": [(round(t, 1), round(r, 1)) for t, r, *_ in server_samples],
        "failures": failures,
    }


# ---------------------------------------------------------------------------------------------
# report

def fmt_s(x) -> str:
    if x is None:
        return "-"
    return f"{x * 1000:.0f} ms" if x < 1 else f"{x:.2f} s"


def machine() -> dict:
    chromium = "-"
    try:
        import subprocess

        chromium = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, timeout=20,
                                  check=False).stdout.strip() or "-"
    except (OSError, subprocess.SubprocessError):
        pass
    return describe(("streamlit", "playwright", "pandas", "duckdb"), chromium=chromium)


def render(report: dict, info: dict, load_before: str) -> list[str]:
    s, lat, mem, h = report["settings"], report["latency"], report["memory"], report["health"]
    verdict = "PASS" if report["passed"] else "FAIL"
    health_failed = f" ({h['failed']} failed)" if h["failed"] else ""
    out = [
        "# Load test: concurrent browser sessions on one server", "",
        f"`python -m bench.load --sessions {s['sessions']} --duration {s['duration_s']:g}` on "
        f"{time.strftime('%Y-%m-%d %H:%M')} - **{verdict}**.", "",
        f"- CPU: {info['cpu']}, {info['cores']} cores; memory {info['memory']}; {info['os']}",
        f"- python {info['python']}, streamlit {info['streamlit']}, playwright {info['playwright']}, "
        f"pandas {info['pandas']}, duckdb {info['duckdb']}; {info['chromium']}",
        f"- load average before the run: {load_before}; after: {info['load']} (1, 5, 15 min)",
        "- server and clients on the same machine (loopback): the Streamlit server and every "
        "Chromium page share these cores; the server runs app.py with the repository's "
        ".streamlit/config.toml plus `STREAMLIT_SERVER_FILE_WATCHER_TYPE=none` (no reloads on "
        "source edits, as deployed)",
        "", "## Settings", "",
        f"- {s['sessions']} sessions, one browser context each, all in one process (Playwright async API)",
        f"- files: one per session, {min(x['customers'] for x in report['sessions']):,} to "
        f"{max(x['customers'] for x in report['sessions']):,} customers "
        f"({min(x['lines'] for x in report['sessions']):,} to {max(x['lines'] for x in report['sessions']):,} "
        "lines), CSV utf-8 / CSV GBK / XLSX in turn, Chinese headers",
        f"- action phase {s['duration_s']:g} s after every session was ready; think time "
        f"{s['think_s'][0]:g}-{s['think_s'][1]:g} s between actions; {s['p_input'] * 100:.0f}% of the moves "
        "typed into the precise numeric input, the rest arrow keys on a handle (1-6 presses, or one "
        "Shift+arrow = 10 steps)",
        f"- Chromium, the Playwright driver and the harness run at nice {s['client_nice']}, the server and "
        "its sampler at normal priority: the browsers stand in for users on their own machines and "
        "get the CPU the server leaves",
        "- a waiting page checks its tier table on every DOM change (MutationObserver, no polling) and "
        "times the action on its own clock, from the first keydown to the DOM showing the new numbers; "
        f"action timeout {s['action_timeout_s']:g} s; seed {s['seed']}",
        "", "## Results", "",
        "| measure | value | bound |", "|---|---:|---:|",
        f"| sessions ready (upload + first tier table) | {sum(x['setup_s'] is not None for x in report['sessions'])}"
        f"/{s['sessions']} after {report['setup']['ready_after_s']:.1f} s | all |",
        f"| setup per session p50 / max | {fmt_s(report['setup']['p50'])} / {fmt_s(report['setup']['max'])} | - |",
        f"| actions checked | {lat['all']['n']:,} ({report['throughput_per_s'] or 0:.1f}/s) | - |",
        f"| wrong results | {report['errors']['wrong']} | 0 |",
        f"| drag handles not showing the cutoffs in use | {report['errors']['stale_handle']} | 0 |",
        f"| another session's data seen | {report['errors']['leak']} | 0 |",
        f"| leak scan blind (own ids never seen) | {report['errors']['blind']} | 0 |",
        f"| actions without an answer in {s['action_timeout_s']:g} s | {report['errors']['timeout']} | 0 |",
        f"| setup failures / crashed sessions | {report['errors']['setup'] + report['errors']['session']} | 0 |",
        f"| on screen: key press / Enter -> new table, p50 | {fmt_s(lat['all']['p50'])} | - |",
        f"| on screen: p95 | {fmt_s(lat['all']['p95'])} | ≤ {s['screen_p95_bound_s']:g} s |",
        f"| on screen: max | {fmt_s(lat['all']['max'])} | - |",
        f"| server: rerun request received -> script run finished, p50 / max ({lat['server']['n']:,} runs, "
        f"{report['server_runs_per_s'] or 0:.1f}/s) | {fmt_s(lat['server']['p50'])} / {fmt_s(lat['server']['max'])} | - |",
        f"| server: p95 | {fmt_s(lat['server']['p95'])} | ≤ {s['server_p95_bound_s']:g} s |",
        f"| server: one script run, wall p50 / p95; its thread's CPU mean | {fmt_s(lat['run_wall']['p50'])} / "
        f"{fmt_s(lat['run_wall']['p95'])}; {fmt_s(lat['run_cpu']['mean'])} | - |",
        f"| browser: rerun request sent -> \"finished\" received (network stack clock), p50 / p95 | "
        f"{fmt_s(lat['browser_turnaround']['p50'])} / {fmt_s(lat['browser_turnaround']['p95'])} | - |",
        f"| arrow keys: n, p50 / p95 | {lat['keys']['n']:,}, {fmt_s(lat['keys']['p50'])} / {fmt_s(lat['keys']['p95'])} | - |",
        f"| numeric input: n, p50 / p95 | {lat['input']['n']:,}, {fmt_s(lat['input']['p50'])} / {fmt_s(lat['input']['p95'])} | - |",
        f"| /_stcore/health while loaded p50 / p95 / max | {fmt_s(h['p50'])} / {fmt_s(h['p95'])} / "
        f"{fmt_s(h['max'])}{health_failed} | - |",
        f"| server RSS start / at go / peak / end | {mem['start_mb']:.0f} / {mem['at_go_mb'] or 0:.0f} / "
        f"{mem['peak_mb']:.0f} / {mem['end_mb']:.0f} MB | - |",
    ]
    if mem.get("bounded") is not None:
        out.append(f"| server RSS: last-third peak over earlier peak | {mem['growth_mb']:+.0f} MB "
                   f"(slope in the last third {mem['slope_mb_min']:+.1f} MB/min) | ≤ {mem['allowed_mb']:.0f} MB |")
    c = report.get("cpu") or {}
    if c:
        out.append(f"| CPU used in the action phase: server / Chromium + driver / harness / other jobs | "
                   f"{c['server_cores']:.2f} / {c['browser_cores']:.2f} / {c['harness_cores']:.2f} / "
                   f"{c['other_cores']:.2f} cores (of {c['machine_cores']}) | - |")
    out.append(f"| Chromium + driver RSS peak (client side, for scale) | {report['client_rss_peak_mb'] or 0:,.0f} MB | - |")
    out.append(f"| server alive at the end / tracebacks in its log | {'yes' if report['server_alive_at_end'] else 'NO'} "
               f"/ {report['server_log_tracebacks']} | yes / 0 |")
    out += ["", "Per session:", "",
            "| # | file | customers | lines | setup | actions | p50 | p95 | errors | frames (MB) | own ids seen |",
            "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for x in report["sessions"]:
        out.append(f"| {x['index']} | {x['file']} | {x['customers']:,} | {x['lines']:,} | {fmt_s(x['setup_s'])} | "
                   f"{x['actions']} | {fmt_s(x['p50'])} | {fmt_s(x['p95'])} | {x['errors']} | "
                   f"{x['frames']:,} ({x['frame_mb']:.0f}) | {x['own_marks']:,} |")
    series = report["rss_series"]
    if series:
        step = max(1, len(series) // 12)
        out += ["", "Server RSS over time (s: MB): " + ", ".join(f"{t:.0f}: {r:.0f}" for t, r in series[::step])]
    if report["failures"]:
        out += ["", "## Failures", ""] + [f"- {f}" for f in report["failures"]]
        out += ["", "Examples (at most 3 of each kind):", ""]
        seen: dict[str, int] = {}
        for e in report["error_details"]:
            seen[e["kind"]] = seen.get(e["kind"], 0) + 1
            if seen[e["kind"]] <= 3:
                out.append(f"- `{json.dumps(e, ensure_ascii=False)[:2500]}`")
    out += ["", "## How to read", "",
            "- An *action* is one cutoff move: arrow keys on a handle (the control sends the value 250 ms "
            "after the last key, so that debounce is inside every keyboard figure) or a value typed into "
            "the precise input and Enter. After each action the session checks that the tier table shows "
            "the customer counts and profit sums the harness computed itself from its own file (pyramid "
            "rule, round half up), then waits for the script run to finish and thinks before the next move.",
            "- *On screen* runs on the page's clock from the first keydown to the DOM change that shows "
            "those numbers: server run + transfer + the browser redrawing. Here the browsers share the "
            f"{info['cores']} cores with the server (at low priority), so with many sessions this figure "
            f"mostly measures {s['sessions']} Chromium pages queueing for CPU - see the CPU line - not what "
            "a user on their own machine would see.",
            "- *Server* is measured inside the server process (a sitecustomize hook on Streamlit's "
            "AppSession, PYTHONPATH of the test server only): from the rerun request arriving to the "
            "script run finishing, i.e. queueing, the whole tiers page script and sending its deltas. "
            "*One script run* is the same without the wait for a previous run; its thread's CPU is the "
            "Python work of one run. *Browser: rerun request sent -> finished received* is the same "
            "turnaround seen from Chromium's network stack, so it also holds the client's delays.",
            "- *Wrong results* would be a table that never reaches the expected numbers, a table that "
            "changes back before the next move, or an exception/error box. *Drag handles not showing "
            "the cutoffs in use*: one second after the table updated, the handles' values differ from "
            "the cutoffs the table and the numeric inputs use. *Another session's data* is any other "
            "session's customer id or file name in the WebSocket frames a session received or in its "
            "page text; *own ids seen* counts the session's own markers in its frames and shows that "
            "the scan sees data at all.",
            "- Server RSS is the VmRSS of the Streamlit process (and children) sampled every second; "
            "the action phase is split in thirds and memory counts as bounded when the last third's "
            f"peak is at most max({RSS_SLACK_MB:g} MB, {RSS_SLACK_FRACTION:.0%}) above the peak before it. "
            f"The setup peak ({s['sessions']} uploads parsed at once) is higher than the steady state.",
            ""]
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--duration", type=float, default=180.0, help="seconds of cutoff moves after setup")
    ap.add_argument("--think", default=DEFAULT_THINK, help="think time between actions, min:max seconds")
    ap.add_argument("--p-input", type=float, default=0.25, help="share of moves typed into the numeric input")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--write", action="store_true", help="write the results to bench/LOAD.md")
    ap.add_argument("--client-nice", type=int, default=CLIENT_NICE,
                    help="nice level of the browsers and the harness (the server keeps 0)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder (files, server log)")
    ap.add_argument("--sample-server", nargs=3, metavar=("PID", "URL", "OUT"), help=argparse.SUPPRESS)
    ap.add_argument("--json", action="store_true", help="print the report as JSON on stdout (progress on stderr)")
    args = ap.parse_args(argv)
    if args.sample_server:
        pid, url, out = args.sample_server
        return server_sampler_main(int(pid), url, out)
    lo, _, hi = args.think.partition(":")
    think = (float(lo), float(hi or lo))
    if args.sessions < 1 or args.sessions > 99:
        ap.error("--sessions must be 1..99 (two-digit session markers)")

    def log(msg):
        print(msg, file=sys.stderr if args.json else sys.stdout, flush=True)

    load_before = " ".join(f"{x:.1f}" for x in os.getloadavg())
    report = asyncio.run(run_async(args.sessions, args.duration, args.p_input, think, args.seed, log,
                                    args.keep, args.client_nice))
    info = machine()
    lines = render(report, info, load_before)
    log("\n" + "\n".join(lines))
    if args.write:
        write_keeping_notes(LOAD_MD, lines, NOTES_MARKER)
        log("written to bench/LOAD.md")
    if args.json:
        print(json.dumps(report, ensure_ascii=False, default=str))
    return 0 if report["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
