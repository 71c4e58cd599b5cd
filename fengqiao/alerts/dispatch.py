"""From a due group to people on their way (三必到): promotion into an event routed to the device's grid, notifying
its grid workers, deadlines to acknowledge and to arrive, escalation when nobody acknowledges, and the result.

Everything that happens to the event goes through the events state machine and therefore into its timeline:
registration (channel ``sensor``), dispatch to the grid as the system, acceptance (签收 = acknowledgement), handling
(到场 = arrival), report back (the result), a co-handling task for the joint-duty station or town command room when
the alert is escalated. The dispatch row keeps the alert-specific facts (who was notified, deadlines, result).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, false, or_, select
from sqlalchemy.orm import Session

from fengqiao.accounts.scope import Viewer
from fengqiao.alerts.devices import device_info
from fengqiao.alerts.grouping import Hold, active_silences, hold_for
from fengqiao.alerts.kinds import ALERT_RESULT_LABELS, AlertResult, GroupStatus
from fengqiao.alerts.models import AlertDevice, AlertDispatch, AlertGroup
from fengqiao.alerts.periodic import SWEEP
from fengqiao.alerts.policy import AlertPolicy, KindPolicy, default_policy
from fengqiao.audit import service as audit
from fengqiao.core.clock import to_local, utcnow
from fengqiao.core.errors import Conflict, FengqiaoError, Forbidden, InvalidInput, NotFound
from fengqiao.core.logging import get_logger
from fengqiao.duty.models import DutyAssignment, Staff
from fengqiao.duty.roles import DutyRole
from fengqiao.events import intake as events_intake
from fengqiao.events.actions import ActionRequest, perform
from fengqiao.events.kinds import Channel, EventStatus, TaskStatus
from fengqiao.events.lifecycle import Action, TransitionRefused
from fengqiao.events.models import Event, EventAction
from fengqiao.events.relations import viewer_task
from fengqiao.jobs import service as jobs
from fengqiao.jurisdiction.kinds import UnitKind
from fengqiao.jurisdiction.models import Unit
from fengqiao.jurisdiction.paths import under_path

ACK_DUE = "alerts.ack_due"
ARRIVE_DUE = "alerts.arrive_due"
log = get_logger(__name__)

# Who is notified at each unit, in order of preference: the first role that has active staff there is used.
_GRID_ROLES = (DutyRole.GRID_WORKER, DutyRole.PART_TIME_GRID_WORKER, DutyRole.GRID_LEADER)
_STATION_ROLES = (DutyRole.JOINT_STATION_MEMBER,)
_TOWN_ROLES = (DutyRole.COMMAND_RESPONDER, DutyRole.COMMAND_DISPATCHER, DutyRole.COMMAND_DIRECTOR)
_ROLES_BY_KIND: dict[str, tuple[DutyRole, ...]] = {
    UnitKind.GRID.value: _GRID_ROLES,
    UnitKind.JOINT_STATION.value: _STATION_ROLES,
    UnitKind.TOWN.value: _TOWN_ROLES,
}


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _hhmm(moment: datetime) -> str:
    return to_local(moment).strftime("%H:%M")


# --- promotion ------------------------------------------------------------------------------------------------


def sweep(*, session: Session, now: datetime | None = None, policy: AlertPolicy | None = None) -> int:
    """Decide the pending groups whose moment has come: promote them, or hold them if a silence, maintenance or a
    flapping device now covers them. Returns how many were decided; arms another sweep at once if more are due.
    Concurrent sweepers skip each other's rows (SKIP LOCKED on PostgreSQL; SQLite has one writer)."""
    policy = policy or default_policy()
    now = now or utcnow()
    groups = list(
        session.scalars(
            select(AlertGroup)
            .where(AlertGroup.status == GroupStatus.PENDING.value, AlertGroup.due_at <= now)
            .order_by(AlertGroup.due_at, AlertGroup.id)
            .limit(policy.sweep.batch)
            .with_for_update(skip_locked=True)
        )
    )
    if not groups:
        return 0
    silences = active_silences(session=session, county_codes=[g.county_code for g in groups], now=now)
    devices = {
        d.id: d
        for d in session.scalars(select(AlertDevice).where(AlertDevice.id.in_(sorted({g.device_id for g in groups}))))
    }
    due: list[tuple[AlertGroup, AlertDevice]] = []
    for group in groups:
        device = devices[group.device_id]
        hold = hold_for(device_info(device), group.kind, silences, now)
        if hold is not None:
            _hold(group, hold, now)
            continue
        due.append((group, device))
    promote_all(session=session, items=due, policy=policy, now=now)
    if len(groups) == policy.sweep.batch:
        jobs.schedule(
            session=session,
            kind=SWEEP,
            run_at=now,
            payload={"reason": "more"},
            dedupe_key=f"alerts:sweep:more:{_stamp(now)}",
        )
    return len(groups)


def _hold(group: AlertGroup, hold: Hold, now: datetime) -> None:
    group.status = hold.status.value
    group.reason = hold.reason
    group.silence_id = hold.silence_id
    group.due_at = None
    group.updated_at = now


def _describe(kp: KindPolicy, group: AlertGroup, device: AlertDevice) -> tuple[str, str]:
    where = device.address or device.place or device.name or device.code
    title = f"{kp.label}：{where}"[:200]
    level = {"high": "高", "medium": "中", "low": "低"}.get(group.level or "", "")
    lines = [
        f"设备{device.code}（{device.name or kp.label}）于{to_local(group.first_at):%Y-%m-%d %H:%M:%S}报警",
        f"，累计{group.alarm_count}次" if group.alarm_count > 1 else "",
        f"，等级{level}" if level else "",
        f"。位置：{where}。" if where != device.code else "。",
        f"设备责任人：{device.owner_name}。" if device.owner_name else "",
    ]
    return title, "".join(lines)


def promote(
    *, session: Session, group: AlertGroup, device: AlertDevice, policy: AlertPolicy, now: datetime
) -> Event | None:
    """Promote one group (see :func:`promote_all`)."""
    return promote_all(session=session, items=[(group, device)], policy=policy, now=now)[0]


class _Places:
    """The units a sweep's groups need — their grids, the grids' towns, the counties — read in three queries."""

    def __init__(self, session: Session, items: Sequence[tuple[AlertGroup, AlertDevice]]) -> None:
        grid_ids = sorted({d.grid_id for _, d in items if d.grid_id is not None})
        self.grids: dict[int, Unit] = (
            {u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_(grid_ids)))} if grid_ids else {}
        )
        town_codes = sorted({c[1] for c in map(_codes, self.grids.values()) if len(c) > 1})
        self.towns: dict[str, Unit] = (
            {u.code: u for u in session.scalars(select(Unit).where(Unit.code.in_(town_codes)))} if town_codes else {}
        )
        county_codes = sorted({g.county_code for g, _ in items})
        self.counties: dict[str, Unit] = {
            u.code: u
            for u in session.scalars(
                select(Unit).where(Unit.code.in_(county_codes), Unit.kind == UnitKind.COUNTY.value)
            )
        }

    def grid(self, device: AlertDevice) -> Unit | None:
        return self.grids.get(device.grid_id) if device.grid_id is not None else None

    def registering(self, group: AlertGroup, grid: Unit | None) -> Unit | None:
        codes = _codes(grid) if grid is not None else []
        town = self.towns.get(codes[1]) if len(codes) > 1 else None
        return town or self.counties.get(group.county_code)


def _codes(unit: Unit) -> list[str]:
    return [c for c in unit.path.split("/") if c]


def promote_all(
    *, session: Session, items: Sequence[tuple[AlertGroup, AlertDevice]], policy: AlertPolicy, now: datetime
) -> list[Event | None]:
    """Turn groups into events placed in their devices' grids, dispatch each there as the system and notify the
    grid's workers with the 三必到 deadlines. A device in no grid goes to the county centre undispatched.

    Set-based where the events service allows it: the units in three reads, the events registered per registering
    unit with ``register_many`` (the same rows, timeline entry and idempotency by source id as ``register``), the
    notified staff in one read, the dispatch rows in one flush and their timers in one ``schedule_all``. Each
    dispatch still goes through the state machine (``perform``), which writes its timeline entry, task, deadlines
    and timers."""
    if not items:
        return []
    places = _Places(session, items)
    out: dict[int, Event | None] = {}
    by_unit: dict[int, tuple[Unit, list[tuple[AlertGroup, AlertDevice, Unit | None]]]] = {}
    for group, device in items:
        grid = places.grid(device)
        registering = places.registering(group, grid)
        if registering is None:
            group.reason = "未找到登记单位（县级单位缺失），无法转为事件"
            group.due_at = None
            out[group.id] = None
            log.warning("alerts.promote.no_unit", group_id=group.id)
            continue
        by_unit.setdefault(registering.id, (registering, []))[1].append((group, device, grid))
    to_dispatch: list[tuple[AlertGroup, AlertDevice, Unit, Event]] = []
    for registering, members in by_unit.values():
        registered = _register(session=session, registering=registering, members=members, policy=policy)
        for (group, _device, _grid), (event_id, _created, error) in zip(members, registered, strict=True):
            if error is not None:
                group.reason = f"转为事件失败：{error.message}"[:200]
                group.due_at = None
                group.updated_at = now
                out[group.id] = None
                log.warning("alerts.promote.refused", group_id=group.id, code=error.code)
                continue
            assert event_id is not None
            group.status = GroupStatus.PROMOTED.value
            group.event_id = event_id
            group.due_at = None
            group.reason = None
            group.updated_at = now
        ids = sorted({event_id for event_id, _, error in registered if error is None and event_id is not None})
        events = {e.id: e for e in session.scalars(select(Event).where(Event.id.in_(ids)))} if ids else {}
        for (group, device, grid), (event_id, created, error) in zip(members, registered, strict=True):
            if error is not None or event_id is None:
                continue
            event = events.get(event_id)
            out[group.id] = event
            if grid is not None and created and event is not None:
                to_dispatch.append((group, device, grid, event))
    _dispatch_all(session=session, items=to_dispatch, policy=policy, now=now)
    session.flush()
    return [out.get(group.id) for group, _ in items]


def _register(
    *,
    session: Session,
    registering: Unit,
    members: Sequence[tuple[AlertGroup, AlertDevice, Unit | None]],
    policy: AlertPolicy,
) -> list[tuple[int | None, bool, FengqiaoError | None]]:
    """The events of one registering unit's groups: (event id, created, error) per group, in order."""
    news: list[events_intake.NewEvent] = []
    extra: dict[str, tuple[str | None, str]] = {}  # source id → (subcategory, risk level)
    for group, device, grid in members:
        kp = policy.kind(group.kind)
        title, content = _describe(kp, group, device)
        source_id = f"alert-group:{group.id}"
        news.append(
            events_intake.NewEvent(
                channel=Channel.SENSOR,
                title=title,
                content=content,
                source_id=source_id,
                category=kp.category,
                unit_code=grid.code if grid is not None else None,
                building_id=device.building_id if grid is None else None,
                address=device.address,
                lon=device.lon,
                lat=device.lat,
                occurred_at=group.first_at,
                reporter_name=device.owner_name,
                reporter_phone=device.owner_phone,
            )
        )
        extra[source_id] = (kp.subcategory, kp.risk_for(group.level))

    def enrich(rows: list[tuple[events_intake.NewEvent, dict[str, Any]]]) -> None:
        for new, values in rows:
            subcategory, risk = extra[new.source_id or ""]
            values["subcategory"] = subcategory
            values["risk_level"] = risk

    results = events_intake.register_many(session=session, items=news, registering_unit=registering, enrich=enrich)
    return [(r.event_id, r.created, r.error) for r in results]


def _dispatch_all(
    *,
    session: Session,
    items: Sequence[tuple[AlertGroup, AlertDevice, Unit, Event]],
    policy: AlertPolicy,
    now: datetime,
) -> None:
    if not items:
        return
    staff_by_unit = notified_staff_all(session=session, units=[grid for _, _, grid, _ in items])
    dispatches: list[AlertDispatch] = []
    for group, device, grid, event in items:
        kp = policy.kind(group.kind)
        arrive_by = now + timedelta(minutes=kp.arrive_minutes)
        perform(
            session=session,
            viewer=None,
            event_id=event.id,
            request=ActionRequest(
                action=Action.DISPATCH,
                target_unit_code=grid.code,
                note=f"感知告警自动派发（三必到）：请于{_hhmm(arrive_by)}前到场",
            ),
        )
        staff_ids = staff_by_unit.get(grid.id, [])
        dispatches.append(
            AlertDispatch(
                county_code=group.county_code,
                group_id=group.id,
                event_id=event.id,
                device_id=device.id,
                kind=group.kind,
                grid_id=grid.id,
                unit_id=grid.id,
                location_path=grid.path,
                notified_staff_ids=staff_ids,
                dispatched_at=now,
                ack_deadline=now + timedelta(minutes=kp.ack_minutes),
                arrive_by=arrive_by,
                escalations=0,
                history=[{"at": _stamp(now), "action": "dispatched", "unit": grid.name, "staff_ids": staff_ids}],
            )
        )
    session.add_all(dispatches)
    session.flush()
    specs: list[jobs.JobSpec] = []
    for dispatch in dispatches:
        specs.append(_ack_spec(dispatch))
        specs.append(
            jobs.JobSpec(
                kind=ARRIVE_DUE,
                run_at=dispatch.arrive_by,
                payload={"dispatch_id": dispatch.id},
                dedupe_key=f"alert-dispatch:{dispatch.id}:arrive",
                county_code=dispatch.county_code,
            )
        )
    jobs.schedule_all(session=session, specs=specs)


def notified_staff_all(*, session: Session, units: Sequence[Unit]) -> dict[int, list[int]]:
    """:func:`notified_staff` for several units in one read."""
    by_id = {unit.id: unit for unit in units}
    if not by_id:
        return {}
    rows = session.execute(
        select(DutyAssignment.unit_id, DutyAssignment.role, Staff.id)
        .join(Staff, Staff.id == DutyAssignment.staff_id)
        .where(DutyAssignment.unit_id.in_(sorted(by_id)), Staff.is_active.is_(True))
        .order_by(Staff.id)
    ).all()
    assigned: dict[int, list[tuple[str, int]]] = {unit_id: [] for unit_id in by_id}
    for unit_id, role, staff_id in rows:
        assigned[unit_id].append((role, staff_id))
    return {unit_id: _choose(by_id[unit_id], found) for unit_id, found in assigned.items()}


def _choose(unit: Unit, rows: Sequence[tuple[str, int]]) -> list[int]:
    for role in _ROLES_BY_KIND.get(unit.kind, ()):
        found = [staff_id for assigned, staff_id in rows if assigned == role.value]
        if found:
            return found
    return [staff_id for _, staff_id in rows]


def notified_staff(*, session: Session, unit: Unit) -> list[int]:
    """Who is told to go: the unit's active staff in its first role that has any. Positions of staff are not known
    to the platform, so "nearest" is the grid's own workers (a grid is walkable); a station or command room
    notifies its duty staff."""
    return notified_staff_all(session=session, units=[unit])[unit.id]


def _ack_spec(dispatch: AlertDispatch) -> jobs.JobSpec:
    stamp = _stamp(dispatch.ack_deadline)
    return jobs.JobSpec(
        kind=ACK_DUE,
        run_at=dispatch.ack_deadline,
        payload={"dispatch_id": dispatch.id, "deadline": stamp},
        dedupe_key=f"alert-dispatch:{dispatch.id}:ack:{stamp}",
        county_code=dispatch.county_code,
    )


def _arm_ack(*, session: Session, dispatch: AlertDispatch) -> None:
    jobs.schedule_all(session=session, specs=[_ack_spec(dispatch)])


# --- escalation -----------------------------------------------------------------------------------------------


def next_unit(*, session: Session, dispatch: AlertDispatch) -> Unit | None:
    """Where an unacknowledged alert goes next: from the grid to its village's joint-duty station (if any), then to
    the town command room; past the town nothing further (it stays, marked overdue)."""
    current = session.get(Unit, dispatch.unit_id)
    grid = session.get(Unit, dispatch.grid_id)
    if current is None or grid is None:
        return None
    village = session.get(Unit, grid.parent_id) if grid.parent_id is not None else None
    town = session.get(Unit, village.parent_id) if village is not None and village.parent_id is not None else None
    if current.kind == UnitKind.GRID.value:
        station = (
            session.get(Unit, village.joint_station_id)
            if village is not None and village.joint_station_id is not None
            else None
        )
        return station or town
    if current.kind == UnitKind.JOINT_STATION.value:
        return town
    return None


def escalate_due(
    *, session: Session, dispatch_id: int, deadline: str, now: datetime | None = None, policy: AlertPolicy | None = None
) -> bool:
    """The acknowledgement timer fired: if nobody has acknowledged for that deadline, hand the alert to the next
    unit as a co-handler (so its staff can accept it), notify them and set a new deadline. Idempotent."""
    policy = policy or default_policy()
    dispatch = _lock(session, dispatch_id)
    if dispatch is None or dispatch.acknowledged_at is not None or dispatch.result is not None:
        return False
    if _stamp(dispatch.ack_deadline) != deadline:
        return False  # already escalated for this deadline: the timer is stale
    now = now or utcnow()
    target = next_unit(session=session, dispatch=dispatch)
    event = session.get(Event, dispatch.event_id)
    if target is None or event is None or event.status not in _IN_WORK:
        dispatch.history = [*dispatch.history, {"at": _stamp(now), "action": "unacknowledged_at_top"}]
        session.flush()
        log.warning("alerts.unacknowledged_at_top", dispatch_id=dispatch.id)
        return False
    previous = session.get(Unit, dispatch.unit_id)
    perform(
        session=session,
        viewer=None,
        event_id=event.id,
        request=ActionRequest(
            action=Action.ADD_CO_HANDLER,
            target_unit_code=target.code,
            note=f"感知告警{policy.kind(dispatch.kind).label}超时无人签收，升级至{target.name}",
        ),
    )
    staff_ids = notified_staff(session=session, unit=target)
    dispatch.unit_id = target.id
    dispatch.notified_staff_ids = sorted({*dispatch.notified_staff_ids, *staff_ids})
    dispatch.escalations += 1
    dispatch.ack_deadline = now + timedelta(minutes=policy.escalation.ack_extension_minutes)
    dispatch.history = [
        *dispatch.history,
        {
            "at": _stamp(now),
            "action": "escalated",
            "from": previous.name if previous else None,
            "unit": target.name,
            "staff_ids": staff_ids,
        },
    ]
    session.flush()
    _arm_ack(session=session, dispatch=dispatch)
    audit.record(
        session=session,
        county_code=dispatch.county_code,
        actor_id=None,
        action="alert.escalated",
        entity_type="alert_dispatch",
        entity_id=dispatch.id,
        detail={"to_unit": target.id, "escalations": dispatch.escalations},
    )
    return True


def arrival_due(*, session: Session, dispatch_id: int, now: datetime | None = None) -> bool:
    """The arrival deadline passed: if nobody has arrived, say so on the dispatch and in the event's timeline."""
    dispatch = _lock(session, dispatch_id)
    if dispatch is None or dispatch.arrived_at is not None or dispatch.result is not None:
        return False
    now = now or utcnow()
    event = session.get(Event, dispatch.event_id)
    dispatch.history = [*dispatch.history, {"at": _stamp(now), "action": "arrival_overdue"}]
    if event is not None and event.status not in _DONE:
        event.actions.append(
            EventAction(
                county_code=event.county_code,
                action=Action.OVERDUE.value,
                from_status=event.status,
                to_status=event.status,
                at=now,
                note=f"三必到：超过到场时限（{_hhmm(dispatch.arrive_by)}）仍未到场",
                data={"alert_dispatch_id": dispatch.id, "arrive_by": _stamp(dispatch.arrive_by)},
            )
        )
    session.flush()
    return True


_IN_WORK = (EventStatus.DISPATCHED.value, EventStatus.ACCEPTED.value, EventStatus.HANDLING.value)
_DONE = (EventStatus.CLOSED.value, EventStatus.MERGED.value, EventStatus.VOIDED.value)


def _lock(session: Session, dispatch_id: int) -> AlertDispatch | None:
    return session.scalars(
        select(AlertDispatch)
        .where(AlertDispatch.id == dispatch_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()


# --- acknowledgement, arrival, result (by people) -------------------------------------------------------------


def visible_dispatch(viewer: Viewer) -> ColumnElement[bool]:
    """Dispatches in the viewer's territory, or sitting with (or notified to) one of the viewer's units."""
    if viewer.is_county_wide:
        return AlertDispatch.county_code == viewer.county_code
    conditions: list[ColumnElement[bool]] = [
        under_path(AlertDispatch.location_path, p) for p in viewer.territorial_paths
    ]
    if viewer.unit_ids:
        conditions.append(AlertDispatch.unit_id.in_(sorted(viewer.unit_ids)))
        conditions.append(AlertDispatch.grid_id.in_(sorted(viewer.unit_ids)))
    return or_(*conditions) if conditions else false()


def get_dispatch(*, session: Session, viewer: Viewer, dispatch_id: int, for_update: bool = False) -> AlertDispatch:
    statement = select(AlertDispatch).where(AlertDispatch.id == dispatch_id, visible_dispatch(viewer))
    if for_update:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    dispatch = session.scalars(statement).one_or_none()
    if dispatch is None:
        raise NotFound(f"未找到告警派单{dispatch_id}", code="alert_dispatch_not_found")
    return dispatch


def awaiting(*, session: Session, viewer: Viewer, limit: int = 50) -> list[AlertDispatch]:
    """Dispatches the viewer's units must act on (not yet resulted), nearest arrival deadline first."""
    if not viewer.unit_ids:
        return []
    units = sorted(viewer.unit_ids)
    return list(
        session.scalars(
            select(AlertDispatch)
            .where(
                or_(AlertDispatch.unit_id.in_(units), AlertDispatch.grid_id.in_(units)),
                AlertDispatch.result.is_(None),
            )
            .order_by(AlertDispatch.arrive_by, AlertDispatch.id)
            .limit(limit)
        )
    )


def _check_version(dispatch: AlertDispatch, version: int | None) -> None:
    if version is not None and dispatch.version != version:
        raise Conflict("该告警派单已被更新，请刷新后再操作", code="stale_alert_dispatch")


def _task_statuses(session: Session, viewer: Viewer, event: Event) -> tuple[bool, bool]:
    """(has a task still to accept, has an accepted task) for the viewer on the event."""
    session.refresh(event, attribute_names=["tasks"])
    waiting = viewer_task(event, viewer, statuses={TaskStatus.DISPATCHED}) is not None
    accepted = viewer_task(event, viewer, statuses={TaskStatus.ACCEPTED}) is not None
    return waiting, accepted


def acknowledge(
    *, session: Session, viewer: Viewer, dispatch_id: int, version: int | None = None, note: str = ""
) -> AlertDispatch:
    """签收: a member of a unit holding a task on the event (the grid, or the unit it was escalated to) takes it on.
    Stops the escalation timer; the event's task is accepted through the state machine."""
    dispatch = get_dispatch(session=session, viewer=viewer, dispatch_id=dispatch_id, for_update=True)
    _check_version(dispatch, version)
    if dispatch.acknowledged_at is not None:
        raise Conflict("该告警已签收", code="alert_already_acknowledged")
    event = session.get(Event, dispatch.event_id)
    if event is None:
        raise NotFound("告警对应的事件不存在", code="event_not_found")
    waiting, accepted = _task_statuses(session, viewer, event)
    if not waiting and not accepted:
        raise Forbidden("只有承办网格或被升级单位的人员可以签收", code="not_alert_handler")
    if waiting:
        perform(
            session=session,
            viewer=viewer,
            event_id=event.id,
            request=ActionRequest(action=Action.ACCEPT, note=note.strip()[:500] or "感知告警签收"),
        )
    now = utcnow()
    dispatch.acknowledged_at = now
    dispatch.acknowledged_by_id = viewer.staff_id
    dispatch.history = [*dispatch.history, {"at": _stamp(now), "action": "acknowledged", "by": viewer.full_name}]
    jobs.cancel(session=session, dedupe_key=f"alert-dispatch:{dispatch.id}:ack:{_stamp(dispatch.ack_deadline)}")
    _audit(session, dispatch, viewer, "alert.acknowledged")
    session.flush()
    return dispatch


def _handler_step(
    *,
    session: Session,
    viewer: Viewer,
    dispatch_id: int,
    version: int | None,
    done: Callable[[AlertDispatch], bool],
    conflict: Conflict,
    what: str,
) -> tuple[AlertDispatch, Event]:
    """The common start of 到场 and the result: the dispatch locked and current, the step not yet recorded, the
    alert acknowledged first if nobody had, and the viewer of the unit that accepted the event's task."""
    dispatch = get_dispatch(session=session, viewer=viewer, dispatch_id=dispatch_id, for_update=True)
    _check_version(dispatch, version)
    if done(dispatch):
        raise conflict
    if dispatch.acknowledged_at is None:
        dispatch = acknowledge(session=session, viewer=viewer, dispatch_id=dispatch_id)
    event = session.get(Event, dispatch.event_id)
    assert event is not None
    _, accepted = _task_statuses(session, viewer, event)
    if not accepted:
        raise Forbidden(f"只有签收单位的人员可以记录{what}", code="not_alert_handler")
    return dispatch, event


def arrive(
    *, session: Session, viewer: Viewer, dispatch_id: int, version: int | None = None, note: str = ""
) -> AlertDispatch:
    """到场: recorded with the time and whether it was within the 三必到 deadline; acknowledges first if needed."""
    dispatch, event = _handler_step(
        session=session,
        viewer=viewer,
        dispatch_id=dispatch_id,
        version=version,
        done=lambda d: d.arrived_at is not None,
        conflict=Conflict("已记录到场", code="alert_already_arrived"),
        what="到场",
    )
    now = utcnow()
    late = now > dispatch.arrive_by
    _on_event(
        session=session,
        viewer=viewer,
        event=event,
        action=Action.HANDLE,
        note=(note.strip()[:400] or "已到达现场") + ("（超过到场时限）" if late else "（三必到）"),
    )
    dispatch.arrived_at = now
    dispatch.arrived_by_id = viewer.staff_id
    dispatch.arrived_late = late
    dispatch.history = [
        *dispatch.history,
        {"at": _stamp(now), "action": "arrived", "by": viewer.full_name, "late": late},
    ]
    jobs.cancel(session=session, dedupe_key=f"alert-dispatch:{dispatch.id}:arrive")
    _audit(session, dispatch, viewer, "alert.arrived", late=late)
    session.flush()
    return dispatch


def record_result(
    *,
    session: Session,
    viewer: Viewer,
    dispatch_id: int,
    result: AlertResult,
    note: str = "",
    version: int | None = None,
) -> AlertDispatch:
    """The result (real, false alarm, test): on the dispatch and the group (closing it), and reported back on the
    event, which then goes to its dispatcher for review and closure as usual."""
    dispatch, event = _handler_step(
        session=session,
        viewer=viewer,
        dispatch_id=dispatch_id,
        version=version,
        done=lambda d: d.result is not None,
        conflict=Conflict("已记录处置结果", code="alert_result_recorded"),
        what="处置结果",
    )
    text = note.strip()[:400]
    label = ALERT_RESULT_LABELS[result]
    _on_event(
        session=session,
        viewer=viewer,
        event=event,
        action=Action.REPORT_BACK,
        note=f"感知告警处置结果：{label}。{text}".rstrip("。") + "。",
    )
    now = utcnow()
    dispatch.result = result.value
    dispatch.result_at = now
    dispatch.result_by_id = viewer.staff_id
    dispatch.result_note = text or None
    dispatch.history = [
        *dispatch.history,
        {"at": _stamp(now), "action": "result", "by": viewer.full_name, "result": result.value},
    ]
    group = session.get(AlertGroup, dispatch.group_id)
    if group is not None:
        group.result = result.value
        group.status = GroupStatus.RESOLVED.value
        group.open_key = None
        group.closed_at = now
        group.updated_at = now
    jobs.cancel(session=session, dedupe_key=f"alert-dispatch:{dispatch.id}:arrive")
    _audit(session, dispatch, viewer, "alert.result", result=result.value)
    session.flush()
    return dispatch


def _on_event(*, session: Session, viewer: Viewer, event: Event, action: Action, note: str) -> None:
    """Record the step through the state machine. When only an escalated co-handling unit has accepted (the grid
    never did), the event is still "dispatched" and may not move: the step is then written to its timeline as it
    stands, so the record is complete either way."""
    try:
        perform(session=session, viewer=viewer, event_id=event.id, request=ActionRequest(action=action, note=note))
    except TransitionRefused:
        task = viewer_task(event, viewer, statuses={TaskStatus.ACCEPTED})
        event.actions.append(
            EventAction(
                county_code=event.county_code,
                action=action.value,
                from_status=event.status,
                to_status=event.status,
                actor_id=viewer.staff_id,
                actor_unit_id=task.unit_id if task is not None else viewer.primary_unit().unit_id,
                at=utcnow(),
                note=note,
                data={"co_handler": True},
            )
        )
        session.flush()


def _audit(session: Session, dispatch: AlertDispatch, viewer: Viewer, action: str, **detail: Any) -> None:
    audit.record(
        session=session,
        county_code=dispatch.county_code,
        actor_id=viewer.staff_id,
        action=action,
        entity_type="alert_dispatch",
        entity_id=dispatch.id,
        detail={"event_id": dispatch.event_id, **detail},
    )


def parse_result(value: str) -> AlertResult:
    try:
        return AlertResult(value)
    except ValueError:
        raise InvalidInput("处置结果应为真实警情、误报或测试", code="invalid_alert_result") from None
