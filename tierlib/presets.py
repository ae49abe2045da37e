"""Tier presets, default colours and the scheme file (save/load as JSON)."""

from __future__ import annotations

import json
import math
import re

import numpy as np

from tierlib.i18n import t
from tierlib.io import InputError
from tierlib.tiers import MAX_TIERS, MIN_TIERS, MONEY_VALUES, SCHEMES, VALUES, Ranked, count_at

#: Tier colours, top tier first, for 2..6 tiers (readable on light and dark backgrounds).
PALETTES = {
    2: ["#B8860B", "#8C96A3"],
    3: ["#B8860B", "#3A7CA5", "#8C96A3"],
    4: ["#8B1E3F", "#D08C2B", "#3A7CA5", "#8C96A3"],
    5: ["#8B1E3F", "#D08C2B", "#3A7CA5", "#5B9A68", "#8C96A3"],
    6: ["#8B1E3F", "#C0392B", "#D08C2B", "#3A7CA5", "#5B9A68", "#8C96A3"],
}

#: key -> scheme, cuts (None = derived from the data), i18n keys of the tier names.
PRESETS = {
    "textbook": {"scheme": "pyramid", "cuts": [1, 5, 20],
                 "names": ["tier.vip", "tier.major", "tier.ordinary", "tier.small"]},
    "pareto": {"scheme": "pyramid", "cuts": [20], "names": ["tier.key", "tier.others"]},
    "abc": {"scheme": "value-share", "cuts": [70, 90], "names": ["tier.a", "tier.b", "tier.c"]},
    "bank": {"scheme": "thresholds", "cuts": None,
             "names": ["tier.diamond", "tier.platinum", "tier.gold", "tier.regular"]},
    "hml": {"scheme": "quantile", "cuts": [3], "names": ["tier.high", "tier.medium", "tier.low"]},
}


def preset_names(key: str, lang: str) -> list[str]:
    return [t(k, lang) for k in PRESETS[key]["names"]]


def nice_number(x: float) -> float:
    """Round down to a 'nice' threshold: 1, 2 or 5 times a power of ten (keeps the sign)."""
    if x <= 0:
        return 0.0
    exp = math.floor(math.log10(x))
    base = 10 ** exp
    for m in (5, 2, 1):
        if m * base <= x:
            return float(m * base)
    return float(base)


def threshold_cuts_from_data(ranked: Ranked, shares=(1, 5, 20)) -> list[float]:
    """Descending 'nice' thresholds near the values at the top 1/5/20% of customers.

    Used by the bank-card preset so its levels make sense on any data set.
    """
    scale = 10_000 if ranked.value in MONEY_VALUES else 1
    vals = ranked.customers["value"].to_numpy(dtype="float64") / scale
    cuts: list[float] = []
    for p in shares:
        k = max(1, count_at(ranked.n, p))
        v = nice_number(float(vals[min(k, ranked.n) - 1]))
        if cuts and v >= cuts[-1]:
            v = nice_number(cuts[-1] * 0.99) if cuts[-1] > 0 else -float(len(cuts))
        cuts.append(v)
    # Strictly decreasing, whatever the data.
    for i in range(1, len(cuts)):
        if cuts[i] >= cuts[i - 1]:
            cuts[i] = cuts[i - 1] - 1
    return cuts


def palette(n: int) -> list[str]:
    return list(PALETTES[max(MIN_TIERS, min(MAX_TIERS, n))])


_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


def scheme_to_json(*, scheme: str, value: str, cuts: list, names: list[str], colors: list[str],
                   weights: dict | None = None) -> str:
    """The scheme file: everything needed to reproduce a tiering on other data."""
    doc = {"format": "customer-pyramid-scheme", "version": 1, "scheme": scheme, "value": value,
           "cuts": list(cuts), "names": list(names), "colors": list(colors)}
    if weights:
        doc["weights"] = dict(weights)
    return json.dumps(doc, ensure_ascii=False, indent=2)


def scheme_from_json(text: str | bytes) -> dict:
    """Parse and validate a scheme file; raises ``InputError("scheme.bad_file", detail=...)``."""
    try:
        doc = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError("scheme.bad_file", detail=str(exc)[:120]) from None

    def bad(detail: str):
        return InputError("scheme.bad_file", detail=detail)

    if not isinstance(doc, dict) or doc.get("format") != "customer-pyramid-scheme":
        raise bad("format")
    if doc.get("scheme") not in SCHEMES:
        raise bad("scheme")
    if doc.get("value") not in VALUES:
        raise bad("value")
    cuts = doc.get("cuts")
    if not isinstance(cuts, list) or not cuts or not all(isinstance(c, (int, float)) and np.isfinite(c) for c in cuts):
        raise bad("cuts")
    n_tiers = int(cuts[0]) if doc["scheme"] == "quantile" else len(cuts) + 1
    names = doc.get("names")
    if not isinstance(names, list) or len(names) != n_tiers or not all(isinstance(n, str) and n.strip()
                                                                       for n in names):
        raise bad("names")
    colors = doc.get("colors") or palette(n_tiers)
    if not isinstance(colors, list) or len(colors) != n_tiers or not all(isinstance(c, str) and _HEX.match(c)
                                                                         for c in colors):
        raise bad("colors")
    out = {"scheme": doc["scheme"], "value": doc["value"], "cuts": cuts, "names": [n.strip()[:40] for n in names],
           "colors": colors}
    if isinstance(doc.get("weights"), dict):
        out["weights"] = {k: float(v) for k, v in doc["weights"].items() if isinstance(v, (int, float))}
    return out
