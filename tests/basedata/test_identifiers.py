from __future__ import annotations

from datetime import date

import pytest

from fengqiao.basedata.identifiers import (
    make_credit_code,
    make_resident_id,
    resident_id_check_digit,
    validate_credit_code,
    validate_phone,
    validate_resident_id,
    wenling_region_code,
)
from fengqiao.core.errors import InvalidInput


@pytest.mark.parametrize(
    "number",
    [
        "11010519491231002X",  # the worked example of GB 11643
    ],
)
def test_known_valid_resident_ids(number: str) -> None:
    assert validate_resident_id(number) == number


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("110105194912310021", "校验位不符"),
        ("11010519491231002", "应为18位"),
        ("1101051949123100AX", "前17位应为数字"),
        ("11010519491331002" + resident_id_check_digit("11010519491331002"), "出生日期或地区代码不正确"),
    ],
)
def test_invalid_resident_ids_say_why_in_chinese(number: str, reason: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_resident_id(number)
    assert caught.value.code == "invalid_resident_id"
    assert reason in caught.value.message


def test_made_resident_ids_validate_and_carry_gender() -> None:
    for year in (1950, 1985, 2001):
        born = date(year, 2, 28)
        female = make_resident_id(region_code=wenling_region_code(year), birth_date=born, sequence=7, female=True)
        male = make_resident_id(region_code=wenling_region_code(year), birth_date=born, sequence=7, female=False)
        assert validate_resident_id(female) == female
        assert validate_resident_id(male) == male
        assert int(female[16]) % 2 == 0
        assert int(male[16]) % 2 == 1


def test_wenling_region_code_follows_its_history() -> None:
    assert wenling_region_code(2000) == "331081"
    assert wenling_region_code(1990) == "332623"
    assert wenling_region_code(1970) == "332723"


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91110108551385082Q"])
def test_known_valid_credit_codes(code: str) -> None:
    assert validate_credit_code(code) == code


def test_made_credit_codes_validate_and_a_changed_character_fails() -> None:
    code = make_credit_code(region_code="331081", org_body="MA2HQ7K1")
    assert validate_credit_code(code) == code
    broken = code[:-1] + ("0" if code[-1] != "0" else "1")
    with pytest.raises(InvalidInput) as caught:
        validate_credit_code(broken)
    assert caught.value.code == "invalid_credit_code"


def test_credit_code_inner_organisation_check_is_enforced() -> None:
    code = make_credit_code(region_code="331081", org_body="MA2HQ7K1")
    wrong_inner = code[:16] + ("0" if code[16] != "0" else "1")
    from fengqiao.basedata.identifiers import credit_code_check_char

    resealed = wrong_inner + credit_code_check_char(wrong_inner)
    with pytest.raises(InvalidInput, match="组织机构代码"):
        validate_credit_code(resealed)


@pytest.mark.parametrize("phone", ["13905761234", "0576-86123456", "057686123456"])
def test_valid_phones(phone: str) -> None:
    assert validate_phone(phone)


@pytest.mark.parametrize("phone", ["1390576123", "23905761234", "电话"])
def test_invalid_phones(phone: str) -> None:
    with pytest.raises(InvalidInput):
        validate_phone(phone)
