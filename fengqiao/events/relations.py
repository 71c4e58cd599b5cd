"""How a viewer stands to an event (dispatcher, handler, supervisor) — the input of ``lifecycle.decide``."""

from __future__ import annotations

from sqlalchemy.orm import Session

from fengqiao.accounts.permissions import Permission
from fengqiao.accounts.scope import Viewer
from fengqiao.events.kinds import ACTIVE_TASK_STATUSES, TaskRole, TaskStatus
from fengqiao.events.lifecycle import Relation
from fengqiao.events.models import Event, EventTask
from fengqiao.jurisdiction.models import Unit


def active_tasks(event: Event) -> list[EventTask]:
    return [t for t in event.tasks if TaskStatus(t.status) in ACTIVE_TASK_STATUSES]


def active_primary(event: Event) -> EventTask | None:
    return next((t for t in active_tasks(event) if t.role == TaskRole.PRIMARY.value), None)


def relations_of(*, session: Session, viewer: Viewer, event: Event) -> frozenset[Relation]:
    relations: set[Relation] = set()
    dispatch_units = viewer.units_with(Permission.DISPATCH)
    if event.owner_unit_id in dispatch_units or (
        viewer.is_county_wide and viewer.may(Permission.DISPATCH) and event.county_code == viewer.county_code
    ):
        relations.add(Relation.DISPATCHER)
    for task in active_tasks(event):
        if task.unit_id in viewer.unit_ids:
            relations.add(Relation.HANDLER)
            if task.role == TaskRole.PRIMARY.value:
                relations.add(Relation.PRIMARY_HANDLER)
    supervise_units = viewer.units_with(Permission.SUPERVISE)
    if supervise_units:
        if viewer.is_county_wide:
            relations.add(Relation.SUPERVISOR)
        else:
            for unit_id in supervise_units:
                unit = session.get(Unit, unit_id)
                if unit is not None and event.location_path.startswith(unit.path):
                    relations.add(Relation.SUPERVISOR)
    return frozenset(relations)


def viewer_task(event: Event, viewer: Viewer, *, statuses: set[TaskStatus]) -> EventTask | None:
    """The viewer's own task on the event in one of ``statuses``, primary first."""
    mine = [t for t in event.tasks if t.unit_id in viewer.unit_ids and TaskStatus(t.status) in statuses]
    mine.sort(key=lambda t: (t.role != TaskRole.PRIMARY.value, t.id))
    return mine[0] if mine else None
