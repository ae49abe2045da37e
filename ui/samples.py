"""The demo data sets shipped in sample_data/ (see sample_data/README.md)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIR = ROOT / "sample_data"

#: key -> (file name, i18n label key). The first one is loaded on first open.
SAMPLES: dict[str, tuple[str, str]] = {
    "workwear": ("workwear_orders.xlsx", "sample.workwear"),
    "online": ("online_shop_transactions.csv", "sample.online"),
    "summary": ("customers_summary.csv", "sample.summary"),
}
DEFAULT_SAMPLE = "workwear"


def sample_path(key: str) -> Path:
    return SAMPLE_DIR / SAMPLES[key][0]
