"""Linking events as they arrive: each party (and the reporter) to an identity, each text to its MinHash signature.

Incremental: a new event's parties find candidate identities through blocking keys (one indexed lookup), are
compared with those identities' known facts by the rules of ``fengqiao.linking.identity``, and join the best one or
start a new identity. A party that the rules join, with strong evidence, to two identities at once proves them one
person: they are merged (never identities a person split apart). Staff can split a wrong join; the split is
remembered, audited, and never undone by the rules.

Texts are filed by block (county, town, registration time) with their signatures; similar matters are looked for
among the signatures of the event's town in a time window, compared in memory, then checked on the texts.

Written for a million events a call as much as for one: the reads and writes go as raw statements on the session's
connection (one per chunk of a few thousand rows; ``COPY`` on PostgreSQL), the rules run in memory.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from fengqiao.audit import service as audit
from fengqiao.core.clock import utcnow
from fengqiao.core.errors import InvalidInput, NotFound
from fengqiao.db.base import Base
from fengqiao.events.kinds import PartyKind
from fengqiao.events.models import Event
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
from fengqiao.linking.models import Identity, IdentitySeparation, PartyLink
from fengqiao.linking.names import clean, organisation_core, read_person_name

REPORTER_SLOT = 0
REPORTER_ROLE = "reporter"
# Facts compared per candidate identity: its most recent distinct ones (a person seen 500 times is not compared 500
# times; the newest facts carry the current phone).
FACTS_PER_IDENTITY = 12
# A party joined to two person identities, each this surely (equal ID numbers, an ID slip confirmed by the phone,
# the same phone under the same full name), merges them; a nickname on a shared phone (0.7) never does.
MERGE_CONFIDENCE = 0.8
# similar_events: the window around the event's registration, and at most this many candidates checked on their
# texts, the likeliest first.
SIMILAR_WINDOW_DAYS = 90
SIMILAR_CANDIDATES = 500
# Values per IN (...) list on SQLite (its bound-parameter limit is 32,766); PostgreSQL takes one array per chunk.
IN_CHUNK = 5_000
_PG_ARRAY_CHUNK = 50_000
# PostgreSQL: fewer rows than this go as one pipelined INSERT (a COPY's set-up costs more for an event or two).
_PG_COPY_ROWS = 500
# PostgreSQL: a batch of at least this many events first refreshes the statistics of the tables it reads, when they
# have doubled since last analysed — a table that grew from nothing in one bulk load is otherwise planned as empty,
# and a lookup of 5,000 keys becomes a sequential scan per chunk.
_ANALYSE_BATCH = 1_000
_ANALYSE_MIN_ROWS = 5_000
_ANALYSED_TABLES = ("events", "event_parties", "identities", "identity_keys", "party_links", "text_signatures")
T = TypeVar("T")
_KINDS = {kind.value: kind for kind in PartyKind}


class Party(NamedTuple):
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
    merged: int = 0


def facts_of(*, name: str, id_number: str | None, phone: str | None, credit_code: str | None) -> PartyFacts:
    return PartyFacts(
        name=clean(name)[:64],
        id_number=compact_id_number(id_number),
        phone=compact_phone(phone),
        credit_code=compact_id_number(credit_code),
    )


def keys_of(kind: PartyKind, facts: PartyFacts) -> list[str]:
    """Blocking keys. An 18-digit ID number gives three: its last nine digits (equal numbers meet, whatever the
    names; so does a slip in the first nine), the name with the first nine (a slip in the last nine) and the name with
    the number without its two middle digits (two neighbours swapped across the halves)."""
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
        if len(number) == 18:
            name = read_person_name(facts.name).text
            keys.extend((f"ib:{number[9:]}", f"ia:{name}:{number[:9]}", f"ic:{name}:{number[:8]}{number[10:]}"))
        else:
            keys.append(f"id:{number}")
    if facts.phone:
        keys.append(f"ph:{facts.phone}")
    return keys


def key_hash(key: str) -> int:
    """A blocking key as stored: a stable 63-bit hash (the same in every process and on every backend)."""
    return int.from_bytes(_blake2b(key.encode(), digest_size=8).digest(), "little") >> 1


def key_hashes(party: Party) -> list[int]:
    return [
        int.from_bytes(_blake2b(k.encode(), digest_size=8).digest(), "little") >> 1
        for k in keys_of(party.kind, party.facts)
    ]


_blake2b = hashlib.blake2b


def compare(kind: PartyKind, a: PartyFacts, b: PartyFacts) -> Decision:
    return compare_organisations(a, b) if kind is PartyKind.ORGANISATION else compare_persons(a, b)


# --- raw statements -----------------------------------------------------------------------------------------------


def _chunks(values: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _sqlite_time(at: datetime) -> str:
    """A moment as SQLAlchemy stores it on SQLite (UTC, no zone)."""
    at = at.astimezone(UTC)
    return f"{at:%Y-%m-%d %H:%M:%S}.{at.microsecond:06d}"


class _Db:
    """Statements on the session's own connection, inside its transaction, without the ORM's or Core's per-row work:
    for a million rows that work costs more than the database does. Rows go and come as tuples in the database's
    own forms (on SQLite, moments as their stored text)."""

    def __init__(self, session: Session) -> None:
        connection = session.connection()
        self.sqlite = connection.dialect.name == "sqlite"
        self.raw: Any = connection.connection.driver_connection

    def _sql(self, sql: str) -> str:
        return sql if self.sqlite else sql.replace("?", "%s")

    def time(self, at: datetime) -> Any:
        return _sqlite_time(at) if self.sqlite else at

    def read_time(self, value: Any) -> datetime:
        if isinstance(value, datetime):
            return value if value.tzinfo else value.replace(tzinfo=UTC)
        return datetime.fromisoformat(value).replace(tzinfo=UTC)

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        cursor = self.raw.cursor()
        try:
            cursor.execute(self._sql(sql), tuple(params))
            return list(cursor.fetchall())
        finally:
            cursor.close()

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        cursor = self.raw.cursor()
        try:
            cursor.execute(self._sql(sql), tuple(params))
        finally:
            cursor.close()

    def execute_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        cursor = self.raw.cursor()
        try:
            cursor.executemany(self._sql(sql), rows)
        finally:
            cursor.close()

    def rows_in(self, sql: str, values: Sequence[Any], params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """``sql`` with one ``{in}`` where the column's membership test goes: ``IN (?, …)`` on SQLite, ``= ANY(?)``
        on PostgreSQL; run per chunk of ``values``, after the other ``params``."""
        out: list[tuple[Any, ...]] = []
        if self.sqlite:
            for chunk in _chunks(values, IN_CHUNK):
                out.extend(self.rows(sql.format(**{"in": f"IN ({','.join('?' * len(chunk))})"}), [*params, *chunk]))
        else:
            for chunk in _chunks(values, _PG_ARRAY_CHUNK):
                out.extend(self.rows(sql.format(**{"in": "= ANY(?)"}), [*params, list(chunk)]))
        return out

    def insert(
        self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], *, ignore: bool = False
    ) -> None:
        """Rows appended; ``ignore``: rows whose key is there already are skipped."""
        if not rows:
            return
        names = ", ".join(columns)
        if self.sqlite:
            verb = "INSERT OR IGNORE" if ignore else "INSERT"
            sql = f"{verb} INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})"
            for chunk in _chunks(rows, 10_000):
                self.execute_many(sql, chunk)
            return
        if len(rows) < _PG_COPY_ROWS:
            conflict = " ON CONFLICT DO NOTHING" if ignore else ""
            self.execute_many(f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))}){conflict}", rows)
            return
        target = table
        if ignore:
            target = f"_stage_{table}"
            self.execute(f"CREATE TEMP TABLE IF NOT EXISTS {target} (LIKE {table}) ON COMMIT DROP")
        cursor = self.raw.cursor()
        try:
            with cursor.copy(f"COPY {target} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        finally:
            cursor.close()
        if ignore:
            self.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {target} ON CONFLICT DO NOTHING")
            self.execute(f"DELETE FROM {target}")

    def analyse_grown(self) -> None:
        """PostgreSQL: ANALYZE the tables linking reads that have changed by half their size since last analysed."""
        if self.sqlite:
            return
        rows = self.rows(
            "SELECT relname, n_mod_since_analyze, n_live_tup FROM pg_stat_user_tables WHERE relname = ANY(?)",
            [list(_ANALYSED_TABLES)],
        )
        for name, changed, live in rows:
            if changed >= max(_ANALYSE_MIN_ROWS, live // 2):
                self.execute(f"ANALYZE {name}")


# --- linking ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _EventRow:
    id: int
    county_code: str
    at: datetime
    stored_at: Any  # registered_at as the database gives it: written back as it is
    title: str
    content: str
    location_path: str


def _read(db: _Db, event_ids: Sequence[int]) -> tuple[list[_EventRow], list[Party]]:
    """The events, and their reporters and parties not linked yet, event by event (reporter first, then the
    parties in the order they were entered)."""
    ids = sorted(set(event_ids))
    linked = set(db.rows_in("SELECT event_id, slot FROM party_links WHERE event_id {in}", ids))
    rows = db.rows_in(
        "SELECT id, county_code, registered_at, reporter_name, reporter_phone, title, content, location_path "
        "FROM events WHERE id {in}",
        ids,
    )
    party_rows = db.rows_in(
        "SELECT event_id, id, county_code, role, kind, name, id_number, phone, credit_code "
        "FROM event_parties WHERE event_id {in}",
        ids,
    )
    events: list[_EventRow] = []
    by_event: dict[int, list[Party]] = defaultdict(list)
    times: dict[int, datetime] = {}
    for event_id, county, stored_at, name, phone, title, content, path in rows:
        at = db.read_time(stored_at)
        times[event_id] = at
        events.append(_EventRow(event_id, county, at, stored_at, title, content, path))
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
        by_event[event_id].append(Party(event_id, party_id, county, times[event_id], role, _KINDS[kind], facts))
    events.sort(key=lambda e: e.id)
    return events, [party for event_id in sorted(by_event) for party in by_event[event_id]]


def parties_of(*, session: Session, event_ids: Sequence[int]) -> list[Party]:
    """The reporters and parties of these events that are not linked yet, in linking order."""
    session.flush()
    return _read(_Db(session), event_ids)[1] if event_ids else []


def link_events(*, session: Session, event_ids: Sequence[int]) -> LinkResult:
    """Link every party of these events and file their texts' signatures. Safe to repeat: what is linked stays as
    it is.

    Set-based, whatever the number of events: a few queries per chunk of thousands for the candidates of all their
    parties (blocking keys, identities, the identities' known facts), the rules applied in memory in event order — a
    party sees the identities that earlier parties of the same call created, grew or merged, exactly as if linked one
    by one — then bulk inserts."""
    if not event_ids:
        return LinkResult(parties=0, joined=0, new_identities=0)
    session.flush()
    db = _Db(session)
    if len(event_ids) >= _ANALYSE_BATCH:
        db.analyse_grown()
    events, parties = _read(db, event_ids)
    stored_times = {event.id: event.stored_at for event in events}
    result = _link_batch(session=session, db=db, parties=parties, stored_times=stored_times)
    _sign(db, events)
    return result


@dataclass(slots=True)
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
    added: int = 0  # links added by this resolver (with those of identities merged into it)
    changed: bool = False
    stored_count: int = 0  # its party_count as stored
    separated: bool = False  # in a split made by staff: never merged by the rules

    def remember(self, at: datetime, facts: PartyFacts) -> None:
        for index, (seen_at, seen) in enumerate(self.recent):
            if seen == facts:
                if at > seen_at:
                    self.recent[index] = (at, facts)
                    self.recent.sort(key=lambda item: item[0], reverse=True)
                return
        self.recent.append((at, facts))
        if len(self.recent) > 1:
            self.recent.sort(key=lambda item: item[0], reverse=True)
            del self.recent[FACTS_PER_IDENTITY:]


@dataclass(frozen=True)
class Resolution:
    identity_id: int
    reasons: list[str]
    confidence: float
    method: str
    keys: list[int]  # key hashes


def _order(identity_id: int) -> tuple[bool, int]:
    """Stored identities by id, then new ones in order of creation: the order a one-by-one run would see."""
    return (identity_id < 0, abs(identity_id))


class Resolver:
    """The linking rules over an in-memory candidate map: blocking key → identities, identity → known facts. The
    database path fills it with the candidates of a batch; the benchmark also runs it alone (no database) to compare
    blocking with all-pairs comparison. Parties are resolved in order, each seeing what the earlier ones created."""

    def __init__(self) -> None:
        self.by_key: dict[str, dict[int, set[int]]] = defaultdict(dict)  # county → key hash → identities
        self.identities: dict[int, KnownIdentity] = {}
        self.merged_into: dict[int, int] = {}
        self.merges: list[tuple[int, int]] = []  # (kept, merged) in order
        self._provisional = 0

    def final(self, identity_id: int) -> int:
        while identity_id in self.merged_into:
            identity_id = self.merged_into[identity_id]
        return identity_id

    def resolve(self, party: Party, hashes: list[int] | None = None) -> Resolution:
        """Which identity the party is; ``hashes``: its key hashes when computed already."""
        county = party.county_code
        if hashes is None:
            hashes = key_hashes(party)
        keyed = self.by_key[county]
        candidates: set[int] = set()
        for h in hashes:
            found = keyed.get(h)
            if found:
                candidates.update(found)
        best: tuple[float, int, Decision] | None = None
        sure: list[int] = []
        if candidates:
            if self.merged_into:
                candidates = {self.final(i) for i in candidates}
            kind = party.kind.value
            for identity_id in sorted(candidates, key=_order):
                known = self.identities.get(identity_id)
                if known is None or known.kind != kind:
                    continue
                decision = _judge(party.kind, party.facts, [f for _, f in known.recent])
                if decision.same:
                    if best is None or decision.confidence > best[0]:
                        best = (decision.confidence, identity_id, decision)
                    if decision.confidence >= MERGE_CONFIDENCE:
                        sure.append(identity_id)
        if best is None:
            known = self._create(party)
            resolution = Resolution(known.id, ["首次出现，新建人员／组织画像"], 1.0, "new", hashes)
        else:
            confidence, identity_id, decision = best
            reasons = list(decision.reasons)
            if len(sure) > 1 and party.kind is PartyKind.PERSON and not any(self.identities[i].separated for i in sure):
                identity_id = sure[0]
                for other in sure[1:]:
                    self._merge(identity_id, other)
                reasons.append(f"同时与{len(sure)}个已有画像高度一致，已合并为同一人")
            known = self.identities[identity_id]
            _improve_known(known, party.facts)
            resolution = Resolution(identity_id, reasons, confidence, "rule", hashes)
        known.added += 1
        known.remember(party.event_time, party.facts)
        for h in hashes:
            ids = keyed.get(h)
            if ids is None:
                keyed[h] = {known.id}
            else:
                ids.add(known.id)
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

    def _merge(self, kept_id: int, merged_id: int) -> None:
        kept, merged = self.identities[kept_id], self.identities.pop(merged_id)
        for at, facts in merged.recent:
            kept.remember(at, facts)
        kept.added += merged.added + merged.stored_count
        if read_person_name(kept.name).is_nickname and not read_person_name(merged.name).is_nickname:
            kept.name = merged.name
        kept.id_number = kept.id_number or merged.id_number
        kept.credit_code = kept.credit_code or merged.credit_code
        kept.phone = kept.phone or merged.phone
        kept.changed = True
        self.merged_into[merged_id] = kept_id
        self.merges.append((kept_id, merged_id))


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


def _load_candidates(
    *, db: _Db, resolver: Resolver, parties: Sequence[Party], hashes: Sequence[list[int]]
) -> set[tuple[str, int, int]]:
    """Fill the resolver with every stored identity sharing a blocking key with one of these parties, and their
    facts. Returns the (county, key hash, identity) rows already stored, so that only new keys are inserted."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for party, party_hashes in zip(parties, hashes, strict=True):
        wanted[party.county_code].update(party_hashes)
    stored: set[tuple[str, int, int]] = set()
    for county, county_hashes in wanted.items():
        rows = db.rows_in(
            "SELECT key_hash, identity_id FROM identity_keys WHERE county_code = ? AND key_hash {in}",
            sorted(county_hashes),
            [county],
        )
        for h, identity_id in rows:
            stored.add((county, h, identity_id))
            resolver.by_key[county].setdefault(h, set()).add(identity_id)
    identity_ids = sorted({identity_id for _, _, identity_id in stored})
    if not identity_ids:
        return stored
    for row in db.rows_in(
        "SELECT id, county_code, kind, name, id_number, credit_code, phone, party_count FROM identities WHERE id {in}",
        identity_ids,
    ):
        identity_id, county, kind, name, id_number, credit_code, phone, count = row
        resolver.identities[identity_id] = KnownIdentity(
            identity_id, county, kind, name, id_number, credit_code, phone, stored_count=count
        )
    facts = db.rows_in(
        "SELECT identity_id, event_time, name, id_number, phone, credit_code FROM party_links WHERE identity_id {in}",
        identity_ids,
    )
    facts.sort(key=lambda r: (r[0], r[1]), reverse=True)
    for identity_id, at, name, id_number, phone, credit_code in facts:
        known = resolver.identities.get(identity_id)
        if known is None or len(known.recent) >= FACTS_PER_IDENTITY:
            continue
        fact = PartyFacts(name=name, id_number=id_number, phone=phone, credit_code=credit_code)
        if all(f != fact for _, f in known.recent):
            known.recent.append((db.read_time(at), fact))
    counties = sorted({known.county_code for known in resolver.identities.values()})
    for first, second in db.rows_in(
        "SELECT first_id, second_id FROM identity_separations WHERE county_code {in}", counties
    ):
        for identity_id in (first, second):
            if identity_id in resolver.identities:
                resolver.identities[identity_id].separated = True
    # A key whose identity vanished (deleted by a merge in another transaction) is no candidate.
    for keyed in resolver.by_key.values():
        for bucket in keyed.values():
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
_KEY_COLUMNS = ("county_code", "key_hash", "identity_id")


def _new_identity_ids(db: _Db, count: int) -> list[int]:
    """Ids for new identities, in order. SQLite: after the largest (the write transaction holds the database's only
    write lock, so none can be taken meanwhile); PostgreSQL: from the table's sequence, all in one statement."""
    if db.sqlite:
        first = int(db.rows("SELECT COALESCE(MAX(id), 0) FROM identities")[0][0]) + 1
        return list(range(first, first + count))
    rows = db.rows("SELECT nextval(pg_get_serial_sequence('identities', 'id')) FROM generate_series(1, ?)", [count])
    return sorted(int(r[0]) for r in rows)


@lru_cache(maxsize=4_096)
def _json(reasons: tuple[str, ...]) -> str:
    return json.dumps(list(reasons), ensure_ascii=False)


def _link_batch(
    *, session: Session, db: _Db, parties: Sequence[Party], stored_times: dict[int, Any] | None = None
) -> LinkResult:
    """Resolve the parties and store the outcome. ``stored_times``: event id → registration time as the database
    gave it (written back as it is, not formatted again per party)."""
    if not parties:
        return LinkResult(parties=0, joined=0, new_identities=0)
    resolver = Resolver()
    hashes = [key_hashes(party) for party in parties]
    stored_keys = _load_candidates(db=db, resolver=resolver, parties=parties, hashes=hashes)
    resolutions = [resolver.resolve(party, h) for party, h in zip(parties, hashes, strict=True)]
    now = utcnow()
    stored_now = db.time(now)

    created = sorted((k for k in resolver.identities.values() if k.id < 0), key=lambda k: -k.id)
    real: dict[int, int] = {}
    if created:
        ids = _new_identity_ids(db, len(created))
        real = {known.id: identity_id for known, identity_id in zip(created, ids, strict=True)}
        db.insert(
            "identities",
            _IDENTITY_COLUMNS,
            [
                (
                    *(real[k.id], k.county_code, k.kind, k.name, k.id_number, k.credit_code, k.phone),
                    k.added,
                    stored_now,
                    stored_now,
                )
                for k in created
            ],
        )

    def final(identity_id: int) -> int:
        identity_id = resolver.final(identity_id)
        return real.get(identity_id, identity_id)

    merged = _store_merges(session=session, db=db, resolver=resolver, final=final)
    grown = [k for k in resolver.identities.values() if k.id > 0 and (k.added or k.changed)]
    db.execute_many(
        "UPDATE identities SET name = ?, id_number = ?, credit_code = ?, phone = ?, party_count = party_count + ?, "
        "updated_at = ? WHERE id = ?",
        [(k.name, k.id_number, k.credit_code, k.phone, k.added, stored_now, k.id) for k in grown],
    )

    links: list[tuple[Any, ...]] = []
    keys: dict[tuple[str, int, int], None] = {}
    joined = new = 0
    times: dict[int, Any] = dict(stored_times or {})
    for party, resolution in zip(parties, resolutions, strict=True):
        identity_id = final(resolution.identity_id)
        if resolution.method == "new":
            new += 1
        else:
            joined += 1
        facts = party.facts
        at = times.get(party.event_id)
        if at is None:
            at = times[party.event_id] = db.time(party.event_time)
        links.append(
            (
                party.event_id,
                party.slot,
                party.county_code,
                identity_id,
                at,
                party.role,
                facts.name,
                facts.id_number,
                facts.phone,
                facts.credit_code,
                _json(tuple(resolution.reasons)),
                resolution.confidence,
                resolution.method,
                stored_now,
            )
        )
        for h in resolution.keys:
            row = (party.county_code, h, identity_id)
            if row not in stored_keys:
                keys[row] = None
    db.insert("party_links", _LINK_COLUMNS, links)
    db.insert("identity_keys", _KEY_COLUMNS, sorted(keys), ignore=bool(merged))
    # Identities changed in bulk: any of them loaded in this session must not show its old values.
    for identity_id in [k.id for k in grown] + merged:
        loaded = session.identity_map.get(identity_key(Identity, identity_id))
        if loaded is not None:
            session.expire(loaded)
    return LinkResult(parties=len(parties), joined=joined, new_identities=new, merged=len(resolver.merges))


def _store_merges(*, session: Session, db: _Db, resolver: Resolver, final: Any) -> list[int]:
    """Stored identities the batch merged into another: their links and keys moved, rows elsewhere that point at
    them repointed, the identity deleted, the merge in the audit log. Returns their ids."""
    gone: list[int] = []
    for _, merged_id in resolver.merges:
        if merged_id < 0:
            continue
        kept_id = final(merged_id)
        row = db.rows("SELECT kind, county_code FROM identities WHERE id = ?", [merged_id])
        if not row:
            continue
        kind, county = PartyKind(row[0][0]), row[0][1]
        hashes = {
            key_hash(key)
            for name, id_number, phone, credit_code in db.rows(
                "SELECT name, id_number, phone, credit_code FROM party_links WHERE identity_id = ?", [merged_id]
            )
            for key in keys_of(kind, PartyFacts(name, id_number, phone, credit_code))
        }
        db.execute_many(
            "DELETE FROM identity_keys WHERE county_code = ? AND key_hash = ? AND identity_id = ?",
            [(county, h, merged_id) for h in sorted(hashes)],
        )
        db.insert("identity_keys", _KEY_COLUMNS, [(county, h, kept_id) for h in sorted(hashes)], ignore=True)
        db.execute("UPDATE party_links SET identity_id = ? WHERE identity_id = ?", [kept_id, merged_id])
        _repoint(db, merged_id, kept_id)
        db.execute("DELETE FROM identities WHERE id = ?", [merged_id])
        audit.record(
            session=session,
            county_code=county,
            actor_id=None,
            action="identity.merge",
            entity_type="identity",
            entity_id=kept_id,
            detail={"merged": merged_id, "by": "rule"},
        )
        gone.append(merged_id)
    return gone


def _repoint(db: _Db, old_id: int, new_id: int) -> None:
    """Rows of other tables that point at an identity (key registers…) follow it into the identity it joins."""
    target = Base.metadata.tables["identities"].c.id
    for table in Base.metadata.sorted_tables:
        if table.name in {"party_links", "identity_keys", "identity_separations"}:
            continue
        for key in table.foreign_keys:
            if key.column is target:
                column = key.parent.name
                db.execute(f"UPDATE {table.name} SET {column} = ? WHERE {column} = ?", [new_id, old_id])


def link_party(*, session: Session, party: Party) -> PartyLink:
    """Link one party (the batch path with a batch of one)."""
    session.flush()
    _link_batch(session=session, db=_Db(session), parties=[party])
    link = session.get(PartyLink, (party.event_id, party.slot))
    assert link is not None
    return link


def _judge(kind: PartyKind, facts: PartyFacts, known: list[PartyFacts]) -> Decision:
    """The identity's verdict: any DIFFERENT among its facts vetoes; else its strongest SAME. An equal ID number or
    credit code (confidence 1.0) is not vetoed: an identity merged on evidence holds a mistyped number beside the
    right one, and each must still find it."""
    best: Decision | None = None
    veto: Decision | None = None
    for other in known:
        decision = compare(kind, facts, other)
        if decision.verdict is Verdict.DIFFERENT:
            veto = veto or decision
        elif decision.same and (best is None or decision.confidence > best.confidence):
            best = decision
    if best is not None and best.confidence >= 1.0:
        return best
    return veto or best or Decision(Verdict.UNKNOWN)


# --- texts --------------------------------------------------------------------------------------------------------


def town_of(location_path: str | None) -> str:
    """The town's code from an event's location path ("331081/331081100/…/"); "" when it lies in no town."""
    parts = (location_path or "").split("/", 2)
    return parts[1] if len(parts) > 2 else ""


_SIGNATURE_COLUMNS = ("county_code", "town", "registered_at", "event_id", "signature")


def _sign(db: _Db, events: Sequence[_EventRow]) -> int:
    """File these events' signatures (those already filed stay). Returns how many texts were long enough."""
    bodies = [(event, texts.normalise(texts.text_of(event.title, event.content))) for event in events]
    bodies = [(event, body) for event, body in bodies if texts.long_enough(body)]
    if not bodies:
        return 0
    packed = texts.pack(texts.signatures_of([body for _, body in bodies]))
    rows = [
        (event.county_code, town_of(event.location_path), event.stored_at, event.id, signature)
        for (event, _), signature in zip(bodies, packed, strict=True)
    ]
    rows.sort(key=lambda r: (r[0], r[1], r[2], r[3]))
    db.insert("text_signatures", _SIGNATURE_COLUMNS, rows, ignore=True)
    return len(rows)


def sign_texts(*, session: Session, event_ids: Sequence[int]) -> int:
    """File these events' text signatures (``link_events`` does it with the parties)."""
    if not event_ids:
        return 0
    session.flush()
    db = _Db(session)
    return _sign(db, _read(db, event_ids)[0])


@dataclass(frozen=True)
class Similar:
    event_id: int
    similarity: float


def similar_events(
    *, session: Session, event_id: int, limit: int = 20, days: int = SIMILAR_WINDOW_DAYS
) -> list[Similar]:
    """Events of the same town registered within ``days`` of this one whose text is like this one's (Jaccard
    similarity of shingles ≥ texts.SIMILAR), most similar first.

    The block — the town's signatures in the window — is read in one range of the signatures' key and compared in
    memory; the likeliest candidates are then checked on their texts."""
    event = session.get(Event, event_id)
    if event is None:
        raise NotFound("事件不存在", code="event_not_found")
    body = texts.normalise(texts.text_of(event.title, event.content))
    if not texts.long_enough(body):
        return []
    own_grams = texts.shingles(body, normalised=True)
    own = texts.pack(texts.signatures_of([body]))[0]
    session.flush()
    db = _Db(session)
    span = timedelta(days=days)
    block = db.rows(
        "SELECT event_id, signature FROM text_signatures WHERE county_code = ? AND town = ? "
        "AND registered_at >= ? AND registered_at <= ?",
        [
            event.county_code,
            town_of(event.location_path),
            db.time(event.registered_at - span),
            db.time(event.registered_at + span),
        ],
    )
    if not block:
        return []
    # One join and one array for the whole block: no Python work per signature.
    ids = [row[0] for row in block]
    chosen = texts.candidates(own, texts.unpack([row[1] for row in block]), limit=SIMILAR_CANDIDATES + 1)
    candidate_ids = [ids[i] for i in chosen if ids[i] != event_id][:SIMILAR_CANDIDATES]
    if not candidate_ids:
        return []
    found = []
    for other_id, title, content in db.rows_in("SELECT id, title, content FROM events WHERE id {in}", candidate_ids):
        similarity = texts.jaccard(own_grams, texts.shingles(texts.text_of(title, content)))
        if similarity >= texts.SIMILAR:
            found.append(Similar(other_id, round(similarity, 3)))
    found.sort(key=lambda s: (-s.similarity, s.event_id))
    return found[:limit]


# --- staff corrections --------------------------------------------------------------------------------------------


def _link_hashes(db: _Db, kind: PartyKind, identity_id: int) -> set[int]:
    """The key hashes of an identity, from its links' facts (how they were made)."""
    return {
        key_hash(key)
        for name, id_number, phone, credit_code in db.rows(
            "SELECT name, id_number, phone, credit_code FROM party_links WHERE identity_id = ?", [identity_id]
        )
        for key in keys_of(kind, PartyFacts(name, id_number, phone, credit_code))
    }


def _set_keys(db: _Db, county_code: str, identity_id: int, old: Iterable[int], new: Iterable[int]) -> None:
    db.execute_many(
        "DELETE FROM identity_keys WHERE county_code = ? AND key_hash = ? AND identity_id = ?",
        [(county_code, h, identity_id) for h in sorted(set(old))],
    )
    db.insert("identity_keys", _KEY_COLUMNS, [(county_code, h, identity_id) for h in sorted(set(new))], ignore=True)


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
    session.flush()
    kind = PartyKind(identity.kind)
    old_keys = _link_hashes(_Db(session), kind, identity.id)
    first = chosen[0]
    new = Identity(
        county_code=identity.county_code,
        kind=identity.kind,
        name=first.name,
        id_number=first.id_number if first.id_number and id_number_valid(first.id_number) else None,
        credit_code=first.credit_code,
        phone=first.phone,
        party_count=len(chosen),
    )
    session.add(new)
    session.flush()
    for link in chosen:
        link.identity_id = new.id
        link.method = "staff"
        link.reasons = [f"工作人员拆分：{note}" if note else "工作人员拆分"]
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
    db = _Db(session)
    _set_keys(db, identity.county_code, identity.id, old_keys, _link_hashes(db, kind, identity.id))
    _set_keys(db, identity.county_code, new.id, (), _link_hashes(db, kind, new.id))
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


def identity_keys(*, session: Session, identity_id: int) -> set[int]:
    """The key hashes stored for an identity (a scan: for corrections and tests, not for linking)."""
    session.flush()
    return {h for (h,) in _Db(session).rows("SELECT key_hash FROM identity_keys WHERE identity_id = ?", [identity_id])}


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
    session.flush()
    db = _Db(session)
    moved = _link_hashes(db, PartyKind(gone.kind), merge_id)
    _set_keys(db, gone.county_code, merge_id, moved, ())
    db.execute(
        "UPDATE party_links SET identity_id = ?, method = 'staff', reasons = ? WHERE identity_id = ?",
        [keep_id, _json(("工作人员合并",)), merge_id],
    )
    _set_keys(db, keep.county_code, keep_id, (), moved)
    for link in session.identity_map.values():
        if isinstance(link, PartyLink) and link.identity_id == merge_id:
            session.expire(link)
    keep.party_count += gone.party_count
    session.delete(gone)
    session.flush()
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
