"""Reading the dead letters: messages intake refused, with the reason, for whoever fixes the vendor's feed."""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from fengqiao.accounts.scope import Viewer
from fengqiao.alerts.models import AlertDeadLetter
from fengqiao.core.errors import Forbidden

# Channels by the stored source: "mqtt", "http:<integration>", "demo-feed".
CHANNELS = ("mqtt", "http", "demo")


def list_dead_letters(
    *,
    session: Session,
    viewer: Viewer,
    reason_code: str | None = None,
    channel: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[AlertDeadLetter], int]:
    """Newest first. County-wide staff only: a dead letter may name no device, so it has no place to scope by.
    ``channel`` is one of :data:`CHANNELS`."""
    if not viewer.is_county_wide:
        raise Forbidden("仅县级社会治理中心可查看死信", code="county_only")
    conditions: list[ColumnElement[bool]] = [
        or_(AlertDeadLetter.county_code == viewer.county_code, AlertDeadLetter.county_code.is_(None))
    ]
    if reason_code:
        conditions.append(AlertDeadLetter.reason_code == reason_code)
    if channel == "mqtt":
        conditions.append(AlertDeadLetter.source == "mqtt")
    elif channel == "http":
        conditions.append(AlertDeadLetter.source.startswith("http:"))
    elif channel == "demo":
        conditions.append(AlertDeadLetter.source.startswith("demo"))
    total = session.scalar(select(func.count()).select_from(AlertDeadLetter).where(*conditions)) or 0
    rows = session.scalars(
        select(AlertDeadLetter)
        .where(*conditions)
        .order_by(AlertDeadLetter.received_at.desc(), AlertDeadLetter.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), total
