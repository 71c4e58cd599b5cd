"""Named exclusive leases in ``worker_leases``: how a second worker on the same SQLite file learns that one already
runs. Each function is one short transaction whose first statement writes, so on SQLite it takes the write lock
(waiting up to the busy timeout) before it reads anything and never fails on a stale read snapshot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from fengqiao.jobs.models import WorkerLease


@dataclass(frozen=True)
class LeaseHolder:
    holder: str
    expires_at: datetime


def acquire(
    sessions: sessionmaker[Session], *, name: str, holder: str, ttl: timedelta, now: datetime
) -> LeaseHolder | None:
    """Take or renew the lease ``name`` for ``holder``. Returns None on success, else who holds it and until when."""
    with sessions() as session, session.begin():
        taken = session.execute(
            update(WorkerLease)
            .where(WorkerLease.name == name, or_(WorkerLease.holder == holder, WorkerLease.expires_at < now))
            .values(holder=holder, acquired_at=now, expires_at=now + ttl)
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount == 1:  # type: ignore[attr-defined]
            return None
        try:
            with session.begin_nested():
                session.add(WorkerLease(name=name, holder=holder, acquired_at=now, expires_at=now + ttl))
            return None
        except IntegrityError:
            current = session.scalars(select(WorkerLease).where(WorkerLease.name == name)).one()
            return LeaseHolder(holder=current.holder, expires_at=current.expires_at)


def renew(sessions: sessionmaker[Session], *, name: str, holder: str, ttl: timedelta, now: datetime) -> bool:
    """Extend a lease we hold; False if it expired and someone else took it meanwhile."""
    with sessions() as session, session.begin():
        result = session.execute(
            update(WorkerLease)
            .where(WorkerLease.name == name, WorkerLease.holder == holder)
            .values(expires_at=now + ttl)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def release(sessions: sessionmaker[Session], *, name: str, holder: str) -> None:
    with sessions() as session, session.begin():
        session.execute(
            delete(WorkerLease)
            .where(WorkerLease.name == name, WorkerLease.holder == holder)
            .execution_options(synchronize_session=False)
        )
