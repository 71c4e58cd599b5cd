"""The whole transition table, walked: every action × status × relation is either allowed with the right target or
refused with the right error."""

from __future__ import annotations

import itertools

import pytest

from fengqiao.events.kinds import EventStatus
from fengqiao.events.lifecycle import (
    PRIMARY_TASK_TARGETS,
    RULES,
    Action,
    ActionForbidden,
    Relation,
    TransitionRefused,
    allowed_actions,
    decide,
)

CASES = list(itertools.product(RULES, EventStatus, Relation))


@pytest.mark.parametrize(("action", "status", "relation"), CASES, ids=lambda v: str(v))
def test_every_action_status_relation(action: Action, status: EventStatus, relation: Relation) -> None:
    rule = RULES[action]
    if status not in rule.sources:
        with pytest.raises(TransitionRefused) as refused:
            decide(action, status=status, relations={relation})
        assert refused.value.code == "transition_not_allowed"
        assert "不能" in refused.value.message
    elif relation not in rule.by:
        with pytest.raises(ActionForbidden) as forbidden:
            decide(action, status=status, relations={relation})
        assert forbidden.value.code == "action_forbidden"
        assert "无权" in forbidden.value.message
    else:
        expected = rule.target if rule.target is not None else status
        assert decide(action, status=status, relations={relation}) == expected


def test_the_main_loop_reaches_closed() -> None:
    status = decide(Action.DISPATCH, status=EventStatus.REGISTERED, relations={Relation.DISPATCHER})
    assert status == EventStatus.DISPATCHED
    # Accepting and reporting back are task-level: the rule keeps the status, the primary task moves the event.
    assert decide(Action.ACCEPT, status=status, relations={Relation.HANDLER}) == EventStatus.DISPATCHED
    status = PRIMARY_TASK_TARGETS[Action.ACCEPT]
    status = decide(Action.MEDIATE, status=status, relations={Relation.HANDLER})
    assert status == EventStatus.HANDLING
    assert decide(Action.REPORT_BACK, status=status, relations={Relation.HANDLER}) == EventStatus.HANDLING
    status = PRIMARY_TASK_TARGETS[Action.REPORT_BACK]
    status = decide(Action.REVIEW_PASS, status=status, relations={Relation.DISPATCHER})
    assert decide(Action.CLOSE, status=status, relations={Relation.DISPATCHER}) == EventStatus.CLOSED


def test_terminal_states_allow_nothing_but_nothing_at_all() -> None:
    for status in (EventStatus.MERGED, EventStatus.VOIDED):
        assert allowed_actions(status=status, relations=set(Relation)) == []


def test_system_actions_are_never_offered_to_people() -> None:
    offered = allowed_actions(status=EventStatus.HANDLING, relations=set(Relation))
    assert Action.OVERDUE not in offered
    assert Action.DEADLINE_WARNING not in offered


def test_recall_undoes_a_dispatch_only_before_acceptance() -> None:
    assert decide(Action.RECALL, status=EventStatus.DISPATCHED, relations={Relation.DISPATCHER}) == (
        EventStatus.REGISTERED
    )
    with pytest.raises(TransitionRefused):
        decide(Action.RECALL, status=EventStatus.ACCEPTED, relations={Relation.DISPATCHER})


def test_actions_the_system_may_also_take_are_offered_to_people() -> None:
    offered = allowed_actions(status=EventStatus.REGISTERED, relations={Relation.DISPATCHER})
    assert Action.DISPATCH in offered
    assert Action.ADD_CO_HANDLER in allowed_actions(status=EventStatus.ACCEPTED, relations={Relation.DISPATCHER})
