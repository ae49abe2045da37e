"""pipeline.load and the CLV tiering value on the shipped sample."""

from pathlib import Path

import numpy as np

from tierlib import clv, pipeline, tiers
from tierlib.schema import MONEY_SCALE

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "workwear_orders.xlsx"


def test_clv_is_a_tiering_value_equal_to_the_clv_model():
    loaded = pipeline.load(SAMPLE)
    assert "clv" in loaded.available_values()
    g = tiers.grade(loaded.customers_with_clv(), value="clv")
    graded = g.graded()
    assert sum(t["customers"] for t in g.tiers) == 2000
    expected = clv.customer_clv_frame(loaded.engine).set_index("customer_id")["clv"]
    got = graded.set_index("customer_id")["value"].astype("float64") / MONEY_SCALE
    assert np.allclose(got.sort_index(), expected.sort_index().round(4), atol=1e-4)
    assert (np.diff(graded["value"].to_numpy(dtype="float64")) <= 0).all()


def test_customer_sheet_has_no_clv_value(tmp_path):
    src = tmp_path / "c.csv"
    src.write_text("客户名称,年销售额\n甲,100\n乙,50\n", encoding="utf-8")
    loaded = pipeline.load(src)
    assert "clv" not in loaded.available_values()
