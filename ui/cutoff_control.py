"""Tier cutoff control: one horizontal track with draggable handles (Streamlit components v2).

The control is an inline custom component (HTML/CSS/JS strings, no build step, no iframe). It
draws ``len(cuts) + 1`` coloured tier bands separated by ``len(cuts)`` handles, shows the value
of each handle above it, and sends the cuts to Python when a handle is released (pointerup) or
~250 ms after the last keyboard step.

Handle order
    Handle ``i`` always holds ``cuts[i]`` and handle 0 is the top boundary (between tier 1 and
    tier 2), drawn leftmost. With ``descending=False`` (percentage schemes) the values increase
    from left to right. With ``descending=True`` (absolute money thresholds, tier 1 = value >=
    c1 > c2 > ...) the caller passes the cuts in descending order and the track is reversed:
    ``hi`` is at the left end, ``lo`` at the right end, so handle 0 (the highest threshold) is
    still leftmost. ``scale="log"`` spaces the positions logarithmically (needs ``lo > 0``).

Limits (the same in Python, :func:`clamp_cuts`, and in the browser)
    The track ends behave like fixed neighbours: every cut lies in ``[lo + step, hi - step]``
    and neighbouring cuts are at least ``step`` apart, so the order is strict and no tier is
    empty by construction (the percentage schemes need ``0 < cut < 100``). Dragged and keyboard
    values snap to multiples of ``step`` and are rounded to ``decimals``; values given by Python
    (precise numeric inputs) are shown as they are, not snapped.

Data / state contract
    * data sent to the browser: ``{"cuts", "state", "lo", "hi", "step", "decimals", "names",
      "colors", "unit", "scale", "descending", "aria_label"}`` where ``cuts`` is the value to
      show and ``state`` the component state as the server knows it (lets the browser detect
      that its own state is stale, see below).
    * component state: ``st.session_state[key] == {"cuts": [...]}`` (state name ``"cuts"``; the
      result object is a dict subclass, so names like ``values``/``items``/``get`` would clash).
      ``default={"cuts": <value>}`` is fed on every run, so a remount (page switch) starts from
      the current value, not from the first one.
    * return value: the cuts released by the user on the run that follows the release (or set
      through ``st.session_state[key] = {"cuts": [...]}``); otherwise ``cuts`` when the caller
      changed them since the previous run (e.g. typed into a number input); otherwise the value
      returned on the previous run. Keep the canonical value in your own session-state key and
      pass it back as ``cuts`` on the next run.

Stale browser state
    The browser keeps the last value it sent and re-sends it on every rerun, so after the caller
    overrides the cuts, the component state stays at the old released value. A later release of
    exactly that old value would not look like a change to the server. In that one case the
    browser first re-syncs its state to the shown cuts (one extra rerun, ``on_change`` is not
    called for it) and then sends the released value.

Test hooks: ``data-testid="tier-cutoffs"`` (root), ``cutoff-track`` (the bar),
``cutoff-handle-<i>`` (handles, with ``data-value``), ``cutoff-label-<i>``, ``cutoff-band-<i>``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

import streamlit as st

COMPONENT_NAME = "customer_pyramid_tier_cutoffs"
_MEMO_PREFIX = "_cutoff_control__"

_HTML = """
<div class="tc-root" data-testid="tier-cutoffs" role="group" aria-label="Tier cutoffs">
  <div class="tc-labels" aria-hidden="true"></div>
  <div class="tc-track" data-testid="cutoff-track">
    <div class="tc-bands"></div>
  </div>
  <div class="tc-scale" aria-hidden="true"><span class="tc-min"></span><span class="tc-max"></span></div>
</div>
"""

_CSS = """
:host { display: block; }
.tc-root {
  position: relative; box-sizing: border-box; width: 100%; padding: 2px 0 0;
  font-family: var(--st-font, "Source Sans Pro", sans-serif);
  color: var(--st-text-color, #31333f);
  font-size: 14px; line-height: 1.2;
  -webkit-user-select: none; user-select: none;
  -webkit-tap-highlight-color: transparent;
}
.tc-labels { position: relative; height: 24px; margin-bottom: 6px; }
.tc-labels.tc-two-rows { height: 48px; }
.tc-label {
  position: absolute; top: 0; left: 0; box-sizing: border-box; height: 22px;
  padding: 0 7px; border-radius: 11px; white-space: nowrap;
  font-size: 12px; line-height: 22px; font-weight: 600; font-variant-numeric: tabular-nums;
  background: var(--st-secondary-background-color, #f0f2f6);
  color: var(--st-text-color, #31333f);
  border: 1px solid var(--st-border-color, rgba(49, 51, 63, 0.2));
}
.tc-label.tc-row1 { top: 24px; }
.tc-label.tc-active {
  background: var(--st-primary-color, #ff4b4b); border-color: var(--st-primary-color, #ff4b4b);
  color: #fff;
}
.tc-track { position: relative; height: 56px; margin: 0 14px; touch-action: none; }
.tc-bands {
  position: absolute; inset: 0; overflow: hidden;
  border-radius: var(--st-base-radius, 0.5rem);
  box-shadow: inset 0 0 0 1px var(--st-border-color, rgba(49, 51, 63, 0.2));
}
.tc-band {
  position: absolute; top: 0; bottom: 0; overflow: hidden;
  display: flex; align-items: center; justify-content: center;
}
.tc-band span {
  white-space: nowrap; padding: 0 6px; font-size: 13px; font-weight: 600;
  pointer-events: none;
}
.tc-band.tc-hidden-name span { visibility: hidden; }
.tc-handle {
  position: absolute; top: -6px; bottom: -6px; width: 28px; margin-left: -14px;
  cursor: ew-resize; touch-action: none; outline: none; z-index: 2;
}
.tc-handle::before {
  content: ""; position: absolute; top: 0; bottom: 0; left: 12px; width: 4px; border-radius: 2px;
  background: var(--st-background-color, #fff);
  box-shadow: 0 0 0 1px var(--st-text-color, #31333f);
}
.tc-grip {
  position: absolute; top: 50%; left: 50%; width: 16px; height: 30px; box-sizing: border-box;
  transform: translate(-50%, -50%); border-radius: 6px;
  background: var(--st-background-color, #fff);
  border: 2px solid var(--st-text-color, #31333f);
  box-shadow: 0 1px 3px rgba(0, 0, 0, 0.3);
}
.tc-handle.tc-active { z-index: 3; }
.tc-handle:focus-visible .tc-grip, .tc-handle.tc-active .tc-grip {
  border-color: var(--st-primary-color, #ff4b4b);
  box-shadow: 0 0 0 3px color-mix(in srgb, var(--st-primary-color, #ff4b4b) 40%, transparent);
}
.tc-handle:focus-visible::before, .tc-handle.tc-active::before {
  box-shadow: 0 0 0 1px var(--st-primary-color, #ff4b4b);
}
.tc-scale {
  display: flex; justify-content: space-between; margin: 8px 14px 0;
  font-size: 11px; opacity: 0.7; font-variant-numeric: tabular-nums;
}
"""

_JS = r"""
const KEY_DEBOUNCE_MS = 250;
const AWAIT_EXPIRY_MS = 10000;
const TIE_PX = 2;

function eq(a, b) {
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (Number(a[i]) !== Number(b[i])) return false;
  return true;
}

function config(data) {
  const num = (v, d) => (typeof v === "number" && isFinite(v) ? v : d);
  const cuts = Array.isArray(data.cuts) ? data.cuts.map(Number) : [];
  const n = cuts.length;
  const lo = num(data.lo, 0);
  const hi = num(data.hi, 100);
  const log = data.scale === "log" && lo > 0 && hi > lo;
  return {
    cuts, n, lo, hi, log,
    step: num(data.step, 0) > 0 ? data.step : 0,
    decimals: Math.max(0, Math.min(12, Math.round(num(data.decimals, 2)))),
    desc: !!data.descending,
    unit: typeof data.unit === "string" ? data.unit : "",
    names: Array.from({ length: n + 1 }, (_, i) => String((data.names || [])[i] ?? `Tier ${i + 1}`)),
    colors: Array.from({ length: n + 1 }, (_, i) => String((data.colors || [])[i] ?? "#999999")),
    ariaLabel: typeof data.aria_label === "string" ? data.aria_label : "Tier cutoffs",
  };
}

function roundTo(v, d) {
  const f = Math.pow(10, d);
  const r = Math.round(v * f) / f;
  return r === 0 ? 0 : r;
}

function snap(c, v) {
  return c.step > 0 ? roundTo(Math.floor(v / c.step + 0.5) * c.step, c.decimals) : roundTo(v, c.decimals);
}

// Fraction of the track (0 = left end) for a value, and back.
function toPos(c, v) {
  let q = c.log
    ? (Math.log(Math.max(v, c.lo)) - Math.log(c.lo)) / (Math.log(c.hi) - Math.log(c.lo))
    : (v - c.lo) / (c.hi - c.lo);
  q = Math.min(1, Math.max(0, q));
  return c.desc ? 1 - q : q;
}

function fromPos(c, p) {
  const q = c.desc ? 1 - p : p;
  return c.log
    ? Math.exp(Math.log(c.lo) + q * (Math.log(c.hi) - Math.log(c.lo)))
    : c.lo + q * (c.hi - c.lo);
}

// Allowed [min, max] value of handle i given the other handles (the track ends count as
// neighbours); the same rule as clamp_cuts() in Python.
function limits(c, vals, i) {
  const s = c.step;
  let min, max;
  if (!c.desc) {
    min = i === 0 ? c.lo + s : vals[i - 1] + s;
    max = i === vals.length - 1 ? c.hi - s : vals[i + 1] - s;
  } else {
    max = i === 0 ? c.hi - s : vals[i - 1] - s;
    min = i === vals.length - 1 ? c.lo + s : vals[i + 1] + s;
  }
  return [roundTo(min, 10), roundTo(max, 10)];
}

function clampAt(c, vals, i, v) {
  const [min, max] = limits(c, vals, i);
  if (min > max) return vals[i];
  return Math.min(max, Math.max(min, v));
}

function fmt(c, v) {
  const s = Number(v).toLocaleString("en-US", { minimumFractionDigits: 0, maximumFractionDigits: c.decimals });
  return s + c.unit;
}

function el(tag, cls) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  return e;
}

function textColorFor(bg) {
  const m = /rgba?\(\s*([\d.]+)[ ,]+([\d.]+)[ ,]+([\d.]+)/.exec(bg || "");
  if (!m) return "#111";
  const lin = (x) => { x /= 255; return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); };
  const L = 0.2126 * lin(+m[1]) + 0.7152 * lin(+m[2]) + 0.0722 * lin(+m[3]);
  return L > 0.4 ? "#111" : "#fff";
}

function build(S) {
  const n = S.cfg.n;
  S.bandsBox.replaceChildren();
  S.labelsBox.replaceChildren();
  S.track.querySelectorAll(".tc-handle").forEach((h) => h.remove());
  S.bands = []; S.handles = []; S.labels = [];
  for (let j = 0; j <= n; j++) {
    const b = el("div", "tc-band");
    b.dataset.testid = "cutoff-band-" + j;
    b.appendChild(el("span"));
    S.bandsBox.appendChild(b);
    S.bands.push(b);
  }
  for (let i = 0; i < n; i++) {
    const h = el("div", "tc-handle");
    h.dataset.testid = "cutoff-handle-" + i;
    h.dataset.index = String(i);
    h.setAttribute("role", "slider");
    h.setAttribute("tabindex", "0");
    h.setAttribute("aria-orientation", "horizontal");
    h.appendChild(el("div", "tc-grip"));
    h.onkeydown = (e) => onKey(S, i, e);
    h.onblur = () => { if (S.kbTimer) flushKeys(S); };
    S.track.appendChild(h);
    S.handles.push(h);
    const l = el("div", "tc-label");
    l.dataset.testid = "cutoff-label-" + i;
    S.labelsBox.appendChild(l);
    S.labels.push(l);
  }
  S.builtN = n;
}

function render(S) {
  const c = S.cfg, vals = S.display, n = c.n;
  S.root.setAttribute("aria-label", c.ariaLabel);
  const pos = vals.map((v) => toPos(c, v));
  const edges = [0, ...pos, 1];
  const edgeVals = [c.desc ? c.hi : c.lo, ...vals, c.desc ? c.lo : c.hi];
  for (let j = 0; j <= n; j++) {
    const b = S.bands[j];
    b.style.left = edges[j] * 100 + "%";
    b.style.width = Math.max(0, edges[j + 1] - edges[j]) * 100 + "%";
    if (b.dataset.color !== c.colors[j]) {
      b.dataset.color = c.colors[j];
      b.style.background = c.colors[j];
      b.style.color = textColorFor(getComputedStyle(b).backgroundColor);
    }
    b.firstChild.textContent = c.names[j];
    b.title = `${c.names[j]}: ${fmt(c, edgeVals[j])} – ${fmt(c, edgeVals[j + 1])}`;
  }
  for (let i = 0; i < n; i++) {
    const h = S.handles[i], v = vals[i];
    const [min, max] = limits(c, vals, i);
    h.style.left = pos[i] * 100 + "%";
    h.dataset.value = String(v);
    h.setAttribute("aria-label", `cutoff ${i + 1}: ${c.names[i]} / ${c.names[i + 1]}`);
    h.setAttribute("aria-valuenow", String(v));
    h.setAttribute("aria-valuemin", String(Math.min(min, v)));
    h.setAttribute("aria-valuemax", String(Math.max(max, v)));
    h.setAttribute("aria-valuetext", fmt(c, v));
    const active = S.drag ? S.drag.idx === i : S.kbIndex === i && !!S.kbTimer;
    h.classList.toggle("tc-active", active);
    S.labels[i].textContent = fmt(c, v);
    S.labels[i].classList.toggle("tc-active", active);
  }
  S.minLabel.textContent = fmt(c, c.desc ? c.hi : c.lo);
  S.maxLabel.textContent = fmt(c, c.desc ? c.lo : c.hi);
  layout(S);
}

// Pixel layout: value labels pushed apart so they never overlap (two rows when one row cannot
// hold them), band names hidden when they do not fit (the band keeps a title tooltip).
function layout(S) {
  const rootRect = S.root.getBoundingClientRect();
  const W = rootRect.width;
  if (!W) return;
  const tr = S.track.getBoundingClientRect();
  const c = S.cfg, gap = 4;
  const items = S.labels.map((l, i) => ({
    l, w: l.offsetWidth, x: tr.left - rootRect.left + toPos(c, S.display[i]) * tr.width,
  }));
  const total = items.reduce((a, it) => a + it.w + gap, -gap);
  const twoRows = total > W && items.length > 1;
  S.labelsBox.classList.toggle("tc-two-rows", twoRows);
  const rows = twoRows ? [items.filter((_, i) => i % 2 === 0), items.filter((_, i) => i % 2 === 1)] : [items];
  rows.forEach((row, r) => {
    const left = row.map((it) => it.x - it.w / 2);
    for (let k = 0; k < row.length; k++) {
      left[k] = Math.max(left[k], 0, k > 0 ? left[k - 1] + row[k - 1].w + gap : 0);
    }
    for (let k = row.length - 1; k >= 0; k--) {
      left[k] = Math.min(left[k], W - row[k].w, k < row.length - 1 ? left[k + 1] - gap - row[k].w : Infinity);
      left[k] = Math.max(0, left[k]);
    }
    row.forEach((it, k) => {
      it.l.style.transform = `translateX(${Math.round(left[k])}px)`;
      it.l.classList.toggle("tc-row1", r === 1);
    });
  });
  for (const b of S.bands) {
    const span = b.firstChild;
    b.classList.toggle("tc-hidden-name", span.offsetWidth > b.clientWidth - 4);
  }
}

function handleX(S, i, tr) {
  return tr.left + toPos(S.cfg, S.display[i]) * tr.width;
}

function onPointerDown(S, e) {
  if (S.drag || (e.pointerType === "mouse" && e.button !== 0) || !S.cfg.n) return;
  const tr = S.track.getBoundingClientRect();
  const hit = e.pointerType === "mouse" ? 16 : 24;
  const dist = S.display.map((_, i) => Math.abs(e.clientX - handleX(S, i, tr)));
  const best = Math.min(...dist);
  if (best > hit) return;
  const cands = dist.map((d, i) => (d - best <= TIE_PX ? i : -1)).filter((i) => i >= 0);
  e.preventDefault();
  try { S.track.setPointerCapture(e.pointerId); } catch (err) { /* pointer already gone */ }
  S.drag = { id: e.pointerId, cands, idx: null, startX: e.clientX, offset: 0, before: S.display.slice() };
  if (cands.length === 1) startDrag(S, cands[0], tr);
}

function startDrag(S, i, tr) {
  const d = S.drag;
  d.idx = i;
  d.offset = d.startX - handleX(S, i, tr);
  S.handles[i].focus({ preventScroll: true });
  render(S);
}

function onPointerMove(S, e) {
  const d = S.drag;
  if (!d || e.pointerId !== d.id) return;
  const tr = S.track.getBoundingClientRect();
  if (d.idx === null) {
    // Handles drawn on top of each other: the first movement decides which one moves
    // (moving right takes the rightmost of them, moving left the leftmost).
    const dx = e.clientX - d.startX;
    if (Math.abs(dx) < 3) return;
    startDrag(S, dx > 0 ? Math.max(...d.cands) : Math.min(...d.cands), tr);
  }
  if (!tr.width) return;
  const p = Math.min(1, Math.max(0, (e.clientX - d.offset - tr.left) / tr.width));
  const v = clampAt(S.cfg, S.display, d.idx, snap(S.cfg, fromPos(S.cfg, p)));
  if (v !== S.display[d.idx]) {
    S.display[d.idx] = v;
    render(S);
  }
}

function onPointerEnd(S, e) {
  const d = S.drag;
  if (!d || e.pointerId !== d.id) return;
  S.drag = null;
  try { S.track.releasePointerCapture(e.pointerId); } catch (err) { /* not captured */ }
  render(S);
  if (!eq(d.before, S.display)) commit(S, S.display.slice());
}

function onKey(S, i, e) {
  const c = S.cfg;
  if (i >= S.display.length) return;
  const k = e.key, s = c.step || Math.pow(10, -c.decimals);
  const v0 = S.display[i];
  let dir = 0, count = e.shiftKey ? 10 : 1, to = null;
  if (k === "ArrowRight") dir = c.desc ? -1 : 1;
  else if (k === "ArrowLeft") dir = c.desc ? 1 : -1;
  else if (k === "ArrowUp") dir = 1;
  else if (k === "ArrowDown") dir = -1;
  else if (k === "PageUp") { dir = 1; count = 10; }
  else if (k === "PageDown") { dir = -1; count = 10; }
  else if (k === "Home") to = limits(c, S.display, i)[0];
  else if (k === "End") to = limits(c, S.display, i)[1];
  else return;
  e.preventDefault();
  if (to === null) {
    // Next grid value in that direction (an off-grid value from Python lands on the grid).
    const g = dir > 0 ? Math.floor(v0 / s + 1e-9) + count : Math.ceil(v0 / s - 1e-9) - count;
    to = roundTo(g * s, c.decimals);
  }
  if (!S.kbTimer) S.kbBefore = S.display.slice();
  else clearTimeout(S.kbTimer);
  S.kbIndex = i;
  S.display[i] = clampAt(c, S.display, i, to);
  S.kbTimer = setTimeout(() => flushKeys(S), KEY_DEBOUNCE_MS);
  render(S);
}

function flushKeys(S) {
  if (S.kbTimer) clearTimeout(S.kbTimer);
  S.kbTimer = null;
  const before = S.kbBefore;
  S.kbBefore = null;
  render(S);
  if (!before || !eq(before, S.display)) commit(S, S.display.slice());
}

function send(S, v) {
  S.front = v.slice();
  S.awaiting = v.slice();
  S.awaitingSince = Date.now();
  S.set("cuts", v);
}

// Send released cuts to Python. S.front is the browser's copy of the component state (what it
// re-sends on every rerun). Releasing exactly that value while Python shows other cuts would
// look like no change to the server: re-sync the state to the shown cuts first; the released
// value follows when that rerun's data arrives (applyData).
function commit(S, v) {
  const shown = S.cfg.cuts;
  if (!eq(v, S.front)) { S.pending = null; send(S, v); return; }
  if (eq(S.front, shown)) return;
  S.pending = v.slice();
  send(S, shown.slice());
}

function applyData(S, data) {
  const c = S.cfg;
  const state = Array.isArray(data.state) ? data.state.map(Number) : null;
  if (S.builtN !== c.n) {
    S.drag = null; S.pending = null; S.awaiting = null;
    if (S.kbTimer) clearTimeout(S.kbTimer);
    S.kbTimer = null; S.kbBefore = null;
    build(S);
    S.display = c.cuts.slice();
    S.front = state || c.cuts.slice();
    return;
  }
  // Data from a rerun that started before our last send is stale: keep showing our value.
  const fresh = !S.awaiting || eq(state, S.awaiting) || Date.now() - S.awaitingSince > AWAIT_EXPIRY_MS;
  if (!fresh) return;
  S.awaiting = null;
  S.front = state || c.cuts.slice();
  if (S.pending) {
    const p = S.pending;
    S.pending = null;
    S.display = p.slice();
    if (!eq(p, c.cuts)) send(S, p);
    return;
  }
  if (S.drag || S.kbTimer) return;  // the user is moving a handle: do not jump under it
  S.display = c.cuts.slice();
}

export default function (component) {
  const { data, setStateValue, parentElement } = component;
  const root = parentElement.querySelector('[data-testid="tier-cutoffs"]');
  if (!root || !data) return;
  let S = root.__tierCutoffs;
  if (!S) {
    S = root.__tierCutoffs = {
      root, gen: 0, builtN: -1, display: [], front: [], drag: null, pending: null,
      awaiting: null, awaitingSince: 0, kbTimer: null, kbBefore: null, kbIndex: -1,
      track: root.querySelector(".tc-track"),
      bandsBox: root.querySelector(".tc-bands"),
      labelsBox: root.querySelector(".tc-labels"),
      minLabel: root.querySelector(".tc-min"),
      maxLabel: root.querySelector(".tc-max"),
      ro: null,
    };
  }
  const gen = ++S.gen;
  S.data = data;
  S.set = setStateValue;
  S.cfg = config(data);
  // Handlers are properties, replaced (not piled up) on every call; they read the latest S.
  S.track.onpointerdown = (e) => onPointerDown(S, e);
  S.track.onpointermove = (e) => onPointerMove(S, e);
  S.track.onpointerup = (e) => onPointerEnd(S, e);
  S.track.onpointercancel = (e) => onPointerEnd(S, e);
  S.track.onlostpointercapture = (e) => onPointerEnd(S, e);
  applyData(S, data);
  render(S);
  if (!S.ro && typeof ResizeObserver !== "undefined") {
    S.ro = new ResizeObserver(() => layout(S));
    S.ro.observe(root);
  }
  // Streamlit keeps only the newest cleanup; an older call's cleanup may still run late, so it
  // only acts when no newer call happened.
  return () => {
    if (S.gen !== gen) return;
    if (S.ro) { S.ro.disconnect(); S.ro = null; }
    if (S.kbTimer) { clearTimeout(S.kbTimer); S.kbTimer = null; }
  };
}
"""

_component = st.components.v2.component(COMPONENT_NAME, html=_HTML, css=_CSS, js=_JS)


def _finite(values: Sequence[float], what: str) -> list[float]:
    out = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise ValueError(f"{what} must be numbers, got {v!r}")
        f = float(v)
        if not math.isfinite(f):
            raise ValueError(f"{what} must be finite, got {v!r}")
        out.append(f)
    return out


def clamp_cuts(cuts: Sequence[float], lo: float, hi: float, step: float,
               descending: bool = False) -> list[float]:
    """Force ``cuts`` into a strict order inside the track, exactly as the browser control does.

    Ascending: ``lo + step <= c[0]``, ``c[i-1] + step <= c[i]``, ``c[-1] <= hi - step``.
    Descending (thresholds): ``hi - step >= c[0]``, ``c[i-1] - step >= c[i]``,
    ``c[-1] >= lo + step``. One pass from the top boundary on: a cut below its lower limit is
    raised to it, a cut so high that the following cuts would not fit is lowered to leave them
    room. Valid cuts come back unchanged (as floats); values are not snapped to ``step``.
    Raises ValueError when the range cannot hold ``len(cuts)`` cuts ``step`` apart.
    """
    vals = _finite(cuts, "cuts")
    lo, hi, step = _finite([lo, hi, step], "lo/hi/step")
    if step <= 0:
        raise ValueError(f"step must be > 0, got {step}")
    if hi <= lo:
        raise ValueError(f"hi must be > lo, got lo={lo}, hi={hi}")
    n = len(vals)
    if n == 0:
        return []
    eps = step * 1e-9
    if hi - lo < (n + 1) * step - eps:
        raise ValueError(f"{n} cuts do not fit between {lo} and {hi} with step {step}")
    sign = -1.0 if descending else 1.0
    a_lo, a_hi = (-hi, -lo) if descending else (lo, hi)
    out: list[float] = []
    prev = a_lo
    for i, v in enumerate(sign * x for x in vals):
        low = round(prev + step, 10)
        high = round(a_hi - (n - i) * step, 10)
        if v < low - eps:
            v = low
        elif v > high + eps:
            v = high
        out.append(v)
        prev = v
    return [sign * v + 0.0 for v in out]


def _state_cuts(key: str) -> list[float] | None:
    """The component state's ``cuts`` as the server holds it now (before mounting)."""
    raw = st.session_state.get(key)
    cuts = raw.get("cuts") if isinstance(raw, Mapping) else None
    if not isinstance(cuts, (list, tuple)):
        return None
    try:
        return _finite(cuts, "state cuts")
    except ValueError:
        return None


def cutoff_control(*, key: str, cuts: list[float], lo: float, hi: float, step: float,
                   names: list[str], colors: list[str], unit: str = "%", scale: str = "linear",
                   decimals: int = 2, aria_label: str = "Tier cutoffs",
                   on_change: Callable[[], None] | None = None,
                   descending: bool = False) -> list[float]:
    """One horizontal track with len(cuts) draggable handles for len(cuts)+1 tiers.
    Returns the current cuts (the value last released by the user, else `cuts`).

    ``cuts`` are in the units of the scheme; handle ``i`` is ``cuts[i]`` and handle 0 (the top
    boundary) is leftmost. ``descending=True`` is for thresholds given high to low: the track
    runs from ``hi`` (left) to ``lo`` (right). ``scale`` is ``"linear"`` or ``"log"`` (lo > 0).
    ``on_change`` (no arguments) runs as a widget callback when the user releases a handle.
    The return value is clamped with :func:`clamp_cuts`; keep it in your own session-state key
    and pass it back as ``cuts`` (see the module docstring for the full contract).
    """
    if not isinstance(key, str) or not key:
        raise ValueError("key must be a non-empty string")
    if scale not in ("linear", "log"):
        raise ValueError(f"scale must be 'linear' or 'log', got {scale!r}")
    lo, hi, step = _finite([lo, hi, step], "lo/hi/step")
    if scale == "log" and lo <= 0:
        raise ValueError(f"scale='log' needs lo > 0, got lo={lo}")
    n = len(cuts)
    if len(names) != n + 1 or len(colors) != n + 1:
        raise ValueError(f"{n} cuts need {n + 1} names and colors, got {len(names)} and {len(colors)}")
    decimals = int(decimals)
    base = clamp_cuts(cuts, lo, hi, step, descending)

    memo_key = _MEMO_PREFIX + key
    memo = st.session_state.get(memo_key) or {}
    state = _state_cuts(key)
    if state is not None and len(state) == n and state != memo.get("seen"):
        value = clamp_cuts(state, lo, hi, step, descending)  # released by the user (or set via state)
    elif memo.get("cuts") != base or not isinstance(memo.get("value"), list) or len(memo["value"]) != n:
        value = base  # the caller changed the cuts (numeric input, reset, tier count)
    else:
        value = list(memo["value"])  # nothing new: keep what was returned last time
    # On the first mount the state is empty and ``default`` fills it with ``value``: remember
    # that as seen, or the next run would take the default for a release and undo a cutoff the
    # caller changes in between (a typed precise value).
    seen = state if state is not None else list(value)
    st.session_state[memo_key] = {"seen": seen, "cuts": base, "value": value}

    def _released() -> None:
        # Skip the browser's own re-sync to the value already shown (see "Stale browser state").
        if on_change is None:
            return
        if _state_cuts(key) != (st.session_state.get(memo_key) or {}).get("value"):
            on_change()

    data = {
        "cuts": value, "state": state, "lo": lo, "hi": hi, "step": step, "decimals": decimals,
        "names": [str(x) for x in names], "colors": [str(x) for x in colors], "unit": str(unit),
        "scale": scale, "descending": bool(descending), "aria_label": str(aria_label),
    }
    _component(key=key, data=data, default={"cuts": value}, on_cuts_change=_released)
    return value
