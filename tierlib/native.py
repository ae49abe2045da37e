"""The native path: big Parquet and UTF-8 CSV/TSV files, and folders of them, validated and
aggregated inside DuckDB without ever holding the raw table in pandas.

``tierlib.pipeline.load`` asks :func:`plan` first; when it returns a plan, :func:`load` reads the
file(s) with DuckDB (``read_parquet(..., file_row_number=true)`` / ``read_csv`` with every cell as
text), applies the same column mapping (``schema.guess_mapping`` + ``schema.apply_overrides``) and
the same cell rules as :mod:`tierlib.parsing` / :func:`tierlib.schema.prepare` in SQL
(``tierlib/sql/native_*.sql``), and leaves the used rows in the engine as ``tx``. The results
(rows read/used/rejected, reasons and line numbers, negative and duplicate counts, the
per-customer table) are the same as the Python path's; ``tests/test_native.py`` checks that on
the public Online Retail II file and on hand-made files.

When the native path is used
----------------------------
* a folder (``python -m tierlib grade FOLDER``): every ``.parquet`` file in it, or every
  ``.csv``/``.tsv``/``.txt`` file, all with the same columns (the Python path cannot read folders);
* a Parquet or CSV/TSV/TXT file (a path, or the bytes of an upload) of at least
  ``NATIVE_MIN_BYTES`` (8 MB; ``CUSTOMER_PYRAMID_NATIVE_MIN_MB`` overrides it). Uploaded bytes
  are written to a temporary file under the data directory and removed after loading.

When the Python path is used instead (the rule)
-----------------------------------------------
Excel workbooks; small files; and any file the native path cannot read *exactly* — it then raises
:class:`Fallback` and ``pipeline.load`` reads the file the Python way: text in another encoding
than UTF-8 (GBK, UTF-16, ...), CSV files whose records do not map one-to-one onto physical lines
(quoted line breaks, blank lines between rows, a row wider than all of the first ~250), Parquet columns
of types the SQL rules do not cover when they are mapped (time-zone aware or numeric dates,
nested, binary, booleans or dates as ids), integer ids beyond 2**53 in a column with gaps.
Odd *cells* do not cause a fallback: cells of a text column that are not plain numbers or
``YYYY-MM-DD[ hh:mm[:ss]]`` dates (``"¥1,234.50"``, ``"(45)"``, ``"2024年1月5日"``, ``"05/01/2024"``)
are parsed by :mod:`tierlib.parsing` itself, one distinct value at a time, and joined back.
A folder that cannot be read exactly is refused (``native.unsupported``). For a folder, line
numbers count within each file and the rejected-rows report has a ``file`` column.

SQL
---
The queries are ``tierlib/sql/native_*.sql``. Identifiers from the user's file are quoted
(``_quote``) and renamed ``_np_c<k>`` at once. The parsing constants (strip characters, missing
markers, money scale, margin) and the file paths are inlined as quoted literals (``_lit``), as the
regular expressions must be constants for DuckDB to compile them once; nothing typed by a user
reaches SQL text.

Limits
------
At most ``NATIVE_MAX_ROWS`` rows (``CUSTOMER_PYRAMID_NATIVE_MAX_ROWS``; a folder counts all its
files) and ``io.MAX_COLUMNS`` columns, checked from the Parquet metadata / the CSV header before
any row is typed; a load that runs past ``NATIVE_TIME_S`` seconds (``CUSTOMER_PYRAMID_NATIVE_TIME_S``)
is interrupted inside DuckDB. Each ends in a clear ``InputError`` and nothing half-loaded is kept.

Memory
------
DuckDB runs with ``SET memory_limit`` (``CUSTOMER_PYRAMID_MEMORY_LIMIT``, default ``2GB``) and
spills to ``<data dir>/.duckdb_tmp`` (the data dir of :mod:`tierlib.store`). The rejected-rows
report keeps the first ``REJECTED_CAP`` rows for display; the counts are always exact.
"""

from __future__ import annotations

import contextlib
import contextvars
import csv
import os
import re
import secrets
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from tierlib import io, parsing, schema
from tierlib.engine import Engine, connect, sql
from tierlib.io import InputError

__all__ = [
    "ENV_MEMORY_LIMIT",
    "ENV_DATA_PATHS",
    "ENV_MIN_MB",
    "DEFAULT_MEMORY_LIMIT",
    "NATIVE_MIN_BYTES",
    "REJECTED_CAP",
    "Fallback",
    "Plan",
    "NativeRead",
    "NativePrepared",
    "plan",
    "load",
    "configure",
    "memory_limit",
    "allowed_paths",
    "resolve_allowed",
    "progress",
]

ENV_MEMORY_LIMIT = "CUSTOMER_PYRAMID_MEMORY_LIMIT"
ENV_DATA_PATHS = "CUSTOMER_PYRAMID_DATA_PATHS"
ENV_MIN_MB = "CUSTOMER_PYRAMID_NATIVE_MIN_MB"
ENV_MAX_ROWS = "CUSTOMER_PYRAMID_NATIVE_MAX_ROWS"
ENV_TIME_S = "CUSTOMER_PYRAMID_NATIVE_TIME_S"
#: Most rows the native path reads (all files of a folder together); ``native.too_many_rows``.
NATIVE_MAX_ROWS = 200_000_000
#: Seconds one native load may take before DuckDB is interrupted; ``native.too_slow``.
NATIVE_TIME_S = 900.0
DEFAULT_MEMORY_LIMIT = "2GB"
#: Files (and uploads) from this size on take the native path.
NATIVE_MIN_BYTES = 8 * io.MB
#: Rejected rows kept in ``Prepared.rejected`` (for display and download); counts stay exact.
REJECTED_CAP = 1_000_000
#: Raw rows shown as the file preview (``Loaded.read.frame``).
PREVIEW_ROWS = 100
#: Bytes of a text file read in Python to find its encoding, delimiter and header.
SAMPLE_BYTES = 1_000_000

#: Characters stripped around cells; the same set as ``tierlib.parsing`` (a test checks).
STRIP_CHARS = (" \t\r\n\f\v\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
               "\u2009\u200a\u200b\u200c\u200d\u2028\u2029\u202f\u205f\u3000\ufeff")

#: ``^[...]+|[...]+$`` of ``STRIP_CHARS`` (RE2 syntax) for the SQL strip.
STRIP_RE = "^[{0}]+|[{0}]+$".format("".join("\\x{%x}" % ord(ch) for ch in STRIP_CHARS))

PARQUET_EXTS = {".parquet"}
TEXT_EXTS = {".csv", ".tsv", ".txt"}
_UTF8 = {"utf-8", "utf-8-sig", "ascii"}
_LIMIT_RE = re.compile(r"\d+(?:\.\d+)?\s*(?:[KMGT]i?B|B|%)", re.IGNORECASE)
_TEXT_FIELDS = ("customer_id", "customer_name", "order_id") + schema.DIMENSIONS
_NUMERIC_FIELDS = schema.MONEY_FIELDS + schema.NUMBER_FIELDS

#: Reason codes of ``_np_stage.code`` in the order ``schema.prepare`` checks them (first wins).
REASONS: list[tuple[str, str]] = [("missing_customer_id", "customer_id"), ("missing_value", "order_id"),
                                  ("missing_date", "order_date"), ("bad_date", "order_date")]
for _f in _NUMERIC_FIELDS:
    REASONS += [("missing_value", _f), ("bad_number", _f)]
CODE_BLANK = 255
_LAST: dict = {}  # the last stage query and its parameters (for profiling: bench/, tests)


class Fallback(Exception):
    """The native path cannot read this input exactly; read it the Python way."""


@dataclass
class Plan:
    """What the native path will read."""

    kind: str  # "parquet" | "csv"
    files: list[Path]
    folder: Path | None = None
    temp: Path | None = None  # a temporary copy of uploaded bytes, removed after loading
    name: str = ""


@dataclass
class NativeRead(io.ReadResult):
    """``io.ReadResult`` of a native read: ``frame`` holds only the first rows (the preview).

    Extra attributes: ``plan`` (to re-map without reading again), ``files`` (file names of a
    folder, in reading order), ``native`` (always True), ``timings`` (seconds per stage) and
    ``engine`` (the Engine holding ``tx``).
    """

    plan: Plan | None = None
    files: list[str] = field(default_factory=list)
    native: bool = True
    timings: dict = field(default_factory=dict)
    engine: object = None


@dataclass
class NativePrepared(schema.Prepared):
    """``schema.Prepared`` whose rows stay in DuckDB.

    ``clean`` is an empty frame with the canonical columns: the used rows are the engine's
    ``tx`` table (a view of ``_np_stage``). ``rejected`` holds the first ``REJECTED_CAP`` rejected
    rows (plus a ``file`` column for a folder); ``rows_used``, ``rows_rejected`` and
    ``rejected_by_reason`` are exact.
    """

    n_used: int = 0
    n_rejected: int = 0
    rejected_by_reason: dict[str, int] = field(default_factory=dict)
    rejected_truncated: bool = False
    in_duckdb: bool = True

    @property
    def rows_used(self) -> int:  # type: ignore[override]
        return self.n_used

    @property
    def rows_rejected(self) -> int:  # type: ignore[override]
        return self.n_rejected


# --------------------------------------------------------------------------------------------
# progress
# --------------------------------------------------------------------------------------------

_PROGRESS: contextvars.ContextVar = contextvars.ContextVar("native_progress", default=None)


@contextlib.contextmanager
def progress(callback):
    """Report the stages of native loads made inside the ``with`` block.

    ``callback(stage, info)`` is called with ``stage`` in ``"read"`` (reading and checking every
    row), ``"customers"`` (adding up each customer) and ``"done"`` (``info`` has ``rows``,
    ``customers`` and ``seconds``). The i18n keys ``native.stage.<stage>`` name them. Context-local,
    so concurrent sessions do not see each other's callbacks.
    """
    token = _PROGRESS.set(callback)
    try:
        yield
    finally:
        _PROGRESS.reset(token)


def _report(stage: str, **info) -> None:
    cb = _PROGRESS.get()
    if cb is not None:
        try:
            cb(stage, info)
        except Exception:  # noqa: BLE001 - a display problem must not break loading
            pass


# --------------------------------------------------------------------------------------------
# settings and allowed server paths
# --------------------------------------------------------------------------------------------

def memory_limit() -> str:
    """DuckDB memory limit of the native path: ``$CUSTOMER_PYRAMID_MEMORY_LIMIT`` or ``2GB``."""
    value = (os.environ.get(ENV_MEMORY_LIMIT) or DEFAULT_MEMORY_LIMIT).strip()
    if not _LIMIT_RE.fullmatch(value):
        raise InputError("native.bad_memory_limit", value=value)
    return value


def min_bytes() -> int:
    try:
        return int(float(os.environ[ENV_MIN_MB]) * io.MB)
    except (KeyError, ValueError):
        return NATIVE_MIN_BYTES


def _env_number(name: str, default: float) -> float:
    try:
        value = float(os.environ[name])
    except (KeyError, ValueError):
        return default
    return value if value > 0 else default


def max_rows() -> int:
    """Row limit of the native path: ``$CUSTOMER_PYRAMID_NATIVE_MAX_ROWS`` or ``NATIVE_MAX_ROWS``."""
    return int(_env_number(ENV_MAX_ROWS, NATIVE_MAX_ROWS))


def time_budget() -> float:
    """Seconds a native load may take: ``$CUSTOMER_PYRAMID_NATIVE_TIME_S`` or ``NATIVE_TIME_S``."""
    return _env_number(ENV_TIME_S, NATIVE_TIME_S)


def _check_size(rows: int, columns: int) -> None:
    """The row and column limits (columns: the same as the Python path's, ``io.MAX_COLUMNS``)."""
    if columns > io.MAX_COLUMNS:
        raise InputError("io.too_many_columns", columns=columns, limit=io.MAX_COLUMNS)
    if rows > max_rows():
        raise InputError("native.too_many_rows", rows=rows, limit=max_rows())


def data_dir() -> Path:
    from tierlib import store

    return store.default_root()


def configure(con, limit: str | None = None, temp_root: Path | None = None) -> Path:
    """Set the memory limit and a private spill folder on a DuckDB connection; define the macros.

    Returns the spill folder (under ``<data dir>/.duckdb_tmp``).
    """
    limit = limit or memory_limit()
    if not _LIMIT_RE.fullmatch(limit):
        raise InputError("native.bad_memory_limit", value=limit)
    root = temp_root or data_dir() / ".duckdb_tmp"
    root.mkdir(parents=True, exist_ok=True)
    _sweep(root)
    # DuckDB creates the folder only when it spills, and empties it when the connection closes.
    spill = root / f"spill-{os.getpid()}-{secrets.token_hex(6)}"
    con.execute(f"SET memory_limit = '{limit}'")
    con.execute(f"SET temp_directory = {_string(str(spill))}")
    con.execute("SET enable_progress_bar = false")  # DuckDB would draw one on the CLI's stderr
    con.execute(sql("native_macros"))
    return spill


def _sweep(root: Path, age_s: float = 3600.0) -> None:
    """Remove empty spill folders left by closed engines."""
    now = time.time()
    for d in root.glob("spill-*"):
        try:
            if d.is_dir() and now - d.stat().st_mtime > age_s and not any(d.iterdir()):
                d.rmdir()
        except OSError:
            pass


def allowed_paths(env: str | None = None) -> list[Path]:
    """Files and folders the app may open on the server: ``$CUSTOMER_PYRAMID_DATA_PATHS``.

    The variable lists paths separated by ``;`` (or the OS path separator); only those that exist
    are returned, resolved, in the given order. Users pick one of these; a path typed in the
    browser is never opened.
    """
    text = os.environ.get(ENV_DATA_PATHS, "") if env is None else env
    out: list[Path] = []
    for part in re.split(r"[;" + re.escape(os.pathsep) + r"]", text):
        part = part.strip()
        if not part:
            continue
        p = Path(part).expanduser()
        try:
            p = p.resolve(strict=True)
        except OSError:
            continue
        if p not in out:
            out.append(p)
    return out


def resolve_allowed(choice: str | os.PathLike, env: str | None = None) -> Path:
    """Return ``choice`` if it is one of :func:`allowed_paths`, else raise ``native.not_allowed``."""
    try:
        want = Path(choice).expanduser().resolve(strict=True)
    except OSError:
        raise InputError("native.not_allowed", path=str(choice)) from None
    if want not in allowed_paths(env):
        raise InputError("native.not_allowed", path=str(choice))
    return want


# --------------------------------------------------------------------------------------------
# planning
# --------------------------------------------------------------------------------------------

def _magic(path: Path) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(8)


def _kind_of(path: Path) -> str | None:
    """``parquet``, ``csv`` or None (not for the native path) from the extension and signature."""
    ext = path.suffix.lower()
    if ext and ext not in PARQUET_EXTS | TEXT_EXTS:
        return None
    head = _magic(path)
    if head.startswith(b"PAR1"):
        return "parquet"
    if ext in PARQUET_EXTS or head.startswith(b"PK") or head.startswith(b"\xd0\xcf\x11\xe0"):
        return None  # broken Parquet or a workbook: the Python path reports it
    return "csv"


def plan(source, filename: str | None = None, sheet: str | None = None, max_bytes: int | None = None,
         read: io.ReadResult | None = None) -> Plan | None:
    """Decide whether ``source`` takes the native path; return what to read, or None.

    Parameters are those of ``pipeline.load``. A ``NativeRead`` given as ``read`` (re-mapping a
    file read natively) gives its plan again.

    Raises
    ------
    InputError
        ``native.no_files`` / ``native.mixed_folder`` for a folder without readable files or
        with both Parquet and text files; ``io.too_large`` for a folder above ``max_bytes``.
    """
    if isinstance(read, NativeRead):
        if read.plan is not None and read.plan.temp is None:
            return read.plan
        read = None  # an upload's temporary copy is gone: plan again from its bytes
    if read is not None or sheet is not None:
        return None
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if path.is_dir():
            return _folder_plan(path, max_bytes)
        if not path.is_file():
            return None
        size = path.stat().st_size
        if size < min_bytes() or (max_bytes is not None and size > max_bytes):
            return None
        kind = _kind_of(path) if not filename else _kind_of_named(path, filename)
        return None if kind is None else Plan(kind=kind, files=[path], name=filename or path.name)
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = memoryview(source)
        if len(data) < min_bytes() or (max_bytes is not None and len(data) > max_bytes):
            return None
        name = filename or ""
        ext = os.path.splitext(name)[1].lower()
        if ext and ext not in PARQUET_EXTS | TEXT_EXTS:
            return None
        head = bytes(data[:8])
        if head.startswith(b"PAR1"):
            kind = "parquet"
        elif ext in PARQUET_EXTS or head.startswith(b"PK") or head.startswith(b"\xd0\xcf\x11\xe0"):
            return None
        else:
            kind = "csv"
        tmp_dir = data_dir() / ".native_uploads"
        tmp_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=tmp_dir, suffix=".parquet" if kind == "parquet" else ".csv")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        return Plan(kind=kind, files=[Path(tmp)], temp=Path(tmp), name=name)
    return None


def _kind_of_named(path: Path, filename: str) -> str | None:
    ext = os.path.splitext(filename)[1].lower()
    if ext and ext not in PARQUET_EXTS | TEXT_EXTS:
        return None
    return _kind_of(path)


def _folder_plan(folder: Path, max_bytes: int | None) -> Plan:
    files = sorted(p for p in folder.iterdir()
                   if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in PARQUET_EXTS | TEXT_EXTS)
    kinds = {p: _kind_of(p) for p in files}
    files = [p for p in files if kinds[p]]
    if not files:
        raise InputError("native.no_files", folder=str(folder))
    found = {kinds[p] for p in files}
    if len(found) > 1:
        raise InputError("native.mixed_folder", folder=str(folder))
    total = sum(p.stat().st_size for p in files)
    if max_bytes is not None and total > max_bytes:
        raise InputError("io.too_large", limit_mb=round(max_bytes / io.MB, 1))
    return Plan(kind=found.pop(), files=files, folder=folder, name=folder.name)


# --------------------------------------------------------------------------------------------
# sources: how each kind of input appears in SQL
# --------------------------------------------------------------------------------------------

@dataclass
class _Column:
    name: str  # the column name as the Python path shows it (io naming rules)
    ident: str  # quoted identifier in the source relation
    kind: str  # text | int | float | decimal | bool | ts | tstz | date | other


@dataclass
class _Source:
    read: NativeRead
    columns: dict[str, _Column]
    relation: str  # FROM clause
    line: str  # SQL of the 1-based line
    file: str  # SQL of the file index
    params: dict
    text_cells: bool  # every cell is text (CSV): empty cells are NULL here and "" in Python
    cleanup: list[str] = field(default_factory=list)  # tables to drop after loading
    fields: dict = field(default_factory=dict)  # the typed fields (set by _load_rows)


def _template(name: str) -> str:
    """``tierlib/sql/<name>.sql`` without its comment lines (they name the placeholders)."""
    return "\n".join(line for line in sql(name).splitlines() if not line.lstrip().startswith("--"))


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _duck_kind(dtype: str) -> str:
    t = dtype.upper()
    if t == "VARCHAR" or t.startswith("VARCHAR"):
        return "text"
    if t in ("BIGINT", "INTEGER", "SMALLINT", "TINYINT", "UBIGINT", "UINTEGER", "USMALLINT", "UTINYINT",
             "HUGEINT", "UHUGEINT"):
        return "int"
    if t == "DOUBLE":
        return "float"
    if t in ("FLOAT", "REAL"):
        return "float32"
    if t.startswith("DECIMAL"):
        return "decimal"
    if t == "BOOLEAN":
        return "bool"
    if t.startswith("TIMESTAMP WITH TIME ZONE") or t == "TIMESTAMPTZ":
        return "tstz"
    if t.startswith("TIMESTAMP"):
        return "ts"
    if t == "DATE":
        return "date"
    return "other"


def _parquet_source(plan: Plan, eng: Engine) -> _Source:
    import pyarrow as pa
    import pyarrow.parquet as pq

    first = plan.files[0]
    try:
        pf = pq.ParquetFile(first)
        arrow_schema = pf.schema_arrow
    except Exception as exc:  # noqa: BLE001 - a broken file: the Python path reports it
        if plan.folder is None:
            raise Fallback(f"pyarrow cannot open the file: {exc}") from exc
        raise InputError("io.bad_parquet", detail=f"{first.name}: {exc}"[:300]) from exc
    raw_names = list(arrow_schema.names)
    for reserved in ("file_row_number", "_np_file"):
        if reserved in arrow_schema.names:
            raise _refuse(plan, f"a column is named {reserved}")
    try:
        total_rows = pf.metadata.num_rows + sum(pq.ParquetFile(p).metadata.num_rows for p in plan.files[1:])
    except Exception as exc:  # noqa: BLE001 - a broken file of a folder
        raise InputError("io.bad_parquet", detail=str(exc)[:300]) from exc
    _check_size(int(total_rows), len(raw_names))
    # The preview: the first rows, read by tierlib.io itself (same names, same cells).
    preview = None
    for n_rows in (PREVIEW_ROWS, 20_000):
        batch = next(pf.iter_batches(batch_size=n_rows), None)
        if batch is None:
            break
        table = pa.Table.from_batches([batch], schema=arrow_schema)
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink)
        try:
            preview = io.read_table(sink.getvalue().to_pybytes(), filename="preview.parquet")
            break
        except InputError as exc:
            if exc.code != "io.no_data_rows":
                raise _refuse(plan, f"preview: {exc}") from exc
    if preview is None:
        raise _refuse(plan, "no data rows in the first rows")
    names = [str(c) for c in preview.frame.columns]
    if len(names) != len(raw_names):
        raise _refuse(plan, "column names differ from the Python reader's")
    for other in plan.files[1:]:
        try:
            other_names = list(pq.read_schema(other).names)
        except Exception as exc:  # noqa: BLE001
            raise InputError("io.bad_parquet", detail=f"{other.name}: {exc}"[:300]) from exc
        if sorted(other_names) != sorted(raw_names):
            raise InputError("native.folder_columns", file=other.name, first=first.name)
    files = [str(p) for p in plan.files]
    relation = (f"read_parquet({_lit(files)}, file_row_number = true, filename = '_np_file', "
                "union_by_name = true)")
    desc = eng.con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()
    types = {row[0]: row[1] for row in desc}
    columns = {name: _Column(name, _quote(raw), _duck_kind(types.get(raw, "OTHER")))
               for name, raw in zip(names, raw_names)}
    read = _native_read(preview, plan, "parquet")
    file_sql = f"CAST(list_position({_lit(files)}, _np_file) - 1 AS INTEGER)" if len(files) > 1 else "0"
    return _Source(read=read, columns=columns, relation=relation, line="file_row_number + 1",
                   file=file_sql, params={}, text_cells=False)


def _refuse(plan: Plan, why: str) -> Exception:
    """Fallback for a file; a clear error for a folder (the Python path cannot read folders)."""
    if plan.folder is None:
        return Fallback(why)
    return InputError("native.unsupported", detail=why)


def _native_read(preview: io.ReadResult, plan: Plan, fmt: str) -> NativeRead:
    frame = preview.frame.head(PREVIEW_ROWS)
    return NativeRead(frame=frame, line_numbers=np.asarray(preview.line_numbers[:len(frame)]), format=fmt,
                      encoding=preview.encoding, delimiter=preview.delimiter, sheets=[], sheet=None,
                      header_row=preview.header_row, skipped_title_rows=preview.skipped_title_rows,
                      plan=plan, files=[p.name for p in plan.files] if plan.folder else [])


def _line_stats(path: Path) -> tuple[int, int]:
    """Physical lines of a text file (as the Python reader counts them) and trailing empty lines."""
    lines = 0
    last = b""
    with open(path, "rb") as fh:
        while True:
            chunk = fh.read(8 * io.MB)
            if not chunk:
                break
            lines += chunk.count(b"\n")
            last = (last + chunk)[-4096:]
    tail = last.rstrip(b"\x1a")
    ends_nl = tail.endswith(b"\n")
    total = lines + (0 if ends_nl or not tail else 1)
    # Empty lines at the end (DuckDB skips them; the Python reader drops them as blank rows).
    stripped = tail.rstrip(b"\r\n")
    trailing = tail[len(stripped):].count(b"\n") - (1 if ends_nl and stripped else 0)
    return total, max(trailing, 0)


def _csv_source(plan: Plan, eng: Engine) -> _Source:
    con = eng.con
    con.execute("DROP TABLE IF EXISTS _np_raw")
    width = None
    names: list[str] | None = None
    read = None
    starts: list[int] = []
    first_lines: list[int] = []
    dropped: list[int] = []
    total_rows = 0
    for k, path in enumerate(plan.files):
        with open(path, "rb") as fh:
            head = fh.read(SAMPLE_BYTES + 1)
        if len(head) > SAMPLE_BYTES:
            cut = head.rfind(b"\n", 0, SAMPLE_BYTES)
            head = head[:cut + 1] if cut > 0 else head[:SAMPLE_BYTES]
        try:
            sample = io.read_table(head, filename=plan.name if plan.folder is None else path.name)
        except InputError as exc:
            if plan.folder is None:
                raise Fallback(f"sample: {exc}") from exc
            raise InputError(exc.code, **{**exc.params, "file": path.name}) from exc
        if sample.encoding not in _UTF8:
            raise _refuse(plan, f"encoding {sample.encoding}")
        text = head.decode("utf-8", errors="replace")
        if text.startswith("\ufeff"):
            text = text[1:]
        lines = text.replace("\r\n", "\n").split("\n")
        h = sample.header_row  # 1-based line of the header
        delim = sample.delimiter or ","
        header_cells = next(csv.reader([lines[h - 1]], delimiter=delim, quotechar='"'), [])
        recs = list(csv.reader(lines[h:h + io.HEADER_SCAN_ROWS + 200], delimiter=delim, quotechar='"'))
        w = max([len(header_cells)] + [len(r) for r in recs])
        file_names = [str(c) for c in sample.frame.columns]
        blank_pos = [i for i in range(w) if i >= len(header_cells) or not header_cells[i].strip(STRIP_CHARS)]
        if len(file_names) == w:
            keep = list(range(w))
        elif len(file_names) == w - len(blank_pos):
            keep = [i for i in range(w) if i not in blank_pos]
        else:
            raise _refuse(plan, "columns could not be aligned")
        _check_size(0, w)
        if k == 0:
            width, names, read, dropped = w, file_names, _native_read(sample, plan, "csv"), \
                [i for i in range(w) if i not in keep]
            cols = ", ".join(f"c{i} VARCHAR" for i in range(w))
            con.execute(f"CREATE TABLE _np_raw (_f INTEGER, {cols})")
        elif file_names != names or w != width:
            raise InputError("native.folder_columns", file=path.name, first=plan.files[0].name)
        struct = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(w)) + "}"
        try:
            con.execute(_template("native_csv_raw").replace("{columns}", struct),
                        {"file_index": k, "path": str(path), "skip": h, "delim": delim})
        except Exception as exc:  # noqa: BLE001 - DuckDB's CSV errors: invalid UTF-8, ragged rows, ...
            raise _refuse(plan, f"DuckDB CSV reader: {str(exc).splitlines()[0][:200]}") from exc
        n_rows = con.execute("SELECT COUNT(*) FROM _np_raw WHERE _f = $k", {"k": k}).fetchall()[0][0]
        physical, trailing = _line_stats(path)
        if n_rows != physical - h - trailing:
            raise _refuse(plan, "records and lines differ (quoted line breaks or blank lines)")
        starts.append(total_rows)
        first_lines.append(h + 1)
        total_rows += n_rows
        _check_size(total_rows, w)
        _check_preview(con, k, total_rows - n_rows, h + 1, sample, keep, plan)
    assert names is not None and read is not None and width is not None
    if dropped:
        cond = " OR ".join(f"trim(c{i}, {_lit(STRIP_CHARS)}) <> ''" for i in dropped)
        if con.execute(f"SELECT COUNT(*) FROM _np_raw WHERE {cond}").fetchall()[0][0]:
            raise _refuse(plan, "an unnamed column has values beyond the first rows")
    keep = [i for i in range(width) if i not in dropped]
    columns = {name: _Column(name, f"c{i}", "text") for name, i in zip(names, keep)}
    line = f"(rowid - list_extract({_lit(starts)}, _f + 1) + list_extract({_lit(first_lines)}, _f + 1))"
    return _Source(read=read, columns=columns, relation="_np_raw", line=line, file="_f",
                   params={}, text_cells=True, cleanup=["_np_raw"])


def _check_preview(con, k: int, start: int, first_line: int, sample: io.ReadResult, keep: list[int],
                   plan: Plan) -> None:
    """The first rows DuckDB read must be the rows (and lines) the Python reader found."""
    frame = sample.frame.head(PREVIEW_ROWS)
    if not len(frame):
        return
    last = int(sample.line_numbers[len(frame) - 1])
    cols = ", ".join(f"c{i}" for i in keep)
    got = con.execute(f"SELECT rowid, {cols} FROM _np_raw WHERE _f = $k AND rowid >= $a AND rowid <= $b "
                      "ORDER BY rowid", {"k": k, "a": start, "b": start + last - first_line}).fetchall()
    rows = []
    for r in got:
        cells = ["" if v is None else v for v in r[1:]]
        if all(not c.strip(STRIP_CHARS) for c in cells):
            continue
        rows.append((int(r[0]) - start + first_line, cells))
    want = [(int(ln), ["" if v is None else str(v) for v in frame.iloc[i].tolist()])
            for i, ln in enumerate(sample.line_numbers[:len(frame)])]
    if rows != want:
        raise _refuse(plan, "DuckDB and the Python reader disagree on the first rows")


# --------------------------------------------------------------------------------------------
# SQL of one field
# --------------------------------------------------------------------------------------------
# In the stage query every raw column is renamed _np_c<k>; a field gives the SQL of its typed
# value and of its "missing" flag, evaluated where the helpers (_np_t_<field>: the stripped
# text) and the lookup tables (lk_<field>: odd cells parsed by tierlib.parsing) are in scope.
# "bad" is always "present but no value": NOT missing AND value IS NULL.

@dataclass
class _Field:
    value: str
    missing: str = "false"
    ends: dict[str, str] = field(default_factory=dict)  # first projection: end characters
    strips: dict[str, str] = field(default_factory=dict)  # second projection: stripped text
    helpers: dict[str, str] = field(default_factory=dict)  # second projection


def _strip(c: str) -> tuple[str, dict[str, str]]:
    """SQL of the stripped text of raw column ``c`` and the end-character columns it needs."""
    return (f"np_strip_at({c}, {c}_f, {c}_l, $strip_re)",
            {f"{c}_f": f"ord({c})", f"{c}_l": f"ord({c}[-1])"})


def _text_field(fld: str, c: str, kind: str, refuse) -> _Field:
    t = f"_np_t_{fld}"
    if kind == "text":
        stripped, ends = _strip(c)
        return _Field(value=f"CASE WHEN _np_m_{fld} THEN NULL ELSE {t} END",
                      missing=f"np_missing({t}, $markers, $longest)", ends=ends,
                      strips={f"_np_s_{fld}": stripped},
                      helpers={t: f"np_dot0(_np_s_{fld})"})
    if kind == "int":
        return _Field(value=f"CAST({c} AS VARCHAR)", missing=f"({c} IS NULL)")
    if kind in ("float", "float32", "decimal"):
        return _Field(value=f"np_float_text(CAST({c} AS DOUBLE))",
                      missing=f"(np_float_text(CAST({c} AS DOUBLE)) IS NULL)")
    raise refuse(fld, kind)


def _date_field(c: str, kind: str, lookup: str | None, refuse) -> _Field:
    if kind == "text":
        t = "_np_t_order_date"
        fast = f"np_iso_date({t})"
        other = "ELSE _np_lk_order_date " if lookup else ""
        value = (f"CASE WHEN _np_m_order_date THEN NULL WHEN {fast} THEN "
                 f"np_plausible_ns(np_iso_value({t})) {other}END")
        missing = f"np_missing({t}, $markers, $longest)"
        if lookup:
            missing = f"({missing} OR (NOT {fast} AND COALESCE({lookup}.m, false)))"
        stripped, ends = _strip(c)
        return _Field(value=value, missing=missing, strips={t: stripped}, ends=ends)
    if kind in ("ts", "date"):
        return _Field(value=f"np_plausible_ns(CAST({c} AS TIMESTAMP))", missing=f"({c} IS NULL)")
    raise refuse("order_date", kind)


def _number_field(fld: str, c: str, kind: str, lookup: str | None, refuse) -> _Field:
    if kind in ("int", "float", "float32", "decimal"):
        v = f"CAST({c} AS DOUBLE)"
        return _Field(value=f"CASE WHEN isfinite({v}) THEN {v} END", missing=f"({c} IS NULL OR isnan({v}))")
    if kind in ("bool", "ts", "date", "tstz"):
        return _Field(value="CAST(NULL AS DOUBLE)", missing=f"({c} IS NULL)")
    if kind == "text":
        t = f"_np_t_{fld}"
        plain = f"np_plain_number({t})"
        cast = f"TRY_CAST({t} AS DOUBLE)"
        other = f"ELSE _np_lk_{fld} " if lookup else ""
        value = (f"CASE WHEN _np_m_{fld} THEN NULL WHEN {plain} THEN "
                 f"CASE WHEN isfinite({cast}) THEN {cast} END {other}END")
        missing = f"np_missing({t}, $markers, $longest)"
        if lookup:
            missing = f"({missing} OR (NOT {plain} AND COALESCE({lookup}.m, false)))"
        stripped, ends = _strip(c)
        return _Field(value=value, missing=missing, strips={t: stripped}, ends=ends)
    raise refuse(fld, kind)


def _odd_predicate(fld: str, ident: str) -> str:
    t = f"np_strip({ident}, $strip, $strip_re)"
    if fld == "order_date":
        return f"NOT np_missing({t}, $markers, $longest) AND NOT np_iso_date({t})"
    return f"NOT np_missing({t}, $markers, $longest) AND NOT np_plain_number({t})"


def _raw_cell_text(c: str, kind: str) -> str:
    if kind == "text":
        return f"np_cell({c})"
    if kind == "float":
        return f"CASE WHEN {c} IS NULL OR isnan({c}) THEN '' ELSE np_cell(CAST({c} AS VARCHAR)) END"
    if kind == "float32":  # pandas gives numpy float32 cells: str() of a missing one is "nan"
        return f"CASE WHEN {c} IS NULL OR isnan({c}) THEN 'nan' ELSE np_cell(CAST({c} AS VARCHAR)) END"
    if kind == "decimal":
        return f"CASE WHEN {c} IS NULL THEN '' ELSE np_cell(CAST(CAST({c} AS DOUBLE) AS VARCHAR)) END"
    if kind in ("ts", "tstz"):
        return f"np_cell(np_ts_cell(CAST({c} AS TIMESTAMP)))"
    if kind == "bool":
        return f"CASE WHEN {c} IS NULL THEN '' WHEN {c} THEN 'True' ELSE 'False' END"
    return f"CASE WHEN {c} IS NULL THEN '' ELSE np_cell(CAST({c} AS VARCHAR)) END"


def _hash_part(c: str, kind: str, text_cells: bool) -> str:
    if text_cells:
        return f"COALESCE({c}, '')"
    if kind in ("float", "float32", "decimal"):
        d = f"CAST({c} AS DOUBLE)"
        return f"CASE WHEN isnan({d}) THEN NULL ELSE {d} END, signbit({d})"
    return c


def _blank_part(c: str, kind: str) -> str:
    if kind == "text":
        return f"({c} IS NULL OR np_strip({c}, $strip, $strip_re) = '')"
    if kind in ("float", "float32"):
        return f"({c} IS NULL OR isnan({c}))"
    return f"({c} IS NULL)"


# --------------------------------------------------------------------------------------------
# loading
# --------------------------------------------------------------------------------------------

def _check_mapping(mapping: dict[str, str], margin: float | None) -> dict[str, str]:
    """The mapping checks of ``schema.prepare``, in the same order."""
    mapping = dict(mapping)
    if "customer_id" not in mapping:
        if "customer_name" not in mapping:
            raise InputError("schema.no_customer")
        mapping["customer_id"] = mapping["customer_name"]
    if not any(f in mapping for f in ("revenue", "profit")) and not (
            "quantity" in mapping and "unit_price" in mapping):
        raise InputError("schema.no_value")
    if margin is not None and not (-1.0 < margin < 1.0):
        raise InputError("schema.bad_margin", margin=margin)
    return mapping


def _lit(value) -> str:
    """A SQL literal of a constant (views cannot take bound parameters)."""
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "NULL"}[value]
    if isinstance(value, (int, float)):
        return repr(value) if isinstance(value, int) else f"CAST({float(value)!r} AS DOUBLE)"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_lit(v) for v in value) + "]"
    raise TypeError(type(value))


def _constants(margin: float | None) -> dict[str, str]:
    """``$name`` -> literal for the parsing constants (inlined into the rows query)."""
    markers = sorted(parsing.MISSING_MARKERS)
    assert not any("\x01" in m for m in markers)
    return {"strip": _lit(STRIP_CHARS), "strip_re": _lit(STRIP_RE),
            "markers": _lit("\x01" + "\x01".join(markers) + "\x01"),
            "longest": _lit(max(len(m.encode("utf-8")) for m in markers)),
            "scale": _lit(schema.MONEY_SCALE), "margin": _lit(margin)}


def _inline(query: str, consts: dict[str, str]) -> str:
    """Replace ``$name`` by its literal (longest names first)."""
    for name in sorted(consts, key=len, reverse=True):
        query = re.sub(r"\$" + name + r"\b", lambda _m, v=consts[name]: v, query)
    return query


def _lookup_table(eng: Engine, src: _Source, fld: str, col: _Column) -> str | None:
    """Parse the odd distinct cells of a text column with tierlib.parsing; return the table name."""
    q = _template("native_odd_values").replace("{cell}", col.ident).replace("{relation}", src.relation) \
        .replace("{odd}", _odd_predicate(fld, col.ident))
    odd = eng.con.execute(_inline(q, _constants(None))).df()
    if not len(odd):
        return None
    raw = pd.Series(odd["raw"].to_numpy(dtype=object), dtype="str")
    name = f"_np_lk_{fld}"
    if fld == "order_date":
        v, m, _bad = parsing.parse_date(raw)
        frame = pd.DataFrame({"raw": raw, "v": v.astype("datetime64[ns]"), "m": m})
    else:
        v, m, _bad = parsing.parse_number(raw)
        frame = pd.DataFrame({"raw": raw, "v": v.astype("float64"), "m": m})
    eng.register(name, frame)
    return name


def _cpu() -> float:
    import resource

    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def load(pl: Plan, overrides: dict | None = None, margin: float | None = None,
         engine: Engine | None = None):
    """Read, validate and aggregate ``pl`` in DuckDB.

    Parameters
    ----------
    pl : Plan
        From :func:`plan`.
    overrides, margin
        As for ``pipeline.load``.
    engine : Engine, optional
        Receives ``tx`` (a view of the used rows); a new one with the native memory limit when
        None (reach it through ``read.engine``).

    Returns
    -------
    tuple
        ``(read, prepared, customers, auto_mapping)`` for ``pipeline.Loaded``: a
        :class:`NativeRead`, a :class:`NativePrepared`, the per-customer table (the columns and
        types of ``tierlib/sql/customers.sql``) and the automatic mapping.

    Raises
    ------
    Fallback
        The input needs the Python path (see the module notes).
    InputError
        The same errors as the Python path (mapping, all rows rejected, no data rows) and
        ``native.*`` for folders.

    Notes
    -----
    Every row is validated and typed once, in one pass, into the DuckDB table ``_np_stage``
    (used and rejected rows, with a reason code); ``tx`` is a view of its used rows with every
    canonical column, so ``Engine.customers(filters=...)`` and every page query work unchanged.
    The table lives under DuckDB's memory limit and spills to disk beyond it. The customer table
    comes from native_customers.sql (the figures of customers.sql, computed faster), the counts
    from native_codes.sql and native_duplicates.sql, the report from native_rejected.sql.
    """
    eng = engine or Engine(connect(memory_limit=memory_limit()))
    timings: dict[str, float] = {}
    t0, c0 = time.perf_counter(), _cpu()
    configure(eng.con)
    src: _Source | None = None
    budget = time_budget()
    timer = threading.Timer(budget, eng.con.interrupt)  # a DuckDB query stops at once
    timer.daemon = True
    timer.start()

    def check_time() -> None:  # between queries (the interrupt stops a running one)
        if time.perf_counter() - t0 >= budget:
            raise InputError("native.too_slow", seconds=io._num_text(budget))

    try:
        src = _parquet_source(pl, eng) if pl.kind == "parquet" else _csv_source(pl, eng)
        timings["source"] = time.perf_counter() - t0
        check_time()
        names = list(src.columns)
        auto = schema.guess_mapping(names)
        mapping = _check_mapping(schema.apply_overrides(auto, overrides or {}, names), margin)
        _report("read")
        prepared = _load_rows(eng, src, pl, mapping, margin, timings)
        check_time()
        _report("customers")
        t1, c1 = time.perf_counter(), _cpu()
        customers = _customers(eng.con, src.fields, timings)
        timings["customers"] = time.perf_counter() - t1
        timings["customers_cpu"] = _cpu() - c1
        check_time()
        prepared.negative_rows = int(customers["negative_lines"].sum())
        if "order_date" not in mapping and "order_id" not in mapping and len(customers) == prepared.rows_used:
            prepared.level = "customers"
        timings["total"] = time.perf_counter() - t0
        timings["cpu"] = _cpu() - c0
        _report("done", rows=prepared.rows_read, customers=len(customers), seconds=timings["total"])
        src.read.timings = timings
        src.read.engine = eng
        return src.read, prepared, customers, auto
    except Exception as exc:
        if time.perf_counter() - t0 >= budget and not isinstance(exc, InputError):
            raise InputError("native.too_slow", seconds=io._num_text(budget)) from exc
        raise
    finally:
        timer.cancel()
        if src is not None:
            for name in src.cleanup:
                eng.con.execute(f"DROP TABLE IF EXISTS {name}")
        if pl.temp is not None:
            try:
                pl.temp.unlink()
            except OSError:
                pass


def _sources_of_value(mapping: dict[str, str], margin: float | None):
    """Revenue and profit sources, as schema.prepare decides them."""
    revenue_source = "column" if "revenue" in mapping else (
        "quantity_x_price" if "quantity" in mapping and "unit_price" in mapping else None)
    profit_source = None
    notes: list[tuple[str, dict]] = []
    if "profit" in mapping:
        profit_source = "column"
    elif revenue_source and "cost" in mapping:
        profit_source = "revenue_minus_cost"
    elif revenue_source and margin is not None:
        profit_source = "estimated"
        notes.append(("schema.profit_estimated", {"margin": f"{margin:.1%}"}))
    return revenue_source, profit_source, notes


def _load_rows(eng: Engine, src: _Source, pl: Plan, mapping: dict[str, str], margin: float | None,
               timings: dict) -> NativePrepared:
    """Type the rows (``_np_stage``, views ``_np_rows`` and ``tx``), count them, list the rejected."""
    con = eng.con
    cols = src.columns
    revenue_source, profit_source, notes = _sources_of_value(mapping, margin)
    consts = _constants(margin)
    refuse = lambda fld, kind: _refuse(pl, f"a {kind} column is mapped to {fld}")  # noqa: E731

    guards = [f"(COUNT(*) FILTER (WHERE {cols[mapping[f]].ident} IS NULL) > 0 AND "
              f"MAX(abs(CAST({cols[mapping[f]].ident} AS HUGEINT))) >= 9007199254740992)"
              for f in _TEXT_FIELDS if f in mapping and cols[mapping[f]].kind == "int"]
    if guards:
        if con.execute(f"SELECT {' OR '.join(guards)} FROM {src.relation}").fetchall()[0][0]:
            raise _refuse(pl, "integer ids beyond 2**53 in a column with gaps")

    text_parsed = [f for f in mapping if (f == "order_date" or f in _NUMERIC_FIELDS)
                   and cols[mapping[f]].kind == "text"]
    bad_codes = [code for code, (reason, fld) in enumerate(REASONS, start=1)
                 if fld in text_parsed and reason.startswith("bad")]
    lookups: dict[str, str] = {}
    for attempt in (1, 2):
        t0, c0 = time.perf_counter(), _cpu()
        fields = _define_rows(con, src, mapping, lookups, revenue_source, profit_source, consts, refuse)
        timings[f"rows_{attempt}"] = time.perf_counter() - t0
        timings[f"rows_{attempt}_cpu"] = _cpu() - c0
        codes = {int(c): int(n) for c, n in con.execute(sql("native_codes")).fetchall()}
        # Pass 1 has no lookups: an odd cell of a text column (not a plain number or ISO date)
        # comes out as "bad". Only if some row was rejected so are the odd cells parsed by
        # tierlib.parsing and the rows typed again (the usual file needs one pass).
        if attempt == 2 or not any(codes.get(c, 0) for c in bad_codes):
            break
        t0 = time.perf_counter()
        for fld in text_parsed:
            table = _lookup_table(eng, src, fld, cols[mapping[fld]])
            if table:
                lookups[fld] = table
        timings["lookups"] = time.perf_counter() - t0
    src.cleanup += list(lookups.values())
    src.fields = fields

    used = codes.pop(0, 0)
    codes.pop(CODE_BLANK, None)
    t0 = time.perf_counter()
    duplicates = _count_duplicates(con.execute(sql("native_duplicates")).fetchnumpy()["raw_hash"])
    timings["duplicates"] = time.perf_counter() - t0
    rejected_n = sum(codes.values())
    rows_read = used + rejected_n
    by_reason: dict[str, int] = {}
    for code, n in codes.items():
        if n:
            by_reason[REASONS[code - 1][0]] = by_reason.get(REASONS[code - 1][0], 0) + n
    by_reason = dict(sorted(by_reason.items(), key=lambda kv: (-kv[1], kv[0])))
    if rows_read == 0:
        raise InputError("io.no_data_rows")
    if used == 0:
        raise InputError("schema.all_rejected", rows=rows_read, reason=next(iter(by_reason)))
    t0 = time.perf_counter()
    rej = con.execute(sql("native_rejected"), {"cap": REJECTED_CAP}).df()
    rejected = _rejected_frame(rej, mapping, pl)
    timings["rejected"] = time.perf_counter() - t0

    # level and negative_rows come from the customer table (load fills them in).
    return NativePrepared(
        clean=_empty_clean(), rejected=rejected, mapping=mapping, level="transactions",
        profit_source=profit_source, revenue_source=revenue_source, margin=margin, rows_read=rows_read,
        negative_rows=0, duplicate_rows=duplicates, notes=notes, n_used=used, n_rejected=rejected_n,
        rejected_by_reason=by_reason, rejected_truncated=rejected_n > len(rejected))


def _count_duplicates(hashes) -> int:
    """Rows minus distinct values of a hash column (a sort: numpy's vectorised sort of 10 million
    64-bit keys takes ~0.25 s, a DISTINCT count in DuckDB ~1 s on two cores)."""
    h = np.asarray(hashes.filled(0) if np.ma.isMaskedArray(hashes) else hashes)
    if len(h) < 2:
        return 0
    h = np.sort(h)
    return int(np.count_nonzero(h[1:] == h[:-1]))


def _define_rows(con, src: _Source, mapping: dict[str, str], lookups: dict[str, str],
                 revenue_source: str | None, profit_source: str | None, consts: dict,
                 refuse) -> dict[str, _Field]:
    """Type every row into the table ``_np_stage``; define the views ``_np_rows`` and ``tx``."""
    cols = src.columns
    alias = {name: f"_np_c{k}" for k, name in enumerate(cols)}
    fields: dict[str, _Field] = {}
    for fld in schema.FIELDS:
        if fld not in mapping:
            continue
        col = cols[mapping[fld]]
        c = alias[col.name]
        lk = f"lk_{fld}" if fld in lookups else None
        if fld in _TEXT_FIELDS:
            fields[fld] = _text_field(fld, c, col.kind, refuse)
        elif fld == "order_date":
            fields[fld] = _date_field(c, col.kind, lk, refuse)
        else:
            fields[fld] = _number_field(fld, c, col.kind, lk, refuse)

    raw_sql = ", ".join(f"{col.ident} AS {alias[name]}" for name, col in cols.items())
    ends = {name: expr for f in fields.values() for name, expr in f.ends.items()}
    ends_sql = ", ".join(f"{expr} AS {name}" for name, expr in ends.items())
    strips = [f"{expr} AS {name}" for f in fields.values() for name, expr in f.strips.items()]
    helpers = [f"{expr} AS {name}" for f in fields.values() for name, expr in f.helpers.items()]
    flags = [f"{f.missing} AS _np_m_{fld}" for fld, f in fields.items()]
    flags += [f"lk_{fld}.v AS _np_lk_{fld}" for fld in lookups]
    parsed = [f"{f.value} AS _np_v_{fld}" for fld, f in fields.items()]
    join_sql = " ".join(f"LEFT JOIN {table} AS lk_{fld} ON lk_{fld}.raw = helpers.{alias[mapping[fld]]}"
                        for fld, table in lookups.items())

    # Reason code: the first failing check in schema.prepare's order; blank rows are not data.
    blank = " AND ".join(_blank_part(alias[name], col.kind) for name, col in cols.items())
    whens = [f"WHEN _np_m_customer_id THEN CASE WHEN {blank} THEN {CODE_BLANK} ELSE 1 END"]
    for code, (reason, fld) in enumerate(REASONS, start=1):
        if code == 1 or fld not in fields:
            continue
        if reason.startswith("missing"):
            whens.append(f"WHEN _np_m_{fld} THEN {code}")
        elif fld != "order_id":
            whens.append(f"WHEN _np_v_{fld} IS NULL THEN {code}")
    code_sql = "CASE " + " ".join(whens) + " ELSE 0 END"
    rej_cases = [f"WHEN {code} THEN {_raw_cell_text(alias[mapping[fld]], cols[mapping[fld]].kind)}"
                 for code, (_r, fld) in enumerate(REASONS, start=1) if fld in mapping]
    rejected_value = "CASE _np_code " + " ".join(rej_cases) + " END"
    mapped_cols = list(dict.fromkeys(mapping.values()))
    raw_hash = "hash(" + ", ".join(_hash_part(alias[n], cols[n].kind, src.text_cells) for n in mapped_cols) + ")"

    outputs = []
    for fld in schema.FIELDS:
        v = f"_np_v_{fld}"
        if fld in fields:
            outputs.append(f"np_units({v}, $scale) AS {fld}" if fld in schema.MONEY_FIELDS else f"{v} AS {fld}")
    qxp = ("np_units((_np_v_quantity * CAST(np_units(_np_v_unit_price, $scale) AS DOUBLE)) "
           "/ CAST($scale AS DOUBLE), $scale)")
    if revenue_source == "quantity_x_price":
        outputs.append(f"{qxp} AS revenue")
    if profit_source == "estimated":
        rev = "np_units(_np_v_revenue, $scale)" if revenue_source == "column" else qxp
        outputs.append(f"np_units((CAST({rev} AS DOUBLE) * $margin) / CAST($scale AS DOUBLE), $scale) AS profit")

    q = _template("native_rows")
    for key, val in (("{line}", src.line), ("{file}", src.file), ("{raw}", raw_sql),
                     ("{relation}", src.relation), ("{ends}", ends_sql or "NULL AS _np_none0"), ("{strips}", ", ".join(strips) or "NULL AS _np_none1"),
                     ("{helpers}", ", ".join(helpers) or "NULL AS _np_none2"),
                     ("{flags}", ", ".join(flags)), ("{parsed}", ", ".join(parsed)),
                     ("{lookups}", join_sql), ("{code}", code_sql), ("{outputs}", ", ".join(outputs)),
                     ("{rejected_value}", rejected_value), ("{raw_hash}", raw_hash)):
        q = q.replace(key, val)
    q = _inline(q, consts)
    _LAST["rows_sql"] = q
    for view in ("tx", "_np_rows"):
        _drop(con, view)
    # DuckDB trusts Parquet min/max statistics, which leave NaN out: with statistics propagation
    # `CASE WHEN isnan(x)` is folded to false on such a column (DuckDB 2.0). Type the rows without it.
    # Rows carry their line, so the table need not keep the file's order (parallel insert).
    con.execute("SET disabled_optimizers = 'statistics_propagation'")
    con.execute("SET preserve_insertion_order = false")
    try:
        con.execute(f"CREATE OR REPLACE TABLE _np_stage AS {q}")
    finally:
        con.execute("RESET disabled_optimizers")
        con.execute("RESET preserve_insertion_order")

    # _np_rows: every canonical column (unmapped ones NULL, typed like the Python path's tx).
    stored = {o.rsplit(" AS ", 1)[-1] for o in outputs}
    out_cols = ["line", "file", "code"]
    for fld in schema.FIELDS:
        if fld in stored:
            out_cols.append(fld)
        elif fld == "profit" and profit_source == "revenue_minus_cost":
            out_cols.append("(revenue - cost) AS profit")
        elif fld in schema.MONEY_FIELDS:
            out_cols.append(f"CAST(NULL AS BIGINT) AS {fld}")
        elif fld in schema.NUMBER_FIELDS:
            out_cols.append(f"CAST(NULL AS DOUBLE) AS {fld}")
        elif fld == "order_date":
            out_cols.append("CAST(NULL AS TIMESTAMP) AS order_date")
        else:
            out_cols.append(f"NULL AS {fld}")
    out_cols += ["rejected_value", "raw_hash"]
    con.execute(f"CREATE VIEW _np_rows AS SELECT {', '.join(out_cols)} FROM _np_stage")
    tx_cols = ["line"] + list(schema.FIELDS)
    con.execute(f"CREATE VIEW tx AS SELECT {', '.join(tx_cols)} FROM _np_rows WHERE code = 0")
    return fields


def _drop(con, name: str) -> None:
    kind = con.execute("SELECT table_type FROM information_schema.tables WHERE table_schema = 'main' "
                       "AND table_name = $n", {"n": name}).fetchall()
    if kind:
        con.execute(f"DROP {'VIEW' if kind[0][0] == 'VIEW' else 'TABLE'} {name}")


_DIMS = ("customer_name",) + schema.DIMENSIONS


def _customers(con, fields: dict[str, _Field], timings: dict) -> pd.DataFrame:
    """The per-customer table of customers.sql (no filters) from ``tx``, faster.

    native_customers.sql aggregates once per customer; a dimension is counted
    (native_dimension.sql) only for the customers with more than one value of it.
    """
    dims = [d for d in _DIMS if d in fields]
    minmax = "".join(f",\n        MIN({d}) AS {d}_min, MAX({d}) AS {d}_max" for d in dims)
    con.execute(_template("native_customers").replace("DIM_MINMAX", minmax))
    n_cust = con.execute("SELECT COUNT(*) FROM _np_cust").fetchall()[0][0]
    cols, joins = {}, []
    for d in dims:
        mixed = con.execute(f"SELECT COUNT(*) FROM _np_cust WHERE {d}_min <> {d}_max").fetchall()[0][0]
        timings[f"mixed_{d}"] = int(mixed)
        if not mixed:
            cols[d] = f"c.{d}_min AS {d}"
            continue
        only = (f"AND customer_id IN (SELECT customer_id FROM _np_cust WHERE {d}_min <> {d}_max)"
                if mixed < 0.5 * n_cust else "")
        con.execute(_template("native_dimension").replace("ONLY_MIXED", only).replace("DIM", d))
        cols[d] = f"CASE WHEN c.{d}_min = c.{d}_max THEN c.{d}_min ELSE top_{d}.val END AS {d}"
        joins.append(f"LEFT JOIN _np_top_{d} AS top_{d} ON top_{d}.customer_id = c.customer_id")

    def col(d: str) -> str:
        return cols.get(d, f"CAST(NULL AS VARCHAR) AS {d}")

    q = (_template("native_customers_frame").replace("DIM_JOINS", "\n".join(joins))
         .replace("DIM_NAME", col("customer_name"))
         .replace("DIM_REST", ", ".join(col(d) for d in schema.DIMENSIONS)))
    out = con.execute(q).df()
    for d in dims:
        con.execute(f"DROP TABLE IF EXISTS _np_top_{d}")
    con.execute("DROP TABLE IF EXISTS _np_cust")
    for c in ("revenue", "cost", "profit"):
        out[c] = out[c].astype("Int64")
    return out


def _empty_clean() -> pd.DataFrame:
    out = pd.DataFrame({"line": pd.Series([], dtype="int64")})
    for fld in schema.FIELDS:
        if fld in schema.MONEY_FIELDS:
            out[fld] = pd.array([], dtype="Int64")
        elif fld in schema.NUMBER_FIELDS:
            out[fld] = pd.Series([], dtype="float64")
        elif fld == "order_date":
            out[fld] = pd.Series([], dtype="datetime64[ns]")
        else:
            out[fld] = pd.Series([], dtype="str")
    return out


def _rejected_frame(rej: pd.DataFrame, mapping: dict[str, str], pl: Plan) -> pd.DataFrame:
    """The rejected-rows report, built like ``schema.prepare`` builds it (same dtypes, also when
    it is empty)."""
    codes = rej["code"].to_numpy(dtype="int64")
    reasons = np.array([""] + [r for r, _ in REASONS], dtype=object)
    flds = np.array([""] + [f for _, f in REASONS], dtype=object)
    cols = np.array([""] + [mapping.get(f, "") for _, f in REASONS], dtype=object)
    out = pd.DataFrame({
        "line": rej["line"].to_numpy(dtype="int64"),
        "reason": reasons[codes].astype(str),
        "field": flds[codes].astype(str),
        "column": list(cols[codes]),
        "value": list(rej["value"].fillna("").to_numpy(dtype=object)),
    })
    if pl.folder is not None:
        names = np.array([p.name for p in pl.files], dtype=object)
        out.insert(0, "file", pd.Series(names[rej["file"].to_numpy(dtype="int64")], dtype="str"))
    return out
