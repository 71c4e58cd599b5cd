"""A dispatcher corrects an event's category: the change goes through the closed loop (timeline, version check,
permissions) and is recorded as a correction the next ``fengqiao model train`` learns from."""

from __future__ import annotations

from sqlalchemy.orm import Session

from fengqiao.accounts.scope import Viewer
from fengqiao.core.errors import InvalidInput
from fengqiao.events.actions import ActionRequest, perform
from fengqiao.events.lifecycle import Action
from fengqiao.events.models import Event
from fengqiao.triage.classify.service import record_correction
from fengqiao.triage.taxonomy import default_taxonomy


def reclassify(
    *,
    session: Session,
    viewer: Viewer,
    event_id: int,
    version: int,
    subcategory: str,
    note: str | None = None,
) -> Event:
    taxonomy = default_taxonomy()
    if subcategory not in taxonomy.subcategories:
        raise InvalidInput(f"未知的分类“{subcategory}”", code="unknown_category")
    category = taxonomy.subcategory(subcategory).category
    event = perform(
        session=session,
        viewer=viewer,
        event_id=event_id,
        request=ActionRequest(
            action=Action.RECLASSIFY,
            expected_version=version,
            note=note,
            category=category,
            subcategory=subcategory,
        ),
    )
    predicted = event.triage or {}
    correction = record_correction(
        session=session,
        text=f"{event.title}。{event.content}",
        predicted=None,
        corrected_category=category,
        corrected_subcategory=subcategory,
        event_id=event.id,
        staff_id=viewer.staff_id,
        county_code=event.county_code,
    )
    correction.predicted_category = predicted.get("category")
    correction.predicted_subcategory = predicted.get("subcategory")
    session.flush()
    return event
