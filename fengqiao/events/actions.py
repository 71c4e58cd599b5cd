"""Performing an action on an event: version check → relations → ``lifecycle.decide`` → the action's effect →
the timeline entry → the timers of the new step. ``perform`` is the one entry point; ``_apply`` the one dispatcher."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fengqiao.accounts.scope import Viewer
from fengqiao.core.clock import utcnow
from fengqiao.core.errors import Conflict, InvalidInput, NotFound
from fengqiao.events import timers
from fengqiao.events.deadlines import DeadlinePolicy, ResolvedLimits, default_policy, step_deadline
from fengqiao.events.kinds import (
    LEVEL_ORDER,
    EventStatus,
    HandlingLevel,
    Satisfaction,
    SupervisionLevel,
    TaskRole,
    TaskStatus,
)
from fengqiao.events.lifecycle import RULES, Action, Relation, decide
from fengqiao.events.models import Callback, Event, EventAction, EventTask, Supervision
from fengqiao.events.queries import get_visible_event
from fengqiao.events.relations import active_primary, active_tasks, relations_of, viewer_task
from fengqiao.jurisdiction.kinds import UnitKind
from fengqiao.jurisdiction.models import Unit
from fengqiao.workcalendar import WorkCalendar

_UNIT_LEVEL: dict[str, HandlingLevel] = {
    UnitKind.GRID.value: HandlingLevel.GRID,
    UnitKind.VILLAGE.value: HandlingLevel.VILLAGE,
    UnitKind.TOWN.value: HandlingLevel.TOWN,
    UnitKind.JOINT_STATION.value: HandlingLevel.TOWN,
    UnitKind.POLICE_STATION.value: HandlingLevel.TOWN,
    UnitKind.COUNTY.value: HandlingLevel.COUNTY,
    UnitKind.DEPARTMENT.value: HandlingLevel.COUNTY,
}
# Position of each level's code in a location path "county/town/village/grid/".
_PATH_INDEX: dict[HandlingLevel, int] = {
    HandlingLevel.COUNTY: 0,
    HandlingLevel.TOWN: 1,
    HandlingLevel.VILLAGE: 2,
    HandlingLevel.GRID: 3,
}
_SUPERVISION_RANK = {level: i for i, level in enumerate(SupervisionLevel)}


@dataclass
class ActionRequest:
    action: Action
    expected_version: int | None = None
    note: str | None = None
    target_unit_code: str | None = None
    joint_unit_code: str | None = None
    target_event_id: int | None = None
    supervision_level: SupervisionLevel | None = None
    satisfaction: Satisfaction | None = None
    callback_method: str = "phone"
    mediation: dict[str, Any] = field(default_factory=dict)
    category: str | None = None
    subcategory: str | None = None


@dataclass
class _Context:
    session: Session
    viewer: Viewer | None  # None: the system (rules applied by the worker)
    event: Event
    request: ActionRequest
    now: datetime
    policy: DeadlinePolicy
    calendar: WorkCalendar
    relations: frozenset[Relation]
    acting_unit_id: int | None = None
    data: dict[str, Any] = field(default_factory=dict)


def perform(
    *,
    session: Session,
    viewer: Viewer | None,
    event_id: int,
    request: ActionRequest,
    policy: DeadlinePolicy | None = None,
) -> Event:
    """Do ``request`` on the event as ``viewer`` — or as the system when ``viewer`` is None."""
    if viewer is None:
        found = session.scalars(select(Event).where(Event.id == event_id).with_for_update()).one_or_none()
        if found is None:
            raise NotFound(f"未找到事件{event_id}", code="event_not_found")
        event = found
    else:
        event = get_visible_event(session=session, viewer=viewer, event_id=event_id, for_update=True)
    if request.expected_version is not None and event.version != request.expected_version:
        raise Conflict(
            f"事件已被他人更新（当前版本{event.version}，您提交的版本{request.expected_version}），请刷新后重试",
            code="version_conflict",
            details={"current_version": event.version},
        )
    relations = (
        frozenset({Relation.SYSTEM}) if viewer is None else relations_of(session=session, viewer=viewer, event=event)
    )
    previous = EventStatus(event.status)
    target = decide(request.action, status=previous, relations=relations)
    if RULES[request.action].needs_note and not (request.note or "").strip():
        raise InvalidInput("请填写说明或原因", code="note_required")
    ctx = _Context(
        session=session,
        viewer=viewer,
        event=event,
        request=request,
        now=utcnow(),
        policy=policy or default_policy(),
        calendar=WorkCalendar.load(session=session, county_code=event.county_code),
        relations=relations,
    )
    target = _apply(ctx, target)
    event.status = target.value
    event.actions.append(
        EventAction(
            county_code=event.county_code,
            action=request.action.value,
            from_status=previous.value,
            to_status=target.value,
            actor_id=_actor_id(ctx),
            actor_unit_id=ctx.acting_unit_id or _acting_unit_id(ctx),
            at=ctx.now,
            note=(request.note or "").strip() or None,
            data=ctx.data or None,
        )
    )
    session.flush()
    timers.schedule_for(session=session, event=event)
    return event


def _actor_id(ctx: _Context) -> int | None:
    return ctx.viewer.staff_id if ctx.viewer is not None else None


def _acting_unit_id(ctx: _Context) -> int:
    return ctx.viewer.primary_unit().unit_id if ctx.viewer is not None else ctx.event.owner_unit_id


def _apply(ctx: _Context, target: EventStatus) -> EventStatus:
    """The effect of each action; returns the final status (callbacks may reopen)."""
    match ctx.request.action:
        case Action.DISPATCH:
            _dispatch(ctx)
        case Action.RECALL:
            _withdraw_active(ctx, note="撤回")
            _clear_step(ctx.event)
        case Action.REASSIGN:
            _withdraw_active(ctx, note="改派")
            _dispatch(ctx)
        case Action.ACCEPT:
            target = _accept(ctx, target)
        case Action.RETURN:
            task = _own_task(ctx, {TaskStatus.DISPATCHED, TaskStatus.ACCEPTED}, primary=True)
            task.status = TaskStatus.RETURNED.value
            task.finished_at = ctx.now
            _clear_step(ctx.event)
        case Action.HANDLE:
            _own_task(ctx, {TaskStatus.ACCEPTED}, primary=False)
        case Action.MEDIATE:
            _own_task(ctx, {TaskStatus.ACCEPTED}, primary=False)
            ctx.data["mediation"] = _mediation(ctx.request.mediation)
        case Action.REPORT_BACK:
            target = _report_back(ctx, target)
        case Action.REVIEW_PASS:
            for task in ctx.event.tasks:
                if task.status == TaskStatus.REPORTED_BACK.value:
                    task.status = TaskStatus.DONE.value
                    task.finished_at = ctx.now
            _clear_step(ctx.event)
            ctx.acting_unit_id = ctx.event.owner_unit_id
        case Action.REVIEW_FAIL:
            _reactivate_primary(ctx)
            ctx.acting_unit_id = ctx.event.owner_unit_id
        case Action.CLOSE:
            _finish_all(ctx)
            timers.resolve_supervisions(session=ctx.session, event=ctx.event)
            ctx.event.closed_at = ctx.now
            _clear_step(ctx.event)
            ctx.acting_unit_id = ctx.event.owner_unit_id
        case Action.ESCALATE:
            _escalate(ctx)
        case Action.ADD_CO_HANDLER:
            unit = _target_unit(ctx, required=True)
            _new_task(ctx, unit, TaskRole.CO_HANDLER)
            ctx.data["co_handler"] = unit.code
        case Action.SUPERVISE:
            _supervise(ctx)
        case Action.MERGE:
            _merge(ctx)
        case Action.VOID:
            _withdraw_active(ctx, note="作废")
            _clear_step(ctx.event)
        case Action.CALLBACK:
            target = _callback(ctx, target)
        case Action.REOPEN:
            _reopen(ctx)
        case Action.RECLASSIFY:
            if not ctx.request.category:
                raise InvalidInput("请选择分类", code="category_required")
            ctx.data.update(
                {
                    "from": [ctx.event.category, ctx.event.subcategory],
                    "to": [ctx.request.category, ctx.request.subcategory],
                }
            )
            ctx.event.category = ctx.request.category
            ctx.event.subcategory = ctx.request.subcategory
        case _:
            raise InvalidInput("不支持的操作", code="unsupported_action")
    return target


# --- dispatch and tasks -------------------------------------------------------------------------------------------


def _target_unit(ctx: _Context, *, required: bool, code: str | None = None) -> Unit:
    code = code or ctx.request.target_unit_code
    if not code:
        raise InvalidInput("请选择承办单位", code="target_unit_required")
    unit = ctx.session.scalars(select(Unit).where(Unit.code == code)).one_or_none()
    if unit is None:
        raise NotFound(f"未找到单位“{code}”", code="unit_not_found")
    owner = ctx.session.get(Unit, ctx.event.owner_unit_id)
    assert owner is not None
    county_wide = ctx.viewer is None or ctx.viewer.is_county_wide
    if not _may_dispatch_to(ctx.session, owner, unit, county_wide=county_wide):
        raise InvalidInput(f"“{unit.name}”不在“{owner.name}”的流转范围内", code="target_out_of_jurisdiction")
    return unit


def _may_dispatch_to(session: Session, owner: Unit, unit: Unit, *, county_wide: bool) -> bool:
    """A county dispatches anywhere in the county; a town within its territory, to its stations and to county
    departments; a village to itself and its grids."""
    if unit.county_code != owner.county_code:
        return False
    if county_wide or owner.kind == UnitKind.COUNTY.value:
        return True
    if unit.path.startswith(owner.path):
        return True
    if owner.kind == UnitKind.TOWN.value:
        if unit.kind == UnitKind.DEPARTMENT.value:
            return True
        if unit.kind == UnitKind.JOINT_STATION.value:
            return unit.parent_id == owner.id
        if unit.kind == UnitKind.POLICE_STATION.value:
            served = session.scalars(
                select(Unit.id).where(Unit.police_station_id == unit.id, Unit.parent_id == owner.id).limit(1)
            ).first()
            return served is not None
    return False


def _limits(ctx: _Context, level: HandlingLevel | None) -> ResolvedLimits:
    return ctx.policy.limits_for(category=ctx.event.category, level=level)


def _new_task(ctx: _Context, unit: Unit, role: TaskRole) -> EventTask:
    level = _UNIT_LEVEL[unit.kind]
    limits = _limits(ctx, level)
    accept = step_deadline(
        calendar=ctx.calendar, start=ctx.now, hours=limits.accept_hours, warning_ratio=limits.warning_ratio
    )
    task = EventTask(
        county_code=ctx.event.county_code,
        unit_id=unit.id,
        role=role.value,
        status=TaskStatus.DISPATCHED.value,
        dispatched_by_id=_actor_id(ctx),
        dispatched_at=ctx.now,
        accept_deadline=accept.deadline,
    )
    ctx.event.tasks.append(task)
    if role == TaskRole.PRIMARY:
        ctx.event.level = level.value
        ctx.event.deadline_policy = limits.model_dump()
        _set_step(ctx.event, accept.deadline, accept.warning_at)
    return task


def _dispatch(ctx: _Context) -> None:
    unit = _target_unit(ctx, required=True)
    _new_task(ctx, unit, TaskRole.PRIMARY)
    ctx.data["target_unit"] = unit.code
    suggested = ((ctx.event.triage or {}).get("suggestion") or {}).get("primary")
    if suggested and suggested != unit.code:
        # A dispatcher overruled triage: kept in the timeline, and a signal for tuning the rules.
        ctx.data["overrides_suggestion"] = suggested
    ctx.acting_unit_id = ctx.event.owner_unit_id
    if ctx.request.joint_unit_code:
        joint = _target_unit(ctx, required=True, code=ctx.request.joint_unit_code)
        _new_task(ctx, joint, TaskRole.JOINT)
        ctx.data["joint_unit"] = joint.code


def _withdraw_active(ctx: _Context, *, note: str) -> None:
    for task in active_tasks(ctx.event):
        task.status = TaskStatus.WITHDRAWN.value
        task.finished_at = ctx.now
        task.note = note
    ctx.acting_unit_id = ctx.event.owner_unit_id


def _own_task(ctx: _Context, statuses: set[TaskStatus], *, primary: bool) -> EventTask:
    task = viewer_task(ctx.event, ctx.viewer, statuses=statuses) if ctx.viewer is not None else None
    if task is None or (primary and task.role != TaskRole.PRIMARY.value):
        raise Conflict("您所在单位没有可办理的任务", code="no_task_for_unit")
    ctx.acting_unit_id = task.unit_id
    return task


def _accept(ctx: _Context, target: EventStatus) -> EventStatus:
    task = _own_task(ctx, {TaskStatus.DISPATCHED}, primary=False)
    task.status = TaskStatus.ACCEPTED.value
    task.accepted_at = ctx.now
    task.accepted_by_id = _actor_id(ctx)
    if task.role != TaskRole.PRIMARY.value:
        return target
    limits = _limits(ctx, HandlingLevel(ctx.event.level) if ctx.event.level else None)
    handle = step_deadline(
        calendar=ctx.calendar, start=ctx.now, days=limits.handle_days, warning_ratio=limits.warning_ratio
    )
    task.handle_deadline = handle.deadline
    _set_step(ctx.event, handle.deadline, handle.warning_at)
    return EventStatus.ACCEPTED


def _report_back(ctx: _Context, target: EventStatus) -> EventStatus:
    task = _own_task(ctx, {TaskStatus.ACCEPTED}, primary=False)
    task.status = TaskStatus.REPORTED_BACK.value
    task.reported_back_at = ctx.now
    if task.role != TaskRole.PRIMARY.value:
        return target
    limits = _limits(ctx, HandlingLevel(ctx.event.level) if ctx.event.level else None)
    review = step_deadline(
        calendar=ctx.calendar, start=ctx.now, days=limits.review_days, warning_ratio=limits.warning_ratio
    )
    _set_step(ctx.event, review.deadline, review.warning_at)
    return EventStatus.REPORTED_BACK


def _reactivate_primary(ctx: _Context) -> None:
    """Send the event back to the unit that last held the primary task (failed review, dissatisfied callback)."""
    last = next((t for t in reversed(ctx.event.tasks) if t.role == TaskRole.PRIMARY.value), None)
    if last is None:
        raise Conflict("事件没有主办单位，无法重新办理", code="no_primary_task")
    limits = _limits(ctx, HandlingLevel(ctx.event.level) if ctx.event.level else None)
    rework = step_deadline(
        calendar=ctx.calendar, start=ctx.now, days=limits.rework_days, warning_ratio=limits.warning_ratio
    )
    last.status = TaskStatus.ACCEPTED.value
    last.finished_at = None
    last.handle_deadline = rework.deadline
    _set_step(ctx.event, rework.deadline, rework.warning_at)
    ctx.event.closed_at = None


def _finish_all(ctx: _Context) -> None:
    for task in ctx.event.tasks:
        if task.status in (TaskStatus.DISPATCHED.value, TaskStatus.ACCEPTED.value, TaskStatus.REPORTED_BACK.value):
            task.status = TaskStatus.DONE.value
            task.finished_at = ctx.now


def _mediation(raw: dict[str, Any]) -> dict[str, Any]:
    outcome = raw.get("outcome", "ongoing")
    if outcome not in ("success", "failed", "ongoing"):
        raise InvalidInput("调解结果应为 success、failed 或 ongoing", code="invalid_mediation_outcome")
    mediators = raw.get("mediators") or []
    if not isinstance(mediators, list) or not all(isinstance(m, str) for m in mediators):
        raise InvalidInput("调解员应为姓名列表", code="invalid_mediators")
    return {"outcome": outcome, "mediators": mediators, "agreement": raw.get("agreement")}


# --- escalation ---------------------------------------------------------------------------------------------------


def _current_level(ctx: _Context) -> HandlingLevel:
    primary = active_primary(ctx.event)
    if primary is not None:
        unit = ctx.session.get(Unit, primary.unit_id)
        assert unit is not None
        return _UNIT_LEVEL[unit.kind]
    owner = ctx.session.get(Unit, ctx.event.owner_unit_id)
    assert owner is not None
    return _UNIT_LEVEL[owner.kind]


def _escalate(ctx: _Context) -> None:
    current = _current_level(ctx)
    if current == HandlingLevel.COUNTY:
        raise Conflict("事件已在县(市)级办理，无法继续上报", code="already_at_top")
    codes = [c for c in ctx.event.location_path.split("/") if c]
    next_level = LEVEL_ORDER[LEVEL_ORDER.index(current) + 1]
    # Climb to the nearest level above that the event's location names (a town-level location skips village).
    while _PATH_INDEX[next_level] >= len(codes):
        next_level = LEVEL_ORDER[LEVEL_ORDER.index(next_level) + 1]
    if (
        ctx.event.is_dispute
        and next_level in (HandlingLevel.TOWN, HandlingLevel.COUNTY)
        and not _village_mediation_attempted(ctx)
    ):
        raise Conflict("矛盾纠纷未经村(社区)级调解，不得上推", code="village_mediation_required")
    new_owner = ctx.session.scalars(select(Unit).where(Unit.code == codes[_PATH_INDEX[next_level]])).one()
    primary = active_primary(ctx.event)
    ctx.acting_unit_id = primary.unit_id if primary else ctx.event.owner_unit_id
    _withdraw_active(ctx, note="上报")
    ctx.acting_unit_id = primary.unit_id if primary else ctx.acting_unit_id
    ctx.data.update({"from_level": current.value, "to_level": next_level.value, "to_unit": new_owner.code})
    ctx.event.owner_unit_id = new_owner.id
    ctx.event.level = next_level.value
    _clear_step(ctx.event)


def _village_mediation_attempted(ctx: _Context) -> bool:
    """A mediation recorded by a village or one of its grids (C3: 未经村本级调解不得随意上推)."""
    for entry in ctx.event.actions:
        if entry.action != Action.MEDIATE.value or entry.actor_unit_id is None:
            continue
        unit = ctx.session.get(Unit, entry.actor_unit_id)
        if unit is not None and unit.kind in (UnitKind.VILLAGE.value, UnitKind.GRID.value):
            return True
    return False


# --- supervision, merge, callback ---------------------------------------------------------------------------------


def _supervise(ctx: _Context) -> None:
    level = ctx.request.supervision_level or SupervisionLevel.NORMAL
    limits = ctx.policy.supervision[level]
    primary = active_primary(ctx.event)
    deadline = ctx.calendar.add_working_days(ctx.now, limits.days)
    supervision = Supervision(
        county_code=ctx.event.county_code,
        event_id=ctx.event.id,
        level=level.value,
        reason=(ctx.request.note or "").strip(),
        by_id=_actor_id(ctx),
        by_unit_id=_acting_unit_id(ctx),
        target_unit_id=primary.unit_id if primary else ctx.event.owner_unit_id,
        deadline=deadline,
        created_at=ctx.now,
    )
    ctx.session.add(supervision)
    ctx.session.flush()
    current = ctx.event.supervision_level
    if current is None or _SUPERVISION_RANK[SupervisionLevel(current)] < _SUPERVISION_RANK[level]:
        ctx.event.supervision_level = level.value
    ctx.data.update({"level": level.value, "deadline": deadline.isoformat(), "supervision_id": supervision.id})
    timers.schedule_supervision(session=ctx.session, supervision=supervision, reminder_days=limits.reminder_days)


def _merge(ctx: _Context) -> None:
    target_id = ctx.request.target_event_id
    if target_id is None:
        raise InvalidInput("请选择合并到的事件", code="merge_target_required")
    if target_id == ctx.event.id:
        raise InvalidInput("不能将事件合并到自身", code="merge_into_self")
    if ctx.viewer is None:
        raise InvalidInput("合并须由流转岗位操作", code="merge_needs_a_person")
    target = get_visible_event(session=ctx.session, viewer=ctx.viewer, event_id=target_id)
    if target.status in (EventStatus.MERGED.value, EventStatus.VOIDED.value):
        raise Conflict("目标事件已合并或作废，不能合并到该事件", code="merge_target_closed")
    _withdraw_active(ctx, note="合并")
    _clear_step(ctx.event)
    ctx.event.merged_into_id = target.id
    ctx.data["merged_into"] = target.id
    target.actions.append(
        EventAction(
            county_code=target.county_code,
            action=Action.MERGE.value,
            from_status=target.status,
            to_status=target.status,
            actor_id=_actor_id(ctx),
            actor_unit_id=ctx.event.owner_unit_id,
            at=ctx.now,
            note=f"并入重复事件 {ctx.event.dispute_code}",
            data={"merged_from": ctx.event.id},
        )
    )


def _callback(ctx: _Context, target: EventStatus) -> EventStatus:
    satisfaction = ctx.request.satisfaction
    if satisfaction is None:
        raise InvalidInput("请选择满意度", code="satisfaction_required")
    ctx.session.add(
        Callback(
            county_code=ctx.event.county_code,
            event_id=ctx.event.id,
            satisfaction=satisfaction.value,
            comment=(ctx.request.note or "").strip() or None,
            method=ctx.request.callback_method,
            by_id=_actor_id(ctx),
            at=ctx.now,
        )
    )
    ctx.data["satisfaction"] = satisfaction.value
    if satisfaction != Satisfaction.DISSATISFIED:
        return target
    reopens = sum(1 for a in ctx.event.actions if a.action == Action.CALLBACK.value and (a.data or {}).get("reopened"))
    if reopens >= ctx.policy.callback.max_reopens:
        ctx.data["reopened"] = False
        return target
    _reactivate_primary(ctx)
    ctx.data["reopened"] = True
    return EventStatus.HANDLING


def _reopen(ctx: _Context) -> None:
    _reactivate_primary(ctx)


# --- step deadlines -----------------------------------------------------------------------------------------------


def _set_step(event: Event, deadline: datetime, warning_at: datetime) -> None:
    event.step_deadline = deadline
    event.warning_at = warning_at
    event.is_overdue = False
    event.overdue_since = None


def _clear_step(event: Event) -> None:
    event.step_deadline = None
    event.warning_at = None
    event.is_overdue = False
    event.overdue_since = None
