"""Linking events to the key registers — the thin database layer around ``matching``.

``link_events`` runs in the analysis job after parties are linked to identities: it reads the events' parties (their
identities and numbers), building and text, matches them against the active entries of the county, stores one
``register_links`` row per (event, entry), and raises the event's risk level to at least the entry's level — never
lowering it. ``key_identity_ids`` and ``key_building_ids`` tell the rules engine who and where is on a register.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from fengqiao.accounts.masking import mask_name
from fengqiao.accounts.scope import Viewer
from fengqiao.core.clock import utcnow
from fengqiao.events.kinds import OPEN_STATUSES
from fengqiao.events.models import Event, EventParty
from fengqiao.events.queries import visible
from fengqiao.linking.identity import compact_id_number
from fengqiao.linking.models import Identity, PartyLink
from fengqiao.registers.kinds import EntryKind, EntryStatus, raised
from fengqiao.registers.matching import Entry, EventFacts, PartyFact, RegisterHit, match_event, usable_aliases
from fengqiao.registers.models import KeyPerson, KeyPlace, KeyProject, KeyProjectParty, RegisterLink

_OPEN = frozenset(s.value for s in OPEN_STATUSES)
# How far back a newly registered entry looks for events that already touched it.
HISTORY_DAYS = 90
_ACTIVE = EntryStatus.ACTIVE.value


def _numbers(*values: str | None) -> frozenset[str]:
    return frozenset(n for n in (compact_id_number(v) for v in values) if n)


def active_entries(*, session: Session, county_code: str) -> list[Entry]:
    """The county's active entries as the matcher sees them. Registers hold hundreds to a few thousand entries:
    read whole, once per call."""
    entries: list[Entry] = []
    projects = session.scalars(
        select(KeyProject)
        .where(KeyProject.county_code == county_code, KeyProject.status == _ACTIVE)
        .options(selectinload(KeyProject.parties))
    )
    for p in projects:
        entries.append(
            Entry(
                kind=EntryKind.PROJECT,
                id=p.id,
                name=p.name,
                level=p.risk_level,
                identity_ids=frozenset(x.identity_id for x in p.parties if x.identity_id is not None),
                numbers=frozenset().union(*(_numbers(x.credit_code, x.id_number) for x in p.parties)),
                building_ids=frozenset({p.building_id}) if p.building_id else frozenset(),
                aliases=usable_aliases(p.aliases or []),
            )
        )
    for person in session.scalars(
        select(KeyPerson).where(KeyPerson.county_code == county_code, KeyPerson.status == _ACTIVE)
    ):
        entries.append(
            Entry(
                kind=EntryKind.PERSON,
                id=person.id,
                # The link's reason is shown with events: the person's name goes there masked.
                name=mask_name(person.name) or "",
                level=person.level,
                identity_ids=frozenset({person.identity_id}) if person.identity_id else frozenset(),
                numbers=_numbers(person.id_number),
            )
        )
    for place in session.scalars(
        select(KeyPlace).where(KeyPlace.county_code == county_code, KeyPlace.status == _ACTIVE)
    ):
        entries.append(
            Entry(
                kind=EntryKind.PLACE,
                id=place.id,
                name=place.name,
                level=place.level,
                building_ids=frozenset({place.building_id}) if place.building_id else frozenset(),
                aliases=usable_aliases(place.aliases or []),
            )
        )
    return entries


def _event_facts(*, session: Session, events: Sequence[Event]) -> list[EventFacts]:
    ids = [e.id for e in events]
    parties: dict[int, list[PartyFact]] = defaultdict(list)
    for link in session.execute(
        select(
            PartyLink.event_id, PartyLink.role, PartyLink.identity_id, PartyLink.id_number, PartyLink.credit_code
        ).where(PartyLink.event_id.in_(ids))
    ):
        number = compact_id_number(link.credit_code) or compact_id_number(link.id_number)
        parties[link.event_id].append(PartyFact(role=link.role, identity_id=link.identity_id, number=number))
    # The parties' own numbers too: an event not linked to identities yet is still matched by ID number or credit code.
    for party in session.execute(
        select(EventParty.event_id, EventParty.role, EventParty.id_number, EventParty.credit_code).where(
            EventParty.event_id.in_(ids)
        )
    ):
        for number in _numbers(party.credit_code, party.id_number):
            parties[party.event_id].append(PartyFact(role=party.role, identity_id=None, number=number))
    return [
        EventFacts(
            event_id=e.id,
            building_id=e.building_id,
            text=f"{e.title}\n{e.content}",
            parties=tuple(parties.get(e.id, ())),
        )
        for e in events
    ]


def link_events(*, session: Session, event_ids: Sequence[int]) -> list[RegisterHit]:
    """Link the events to the register entries they touch and raise their risk. Idempotent: an (event, entry) pair
    already linked is not linked again. Returns the new hits."""
    if not event_ids:
        return []
    events = list(session.scalars(select(Event).where(Event.id.in_(sorted(set(event_ids)))).order_by(Event.id)))
    by_county: dict[str, list[Event]] = defaultdict(list)
    for e in events:
        by_county[e.county_code].append(e)
    known = {
        (row.event_id, row.entry_kind, row.entry_id)
        for row in session.execute(
            select(RegisterLink.event_id, RegisterLink.entry_kind, RegisterLink.entry_id).where(
                RegisterLink.event_id.in_([e.id for e in events])
            )
        )
    }
    hits: list[RegisterHit] = []
    for county_code, county_events in by_county.items():
        entries = active_entries(session=session, county_code=county_code)
        if not entries:
            continue
        facts = _event_facts(session=session, events=county_events)
        for event, fact in zip(county_events, facts, strict=True):
            for hit in match_event(fact, entries):
                if (event.id, hit.entry_kind.value, hit.entry_id) in known:
                    continue
                before = event.risk_level or "low"
                after = raised(before, hit.level) if event.status in _OPEN else before
                if after != before:
                    event.risk_level = after
                session.add(
                    RegisterLink(
                        county_code=county_code,
                        event_id=event.id,
                        entry_kind=hit.entry_kind.value,
                        entry_id=hit.entry_id,
                        reason=hit.reason.value,
                        detail=hit.detail,
                        risk_before=before,
                        risk_after=after,
                    )
                )
                known.add((event.id, hit.entry_kind.value, hit.entry_id))
                hits.append(hit)
    session.flush()
    return hits


def key_identity_ids(session: Session, county_code: str) -> set[int]:
    """Identities of active key persons and of the parties of active key projects — by the identity stored on the
    entry, or by an identity carrying the same ID number or credit code."""
    ids: set[int] = set()
    person_numbers: set[str] = set()
    for identity_id, number in session.execute(
        select(KeyPerson.identity_id, KeyPerson.id_number).where(
            KeyPerson.county_code == county_code, KeyPerson.status == _ACTIVE
        )
    ):
        if identity_id is not None:
            ids.add(identity_id)
        person_numbers.add(number)
    credit_codes: set[str] = set()
    for identity_id, credit_code, id_number in session.execute(
        select(KeyProjectParty.identity_id, KeyProjectParty.credit_code, KeyProjectParty.id_number)
        .join(KeyProject, KeyProject.id == KeyProjectParty.project_id)
        .where(KeyProject.county_code == county_code, KeyProject.status == _ACTIVE)
    ):
        if identity_id is not None:
            ids.add(identity_id)
        if credit_code:
            credit_codes.add(credit_code)
        if id_number:
            person_numbers.add(id_number)
    if person_numbers:
        ids.update(
            session.scalars(
                select(Identity.id).where(Identity.county_code == county_code, Identity.id_number.in_(person_numbers))
            )
        )
    if credit_codes:
        ids.update(
            session.scalars(
                select(Identity.id).where(Identity.county_code == county_code, Identity.credit_code.in_(credit_codes))
            )
        )
    return ids


def key_building_ids(session: Session, county_code: str) -> set[int]:
    """Buildings of active key places and key projects."""
    places = session.scalars(
        select(KeyPlace.building_id).where(
            KeyPlace.county_code == county_code, KeyPlace.status == _ACTIVE, KeyPlace.building_id.is_not(None)
        )
    )
    projects = session.scalars(
        select(KeyProject.building_id).where(
            KeyProject.county_code == county_code, KeyProject.status == _ACTIVE, KeyProject.building_id.is_not(None)
        )
    )
    return {b for b in (*places, *projects) if b is not None}


def linked_events(
    *, session: Session, viewer: Viewer, kind: EntryKind, entry_id: int, limit: int = 200
) -> tuple[list[tuple[RegisterLink, Event]], int]:
    """The events linked to an entry that the viewer may see (newest first), and how many others are hidden."""
    base = (
        select(RegisterLink, Event)
        .join(Event, Event.id == RegisterLink.event_id)
        .where(RegisterLink.entry_kind == kind.value, RegisterLink.entry_id == entry_id)
    )
    rows = [
        (link, event)
        for link, event in session.execute(
            base.where(visible(viewer)).order_by(Event.registered_at.desc(), Event.id.desc()).limit(limit)
        ).all()
    ]
    total = session.scalar(
        select(func.count())
        .select_from(RegisterLink)
        .where(RegisterLink.entry_kind == kind.value, RegisterLink.entry_id == entry_id)
    )
    visible_total = session.scalar(select(func.count()).select_from(base.where(visible(viewer)).subquery()))
    return rows, max(0, (total or 0) - (visible_total or 0))


def link_history(*, session: Session, entry: Entry, county_code: str, days: int = HISTORY_DAYS) -> list[RegisterHit]:
    """Link the recent events that already touched a newly registered (or edited) entry: candidates are found by
    index (identity, numbers, building) and by the aliases in their text, then matched like new events."""
    since = utcnow() - timedelta(days=days)
    recent = (Event.county_code == county_code, Event.registered_at >= since)
    candidates: set[int] = set()
    if entry.building_ids:
        candidates.update(session.scalars(select(Event.id).where(*recent, Event.building_id.in_(entry.building_ids))))
    if entry.identity_ids or entry.numbers:
        conditions = []
        if entry.identity_ids:
            conditions.append(PartyLink.identity_id.in_(entry.identity_ids))
        if entry.numbers:
            conditions += [PartyLink.id_number.in_(entry.numbers), PartyLink.credit_code.in_(entry.numbers)]
        candidates.update(
            session.scalars(
                select(PartyLink.event_id).where(
                    PartyLink.county_code == county_code, PartyLink.event_time >= since, or_(*conditions)
                )
            )
        )
        candidates.update(
            session.scalars(
                select(EventParty.event_id)
                .join(Event, Event.id == EventParty.event_id)
                .where(
                    *recent,
                    or_(EventParty.id_number.in_(entry.numbers), EventParty.credit_code.in_(entry.numbers)),
                )
            )
        )
    for alias in entry.aliases:
        candidates.update(
            session.scalars(
                select(Event.id).where(
                    *recent,
                    or_(Event.title.contains(alias, autoescape=True), Event.content.contains(alias, autoescape=True)),
                )
            )
        )
    return [
        h
        for h in link_events(session=session, event_ids=sorted(candidates))
        if h.entry_id == entry.id and h.entry_kind is entry.kind
    ]


ENTRY_MODELS: dict[EntryKind, type[KeyProject] | type[KeyPerson] | type[KeyPlace]] = {
    EntryKind.PROJECT: KeyProject,
    EntryKind.PERSON: KeyPerson,
    EntryKind.PLACE: KeyPlace,
}


def relink_entry(*, session: Session, kind: EntryKind, entry_id: int) -> list[RegisterHit]:
    """Link the recent events of one entry (after it is registered or edited); nothing when it is not active."""
    model = ENTRY_MODELS[kind]
    county_code = session.scalar(select(model.county_code).where(model.id == entry_id))
    if county_code is None:
        return []
    entry = next(
        (e for e in active_entries(session=session, county_code=county_code) if e.kind is kind and e.id == entry_id),
        None,
    )
    return [] if entry is None else link_history(session=session, entry=entry, county_code=county_code)
