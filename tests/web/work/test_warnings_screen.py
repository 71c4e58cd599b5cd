"""The warnings screens: the unit's inbox shows 待签收预警 and acknowledges from there; the list and detail are scoped;
the rule editor (administrators only) shows errors by line and field, runs a dry run and saves versions."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from fengqiao.duty.models import DutyAssignment
from fengqiao.duty.roles import DutyRole
from fengqiao.warnings import issued
from fengqiao.warnings.models import RiskRuleSet, RiskWarning
from fengqiao.warnings.rules import store
from fengqiao.warnings.rules.schema import Conditions, Outcome, PriorEvents, RuleSpec, WarningSpec
from tests import factories
from tests.events.world import World
from tests.web.work.conftest import login_as, register


@pytest.fixture
def warning(world: World) -> RiskWarning:
    event = register(world)
    made = issued.issue(
        session=world.session,
        county_code=world.village.county_code,
        source="rule",
        kind="civil_to_criminal_family",
        level="high",
        title="民转刑风险预警",
        reason="家庭纠纷扬言威胁且曾报警（民转刑）：风险线索：扬言威胁",
        evidence={"event_ids": [event.id]},
        unit=world.village,
        dedupe_key="screen:1",
        event_id=event.id,
    )
    assert made is not None
    world.session.flush()
    return made


@pytest.fixture
def admin(world: World, db: Session) -> str:
    staff = factories.StaffFactory(username="admin", full_name="管理员")
    db.add(
        DutyAssignment(
            county_code=staff.county_code, staff_id=staff.id, unit_id=world.tree.county.id, role=DutyRole.ADMIN
        )
    )
    world.staff["admin"] = staff
    db.flush()
    return "admin"


def test_inbox_shows_the_warning_and_acknowledges_it(client: TestClient, world: World, warning: RiskWarning) -> None:
    login_as(client, world, "village_head")
    inbox = client.get("/work").text
    assert 'data-testid="inbox-warnings"' in inbox
    assert "待签收预警" in inbox
    assert "民转刑风险预警" in inbox
    assert 'data-testid="nav-warnings"' in inbox
    assert 'data-testid="nav-rules"' not in inbox
    answer = client.post(
        f"/work/warnings/{warning.id}/acknowledge",
        data={"version": str(warning.version), "back": "/work"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/work"
    assert 'data-testid="inbox-warnings"' not in client.get("/work").text
    assert warning.status == "acknowledged"


def test_other_units_see_no_acknowledge_button_and_are_refused(
    client: TestClient, world: World, warning: RiskWarning
) -> None:
    login_as(client, world, "town_dispatcher")
    assert 'data-testid="inbox-warnings"' not in client.get("/work").text  # not the town's to acknowledge
    listing = client.get("/work/warnings").text
    assert 'data-testid="warning-row"' in listing
    assert 'data-testid="warning-ack"' not in listing
    refused = client.post(f"/work/warnings/{warning.id}/acknowledge", data={"version": str(warning.version)})
    assert refused.status_code == 422
    assert "只有预警的责任单位人员可以签收" in refused.text
    login_as(client, world, "other_town_dispatcher")
    assert client.get(f"/work/warnings/{warning.id}").status_code == 404
    assert 'data-testid="warning-row"' not in client.get("/work/warnings?view=all").text


def test_detail_shows_evidence_history_and_closing(client: TestClient, world: World, warning: RiskWarning) -> None:
    login_as(client, world, "village_head")
    page = client.get(f"/work/warnings/{warning.id}").text
    assert page.count('data-testid="warning-event"') == 1
    assert 'data-testid="warning-ack-form"' in page
    client.post(f"/work/warnings/{warning.id}/acknowledge", data={"version": str(warning.version), "note": "已核实"})
    page = client.get(f"/work/warnings/{warning.id}").text
    assert "已签收" in page
    assert 'data-testid="warning-close-form"' in page
    client.post(f"/work/warnings/{warning.id}/close", data={"version": str(warning.version), "note": "已化解"})
    page = client.get(f"/work/warnings/{warning.id}").text
    assert "已办结" in page
    assert "已化解" in page


def test_rule_editor_is_for_administrators(client: TestClient, world: World) -> None:
    login_as(client, world, "county")
    assert client.get("/work/rules").status_code == 403


BAD = "rules:\n  - code: x1\n    name: 坏规则\n    when:\n      category: [labor]\n    then: {risk: urgent}\n"


def test_rule_editor_shows_errors_by_line_and_field(client: TestClient, world: World, admin: str) -> None:
    login_as(client, world, admin)
    page = client.get("/work/rules").text
    assert 'data-testid="nav-rules"' in page
    assert "civil_to_criminal_family" in page  # the built-in rules are loaded for editing
    assert 'data-testid="rules-help"' in page
    answer = client.post("/work/rules", data={"text": BAD, "action": "save"})
    assert answer.status_code == 422
    problems = re.findall(r'data-testid="rules-problem" data-line="(\d*)" data-field="([^"]*)"', answer.text)
    assert problems == [("5", "when.category"), ("6", "then.risk")]
    assert "未知的事项类别：labor" in answer.text
    assert "事项类别" in answer.text
    assert answer.text.count('data-testid="rules-bad-line"') == 2
    assert world.session.scalars(select(RiskRuleSet.id)).all() == []


def test_rule_editor_dry_run_save_and_roll_back(client: TestClient, world: World, admin: str) -> None:
    login_as(client, world, admin)
    text = store.default_text()
    checked = client.post("/work/rules", data={"text": text, "action": "validate"})
    assert checked.status_code == 200
    assert "校验通过" in checked.text
    dry = client.post("/work/rules", data={"text": text, "action": "dry_run", "days": "30"})
    assert dry.status_code == 200
    assert 'data-testid="rules-report"' in dry.text
    assert dry.text.count('data-testid="rules-report-row"') == len(store.parse(text).rules)
    changed = text.replace("ack_hours: 1}", "ack_hours: 2}", 1)
    saved = client.post(
        "/work/rules",
        data={"text": changed, "action": "save", "note": "放宽签收时限", "activate": "true"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == "/work/rules?saved=2"
    page = client.get("/work/rules?saved=2").text
    assert "已保存为第 2 版" in page
    assert 'data-testid="rules-active-version">2<' in page
    first = world.session.scalars(select(RiskRuleSet).where(RiskRuleSet.version == 1)).one()
    back = client.post(f"/work/rules/{first.id}/activate", follow_redirects=False)
    assert back.status_code == 303
    assert 'data-testid="rules-active-version">1<' in client.get("/work/rules").text


def test_the_format_help_and_the_admin_doc_name_every_field_of_the_schema(
    client: TestClient, world: World, admin: str
) -> None:
    login_as(client, world, admin)
    page = client.get("/work/rules").text
    doc = (Path(__file__).resolve().parents[3] / "docs" / "rules.md").read_text(encoding="utf-8")
    conditions = set(Conditions.model_fields)
    for name in conditions | set(PriorEvents.model_fields):
        assert f"<code>{name}</code>" in page, name
    for name in conditions | set(PriorEvents.model_fields) | set(Outcome.model_fields) | set(WarningSpec.model_fields):
        assert f"`{name}`" in doc, name
    for name in set(RuleSpec.model_fields):
        assert f"`{name}`" in doc, name
