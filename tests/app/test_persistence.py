"""A workspace survives a new browser session (refresh) and a new server (restart) via ?ws=<id>."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tierlib import store
from ui import state

APP = str(Path(__file__).resolve().parents[2] / "app.py")
CSV = "客户编号,销售额,利润\nA1,100,40\nA2,300,90\nA3,50,-5\n".encode("gbk")


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv(store.ENV_DIR, str(tmp_path))
    state.get_store.clear()
    yield tmp_path
    state.get_store.clear()


def test_upload_and_settings_are_restored_in_a_new_session(data_dir):
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["lang"] = "en"
    at.run()
    at.switch_page("pages/data.py").run()
    at.radio(key="w_data_source_" + at.session_state["lang"]).set_value("upload").run()
    at.file_uploader(key="uploader").upload("small.csv", CSV, "text/csv").run()
    assert not at.exception
    wid = at.session_state["ws_id"]
    assert store.valid_id(wid) and (data_dir / wid / "source.bin").read_bytes() == CSV
    at.switch_page("pages/tiers.py").run()
    at.number_input(key="w_cut_3_2").set_value(50.0).run()
    assert at.session_state["tier_cuts"][2] == 50

    # "Refresh" / "restart": a brand-new session (and store object) opened with the link.
    state.get_store.clear()
    at2 = AppTest.from_file(APP, default_timeout=60)
    at2.query_params["ws"] = wid
    at2.run()
    assert not at2.exception
    ws = at2.session_state["workspace"]
    assert ws.kind == "upload" and ws.name == "small.csv" and len(ws.loaded.customers) == 3
    assert at2.session_state["tier_cuts"][2] == 50
    assert at2.session_state["lang"] == "en"


def test_unknown_link_opens_the_sample_in_a_new_workspace(data_dir):
    # (Deleting a workspace is a sidebar button; AppTest restarts Streamlit's page detection on
    # every run, which changes sidebar widget ids, so the delete click is tested in a real browser.)
    unknown = store.new_id()
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["ws"] = unknown
    at.run()
    assert not at.exception
    assert at.session_state["workspace"].kind == "sample"
    wid = at.session_state["ws_id"]
    assert wid != unknown and (data_dir / wid / "meta.json").exists()
    assert not (data_dir / unknown).exists()
