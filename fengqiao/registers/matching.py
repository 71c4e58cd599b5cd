"""Which register entries an event touches — the pure core of linking events to key projects, persons and places.

An entry is touched when one of the event's parties is the entry's person or enterprise (by resolved identity, or by
ID number / credit code when the identity is not resolved yet), when the event happened in the entry's building, or
when the event's text names one of the entry's aliases. One hit per entry, by the strongest reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from fengqiao.events.kinds import PARTY_ROLE_LABELS, PartyRole
from fengqiao.registers.kinds import ENTRY_KIND_LABELS, EntryKind, LinkReason

# Shorter aliases ("小区", "工地") name too many things to link on.
MIN_ALIAS_LENGTH = 3


@dataclass(frozen=True)
class PartyFact:
    role: str
    identity_id: int | None
    number: str | None  # ID number or credit code, compacted


@dataclass(frozen=True)
class EventFacts:
    event_id: int
    building_id: int | None
    text: str
    parties: tuple[PartyFact, ...]


@dataclass(frozen=True)
class Entry:
    kind: EntryKind
    id: int
    name: str
    level: str
    identity_ids: frozenset[int] = frozenset()
    numbers: frozenset[str] = frozenset()
    building_ids: frozenset[int] = frozenset()
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class RegisterHit:
    event_id: int
    entry_kind: EntryKind
    entry_id: int
    entry_name: str
    level: str
    reason: LinkReason
    detail: str


def usable_aliases(aliases: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(a.strip() for a in aliases if len(a.strip()) >= MIN_ALIAS_LENGTH))


def _role_label(role: str) -> str:
    try:
        return PARTY_ROLE_LABELS[PartyRole(role)]
    except ValueError:
        return "当事人"


def _party_hit(event: EventFacts, entry: Entry) -> str | None:
    for party in event.parties:
        if (party.identity_id is not None and party.identity_id in entry.identity_ids) or (
            party.number is not None and party.number in entry.numbers
        ):
            return f"{_role_label(party.role)}为{ENTRY_KIND_LABELS[entry.kind]}「{entry.name}」登记的当事方"
    return None


def match_event(event: EventFacts, entries: Sequence[Entry]) -> list[RegisterHit]:
    hits: list[RegisterHit] = []
    for entry in entries:
        reason: LinkReason | None = None
        detail = ""
        party = _party_hit(event, entry)
        if party is not None:
            reason, detail = LinkReason.PARTY, party
        elif event.building_id is not None and event.building_id in entry.building_ids:
            reason, detail = LinkReason.BUILDING, f"事发楼栋为{ENTRY_KIND_LABELS[entry.kind]}「{entry.name}」所在楼栋"
        else:
            alias = next((a for a in entry.aliases if a in event.text), None)
            if alias is not None:
                reason, detail = LinkReason.ALIAS, f"事件内容提及「{alias}」"
        if reason is not None:
            hits.append(
                RegisterHit(
                    event_id=event.event_id,
                    entry_kind=entry.kind,
                    entry_id=entry.id,
                    entry_name=entry.name,
                    level=entry.level,
                    reason=reason,
                    detail=detail[:200],
                )
            )
    return hits
