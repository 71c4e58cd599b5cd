"""A hand-built October 2026 of grid work on top of tests/reports/history.py (the events, supervisions and warnings
the bulletin and assessment tests count): what the grid worker of grid 0 did, task by task.

| task | event | unit  | accepted (deadline)         | handle by    | back         | counts for               |
| T1   | e1    | grid0 | Oct 10 10:00 (Oct 10 12:00) | Oct 12 10:00 | Oct 11 10:00 | accept, back on time     |
| T2   | e2    | grid0 | Oct 20 10:00 (Oct 19 10:00) | Oct 25 10:00 | —            | accepted late, overdue   |
| T3   | e8    | grid0 | Oct 21 10:00 (none)         | Nov 10 10:00 | —            | accept on time, not due  |

Timeline entries by the worker in October: accept × 3, report back × 1, return × 1 (on p1) — 5 actions, 1 return of
4 accept/return steps. Two patrol reports registered by the worker (Oct 5, Oct 6, grid0). Key persons in grid0, in
the worker's charge: K1 visited Oct 8, K2 not visited (a visit on Sep 30 does not count).
"""

from __future__ import annotations

from datetime import date, datetime

from fengqiao.events.kinds import Channel, EventStatus, TaskRole, TaskStatus
from fengqiao.events.lifecycle import Action
from fengqiao.events.models import Event, EventAction, EventTask
from fengqiao.registers.models import KeyPerson, KeyPersonVisit
from tests.events.world import World
from tests.metrics.history import add_event
from tests.reports.history import build_history, local


def _task(
    world: World,
    event: Event,
    *,
    accepted: datetime,
    accept_deadline: datetime | None,
    handle_deadline: datetime,
    reported_back: datetime | None,
) -> EventTask:
    worker = world.staff["grid_worker"]
    task = EventTask(
        county_code=event.county_code,
        event_id=event.id,
        unit_id=world.grid.id,
        role=TaskRole.PRIMARY.value,
        status=(TaskStatus.REPORTED_BACK if reported_back else TaskStatus.ACCEPTED).value,
        dispatched_at=accepted,
        accept_deadline=accept_deadline,
        handle_deadline=handle_deadline,
        accepted_at=accepted,
        accepted_by_id=worker.id,
        reported_back_at=reported_back,
    )
    world.session.add(task)
    return task


def _act(world: World, event: Event, action: Action, at: datetime) -> None:
    world.session.add(
        EventAction(
            county_code=event.county_code,
            event_id=event.id,
            action=action.value,
            from_status=event.status,
            to_status=event.status,
            actor_id=world.staff["grid_worker"].id,
            actor_unit_id=world.grid.id,
            at=at,
        )
    )


def build_grid_work(world: World) -> dict[str, Event]:
    events = build_history(world)
    worker = world.staff["grid_worker"]
    e1, e2, e8, p1 = events["e1"], events["e2"], events["e8"], events["p1"]
    _task(
        world,
        e1,
        accepted=local(10, 10),
        accept_deadline=local(10, 10, 12),
        handle_deadline=local(10, 12),
        reported_back=local(10, 11),
    )
    _task(
        world,
        e2,
        accepted=local(10, 20),
        accept_deadline=local(10, 19),
        handle_deadline=local(10, 25),
        reported_back=None,
    )
    _task(world, e8, accepted=local(10, 21), accept_deadline=None, handle_deadline=local(11, 10), reported_back=None)
    for event, at in ((e1, local(10, 10)), (e2, local(10, 20)), (e8, local(10, 21))):
        _act(world, event, Action.ACCEPT, at)
    _act(world, e1, Action.REPORT_BACK, local(10, 11))
    _act(world, p1, Action.RETURN, local(10, 16))
    for day in (5, 6):
        patrol = add_event(
            world, world.grid, registered_at=local(10, day), channel=Channel.GRID_PATROL, status=EventStatus.REGISTERED
        )
        patrol.created_by_id = worker.id
        events[f"patrol{day}"] = patrol
    for i, visited in enumerate((date(2026, 10, 8), date(2026, 9, 30)), start=1):
        person = KeyPerson(
            county_code=world.grid.county_code,
            name=f"重点人员{i}",
            id_number=f"33108119800101{i:03d}X",
            category="community_correction",
            unit_id=world.grid.id,
            unit_path=world.grid.path,
            responsible_staff_id=worker.id,
        )
        world.session.add(person)
        world.session.flush()
        world.session.add(
            KeyPersonVisit(county_code=person.county_code, person_id=person.id, visited_on=visited, outcome="stable")
        )
    world.session.flush()
    return events
