"""Server-side workspaces: what a user loaded and set up survives a refresh or a server restart.

A workspace lives in ``<root>/<id>/``:

- ``source.bin`` — the uploaded file's bytes (absent for a sample data set);
- ``meta.json`` — what was loaded (kind, name, file name, sheet, mapping overrides, margin) and
  the user's settings and edits (tier scheme, cutoffs, names, tags, strategies ...).

The id is random (128 bits, URL-safe) and is the only key: whoever has the link has the
workspace. Writes are atomic (a temporary file in the same folder, then ``os.replace``), so a
crash mid-save leaves the previous state intact. Workspaces not touched for ``ttl_days`` are
removed by ``purge_expired``.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import tempfile
import time
from pathlib import Path

ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{22}$")
DEFAULT_TTL_DAYS = 30.0
ENV_DIR = "CUSTOMER_PYRAMID_DATA_DIR"
ENV_TTL = "CUSTOMER_PYRAMID_TTL_DAYS"


def default_root() -> Path:
    """The data directory: $CUSTOMER_PYRAMID_DATA_DIR, else ./workspaces next to the app."""
    env = os.environ.get(ENV_DIR)
    return Path(env) if env else Path(__file__).resolve().parent.parent / "workspaces"


def default_ttl_days() -> float:
    try:
        return float(os.environ.get(ENV_TTL, DEFAULT_TTL_DAYS))
    except ValueError:
        return DEFAULT_TTL_DAYS


def new_id() -> str:
    return secrets.token_urlsafe(16)  # 22 characters


def valid_id(ws_id: object) -> bool:
    return isinstance(ws_id, str) and bool(ID_PATTERN.match(ws_id))


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


class Store:
    """A folder of workspaces."""

    def __init__(self, root: str | Path | None = None, ttl_days: float | None = None):
        self.root = Path(root) if root is not None else default_root()
        self.ttl_days = default_ttl_days() if ttl_days is None else float(ttl_days)

    def _dir(self, ws_id: str) -> Path:
        if not valid_id(ws_id):
            raise ValueError("invalid workspace id")
        return self.root / ws_id

    def exists(self, ws_id: str) -> bool:
        return valid_id(ws_id) and (self._dir(ws_id) / "meta.json").is_file()

    def save_source(self, ws_id: str, data: bytes | None) -> None:
        """Store the uploaded bytes (or remove them for a sample data set)."""
        path = self._dir(ws_id) / "source.bin"
        if data is None:
            path.unlink(missing_ok=True)
        else:
            _atomic_write(path, data)

    def save_meta(self, ws_id: str, meta: dict) -> None:
        body = dict(meta, saved_at=time.time())
        _atomic_write(self._dir(ws_id) / "meta.json",
                      json.dumps(body, ensure_ascii=False, indent=1, default=str).encode("utf-8"))

    def load(self, ws_id: str) -> tuple[dict, bytes | None] | None:
        """``(meta, source bytes or None)``, or None when the workspace is missing or unreadable."""
        if not self.exists(ws_id):
            return None
        d = self._dir(ws_id)
        try:
            meta = json.loads((d / "meta.json").read_text(encoding="utf-8"))
            src = d / "source.bin"
            data = src.read_bytes() if src.is_file() else None
        except (OSError, ValueError):
            return None
        os.utime(d, None)  # touched: not expired while in use
        return meta, data

    def delete(self, ws_id: str) -> None:
        if valid_id(ws_id):
            shutil.rmtree(self._dir(ws_id), ignore_errors=True)

    def purge_expired(self, now: float | None = None) -> int:
        """Remove workspaces untouched for longer than the TTL; returns how many were removed."""
        if not self.root.is_dir() or self.ttl_days <= 0:
            return 0
        limit = (now if now is not None else time.time()) - self.ttl_days * 86_400
        removed = 0
        for d in self.root.iterdir():
            if d.is_dir() and valid_id(d.name):
                newest = max([d.stat().st_mtime] + [p.stat().st_mtime for p in d.iterdir() if p.is_file()])
                if newest < limit:
                    shutil.rmtree(d, ignore_errors=True)
                    removed += 1
        return removed
