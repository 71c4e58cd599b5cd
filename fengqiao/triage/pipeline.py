"""Every new event passes through triage: register → classify → place → suggest → (auto-dispatch by the worker).

The intake routes call these functions; the events domain modules (intake, lifecycle, actions) know nothing of
triage, so the closed loop stands on its own and no module imports another in a circle.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from fengqiao.core.errors import FengqiaoError
from fengqiao.events import intake
from fengqiao.events.kinds import RiskLevel
from fengqiao.events.models import Event, EventParty
from fengqiao.jurisdiction.models import Unit
from fengqiao.triage.classify.result import Classification
from fengqiao.triage.classify.rules import default_rules
from fengqiao.triage.classify.service import classify_batch
from fengqiao.triage.dispatch.policy import Suggestion
from fengqiao.triage.dispatch.service import Classified, Lookups, arm_auto_dispatch, arm_if_auto, decide
from fengqiao.triage.placing import place_by_address
from fengqiao.warnings.jobs import schedule_analysis


@lru_cache(maxsize=1)
def _collective_cues() -> frozenset[str]:
    return frozenset(rule.code for rule in default_rules().rules if rule.group == "collective")


def classified_from(result: Classification) -> Classified:
    return Classified(
        category=result.category,
        subcategory=result.subcategory,
        confidence=round(result.confidence, 4),
        risk=RiskLevel(result.risk),
        collective=bool(_collective_cues() & set(result.cues)),
        reasons=tuple(result.reasons),
        cues=tuple(result.cues),
        owner_department=result.department_code or None,
        model_version=str(result.model_version) if result.model_version is not None else "seed",
    )


def _decide_all(*, session: Session, events: Sequence[Event]) -> list[Suggestion]:
    """Place by address, classify in one batch, and write each event's classification and suggestion onto it."""
    place_by_address(session=session, events=events)
    results = classify_batch([f"{e.title}。{e.content}" for e in events], session=session)
    classified = [classified_from(r) for r in results]
    lookups = Lookups.load(session=session, events=events, classified=classified)
    suggestions = []
    for event, result, verdict in zip(events, results, classified, strict=True):
        # The classifier may know what the channel did not: a domestic-violence text is sensitive, a dispute is one.
        event.is_sensitive = bool(event.is_sensitive) or result.sensitive
        event.is_dispute = bool(event.is_dispute) or result.is_dispute
        suggestions.append(decide(event=event, classified=verdict, lookups=lookups))
    return suggestions


def triage_events(*, session: Session, events: Sequence[Event]) -> None:
    """Triage stored events and arm the auto-dispatch of those the rules say to dispatch on their own."""
    for event, suggestion in zip(events, _decide_all(session=session, events=events), strict=True):
        arm_if_auto(session=session, event=event, suggestion=suggestion)
    session.flush()


def register(
    *, session: Session, new: intake.NewEvent, registering_unit: Unit, actor_id: int | None = None
) -> intake.IntakeResult:
    result = intake.register(session=session, new=new, registering_unit=registering_unit, actor_id=actor_id)
    if result.created:
        triage_events(session=session, events=[result.event])
        schedule_analysis(session=session, event_ids=[result.event.id], county_code=result.event.county_code)
    return result


# Columns triage may fill in before a batch is inserted.
_TRIAGED_COLUMNS = (
    "category",
    "subcategory",
    "risk_level",
    "is_sensitive",
    "is_dispute",
    "triage",
    "building_id",
    "room_id",
    "location_unit_id",
    "location_path",
)


def register_many(
    *,
    session: Session,
    items: Sequence[intake.NewEvent | FengqiaoError],
    registering_unit: Unit,
    actor_id: int | None = None,
) -> list[intake.BatchItemResult]:
    """Bulk intake with triage decided before the insert (no row is updated afterwards)."""
    decided: dict[int, bool] = {}  # id(NewEvent) → whether to auto-dispatch

    def enrich(rows: list[tuple[intake.NewEvent, dict[str, Any]]]) -> None:
        drafts = [Event(**values) for _, values in rows]  # never added to the session: only carriers
        for draft, (new, _) in zip(drafts, rows, strict=True):
            draft.parties = [EventParty(name=p.name) for p in new.parties]
        suggestions = _decide_all(session=session, events=drafts)
        for draft, suggestion, (new, values) in zip(drafts, suggestions, rows, strict=True):
            values.update({column: getattr(draft, column) for column in _TRIAGED_COLUMNS})
            decided[id(new)] = suggestion.auto

    results = intake.register_many(
        session=session, items=items, registering_unit=registering_unit, enrich=enrich, actor_id=actor_id
    )
    created = [r.event_id for r in results if r.created and r.event_id is not None]
    schedule_analysis(session=session, event_ids=created, county_code=registering_unit.county_code)
    untriaged: list[int] = []
    for result in results:
        if not result.created or result.event_id is None:
            continue
        item = items[result.index]
        if id(item) not in decided:
            untriaged.append(result.event_id)  # registered one by one after a race: triage it now
        elif decided[id(item)]:
            arm_auto_dispatch(session=session, event_id=result.event_id, county_code=registering_unit.county_code)
    if untriaged:
        events = session.scalars(
            select(Event).where(Event.id.in_(untriaged)).options(selectinload(Event.parties)).order_by(Event.id)
        ).all()
        triage_events(session=session, events=events)
    return results
