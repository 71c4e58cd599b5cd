"""The analysis job: events registered in one intake call are linked (parties to identities, texts into buckets),
checked for patterns, then run through the county's risk rules (which may raise their risk and issue warnings) by
the worker, shortly after, in a transaction of its own — intake stays fast, and a crash loses nothing because the
job is stored in the same transaction as the events.

Also the warnings' timers: the acknowledgement deadline (escalate when unacknowledged), the webhook outbox and the
daily topic scan (which re-arms itself; the analysis job arms it too, so a county with intake always has one)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from fengqiao.core.clock import utcnow
from fengqiao.core.logging import get_logger
from fengqiao.jobs import service as jobs
from fengqiao.jobs.models import Job
from fengqiao.jobs.registry import job_handler, on_worker_start
from fengqiao.jurisdiction.kinds import UnitKind
from fengqiao.jurisdiction.models import Unit
from fengqiao.linking import service as linking
from fengqiao.registers import links as registers
from fengqiao.warnings import issued, outbox, patterns, scans
from fengqiao.warnings.rules import service as rules

ANALYSE = "warnings.analyse"
log = get_logger(__name__)


def schedule_analysis(*, session: Session, event_ids: Sequence[int], county_code: str) -> None:
    if event_ids:
        jobs.schedule(
            session=session,
            kind=ANALYSE,
            run_at=utcnow(),
            payload={"event_ids": sorted(event_ids)},
            county_code=county_code,
        )


def analyse(*, session: Session, event_ids: Sequence[int]) -> list[int]:
    """Link, mark what touches the key registers, find patterns, apply the risk rules. Returns the ids of the
    patterns created or grown."""
    linking.link_events(session=session, event_ids=event_ids)
    # Before patterns and rules, so that they see the risk a key project, person or place raised.
    registers.link_events(session=session, event_ids=event_ids)
    found = [p.id for p in patterns.detect(session=session, event_ids=event_ids)]
    rules.apply_rules(session=session, event_ids=event_ids)
    return found


@job_handler(ANALYSE)
def analyse_job(session: Session, job: Job) -> None:
    analyse(session=session, event_ids=[int(i) for i in job.payload["event_ids"]])
    if job.county_code:
        scans.ensure_scheduled(session=session, county_code=job.county_code)


@job_handler(issued.ACK_DUE)
def ack_due_job(session: Session, job: Job) -> None:
    issued.escalate_due(session=session, warning_id=int(job.payload["warning_id"]), deadline=job.payload["deadline"])


@job_handler(outbox.WEBHOOK)
def webhook_job(session: Session, job: Job) -> None:
    outbox.deliver(job.payload["message"])


@job_handler(scans.TOPIC_SCAN)
def topic_scan_job(session: Session, job: Job) -> None:
    county_code = str(job.payload["county_code"])
    found = scans.scan(session=session, county_code=county_code)
    log.info("warnings.topic_scan", county=county_code, warnings=len(found))
    scans.ensure_scheduled(session=session, county_code=county_code)


@on_worker_start
def arm_topic_scans(session: Session) -> None:
    """Every county in the database gets its daily topic scan, even one with no intake yet."""
    for county_code in session.scalars(select(Unit.county_code).where(Unit.kind == UnitKind.COUNTY.value)):
        scans.ensure_scheduled(session=session, county_code=county_code)
