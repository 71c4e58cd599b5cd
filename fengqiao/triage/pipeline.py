"""Every new event passes through triage: register → classify → place → suggest → (auto-dispatch by the worker).

The intake routes call these functions; the events domain modules (intake, lifecycle, actions) know nothing of
triage, so the closed loop stands on its own and no module imports another in a circle.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from fengqiao.core.errors import FengqiaoError
from fengqiao.events import intake
from fengqiao.events.kinds import RiskLevel
from fengqiao.events.models import Event
from fengqiao.jurisdiction.models import Unit
from fengqiao.triage.classify.result import Classification
from fengqiao.triage.classify.rules import default_rules
from fengqiao.triage.classify.service import classify_batch
from fengqiao.triage.dispatch.service import Classified, Lookups, apply_triage
from fengqiao.triage.placing import place_by_address


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
        owner_department=result.department_code or None,
        model_version=str(result.model_version) if result.model_version is not None else "seed",
    )


def triage_events(*, session: Session, events: Sequence[Event]) -> None:
    """Place the events by address, classify them in one batch, store each one's classification and suggestion."""
    place_by_address(session=session, events=events)
    results = classify_batch([f"{e.title}。{e.content}" for e in events], session=session)
    classified = [classified_from(r) for r in results]
    lookups = Lookups.load(session=session, events=events, classified=classified)
    for event, result, verdict in zip(events, results, classified, strict=True):
        # The classifier may know what the channel did not: a domestic-violence text is sensitive, a dispute is one.
        event.is_sensitive = event.is_sensitive or result.sensitive
        event.is_dispute = event.is_dispute or result.is_dispute
        apply_triage(session=session, event=event, classified=verdict, lookups=lookups)
    session.flush()


def register(
    *, session: Session, new: intake.NewEvent, registering_unit: Unit, actor_id: int | None = None
) -> intake.IntakeResult:
    result = intake.register(session=session, new=new, registering_unit=registering_unit, actor_id=actor_id)
    if result.created:
        triage_events(session=session, events=[result.event])
    return result


def register_many(
    *, session: Session, items: Sequence[intake.NewEvent | FengqiaoError], registering_unit: Unit
) -> list[intake.BatchItemResult]:
    results = intake.register_many(session=session, items=items, registering_unit=registering_unit)
    created = [r.event_id for r in results if r.created and r.event_id is not None]
    if created:
        events = session.scalars(
            select(Event).where(Event.id.in_(created)).options(selectinload(Event.parties)).order_by(Event.id)
        ).all()
        triage_events(session=session, events=events)
    return results
