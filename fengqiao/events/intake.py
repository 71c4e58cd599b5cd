"""One intake service for every channel: validate, place, register — and never twice for the same source ticket."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from fengqiao.basedata.identifiers import validate_credit_code, validate_phone, validate_resident_id
from fengqiao.core.clock import utcnow
from fengqiao.core.errors import InvalidInput
from fengqiao.events.dispute_code import new_dispute_code
from fengqiao.events.kinds import Channel, EventStatus, IntakeType, PartyKind, PartyRole
from fengqiao.events.lifecycle import Action
from fengqiao.events.location import dispatching_unit_for, resolve_location
from fengqiao.events.models import Event, EventAction, EventParty
from fengqiao.jurisdiction.models import Unit


@dataclass
class NewParty:
    role: PartyRole
    name: str
    kind: PartyKind = PartyKind.PERSON
    id_number: str | None = None
    credit_code: str | None = None
    phone: str | None = None
    address: str | None = None


@dataclass
class NewEvent:
    """What every channel adapter produces. Validation happens in ``register``, whatever the channel."""

    channel: Channel
    title: str
    content: str
    source_id: str | None = None
    intake_type: IntakeType | None = None
    category: str | None = None
    is_dispute: bool = False
    is_sensitive: bool = False
    unit_code: str | None = None
    building_id: int | None = None
    address: str | None = None
    lon: float | None = None
    lat: float | None = None
    occurred_at: datetime | None = None
    reporter_name: str | None = None
    reporter_phone: str | None = None
    involved_count: int | None = None
    amount: int | None = None
    parties: list[NewParty] = field(default_factory=list)


@dataclass(frozen=True)
class IntakeResult:
    event: Event
    created: bool


def register(*, session: Session, new: NewEvent, registering_unit: Unit, actor_id: int | None = None) -> IntakeResult:
    """Register ``new`` as an event, or return the event already registered for its (channel, source id).

    Redelivery is idempotent also under concurrency: the unique (channel, source_id) constraint decides the race,
    and the loser returns the winner's event.
    """
    if new.source_id:
        existing = _by_source(session=session, channel=new.channel, source_id=new.source_id)
        if existing is not None:
            return IntakeResult(existing, created=False)
    _validate(new)
    location = resolve_location(
        session=session,
        fallback=registering_unit,
        unit_code=new.unit_code,
        building_id=new.building_id,
        lon=new.lon,
        lat=new.lat,
    )
    owner = dispatching_unit_for(session=session, unit=registering_unit)
    now = utcnow()
    event = Event(
        county_code=registering_unit.county_code,
        dispute_code=new_dispute_code(),
        channel=new.channel.value,
        source_id=new.source_id,
        intake_type=new.intake_type.value if new.intake_type else None,
        title=new.title.strip(),
        content=new.content.strip(),
        category=new.category,
        is_dispute=new.is_dispute,
        is_sensitive=new.is_sensitive,
        status=EventStatus.REGISTERED.value,
        owner_unit_id=owner.id,
        registered_unit_id=registering_unit.id,
        location_unit_id=location.id,
        location_path=location.path,
        address=new.address,
        lon=new.lon,
        lat=new.lat,
        building_id=new.building_id,
        involved_count=new.involved_count,
        amount=new.amount,
        reporter_name=new.reporter_name,
        reporter_phone=new.reporter_phone,
        occurred_at=new.occurred_at,
        registered_at=now,
        created_by_id=actor_id,
    )
    event.parties = [
        EventParty(
            county_code=event.county_code,
            role=p.role.value,
            kind=p.kind.value,
            name=p.name.strip(),
            id_number=p.id_number,
            credit_code=p.credit_code,
            phone=p.phone,
            address=p.address,
        )
        for p in new.parties
    ]
    event.actions = [
        EventAction(
            county_code=event.county_code,
            action=Action.REGISTER.value,
            from_status=None,
            to_status=EventStatus.REGISTERED.value,
            actor_id=actor_id,
            actor_unit_id=registering_unit.id,
            at=now,
            data={"channel": new.channel.value, "source_id": new.source_id},
        )
    ]
    savepoint = session.begin_nested()
    try:
        session.add(event)
        session.flush()
    except IntegrityError:
        savepoint.rollback()
        if new.source_id:
            existing = _by_source(session=session, channel=new.channel, source_id=new.source_id)
            if existing is not None:
                return IntakeResult(existing, created=False)
        # A dispute-code collision (40 random bits: practically never): try once more with a fresh code.
        return register(session=session, new=new, registering_unit=registering_unit, actor_id=actor_id)
    savepoint.commit()
    return IntakeResult(event, created=True)


def _by_source(*, session: Session, channel: Channel, source_id: str) -> Event | None:
    return session.scalars(
        select(Event).where(Event.channel == channel.value, Event.source_id == source_id)
    ).one_or_none()


def _validate(new: NewEvent) -> None:
    if not new.title.strip():
        raise InvalidInput("事件标题不能为空", code="title_required")
    if not new.content.strip():
        raise InvalidInput("事件内容不能为空", code="content_required")
    if new.reporter_phone:
        new.reporter_phone = validate_phone(new.reporter_phone)
    for party in new.parties:
        if not party.name.strip():
            raise InvalidInput("当事人姓名不能为空", code="party_name_required")
        if party.id_number:
            party.id_number = validate_resident_id(party.id_number)
        if party.credit_code:
            party.credit_code = validate_credit_code(party.credit_code)
        if party.phone:
            party.phone = validate_phone(party.phone)
