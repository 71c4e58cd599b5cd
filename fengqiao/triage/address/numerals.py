"""Chinese numerals in addresses: 十二号 → 12号, 一零二室 → 102室, and back again for noisy test variants."""

from __future__ import annotations

import re

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_NUMERAL_CHARS = "".join(_DIGITS) + "".join(_UNITS)
# Only numerals right before an address marker are numbers; elsewhere they are parts of names (三星路, 九龙湖).
_MARKERS = "号楼|号|幢|栋|座|单元|室|房|组|队|期|楼|层"
_IN_ADDRESS = re.compile(f"[{_NUMERAL_CHARS}]+(?=(?:{_MARKERS}))")
_CHINESE_DIGITS = "零一二三四五六七八九"


def chinese_to_int(text: str) -> int | None:
    """三 → 3, 十二 → 12, 二十 → 20, 一百零五 → 105, 一零二 → 102 (read digit by digit); None if not a numeral."""
    if not text or any(char not in _DIGITS and char not in _UNITS for char in text):
        return None
    if not any(char in _UNITS for char in text):
        # Room numbers are read digit by digit: 一零二 = 102.
        return int("".join(str(_DIGITS[char]) for char in text))
    total = 0
    pending = 0
    for char in text:
        if char in _DIGITS:
            pending = _DIGITS[char]
        else:
            # A bare 十 at the start means 一十 (十二 = 12).
            total += (pending or 1) * _UNITS[char]
            pending = 0
    return total + pending


def arabic_numerals(text: str) -> str:
    """Every Chinese numeral standing before an address marker written in Arabic digits."""

    def replace(found: re.Match[str]) -> str:
        value = chinese_to_int(found.group(0))
        return found.group(0) if value is None else str(value)

    return _IN_ADDRESS.sub(replace, text)


def int_to_chinese(value: int) -> str:
    """12 → 十二, 88 → 八十八, 105 → 一百零五 (as a house or building number is said)."""
    if value < 0 or value >= 10_000:
        return str(value)
    if value < 10:
        return _CHINESE_DIGITS[value]
    parts: list[str] = []
    zero = False
    for unit_value, unit in ((1000, "千"), (100, "百"), (10, "十")):
        digit, value = divmod(value, unit_value)
        if digit:
            if zero:
                parts.append("零")
                zero = False
            parts.append(("" if unit == "十" and not parts and digit == 1 else _CHINESE_DIGITS[digit]) + unit)
        elif parts:
            zero = True
    if value:
        if zero:
            parts.append("零")
        parts.append(_CHINESE_DIGITS[value])
    return "".join(parts)


def digits_to_chinese(text: str) -> str:
    """302 → 三零二: how room numbers are written out digit by digit."""
    return "".join(_CHINESE_DIGITS[int(char)] if char.isdigit() else char for char in text)
