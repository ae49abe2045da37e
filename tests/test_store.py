"""Server-side workspace store: ids, atomic saves, restore, expiry."""

import os
import time

import pytest

from tierlib import store


def test_ids_are_random_and_validated(tmp_path):
    a, b = store.new_id(), store.new_id()
    assert a != b and store.valid_id(a) and len(a) == 22
    for bad in ("../etc", "x" * 21, "", None, "a/b" + "c" * 19):
        assert not store.valid_id(bad)
    s = store.Store(tmp_path)
    with pytest.raises(ValueError):
        s.save_meta("../../evil", {})
    assert s.load("../../evil") is None


def test_save_and_load_round_trip(tmp_path):
    s = store.Store(tmp_path)
    wid = store.new_id()
    s.save_source(wid, b"\x00\x01 bytes")
    s.save_meta(wid, {"source": {"kind": "upload"}, "settings": {"tier_cuts": [1, 5, 20]}})
    meta, data = s.load(wid)
    assert data == b"\x00\x01 bytes"
    assert meta["settings"]["tier_cuts"] == [1, 5, 20] and "saved_at" in meta
    s.save_source(wid, None)
    assert s.load(wid)[1] is None
    s.delete(wid)
    assert not s.exists(wid) and s.load(wid) is None


def test_a_failed_write_keeps_the_previous_state(tmp_path, monkeypatch):
    s = store.Store(tmp_path)
    wid = store.new_id()
    s.save_meta(wid, {"v": 1})

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        s.save_meta(wid, {"v": 2})
    monkeypatch.undo()
    assert s.load(wid)[0]["v"] == 1
    assert [p.name for p in (tmp_path / wid).iterdir()] == ["meta.json"]  # no temp file left


def test_purge_removes_only_expired(tmp_path):
    s = store.Store(tmp_path, ttl_days=1)
    old, new = store.new_id(), store.new_id()
    s.save_meta(old, {})
    s.save_meta(new, {})
    past = time.time() - 3 * 86_400
    for p in [tmp_path / old, *(tmp_path / old).iterdir()]:
        os.utime(p, (past, past))
    assert s.purge_expired() == 1
    assert not s.exists(old) and s.exists(new)
