"""The closed loop (D1) in one place: which action may move an event from which status, to which, by whom.

Pure data and pure functions: no database here. ``events.service`` asks ``decide`` before every change and records
the action; the tests walk the whole table (every action × status × relation, allowed and forbidden).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from fengqiao.core.errors import Conflict, Forbidden
from fengqiao.events.kinds import EVENT_STATUS_LABELS, OPEN_STATUSES, EventStatus

S = EventStatus


class Action(StrEnum):
    REGISTER = "register"
    DISPATCH = "dispatch"
    RECALL = "recall"
    REASSIGN = "reassign"
    ACCEPT = "accept"
    RETURN = "return"
    HANDLE = "handle"
    MEDIATE = "mediate"
    REPORT_BACK = "report_back"
    REVIEW_PASS = "review_pass"
    REVIEW_FAIL = "review_fail"
    CLOSE = "close"
    ESCALATE = "escalate"
    ADD_CO_HANDLER = "add_co_handler"
    SUPERVISE = "supervise"
    MERGE = "merge"
    VOID = "void"
    CALLBACK = "callback"
    REOPEN = "reopen"
    RECLASSIFY = "reclassify"
    # Recorded by the worker, never requested by a person.
    DEADLINE_WARNING = "deadline_warning"
    OVERDUE = "overdue"


ACTION_LABELS: dict[Action, str] = {
    Action.REGISTER: "受理登记",
    Action.DISPATCH: "流转交办",
    Action.RECALL: "撤回流转",
    Action.REASSIGN: "改派",
    Action.ACCEPT: "签收",
    Action.RETURN: "退回",
    Action.HANDLE: "处置",
    Action.MEDIATE: "调解",
    Action.REPORT_BACK: "反馈",
    Action.REVIEW_PASS: "审核通过",
    Action.REVIEW_FAIL: "审核不通过",
    Action.CLOSE: "销号办结",
    Action.ESCALATE: "上报",
    Action.ADD_CO_HANDLER: "增加协办",
    Action.SUPERVISE: "督办",
    Action.MERGE: "合并",
    Action.VOID: "作废",
    Action.CALLBACK: "回访",
    Action.REOPEN: "重新办理",
    Action.RECLASSIFY: "更正分类",
    Action.DEADLINE_WARNING: "临期预警",
    Action.OVERDUE: "超期",
}


class Relation(StrEnum):
    """How an actor stands to an event; computed by the service from the actor's duty assignments."""

    DISPATCHER = "dispatcher"  # a dispatching post of the unit that owns the event now
    PRIMARY_HANDLER = "primary_handler"  # member of the unit holding the active primary task
    HANDLER = "handler"  # member of a unit holding any active task (primary, co-handling, joint)
    SUPERVISOR = "supervisor"  # county centre, or the town's inspection posts for its own events
    SYSTEM = "system"  # the worker


RELATION_LABELS: dict[Relation, str] = {
    Relation.DISPATCHER: "流转岗位",
    Relation.PRIMARY_HANDLER: "主办单位",
    Relation.HANDLER: "承办单位",
    Relation.SUPERVISOR: "督办岗位",
    Relation.SYSTEM: "系统",
}


@dataclass(frozen=True)
class Rule:
    sources: frozenset[EventStatus]
    target: EventStatus | None  # None: the status does not change
    by: frozenset[Relation]
    needs_note: bool = False  # a reason is required (return, void, failed review …)


def _rule(
    sources: set[EventStatus] | frozenset[EventStatus],
    target: EventStatus | None,
    *by: Relation,
    needs_note: bool = False,
) -> Rule:
    return Rule(frozenset(sources), target, frozenset(by), needs_note)


_D, _P, _H, _SUP, _SYS = (
    Relation.DISPATCHER,
    Relation.PRIMARY_HANDLER,
    Relation.HANDLER,
    Relation.SUPERVISOR,
    Relation.SYSTEM,
)
_IN_WORK = {S.DISPATCHED, S.ACCEPTED, S.HANDLING}
_NOT_DONE = set(OPEN_STATUSES) - {S.CLOSED}

RULES: dict[Action, Rule] = {
    # The system dispatches too: a suggestion the dispatch rules say to apply on their own (C3/C4).
    Action.DISPATCH: _rule({S.REGISTERED, S.RETURNED, S.ESCALATED}, S.DISPATCHED, _D, _SYS),
    # Undo a wrong dispatch while nobody has accepted it yet.
    Action.RECALL: _rule({S.DISPATCHED}, S.REGISTERED, _D),
    Action.REASSIGN: _rule(_IN_WORK, S.DISPATCHED, _D, needs_note=True),
    Action.ACCEPT: _rule({S.DISPATCHED, S.ACCEPTED, S.HANDLING}, None, _H),
    Action.RETURN: _rule({S.DISPATCHED, S.ACCEPTED}, S.RETURNED, _P, needs_note=True),
    Action.HANDLE: _rule({S.ACCEPTED, S.HANDLING}, S.HANDLING, _H, needs_note=True),
    Action.MEDIATE: _rule({S.ACCEPTED, S.HANDLING}, S.HANDLING, _H, needs_note=True),
    Action.REPORT_BACK: _rule({S.ACCEPTED, S.HANDLING}, None, _H, needs_note=True),
    Action.REVIEW_PASS: _rule({S.REPORTED_BACK}, S.REVIEWED, _D),
    Action.REVIEW_FAIL: _rule({S.REPORTED_BACK}, S.HANDLING, _D, needs_note=True),
    Action.CLOSE: _rule({S.REVIEWED}, S.CLOSED, _D),
    Action.ESCALATE: _rule(_IN_WORK | {S.REGISTERED}, S.ESCALATED, _P, _D, needs_note=True),
    Action.ADD_CO_HANDLER: _rule(_IN_WORK, None, _D, _SYS),
    Action.SUPERVISE: _rule(_NOT_DONE, None, _SUP, needs_note=True),
    Action.MERGE: _rule(_NOT_DONE, S.MERGED, _D, needs_note=True),
    Action.VOID: _rule({S.REGISTERED, S.DISPATCHED, S.RETURNED, S.ESCALATED}, S.VOIDED, _D, needs_note=True),
    Action.CALLBACK: _rule({S.CLOSED}, None, _D, _SUP),
    Action.REOPEN: _rule({S.CLOSED}, S.HANDLING, _D, _SUP, needs_note=True),
    Action.RECLASSIFY: _rule(_NOT_DONE, None, _D, _SUP),
    Action.DEADLINE_WARNING: _rule(_NOT_DONE, None, _SYS),
    Action.OVERDUE: _rule(_NOT_DONE, None, _SYS),
}

# Task-level actions move the event only when the primary task moves: accepting a co-handling task or reporting
# back on it leaves the event where it is.
PRIMARY_TASK_TARGETS: dict[Action, EventStatus] = {
    Action.ACCEPT: S.ACCEPTED,
    Action.REPORT_BACK: S.REPORTED_BACK,
}


class TransitionRefused(Conflict):
    code = "transition_not_allowed"


class ActionForbidden(Forbidden):
    code = "action_forbidden"


def decide(action: Action, *, status: EventStatus, relations: frozenset[Relation] | set[Relation]) -> EventStatus:
    """The status after ``action``, or an error saying in Chinese why it may not happen.

    The status check comes first: asking to close an open event is a conflict whoever asks; asking to close a
    reviewed event without being its dispatcher is forbidden.
    """
    rule = RULES.get(action)
    if rule is None:
        raise TransitionRefused(f"“{ACTION_LABELS[action]}”不能由用户发起")
    if status not in rule.sources:
        raise TransitionRefused(
            f"事件当前状态为“{EVENT_STATUS_LABELS[status]}”，不能{ACTION_LABELS[action]}",
            details={"status": status.value, "action": action.value},
        )
    if not rule.by & set(relations):
        allowed = "、".join(RELATION_LABELS[r] for r in sorted(rule.by))
        raise ActionForbidden(
            f"无权{ACTION_LABELS[action]}：仅{allowed}可以操作",
            details={"action": action.value, "allowed": sorted(r.value for r in rule.by)},
        )
    return rule.target if rule.target is not None else status


def allowed_actions(*, status: EventStatus, relations: frozenset[Relation] | set[Relation]) -> list[Action]:
    """What this actor may do now — the buttons a screen shows."""
    return [
        action
        for action, rule in RULES.items()
        if status in rule.sources and (rule.by - {Relation.SYSTEM}) & set(relations)
    ]
