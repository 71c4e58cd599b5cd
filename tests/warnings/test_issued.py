"""Warnings (E3): pushed to the responsible unit, acknowledged only by that unit's staff, escalated to the parent
unit when the deadline passes unacknowledged (a timer that fires late or twice acts once), and delivered to the
webhook with an HMAC signature."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from fengqiao.audit.models import AuditEntry
from fengqiao.core.clock import utcnow
from fengqiao.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from fengqiao.jobs.models import Job, JobStatus
from fengqiao.jurisdiction.models import Unit
from fengqiao.warnings import issued, outbox
from fengqiao.warnings.jobs import ack_due_job, webhook_job
from fengqiao.warnings.models import RiskWarning
from fengqiao.warnings.rules import schema, store
from tests.events.world import World, make_world


@pytest.fixture
def world(db: Session) -> World:
    return make_world(db)


def _issue(
    world: World, unit: Unit, *, level: str = "high", key: str = "test:1", kind: str = "civil_to_criminal_family"
) -> RiskWarning:
    warning = issued.issue(
        session=world.session,
        county_code=unit.county_code,
        source="rule",
        kind=kind,
        level=level,
        title="民转刑风险预警",
        reason="家庭纠纷扬言威胁且曾报警",
        evidence={"event_ids": []},
        unit=unit,
        dedupe_key=key,
    )
    assert warning is not None
    return warning


def _ack_jobs(world: World, warning: RiskWarning) -> list[Job]:
    return list(
        world.session.scalars(
            select(Job).where(Job.kind == issued.ACK_DUE, Job.payload["warning_id"].as_integer() == warning.id)
        )
    )


def _fire(world: World, job: Job) -> None:
    """What the worker does when the timer is due."""
    ack_due_job(world.session, job)
    job.status = JobStatus.DONE
    world.session.flush()


def test_issue_arms_the_ack_timer_and_dedupes(world: World) -> None:
    warning = _issue(world, world.village)
    assert warning.status == "issued"
    assert warning.ack_deadline - utcnow() <= timedelta(hours=1)
    [job] = _ack_jobs(world, warning)
    assert job.run_at == warning.ack_deadline
    assert (
        issued.issue(
            session=world.session,
            county_code=warning.county_code,
            source="rule",
            kind="x",
            level="high",
            title="t",
            reason="r",
            evidence={},
            unit=world.village,
            dedupe_key="test:1",
        )
        is None
    )


def test_every_rule_code_the_schema_allows_is_stored_whole(world: World) -> None:
    # PostgreSQL enforces the column's width where SQLite does not: the longest allowed code must fit.
    codes = [rule.code for rule in schema.parse(store.default_text()).rules] + ["r" * 48]
    for code in codes:
        _issue(world, world.village, kind=code, key=f"test:{code}")
    world.session.flush()
    world.session.expire_all()
    assert set(world.session.scalars(select(RiskWarning.kind))) == set(codes)


def test_only_staff_of_the_responsible_unit_acknowledge(world: World) -> None:
    warning = _issue(world, world.village)
    # The town oversees the village: it sees the warning but it is not the village's to acknowledge for it.
    town = world.viewer("town_dispatcher")
    assert issued.get_warning(session=world.session, viewer=town, warning_id=warning.id) is warning
    with pytest.raises(Forbidden) as refused:
        issued.acknowledge(session=world.session, viewer=town, warning_id=warning.id, version=warning.version)
    assert refused.value.code == "not_responsible_unit"
    # Another village does not even see it.
    with pytest.raises(NotFound):
        issued.acknowledge(
            session=world.session,
            viewer=world.viewer("other_village_head"),
            warning_id=warning.id,
            version=warning.version,
        )
    head = world.viewer("village_head")
    assert [w.id for w in issued.awaiting(session=world.session, viewer=head)] == [warning.id]
    with pytest.raises(Conflict):
        issued.acknowledge(session=world.session, viewer=head, warning_id=warning.id, version=warning.version + 5)
    done = issued.acknowledge(
        session=world.session, viewer=head, warning_id=warning.id, version=warning.version, note="已上门了解"
    )
    assert (done.status, done.acknowledged_by_id, done.ack_note) == ("acknowledged", head.staff_id, "已上门了解")
    assert issued.awaiting(session=world.session, viewer=head) == []
    assert all(j.status == JobStatus.CANCELLED for j in _ack_jobs(world, warning))
    with pytest.raises(InvalidInput):
        issued.acknowledge(session=world.session, viewer=head, warning_id=warning.id, version=done.version)
    actions = world.session.scalars(
        select(AuditEntry.action).where(AuditEntry.entity_type == "risk_warning", AuditEntry.entity_id == warning.id)
    ).all()
    assert actions == ["warning.issued", "warning.acknowledged"]


def test_unacknowledged_warning_escalates_to_the_parent_unit_with_a_new_deadline(world: World) -> None:
    warning = _issue(world, world.village, level="medium")
    [first] = _ack_jobs(world, warning)
    _fire(world, first)
    assert warning.status == "escalated"
    assert warning.unit_id == world.town.id
    assert warning.unit_path == world.town.path
    assert warning.escalations == 1
    assert warning.first_unit_id == world.village.id
    second = next(j for j in _ack_jobs(world, warning) if j.status == JobStatus.PENDING)
    assert second.run_at == warning.ack_deadline
    assert warning.ack_deadline - utcnow() <= timedelta(hours=4)
    assert [h["action"] for h in warning.history] == ["issued", "escalated"]
    # The village may no longer acknowledge it; the town's staff now must.
    with pytest.raises(Forbidden):
        issued.acknowledge(
            session=world.session, viewer=world.viewer("village_head"), warning_id=warning.id, version=warning.version
        )
    assert [w.id for w in issued.awaiting(session=world.session, viewer=world.viewer("town_dispatcher"))] == [
        warning.id
    ]
    # The first timer firing again (a retry) does nothing: the deadline it was set for has passed into history.
    _fire(world, first)
    assert warning.escalations == 1
    # Unanswered again: on to the county, then it stays there.
    _fire(world, second)
    assert (warning.unit_id, warning.escalations) == (world.tree.county.id, 2)
    third = next(j for j in _ack_jobs(world, warning) if j.status == JobStatus.PENDING)
    _fire(world, third)
    assert (warning.unit_id, warning.escalations) == (world.tree.county.id, 2)
    assert warning.history[-1]["action"] == "overdue"
    issued.acknowledge(
        session=world.session, viewer=world.viewer("county"), warning_id=warning.id, version=warning.version
    )
    assert warning.status == "acknowledged"
    escalations = world.session.scalars(
        select(AuditEntry.detail).where(AuditEntry.action == "warning.escalated", AuditEntry.entity_id == warning.id)
    ).all()
    assert [d["to_unit"] for d in escalations if d] == [world.town.id, world.tree.county.id]


def test_an_acknowledged_warning_does_not_escalate(world: World) -> None:
    warning = _issue(world, world.village)
    [job] = _ack_jobs(world, warning)
    issued.acknowledge(
        session=world.session, viewer=world.viewer("village_head"), warning_id=warning.id, version=warning.version
    )
    _fire(world, job)
    assert (warning.status, warning.unit_id, warning.escalations) == ("acknowledged", world.village.id, 0)


def test_close_needs_acknowledgement_and_a_note(world: World) -> None:
    warning = _issue(world, world.village)
    head = world.viewer("village_head")
    with pytest.raises(InvalidInput):
        issued.close(session=world.session, viewer=head, warning_id=warning.id, version=warning.version, note="好")
    issued.acknowledge(session=world.session, viewer=head, warning_id=warning.id, version=warning.version)
    with pytest.raises(InvalidInput):
        issued.close(session=world.session, viewer=head, warning_id=warning.id, version=warning.version, note=" ")
    issued.close(session=world.session, viewer=head, warning_id=warning.id, version=warning.version, note="已化解")
    assert warning.status == "closed"


# --- webhook ------------------------------------------------------------------------------------------------------


def test_no_webhook_is_queued_without_a_url(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FENGQIAO_WARNING_WEBHOOK_URL", raising=False)
    _issue(world, world.village)
    assert world.session.scalars(select(Job).where(Job.kind == outbox.WEBHOOK)).all() == []


def test_webhook_is_queued_on_issue_and_escalation_and_signed(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FENGQIAO_WARNING_WEBHOOK_URL", "https://im.example.gov.cn/hook")
    monkeypatch.setenv("FENGQIAO_WARNING_WEBHOOK_SECRET", "s3cret")
    warning = _issue(world, world.village)
    [timer] = _ack_jobs(world, warning)
    _fire(world, timer)
    queued = world.session.scalars(select(Job).where(Job.kind == outbox.WEBHOOK).order_by(Job.id)).all()
    assert [j.payload["message"]["type"] for j in queued] == ["warning.issued", "warning.escalated"]
    assert queued[1].payload["message"]["warning"]["unit_code"] == world.town.code

    seen: list[httpx.Request] = []

    def receiver(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    config = outbox.WebhookSettings(url="https://im.example.gov.cn/hook", secret="s3cret")
    assert outbox.deliver(queued[0].payload["message"], config=config, transport=httpx.MockTransport(receiver)) == 204
    request = seen[0]
    timestamp = request.headers[outbox.TIMESTAMP_HEADER]
    expected = hmac.new(b"s3cret", timestamp.encode() + b"." + request.content, hashlib.sha256).hexdigest()
    assert request.headers[outbox.SIGNATURE_HEADER] == f"sha256={expected}"
    assert json.loads(request.content)["warning"]["title"] == "民转刑风险预警"


def test_a_failing_receiver_makes_the_job_raise_for_a_retry(monkeypatch: pytest.MonkeyPatch) -> None:
    config = outbox.WebhookSettings(url="https://im.example.gov.cn/hook", secret="x")
    transport = httpx.MockTransport(lambda request: httpx.Response(503))
    with pytest.raises(httpx.HTTPStatusError):
        outbox.deliver({"type": "warning.issued"}, config=config, transport=transport)
    monkeypatch.delenv("FENGQIAO_WARNING_WEBHOOK_URL", raising=False)
    job = Job(kind=outbox.WEBHOOK, payload={"message": {"type": "warning.issued"}})
    webhook_job(None, job)  # type: ignore[arg-type]  # switched off since queued: nothing sent, nothing raised
