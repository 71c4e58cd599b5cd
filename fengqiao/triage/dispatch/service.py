"""Turning an event into a dispatch suggestion (looking up what the pure rules need), storing it on the event,
and arming the job that applies it when the rules say so."""

from __future__ import annotations

from collections.abc import Sequence
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
from fengqiao.triage.responsibility.service import ScopedRule, owner_among, rules_for

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
    cues: tuple[str, ...] = ()  # codes of the risk cue rules that matched (the risk rules read them)
    owner_department: str | None = None  # the taxonomy's default owner (a department code)
    model_version: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Lookups:
    """Everything the rules need to know about a batch of events, fetched with a handful of queries."""

    units: dict[str, Unit]
    stations: dict[int, Unit]
    rules: list[ScopedRule]
    departments: dict[str, Unit]

    @classmethod
    def load(cls, *, session: Session, events: Sequence[Event], classified: Sequence[Classified]) -> Lookups:
        codes = {c for e in events for c in e.location_path.split("/") if c}
        units = {u.code: u for u in session.scalars(select(Unit).where(Unit.code.in_(codes)))} if codes else {}
        station_ids = {u.police_station_id for u in units.values() if u.police_station_id is not None}
        stations = (
            {u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_(station_ids)))} if station_ids else {}
        )
        categories = {c for k in classified for c in (k.category, k.subcategory) if c}
        rules = rules_for(session=session, categories=categories)
        department_codes = {k.owner_department for k in classified if k.owner_department}
        department_ids = {r.department_id for r in rules}
        departments = (
            {
                u.code: u
                for u in session.scalars(
                    select(Unit).where(Unit.code.in_(department_codes) | Unit.id.in_(department_ids))
                )
            }
            if department_codes or department_ids
            else {}
        )
        return cls(units=units, stations=stations, rules=rules, departments=departments)

    def department_by_id(self, unit_id: int) -> Unit | None:
        return next((u for u in self.departments.values() if u.id == unit_id), None)


def facts_for(*, event: Event, classified: Classified, lookups: Lookups) -> Facts:
    codes = tuple(c for c in event.location_path.split("/") if c)
    names = tuple(lookups.units[c].name if c in lookups.units else c for c in codes)
    police: tuple[str, str] | None = None
    village = lookups.units.get(codes[2]) if len(codes) > 2 else None
    if village is not None and village.police_station_id is not None:
        station = lookups.stations.get(village.police_station_id)
        if station is not None:
            police = (station.code, station.name)
    owner_id = owner_among(
        lookups.rules,
        category=classified.category,
        subcategory=classified.subcategory,
        location_path=event.location_path,
    )
    owner = lookups.department_by_id(owner_id) if owner_id is not None else None
    if owner is None and classified.owner_department:
        owner = lookups.departments.get(classified.owner_department)
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


def decide(
    *, event: Event, classified: Classified, lookups: Lookups, policy: DispatchPolicy | None = None
) -> Suggestion:
    """Write the classification and the suggestion onto ``event`` (persisted or not yet inserted)."""
    suggestion = suggest(facts_for(event=event, classified=classified, lookups=lookups), policy or default_policy())
    if classified.category and not event.category:
        event.category = classified.category
        event.subcategory = classified.subcategory
    if _rank(classified.risk) > _rank(RiskLevel(event.risk_level or RiskLevel.LOW.value)):
        event.risk_level = classified.risk.value
    event.triage = {
        **(event.triage or {}),
        "category": classified.category,
        "subcategory": classified.subcategory,
        "confidence": classified.confidence,
        "risk": classified.risk.value,
        "reasons": list(classified.reasons),
        "cues": list(classified.cues),
        "model_version": classified.model_version,
        "suggestion": suggestion.as_dict(),
    }
    return suggestion


def arm_if_auto(*, session: Session, event: Event, suggestion: Suggestion) -> None:
    """Schedule the auto-dispatch of a stored event whose suggestion the rules apply on their own."""
    if suggestion.auto and event.status == EventStatus.REGISTERED.value:
        arm_auto_dispatch(session=session, event_id=event.id, county_code=event.county_code)


def arm_auto_dispatch(*, session: Session, event_id: int, county_code: str) -> None:
    jobs.schedule(
        session=session,
        kind=AUTO_DISPATCH,
        run_at=utcnow(),
        payload={"event_id": event_id},
        dedupe_key=f"event:{event_id}:auto_dispatch",
        county_code=county_code,
    )


def apply_triage(
    *,
    session: Session,
    event: Event,
    classified: Classified,
    lookups: Lookups | None = None,
    policy: DispatchPolicy | None = None,
) -> Suggestion:
    """Record the classification and the suggestion on a stored event; arm the auto-dispatch job if the rules say
    so. Pass ``lookups`` loaded once for a whole batch; without it they are loaded for this event alone."""
    lookups = lookups or Lookups.load(session=session, events=[event], classified=[classified])
    suggestion = decide(event=event, classified=classified, lookups=lookups, policy=policy)
    arm_if_auto(session=session, event=event, suggestion=suggestion)
    return suggestion


def _rank(risk: RiskLevel) -> int:
    return {RiskLevel.LOW: 0, RiskLevel.MEDIUM: 1, RiskLevel.HIGH: 2}[risk]
