"""From due groups to events and people (三必到): promotion by policy, routing to the grid, escalation when nobody
acknowledges, arrival and results, false-alarm rates, the maintenance list and the heartbeat check."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from fengqiao.alerts import dispatch, maintenance
from fengqiao.alerts.intake import ingest
from fengqiao.alerts.kinds import AlertResult, DeviceStatus, GroupStatus
from fengqiao.alerts.models import AlertDevice, AlertDispatch, AlertGroup
from fengqiao.core.clock import overridden
from fengqiao.core.errors import Conflict, Forbidden, NotFound
from fengqiao.events.kinds import Channel, EventStatus, TaskRole, TaskStatus
from fengqiao.events.models import Event
from fengqiao.jobs.models import Job, JobStatus
from fengqiao.jobs.service import get_by_dedupe_key
from tests.alerts.conftest import T0, AlertWorld, message


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def feed(db: Session, payloads: list[dict[str, object]], *, seconds: float) -> None:
    with overridden(lambda: at(seconds)):
        ingest(session=db, payloads=payloads, source="test", county_code="331081")


def sweep(db: Session, *, seconds: float) -> int:
    with overridden(lambda: at(seconds)):
        return dispatch.sweep(session=db)


def only_dispatch(db: Session) -> AlertDispatch:
    return db.scalars(select(AlertDispatch)).one()


def test_smoke_cancelled_within_60_seconds_never_becomes_an_event(aw: AlertWorld, db: Session) -> None:
    feed(db, [message("SD-1", "a-1")], seconds=1)
    feed(db, [message("SD-1", "c-1", signal="cancel", at=at(40))], seconds=41)
    assert sweep(db, seconds=61) == 0
    assert db.scalars(select(Event)).all() == []
    assert db.scalars(select(AlertGroup.status)).one() == GroupStatus.CANCELLED.value


def test_smoke_not_cancelled_becomes_an_event_dispatched_to_its_grid(aw: AlertWorld, db: Session) -> None:
    feed(db, [message("SD-1", "a-1"), message("SD-1", "a-2", at=at(5))], seconds=6)
    assert sweep(db, seconds=30) == 0  # not due before the cancel window ends
    assert sweep(db, seconds=70) == 1
    group = db.scalars(select(AlertGroup)).one()
    assert group.status == GroupStatus.PROMOTED.value
    assert group.due_at is None
    event = db.get(Event, group.event_id)
    assert event is not None
    assert event.channel == Channel.SENSOR.value
    assert event.source_id == f"alert-group:{group.id}"
    assert (event.category, event.subcategory, event.risk_level) == ("safety_hazard", "fire_hazard", "high")
    assert event.location_unit_id == aw.world.grid.id
    assert event.owner_unit_id == aw.world.town.id
    assert event.status == EventStatus.DISPATCHED.value
    assert [(t.unit_id, t.role) for t in event.tasks] == [(aw.world.grid.id, TaskRole.PRIMARY.value)]
    assert "三必到" in (event.actions[-1].note or "")
    sent = only_dispatch(db)
    assert sent.grid_id == aw.world.grid.id
    assert sent.notified_staff_ids == [aw.world.staff["grid_worker"].id]
    assert sent.ack_deadline == at(70) + timedelta(minutes=3)
    assert sent.arrive_by == at(70) + timedelta(minutes=15)
    ack = get_by_dedupe_key(session=db, dedupe_key=f"alert-dispatch:{sent.id}:ack:{sent.ack_deadline.isoformat()}")
    assert ack is not None
    assert ack.run_at == sent.ack_deadline
    assert get_by_dedupe_key(session=db, dedupe_key=f"alert-dispatch:{sent.id}:arrive") is not None
    # Repeats while it is being handled update the group, they do not make another event.
    feed(db, [message("SD-1", "a-3", at=at(900))], seconds=901)
    assert sweep(db, seconds=1000) == 0
    db.expire_all()
    assert db.scalars(select(AlertGroup)).one().alert_count == 3
    assert len(db.scalars(select(Event)).all()) == 1


def test_drowning_is_an_event_at_once_in_the_grid_of_its_point(aw: AlertWorld, db: Session) -> None:
    feed(db, [message("DR-1", "d-1", kind="drowning")], seconds=2)
    assert sweep(db, seconds=2) == 1
    event = db.scalars(select(Event)).one()
    grid_two = aw.world.tree.grids[1]  # 泽国东村第2网格 holds (121.33, 28.32)
    assert event.location_unit_id == grid_two.id
    sent = only_dispatch(db)
    assert sent.grid_id == grid_two.id
    assert sent.arrive_by == at(2) + timedelta(minutes=10)
    assert sent.notified_staff_ids == []  # nobody on duty there: the escalation will find the station


def test_key_person_high_is_an_event_at_once_others_are_listed(aw: AlertWorld, db: Session) -> None:
    feed(db, [message("KP-1", "k-1", kind="key_person", level="medium")], seconds=1)
    assert sweep(db, seconds=5) == 0
    assert db.scalars(select(AlertGroup.status)).one() == GroupStatus.LISTED.value
    feed(db, [message("KP-1", "k-2", kind="key_person", level="high", at=at(60))], seconds=61)
    assert sweep(db, seconds=62) == 1
    assert db.scalars(select(Event.risk_level)).one() == "high"


def test_a_silence_created_after_grouping_still_holds_the_group(aw: AlertWorld, db: Session) -> None:
    from fengqiao.alerts import silences

    feed(db, [message("SD-1", "a-1")], seconds=1)
    with overridden(lambda: at(10)):
        silences.create_silence(
            session=db,
            viewer=aw.world.viewer("town_dispatcher"),
            reason="设备调试",
            device_id=aw.device["SD-1"].id,
            ends_at=at(3600),
        )
    assert sweep(db, seconds=70) == 1
    assert db.scalars(select(AlertGroup.status)).one() == GroupStatus.SILENCED.value
    assert db.scalars(select(Event)).all() == []


def promoted(aw: AlertWorld, db: Session, code: str = "SD-1", *, start: float = 0) -> AlertDispatch:
    feed(db, [message(code, f"a-{start}", at=at(start))], seconds=start + 1)
    sweep(db, seconds=start + 70)
    return db.scalars(select(AlertDispatch).order_by(AlertDispatch.id.desc())).first()  # type: ignore[return-value]


def test_unacknowledged_alerts_escalate_to_the_joint_station_then_the_town(aw: AlertWorld, db: Session) -> None:
    sent = promoted(aw, db)
    deadline = sent.ack_deadline.isoformat()
    with overridden(lambda: at(300)):
        assert dispatch.escalate_due(session=db, dispatch_id=sent.id, deadline=deadline)
        assert not dispatch.escalate_due(session=db, dispatch_id=sent.id, deadline=deadline)  # fired twice: once
    assert sent.unit_id == aw.station.id
    assert sent.escalations == 1
    assert aw.world.staff["station_member"].id in sent.notified_staff_ids
    assert sent.ack_deadline == at(300) + timedelta(minutes=5)
    event = db.get(Event, sent.event_id)
    assert event is not None
    assert [(t.unit_id, t.role) for t in event.tasks][-1] == (aw.station.id, TaskRole.CO_HANDLER.value)
    with overridden(lambda: at(700)):
        assert dispatch.escalate_due(session=db, dispatch_id=sent.id, deadline=sent.ack_deadline.isoformat())
    assert sent.unit_id == aw.world.town.id
    with overridden(lambda: at(1100)):
        assert not dispatch.escalate_due(session=db, dispatch_id=sent.id, deadline=sent.ack_deadline.isoformat())
    assert sent.history[-1]["action"] == "unacknowledged_at_top"
    # The station's member may now take it on: their co-handling task is accepted.
    with overridden(lambda: at(1200)):
        dispatch.acknowledge(session=db, viewer=aw.world.viewer("station_member"), dispatch_id=sent.id)
    station_task = next(t for t in event.tasks if t.unit_id == aw.station.id)
    assert station_task.status == TaskStatus.ACCEPTED.value
    assert sent.acknowledged_by_id == aw.world.staff["station_member"].id


def test_acknowledgement_stops_the_escalation(aw: AlertWorld, db: Session) -> None:
    sent = promoted(aw, db)
    deadline = sent.ack_deadline.isoformat()
    with pytest.raises(NotFound):  # another grid's worker does not even see it
        dispatch.acknowledge(session=db, viewer=aw.world.viewer("other_grid_worker"), dispatch_id=sent.id)
    with pytest.raises(Forbidden):  # the village head sees it but holds no task on it
        dispatch.acknowledge(session=db, viewer=aw.world.viewer("village_head"), dispatch_id=sent.id)
    with overridden(lambda: at(100)):
        dispatch.acknowledge(session=db, viewer=aw.world.viewer("grid_worker"), dispatch_id=sent.id)
    job = get_by_dedupe_key(session=db, dedupe_key=f"alert-dispatch:{sent.id}:ack:{deadline}")
    assert job is not None
    assert job.status == JobStatus.CANCELLED.value
    assert not dispatch.escalate_due(session=db, dispatch_id=sent.id, deadline=deadline)
    event = db.get(Event, sent.event_id)
    assert event is not None
    assert event.status == EventStatus.ACCEPTED.value
    with pytest.raises(Conflict):
        dispatch.acknowledge(session=db, viewer=aw.world.viewer("part_timer"), dispatch_id=sent.id)


def test_arrival_and_result_are_recorded_on_the_event(aw: AlertWorld, db: Session) -> None:
    sent = promoted(aw, db)
    with overridden(lambda: at(70 + 20 * 60)):
        dispatch.arrive(session=db, viewer=aw.world.viewer("grid_worker"), dispatch_id=sent.id, note="现场查看")
    assert sent.acknowledged_at is not None  # arriving acknowledges first
    assert sent.arrived_late is True  # 20 minutes > 15
    with overridden(lambda: at(70 + 25 * 60)):
        dispatch.record_result(
            session=db,
            viewer=aw.world.viewer("grid_worker"),
            dispatch_id=sent.id,
            result=AlertResult.FALSE_ALARM,
            note="厨房油烟",
        )
    event = db.get(Event, sent.event_id)
    assert event is not None
    assert [a.action for a in event.actions] == ["register", "dispatch", "accept", "handle", "report_back"]
    assert "误报" in (event.actions[-1].note or "")
    assert event.status == EventStatus.REPORTED_BACK.value  # the dispatcher reviews and closes as usual
    group = db.get(AlertGroup, sent.group_id)
    assert group is not None
    assert (group.status, group.result, group.open_key) == (GroupStatus.RESOLVED.value, "false_alarm", None)
    with pytest.raises(Conflict):
        dispatch.record_result(
            session=db, viewer=aw.world.viewer("grid_worker"), dispatch_id=sent.id, result=AlertResult.REAL
        )


def test_arrival_overdue_is_noted_on_the_event(aw: AlertWorld, db: Session) -> None:
    sent = promoted(aw, db)
    with overridden(lambda: at(70 + 16 * 60)):
        assert dispatch.arrival_due(session=db, dispatch_id=sent.id)
    event = db.get(Event, sent.event_id)
    assert event is not None
    assert event.actions[-1].action == "overdue"
    assert "三必到" in (event.actions[-1].note or "")


def test_false_alarm_rates_feed_the_maintenance_list(aw: AlertWorld, db: Session) -> None:
    worker = aw.world.viewer("grid_worker")
    results = [AlertResult.FALSE_ALARM, AlertResult.FALSE_ALARM, AlertResult.TEST, AlertResult.REAL]
    for n, result in enumerate(results):
        sent = promoted(aw, db, "SD-2", start=n * 3600)
        with overridden(lambda n=n: at(n * 3600 + 200)):  # type: ignore[misc]
            dispatch.record_result(session=db, viewer=worker, dispatch_id=sent.id, result=result)
    county = aw.world.viewer("county")
    with overridden(lambda: at(5 * 3600)):
        by_kind = maintenance.false_alarm_rates_by_kind(session=db, viewer=county)
        by_device = maintenance.false_alarm_rates_by_device(session=db, viewer=county)
        listed = maintenance.maintenance_list(session=db, viewer=county)
    assert [(r.key, r.results, r.false_alarms, r.tests) for r in by_kind] == [("smoke", 4, 2, 1)]
    assert by_device[0].key == "SD-2"
    assert by_device[0].rate == 0.5
    assert [(i.device.code, i.reasons) for i in listed] == [("SD-2", ["误报率50%（2/4）"])]
    # The rates are scoped: a worker of another town sees none of it.
    other = aw.world.viewer("other_town_grid_worker")
    assert maintenance.false_alarm_rates_by_kind(session=db, viewer=other) == []


def test_devices_without_heartbeat_are_flagged(aw: AlertWorld, db: Session) -> None:
    device = aw.device["SD-1"]
    later = device.created_at + timedelta(days=3)
    device.last_seen_at = later - timedelta(hours=1)
    aw.device["DR-1"].status = DeviceStatus.RETIRED.value
    db.flush()
    flagged = maintenance.flag_overdue_heartbeats(session=db, now=later)
    assert flagged == 4  # SD-2, DR-2, IN-1, KP-1: never heard from in 3 days
    db.expire_all()
    offline = set(db.scalars(select(AlertDevice.code).where(AlertDevice.offline_since.is_not(None))))
    assert offline == {"SD-2", "DR-2", "IN-1", "KP-1"}
    assert maintenance.flag_overdue_heartbeats(session=db, now=later) == 0  # flagged once
    listed = maintenance.maintenance_list(session=db, viewer=aw.world.viewer("county"))
    assert {i.device.code for i in listed} == offline
    # A message brings a device back.
    feed(db, [message("SD-2", None, signal="heartbeat")], seconds=1)
    db.expire_all()
    assert db.scalars(select(AlertDevice.offline_since).where(AlertDevice.code == "SD-2")).one() is None


def test_the_worker_runs_the_sweep_job(aw: AlertWorld, db: Session) -> None:
    from fengqiao.alerts import jobs as alert_jobs

    feed(db, [message("DR-1", "d-1", kind="drowning")], seconds=1)
    job = db.scalars(
        select(Job).where(Job.kind == "alerts.promotion", Job.dedupe_key.not_like("alerts:sweep:periodic:%"))
    ).one()
    with overridden(lambda: at(6)):
        alert_jobs.sweep_job(db, job)
    assert db.scalars(select(AlertGroup.status)).one() == GroupStatus.PROMOTED.value


def test_worker_start_arms_the_periodic_jobs_once(aw: AlertWorld, db: Session) -> None:
    from fengqiao.alerts import jobs as alert_jobs
    from fengqiao.jobs.registry import load_handler_modules, registered_kinds

    load_handler_modules()
    assert {"alerts.promotion", "alerts.ack_due", "alerts.arrive_due", "alerts.heartbeat_check"} <= set(
        registered_kinds()
    )
    with overridden(lambda: at(0)):
        alert_jobs.arm_alert_jobs(db)
        alert_jobs.arm_alert_jobs(db)
    armed = db.scalars(select(Job).where(Job.kind.in_(["alerts.promotion", "alerts.heartbeat_check"]))).all()
    assert sorted((j.kind, j.run_at) for j in armed) == [
        ("alerts.heartbeat_check", at(600)),
        ("alerts.promotion", at(30)),
    ]
    check = next(j for j in armed if j.kind == "alerts.heartbeat_check")
    with overridden(lambda: at(600)):
        alert_jobs.heartbeat_check_job(db, check)
    later = db.scalars(select(Job.run_at).where(Job.kind == "alerts.heartbeat_check").order_by(Job.run_at)).all()
    assert later == [at(600), at(1200)]  # it re-arms itself for the next period


def test_a_full_sweep_arms_another_at_once(aw: AlertWorld, db: Session) -> None:
    from fengqiao.alerts.policy import default_policy

    policy = default_policy()
    small = policy.model_copy(update={"sweep": policy.sweep.model_copy(update={"batch": 1})})
    feed(db, [message("DR-1", "d-1", kind="drowning"), message("IN-1", "i-1", kind="intrusion")], seconds=1)
    with overridden(lambda: at(2)):
        assert dispatch.sweep(session=db, policy=small) == 1
    more = db.scalars(select(Job).where(Job.kind == "alerts.promotion", Job.payload["reason"].as_string() == "more"))
    assert [j.run_at for j in more] == [at(2)]
    with overridden(lambda: at(3)):
        assert dispatch.sweep(session=db, policy=small) == 1
        assert dispatch.sweep(session=db, policy=small) == 0
