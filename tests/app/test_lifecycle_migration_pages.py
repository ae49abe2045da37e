"""The lifecycle and migration pages under AppTest, in both languages, with visible numbers
checked against hand computations (fixtures of tests/test_lifecycle.py, tests/test_churn.py and
tests/test_migration.py)."""

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests import test_lifecycle, test_migration

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
STAGES = {"zh": ["考察期", "形成期", "稳定期", "衰退期", "流失"],
          "en": ["Exploration", "Formation", "Stability", "Decline", "Lost"]}


def start(lang: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["lang"] = lang
    return at.run()


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.switch_page("pages/data.py").run()
    at.radio(key="w_data_source_" + at.session_state["lang"]).set_value("upload").run()
    at.file_uploader(key="uploader").upload(name, data, "text/csv").run()
    assert not at.exception
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_lifecycle_page_on_the_sample(lang):
    at = start(lang)
    at.switch_page("pages/lifecycle.py").run()
    assert not at.exception
    title = "客户生命周期与流失预警" if lang == "zh" else "Customer lifecycle and churn warning"
    assert at.title[0].value == title
    got = metrics(at)
    # Every one of the sample's 2,000 customers has exactly one stage.
    assert sum(int(got[s].replace(",", "")) for s in STAGES[lang]) == 2000
    rules = at.table[0].value
    assert rules.iloc[0, 1] == STAGES[lang][4]  # the first rule checked is "lost"
    assert "3 ×" in rules.iloc[0, 2]
    by_tier = at.table[1].value
    assert by_tier.iloc[-1, -1] == "2,000"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_lifecycle_page_hand_fixture(lang, tmp_path):
    path = test_lifecycle.write_orders(tmp_path / "orders.csv", test_lifecycle.ORDERS)
    at = upload(start(lang), "orders.csv", path.read_bytes())
    at.switch_page("pages/lifecycle.py").run()
    assert not at.exception
    got = metrics(at)
    # tests/test_lifecycle.py: exploration B, C, J; formation F, G; stability H; decline D, E; lost A, I.
    assert [got[s] for s in STAGES[lang]] == ["3", "2", "1", "2", "2"]
    # Churn (k = 2, X = 30%): A overdue (345 > 2 x 10), D and E spend and orders down, I one order
    # 365 days ago > 2 x 30. Value at risk = 12-month profit: A 120 + D 240 + E 200 + I 40 = 600
    # of 1,360 for everyone.
    flagged = "预警客户" if lang == "zh" else "Flagged customers"
    share = "占近 12 个月利润" if lang == "zh" else "Share of 12-month profit"
    assert got[flagged] == "4"
    assert got[share] == "44.1%"
    # k = 13: I's 365 days <= 13 x 30 = 390 -> no longer flagged; A's 345 > 13 x 10 still is.
    at.number_input(key="lc_churn_k").set_value(13.0).run()
    assert metrics(at)[flagged] == "3"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_migration_page_hand_fixture(lang, tmp_path):
    files = {}
    before = test_migration.rows(test_migration.BEFORE, "2024-03-10", {"C4": "2024-06-30"})
    after = test_migration.rows(test_migration.AFTER, "2024-09-10", {"C9": "2024-07-01"})
    files["both"] = test_migration.write(tmp_path / "orders.csv", before, after)
    at = upload(start(lang), "orders.csv", files["both"].read_bytes())
    at.session_state["tier_cuts"] = [10, 30, 60]  # the tiering of tests/test_migration.py
    at.switch_page("pages/migration.py").run()
    assert not at.exception
    at.date_input(key="mig_split").set_value(dt.date(2024, 7, 1)).run()
    assert not at.exception
    got = metrics(at)
    labels = (["客户数", "升级", "降级", "新增（未活跃→等级）", "流失（等级→未活跃）"] if lang == "zh" else
              ["Customers", "Upgraded", "Downgraded", "New (inactive → tier)",
               "Lost (tier → inactive)"])
    assert [got[k] for k in labels] == ["11", "3", "3", "1", "1"]
    matrix = at.table[0].value
    assert matrix.iloc[-1, -1] == "11"
    assert matrix.iloc[:5, 1:6].astype(int).values.tolist() == test_migration.MATRIX
    profit = at.table[1].value
    assert profit.iloc[-1, -1] == "5,580.00"  # later-period profit of everyone


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_migration_page_with_a_second_file(lang, tmp_path):
    before = test_migration.write(tmp_path / "before.csv",
                                  test_migration.rows(test_migration.BEFORE, "2024-03-10", {"C4": "2024-06-30"}))
    after = test_migration.write(tmp_path / "after.csv",
                                 test_migration.rows(test_migration.AFTER, "2024-09-10", {"C9": "2024-07-01"}))
    at = upload(start(lang), "before.csv", before.read_bytes())
    at.session_state["tier_cuts"] = [10, 30, 60]
    at.switch_page("pages/migration.py").run()
    at.segmented_control(key="mig_mode_" + at.session_state["lang"]).set_value("files").run()
    assert not at.exception
    assert len(at.info) >= 1  # asks for the file
    at.file_uploader(key="mig_upload").upload("after.csv", after.read_bytes(), "text/csv").run()
    assert not at.exception
    matrix = at.table[0].value
    assert matrix.iloc[:5, 1:6].astype(int).values.tolist() == test_migration.MATRIX
    # Swap the roles: the uploaded file is the earlier period -> the transposed matrix.
    at.radio(key="mig_role_" + at.session_state["lang"]).set_value("earlier").run()
    swapped = at.table[0].value
    assert swapped.iloc[-1, -1] == "11"
    assert swapped.iloc[4, 1:6].astype(int).tolist() == [0, 0, 0, 1, 0]  # C10 is new from this side


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_migration_page_follows_the_tiers_page_filters(lang, tmp_path):
    # The East customers C1-C5 of tests/test_migration.py::test_dimension_filter_applies_to_both_periods:
    # 5 customers, 2 up (C3, C4), 2 down (C1, C2), none new or lost.
    east = {"C1", "C2", "C3", "C4", "C5"}
    lines = ["customer_id,order_date,revenue,cost,region"]
    for profits, day in ((test_migration.BEFORE, "2024-03-10"), (test_migration.AFTER, "2024-09-10")):
        for cid, p in profits.items():
            lines.append(f"{cid},{day},{2 * p:.2f},{p:.2f},{'East' if cid in east else 'West'}")
    at = upload(start(lang), "regions.csv", ("\n".join(lines) + "\n").encode())
    at.session_state["tier_cuts"] = [10, 30, 60]
    at.session_state["tier_filters"] = {"region": ["East"]}
    at.switch_page("pages/migration.py").run()
    at.date_input(key="mig_split").set_value(dt.date(2024, 7, 1)).run()
    assert not at.exception
    got = list(metrics(at).values())
    assert got == ["5", "2", "2", "0", "0"]
    captions = " ".join(c.value for c in at.caption)
    assert ("区域: East" if lang == "zh" else "Region: East") in captions
