"""The identity rules, case by case: ID typos, same name different person, a family's shared phone, nicknames,
organisation name variants."""

from __future__ import annotations

from datetime import date

import pytest

from fengqiao.basedata.identifiers import (
    make_credit_code,
    make_resident_id,
    resident_id_check_digit,
    wenling_region_code,
)
from fengqiao.linking.identity import (
    PartyFacts,
    Verdict,
    compact_phone,
    compare_organisations,
    compare_persons,
    id_number_valid,
    id_typo,
)
from fengqiao.linking.names import organisation_core, read_person_name

BORN = date(1975, 3, 8)
WANG = make_resident_id(region_code=wenling_region_code(BORN.year), birth_date=BORN, sequence=12, female=False)
OTHER_WANG = make_resident_id(region_code="331081", birth_date=date(1998, 11, 2), sequence=40, female=False)


def _one_digit_off(number: str, position: int) -> str:
    digit = str((int(number[position]) + 1) % 10)
    return number[:position] + digit + number[position + 1 :]


def test_equal_id_numbers_decide_even_when_the_names_differ() -> None:
    decision = compare_persons(PartyFacts("王建国", id_number=WANG), PartyFacts("王建囯", id_number=WANG.lower()))
    assert decision.verdict is Verdict.SAME
    assert decision.confidence == 1.0
    assert "身份证号一致" in decision.reasons


def test_the_fixture_numbers_are_valid() -> None:
    assert id_number_valid(WANG)
    assert id_number_valid(OTHER_WANG)


def test_a_one_digit_typo_in_the_id_number_joins_when_the_name_agrees() -> None:
    typo = _one_digit_off(WANG, 10)
    decision = compare_persons(PartyFacts("王建国", id_number=WANG), PartyFacts("王建国", id_number=typo))
    assert decision.same
    assert "第11位" in decision.reasons[0]


def test_swapped_neighbouring_digits_are_a_typo() -> None:
    swapped = WANG[:6] + WANG[7] + WANG[6] + WANG[8:]
    assert swapped != WANG
    assert id_typo(WANG, swapped) is not None
    assert compare_persons(PartyFacts("王建国", id_number=WANG), PartyFacts("王建国", id_number=swapped)).same


def test_an_id_typo_with_another_name_is_not_joined() -> None:
    typo = _one_digit_off(WANG, 10)
    decision = compare_persons(PartyFacts("王建国", id_number=WANG), PartyFacts("李秀英", id_number=typo))
    assert decision.verdict is Verdict.UNKNOWN


def test_same_name_and_phone_with_two_valid_id_numbers_are_two_people() -> None:
    # Father and son of one name on the family phone.
    decision = compare_persons(
        PartyFacts("王建国", id_number=WANG, phone="13905761234"),
        PartyFacts("王建国", id_number=OTHER_WANG, phone="13905761234"),
    )
    assert decision.verdict is Verdict.DIFFERENT


def test_same_name_alone_is_never_enough() -> None:
    decision = compare_persons(PartyFacts("陈海燕", phone="13905761234"), PartyFacts("陈海燕", phone="13857612345"))
    assert decision.verdict is Verdict.UNKNOWN
    assert "同名" in decision.reasons[0]


def test_a_shared_family_phone_does_not_join_different_names() -> None:
    decision = compare_persons(PartyFacts("林国强", phone="13905761234"), PartyFacts("林小红", phone="139 0576 1234"))
    assert decision.verdict is Verdict.UNKNOWN
    assert "家人共用" in decision.reasons[0]


def test_same_phone_and_name_join_without_id_numbers() -> None:
    decision = compare_persons(
        PartyFacts("林国强", phone="+86 13905761234"), PartyFacts("林 国强", phone="13905761234")
    )
    assert decision.same
    assert decision.reasons == ("手机号一致", "姓名一致")


@pytest.mark.parametrize("nickname", ["老林", "小林", "阿林", "林师傅", "林某", "林老板"])
def test_a_nickname_with_the_same_surname_and_phone_joins(nickname: str) -> None:
    decision = compare_persons(PartyFacts(nickname, phone="13905761234"), PartyFacts("林国强", phone="13905761234"))
    assert decision.same
    assert decision.confidence < 0.85
    assert "同姓" in decision.reasons[1]


def test_a_nickname_of_another_surname_does_not_join() -> None:
    decision = compare_persons(PartyFacts("老王", phone="13905761234"), PartyFacts("林国强", phone="13905761234"))
    assert decision.verdict is Verdict.UNKNOWN


def test_two_nicknames_on_one_phone_alone_stay_weak() -> None:
    decision = compare_persons(PartyFacts("老王", phone="13905761234"), PartyFacts("老王", phone="13905761234"))
    assert decision.same
    assert decision.confidence == 0.7


@pytest.mark.parametrize(
    ("raw", "surname", "nickname"),
    [("欧阳明", "欧阳", False), ("老欧阳", "欧阳", True), ("小明", "小", False), ("王  建国", "王", False)],
)
def test_names_are_read_with_compound_surnames(raw: str, surname: str, nickname: bool) -> None:
    name = read_person_name(raw)
    assert (name.surname, name.is_nickname) == (surname, nickname)


def test_phone_compaction() -> None:
    assert compact_phone("+86 139-0576-1234") == "13905761234"
    assert compact_phone("0576-86123456") == "057686123456"
    assert compact_phone("") is None


CODE_A = make_credit_code(region_code="331081", org_body="MA2K3L4P")
CODE_B = make_credit_code(region_code="331081", org_body="MA2K3L4Q")


@pytest.mark.parametrize(
    "variant", ["温岭市鑫达机械有限公司", "鑫达机械（温岭）有限公司", "浙江鑫达机械股份有限公司", "鑫达机械公司"]
)
def test_organisation_name_variants_share_a_core(variant: str) -> None:
    assert organisation_core(variant) == "鑫达机械"
    decision = compare_organisations(PartyFacts("温岭市鑫达机械有限公司"), PartyFacts(variant))
    assert decision.same


def test_credit_codes_decide_for_organisations() -> None:
    assert compare_organisations(PartyFacts("鑫达", credit_code=CODE_A), PartyFacts("别名", credit_code=CODE_A)).same
    different = compare_organisations(
        PartyFacts("温岭市鑫达机械有限公司", credit_code=CODE_A), PartyFacts("鑫达机械公司", credit_code=CODE_B)
    )
    assert different.verdict is Verdict.DIFFERENT


def test_different_organisations_stay_apart() -> None:
    decision = compare_organisations(PartyFacts("温岭市鑫达机械有限公司"), PartyFacts("温岭市宏达鞋业有限公司"))
    assert decision.verdict is Verdict.UNKNOWN


def _repaired_typo(number: str) -> str:
    """One digit wrong and the check digit recomputed to fit: a number that passes validation."""
    first17 = number[:15] + str((int(number[15]) + 3) % 10) + number[16:17]
    return first17 + resident_id_check_digit(first17)


def test_a_valid_looking_typo_needs_the_phone_to_agree_too() -> None:
    typo = _repaired_typo(WANG)
    assert id_number_valid(typo)
    with_phone = compare_persons(
        PartyFacts("王建国", id_number=WANG, phone="13905761234"),
        PartyFacts("王建国", id_number=typo, phone="13905761234"),
    )
    assert with_phone.same
    assert "手机号一致" in with_phone.reasons
    without_phone = compare_persons(PartyFacts("王建国", id_number=WANG), PartyFacts("王建国", id_number=typo))
    assert without_phone.verdict is Verdict.DIFFERENT
