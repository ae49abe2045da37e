"""Every key exists in both languages, placeholders match, and the UI never mixes languages."""

import re
import subprocess
import sys
from pathlib import Path

from tierlib import i18n

ROOT = Path(__file__).resolve().parents[1]
HAN = re.compile(r"[\u4e00-\u9fff]")


def test_same_keys_in_both_languages():
    zh, en = i18n.catalog("zh"), i18n.catalog("en")
    assert sorted(set(zh) ^ set(en)) == []


def test_placeholders_match():
    zh, en = i18n.catalog("zh"), i18n.catalog("en")
    ph = re.compile(r"\{(\w+)")
    bad = [k for k in zh if set(ph.findall(zh[k])) != set(ph.findall(en[k]))]
    assert bad == []


def test_english_strings_have_no_chinese_except_the_language_names():
    en = i18n.catalog("en")
    assert [k for k, v in en.items() if HAN.search(v)] == []


def test_every_key_used_in_code_exists():
    pattern = re.compile(r"""\b(?:T|t)\(\s*["']([a-z_]+\.[a-z0-9_.]+)["']""")
    keys = set()
    for path in list((ROOT / "pages").glob("*.py")) + list((ROOT / "ui").glob("*.py")) + \
            list((ROOT / "tierlib").glob("*.py")) + [ROOT / "app.py"]:
        keys |= set(pattern.findall(path.read_text(encoding="utf-8")))
    missing = sorted(k for k in keys if not i18n.has(k, "zh") or not i18n.has(k, "en"))
    assert missing == []


def test_every_error_code_raised_has_a_message():
    pattern = re.compile(r"""InputError\(\s*["']([a-z_]+\.[a-z0-9_]+)["']""")
    codes = set()
    for path in (ROOT / "tierlib").glob("*.py"):
        codes |= set(pattern.findall(path.read_text(encoding="utf-8")))
    codes |= {"tiers.no_profit", "tiers.no_revenue", "tiers.no_orders"}  # built as f"tiers.no_{value}"
    assert codes, "no error codes found"
    missing = sorted(c for c in codes if not i18n.has("err." + c, "zh") or not i18n.has("err." + c, "en"))
    assert missing == []


def test_normalize_lang():
    assert i18n.normalize_lang("en-US") == "en"
    assert i18n.normalize_lang("zh_CN") == "zh"
    assert i18n.normalize_lang("fr-FR") == "zh"
    assert i18n.normalize_lang(None) == "zh"


def test_tierlib_does_not_import_streamlit():
    code = "import sys, tierlib, tierlib.cli, tierlib.pipeline, tierlib.tiers, tierlib.export; " \
           "print('streamlit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_english_reader_details_stay_out_of_chinese_messages():
    # Readers and libraries explain failures in English. The Chinese message replaces such a
    # detail (so one language is shown), a known kind of detail (.xlsb) is translated, and the
    # English message keeps the detail as it is.
    import io
    import zipfile

    from tierlib.io import InputError, read_table

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("xl/workbook.bin", b"\x00")  # a binary workbook (.xlsb) named .xlsx
    try:
        read_table(buf.getvalue(), filename="book.xlsx")
        raise AssertionError("an .xlsb workbook was read")
    except InputError as exc:
        err = exc
    assert err.code == "io.bad_excel"
    assert "save the file as .xlsx" in i18n.error_message(err.code, err.params, "en")
    zh = i18n.error_message(err.code, err.params, "zh")
    assert "另存为 .xlsx" in zh and "save" not in zh

    raw = {"detail": "Cell string index not found in shared strings table"}
    assert i18n.error_message("io.bad_excel", raw, "en").endswith(raw["detail"])
    zh = i18n.error_message("io.bad_excel", raw, "zh")
    assert re.findall(r"[A-Za-z]{2,}", zh) == ["Excel", "English"], zh
