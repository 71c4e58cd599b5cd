"""Citizen reports by place code (B3) and progress by dispute code (B5): service functions, no HTTP."""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fengqiao.citizen import guard
from fengqiao.citizen.models import CitizenReport
from fengqiao.citizen.places import Place
from fengqiao.core.errors import InvalidInput, NotFound
from fengqiao.events.dispute_code import normalise
from fengqiao.events.intake import NewEvent
from fengqiao.events.kinds import Channel
from fengqiao.events.models import Attachment, Event
from fengqiao.files.storage import FileStorage, sniff
from fengqiao.triage import pipeline

CONTENT_MIN = 5
CONTENT_MAX = 1000
NAME_MAX = 20
MAX_PHOTOS = 6
MAX_PHOTO_BYTES = 10 * 1024 * 1024
TITLE_LENGTH = 30
SOURCE_PREFIX = "qr-"

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class Photo:
    filename: str
    data: bytes


@dataclass
class ReportForm:
    content: str
    phone: str = ""
    name: str = ""
    photos: list[Photo] = field(default_factory=list)


@dataclass(frozen=True)
class Receipt:
    """What the answer page shows. ``query_pin`` replaces the phone's last four digits when no phone was left."""

    event: Event
    created: bool
    query_pin: str | None
    flags: tuple[str, ...] = ()


def clean_content(raw: str) -> str:
    content = _CONTROL.sub("", raw).strip()
    if len(content) < CONTENT_MIN:
        raise InvalidInput(f"请填写反映内容（至少{CONTENT_MIN}个字）", code="content_too_short")
    if len(content) > CONTENT_MAX:
        raise InvalidInput(f"反映内容请控制在{CONTENT_MAX}字以内", code="content_too_long")
    return content


def clean_phone(raw: str) -> str | None:
    compact = re.sub(r"[\s-]", "", raw)
    if not compact:
        return None
    if compact.startswith("+86"):
        compact = compact[3:]
    if not _MOBILE.match(compact):
        raise InvalidInput("请填写正确的11位手机号码，或留空", code="invalid_mobile")
    return compact


def clean_name(raw: str) -> str | None:
    name = _CONTROL.sub("", raw).strip()
    if len(name) > NAME_MAX:
        raise InvalidInput(f"称呼请控制在{NAME_MAX}字以内", code="name_too_long")
    return name or None


def check_photos(photos: Sequence[Photo]) -> list[tuple[Photo, str]]:
    """Each photo with its content type, recognised by its bytes (a renamed file is not a photo)."""
    if len(photos) > MAX_PHOTOS:
        raise InvalidInput(f"最多上传{MAX_PHOTOS}张照片", code="too_many_photos")
    checked = []
    for photo in photos:
        if not photo.data:
            raise InvalidInput(f"照片“{photo.filename[:40]}”是空文件", code="empty_photo")
        if len(photo.data) > MAX_PHOTO_BYTES:
            raise InvalidInput(
                f"照片“{photo.filename[:40]}”超过{MAX_PHOTO_BYTES // 1024 // 1024}MB", code="photo_too_large"
            )
        try:
            content_type = sniff(photo.data, photo.filename)
        except InvalidInput:
            content_type = ""
        if not content_type.startswith("image/"):
            raise InvalidInput(
                f"“{photo.filename[:40]}”不是照片：仅支持JPG、PNG、GIF、WEBP格式", code="photo_type_not_allowed"
            )
        checked.append((photo, content_type))
    return checked


def _title(content: str) -> str:
    line = " ".join(content.split())
    return line if len(line) <= TITLE_LENGTH else line[:TITLE_LENGTH] + "…"


def _receipt_for(session: Session, event: Event) -> Receipt:
    report = session.scalars(select(CitizenReport).where(CitizenReport.event_id == event.id)).one_or_none()
    return Receipt(
        event=event,
        created=False,
        query_pin=report.query_pin if report else None,
        flags=tuple(report.flags or ()) if report else (),
    )


def submit_report(
    *,
    session: Session,
    storage: FileStorage,
    place: Place,
    form: ReportForm,
    nonce: str,
    client_hash: str,
    now: datetime,
) -> Receipt:
    """Register a citizen's report at ``place`` through triage (classified, placed in the place's grid, routed by
    the dispatch rules). A form submitted twice, or the same text again from the same sender and place within
    minutes, answers with the first report; the limits refuse floods with a Chinese message."""
    content = clean_content(form.content)
    phone = clean_phone(form.phone)
    name = clean_name(form.name)
    photos = check_photos(form.photos)
    source_id = f"{SOURCE_PREFIX}{nonce}"

    again = session.scalars(
        select(Event).where(Event.channel == Channel.CITIZEN_QR.value, Event.source_id == source_id)
    ).one_or_none()
    if again is not None:
        return _receipt_for(session, again)
    digest = guard.text_hash(content)
    duplicate = session.scalars(
        select(CitizenReport)
        .where(
            CitizenReport.place_code_id == place.code.id,
            CitizenReport.client_hash == client_hash,
            CitizenReport.text_hash == digest,
            CitizenReport.created_at >= now - guard.DUPLICATE_WINDOW,
        )
        .order_by(CitizenReport.id)
        .limit(1)
    ).one_or_none()
    if duplicate is not None:
        first = session.get(Event, duplicate.event_id)
        if first is not None:
            return _receipt_for(session, first)

    at_place = session.scalar(
        select(func.count())
        .select_from(CitizenReport)
        .where(CitizenReport.place_code_id == place.code.id, CitizenReport.created_at >= now - timedelta(hours=1))
    )
    if (at_place or 0) >= guard.PLACE_LIMIT_PER_HOUR:
        raise guard.Throttled("该地点近一小时反映较多，请稍后再试；紧急情况请拨打110，其他诉求可拨打12345")
    from_client = session.scalar(
        select(func.count())
        .select_from(CitizenReport)
        .where(CitizenReport.client_hash == client_hash, CitizenReport.created_at >= now - timedelta(days=1))
    )
    if (from_client or 0) >= guard.CLIENT_LIMIT_PER_DAY:
        raise guard.Throttled("今日提交次数已达上限，请明天再试；紧急情况请拨打110，其他诉求可拨打12345")
    flags = guard.soft_flags(content=content, client_reports_today=from_client or 0)

    building = place.building
    new = NewEvent(
        channel=Channel.CITIZEN_QR,
        source_id=source_id,
        title=_title(content),
        content=content,
        unit_code=None if building is not None else place.grid.code,
        building_id=building.id if building is not None else None,
        address=building.standard_address if building is not None else None,
        lon=building.lon if building is not None else None,
        lat=building.lat if building is not None else None,
        reporter_name=name,
        reporter_phone=phone,
    )
    result = pipeline.register(session=session, new=new, registering_unit=place.grid)
    event = result.event
    if not result.created:  # the same form won a race in another request
        return _receipt_for(session, event)
    register_action = event.actions[0].id if event.actions else None
    for photo, content_type in photos:
        stored = storage.put(photo.data, filename=photo.filename)
        session.add(
            Attachment(
                county_code=event.county_code,
                event_id=event.id,
                action_id=register_action,
                filename=(photo.filename or "照片")[:200],
                content_type=content_type,
                size=stored.size,
                sha256=stored.sha256,
                storage_key=stored.key,
                uploaded_by_id=None,
            )
        )
    pin = None if phone else f"{secrets.randbelow(10_000):04d}"
    session.add(
        CitizenReport(
            county_code=event.county_code,
            event_id=event.id,
            place_code_id=place.code.id,
            client_hash=client_hash,
            text_hash=digest,
            query_pin=pin,
            flags=flags,
            created_at=now,
        )
    )
    if flags:
        # Where the dispatcher reads triage, so a flagged report is seen as such before anyone acts on it.
        event.triage = {**(event.triage or {}), "citizen_flags": [guard.FLAG_LABELS.get(f, f) for f in flags]}
    session.flush()
    return Receipt(event=event, created=True, query_pin=pin, flags=tuple(flags))


def progress_not_found() -> NotFound:
    return NotFound("未找到该解纷码对应的事项，或手机号后四位不符", code="progress_not_found")


def find_for_progress(*, session: Session, code: str, last4: str) -> Event:
    """The event a citizen may follow: the dispute code and the last four digits of a phone on it (the reporter's
    or a party's) — or, for a citizen report left without a phone, the four-digit query code shown on its receipt.
    Every mismatch is the same 404, so the answer tells nothing about which half was wrong."""
    compact = normalise(code)
    if compact is None or not re.fullmatch(r"\d{4}", last4):
        raise progress_not_found()
    event = session.scalars(select(Event).where(Event.dispute_code == compact)).one_or_none()
    if event is None:
        raise progress_not_found()
    phones = {event.reporter_phone, *(p.phone for p in event.parties)}
    if any(p and p.endswith(last4) for p in phones):
        return event
    pin = session.scalar(select(CitizenReport.query_pin).where(CitizenReport.event_id == event.id))
    if pin is not None and not event.reporter_phone and secrets.compare_digest(pin, last4):
        return event
    raise progress_not_found()
