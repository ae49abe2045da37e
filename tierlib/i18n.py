"""User-facing strings in Chinese and English.

Every string the product shows lives in ``tierlib/locales/<lang>/*.json`` (flat keys; one file
per area, merged; a key may be defined once only). ``t`` looks a key up and fills
``{placeholders}`` with ``str.format``. A missing key falls back to the key itself so a gap is
visible, and ``tests/test_i18n.py`` fails when the two languages differ.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"
_DIR = Path(__file__).with_name("locales")


@lru_cache(maxsize=None)
def catalog(lang: str) -> dict[str, str]:
    """Return the string table of one language."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}")
    merged: dict[str, str] = {}
    for path in sorted((_DIR / lang).glob("*.json")):
        with open(path, encoding="utf-8") as fh:
            part = json.load(fh)
        dup = set(part) & set(merged)
        if dup:
            raise ValueError(f"{path.name} redefines {sorted(dup)[:5]}")
        merged.update(part)
    return merged


def normalize_lang(value: str | None) -> str:
    """Map a locale such as ``zh-CN``/``en_US`` (or None) onto a supported language."""
    if not value:
        return DEFAULT_LANG
    code = value.replace("_", "-").split("-")[0].lower()
    return code if code in LANGS else DEFAULT_LANG


def t(key: str, lang: str = DEFAULT_LANG, **params) -> str:
    """Translate ``key`` into ``lang`` and fill its placeholders."""
    text = catalog(lang).get(key, key)
    if params:
        try:
            return text.format(**params)
        except (KeyError, IndexError, ValueError):
            return text
    return text


def has(key: str, lang: str = DEFAULT_LANG) -> bool:
    return key in catalog(lang)


def fmt_pct(x: float | None, digits: int = 1) -> str:
    """A fraction as a percentage (``0.623`` -> ``62.3%``); ``-`` for None."""
    return "-" if x is None else f"{x * 100:.{digits}f}%"


def fmt_compact(x: float | None, lang: str = DEFAULT_LANG) -> str:
    """A large amount in a short form: 5.14亿 / 9,832.1万 in Chinese, 514.2M / 98.3K in English."""
    if x is None:
        return "-"
    sign, v = ("-" if x < 0 else ""), abs(x)
    if lang == "zh":
        for unit, size in (("亿", 1e8), ("万", 1e4)):
            if v >= size:
                return f"{sign}{v / size:,.2f}{unit}"
    else:
        for unit, size in (("B", 1e9), ("M", 1e6), ("K", 1e3)):
            if v >= size:
                return f"{sign}{v / size:,.2f}{unit}"
    return f"{sign}{v:,.2f}"


def error_message(code: str, params: dict, lang: str = DEFAULT_LANG) -> str:
    """The message of an ``InputError``: ``err.<code>`` with parameters that are themselves codes
    (a rejection reason, a field name) translated too, so one language is shown throughout."""
    shown = {}
    for key, val in (params or {}).items():
        if isinstance(val, str) and key == "reason" and has(f"reason.{val}", lang):
            val = t(f"reason.{val}", lang)
        elif isinstance(val, str) and key == "field" and has(f"field.{val}", lang):
            val = t(f"field.{val}", lang)
        shown[key] = val
    detail = shown.get("detail")
    if lang != "en" and isinstance(detail, str):
        # Details come from the readers and libraries in English: a known kind is translated,
        # any other English text is replaced, so one language is shown throughout.
        kind = (params or {}).get("detail_code")
        if kind and has(f"detail.{kind}", lang):
            shown["detail"] = t(f"detail.{kind}", lang)
        elif _LATIN_WORD.search(detail):
            shown["detail"] = t("detail.technical", lang)
    return t("err." + code, lang, **shown)


_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
