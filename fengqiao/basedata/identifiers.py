"""Check-digit identifiers: resident ID numbers (GB 11643) and unified social credit codes (GB 32100).

Validation defers to python-stdnum; what is ours is the Chinese error message and the generator's helpers.
"""

from __future__ import annotations

import re
from datetime import date

from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError

from fengqiao.core.errors import InvalidInput

# GB 11714 organisation code: 8 body characters and a check character, inside the credit code at positions 9–17.
_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_CODE_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def validate_resident_id(number: str) -> str:
    """Return the compact, upper-case ID number, or raise ``InvalidInput`` saying what is wrong."""
    try:
        return str(ric.validate(number)).upper()
    except ValidationError as exc:
        raise InvalidInput(f"身份证号码“{number}”无效：{_ric_reason(exc)}", code="invalid_resident_id") from exc


def _ric_reason(exc: ValidationError) -> str:
    match exc:
        case ric.InvalidLength():
            return "应为18位"
        case ric.InvalidFormat():
            return "前17位应为数字"
        case ric.InvalidChecksum():
            return "校验位不符"
        case _:
            return "出生日期或地区代码不正确"


def resident_id_check_digit(first17: str) -> str:
    """The 18th character of an ID number whose first 17 characters are given."""
    return str(ric.calc_check_digit(first17 + "0"))


def org_code_check_char(body8: str) -> str:
    total = sum(_ORG_CODE_ALPHABET.index(ch) * w for ch, w in zip(body8, _ORG_CODE_WEIGHTS, strict=True))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def credit_code_check_char(first17: str) -> str:
    return str(uscc.calc_check_digit(first17 + "0"))


def validate_credit_code(code: str) -> str:
    """Return the compact credit code, or raise ``InvalidInput``; checks both check characters."""
    try:
        compact = str(uscc.validate(code))
    except ValidationError as exc:
        reason = "校验位不符" if isinstance(exc, uscc.InvalidChecksum) else "应为18位数字或大写字母"
        raise InvalidInput(f"统一社会信用代码“{code}”无效：{reason}", code="invalid_credit_code") from exc
    if org_code_check_char(compact[8:16]) != compact[16]:
        raise InvalidInput(f"统一社会信用代码“{code}”无效：组织机构代码校验位不符", code="invalid_credit_code")
    return compact


def validate_phone(phone: str) -> str:
    compact = phone.replace(" ", "")
    if _MOBILE.match(compact) or _LANDLINE.match(compact):
        return compact
    raise InvalidInput(f"电话号码“{phone}”格式不正确", code="invalid_phone")


# Wenling's own region code changed with its status: 温岭县 until 1994 (code reused from 云和 1982–1994), then 温岭市.
WENLING_REGION_CODES_BY_YEAR: tuple[tuple[int, str], ...] = (
    (1994, "331081"),
    (1982, "332623"),
    (0, "332723"),
)


def wenling_region_code(birth_year: int) -> str:
    """The region code a Wenling-born person's ID number carries (the code valid in their birth year)."""
    return next(code for start, code in WENLING_REGION_CODES_BY_YEAR if birth_year >= start)


def make_resident_id(*, region_code: str, birth_date: date, sequence: int, female: bool) -> str:
    """Build a valid ID number; the 17th digit is odd for men and even for women (GB 11643)."""
    if not 0 <= sequence < 500:
        raise ValueError("sequence must be in 0..499")
    order = sequence * 2 + (0 if female else 1)
    first17 = f"{region_code}{birth_date:%Y%m%d}{order:03d}"
    return first17 + resident_id_check_digit(first17)


def make_credit_code(*, region_code: str, org_body: str, registration: str = "9", org_type: str = "1") -> str:
    """Build a valid credit code: registration authority (9 = 工商), organisation type, region, org code, check."""
    if len(org_body) != 8:
        raise ValueError("org_body must have 8 characters")
    first17 = f"{registration}{org_type}{region_code}{org_body}{org_code_check_char(org_body)}"
    return first17 + credit_code_check_char(first17)
