"""The Data page warns, in the current language, when undecodable bytes of an uploaded text file
were replaced by U+FFFD, with the lines they are on."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")


def orders_csv(n: int = 30) -> list[bytes]:
    """Lines of a UTF-8 CSV: a Chinese header (line 1) and customers 客户01..客户NN (lines 2..n+1)."""
    lines = ["客户名称,销售额,利润".encode()]
    lines += [f"客户{i:02d},{1000 * i},{100 * i}".encode() for i in range(1, n + 1)]
    return lines


def broken_csv() -> bytes:
    """Line 12 (客户11) gets one stray byte 0xFF inside the name, line 25 (客户24) two bytes 0xFE
    in place of 客: 0xFF and 0xFE never occur in UTF-8, each becomes one U+FFFD -> 1 + 2 = 3
    replaced characters on lines 12 and 25. The rest is valid UTF-8 with 9 + 59 = 68 Chinese
    characters (header 客户名称 销售额 利润; 30 names of 2 minus the lost 客), more than the 5 valid
    characters per broken one that io asks for (3 x 5 = 15)."""
    lines = orders_csv()
    lines[11] = "客".encode() + b"\xff" + "户11,11000,1100".encode()
    lines[24] = b"\xfe\xfe" + "户24,24000,2400".encode()
    return b"\n".join(lines) + b"\n"


def upload(lang: str, name: str, data: bytes) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["lang"] = lang
    at.run()
    at.switch_page("pages/data.py").run()
    at.radio(key="w_data_source_" + at.session_state["lang"]).set_value("upload").run()
    at.file_uploader(key="uploader").upload(name, data, "text/csv").run()
    assert not at.exception
    return at


@pytest.mark.parametrize("lang,expected", [
    ("zh", "3 个无法识别的字符已替换为 �（第 12、25 行）。文件里可能混有其他编码的文字，请检查这些单元格。"),
    ("en", ("3 undecodable characters were replaced with � (lines 12, 25). "
            "The file may contain text in another encoding; check those cells.")),
])
def test_broken_bytes_are_reported_with_their_lines(lang, expected):
    at = upload(lang, "broken.csv", broken_csv())
    # The file loaded: all 30 rows are used (a replaced character is still a customer name).
    assert at.session_state["workspace"].loaded.prepared.rows_used == 30
    assert at.session_state["workspace"].loaded.read.replaced_chars == 3
    assert [w.value for w in at.warning] == [expected]


def test_one_broken_byte_in_many_lines_lists_the_first_ten():
    # 0xFF inside the names of customers 01..12 (lines 2..13): 12 characters on 12 lines (9 + 60 =
    # 69 valid Chinese characters >= 12 x 5 = 60); the warning lists the first 10 lines and the count.
    lines = orders_csv()
    for i in range(1, 13):
        lines[i] = "客".encode() + b"\xff" + f"户{i:02d},{1000 * i},{100 * i}".encode()
    at = upload("en", "many.csv", b"\n".join(lines) + b"\n")
    assert [w.value for w in at.warning] == [
        ("12 undecodable characters were replaced with � (lines 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 and more: "
         "12 lines in all). The file may contain text in another encoding; check those cells.")]


def test_a_clean_file_has_no_warning():
    at = upload("zh", "clean.csv", b"\n".join(orders_csv()) + b"\n")
    assert at.session_state["workspace"].loaded.read.replaced_chars == 0
    assert [w.value for w in at.warning] == []
