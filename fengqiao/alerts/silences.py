"""Maintenance silences (like Alertmanager's): per device or per area (a unit and everything under it), optionally
for one kind, between two moments. Silenced alerts are kept and grouped but never become events."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, false, func, or_, select
from sqlalchemy.orm import Session

from fengqiao.accounts.scope import Viewer
from fengqiao.alerts.devices import get_device, under
from fengqiao.alerts.kinds import AlertKind
from fengqiao.alerts.models import AlertDevice, AlertSilence
from fengqiao.audit import service as audit
from fengqiao.core.clock import utcnow
from fengqiao.core.errors import InvalidInput, NotFound
from fengqiao.jurisdiction.models import Unit

MAX_SILENCE = timedelta(days=90)


def create_silence(
    *,
    session: Session,
    viewer: Viewer,
    reason: str,
    ends_at: datetime,
    starts_at: datetime | None = None,
    device_id: int | None = None,
    unit_code: str | None = None,
    kind: AlertKind | None = None,
) -> AlertSilence:
    """A silence for one device (``device_id``) or an area (``unit_code``: a grid, village or town in the viewer's
    territory). At most 90 days; a reason is required."""
    now = utcnow()
    starts_at = starts_at or now
    if (device_id is None) == (unit_code is None):
        raise InvalidInput("请选择一台设备或一个区域（二选一）", code="silence_target_required")
    if not reason.strip():
        raise InvalidInput("请填写静默原因", code="reason_required")
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise InvalidInput("时间必须带时区", code="naive_time")
    if ends_at <= starts_at or ends_at <= now:
        raise InvalidInput("结束时间须晚于开始时间和当前时间", code="invalid_silence_period")
    if ends_at - starts_at > MAX_SILENCE:
        raise InvalidInput("静默期最长90天", code="silence_too_long")
    unit: Unit | None = None
    if device_id is not None:
        device = get_device(session=session, viewer=viewer, device_id=device_id)
        county_code = device.county_code
    else:
        unit = session.scalar(select(Unit).where(Unit.code == unit_code))
        if unit is None or not (viewer.is_county_wide or viewer.covers_path(unit.path)):
            raise NotFound(f"未找到单位“{unit_code}”", code="unit_not_found")
        county_code = unit.county_code
    silence = AlertSilence(
        county_code=county_code,
        device_id=device_id,
        unit_id=unit.id if unit is not None else None,
        unit_path=unit.path if unit is not None else None,
        kind=kind.value if kind is not None else None,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason.strip()[:200],
        created_by_id=viewer.staff_id,
        created_at=now,
    )
    session.add(silence)
    session.flush()
    audit.record(
        session=session,
        county_code=county_code,
        actor_id=viewer.staff_id,
        action="alert.silence_created",
        entity_type="alert_silence",
        entity_id=silence.id,
        detail={"device_id": device_id, "unit_code": unit_code, "kind": silence.kind, "ends_at": ends_at.isoformat()},
    )
    return silence


def visible_silence(viewer: Viewer) -> ColumnElement[bool]:
    if viewer.is_county_wide:
        return AlertSilence.county_code == viewer.county_code
    in_territory = [under(AlertSilence.unit_path, p) for p in viewer.territorial_paths]
    device_ids = select(AlertDevice.id).where(
        or_(*[under(AlertDevice.location_path, p) for p in viewer.territorial_paths])
        if viewer.territorial_paths
        else false()
    )
    return or_(*in_territory, AlertSilence.device_id.in_(device_ids)) if in_territory else false()


def list_silences(
    *, session: Session, viewer: Viewer, active_only: bool = True, limit: int = 100, offset: int = 0
) -> tuple[list[AlertSilence], int]:
    conditions: list[ColumnElement[bool]] = [visible_silence(viewer)]
    if active_only:
        conditions += [AlertSilence.deleted_at.is_(None), AlertSilence.ends_at > utcnow()]
    total = session.scalar(select(func.count()).select_from(AlertSilence).where(*conditions)) or 0
    rows = session.scalars(
        select(AlertSilence)
        .where(*conditions)
        .order_by(AlertSilence.ends_at, AlertSilence.id)
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), total


def delete_silence(*, session: Session, viewer: Viewer, silence_id: int) -> AlertSilence:
    """End a silence now (kept for the record)."""
    silence = session.scalars(
        select(AlertSilence).where(AlertSilence.id == silence_id, visible_silence(viewer))
    ).one_or_none()
    if silence is None:
        raise NotFound(f"未找到静默规则{silence_id}", code="silence_not_found")
    if silence.deleted_at is None:
        silence.deleted_at = utcnow()
        silence.deleted_by_id = viewer.staff_id
        session.flush()
        audit.record(
            session=session,
            county_code=silence.county_code,
            actor_id=viewer.staff_id,
            action="alert.silence_deleted",
            entity_type="alert_silence",
            entity_id=silence.id,
        )
    return silence
