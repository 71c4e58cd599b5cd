"""Attachments of events: stored through ``files.storage``, listed and read within the viewer's scope."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from fengqiao.accounts.scope import Viewer
from fengqiao.core.errors import InvalidInput, NotFound
from fengqiao.events.models import Attachment, Event
from fengqiao.events.queries import get_visible_event
from fengqiao.files.storage import FileStorage

MAX_ATTACHMENTS_PER_EVENT = 50


def attach(
    *,
    session: Session,
    storage: FileStorage,
    viewer: Viewer,
    event_id: int,
    data: bytes,
    filename: str,
    action_id: int | None = None,
) -> Attachment:
    """Stores ``data`` as an attachment of the event. ``action_id`` names the action that carried the file (a report
    back with its photos); without it the file belongs to the step the event is at, its latest action."""
    event = get_visible_event(session=session, viewer=viewer, event_id=event_id)
    if action_id is None:
        action_id = event.actions[-1].id if event.actions else None
    elif all(a.id != action_id for a in event.actions):
        raise InvalidInput("附件只能挂在本事件的办理记录上", code="invalid_action")
    count = len(session.scalars(select(Attachment.id).where(Attachment.event_id == event.id)).all())
    if count >= MAX_ATTACHMENTS_PER_EVENT:
        raise InvalidInput(f"每个事件最多{MAX_ATTACHMENTS_PER_EVENT}个附件", code="too_many_attachments")
    stored = storage.put(data, filename=filename)
    attachment = Attachment(
        county_code=event.county_code,
        event_id=event.id,
        action_id=action_id,
        filename=filename[:200] or "附件",
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
        storage_key=stored.key,
        uploaded_by_id=viewer.staff_id,
    )
    session.add(attachment)
    session.flush()
    return attachment


def list_for(*, session: Session, viewer: Viewer, event_id: int) -> list[Attachment]:
    event: Event = get_visible_event(session=session, viewer=viewer, event_id=event_id)
    return list(session.scalars(select(Attachment).where(Attachment.event_id == event.id).order_by(Attachment.id)))


def read(*, session: Session, storage: FileStorage, viewer: Viewer, attachment_id: int) -> tuple[Attachment, bytes]:
    attachment = session.get(Attachment, attachment_id)
    if attachment is None:
        raise NotFound(f"未找到附件{attachment_id}", code="attachment_not_found")
    try:
        get_visible_event(session=session, viewer=viewer, event_id=attachment.event_id)
    except NotFound as exc:
        raise NotFound(f"未找到附件{attachment_id}", code="attachment_not_found") from exc
    return attachment, storage.get(attachment.storage_key)
