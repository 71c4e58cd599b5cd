"""Patterns as a viewer sees them: labels in Chinese, a person's name masked when a member event is sensitive."""

from __future__ import annotations

from sqlalchemy.orm import Session

from fengqiao.accounts.masking import mask_name
from fengqiao.accounts.scope import Viewer
from fengqiao.events import present
from fengqiao.events.schemas import Labelled
from fengqiao.warnings import queries as pattern_queries
from fengqiao.warnings.models import Pattern
from fengqiao.warnings.patterns import PATTERN_KIND_LABELS, PATTERN_STATUS_LABELS, PatternKind, PatternStatus
from fengqiao.warnings.schemas import PatternDetailOut, PatternOut


def pattern_out(pattern: Pattern, *, mask_subject: bool = False) -> PatternOut:
    subject = pattern.subject
    if mask_subject and pattern.subject_kind == "person":
        subject = mask_name(subject) or ""
    return PatternOut(
        id=pattern.id,
        kind=Labelled(value=pattern.kind, label=PATTERN_KIND_LABELS[PatternKind(pattern.kind)]),
        subject=subject,
        subject_kind=pattern.subject_kind,
        status=Labelled(value=pattern.status, label=PATTERN_STATUS_LABELS[PatternStatus(pattern.status)]),
        member_count=pattern.member_count,
        first_at=pattern.first_at,
        last_at=pattern.last_at,
        reason=pattern.reason if not mask_subject else pattern.reason.replace(pattern.subject, subject),
        decision_note=pattern.decision_note,
        version=pattern.version,
    )


def pattern_detail(*, session: Session, viewer: Viewer, pattern_id: int) -> PatternDetailOut:
    view = pattern_queries.get_pattern(session=session, viewer=viewer, pattern_id=pattern_id)
    masked = bool(pattern_queries.sensitive_members(session=session, pattern_ids=[view.pattern.id]))
    return PatternDetailOut(
        **pattern_out(view.pattern, mask_subject=masked).model_dump(),
        events=present.summaries(session=session, events=view.events),
        hidden_count=view.hidden,
    )
