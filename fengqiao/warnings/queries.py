"""Reading patterns as a viewer may: a pattern is visible when one of its member events is, and only the visible
members are listed (the others are counted, not shown)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.orm import Session

from fengqiao.accounts.scope import Viewer
from fengqiao.core.errors import NotFound
from fengqiao.events.models import Event
from fengqiao.events.queries import visible
from fengqiao.warnings.models import Pattern, PatternMember


def visible_pattern(viewer: Viewer) -> ColumnElement[bool]:
    if viewer.is_county_wide:
        return Pattern.county_code == viewer.county_code
    return exists().where(PatternMember.pattern_id == Pattern.id, PatternMember.event_id == Event.id, visible(viewer))


def list_patterns(
    *,
    session: Session,
    viewer: Viewer,
    kind: str | None = None,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Pattern], int]:
    conditions = [visible_pattern(viewer), Pattern.status != "merged"]
    if kind:
        conditions.append(Pattern.kind == kind)
    if status:
        conditions.append(Pattern.status == status)
    total = session.scalar(select(func.count()).select_from(Pattern).where(*conditions)) or 0
    rows = session.scalars(
        select(Pattern)
        .where(*conditions)
        .order_by(Pattern.last_at.desc(), Pattern.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), total


@dataclass(frozen=True)
class PatternView:
    pattern: Pattern
    events: list[Event]  # the members this viewer may see, newest first
    hidden: int  # members outside the viewer's sight


def get_pattern(*, session: Session, viewer: Viewer, pattern_id: int) -> PatternView:
    pattern = session.scalars(select(Pattern).where(Pattern.id == pattern_id, visible_pattern(viewer))).one_or_none()
    if pattern is None:
        raise NotFound(f"未找到研判线索{pattern_id}", code="pattern_not_found")
    events = session.scalars(
        select(Event)
        .join(PatternMember, PatternMember.event_id == Event.id)
        .where(PatternMember.pattern_id == pattern.id, visible(viewer))
        .order_by(Event.registered_at.desc(), Event.id.desc())
    ).all()
    return PatternView(pattern=pattern, events=list(events), hidden=pattern.member_count - len(events))


def sensitive_members(*, session: Session, pattern_ids: list[int]) -> set[int]:
    """Patterns with a sensitive member: their person subject is shown masked."""
    if not pattern_ids:
        return set()
    return set(
        session.scalars(
            select(PatternMember.pattern_id)
            .join(Event, Event.id == PatternMember.event_id)
            .where(PatternMember.pattern_id.in_(pattern_ids), Event.is_sensitive.is_(True))
            .distinct()
        )
    )
