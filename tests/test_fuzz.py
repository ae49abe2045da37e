"""Fuzzing the readers: random and mutated bytes for each format, within a fixed time budget.

Every outcome must be a ``ReadResult`` or an ``InputError`` - never another exception, never a
crash. Mutations start from the valid files of the corpus (tests/data/corpus) and are seeded:
a failure names the format and the seed, and ``mutate(fmt, seed)`` rebuilds the input.

The budget is ``TIERLIB_FUZZ_SECONDS`` (default 20 s in total), split over the formats and a
final round that also runs the whole pipeline (schema + DuckDB) on what could be read.
"""

from __future__ import annotations

import io
import json
import os
import random
import time
import zipfile
from pathlib import Path

import pytest

from tierlib import pipeline
from tierlib.engine import Engine
from tierlib.io import InputError, ReadResult, read_table

CORPUS = Path(__file__).resolve().parent / "data" / "corpus"
BUDGET = float(os.environ.get("TIERLIB_FUZZ_SECONDS", "20"))
FORMATS = ("csv", "xlsx", "xls", "parquet", "pipeline")
SHARE = BUDGET / len(FORMATS)

# Tokens that matter to the readers: quotes, line ends, delimiters, NUL, invalid UTF-8, BOMs,
# GBK bytes, XML that places cells far away or breaks the structure.
TOKENS = [b'"', b'""', b"\n", b"\r", b"\r\n", b",", b";", b"\t", b"|", b"\x00", b"\xff", b"\xfe",
          b"\xef\xbb\xbf", b"\xff\xfe", "客户".encode("gbk"), "金额".encode(), b"=1+1", b"-",
          b"1e309", b"NaN", b"9" * 30, b"2999-12-31", b"45292", b"\x1a", b"\x07"]
XML_TOKENS = [b'<c r="XFD1048576"><v>1</v></c>', b'<c r="A99999999"><v>1</v></c>',
              b'<row r="1048576">', b"<c/>" * 50, b"<c>", b'r="ZZZZ9"', b" r = 'AB12' ",
              b"<v>", b"</v>", b"<is><t>", b"&amp;", b"&#0;", b"<!--", b"]]>", b't="e"',
              b't="s"', b'<v>99999999</v>', b'<c r="A1" t="inlineStr"><is><t>x</t></is></c>',
              b' count="2000000000"', b' uniqueCount="4000000000"', b"<si><t>x</t></si>"]


def _seeds() -> dict[str, list[tuple[str, bytes]]]:
    manifest = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
    out: dict[str, list[tuple[str, bytes]]] = {"csv": [], "xlsx": [], "xls": [], "parquet": []}
    for m in manifest:
        if m["expect"]["exit"] != 0:
            continue
        name = m["file"]
        ext = name.rsplit(".", 1)[-1]
        fmt = {"csv": "csv", "tsv": "csv", "txt": "csv"}.get(ext, ext)
        if fmt in out and (CORPUS / name).stat().st_size < 200_000:
            out[fmt].append((name, (CORPUS / name).read_bytes()))
    return out


SEEDS = _seeds()


def _mutate_bytes(rng: random.Random, data: bytes, tokens: list[bytes]) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        op = rng.randrange(7)
        pos = rng.randrange(len(buf) + 1)
        if op == 0 and buf:  # flip bytes
            for _ in range(rng.randint(1, 8)):
                buf[rng.randrange(len(buf))] = rng.randrange(256)
        elif op == 1:  # insert a token
            buf[pos:pos] = rng.choice(tokens)
        elif op == 2:  # insert random bytes
            buf[pos:pos] = rng.randbytes(rng.randint(1, 64))
        elif op == 3 and buf:  # delete a range
            del buf[pos:pos + rng.randint(1, 256)]
        elif op == 4 and buf:  # duplicate a range
            end = min(len(buf), pos + rng.randint(1, 512))
            buf[pos:pos] = buf[pos:end] * rng.randint(1, 20)
        elif op == 5:  # truncate
            del buf[pos:]
        elif op == 6 and buf:  # swap two ranges
            a, b = sorted(rng.randrange(len(buf)) for _ in range(2))
            buf[a:b] = bytes(reversed(buf[a:b]))
    return bytes(buf)


def _mutate_zip(rng: random.Random, data: bytes) -> bytes:
    """Mutate the XML inside the workbook and zip it again (structure stays a valid zip)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    members = [(i, src.read(i.filename)) for i in src.infolist()]
    k = rng.randrange(len(members))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for i, (info, content) in enumerate(members):
            if i == k or rng.random() < 0.15:
                content = _mutate_bytes(rng, content, XML_TOKENS + TOKENS)
            if rng.random() < 0.03:
                continue  # drop a member
            zf.writestr(info.filename, content)
    return out.getvalue()


def mutate(fmt: str, seed: int) -> tuple[str, bytes]:
    """The input of fuzz case ``seed`` for ``fmt``: ``(file name, bytes)``."""
    rng = random.Random(f"{fmt}:{seed}")
    pool = SEEDS["csv" if fmt == "pipeline" else fmt]
    name, data = rng.choice(pool)
    if rng.random() < 0.05:  # pure noise, sometimes with the format's signature in front
        prefix = {"xlsx": b"PK\x03\x04", "xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
                  "parquet": b"PAR1"}.get(fmt, b"")
        return name, prefix + rng.randbytes(rng.randint(0, 4096))
    if fmt == "xlsx" and rng.random() < 0.8:
        return name, _mutate_zip(rng, data)
    return name, _mutate_bytes(rng, data, TOKENS)


def _run(fmt: str, seconds: float, tmp_path: Path) -> tuple[int, int, int]:
    """Fuzz ``fmt`` for ``seconds``; return (cases, read, refused)."""
    deadline = time.monotonic() + seconds
    engine = Engine() if fmt == "pipeline" else None
    cases = read = refused = 0
    last = tmp_path / f"last_{fmt}.bin"  # the input being read, kept if the process dies
    seed = 0
    try:
        while time.monotonic() < deadline or cases < 20:
            name, data = mutate(fmt, seed)
            last.write_bytes(data)
            try:
                if fmt == "pipeline":
                    loaded = pipeline.load(data, filename=name, engine=engine)
                    assert len(loaded.customers) >= 1
                    p = loaded.prepared
                    assert p.rows_read == p.rows_used + p.rows_rejected
                    result = loaded.read
                else:
                    result = read_table(data, filename=name)
                assert isinstance(result, ReadResult)
                assert len(result.frame) == len(result.line_numbers) >= 1
                read += 1
            except InputError as exc:
                assert exc.code and isinstance(exc.params, dict)
                refused += 1
            except Exception as exc:  # noqa: BLE001 - reported with the seed to reproduce it
                pytest.fail(f"{fmt} seed {seed} ({name}): {type(exc).__name__}: {exc}"[:2000])
            cases += 1
            seed += 1
    finally:
        if engine is not None:
            engine.close()
    return cases, read, refused


@pytest.mark.parametrize("fmt", FORMATS)
def test_fuzz_outcome_is_a_table_or_an_input_error(fmt, tmp_path):
    cases, read, refused = _run(fmt, SHARE, tmp_path)
    print(f"{fmt}: {cases} cases, {read} read, {refused} refused")
    assert cases >= 20
    # The mutations are mild enough that both outcomes occur.
    assert read > 0 and refused > 0


def test_mutations_are_reproducible():
    assert mutate("xlsx", 7) == mutate("xlsx", 7)
    assert mutate("csv", 3) != mutate("csv", 4)
