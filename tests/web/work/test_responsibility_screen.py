"""The responsibility list screen: everyone reads, the county centre adds, changes and removes rules, with Chinese
messages for every refusal."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fengqiao.triage.responsibility import service
from fengqiao.triage.responsibility.models import ResponsibilityRule
from tests.events.world import World
from tests.web.work.conftest import login_as


def _rules(db: Session) -> list[tuple[str, str, str, str | None]]:
    return [(r.category, r.scope_code, r.department_code, r.note) for r in service.list_rules(session=db)]


def _add(client: TestClient, **fields: str) -> tuple[int, str]:
    answer = client.post("/work/responsibility", data=fields, follow_redirects=False)
    return answer.status_code, answer.text


def test_the_centre_adds_lists_filters_edits_and_removes_a_rule(client: TestClient, world: World, db: Session) -> None:
    login_as(client, world, "county")
    page = client.get("/work/responsibility")
    assert page.status_code == 200
    assert 'data-testid="rule-add-form"' in page.text
    assert world.department.name in page.text  # offered as 责任部门
    assert world.town.name in page.text  # offered as 适用范围

    status, _ = _add(
        client, category="labour.wage_arrears", scope_code=world.town.code, department_code=world.department.code
    )
    assert status == 303
    status, _ = _add(client, category="environment", scope_code="331081", department_code=world.department.code)
    assert status == 303
    assert len(_rules(db)) == 2

    listed = client.get("/work/responsibility?done=added").text
    assert "已新增规则" in listed
    assert listed.count('data-testid="rule-row"') == 2
    assert "劳动" in listed  # the category's Chinese name, not only its code
    only_labour = client.get("/work/responsibility", params={"category": "labour.wage_arrears"}).text
    assert only_labour.count('data-testid="rule-row"') == 1
    by_scope = client.get("/work/responsibility", params={"q": world.town.name}).text
    assert by_scope.count('data-testid="rule-row"') == 1

    rule_id = db.scalar(select(ResponsibilityRule.id).where(ResponsibilityRule.category == "environment"))
    form = client.get(f"/work/responsibility/{rule_id}/edit")
    assert form.status_code == 200
    assert re.search(r'<option value="environment"\s+selected', form.text)
    saved = client.post(
        f"/work/responsibility/{rule_id}",
        data={
            "category": "environment",
            "scope_code": world.village.code,
            "department_code": world.department.code,
            "note": "村内环境问题由人社局牵头（测试）",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert ("environment", world.village.code, world.department.code, "村内环境问题由人社局牵头（测试）") in _rules(db)
    assert len(_rules(db)) == 2

    # Saved as a replacement (the service has no update): find the rule again rather than trust the old id.
    rule_id = db.scalar(select(ResponsibilityRule.id).where(ResponsibilityRule.category == "environment"))
    removed = client.post(f"/work/responsibility/{rule_id}/delete", follow_redirects=False)
    assert removed.status_code == 303
    assert [r[0] for r in _rules(db)] == ["labour.wage_arrears"]
    assert "已删除规则" in client.get("/work/responsibility?done=removed").text


def test_bad_input_is_refused_field_by_field_in_chinese(client: TestClient, world: World, db: Session) -> None:
    login_as(client, world, "county")
    status, text = _add(client, category="", scope_code="", department_code="")
    assert status == 422
    assert "请选择事项类别" in text
    assert "请选择适用范围" in text
    assert "请选择责任部门" in text
    assert "field-error" in text

    status, text = _add(
        client, category="no_such_thing", scope_code=world.town.code, department_code=world.department.code
    )
    assert status == 422
    assert "未知的事项类别" in text
    status, text = _add(
        client, category="labour", scope_code=world.department.code, department_code=world.department.code
    )
    assert status == 422
    assert "适用范围应为县、镇街或村社" in text
    status, text = _add(client, category="labour", scope_code=world.town.code, department_code=world.village.code)
    assert status == 422
    assert "不是职能部门" in text
    status, text = _add(client, category="labour", scope_code="999999999", department_code=world.department.code)
    assert status == 404
    assert "未找到单位" in text
    status, text = _add(
        client, category="labour", scope_code=world.town.code, department_code=world.department.code, note="换\n行"
    )
    assert status == 422
    assert "控制字符" in text
    assert _rules(db) == []

    assert _add(client, category="labour", scope_code=world.town.code, department_code=world.department.code)[0] == 303
    status, text = _add(client, category="labour", scope_code=world.town.code, department_code=world.department.code)
    assert status == 409
    assert "已有" in text
    assert 'value="labour"' in text  # the form keeps what was chosen


def test_a_refused_edit_keeps_the_old_rule(client: TestClient, world: World, db: Session) -> None:
    login_as(client, world, "county")
    _add(client, category="labour", scope_code=world.town.code, department_code=world.department.code)
    _add(client, category="environment", scope_code=world.town.code, department_code=world.department.code)
    rule_id = db.scalar(select(ResponsibilityRule.id).where(ResponsibilityRule.category == "environment"))
    clash = client.post(
        f"/work/responsibility/{rule_id}",
        data={"category": "labour", "scope_code": world.town.code, "department_code": world.department.code},
    )
    assert clash.status_code == 409
    assert "已有" in clash.text
    assert sorted(r[0] for r in _rules(db)) == ["environment", "labour"]
    assert client.get("/work/responsibility/999999/edit").status_code == 404


def test_only_the_centre_may_change_the_list(client: TestClient, world: World, db: Session) -> None:
    service.add_rule(session=db, category="labour", scope_code=world.town.code, department_code=world.department.code)
    rule_id = db.scalar(select(ResponsibilityRule.id))
    for name in ("town_dispatcher", "grid_worker", "department_handler"):
        login_as(client, world, name)
        page = client.get("/work/responsibility")
        assert page.status_code == 200, name  # readable by every account, as the API is
        assert 'data-testid="rule-row"' in page.text
        assert 'data-testid="rule-add-form"' not in page.text
        assert 'data-testid="rule-edit"' not in page.text
        refused = client.post(
            "/work/responsibility",
            data={"category": "environment", "scope_code": world.town.code, "department_code": world.department.code},
        )
        assert refused.status_code == 403
        assert "仅社会治理中心可以维护属地事项清单" in refused.text
        assert client.get(f"/work/responsibility/{rule_id}/edit").status_code == 403
        assert client.post(f"/work/responsibility/{rule_id}/delete").status_code == 403
    assert db.scalar(select(func.count(ResponsibilityRule.id))) == 1
