"""Turning an event into a dispatch suggestion (looking up what the pure rules need), storing it on the event,
and arming the job that applies it when the rules say so."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fengqiao.core.clock import utcnow
from fengqiao.events.kinds import Channel, EventStatus, RiskLevel
from fengqiao.events.models import Event
from fengqiao.jobs import service as jobs
from fengqiao.jurisdiction.models import Unit
from fengqiao.triage.dispatch.policy import DispatchPolicy, Facts, Suggestion, default_policy, suggest
from fengqiao.triage.responsibility.service import owner_for

AUTO_DISPATCH = "triage.auto_dispatch"
# Parties or people involved from which a matter counts as collective (多人一事).
COLLECTIVE_FROM = 5


@dataclass(frozen=True)
class Classified:
    """The classifier's verdict as triage uses it."""

    category: str | None
    subcategory: str | None = None
    confidence: float | None = None
    risk: RiskLevel = RiskLevel.LOW
    collective: bool = False
    reasons: tuple[str, ...] = ()
    owner_department: str | None = None  # the taxonomy's default owner (a department code)
    model_version: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def facts_for(*, session: Session, event: Event, classified: Classified) -> Facts:
    codes = tuple(c for c in event.location_path.split("/") if c)
    units = {u.code: u for u in session.scalars(select(Unit).where(Unit.code.in_(codes)))}
    names = tuple(units[c].name if c in units else c for c in codes)
    police: tuple[str, str] | None = None
    village = units.get(codes[2]) if len(codes) > 2 else None
    if village is not None and village.police_station_id is not None:
        station = session.get(Unit, village.police_station_id)
        if station is not None:
            police = (station.code, station.name)
    owner = owner_for(
        session=session,
        category=classified.category,
        subcategory=classified.subcategory,
        location_path=event.location_path,
    )
    if owner is None and classified.owner_department:
        owner = session.scalars(select(Unit).where(Unit.code == classified.owner_department)).one_or_none()
    collective = (
        classified.collective or (event.involved_count or 0) >= COLLECTIVE_FROM or len(event.parties) >= COLLECTIVE_FROM
    )
    return Facts(
        channel=Channel(event.channel),
        category=classified.category,
        risk=classified.risk,
        collective=collective,
        location=codes,
        location_names=names,
        police_station=police,
        owner_department=(owner.code, owner.name) if owner is not None else None,
    )


def apply_triage(
    *, session: Session, event: Event, classified: Classified, policy: DispatchPolicy | None = None
) -> Suggestion:
    """Record the classification and the suggestion on the event; arm the auto-dispatch job if the rules say so."""
    suggestion = suggest(facts_for(session=session, event=event, classified=classified), policy or default_policy())
    if classified.category and not event.category:
        event.category = classified.category
        event.subcategory = classified.subcategory
    if _rank(classified.risk) > _rank(RiskLevel(event.risk_level)):
        event.risk_level = classified.risk.value
    event.triage = {
        **(event.triage or {}),
        "category": classified.category,
        "subcategory": classified.subcategory,
        "confidence": classified.confidence,
        "risk": classified.risk.value,
        "reasons": list(classified.reasons),
        "model_version": classified.model_version,
        "suggestion": suggestion.as_dict(),
    }
    session.flush()
    if suggestion.auto and event.status == EventStatus.REGISTERED.value:
        jobs.schedule(
            session=session,
            kind=AUTO_DISPATCH,
            run_at=utcnow(),
            payload={"event_id": event.id},
            dedupe_key=f"event:{event.id}:auto_dispatch",
            county_code=event.county_code,
        )
    return suggestion


def _rank(risk: RiskLevel) -> int:
    return {RiskLevel.LOW: 0, RiskLevel.MEDIUM: 1, RiskLevel.HIGH: 2}[risk]
