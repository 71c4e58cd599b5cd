"""How staff and citizens behave: from an event's state, what happens to it next, who does it, and when.

Every decision is drawn from a random stream keyed by the seed, the event's source id and how many actions people
have taken on it so far. The next step is therefore a pure function of the event's state — which is what makes a
simulation resumable: a resumed run computes the same next steps from the database as an uninterrupted one kept in
memory. System actions (yellow light, overdue) are left out of the key: they land between steps on their own timers.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from fengqiao.accounts.scope import Viewer
from fengqiao.events.actions import ActionRequest
from fengqiao.events.kinds import (
    ACTIVE_TASK_STATUSES,
    EventStatus,
    Satisfaction,
    SupervisionLevel,
    TaskRole,
    TaskStatus,
)
from fengqiao.events.lifecycle import Action
from fengqiao.events.models import Event, EventAction, EventTask
from fengqiao.jurisdiction.kinds import UnitKind
from fengqiao.jurisdiction.models import Unit
from fengqiao.triage.taxonomy import default_taxonomy
from fengqiao.workcalendar import WorkCalendar

from .volumes import LEVEL_SPLIT, UNRESOLVED
from .world import DISPATCHERS, HANDLERS, SUPERVISORS, World

SYSTEM_ACTIONS = frozenset({Action.DEADLINE_WARNING.value, Action.OVERDUE.value, Action.REGISTER.value})

# Rank of the level an event is solved at: grid and village count as the village level (村级化解).
_RANK = {
    UnitKind.GRID.value: 0,
    UnitKind.VILLAGE.value: 0,
    UnitKind.TOWN.value: 1,
    UnitKind.JOINT_STATION.value: 1,
    UnitKind.POLICE_STATION.value: 1,
    UnitKind.COUNTY.value: 2,
    UnitKind.DEPARTMENT.value: 2,
}
_LEVEL_RANK = {"village": 0, "town": 1, "county": 2}


class StepKind(StrEnum):
    ACT = "act"  # an action through events.actions.perform
    REPEAT = "repeat"  # the citizen complains again: a new event


@dataclass(frozen=True)
class Plan:
    """What will become of an event, decided once from its source id."""

    target: int  # rank of the level it is resolved at (disputes); -1: wherever it is first sent
    direct: bool  # a dispatcher sends a hard matter straight to the town
    satisfaction: tuple[Satisfaction, ...]  # answers at successive callbacks
    repeat: bool  # the citizen reports the same matter again after closure
    pace: float  # how quickly this matter moves (hard cases drag)
    unresolved: bool = False  # a dispute mediation never settles: it stays open, under supervision


def plan_for(*, seed: int, source_id: str, is_dispute: bool) -> Plan:
    rng = random.Random(f"{seed}|{source_id}|plan")
    draw = rng.random()
    if is_dispute:
        target = 0 if draw < LEVEL_SPLIT["village"] else (1 if draw < 1 - LEVEL_SPLIT["county"] else 2)
    else:
        target = -1
    answers = []
    for _ in range(3):
        x = rng.random()
        answers.append(
            Satisfaction.DISSATISFIED if x < 0.035 else Satisfaction.BASICALLY if x < 0.2 else Satisfaction.SATISFIED
        )
    return Plan(
        target=target,
        direct=target == 1 and rng.random() < 0.4,
        satisfaction=tuple(answers),
        repeat=rng.random() < 0.03,
        pace=math.exp(rng.gauss(0, 0.35)),
        # Drawn last, so the draws above stay what they were before this was modelled.
        unresolved=is_dispute and rng.random() < UNRESOLVED,
    )


@dataclass(frozen=True)
class Step:
    at: datetime
    event_id: int
    kind: StepKind
    viewer: Viewer | None
    request: ActionRequest | None
    key: int  # the count of people's actions the step was computed at: a step that finds another count is stale
    label: str


def people_actions(event: Event) -> list[EventAction]:
    return [a for a in event.actions if a.action not in SYSTEM_ACTIONS]


def _hours(rng: random.Random, median: float, spread: float = 0.6) -> float:
    return max(0.05, median * math.exp(rng.gauss(0, spread)))


def _since_last_dispatch(event: Event) -> list[EventAction]:
    actions = people_actions(event)
    for i in range(len(actions) - 1, -1, -1):
        if actions[i].action in (Action.DISPATCH.value, Action.REASSIGN.value):
            return actions[i + 1 :]
    return actions


class Behaviour:
    def __init__(self, *, world: World, seed: int, calendar: WorkCalendar) -> None:
        self.world = world
        self.seed = seed
        self.calendar = calendar

    def _later(self, start: datetime, hours: float) -> datetime:
        return self.calendar.add_working_hours(start, hours)

    def next_step(self, event: Event) -> Step | None:
        """The next thing people do to ``event``, or None when nothing more will happen to it."""
        main = self._main_step(event)
        if main is None or event.source_id is None:
            return main
        # When a step ran late the timer opened a supervision (recorded by the system); the town's inspector often
        # follows it up in person with a 督办 note before the handler gets round to it.
        actions = people_actions(event)
        last = actions[-1] if actions else None
        rng = random.Random(f"{self.seed}|{event.source_id}|{len(actions)}|supervise")
        if (
            last is not None
            and last.action == Action.SUPERVISE.value
            and last.actor_id is None
            and event.status in (EventStatus.DISPATCHED.value, EventStatus.ACCEPTED.value, EventStatus.HANDLING.value)
            and rng.random() < 0.4
        ):
            supervisor = self._supervisor(rng, event)
            at = self._later(last.at, rng.uniform(0.5, 4.0))
            if supervisor is not None and at < main.at:
                note = rng.choice(("请加快办理进度", "已超期，请于规定时间内办结反馈", "群众反映强烈，请尽快化解"))
                request = ActionRequest(Action.SUPERVISE, note=note, supervision_level=SupervisionLevel.NORMAL)
                return Step(at, event.id, StepKind.ACT, supervisor, request, main.key, "supervise")
        return main

    def _main_step(self, event: Event) -> Step | None:
        if event.source_id is None:
            return None
        actions = people_actions(event)
        key = len(actions)
        rng = random.Random(f"{self.seed}|{event.source_id}|{key}")
        plan = plan_for(seed=self.seed, source_id=event.source_id, is_dispute=bool(event.is_dispute))
        last = actions[-1] if actions else None
        base = last.at if last is not None else event.registered_at
        status = EventStatus(event.status)
        owner = self.world.units[event.owner_unit_id]
        world = self.world

        def act(hours: float, viewer: Viewer | None, request: ActionRequest, label: str) -> Step | None:
            if viewer is None:
                return None
            at = self._later(base, hours * plan.pace)
            return Step(at, event.id, StepKind.ACT, viewer, request, key, label)

        primary = next(
            (
                t
                for t in event.tasks
                if t.role == TaskRole.PRIMARY.value and TaskStatus(t.status) in ACTIVE_TASK_STATUSES
            ),
            None,
        )
        hurry = 0.3 if last is not None and last.action == Action.SUPERVISE.value else 1.0

        match status:
            case EventStatus.REGISTERED | EventStatus.RETURNED | EventStatus.ESCALATED:
                target = self._dispatch_target(rng, event, plan, owner)
                if target is None:
                    return None
                return act(
                    _hours(rng, 1.2),
                    world.pick(rng, owner.id, DISPATCHERS),
                    ActionRequest(Action.DISPATCH, target_unit_code=target.code, note=_dispatch_note(rng, target)),
                    "dispatch",
                )
            case EventStatus.DISPATCHED:
                if primary is None:
                    return None
                unit = world.units[primary.unit_id]
                handler = world.pick(rng, unit.id, HANDLERS)
                limit = _accept_limit(primary, event)
                returns = sum(1 for a in actions if a.action == Action.RETURN.value)
                if (plan.target >= 0 and _RANK[unit.kind] > plan.target and returns < 2) or (
                    returns == 0 and rng.random() < 0.03
                ):
                    return act(
                        _hours(rng, 1.0),
                        handler,
                        ActionRequest(Action.RETURN, note=rng.choice(_RETURN_NOTES)),
                        "return",
                    )
                # Most accept within the hour; a few leave it lying past the limit (签收超时).
                late = rng.random() < 0.03
                hours = limit * rng.uniform(1.2, 3.0) if late else _hours(rng, min(1.0, limit * 0.2), 0.5)
                return act(hours / plan.pace, handler, ActionRequest(Action.ACCEPT), "accept")
            case EventStatus.ACCEPTED | EventStatus.HANDLING:
                if primary is None:
                    return None
                unit = world.units[primary.unit_id]
                handler = world.pick(rng, unit.id, HANDLERS)
                rank = _RANK[unit.kind]
                done_here = _since_last_dispatch(event)
                tried = any(a.action in (Action.MEDIATE.value, Action.HANDLE.value) for a in done_here)
                handle_hours = _handle_limit_hours(event)

                def failed_mediation() -> Step | None:
                    return act(
                        _hours(rng, handle_hours * 0.25, 0.5) * hurry,
                        handler,
                        ActionRequest(
                            Action.MEDIATE,
                            note=rng.choice(_FAILED_MEDIATION),
                            mediation={"outcome": "failed", "mediators": [handler.full_name] if handler else []},
                        ),
                        "mediate_failed",
                    )

                if plan.target > rank:
                    if not tried:
                        return failed_mediation()
                    return act(
                        _hours(rng, 3.0),
                        handler,
                        ActionRequest(Action.ESCALATE, note=rng.choice(_ESCALATE_NOTES)),
                        "escalate",
                    )
                if plan.unresolved:
                    if tried:
                        return None  # mediation failed where it should have settled: left open, under supervision
                    return failed_mediation()
                if not tried:
                    late = rng.random() < 0.03
                    hours = handle_hours * rng.uniform(1.1, 2.0) if late else _hours(rng, handle_hours * 0.25, 0.5)
                    if event.is_dispute:
                        request = ActionRequest(
                            Action.MEDIATE,
                            note=rng.choice(_MEDIATION_NOTES),
                            mediation={
                                "outcome": "success",
                                "mediators": [handler.full_name] if handler else [],
                                "agreement": rng.choice(_AGREEMENTS),
                            },
                        )
                        return act(hours * hurry, handler, request, "mediate")
                    return act(
                        hours * hurry,
                        handler,
                        ActionRequest(Action.HANDLE, note=rng.choice(_HANDLE_NOTES)),
                        "handle",
                    )
                return act(
                    _hours(rng, 1.5),
                    handler,
                    ActionRequest(Action.REPORT_BACK, note=rng.choice(_REPORT_NOTES)),
                    "report_back",
                )
            case EventStatus.REPORTED_BACK:
                dispatcher = world.pick(rng, owner.id, DISPATCHERS)
                fails = sum(1 for a in actions if a.action == Action.REVIEW_FAIL.value)
                if fails == 0 and rng.random() < 0.04:
                    return act(
                        _hours(rng, 3.0),
                        dispatcher,
                        ActionRequest(Action.REVIEW_FAIL, note=rng.choice(_REVIEW_FAIL_NOTES)),
                        "review_fail",
                    )
                return act(_hours(rng, 3.0), dispatcher, ActionRequest(Action.REVIEW_PASS), "review")
            case EventStatus.REVIEWED:
                return act(
                    _hours(rng, 0.6),
                    world.pick(rng, owner.id, DISPATCHERS),
                    ActionRequest(Action.CLOSE, note="已办结"),
                    "close",
                )
            case EventStatus.CLOSED:
                callbacks = sum(1 for a in actions if a.action == Action.CALLBACK.value)
                closes = sum(1 for a in actions if a.action == Action.CLOSE.value)
                if callbacks < closes:
                    answer = plan.satisfaction[min(callbacks, len(plan.satisfaction) - 1)]
                    at = self._later(self.calendar.add_working_days(base, 1) - timedelta(hours=15), _hours(rng, 2.0))
                    return Step(
                        at,
                        event.id,
                        StepKind.ACT,
                        world.pick(rng, owner.id, DISPATCHERS),
                        ActionRequest(
                            Action.CALLBACK,
                            satisfaction=answer,
                            note=rng.choice(_CALLBACK_NOTES[answer]),
                            callback_method=rng.choice(("phone", "phone", "phone", "visit", "sms")),
                        ),
                        key,
                        "callback",
                    )
                if plan.repeat and not event.source_id.endswith("-R"):
                    at = base + timedelta(days=rng.uniform(3, 25))
                    return Step(at, event.id, StepKind.REPEAT, None, None, key, "repeat")
                return None
        return None

    def _supervisor(self, rng: random.Random, event: Event) -> Viewer | None:
        codes = [c for c in event.location_path.split("/") if c]
        if len(codes) >= 2 and codes[1] in self.world.by_code and rng.random() < 0.8:
            return self.world.pick(rng, self.world.by_code[codes[1]].id, SUPERVISORS)
        return self.world.pick(rng, self.world.county.id, SUPERVISORS)

    def _dispatch_target(self, rng: random.Random, event: Event, plan: Plan, owner: Unit) -> Unit | None:
        world = self.world
        codes = [c for c in event.location_path.split("/") if c]
        town = world.by_code.get(codes[1]) if len(codes) > 1 else None
        village = world.by_code.get(codes[2]) if len(codes) > 2 else None
        grid = world.by_code.get(codes[3]) if len(codes) > 3 else None
        if village is None and owner.kind not in (UnitKind.VILLAGE.value, UnitKind.GRID.value):
            # Not placed down to a village by the address matcher: the dispatcher learns from the report (or a call
            # back) where it is, rather than keeping a village matter at the county or the town.
            named = world.unit_named_in(event.address, *(p.address for p in event.parties), event.content)
            named_codes = [c for c in named.path.split("/") if c] if named is not None else []
            if town is None:
                if len(named_codes) < 2:
                    named_codes = [c for c in rng.choice(world.towns()).path.split("/") if c]
                town = world.by_code.get(named_codes[1])
            if town is not None and len(named_codes) > 2 and named_codes[1] == town.code:
                village = world.by_code.get(named_codes[2])
        suggested = ((event.triage or {}).get("suggestion") or {}).get("primary")
        suggested_unit = world.by_code.get(suggested) if suggested else None
        escalated_here = event.status == EventStatus.ESCALATED.value
        local = (
            grid
            if grid is not None
            and ((suggested_unit is not None and suggested_unit.kind == UnitKind.GRID.value) or rng.random() < 0.4)
            else village
        )
        match owner.kind:
            case UnitKind.VILLAGE.value | UnitKind.GRID.value:
                return owner if escalated_here else (local or owner)
            case UnitKind.TOWN.value:
                if escalated_here or (plan.direct and event.status == EventStatus.REGISTERED.value):
                    return owner
                if plan.target < 0 and suggested_unit is not None and _RANK[suggested_unit.kind] >= 1:
                    return suggested_unit if suggested_unit.path.startswith(owner.path) else owner
                return local or owner
            case _:
                if escalated_here:
                    return self._department(event) or owner
                if plan.direct and event.status == EventStatus.REGISTERED.value and town is not None:
                    return town
                if plan.target < 0 and suggested_unit is not None:
                    return suggested_unit
                return local or town or owner

    def _department(self, event: Event) -> Unit | None:
        taxonomy = default_taxonomy()
        code = subcategory_code(event)
        if code is not None and code in taxonomy.subcategories:
            return self.world.departments_by_name.get(taxonomy.subcategory(code).department)
        return None


def subcategory_code(event: Event) -> str | None:
    """The dotted taxonomy code of the event's subcategory (stored dotted; tolerate the short form)."""
    if not event.subcategory:
        return None
    if "." in event.subcategory:
        return event.subcategory
    return f"{event.category}.{event.subcategory}" if event.category else None


def _accept_limit(task: EventTask, event: Event) -> float:
    return float((event.deadline_policy or {}).get("accept_hours") or 4.0)


def _handle_limit_hours(event: Event) -> float:
    return float((event.deadline_policy or {}).get("handle_days") or 5) * 7.5


def _dispatch_note(rng: random.Random, unit: Unit) -> str:
    return rng.choice((f"请{unit.name}签收办理", f"转{unit.name}调处", f"属地{unit.name}负责，按时反馈", ""))


_RETURN_NOTES = (
    "属地不符，应由属地村（社区）先行调处",
    "不属于本单位职责范围，请重新流转",
    "权属不清，请核实后再派",
    "属地村（社区）先行调解，未果再上报",
)
_FAILED_MEDIATION = (
    "组织双方调解，分歧较大未能达成一致",
    "当事人拒绝接受调解方案",
    "两次上门调解，双方各执一词，调解未果",
    "涉及金额较大、证据复杂，村级调解未成功",
)
_ESCALATE_NOTES = (
    "村级调解未果，申请上报镇（街道）综合信息指挥室",
    "矛盾有激化苗头，需上级协调相关部门",
    "涉及多个部门职责，申请上报协调",
)
_MEDIATION_NOTES = (
    "组织双方面对面调解",
    "联合村调委会、网格员上门调解",
    "邀请乡贤参与调解",
    "与双方分别沟通后达成一致",
    "民警、网格员联合调处",
)
_AGREEMENTS = (
    "双方达成口头协议，当场履行",
    "签订人民调解协议书，约定分期履行",
    "一方赔礼道歉并赔偿损失，另一方表示谅解",
    "双方约定互谅互让，不再发生争执",
    "款项已当场结清",
)
_HANDLE_NOTES = ("已到现场核实处置", "已联系相关单位整改", "已答复来电人", "已清理完毕", "已责令限期整改")
_REPORT_NOTES = (
    "已处置完毕，当事人认可",
    "矛盾已化解，请审核",
    "问题已解决，附现场照片",
    "已按要求办结，当事人表示满意",
    "已整改到位",
)
_REVIEW_FAIL_NOTES = ("反馈内容不完整，请补充调解协议", "现场照片未上传，请补充", "当事人表示问题未解决，请继续办理")
_CALLBACK_NOTES = {
    Satisfaction.SATISFIED: ("当事人对处理结果满意", "群众表示满意，感谢及时处理", "满意"),
    Satisfaction.BASICALLY: ("基本满意，希望今后加强巡查", "基本满意，处理时间稍长", "基本满意"),
    Satisfaction.DISSATISFIED: ("当事人表示问题没有真正解决", "不满意，对方未按协议履行", "不满意处理结果"),
}
