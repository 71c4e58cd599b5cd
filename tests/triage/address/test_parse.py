"""The parser and the numerals: pure functions, no database."""

from __future__ import annotations

import pytest

from fengqiao.triage.address.numerals import arabic_numerals, chinese_to_int, digits_to_chinese, int_to_chinese
from fengqiao.triage.address.parse import normalize_text, parse_address


@pytest.mark.parametrize(
    ("text", "value"),
    [("三", 3), ("十", 10), ("十二", 12), ("二十", 20), ("八十八", 88), ("一百零五", 105), ("一零二", 102),
     ("三零二", 302), ("两", 2), ("〇", 0), ("十x", None), ("", None)],
)  # fmt: skip
def test_chinese_numerals_are_read_positionally_or_digit_by_digit(text: str, value: int | None) -> None:
    assert chinese_to_int(text) == value


@pytest.mark.parametrize("value", [0, 1, 9, 10, 11, 20, 88, 100, 105, 110, 999, 1000, 1502, 2010])
def test_numbers_written_in_chinese_read_back(value: int) -> None:
    assert chinese_to_int(int_to_chinese(value)) == value


def test_only_numerals_before_an_address_marker_become_digits() -> None:
    assert arabic_numerals("三星路十二号锦绣花园二期三幢二单元一零二室") == "三星路12号锦绣花园2期3幢2单元102室"
    assert digits_to_chinese("302") == "三零二"


def test_normalisation_folds_width_drops_spaces_punctuation_and_prefixes() -> None:
    assert normalize_text(" 浙江省 台州市温岭市，泽国镇 文昌路８８号。") == "泽国镇文昌路88号"
    assert normalize_text("台州温岭泽国镇文昌路88号") == "泽国镇文昌路88号"
    assert normalize_text("浙江温岭泽国镇") == "泽国镇"


def _parts(text: str) -> dict[str, object]:
    return {key: value for key, value in parse_address(text).as_dict().items() if value is not None}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("泽国镇文昌路88号", {"town": "泽国镇", "street": "文昌路", "number": 88}),
        (
            "浙江省台州市温岭市泽国镇文昌路88号锦绣花园3幢2单元302室",
            {"town": "泽国镇", "street": "文昌路", "number": 88, "estate": "锦绣花园", "building": 3, "unit": 2,
             "room": "302"},
        ),
        (
            "泽国 文昌路 八十八号 锦绣花园 三栋 二单元 三零二室",
            {"town": "泽国镇", "street": "文昌路", "number": 88, "estate": "锦绣花园", "building": 3, "unit": 2,
             "room": "302"},
        ),
        ("文昌路88号锦绣花园5号楼", {"street": "文昌路", "number": 88, "estate": "锦绣花园", "building": 5}),
        ("文昌路88号锦绣花园5座", {"street": "文昌路", "number": 88, "estate": "锦绣花园", "building": 5}),
        ("文昌路88号锦绣花园3号", {"street": "文昌路", "number": 88, "estate": "锦绣花园", "building": 3}),
        ("大溪镇塘下村12号201室", {"town": "大溪镇", "street": "塘下村", "number": 12, "room": "201"}),
        ("大溪镇塘下村三组12号", {"town": "大溪镇", "street": "塘下村", "group": 3, "number": 12}),
        ("大溪塘下村5队12号", {"town": "大溪镇", "street": "塘下村", "group": 5, "number": 12}),
        (
            "泽国镇文昌路88号锦绣花园3-2-302",
            {"town": "泽国镇", "street": "文昌路", "number": 88, "estate": "锦绣花园", "building": 3, "unit": 2,
             "room": "302"},
        ),
        ("大溪镇塘下村12号-201", {"town": "大溪镇", "street": "塘下村", "number": 12, "room": "201"}),
        ("大溪镇塘下村12号 201", {"town": "大溪镇", "street": "塘下村", "number": 12, "room": "201"}),
        ("锦绣花园二期3幢2单元302", {"street": "锦绣花园2期", "building": 3, "unit": 2, "room": "302"}),
        ("城东街道城东街12号", {"town": "城东街道", "street": "城东街", "number": 12}),
        ("城北街道横街西路110号", {"town": "城北街道", "street": "横街西路", "number": 110}),
        ("泽国大道88号", {"street": "泽国大道", "number": 88}),
        ("文昌路大发花园3幢", {"street": "文昌路", "estate": "大发花园", "building": 3}),
        ("新街村5号", {"street": "新街村", "number": 5}),
        ("太平路5号", {"street": "太平路", "number": 5}),
        ("大溪大岙村161号", {"town": "大溪镇", "street": "大岙村", "number": 161}),
        ("泽国镇塘下村村委会", {"town": "泽国镇", "street": "塘下村村", "estate": "委会", "landmark": "塘下村村委会"}),
    ],
)  # fmt: skip
def test_addresses_are_cut_into_parts(text: str, expected: dict[str, object]) -> None:
    assert _parts(text) == expected


@pytest.mark.parametrize(
    "text", ["", "   ", "！！！", "12345", "asdf", "\x00\ufffd", "号号号室室", "-" * 50, "一" * 400]
)
def test_garbage_never_raises(text: str) -> None:
    parts = parse_address(text)
    assert parts.number is None or isinstance(parts.number, int)
