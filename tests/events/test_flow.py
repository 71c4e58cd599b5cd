"""The closed loop through the service layer, side paths included."""

from __future__ import annotations

import pytest

from fengqiao.core.errors import Conflict, InvalidInput, NotFound
from fengqiao.events import intake
from fengqiao.events.actions import ActionRequest, perform
from fengqiao.events.kinds import Channel, EventStatus, HandlingLevel, Satisfaction, TaskStatus
from fengqiao.events.lifecycle import Action, ActionForbidden
from fengqiao.events.models import Event
from tests.events.world import World


def _register(world: World, *, is_dispute: bool = True, grid_code: str | None = None) -> Event:
    new = intake.NewEvent(
        channel=Channel.FRONT_DESK,
        title="邻里漏水纠纷",
        content="楼上卫生间漏水至楼下，协商未果",
        is_dispute=is_dispute,
        unit_code=grid_code or world.grid.code,
        reporter_name="陈海燕",
        reporter_phone="13905761234",
    )
    return intake.register(session=world.session, new=new, registering_unit=world.town).event


def _do(world: World, who: str, event: Event, action: Action, **kwargs: object) -> Event:
    request = ActionRequest(action=action, expected_version=event.version, **kwargs)  # type: ignore[arg-type]
    return perform(session=world.session, viewer=world.viewer(who), event_id=event.id, request=request)


def test_full_loop_with_deadlines_and_timeline(world: World) -> None:
    event = _register(world)
    assert event.status == EventStatus.REGISTERED
    assert event.owner_unit_id == world.town.id
    assert event.location_path == world.grid.path
    event = _do(world, "town_dispatcher", event, Action.DISPATCH, target_unit_code=world.grid.code)
    assert event.status == EventStatus.DISPATCHED
    assert event.level == HandlingLevel.GRID
    assert event.step_deadline is not None
    accept_deadline = event.step_deadline
    event = _do(world, "grid_worker", event, Action.ACCEPT)
    assert event.status == EventStatus.ACCEPTED
    assert event.step_deadline is not None
    assert event.step_deadline > accept_deadline
    event = _do(world, "grid_worker", event, Action.MEDIATE, note="组织双方调解", mediation={"outcome": "success"})
    assert event.status == EventStatus.HANDLING
    event = _do(world, "grid_worker", event, Action.REPORT_BACK, note="已修复防水层，双方和解")
    assert event.status == EventStatus.REPORTED_BACK
    event = _do(world, "town_dispatcher", event, Action.REVIEW_PASS)
    event = _do(world, "town_dispatcher", event, Action.CLOSE)
    assert event.status == EventStatus.CLOSED
    assert event.closed_at is not None
    assert all(t.status == TaskStatus.DONE for t in event.tasks)
    event = _do(world, "town_dispatcher", event, Action.CALLBACK, satisfaction=Satisfaction.SATISFIED)
    assert event.status == EventStatus.CLOSED
    steps = [(a.action, a.actor_id) for a in event.actions]
    assert [s[0] for s in steps] == [
        "register",
        "dispatch",
        "accept",
        "mediate",
        "report_back",
        "review_pass",
        "close",
        "callback",
    ]
    assert steps[2][1] == world.staff["grid_worker"].id


def test_version_conflict_is_a_409_and_changes_nothing(world: World) -> None:
    event = _register(world)
    stale_version = event.version
    _do(world, "town_dispatcher", event, Action.DISPATCH, target_unit_code=world.grid.code)
    with pytest.raises(Conflict) as conflict:
        perform(
            session=world.session,
            viewer=world.viewer("town_dispatcher"),
            event_id=event.id,
            request=ActionRequest(action=Action.RECALL, expected_version=stale_version),
        )
    assert conflict.value.code == "version_conflict"
    assert event.status == EventStatus.DISPATCHED


def test_recall_undoes_a_wrong_dispatch(world: World) -> None:
    event = _register(world)
    event = _do(world, "town_dispatcher", event, Action.DISPATCH, target_unit_code=world.other_grid.code)
    event = _do(world, "town_dispatcher", event, Action.RECALL)
    assert event.status == EventStatus.REGISTERED
    assert event.tasks[0].status == TaskStatus.WITHDRAWN
    event = _do(world, "town_dispatcher", event, Action.DISPATCH, target_unit_code=world.grid.code)
    assert [t.status for t in event.tasks] == [TaskStatus.WITHDRAWN, TaskStatus.DISPATCHED]


def test_return_needs_a_reason_and_goes_back_to_the_dispatcher(world: World) -> None:
    event = _register(world)
    event = _do(world, "town_dispatcher", event, Action.DISPATCH, target_unit_code=world.grid.code)
    with pytest.raises(InvalidInput) as missing:
        _do(world, "grid_worker", event, Action.RETURN)
    assert missing.value.code == "note_required"
    event = _do(world, "grid_worker", event, Action.RETURN, note="属地不符，应为相邻网格")
    assert event.status == EventStatus.RETURNED
    event = _do(world, "town_dispatcher", event, Action.DISPATCH, target_unit_code=world.grid.code)
    assert event.status == EventStatus.DISPATCHED


def test_only_the_assigned_unit_may_accept(world: World) -> None:
    event = _register(world)
    event = _do(world, "town_dispatcher", event, Action.DISPATCH, target_unit_code=world.grid.code)
    with pytest.raises(NotFound):
        _do(world, "other_town_grid_worker", event, Action.ACCEPT)
    with pytest.raises(ActionForbidden):
        _do(world, "village_head", event, Action.ACCEPT)


def test_dispatch_outside_the_owner_jurisdiction_is_refused(world: World) -> None:
    event = _register(world)
    with pytest.raises(InvalidInput) as refused:
        _do(world, "town_dispatcher", event, Action.DISPATCH, target_unit_code=world.other_town_grid.code)
    assert refused.value.code == "target_out_of_jurisdiction"


def test_escalation_past_the_village_needs_a_village_mediation(world: World) -> None:
    event = _register(world)
    event = _do(world, "town_dispatcher", event, Action.DISPATCH, target_unit_code=world.village.code)
    event = _do(world, "village_head", event, Action.ACCEPT)
    with pytest.raises(Conflict) as blocked:
        _do(world, "village_head", event, Action.ESCALATE, note="调解不成")
    assert blocked.value.code == "village_mediation_required"
    event = _do(world, "village_head", event, Action.MEDIATE, note="村调委会调解", mediation={"outcome": "failed"})
    event = _do(world, "village_head", event, Action.ESCALATE, note="村级调解不成，申请镇街联调")
    assert event.status == EventStatus.ESCALATED
    assert event.level == HandlingLevel.TOWN
    assert event.owner_unit_id == world.town.id


def test_grid_escalates_to_the_village_without_a_mediation(world: World) -> None:
    event = _register(world)
    event = _do(world, "town_dispatcher", event, Action.DISPATCH, target_unit_code=world.grid.code)
    event = _do(world, "grid_worker", event, Action.ACCEPT)
    event = _do(world, "grid_worker", event, Action.ESCALATE, note="网格无法化解")
    assert event.status == EventStatus.ESCALATED
    assert event.owner_unit_id == world.village.id
    event = _do(world, "village_head", event, Action.DISPATCH, target_unit_code=world.village.code)
    assert event.level == HandlingLevel.VILLAGE


def test_failed_review_and_dissatisfied_callback_reopen(world: World) -> None:
    event = _register(world)
    event = _do(world, "town_dispatcher", event, Action.DISPATCH, target_unit_code=world.grid.code)
    event = _do(world, "grid_worker", event, Action.ACCEPT)
    event = _do(world, "grid_worker", event, Action.REPORT_BACK, note="已处理")
    event = _do(world, "town_dispatcher", event, Action.REVIEW_FAIL, note="未附现场照片")
    assert event.status == EventStatus.HANDLING
    event = _do(world, "grid_worker", event, Action.REPORT_BACK, note="补充照片")
    event = _do(world, "town_dispatcher", event, Action.REVIEW_PASS)
    event = _do(world, "town_dispatcher", event, Action.CLOSE)
    event = _do(
        world, "town_dispatcher", event, Action.CALLBACK, satisfaction=Satisfaction.DISSATISFIED, note="漏水仍未解决"
    )
    assert event.status == EventStatus.HANDLING
    assert event.closed_at is None


def test_dissatisfaction_reopens_at_most_max_reopens_times(world: World) -> None:
    event = _register(world)
    event = _do(world, "town_dispatcher", event, Action.DISPATCH, target_unit_code=world.grid.code)
    event = _do(world, "grid_worker", event, Action.ACCEPT)
    for _ in range(3):
        event = _do(world, "grid_worker", event, Action.REPORT_BACK, note="已处理")
        event = _do(world, "town_dispatcher", event, Action.REVIEW_PASS)
        event = _do(world, "town_dispatcher", event, Action.CLOSE)
        event = _do(world, "town_dispatcher", event, Action.CALLBACK, satisfaction=Satisfaction.DISSATISFIED)
    assert event.status == EventStatus.CLOSED  # the third dissatisfaction is recorded, not reopened


def test_merge_and_void(world: World) -> None:
    first = _register(world)
    duplicate = _register(world)
    duplicate = _do(world, "town_dispatcher", duplicate, Action.MERGE, target_event_id=first.id, note="重复反映")
    assert duplicate.status == EventStatus.MERGED
    assert duplicate.merged_into_id == first.id
    assert first.actions[-1].data == {"merged_from": duplicate.id}
    third = _register(world)
    with pytest.raises(InvalidInput):
        _do(world, "town_dispatcher", third, Action.MERGE, target_event_id=third.id, note="自身")
    third = _do(world, "town_dispatcher", third, Action.VOID, note="无效来电")
    assert third.status == EventStatus.VOIDED
    with pytest.raises(Conflict):
        _do(world, "town_dispatcher", third, Action.DISPATCH, target_unit_code=world.grid.code)


def test_co_handler_accepts_and_reports_without_moving_the_event(world: World) -> None:
    event = _register(world)
    event = _do(world, "town_dispatcher", event, Action.DISPATCH, target_unit_code=world.grid.code)
    event = _do(world, "town_dispatcher", event, Action.ADD_CO_HANDLER, target_unit_code=world.department.code)
    event = _do(world, "department_handler", event, Action.ACCEPT)
    assert event.status == EventStatus.DISPATCHED
    event = _do(world, "grid_worker", event, Action.ACCEPT)
    assert event.status == EventStatus.ACCEPTED
    event = _do(world, "department_handler", event, Action.REPORT_BACK, note="已核实劳动合同")
    assert event.status == EventStatus.ACCEPTED


def test_supervision_by_the_town_inspector(world: World) -> None:
    event = _register(world)
    event = _do(world, "town_dispatcher", event, Action.DISPATCH, target_unit_code=world.grid.code)
    with pytest.raises(ActionForbidden):
        _do(world, "grid_worker", event, Action.SUPERVISE, note="督办")
    from fengqiao.events.kinds import SupervisionLevel

    event = _do(
        world,
        "town_inspector",
        event,
        Action.SUPERVISE,
        note="群众多次反映，请加快办理",
        supervision_level=SupervisionLevel.YELLOW,
    )
    assert event.supervision_level == SupervisionLevel.YELLOW


def test_redelivery_returns_the_same_event(world: World) -> None:
    new = intake.NewEvent(
        channel=Channel.HOTLINE_12345, source_id="12345-2026-0001", title="噪音扰民", content="夜间施工"
    )
    first = intake.register(session=world.session, new=new, registering_unit=world.tree.county)
    again = intake.register(session=world.session, new=new, registering_unit=world.tree.county)
    assert first.created
    assert not again.created
    assert again.event.id == first.event.id
    assert len(again.event.actions) == 1
