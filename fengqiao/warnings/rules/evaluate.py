"""Evaluating a rule set against events — the same code for the analysis job (a few new events) and the dry run
(thousands of past events): the facts are loaded per batch in a handful of queries (events, their party links, the
history of those identities, their patterns, the key registers), then every rule is checked in memory.

Key persons and key places come from the key registers (``fengqiao.registers``) through a :class:`KeyLookup`; when
that package is absent, nobody and nothing is key and those conditions simply never hold.
"""

from __future__ import annotations

import importlib
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, Protocol

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from fengqiao.events.kinds import CHANNEL_LABELS, Channel, PartyRole
from fengqiao.events.models import Event
from fengqiao.linking.models import PartyLink
from fengqiao.triage.classify.rules import default_rules
from fengqiao.triage.taxonomy.schema import default_taxonomy
from fengqiao.warnings.models import Pattern, PatternMember
from fengqiao.warnings.patterns import PATTERN_KIND_LABELS, PatternKind, PatternStatus
from fengqiao.warnings.rules.schema import RISK_ORDER, RuleSetSpec, RuleSpec

CHUNK = 500  # ids per IN list: well under SQLite's and PostgreSQL's parameter limits
_APPLICANT_ROLES = frozenset({PartyRole.APPLICANT.value, PartyRole.REPORTER.value})


class KeyLookup(Protocol):
    """Who and what is on the key registers of a county: identity ids of key persons, building ids of key places."""

    def identity_ids(self, session: Session, county_code: str) -> set[int]: ...

    def building_ids(self, session: Session, county_code: str) -> set[int]: ...


class NoKeys:
    def identity_ids(self, session: Session, county_code: str) -> set[int]:
        return set()

    def building_ids(self, session: Session, county_code: str) -> set[int]:
        return set()


class RegisteredKeys:
    """The key registers, read through ``key_identity_ids(session, county_code)`` and
    ``key_building_ids(session, county_code)`` of ``fengqiao.registers`` (its ``service`` or ``links`` module)."""

    MODULES = ("fengqiao.registers.service", "fengqiao.registers.links")

    def _call(self, name: str, session: Session, county_code: str) -> set[int]:
        for module_name in self.MODULES:
            try:
                module = importlib.import_module(module_name)
            except ImportError:
                continue
            function = getattr(module, name, None)
            if function is not None:
                return {int(i) for i in function(session, county_code)}
        return set()

    def identity_ids(self, session: Session, county_code: str) -> set[int]:
        return self._call("key_identity_ids", session, county_code)

    def building_ids(self, session: Session, county_code: str) -> set[int]:
        return self._call("key_building_ids", session, county_code)


@dataclass(frozen=True)
class EventRow:
    """What the rules read of an event."""

    id: int
    county_code: str
    dispute_code: str
    title: str
    category: str | None
    subcategory: str | None
    channel: str
    amount: int | None
    involved: int | None
    risk: str
    cues: frozenset[str]
    building_id: int | None
    registered_at: datetime
    is_sensitive: bool = False


_ROW_COLUMNS = (
    Event.id,
    Event.county_code,
    Event.dispute_code,
    Event.title,
    Event.content,
    Event.category,
    Event.subcategory,
    Event.channel,
    Event.amount,
    Event.involved_count,
    Event.risk_level,
    Event.triage,
    Event.building_id,
    Event.registered_at,
    Event.is_sensitive,
)


def cues_of(*, title: str, content: str, triage: dict[str, Any] | None) -> frozenset[str]:
    """The risk cues of an event: those triage recorded, and those the cue rules find in its text now."""
    stored = (triage or {}).get("cues")
    found = {m.rule for m in default_rules().match(f"{title}。{content}")}
    return frozenset(found | ({str(c) for c in stored} if isinstance(stored, list) else set()))


def load_rows(*, session: Session, where: Sequence[ColumnElement[bool]], limit: int | None = None) -> list[EventRow]:
    query = select(*_ROW_COLUMNS).where(Event.merged_into_id.is_(None), *where).order_by(Event.id)
    if limit is not None:
        query = query.limit(limit)
    return [
        EventRow(
            id=r.id,
            county_code=r.county_code,
            dispute_code=r.dispute_code,
            title=r.title,
            category=r.category,
            subcategory=r.subcategory,
            channel=r.channel,
            amount=r.amount,
            involved=r.involved_count,
            risk=r.risk_level or "low",
            cues=cues_of(title=r.title, content=r.content, triage=r.triage),
            building_id=r.building_id,
            registered_at=r.registered_at,
            is_sensitive=bool(r.is_sensitive),
        )
        for r in session.execute(query)
    ]


@dataclass(frozen=True)
class Past:
    at: datetime
    event_id: int
    channel: str
    category: str | None


@dataclass
class Facts:
    """The facts of a batch of events beyond their own columns, loaded once."""

    links: dict[int, list[tuple[int, str]]] = field(default_factory=dict)  # event → (identity, role)
    history: dict[int, list[Past]] = field(default_factory=dict)  # identity → its events, by time
    patterns: dict[int, list[tuple[int, str]]] = field(default_factory=dict)  # event → (pattern id, kind)
    key_identities: set[int] = field(default_factory=set)
    key_buildings: set[int] = field(default_factory=set)


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield list(ids[start : start + CHUNK])


def _max_days(spec: RuleSetSpec) -> int:
    return max((r.when.prior_events.days for r in spec.rules if r.when.prior_events is not None), default=0)


def load_facts(*, session: Session, rows: Sequence[EventRow], spec: RuleSetSpec, keys: KeyLookup) -> Facts:
    facts = Facts()
    if not rows:
        return facts
    event_ids = [r.id for r in rows]
    needs_links = any(r.when.prior_events is not None or r.when.key_person is not None for r in spec.rules)
    if needs_links:
        for chunk in _chunks(event_ids):
            for event_id, identity_id, role in session.execute(
                select(PartyLink.event_id, PartyLink.identity_id, PartyLink.role).where(PartyLink.event_id.in_(chunk))
            ):
                facts.links.setdefault(event_id, []).append((identity_id, role))
    days = _max_days(spec)
    if days:
        identities = sorted({i for pairs in facts.links.values() for i, _ in pairs})
        since = min(r.registered_at for r in rows) - timedelta(days=days)
        until = max(r.registered_at for r in rows)
        history: dict[int, dict[int, Past]] = defaultdict(dict)
        for chunk in _chunks(identities):
            query = (
                select(PartyLink.identity_id, PartyLink.event_time, PartyLink.event_id, Event.channel, Event.category)
                .join(Event, Event.id == PartyLink.event_id)
                .where(
                    PartyLink.identity_id.in_(chunk),
                    PartyLink.event_time >= since,
                    PartyLink.event_time <= until,
                    Event.merged_into_id.is_(None),
                )
            )
            for identity_id, at, event_id, channel, category in session.execute(query):
                history[identity_id][event_id] = Past(at, event_id, channel, category)
        facts.history = {
            i: sorted(by_event.values(), key=lambda p: (p.at, p.event_id)) for i, by_event in history.items()
        }
    if any(r.when.patterns for r in spec.rules):
        live = [PatternStatus.OPEN.value, PatternStatus.CONFIRMED.value]
        for chunk in _chunks(event_ids):
            for event_id, pattern_id, kind in session.execute(
                select(PatternMember.event_id, Pattern.id, Pattern.kind)
                .join(Pattern, Pattern.id == PatternMember.pattern_id)
                .where(PatternMember.event_id.in_(chunk), Pattern.status.in_(live))
            ):
                facts.patterns.setdefault(event_id, []).append((pattern_id, kind))
    counties = {r.county_code for r in rows}
    if any(r.when.key_person is not None for r in spec.rules):
        for county in counties:
            facts.key_identities |= keys.identity_ids(session, county)
    if any(r.when.key_place is not None for r in spec.rules):
        for county in counties:
            facts.key_buildings |= keys.building_ids(session, county)
    return facts


@dataclass(frozen=True)
class Hit:
    """A rule that holds for an event, with the reasons a person reads and the evidence behind them."""

    rule: RuleSpec
    event: EventRow
    reasons: tuple[str, ...]
    prior_event_ids: tuple[int, ...] = ()
    pattern_id: int | None = None

    def reason(self) -> str:
        return f"{self.rule.name}：{'；'.join(self.reasons)}"


@lru_cache(maxsize=1)
def _names() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    taxonomy = default_taxonomy()
    categories = {c.code: c.name for c in taxonomy.categories}
    subcategories = {s.code: s.name for s in taxonomy}
    cues = {r.code: r.name for r in default_rules().rules}
    return categories, subcategories, cues


def _roles_match(wanted: str, role: str) -> bool:
    if wanted == "any":
        return True
    if wanted == "respondent":
        return role == PartyRole.RESPONDENT.value
    return role in _APPLICANT_ROLES


def _check(rule: RuleSpec, row: EventRow, facts: Facts) -> Hit | None:
    when = rule.when
    categories, subcategories, cue_names = _names()
    reasons: list[str] = []
    if when.category is not None:
        if row.category not in when.category:
            return None
        reasons.append(f"类别为{categories.get(row.category or '', row.category)}")
    if when.subcategory is not None:
        if row.subcategory not in when.subcategory:
            return None
        reasons.append(f"子类为{subcategories.get(row.subcategory or '', row.subcategory)}")
    if when.channel is not None:
        if row.channel not in when.channel:
            return None
        reasons.append(f"来自{CHANNEL_LABELS.get(Channel(row.channel), row.channel)}")
    if when.cues_any is not None:
        matched = [c for c in when.cues_any if c in row.cues]
        if not matched:
            return None
        reasons.append(f"风险线索：{'、'.join(cue_names.get(c, c) for c in matched)}")
    if when.cues_all is not None:
        if not set(when.cues_all) <= row.cues:
            return None
        reasons.append(f"风险线索：{'、'.join(cue_names.get(c, c) for c in when.cues_all)}")
    if when.amount_at_least is not None:
        if row.amount is None or row.amount < when.amount_at_least:
            return None
        reasons.append(f"涉及金额{row.amount}元")
    if when.involved_at_least is not None:
        if row.involved is None or row.involved < when.involved_at_least:
            return None
        reasons.append(f"涉及{row.involved}人")
    if when.risk_at_least is not None and RISK_ORDER.get(row.risk, 0) < RISK_ORDER[when.risk_at_least]:
        return None
    if when.key_person is not None:
        wanted = when.key_person
        if not any(i in facts.key_identities and _roles_match(wanted, role) for i, role in facts.links.get(row.id, [])):
            return None
        reasons.append("当事人为重点人员")
    if when.key_place is not None:
        is_key = row.building_id is not None and row.building_id in facts.key_buildings
        if is_key != when.key_place:
            return None
        if is_key:
            reasons.append("发生在重点场所")
    prior: tuple[int, ...] = ()
    if when.prior_events is not None:
        window = when.prior_events
        since = row.registered_at - timedelta(days=window.days)
        found: set[int] = set()
        for identity_id, role in facts.links.get(row.id, []):
            if not _roles_match(window.role, role):
                continue
            past = facts.history.get(identity_id, [])
            start = bisect_left([p.at for p in past], since)
            for p in past[start:]:
                if p.at > row.registered_at or p.event_id == row.id:
                    continue
                if (p.at, p.event_id) >= (row.registered_at, row.id):
                    continue  # a later event registered in the same instant is not "prior"
                if window.channel is not None and p.channel not in window.channel:
                    continue
                if window.category is not None and p.category not in window.category:
                    continue
                found.add(p.event_id)
        if len(found) < window.at_least:
            return None
        what = "、".join(CHANNEL_LABELS.get(Channel(c), c) for c in window.channel) if window.channel else "相关"
        reasons.append(f"当事人此前{window.days}天内有{len(found)}起{what}事件")
        prior = tuple(sorted(found))
    pattern_id: int | None = None
    if when.patterns is not None:
        mine = [(pid, kind) for pid, kind in facts.patterns.get(row.id, []) if kind in when.patterns]
        if not mine:
            return None
        pattern_id, kind = min(mine)
        reasons.append(f"属于研判线索：{PATTERN_KIND_LABELS[PatternKind(kind)]}（线索{pattern_id}）")
    return Hit(rule=rule, event=row, reasons=tuple(reasons), prior_event_ids=prior, pattern_id=pattern_id)


def evaluate(*, spec: RuleSetSpec, rows: Sequence[EventRow], facts: Facts) -> list[Hit]:
    """Every (enabled rule, event) that holds, events in the order given, rules in file order."""
    hits: list[Hit] = []
    for row in rows:
        for rule in spec.rules:
            if rule.enabled:
                hit = _check(rule, row, facts)
                if hit is not None:
                    hits.append(hit)
    return hits


def raised(current: str, hits: Iterable[Hit]) -> str:
    """The risk after the hits: raised only, never lowered."""
    levels = [current, *(h.rule.then.risk for h in hits if h.rule.then.risk is not None)]
    return max(levels, key=lambda level: RISK_ORDER.get(level, 0))
