"""Are two parties the same person (or organisation)? Explicit rules, each answer with its reasons in Chinese so that
staff can see why two records were joined — and split them when the rules were wrong.

Evidence, strongest first:
- resident ID numbers: equal → same; both valid and different → different people, whatever else agrees (a family
  shares a phone; two people share a name) — except a typing slip: one digit apart, or two neighbours swapped, with
  the same name, is the same person when one number fails its check digit; a slip whose check digit was recomputed
  to fit needs the phones to agree too.
- phone + name: the same phone and compatible names (equal, or a nickname with the same surname) → same person; the
  same phone with different full names → a household or colleagues sharing a phone, not one person.
- the same name alone is never enough.
- organisations: equal credit codes → same; both valid and different → different; otherwise the name's core
  (without place words and legal form) equal, or nearly equal, in the same county.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import lru_cache
from typing import NamedTuple

from rapidfuzz.distance import Levenshtein
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError

from fengqiao.linking.names import names_compatible, organisation_core, read_person_name

# Below this similarity of name cores two organisations are not joined (rapidfuzz normalised similarity, 0–1).
ORGANISATION_NAME_SIMILARITY = 0.9


class Verdict(StrEnum):
    SAME = "same"  # join
    DIFFERENT = "different"  # never join, even if weaker evidence agrees
    UNKNOWN = "unknown"  # nothing decides: keep apart


class PartyFacts(NamedTuple):
    """What an event says about a party, as typed (a named tuple: a million are made and compared per run)."""

    name: str
    id_number: str | None = None
    phone: str | None = None
    credit_code: str | None = None


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    reasons: tuple[str, ...] = field(default_factory=tuple)
    # The link is only as sure as its weakest step: 1.0 for equal valid IDs, lower for typo and nickname rules.
    confidence: float = 0.0

    @property
    def same(self) -> bool:
        return self.verdict is Verdict.SAME


def compact_id_number(value: str | None) -> str | None:
    if not value:
        return None
    if value.isascii() and value.isalnum():
        return value.upper()
    text = unicodedata.normalize("NFKC", value).replace(" ", "").upper()
    return text or None


def compact_phone(value: str | None) -> str | None:
    """Digits only, without the country code: +86 139 0576 1234 and 13905761234 are one phone."""
    if not value:
        return None
    if value.isascii() and value.isdigit():
        digits = value
        return digits[2:] if digits.startswith("86") and len(digits) == 13 else digits
    digits = "".join(ch for ch in unicodedata.normalize("NFKC", value) if ch.isdigit())
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits or None


@lru_cache(maxsize=65_536)
def id_number_valid(value: str) -> bool:
    """``stdnum.cn.ric.is_valid``, at a fraction of the cost: the check digit and birth date computed here, and its
    place-of-birth lookup (a walk through a table of every county code, half a millisecond) made once per region
    code and birth year, not once per number."""
    number = value.upper() if value.isascii() and value.isalnum() else ric.compact(value)
    if len(number) != 18 or not all("0" <= ch <= "9" for ch in number[:17]):
        return False
    checksum = (1 - 2 * int(number[:17], 13)) % 11
    if number[17] != ("X" if checksum == 10 else str(checksum)):
        return False
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return _birth_place_known(number[:6], born.year)


@lru_cache(maxsize=16_384)
def _birth_place_known(region: str, year: int) -> bool:
    try:
        ric.get_birth_place(f"{region}{year:04d}01010000")
    except ValidationError:
        return False
    return True


def id_typo(a: str, b: str) -> str | None:
    """Why ``a`` and ``b`` look like one ID number typed twice (one digit off, or two neighbours swapped), or None."""
    if len(a) != 18 or len(b) != 18 or a == b:
        return None
    checksum = "" if id_number_valid(a) and id_number_valid(b) else "，且其中一个校验位不符"
    differing = [i for i in range(18) if a[i] != b[i]]
    if len(differing) == 1:
        return f"身份证号仅第{differing[0] + 1}位不同{checksum}（疑似录入错误）"
    if len(differing) == 2:
        i, j = differing
        if j == i + 1 and a[i] == b[j] and a[j] == b[i]:
            return f"身份证号第{i + 1}、{j + 1}位前后颠倒{checksum}（疑似录入错误）"
        if j == 17 and not checksum:
            # One digit wrong and the check digit recomputed to fit (systems that "repair" numbers do this).
            return f"身份证号仅第{i + 1}位不同、校验位随之不同（疑似录入错误）"
    return None


def compare_persons(a: PartyFacts, b: PartyFacts) -> Decision:
    name_a, name_b = read_person_name(a.name), read_person_name(b.name)
    names_agree = names_compatible(name_a, name_b)
    same_text = name_a.text == name_b.text
    id_a, id_b = compact_id_number(a.id_number), compact_id_number(b.id_number)

    if id_a and id_b:
        if id_a == id_b:
            reasons = ["身份证号一致"]
            if not names_agree:
                reasons.append(f"姓名不同（{name_a.text}／{name_b.text}），以身份证号为准")
            return Decision(Verdict.SAME, tuple(reasons), 1.0)
        typo = id_typo(id_a, id_b)
        both_valid = id_number_valid(id_a) and id_number_valid(id_b)
        if typo and same_text:
            if not both_valid:
                return Decision(Verdict.SAME, (typo, "姓名一致"), 0.9)
            # A slip that still passes the check digit needs one more agreeing fact.
            if compact_phone(a.phone) and compact_phone(a.phone) == compact_phone(b.phone):
                return Decision(Verdict.SAME, (typo, "姓名一致", "手机号一致"), 0.8)
        if both_valid:
            return Decision(Verdict.DIFFERENT, ("身份证号均有效且不同，不是同一人",), 1.0)

    phone_a, phone_b = compact_phone(a.phone), compact_phone(b.phone)
    if phone_a and phone_b and phone_a == phone_b:
        if same_text and not name_a.is_nickname:
            return Decision(Verdict.SAME, ("手机号一致", "姓名一致"), 0.85)
        if names_agree:
            nickname = name_a.text if name_a.is_nickname else name_b.text
            full = name_b.text if name_a.is_nickname else name_a.text
            return Decision(Verdict.SAME, ("手机号一致", f"称呼“{nickname}”与“{full}”同姓"), 0.7)
        return Decision(
            Verdict.UNKNOWN, (f"手机号一致但姓名不同（{name_a.text}／{name_b.text}），可能是家人共用",), 0.0
        )

    if same_text:
        return Decision(Verdict.UNKNOWN, ("仅姓名相同，可能是同名的不同人",), 0.0)
    return Decision(Verdict.UNKNOWN, (), 0.0)


def compare_organisations(a: PartyFacts, b: PartyFacts) -> Decision:
    code_a = compact_id_number(a.credit_code)
    code_b = compact_id_number(b.credit_code)
    if code_a and code_b:
        if code_a == code_b:
            return Decision(Verdict.SAME, ("统一社会信用代码一致",), 1.0)
        if uscc.is_valid(code_a) and uscc.is_valid(code_b):
            return Decision(Verdict.DIFFERENT, ("统一社会信用代码均有效且不同",), 1.0)
    core_a, core_b = organisation_core(a.name), organisation_core(b.name)
    if not core_a or not core_b:
        return Decision(Verdict.UNKNOWN, (), 0.0)
    if core_a == core_b:
        return Decision(Verdict.SAME, (f"名称去除地名与组织形式后一致（{core_a}）",), 0.8)
    similarity = Levenshtein.normalized_similarity(core_a, core_b)
    if similarity >= ORGANISATION_NAME_SIMILARITY:
        return Decision(
            Verdict.SAME, (f"名称高度相似（{core_a}／{core_b}，相似度{similarity:.0%}）",), round(0.6 * similarity, 2)
        )
    return Decision(Verdict.UNKNOWN, (), 0.0)
