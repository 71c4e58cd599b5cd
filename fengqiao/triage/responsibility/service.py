"""Reading and editing responsibility lists; finding the owner of a matter at a place."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from fengqiao.core.errors import Conflict, InvalidInput, NotFound
from fengqiao.jurisdiction.kinds import TERRITORIAL_LEVELS, UnitKind
from fengqiao.jurisdiction.models import Unit
from fengqiao.triage.responsibility.models import ResponsibilityRule

_TERRITORIAL = frozenset(kind.value for kind in TERRITORIAL_LEVELS)


@dataclass(frozen=True)
class RuleView:
    id: int
    category: str
    scope_code: str
    scope_name: str
    department_code: str
    department_name: str
    note: str | None


def _view(rule: ResponsibilityRule, scope: Unit, department: Unit) -> RuleView:
    return RuleView(rule.id, rule.category, scope.code, scope.name, department.code, department.name, rule.note)


def list_rules(*, session: Session, category: str | None = None) -> list[RuleView]:
    query = (
        select(ResponsibilityRule, Unit)
        .join(Unit, Unit.id == ResponsibilityRule.department_unit_id)
        .order_by(ResponsibilityRule.category, ResponsibilityRule.id)
    )
    if category:
        query = query.where(ResponsibilityRule.category == category)
    views = []
    for rule, department in session.execute(query):
        scope = session.get(Unit, rule.scope_unit_id)
        assert scope is not None
        views.append(_view(rule, scope, department))
    return views


def _unit(session: Session, code: str) -> Unit:
    unit = session.scalars(select(Unit).where(Unit.code == code)).one_or_none()
    if unit is None:
        raise NotFound(f"未找到单位“{code}”", code="unit_not_found")
    return unit


def add_rule(
    *,
    session: Session,
    category: str,
    scope_code: str,
    department_code: str,
    note: str | None = None,
    staff_id: int | None = None,
    known_categories: frozenset[str] | None = None,
) -> RuleView:
    if known_categories is not None and category not in known_categories:
        raise InvalidInput(f"未知的事项类别“{category}”", code="unknown_category")
    scope = _unit(session, scope_code)
    department = _unit(session, department_code)
    if scope.kind not in _TERRITORIAL:
        raise InvalidInput("适用范围应为县、镇街或村社", code="invalid_scope")
    if department.kind != UnitKind.DEPARTMENT.value:
        raise InvalidInput(f"“{department.name}”不是职能部门", code="not_a_department")
    rule = ResponsibilityRule(
        county_code=scope.county_code,
        category=category,
        scope_unit_id=scope.id,
        department_unit_id=department.id,
        note=note,
        created_by_id=staff_id,
    )
    savepoint = session.begin_nested()
    try:
        session.add(rule)
        session.flush()
    except IntegrityError as exc:
        savepoint.rollback()
        raise Conflict(f"“{scope.name}”已有“{category}”的属地事项规则", code="rule_exists") from exc
    savepoint.commit()
    return _view(rule, scope, department)


def remove_rule(*, session: Session, rule_id: int) -> None:
    rule = session.get(ResponsibilityRule, rule_id)
    if rule is None:
        raise NotFound(f"未找到属地事项规则{rule_id}", code="rule_not_found")
    session.delete(rule)
    session.flush()


@dataclass(frozen=True)
class ScopedRule:
    category: str
    scope_path: str
    department_id: int


def rules_for(*, session: Session, categories: set[str]) -> list[ScopedRule]:
    """The rules about any of ``categories``, with their scope's path: one query for a whole batch."""
    if not categories:
        return []
    return [
        ScopedRule(rule.category, scope_path, rule.department_unit_id)
        for rule, scope_path in session.execute(
            select(ResponsibilityRule, Unit.path)
            .join(Unit, Unit.id == ResponsibilityRule.scope_unit_id)
            .where(ResponsibilityRule.category.in_(categories))
        )
    ]


def owner_among(
    rules: list[ScopedRule], *, category: str | None, subcategory: str | None, location_path: str
) -> int | None:
    """The owning department's id: the rule of the narrowest scope containing the place wins, and at equal scope a
    subcategory rule beats a category rule."""
    best: tuple[int, int] | None = None
    owner: int | None = None
    for rule in rules:
        if rule.category not in (category, subcategory) or not location_path.startswith(rule.scope_path):
            continue
        rank = (len(rule.scope_path), 1 if rule.category == subcategory else 0)
        if best is None or rank > best:
            best, owner = rank, rule.department_id
    return owner


def owner_for(*, session: Session, category: str | None, subcategory: str | None, location_path: str) -> Unit | None:
    wanted = {c for c in (subcategory, category) if c}
    owner = owner_among(
        rules_for(session=session, categories=wanted),
        category=category,
        subcategory=subcategory,
        location_path=location_path,
    )
    return session.get(Unit, owner) if owner is not None else None
