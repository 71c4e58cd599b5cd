"""Warnings and rule set versions as a viewer sees them: Chinese labels, unit and staff names, the evidence events the
viewer may see (masked by the events presenter)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fengqiao.accounts.scope import Viewer
from fengqiao.duty.models import Staff
from fengqiao.events import present
from fengqiao.events.kinds import RISK_LEVEL_LABELS, RiskLevel
from fengqiao.events.models import Event
from fengqiao.events.queries import visible
from fengqiao.events.schemas import Labelled
from fengqiao.jurisdiction.models import Unit
from fengqiao.warnings import issued
from fengqiao.warnings.models import RiskRuleSet, RiskWarning
from fengqiao.warnings.rules.service import DryRun
from fengqiao.warnings.schemas import (
    DryRunExampleOut,
    DryRunOut,
    DryRunRuleOut,
    RuleSetOut,
    WarningDetailOut,
    WarningHistoryOut,
    WarningOut,
)

HISTORY_LABELS = {
    "issued": "发出预警",
    "escalated": "超时未签收，升级",
    "overdue": "超时未签收（已至最高层级）",
    "acknowledged": "签收",
    "closed": "办结",
}


def _names(session: Session, model: type[Unit] | type[Staff], ids: Iterable[int | None]) -> dict[int, str]:
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    column = Unit.name if model is Unit else Staff.full_name
    return {row[0]: row[1] for row in session.execute(select(model.id, column).where(model.id.in_(wanted)))}


def level_label(level: str) -> Labelled:
    return Labelled(value=level, label=f"{RISK_LEVEL_LABELS[RiskLevel(level)]}风险")


def warnings_out(*, session: Session, viewer: Viewer, items: Sequence[RiskWarning]) -> list[WarningOut]:
    units = _names(session, Unit, [i for w in items for i in (w.unit_id, w.first_unit_id)])
    staff = _names(session, Staff, [w.acknowledged_by_id for w in items])
    return [
        WarningOut(
            id=w.id,
            source=Labelled(value=w.source, label=issued.SOURCE_LABELS.get(w.source, w.source)),
            kind=w.kind,
            level=level_label(w.level),
            title=w.title,
            reason=w.reason,
            status=Labelled(value=w.status, label=issued.WARNING_STATUS_LABELS[issued.WarningStatus(w.status)]),
            unit_id=w.unit_id,
            unit_name=units.get(w.unit_id, ""),
            first_unit_name=units.get(w.first_unit_id, ""),
            escalations=w.escalations,
            ack_deadline=w.ack_deadline,
            acknowledged_at=w.acknowledged_at,
            acknowledged_by=staff.get(w.acknowledged_by_id) if w.acknowledged_by_id else None,
            ack_note=w.ack_note,
            closed_at=w.closed_at,
            event_id=w.event_id,
            pattern_id=w.pattern_id,
            created_at=w.created_at,
            version=w.version,
            may_acknowledge=issued.may_acknowledge(viewer, w),
            may_close=issued.may_close(viewer, w),
        )
        for w in items
    ]


def _history(entries: list[dict[str, Any]]) -> list[WarningHistoryOut]:
    out = []
    for entry in entries:
        action = str(entry.get("action", ""))
        parts = [str(entry[k]) for k in ("unit", "by", "note") if entry.get(k)]
        if entry.get("previous"):
            parts.insert(0, f"由{entry['previous']}升级至")
        out.append(
            WarningHistoryOut(
                at=datetime.fromisoformat(str(entry["at"])),
                action=action,
                label=HISTORY_LABELS.get(action, action),
                text=" ".join(parts),
            )
        )
    return out


def warning_detail(*, session: Session, viewer: Viewer, warning_id: int) -> WarningDetailOut:
    warning = issued.get_warning(session=session, viewer=viewer, warning_id=warning_id)
    ids = [int(i) for i in warning.evidence.get("event_ids", [])]
    events = (
        list(
            session.scalars(
                select(Event).where(Event.id.in_(ids), visible(viewer)).order_by(Event.registered_at.desc())
            )
        )
        if ids
        else []
    )
    [base] = warnings_out(session=session, viewer=viewer, items=[warning])
    return WarningDetailOut(
        **base.model_dump(),
        evidence=warning.evidence,
        events=present.summaries(session=session, events=events),
        history=_history(warning.history),
    )


def rule_sets_out(*, session: Session, items: Sequence[RiskRuleSet]) -> list[RuleSetOut]:
    staff = _names(session, Staff, [r.created_by_id for r in items])
    return [
        RuleSetOut(
            id=r.id,
            version=r.version,
            sha256=r.sha256,
            note=r.note,
            is_active=r.is_active,
            created_at=r.created_at,
            created_by=staff.get(r.created_by_id) if r.created_by_id else None,
            activated_at=r.activated_at,
        )
        for r in items
    ]


def dry_run_out(report: DryRun) -> DryRunOut:
    return DryRunOut(
        since=report.since,
        until=report.until,
        events=report.events,
        warnings=report.warnings,
        raised=report.raised,
        rules=[
            DryRunRuleOut(
                code=r.code,
                name=r.name,
                enabled=r.enabled,
                count=r.count,
                examples=[DryRunExampleOut(**e.__dict__) for e in r.examples],
            )
            for r in report.rules
        ],
    )
