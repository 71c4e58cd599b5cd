"""One intake service for every channel: validate, place, register — and never twice for the same source ticket."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from fengqiao.basedata.identifiers import validate_credit_code, validate_phone, validate_resident_id
from fengqiao.basedata.models import Building, Room
from fengqiao.core.clock import utcnow
from fengqiao.core.errors import FengqiaoError, InvalidInput, NotFound
from fengqiao.events.dispute_code import new_dispute_code
from fengqiao.events.kinds import Channel, EventStatus, IntakeType, PartyKind, PartyRole
from fengqiao.events.lifecycle import Action
from fengqiao.events.location import dispatching_unit_for
from fengqiao.events.models import Event, EventAction, EventParty
from fengqiao.jurisdiction.locator import NOT_FOUND, grid_locator
from fengqiao.jurisdiction.models import Unit
from fengqiao.metrics.models import mark_dirty


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
    room_id: int | None = None  # a room of ``building_id``
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


@dataclass(frozen=True)
class BatchItemResult:
    """One item of a batch: the event it became (new or already there), or why it could not."""

    index: int
    event_id: int | None = None
    dispute_code: str | None = None
    created: bool = False
    error: FengqiaoError | None = None


@dataclass(frozen=True)
class _Placement:
    unit_id: int
    path: str


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
    placement = _place_all(session=session, news=[new], fallback=registering_unit)[0]
    if isinstance(placement, FengqiaoError):
        raise placement
    owner = dispatching_unit_for(session=session, unit=registering_unit)
    now = utcnow()
    event = Event(
        **_event_values(new, placement, owner=owner, registering_unit=registering_unit, actor_id=actor_id, now=now)
    )
    event.parties = [EventParty(**_party_values(p, county_code=event.county_code)) for p in new.parties]
    event.actions = [
        EventAction(
            **_register_action(
                new, county_code=event.county_code, registering_unit=registering_unit, actor_id=actor_id, now=now
            )
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


# Called with the rows about to be inserted (each: the new event and its column values), so that a caller — triage —
# can fill in what it concludes before the insert rather than update every row after it.
Enrich = Callable[[list[tuple[NewEvent, dict[str, Any]]]], None]


def register_many(
    *,
    session: Session,
    items: Sequence[NewEvent | FengqiaoError],
    registering_unit: Unit,
    enrich: Enrich | None = None,
    actor_id: int | None = None,
) -> list[BatchItemResult]:
    """Register a batch from a feed with set-based queries and bulk inserts; the answer per item is the same as
    ``register`` would give. Items already known (by source id, also twice within the batch) are not created again;
    a bad item gets its error and the others still land. Should another writer register one of the same tickets in
    the meantime, the batch falls back to ``register`` item by item, which settles the race. ``actor_id``: the member
    of staff who keyed the whole batch (a grid worker's patrol round), None for a feed."""
    results: dict[int, BatchItemResult] = {}
    valid: list[tuple[int, NewEvent]] = []
    for index, item in enumerate(items):
        if isinstance(item, FengqiaoError):
            results[index] = BatchItemResult(index, error=item)
            continue
        try:
            _validate(item)
        except FengqiaoError as exc:
            results[index] = BatchItemResult(index, error=exc)
            continue
        valid.append((index, item))
    known = _known_sources(session=session, news=[n for _, n in valid])
    fresh: list[tuple[int, NewEvent]] = []
    first_in_batch: dict[tuple[str, str], int] = {}
    for index, new in valid:
        key = (new.channel.value, new.source_id) if new.source_id else None
        if key is not None and key in known:
            event_id, code = known[key]
            results[index] = BatchItemResult(index, event_id=event_id, dispute_code=code)
        elif key is not None and key in first_in_batch:
            continue  # settled below, once the first occurrence has its id
        else:
            if key is not None:
                first_in_batch[key] = index
            fresh.append((index, new))
    placements = _place_all(session=session, news=[n for _, n in fresh], fallback=registering_unit)
    owner = dispatching_unit_for(session=session, unit=registering_unit)
    now = utcnow()
    rows: list[tuple[int, NewEvent, dict[str, Any]]] = []
    for (index, new), placement in zip(fresh, placements, strict=True):
        if isinstance(placement, FengqiaoError):
            results[index] = BatchItemResult(index, error=placement)
            continue
        values = _event_values(
            new, placement, owner=owner, registering_unit=registering_unit, actor_id=actor_id, now=now
        )
        rows.append((index, new, values))
    if enrich is not None and rows:
        enrich([(new, values) for _, new, values in rows])
    savepoint = session.begin_nested()
    try:
        created = _bulk_insert(
            session=session, rows=rows, registering_unit=registering_unit, actor_id=actor_id, now=now
        )
    except IntegrityError:
        savepoint.rollback()
        return _one_by_one(session=session, items=items, registering_unit=registering_unit, actor_id=actor_id)
    savepoint.commit()
    for index, event_id, code in created:
        results[index] = BatchItemResult(index, event_id=event_id, dispute_code=code, created=True)
    for index, new in valid:
        if index not in results and new.source_id:
            first = results[first_in_batch[(new.channel.value, new.source_id)]]
            results[index] = BatchItemResult(
                index, event_id=first.event_id, dispute_code=first.dispute_code, error=first.error
            )
    return [results[i] for i in range(len(items))]


def _one_by_one(
    *, session: Session, items: Sequence[NewEvent | FengqiaoError], registering_unit: Unit, actor_id: int | None
) -> list[BatchItemResult]:
    results = []
    for index, item in enumerate(items):
        if isinstance(item, FengqiaoError):
            results.append(BatchItemResult(index, error=item))
            continue
        try:
            result = register(session=session, new=item, registering_unit=registering_unit, actor_id=actor_id)
        except FengqiaoError as exc:
            results.append(BatchItemResult(index, error=exc))
            continue
        results.append(
            BatchItemResult(
                index, event_id=result.event.id, dispute_code=result.event.dispute_code, created=result.created
            )
        )
    return results


def _bulk_insert(
    *,
    session: Session,
    rows: list[tuple[int, NewEvent, dict[str, Any]]],
    registering_unit: Unit,
    actor_id: int | None,
    now: datetime,
) -> list[tuple[int, int, str]]:
    if not rows:
        return []
    inserted = (
        session.execute(
            insert(Event).returning(Event.id, sort_by_parameter_order=True), [values for _, _, values in rows]
        )
        .scalars()
        .all()
    )
    created = list(zip(rows, inserted, strict=True))
    parties: list[dict[str, Any]] = []
    actions: list[dict[str, Any]] = []
    for (_, new, values), event_id in created:
        county_code = values["county_code"]
        parties.extend({**_party_values(p, county_code=county_code), "event_id": event_id} for p in new.parties)
        actions.append(
            {
                **_register_action(
                    new, county_code=county_code, registering_unit=registering_unit, actor_id=actor_id, now=now
                ),
                "event_id": event_id,
            }
        )
    if parties:
        session.execute(insert(EventParty), parties)
    session.execute(insert(EventAction), actions)
    # Core inserts pass the metrics' flush listener by: mark the new events for the rollups here.
    mark_dirty(
        session, {event_id: values["county_code"] for (_, _, values), event_id in zip(rows, inserted, strict=True)}
    )
    return [
        (index, event_id, values["dispute_code"]) for (index, _, values), event_id in zip(rows, inserted, strict=True)
    ]


def _known_sources(*, session: Session, news: Sequence[NewEvent]) -> dict[tuple[str, str], tuple[int, str]]:
    by_channel: dict[str, set[str]] = {}
    for new in news:
        if new.source_id:
            by_channel.setdefault(new.channel.value, set()).add(new.source_id)
    known: dict[tuple[str, str], tuple[int, str]] = {}
    for channel, source_ids in by_channel.items():
        ordered = sorted(source_ids)
        for start in range(0, len(ordered), 500):
            for event_id, source_id, code in session.execute(
                select(Event.id, Event.source_id, Event.dispute_code).where(
                    Event.channel == channel, Event.source_id.in_(ordered[start : start + 500])
                )
            ):
                if source_id is not None:
                    known[(channel, source_id)] = (event_id, code)
    return known


def _place_all(*, session: Session, news: Sequence[NewEvent], fallback: Unit) -> list[_Placement | FengqiaoError]:
    """Where each event lies: an explicit unit code wins, then the building's grid, then the point's grid, else the
    registering unit (until triage places it better). One query per kind of clue, whatever the batch size."""
    codes = {n.unit_code for n in news if n.unit_code}
    by_code = {
        code: _Placement(unit_id, path)
        for unit_id, code, path in (
            session.execute(select(Unit.id, Unit.code, Unit.path).where(Unit.code.in_(codes))) if codes else []
        )
    }
    building_ids = {n.building_id for n in news if n.building_id is not None and not n.unit_code}
    by_building = {
        building_id: _Placement(unit_id, path)
        for building_id, unit_id, path in (
            session.execute(
                select(Building.id, Unit.id, Unit.path)
                .join(Unit, Unit.id == Building.grid_id)
                .where(Building.id.in_(building_ids))
            )
            if building_ids
            else []
        )
    }
    room_ids = {n.room_id for n in news if n.room_id is not None}
    room_buildings: dict[int, int] = (
        dict(session.execute(select(Room.id, Room.building_id).where(Room.id.in_(room_ids))).all()) if room_ids else {}
    )
    pointed = [
        i
        for i, n in enumerate(news)
        if not n.unit_code and n.building_id is None and n.lon is not None and n.lat is not None
    ]
    by_point: dict[int, int] = {}
    if pointed:
        grid_ids = grid_locator(session).locate_many(
            np.array([news[i].lon for i in pointed], dtype=np.float64),
            np.array([news[i].lat for i in pointed], dtype=np.float64),
        )
        by_point = {i: int(g) for i, g in zip(pointed, grid_ids, strict=True) if g != NOT_FOUND}
    grid_paths = (
        {
            row.id: row.path
            for row in session.execute(select(Unit.id, Unit.path).where(Unit.id.in_(set(by_point.values()))))
        }
        if by_point
        else {}
    )
    placements: list[_Placement | FengqiaoError] = []
    for i, new in enumerate(news):
        if new.room_id is not None and (new.building_id is None or room_buildings.get(new.room_id) != new.building_id):
            placements.append(InvalidInput(f"户室{new.room_id}不属于所选楼栋", code="room_not_in_building"))
        elif new.unit_code:
            placements.append(
                by_code.get(new.unit_code) or NotFound(f"未找到单位“{new.unit_code}”", code="unit_not_found")
            )
        elif new.building_id is not None:
            placements.append(
                by_building.get(new.building_id) or NotFound(f"未找到楼址{new.building_id}", code="building_not_found")
            )
        elif i in by_point:
            placements.append(_Placement(by_point[i], grid_paths[by_point[i]]))
        else:
            placements.append(_Placement(fallback.id, fallback.path))
    return placements


def _event_values(
    new: NewEvent,
    placement: _Placement,
    *,
    owner: Unit,
    registering_unit: Unit,
    actor_id: int | None,
    now: datetime,
) -> dict[str, Any]:
    return {
        "county_code": registering_unit.county_code,
        "dispute_code": new_dispute_code(),
        "channel": new.channel.value,
        "source_id": new.source_id,
        "intake_type": new.intake_type.value if new.intake_type else None,
        "title": new.title.strip(),
        "content": new.content.strip(),
        "category": new.category,
        "is_dispute": new.is_dispute,
        "is_sensitive": new.is_sensitive,
        "risk_level": "low",
        "status": EventStatus.REGISTERED.value,
        "owner_unit_id": owner.id,
        "registered_unit_id": registering_unit.id,
        "location_unit_id": placement.unit_id,
        "location_path": placement.path,
        "address": new.address,
        "lon": new.lon,
        "lat": new.lat,
        "building_id": new.building_id,
        "room_id": new.room_id,
        "involved_count": new.involved_count,
        "amount": new.amount,
        "reporter_name": new.reporter_name,
        "reporter_phone": new.reporter_phone,
        "occurred_at": new.occurred_at,
        "registered_at": now,
        "updated_at": now,
        "is_overdue": False,
        "version": 1,
        "created_by_id": actor_id,
    }


def _party_values(party: NewParty, *, county_code: str) -> dict[str, Any]:
    return {
        "county_code": county_code,
        "role": party.role.value,
        "kind": party.kind.value,
        "name": party.name.strip(),
        "id_number": party.id_number,
        "credit_code": party.credit_code,
        "phone": party.phone,
        "address": party.address,
    }


def _register_action(
    new: NewEvent, *, county_code: str, registering_unit: Unit, actor_id: int | None, now: datetime
) -> dict[str, Any]:
    return {
        "county_code": county_code,
        "action": Action.REGISTER.value,
        "from_status": None,
        "to_status": EventStatus.REGISTERED.value,
        "actor_id": actor_id,
        "actor_unit_id": registering_unit.id,
        "at": now,
        "data": {"channel": new.channel.value, "source_id": new.source_id},
    }


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
