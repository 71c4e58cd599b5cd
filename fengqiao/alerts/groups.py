"""Reading alert groups as a viewer: the list (with filters), one group with its alerts, and the daily list of
low-risk groups (key-person sightings below high) that do not become events."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import ColumnElement, false, func, or_, select
from sqlalchemy.orm import Session

from fengqiao.accounts.scope import Viewer
from fengqiao.alerts.devices import under
from fengqiao.alerts.kinds import AlertKind, GroupStatus
from fengqiao.alerts.models import Alert, AlertGroup
from fengqiao.core.clock import CHINA_TZ
from fengqiao.core.errors import NotFound


def visible_group(viewer: Viewer) -> ColumnElement[bool]:
    if viewer.is_county_wide:
        return AlertGroup.county_code == viewer.county_code
    conditions = [under(AlertGroup.location_path, p) for p in viewer.territorial_paths]
    return or_(*conditions) if conditions else false()


def list_groups(
    *,
    session: Session,
    viewer: Viewer,
    kind: AlertKind | None = None,
    status: GroupStatus | None = None,
    device_id: int | None = None,
    since: datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[AlertGroup], int]:
    conditions: list[ColumnElement[bool]] = [visible_group(viewer)]
    if kind is not None:
        conditions.append(AlertGroup.kind == kind.value)
    if status is not None:
        conditions.append(AlertGroup.status == status.value)
    if device_id is not None:
        conditions.append(AlertGroup.device_id == device_id)
    if since is not None:
        conditions.append(AlertGroup.first_at >= since)
    total = session.scalar(select(func.count()).select_from(AlertGroup).where(*conditions)) or 0
    rows = session.scalars(
        select(AlertGroup)
        .where(*conditions)
        .order_by(AlertGroup.last_at.desc(), AlertGroup.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), total


def get_group(*, session: Session, viewer: Viewer, group_id: int) -> AlertGroup:
    group = session.scalars(select(AlertGroup).where(AlertGroup.id == group_id, visible_group(viewer))).one_or_none()
    if group is None:
        raise NotFound(f"未找到告警组{group_id}", code="alert_group_not_found")
    return group


def alerts_of(*, session: Session, group_id: int, limit: int = 200) -> list[Alert]:
    return list(
        session.scalars(select(Alert).where(Alert.group_id == group_id).order_by(Alert.at, Alert.id).limit(limit))
    )


def daily_list(*, session: Session, viewer: Viewer, day: date, limit: int = 500) -> list[AlertGroup]:
    """Groups listed (not promoted) that began on ``day`` (China time), for the area's daily review."""
    start = datetime.combine(day, time(0), tzinfo=CHINA_TZ)
    end = start + timedelta(days=1)
    return list(
        session.scalars(
            select(AlertGroup)
            .where(
                visible_group(viewer),
                AlertGroup.status == GroupStatus.LISTED.value,
                AlertGroup.first_at >= start,
                AlertGroup.first_at < end,
            )
            .order_by(AlertGroup.first_at, AlertGroup.id)
            .limit(limit)
        )
    )
