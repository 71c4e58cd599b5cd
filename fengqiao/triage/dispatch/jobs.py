"""The job that applies a dispatch suggestion on its own (C3/C4), as the system, through the same state machine a
dispatcher uses. Idempotent: it acts only while the event still waits to be dispatched."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from fengqiao.events.actions import ActionRequest, perform
from fengqiao.events.kinds import EventStatus
from fengqiao.events.lifecycle import Action
from fengqiao.events.models import Event
from fengqiao.jobs.models import Job
from fengqiao.jobs.registry import job_handler
from fengqiao.triage.dispatch.service import AUTO_DISPATCH


@job_handler(AUTO_DISPATCH)
def auto_dispatch(session: Session, job: Job) -> None:
    event = session.scalars(
        select(Event).where(Event.id == int(job.payload["event_id"])).with_for_update()
    ).one_or_none()
    if event is None or event.status != EventStatus.REGISTERED.value or not event.triage:
        return  # a dispatcher got there first, or the event was merged or voided
    suggestion = event.triage.get("suggestion") or {}
    if not suggestion.get("auto"):
        return
    perform(
        session=session,
        viewer=None,
        event_id=event.id,
        request=ActionRequest(
            action=Action.DISPATCH,
            target_unit_code=suggestion["primary"],
            joint_unit_code=suggestion.get("joint"),
            note="；".join(suggestion.get("reasons", [])),
        ),
    )
    for code in suggestion.get("co_handlers", []):
        perform(
            session=session,
            viewer=None,
            event_id=event.id,
            request=ActionRequest(action=Action.ADD_CO_HANDLER, target_unit_code=code),
        )
