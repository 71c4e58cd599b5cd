"""Linking events as they arrive: each party (and the reporter) to an identity, each text into its LSH buckets.

Incremental: a new event's parties find candidate identities through blocking keys (one indexed lookup), are
compared with those identities' known facts by the rules of ``fengqiao.linking.identity``, and join the best one or
start a new identity. Staff can split a wrong join; the split is remembered, audited, and never undone by the rules.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Dialect, Table, and_, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from fengqiao.audit import service as audit
from fengqiao.core.clock import utcnow
from fengqiao.core.errors import InvalidInput, NotFound
from fengqiao.db.base import Base
from fengqiao.events.kinds import PartyKind
from fengqiao.events.models import Event, EventParty
from fengqiao.linking import texts
from fengqiao.linking.identity import (
    Decision,
    PartyFacts,
    Verdict,
    compact_id_number,
    compact_phone,
    compare_organisations,
    compare_persons,
    id_number_valid,
)
from fengqiao.linking.models import Identity, IdentityKey, IdentitySeparation, PartyLink, TextBand
from fengqiao.linking.names import clean, organisation_core, read_person_name

REPORTER_SLOT = 0
REPORTER_ROLE = "reporter"
# Facts compared per candidate identity: its most recent distinct ones (a person seen 500 times is not compared 500
# times; the newest facts carry the current phone).
FACTS_PER_IDENTITY = 12
# similar_events: at most this many candidate texts compared, those sharing the most bands first.
SIMILAR_CANDIDATES = 500
T = TypeVar("T")


@dataclass(frozen=True)
class Party:
    """A party of an event to be linked: the reporter (slot 0) or an event_parties row."""

    event_id: int
    slot: int
    county_code: str
    event_time: datetime
    role: str
    kind: PartyKind
    facts: PartyFacts


@dataclass(frozen=True)
class LinkResult:
    parties: int
    joined: int
    new_identities: int


def facts_of(*, name: str, id_number: str | None, phone: str | None, credit_code: str | None) -> PartyFacts:
    return PartyFacts(
        name=clean(name)[:64],
        id_number=compact_id_number(id_number),
        phone=compact_phone(phone),
        credit_code=compact_id_number(credit_code),
    )


def keys_of(kind: PartyKind, facts: PartyFacts) -> list[str]:
    """Blocking keys. An ID number is also keyed by two overlapping parts with the name, so that a number typed with
    one wrong digit, or two neighbours swapped, still meets the right one (with the same name)."""
    keys: list[str] = []
    if kind is PartyKind.ORGANISATION:
        if facts.credit_code:
            keys.append(f"cc:{facts.credit_code}")
        core = organisation_core(facts.name)
        if core:
            keys.append(f"org:{core}")
        if facts.phone:
            keys.append(f"ph:{facts.phone}")
        return keys
    number = facts.id_number
    if number:
        keys.append(f"id:{number}")
        if len(number) == 18:
            name = read_person_name(facts.name).text
            keys.extend((f"ia:{name}:{number[:9]}", f"ib:{name}:{number[9:]}", f"ic:{name}:{number[:8]}{number[10:]}"))
    if facts.phone:
        keys.append(f"ph:{facts.phone}")
    return keys


def compare(kind: PartyKind, a: PartyFacts, b: PartyFacts) -> Decision:
    return compare_organisations(a, b) if kind is PartyKind.ORGANISATION else compare_persons(a, b)


# --- linking ------------------------------------------------------------------------------------------------------


# Values per IN (...) list: under SQLite's and PostgreSQL's bound-parameter limits, and index-friendly.
IN_CHUNK = 5_000


def _table(model: type[Base]) -> Table:
    """A model's Core table: bulk statements on it skip the ORM's per-row bookkeeping."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _chunks(values: Sequence[T], size: int = IN_CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def parties_of(*, session: Session, event_ids: Sequence[int]) -> list[Party]:
    """The reporters and parties of these events that are not linked yet, event by event (reporter first, then the
    parties in the order they were entered)."""
    if not event_ids:
        return []
    ids = sorted(set(event_ids))
    linked: set[tuple[int, int]] = set()
    events: list[tuple[int, str, datetime, str | None, str | None]] = []
    party_rows: list[tuple[int, int, str, str, str, str, str | None, str | None, str | None]] = []
    for chunk in _chunks(ids):
        linked.update(
            (e, s)
            for e, s in session.execute(select(PartyLink.event_id, PartyLink.slot).where(PartyLink.event_id.in_(chunk)))
        )
        events.extend(
            session.execute(
                select(
                    Event.id, Event.county_code, Event.registered_at, Event.reporter_name, Event.reporter_phone
                ).where(Event.id.in_(chunk))
            )
        )
        party_rows.extend(
            session.execute(
                select(
                    EventParty.event_id,
                    EventParty.id,
                    EventParty.county_code,
                    EventParty.role,
                    EventParty.kind,
                    EventParty.name,
                    EventParty.id_number,
                    EventParty.phone,
                    EventParty.credit_code,
                ).where(EventParty.event_id.in_(chunk))
            )
        )
    by_event: dict[int, list[Party]] = defaultdict(list)
    times = {e[0]: e[2] for e in events}
    for event_id, county, at, name, phone in events:
        if name and (event_id, REPORTER_SLOT) not in linked:
            facts = facts_of(name=name, id_number=None, phone=phone, credit_code=None)
            by_event[event_id].append(
                Party(event_id, REPORTER_SLOT, county, at, REPORTER_ROLE, PartyKind.PERSON, facts)
            )
    party_rows.sort(key=lambda r: r[1])
    for event_id, party_id, county, role, kind, name, id_number, phone, credit_code in party_rows:
        if (event_id, party_id) in linked or not name:
            continue
        facts = facts_of(name=name, id_number=id_number, phone=phone, credit_code=credit_code)
        by_event[event_id].append(Party(event_id, party_id, county, times[event_id], role, PartyKind(kind), facts))
    return [party for event_id in sorted(by_event) for party in by_event[event_id]]


def link_events(*, session: Session, event_ids: Sequence[int]) -> LinkResult:
    """Link every party of these events and put their texts in the LSH buckets. Safe to repeat: what is linked
    stays as it is.

    Set-based, whatever the number of events: one query per kind of row for the candidates of all their parties
    (blocking keys, identities, the identities' known facts), the rules applied in memory in event order — a party
    sees the identities that earlier parties of the same call created or grew, exactly as if linked one by one —
    then bulk inserts. One event costs a handful of indexed queries; a million cost a few per thousand."""
    session.flush()
    parties = parties_of(session=session, event_ids=event_ids)
    result = _link_batch(session=session, parties=parties)
    band_texts(session=session, event_ids=event_ids)
    return result


@dataclass
class KnownIdentity:
    """An identity as the resolver holds it: its current facts, and the distinct facts of its newest links."""

    id: int  # > 0 stored; < 0 created by this resolver and not stored yet
    county_code: str
    kind: str
    name: str
    id_number: str | None
    credit_code: str | None
    phone: str | None
    recent: list[tuple[datetime, PartyFacts]] = field(default_factory=list)  # newest first, distinct facts
    added: int = 0  # links added by this resolver
    changed: bool = False

    def remember(self, at: datetime, facts: PartyFacts) -> None:
        for index, (seen_at, seen) in enumerate(self.recent):
            if seen == facts:
                if at > seen_at:
                    self.recent[index] = (at, facts)
                    self.recent.sort(key=lambda item: item[0], reverse=True)
                return
        self.recent.append((at, facts))
        self.recent.sort(key=lambda item: item[0], reverse=True)
        del self.recent[FACTS_PER_IDENTITY:]


@dataclass(frozen=True)
class Resolution:
    identity_id: int
    reasons: list[str]
    confidence: float
    method: str
    keys: list[str]


class Resolver:
    """The linking rules over an in-memory candidate map: blocking key → identities, identity → known facts. The
    database path fills it with the candidates of a batch; the benchmark also runs it alone (no database) to compare
    blocking with all-pairs comparison. Parties are resolved in order, each seeing what the earlier ones created."""

    def __init__(self) -> None:
        self.by_key: dict[tuple[str, str], set[int]] = defaultdict(set)
        self.identities: dict[int, KnownIdentity] = {}
        self._provisional = 0

    def resolve(self, party: Party) -> Resolution:
        keys = keys_of(party.kind, party.facts)
        candidates: set[int] = set()
        for key in keys:
            candidates.update(self.by_key.get((party.county_code, key), ()))
        best: tuple[float, int, Decision] | None = None
        # Stored identities by id, then new ones in order of creation: the order a one-by-one run would see.
        for identity_id in sorted(candidates, key=lambda i: (i < 0, abs(i))):
            known = self.identities[identity_id]
            if known.kind != party.kind.value:
                continue
            decision = _judge(party.kind, party.facts, [f for _, f in known.recent])
            if decision.same and (best is None or decision.confidence > best[0]):
                best = (decision.confidence, identity_id, decision)
        if best is None:
            known = self._create(party)
            resolution = Resolution(known.id, ["首次出现，新建人员／组织画像"], 1.0, "new", keys)
        else:
            confidence, identity_id, decision = best
            known = self.identities[identity_id]
            _improve_known(known, party.facts)
            resolution = Resolution(identity_id, list(decision.reasons), confidence, "rule", keys)
        known.added += 1
        known.remember(party.event_time, party.facts)
        for key in keys:
            self.by_key[(party.county_code, key)].add(known.id)
        return resolution

    def _create(self, party: Party) -> KnownIdentity:
        self._provisional -= 1
        facts = party.facts
        known = KnownIdentity(
            id=self._provisional,
            county_code=party.county_code,
            kind=party.kind.value,
            name=facts.name,
            id_number=facts.id_number if facts.id_number and id_number_valid(facts.id_number) else None,
            credit_code=facts.credit_code,
            phone=facts.phone,
        )
        self.identities[known.id] = known
        return known


def _improve_known(known: KnownIdentity, facts: PartyFacts) -> None:
    """A full name replaces a nickname, a valid ID number fills a missing one, the newest phone wins."""
    before = (known.name, known.id_number, known.credit_code, known.phone)
    if read_person_name(known.name).is_nickname and not read_person_name(facts.name).is_nickname:
        known.name = facts.name
    if not known.id_number and facts.id_number and id_number_valid(facts.id_number):
        known.id_number = facts.id_number
    if not known.credit_code and facts.credit_code:
        known.credit_code = facts.credit_code
    if facts.phone:
        known.phone = facts.phone
    if (known.name, known.id_number, known.credit_code, known.phone) != before:
        known.changed = True


def _load_candidates(*, session: Session, resolver: Resolver, parties: Sequence[Party]) -> set[tuple[str, str, int]]:
    """Fill the resolver with every stored identity sharing a blocking key with one of these parties, and their
    facts. Returns the (county, key, identity) rows already stored, so that only new keys are inserted."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for party in parties:
        wanted[party.county_code].update(keys_of(party.kind, party.facts))
    stored: set[tuple[str, str, int]] = set()
    for county, keys in wanted.items():
        for chunk in _chunks(sorted(keys)):
            rows = session.execute(
                select(IdentityKey.key, IdentityKey.identity_id).where(
                    IdentityKey.county_code == county, IdentityKey.key.in_(chunk)
                )
            )
            for key, identity_id in rows:
                stored.add((county, key, identity_id))
                resolver.by_key[(county, key)].add(identity_id)
    identity_ids = sorted({identity_id for _, _, identity_id in stored})
    for id_chunk in _chunks(identity_ids):
        for row in session.execute(
            select(
                Identity.id,
                Identity.county_code,
                Identity.kind,
                Identity.name,
                Identity.id_number,
                Identity.credit_code,
                Identity.phone,
            ).where(Identity.id.in_(id_chunk))
        ):
            resolver.identities[row.id] = KnownIdentity(
                row.id, row.county_code, row.kind, row.name, row.id_number, row.credit_code, row.phone
            )
        facts = session.execute(
            select(
                PartyLink.identity_id,
                PartyLink.event_time,
                PartyLink.name,
                PartyLink.id_number,
                PartyLink.phone,
                PartyLink.credit_code,
            )
            .where(PartyLink.identity_id.in_(id_chunk))
            .order_by(PartyLink.identity_id, PartyLink.event_time.desc())
        )
        for identity_id, at, name, id_number, phone, credit_code in facts:
            known = resolver.identities.get(identity_id)
            if known is None:
                continue
            fact = PartyFacts(name=name, id_number=id_number, phone=phone, credit_code=credit_code)
            if len(known.recent) < FACTS_PER_IDENTITY and all(f != fact for _, f in known.recent):
                known.recent.append((at, fact))
    # A key whose identity vanished (deleted by a merge in another transaction) is no candidate.
    for bucket in resolver.by_key.values():
        bucket.intersection_update(resolver.identities)
    return stored


_LINK_COLUMNS = (
    "event_id",
    "slot",
    "county_code",
    "identity_id",
    "event_time",
    "role",
    "name",
    "id_number",
    "phone",
    "credit_code",
    "reasons",
    "confidence",
    "method",
    "linked_at",
)
_IDENTITY_COLUMNS = (
    "id",
    "county_code",
    "kind",
    "name",
    "id_number",
    "credit_code",
    "phone",
    "party_count",
    "created_at",
    "updated_at",
)


def bulk_insert(*, session: Session, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
    """Rows as tuples in ``columns`` order, every column with a default included. On SQLite they go to the driver's
    executemany after each column type's own bind processor — what Core would send, without its per-row dictionary
    handling, which costs more than the insert itself; elsewhere through Core (psycopg batches them)."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name != "sqlite":
        session.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in rows])
        return
    sql, steps = _compiled_insert(table, tuple(columns), dialect)
    for start in range(0, len(rows), 10_000):
        connection.exec_driver_sql(
            sql,
            [
                tuple(row[i] if process is None else process(row[i]) for i, process in steps)
                for row in rows[start : start + 10_000]
            ],
        )


_Steps = list[tuple[int, Callable[[Any], Any] | None]]
_COMPILED: dict[tuple[str, tuple[str, ...], str], tuple[str, _Steps]] = {}


def _compiled_insert(table: Table, columns: tuple[str, ...], dialect: Dialect) -> tuple[str, _Steps]:
    """The INSERT's SQL and, per parameter, the row position and bind processor — compiled once per process: for one
    event, compiling would cost more than inserting."""
    cache_key = (table.name, columns, dialect.name)
    if cache_key not in _COMPILED:
        compiled = insert(table).compile(dialect=dialect, column_keys=list(columns))
        names = list(compiled.positiontup or ())
        if sorted(names) != sorted(columns):
            raise ValueError(f"{table.name}: columns {sorted(set(columns) ^ set(names))} do not match the statement")
        steps: _Steps = [
            (columns.index(name), table.c[name].type.dialect_impl(dialect).bind_processor(dialect)) for name in names
        ]
        _COMPILED[cache_key] = (str(compiled), steps)
    return _COMPILED[cache_key]


def _new_identity_ids(*, session: Session, rows: Sequence[KnownIdentity], now: datetime) -> list[int]:
    """Store new identities; their ids in order. SQLite: ids taken after the largest (the write transaction holds
    the database's only write lock, so none can be taken meanwhile) and the rows bulk-inserted; elsewhere the
    sequence hands them out through INSERT … RETURNING."""
    table = _table(Identity)
    values = [(k.county_code, k.kind, k.name, k.id_number, k.credit_code, k.phone, k.added, now, now) for k in rows]
    if session.connection().dialect.name == "sqlite":
        first = (session.scalar(select(func.max(table.c.id))) or 0) + 1
        ids = list(range(first, first + len(values)))
        bulk_insert(
            session=session,
            table=table,
            columns=_IDENTITY_COLUMNS,
            rows=[(i, *v) for i, v in zip(ids, values, strict=True)],
        )
        return ids
    out: list[int] = []
    names = _IDENTITY_COLUMNS[1:]
    for start in range(0, len(values), IN_CHUNK):
        out.extend(
            session.execute(
                insert(table).returning(table.c.id, sort_by_parameter_order=True),
                [dict(zip(names, v, strict=True)) for v in values[start : start + IN_CHUNK]],
            ).scalars()
        )
    return out


def _link_batch(*, session: Session, parties: Sequence[Party]) -> LinkResult:
    if not parties:
        return LinkResult(parties=0, joined=0, new_identities=0)
    resolver = Resolver()
    stored_keys = _load_candidates(session=session, resolver=resolver, parties=parties)
    resolutions = [resolver.resolve(party) for party in parties]

    created = [known for known in resolver.identities.values() if known.id < 0]
    created.sort(key=lambda known: -known.id)
    real: dict[int, int] = {}
    now = utcnow()
    if created:
        for known, identity_id in zip(created, _new_identity_ids(session=session, rows=created, now=now), strict=True):
            real[known.id] = identity_id
    grown = [k for k in resolver.identities.values() if k.id > 0 and k.added]
    if grown:
        table = _table(Identity)
        session.execute(
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values(
                name=bindparam("b_name"),
                id_number=bindparam("b_id_number"),
                credit_code=bindparam("b_credit_code"),
                phone=bindparam("b_phone"),
                party_count=table.c.party_count + bindparam("b_added"),
                updated_at=now,
            ),
            [
                {
                    "b_id": k.id,
                    "b_name": k.name,
                    "b_id_number": k.id_number,
                    "b_credit_code": k.credit_code,
                    "b_phone": k.phone,
                    "b_added": k.added,
                }
                for k in grown
            ],
        )

    links: list[tuple[Any, ...]] = []
    keys: dict[tuple[str, str, int], None] = {}
    joined = new = 0
    for party, resolution in zip(parties, resolutions, strict=True):
        identity_id = real.get(resolution.identity_id, resolution.identity_id)
        if resolution.method == "new":
            new += 1
        else:
            joined += 1
        facts = party.facts
        links.append(
            (
                party.event_id,
                party.slot,
                party.county_code,
                identity_id,
                party.event_time,
                party.role,
                facts.name,
                facts.id_number,
                facts.phone,
                facts.credit_code,
                resolution.reasons,
                resolution.confidence,
                resolution.method,
                now,
            )
        )
        for key in resolution.keys:
            row = (party.county_code, key, identity_id)
            if row not in stored_keys:
                keys[row] = None
    bulk_insert(session=session, table=_table(PartyLink), columns=_LINK_COLUMNS, rows=links)
    bulk_insert(
        session=session, table=_table(IdentityKey), columns=("county_code", "key", "identity_id"), rows=sorted(keys)
    )
    # Identities updated in bulk: any of them loaded in this session must not show its old values.
    for known in grown:
        loaded = session.identity_map.get(identity_key(Identity, known.id))
        if loaded is not None:
            session.expire(loaded)
    return LinkResult(parties=len(parties), joined=joined, new_identities=new)


def link_party(*, session: Session, party: Party) -> PartyLink:
    """Link one party (the batch path with a batch of one)."""
    _link_batch(session=session, parties=[party])
    link = session.get(PartyLink, (party.event_id, party.slot))
    assert link is not None
    return link


def _judge(kind: PartyKind, facts: PartyFacts, known: list[PartyFacts]) -> Decision:
    """The identity's verdict: any DIFFERENT among its facts vetoes; else its strongest SAME."""
    best: Decision | None = None
    for other in known:
        decision = compare(kind, facts, other)
        if decision.verdict is Verdict.DIFFERENT:
            return decision
        if decision.same and (best is None or decision.confidence > best.confidence):
            best = decision
    return best or Decision(Verdict.UNKNOWN)


def _new_identity(*, session: Session, party: Party) -> Identity:
    facts = party.facts
    identity = Identity(
        county_code=party.county_code,
        kind=party.kind.value,
        name=facts.name,
        id_number=facts.id_number if facts.id_number and id_number_valid(facts.id_number) else None,
        credit_code=facts.credit_code,
        phone=facts.phone,
        party_count=0,
    )
    session.add(identity)
    session.flush()
    return identity


def _add_keys(*, session: Session, county_code: str, identity_id: int, keys: list[str]) -> None:
    if not keys:
        return
    present = set(
        session.scalars(
            select(IdentityKey.key).where(
                IdentityKey.county_code == county_code,
                IdentityKey.identity_id == identity_id,
                IdentityKey.key.in_(keys),
            )
        )
    )
    rows = [{"county_code": county_code, "key": k, "identity_id": identity_id} for k in dict.fromkeys(keys)]
    rows = [r for r in rows if r["key"] not in present]
    if rows:
        session.execute(insert(IdentityKey), rows)


# --- texts --------------------------------------------------------------------------------------------------------


def band_texts(*, session: Session, event_ids: Sequence[int]) -> int:
    """Put these events' texts into the LSH buckets (those not banded yet). Returns how many were banded."""
    if not event_ids:
        return 0
    ids = sorted(set(event_ids))
    todo: list[tuple[int, str, str]] = []
    for chunk in _chunks(ids):
        done = set(session.scalars(select(TextBand.event_id).where(TextBand.event_id.in_(chunk)).distinct()))
        rows = session.execute(
            select(Event.id, Event.county_code, Event.title, Event.content).where(Event.id.in_(chunk))
        )
        todo.extend((i, county, texts.text_of(title, content)) for i, county, title, content in rows if i not in done)
    grams = [(event_id, county, texts.shingles(text)) for event_id, county, text in todo]
    grams = [g for g in grams if len(g[2]) >= texts.MIN_SHINGLES]
    if not grams:
        return 0
    values = [
        (event_id, band, county, bucket)
        for (event_id, county, _), signature in zip(grams, texts.signatures_of([g[2] for g in grams]), strict=True)
        for band, bucket in enumerate(texts.buckets(signature))
    ]
    # In bucket order: the bucket index is then filled front to back rather than at random pages.
    values.sort(key=lambda row: (row[2], row[3]))
    bulk_insert(
        session=session, table=_table(TextBand), columns=("event_id", "band", "county_code", "bucket"), rows=values
    )
    return len(grams)


@dataclass(frozen=True)
class Similar:
    event_id: int
    similarity: float


def similar_events(*, session: Session, event_id: int, limit: int = 20) -> list[Similar]:
    """Events whose text is like this one's (Jaccard similarity of shingles ≥ texts.SIMILAR), most similar first."""
    event = session.get(Event, event_id)
    if event is None:
        raise NotFound("事件不存在", code="event_not_found")
    # Two index lookups, not a self-join (the planner would walk the county's whole bucket index). Candidates are
    # ranked by how many bands they share — the more, the more similar — so that the cap keeps the likeliest when a
    # template-like text shares a bucket with thousands. A bucket is a 63-bit hash of its band's number and rows:
    # equal buckets of different bands do not occur.
    buckets = sorted(set(session.scalars(select(TextBand.bucket).where(TextBand.event_id == event_id))))
    candidate_ids: list[int] = []
    if buckets:
        shared = func.count()
        candidate_ids = list(
            session.scalars(
                select(TextBand.event_id)
                .where(
                    TextBand.county_code == event.county_code,
                    TextBand.bucket.in_(buckets),
                    TextBand.event_id != event_id,
                )
                .group_by(TextBand.event_id)
                .order_by(shared.desc(), TextBand.event_id)
                .limit(SIMILAR_CANDIDATES)
            )
        )
    if not candidate_ids:
        return []
    own = texts.shingles(texts.text_of(event.title, event.content))
    found = []
    for other_id, title, content in session.execute(
        select(Event.id, Event.title, Event.content).where(Event.id.in_(candidate_ids))
    ):
        similarity = texts.jaccard(own, texts.shingles(texts.text_of(title, content)))
        if similarity >= texts.SIMILAR:
            found.append(Similar(other_id, round(similarity, 3)))
    found.sort(key=lambda s: (-s.similarity, s.event_id))
    return found[:limit]


# --- staff corrections --------------------------------------------------------------------------------------------


def split_identity(
    *, session: Session, identity_id: int, links: Sequence[tuple[int, int]], staff_id: int | None, note: str = ""
) -> Identity:
    """Move these (event id, slot) links of an identity to a new identity — a wrong join undone. Both identities'
    keys are rebuilt from their links, the pair is remembered so the rules never join them again, and the change is
    in the audit log."""
    identity = session.get(Identity, identity_id)
    if identity is None:
        raise NotFound("人员／组织画像不存在", code="identity_not_found")
    if not links:
        raise InvalidInput("请选择要拆出的记录", code="links_not_in_identity")
    chosen = session.scalars(
        select(PartyLink).where(
            PartyLink.identity_id == identity_id,
            or_(*(and_(PartyLink.event_id == e, PartyLink.slot == s) for e, s in links)),
        )
    ).all()
    total = session.scalar(select(func.count()).select_from(PartyLink).where(PartyLink.identity_id == identity_id)) or 0
    if len(chosen) != len(set(links)):
        raise InvalidInput("所选记录不属于该画像", code="links_not_in_identity")
    if len(chosen) == total:
        raise InvalidInput("不能拆出全部记录：至少保留一条", code="split_all")
    first = chosen[0]
    kind = PartyKind(identity.kind)
    facts = PartyFacts(first.name, first.id_number, first.phone, first.credit_code)
    party = Party(first.event_id, first.slot, identity.county_code, first.event_time, first.role, kind, facts)
    new = _new_identity(session=session, party=party)
    for link in chosen:
        link.identity_id = new.id
        link.method = "staff"
        link.reasons = [f"工作人员拆分：{note}" if note else "工作人员拆分"]
    new.party_count = len(chosen)
    identity.party_count = total - len(chosen)
    session.add(
        IdentitySeparation(
            first_id=min(identity.id, new.id),
            second_id=max(identity.id, new.id),
            county_code=identity.county_code,
            staff_id=staff_id,
            note={"text": note} if note else None,
        )
    )
    session.flush()
    for target in (identity, new):
        rebuild_keys(session=session, identity=target)
    audit.record(
        session=session,
        county_code=identity.county_code,
        actor_id=staff_id,
        action="identity.split",
        entity_type="identity",
        entity_id=identity.id,
        detail={"new_identity": new.id, "links": [[e, s] for e, s in links], "note": note},
    )
    return new


def rebuild_keys(*, session: Session, identity: Identity) -> None:
    session.execute(delete(IdentityKey).where(IdentityKey.identity_id == identity.id))
    kind = PartyKind(identity.kind)
    keys: list[str] = []
    for name, id_number, phone, credit_code in session.execute(
        select(PartyLink.name, PartyLink.id_number, PartyLink.phone, PartyLink.credit_code).where(
            PartyLink.identity_id == identity.id
        )
    ):
        keys.extend(keys_of(kind, PartyFacts(name, id_number, phone, credit_code)))
    _add_keys(session=session, county_code=identity.county_code, identity_id=identity.id, keys=keys)


def merge_identities(*, session: Session, keep_id: int, merge_id: int, staff_id: int | None) -> Identity:
    """A person joins two identities the rules kept apart; refused for a pair a person split before."""
    if keep_id == merge_id:
        raise InvalidInput("不能与自身合并", code="merge_self")
    keep, gone = session.get(Identity, keep_id), session.get(Identity, merge_id)
    if keep is None or gone is None:
        raise NotFound("人员／组织画像不存在", code="identity_not_found")
    if keep.kind != gone.kind or keep.county_code != gone.county_code:
        raise InvalidInput("人员与组织、或不同县市的画像不能合并", code="merge_kind_mismatch")
    pair = (min(keep_id, merge_id), max(keep_id, merge_id))
    if session.get(IdentitySeparation, pair) is not None:
        raise InvalidInput("这两个画像曾被工作人员拆分，不能再合并", code="merge_separated")
    session.execute(
        update(PartyLink)
        .where(PartyLink.identity_id == merge_id)
        .values(identity_id=keep_id, method="staff", reasons=["工作人员合并"])
    )
    keep.party_count += gone.party_count
    session.execute(delete(IdentityKey).where(IdentityKey.identity_id == merge_id))
    session.delete(gone)
    session.flush()
    rebuild_keys(session=session, identity=keep)
    audit.record(
        session=session,
        county_code=keep.county_code,
        actor_id=staff_id,
        action="identity.merge",
        entity_type="identity",
        entity_id=keep_id,
        detail={"merged": merge_id},
    )
    return keep
