"""The pure matcher: parties by identity or number, building, alias in the text; one hit per entry."""

from __future__ import annotations

from fengqiao.registers.kinds import EntryKind, LinkReason, raised
from fengqiao.registers.matching import Entry, EventFacts, PartyFact, match_event

PROJECT = Entry(
    kind=EntryKind.PROJECT,
    id=1,
    name="碧桂园玖都荟",
    level="high",
    identity_ids=frozenset({7}),
    numbers=frozenset({"91331081MA000001XX"}),
    building_ids=frozenset({40}),
    aliases=("玖都荟",),
)


def _event(*, parties: tuple[PartyFact, ...] = (), building_id: int | None = None, text: str = "") -> EventFacts:
    return EventFacts(event_id=9, building_id=building_id, text=text, parties=parties)


def test_a_respondent_identity_hits_by_party() -> None:
    [hit] = match_event(_event(parties=(PartyFact(role="respondent", identity_id=7, number=None),)), [PROJECT])
    assert hit.reason is LinkReason.PARTY
    assert "被申请人" in hit.detail


def test_a_number_hits_when_the_identity_is_unknown() -> None:
    event = _event(parties=(PartyFact(role="respondent", identity_id=None, number="91331081MA000001XX"),))
    assert [h.reason for h in match_event(event, [PROJECT])] == [LinkReason.PARTY]


def test_building_and_alias_hit_once_by_the_stronger_reason() -> None:
    [hit] = match_event(_event(building_id=40, text="玖都荟工地欠薪"), [PROJECT])
    assert hit.reason is LinkReason.BUILDING
    [hit] = match_event(_event(text="玖都荟工地农民工讨薪"), [PROJECT])
    assert hit.reason is LinkReason.ALIAS


def test_nothing_in_common_is_no_hit() -> None:
    assert match_event(_event(building_id=41, text="楼上漏水"), [PROJECT]) == []


def test_raised_never_lowers() -> None:
    assert raised("low", "high") == "high"
    assert raised("high", "low") == "high"
    assert raised("medium", "medium") == "medium"
