"""Risk rules (E2): the schema's errors (rule, field, line, in Chinese), evaluation on hand-built histories, the
default civil-to-criminal rule through the analysis job, versions, and the dry run."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from fengqiao.basedata.identifiers import make_resident_id
from fengqiao.core.clock import utcnow
from fengqiao.events import intake
from fengqiao.events.kinds import Channel, PartyRole
from fengqiao.events.models import Event
from fengqiao.warnings.jobs import analyse
from fengqiao.warnings.models import RiskRuleSet, RiskWarning
from fengqiao.warnings.rules import store
from fengqiao.warnings.rules.evaluate import NoKeys
from fengqiao.warnings.rules.schema import RuleSetInvalid, parse
from fengqiao.warnings.rules.service import apply_rules, dry_run
from tests.events.world import World, make_world

WANG = make_resident_id(region_code="331081", birth_date=date(1997, 3, 2), sequence=31, female=False)
NOW = utcnow()
THREAT = "丈夫酒后扬言要砍死妻子，家中吵闹不断，请求处理。"
CALM = "夫妻因家务琐事发生口角，请求调解。"


@pytest.fixture
def world(db: Session) -> World:
    return make_world(db)


def _event(
    world: World,
    *,
    content: str,
    days_ago: float = 0,
    channel: Channel = Channel.FRONT_DESK,
    category: str | None = "marriage_family",
    party: bool = True,
    involved: int | None = None,
    amount: int | None = None,
    run: bool = True,
) -> Event:
    new = intake.NewEvent(
        channel=channel,
        title=content[:14],
        content=content,
        unit_code=world.grid.code,
        involved_count=involved,
        amount=amount,
        parties=[intake.NewParty(role=PartyRole.RESPONDENT, name="王建军", id_number=WANG)] if party else [],
    )
    event = intake.register(session=world.session, new=new, registering_unit=world.town).event
    event.registered_at = NOW - timedelta(days=days_ago)
    event.category = category
    world.session.flush()
    if run:
        analyse(session=world.session, event_ids=[event.id])
    return event


# --- schema -------------------------------------------------------------------------------------------------------


def test_default_rule_set_is_valid_and_has_civil_to_criminal() -> None:
    spec = parse(store.default_text())
    codes = {r.code for r in spec.rules}
    assert "civil_to_criminal_family" in codes
    family = next(r for r in spec.rules if r.code == "civil_to_criminal_family")
    assert family.then.risk == "high"
    assert family.when.prior_events is not None
    assert family.when.prior_events.channel == ["police_110"]


BAD = """\
rules:
  - code: ok_rule
    name: 正常规则
    when: {category: [labour]}
    then: {risk: medium}
  - code: broken
    name: 坏规则
    when:
      category: [labor]
      cues_any: [shouting]
      prior_events: {days: 0}
      colour: red
    then:
      risk: urgent
"""


def test_schema_errors_name_the_rule_the_field_and_the_line_in_chinese() -> None:
    with pytest.raises(RuleSetInvalid) as caught:
        parse(BAD)
    problems = {p.field: p for p in caught.value.problems}
    assert caught.value.code == "invalid_rule_set"
    category = problems["when.category"]
    assert category.rule == "broken（第2条）"
    assert category.line == 9
    assert "未知的事项类别：labor" in category.message
    assert category.field_label == "事项类别"
    assert "未知的风险线索：shouting" in problems["when.cues_any"].message
    assert problems["when.prior_events.days"].message == "应不小于1"
    assert problems["when.prior_events.days"].line == 11
    assert problems["when.prior_events.at_least"].message == "缺少必填项"
    assert problems["when.colour"].message.startswith("不认识的字段")
    assert problems["when.colour"].line == 12
    assert problems["then.risk"].message == "应为以下之一：'low'、'medium'、'high'"
    assert problems["then.risk"].line == 14
    assert all(p.rule == "broken（第2条）" for p in problems.values())
    assert "第9行 · 规则 broken（第2条） · 事项类别（when.category）" in category.as_text()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("rules: [\n  {code: a", "YAML 格式错误"),
        ("- just a list", "规则集应以 rules: 开头"),
        ("rules: []", "至少需要一项"),
        ("rules:\n  - {code: Bad-Code, name: x, when: {category: [labour]}, then: {risk: low}}", "只能用小写字母"),
        ("rules:\n  - {code: any_event, name: x, when: {}, then: {risk: low}}", "when 至少要有一个条件"),
        ("rules:\n  - {code: no_effect, name: x, when: {category: [labour]}, then: {}}", "then 至少要给出"),
        (
            "rules:\n  - {code: twice, name: x, when: {category: [labour]}, then: {risk: low}}\n"
            "  - {code: twice, name: y, when: {category: [labour]}, then: {risk: low}}",
            "规则编码重复：twice",
        ),
    ],
)
def test_schema_refuses_malformed_rule_sets(text: str, expected: str) -> None:
    with pytest.raises(RuleSetInvalid) as caught:
        parse(text)
    assert expected in caught.value.message


# --- evaluation ---------------------------------------------------------------------------------------------------


def test_family_threat_after_a_police_call_becomes_high_with_a_warning(world: World) -> None:
    _event(world, content="夫妻吵架，邻居报警。", channel=Channel.POLICE_110, days_ago=20)
    event = _event(world, content=THREAT)
    assert event.risk_level == "high"
    assert event.triage is not None
    assert "civil_to_criminal_family" in event.triage["risk_rules"]["rules"]
    assert "民转刑" in event.triage["risk_rules"]["tags"]
    warning = world.session.scalars(select(RiskWarning).where(RiskWarning.kind == "civil_to_criminal_family")).one()
    assert warning.event_id == event.id
    assert warning.level == "high"
    assert warning.unit_id == event.owner_unit_id
    assert warning.status == "issued"
    assert "扬言威胁" in warning.reason
    assert "110纠纷类警情" in warning.reason
    assert len(warning.evidence["event_ids"]) == 2  # this event and the prior police call
    assert (warning.ack_deadline - warning.created_at) <= timedelta(hours=1, seconds=5)


def test_no_escalation_without_the_prior_police_call_or_the_threat(world: World) -> None:
    _event(world, content="夫妻吵架，来窗口咨询。", days_ago=20)  # a prior event, but not a police call
    threat = _event(world, content=THREAT)
    _event(world, content="夫妻吵架，邻居报警。", channel=Channel.POLICE_110, days_ago=200)  # outside 180 days
    calm = _event(world, content=CALM)
    kinds = set(world.session.scalars(select(RiskWarning.kind)))
    assert "civil_to_criminal_family" not in kinds
    assert "risk_rules" not in (threat.triage or {})
    assert calm.risk_level == "low"


def test_rules_raise_risk_but_never_lower_it(world: World) -> None:
    event = _event(world, content="欠薪纠纷，老板拖欠货款。", category="debt_contract", amount=2_000_000, run=False)
    event.risk_level = "high"
    world.session.flush()
    result = apply_rules(session=world.session, event_ids=[event.id], keys=NoKeys())
    assert [h.rule.code for h in result.hits] == ["large_amount"]  # would set medium
    assert event.risk_level == "high"
    assert result.raised_event_ids == []


def test_the_same_rule_warns_once_per_event(world: World) -> None:
    event = _event(world, content="二十名工人讨要工资", category="labour", involved=20)
    apply_rules(session=world.session, event_ids=[event.id], keys=NoKeys())
    assert world.session.scalars(select(RiskWarning.kind).where(RiskWarning.event_id == event.id)).all() == [
        "collective_wage_arrears"
    ]


class Keys:
    def __init__(self, identities: set[int], buildings: set[int]) -> None:
        self.identities, self.buildings = identities, buildings

    def identity_ids(self, session: Session, county_code: str) -> set[int]:
        return self.identities

    def building_ids(self, session: Session, county_code: str) -> set[int]:
        return self.buildings


def test_key_person_condition_reads_the_key_registers_through_the_lookup(world: World) -> None:
    from fengqiao.linking.models import PartyLink

    event = _event(world, content=CALM)
    identity = world.session.scalars(select(PartyLink.identity_id).where(PartyLink.event_id == event.id)).one()
    assert apply_rules(session=world.session, event_ids=[event.id], keys=NoKeys()).hits == []
    hits = apply_rules(session=world.session, event_ids=[event.id], keys=Keys({identity}, set())).hits
    assert [h.rule.code for h in hits] == ["key_person_involved"]
    assert event.risk_level == "medium"


# --- versions -----------------------------------------------------------------------------------------------------


def test_default_is_version_one_and_new_versions_activate_and_roll_back(world: World) -> None:
    county = world.tree.county.county_code
    assert store.active(session=world.session, county_code=county).rule_set_id is None  # read: nothing written
    first = store.active(session=world.session, county_code=county, create=True)
    assert first.version == 1
    text = "rules:\n  - {code: only_labour, name: 劳动, when: {category: [labour]}, then: {risk: medium}}\n"
    second = store.save(session=world.session, county_code=county, text=text, staff_id=None, note="试行")
    assert second.version == 2
    assert store.active(session=world.session, county_code=county).version == 1  # saved, not yet active
    store.make_active(session=world.session, county_code=county, rule_set_id=second.id, staff_id=None)
    active = store.active(session=world.session, county_code=county)
    assert (active.version, [r.code for r in active.spec.rules]) == (2, ["only_labour"])
    store.make_active(session=world.session, county_code=county, rule_set_id=first.rule_set_id or 0, staff_id=None)
    assert store.active(session=world.session, county_code=county).version == 1
    flags = dict(world.session.execute(select(RiskRuleSet.version, RiskRuleSet.is_active)).all())
    assert flags == {1: True, 2: False}


def test_an_invalid_version_is_not_saved(world: World) -> None:
    county = world.tree.county.county_code
    with pytest.raises(RuleSetInvalid):
        store.save(session=world.session, county_code=county, text=BAD, staff_id=None)
    assert world.session.scalars(select(RiskRuleSet.version)).all() == []


# --- dry run ------------------------------------------------------------------------------------------------------


def test_dry_run_counts_hits_per_rule_in_the_window_without_writing(world: World) -> None:
    _event(world, content="夫妻吵架，邻居报警。", channel=Channel.POLICE_110, days_ago=40, run=False)
    for days in (1, 3, 5):
        _event(world, content=THREAT, days_ago=days, run=False)
    _event(world, content=THREAT, days_ago=45, run=False)  # outside the 30-day window
    _event(world, content=CALM, days_ago=2, run=False)
    from fengqiao.linking import service as linking

    linking.link_events(session=world.session, event_ids=list(world.session.scalars(select(Event.id))))
    before = world.session.scalars(select(Event.risk_level).order_by(Event.id)).all()
    county = world.tree.county.county_code
    report = dry_run(session=world.session, county_code=county, text=store.default_text(), days=30, keys=NoKeys())
    counts = {r.code: r.count for r in report.rules}
    assert report.events == 4  # the four events of the last 30 days
    # Each threat has the police call 40 days back (within 180 days) as prior; the calm one has no cue.
    assert counts["civil_to_criminal_family"] == 3
    assert counts["self_harm"] == 0
    family = next(r for r in report.rules if r.code == "civil_to_criminal_family")
    assert len(family.examples) == 3
    assert "扬言威胁" in family.examples[0].reason
    assert report.warnings >= 3
    assert world.session.scalars(select(Event.risk_level).order_by(Event.id)).all() == before
    assert world.session.scalars(select(RiskWarning.id)).all() == []
    assert world.session.scalars(select(RiskRuleSet.id)).all() == []


def test_dry_run_of_an_invalid_candidate_reports_the_errors(world: World) -> None:
    with pytest.raises(RuleSetInvalid):
        dry_run(session=world.session, county_code=world.tree.county.county_code, text=BAD)


def test_default_file_is_shipped_next_to_the_code() -> None:
    assert Path(store.DEFAULT_FILE).name == "default.yaml"
    assert store.DEFAULT_FILE.exists()


def test_a_closed_event_analysed_late_gets_no_warning(world: World) -> None:
    event = _event(world, content="二十名工人讨要工资", category="labour", involved=20, run=False)
    event.status = "closed"
    world.session.flush()
    result = apply_rules(session=world.session, event_ids=[event.id], keys=NoKeys())
    assert [h.rule.code for h in result.hits] == ["collective_wage_arrears"]
    assert event.risk_level == "high"  # the risk is still recorded
    assert result.warnings == []


def test_dry_run_queries_do_not_grow_with_the_number_of_events(world: World) -> None:
    from sqlalchemy import event as sa_event

    county = world.tree.county.county_code

    def queries_for(days: int) -> int:
        statements: list[str] = []

        def count(conn: object, cursor: object, statement: str, *args: object) -> None:
            statements.append(statement)

        connection = world.session.connection()
        sa_event.listen(connection, "before_cursor_execute", count)
        try:
            dry_run(session=world.session, county_code=county, text=store.default_text(), days=days, keys=NoKeys())
        finally:
            sa_event.remove(connection, "before_cursor_execute", count)
        return len(statements)

    for i in range(3):
        _event(world, content=THREAT, days_ago=40 + i, run=False)
    for i in range(30):
        _event(world, content=THREAT if i % 2 else CALM, days_ago=1 + i / 10, run=False)
    from fengqiao.linking import service as linking

    linking.link_events(session=world.session, event_ids=list(world.session.scalars(select(Event.id))))
    few = queries_for(45)  # 33 events
    assert few <= 6  # events, links, history, patterns; one batch
    assert queries_for(2) == few  # a third of the events: the same handful of queries
