"""Duplicate hints at registration: recent events in the viewer's sight that look like the one being typed in.

Only hints: the front desk decides whether it is the same matter. Every clue is answered from an indexed column —
party ID numbers and phones (event_parties), the location path of the building's grid or of the village — and bounded
to the last ``days`` days; the text comparison (rapidfuzz) only looks at the village's few hundred most recent events.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from rapidfuzz import fuzz
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from fengqiao.accounts.scope import Viewer
from fengqiao.basedata.models import Building
from fengqiao.core.clock import utcnow
from fengqiao.events.kinds import EventStatus
from fengqiao.events.models import Event, EventParty
from fengqiao.events.queries import visible
from fengqiao.jurisdiction.kinds import UnitKind
from fengqiao.jurisdiction.models import Unit
from fengqiao.jurisdiction.paths import under_path

RECENT_DAYS = 30
# fuzz.ratio of two reports of the same matter in other words lies around 70–90; unrelated texts of one village
# (both about water, say) stay below 60.
SIMILAR_TEXT = 70.0
# How many of the village's most recent events the text is compared with.
TEXT_CANDIDATES = 300
MIN_TEXT = 6
MIN_PHONE = 7
MAX_CLUES = 20
# Merged and voided events are not matters anyone works on any more.
_DEAD = (EventStatus.MERGED.value, EventStatus.VOIDED.value)
_NOT_TEXT = re.compile(r"[\W_]+", re.UNICODE)

REASON_ID_NUMBER = "同一身份证号"
REASON_PHONE = "同一联系电话"
REASON_BUILDING = "同一楼栋"


@dataclass
class DuplicateHint:
    event: Event
    reasons: list[str] = field(default_factory=list)
    similarity: float | None = None  # 0–100, when the text is alike

    @property
    def weight(self) -> int:
        """Identity clues first: one person twice is a stronger sign than one building or like words."""
        ranks = {REASON_ID_NUMBER: 8, REASON_PHONE: 4, REASON_BUILDING: 2}
        return sum(ranks.get(r, 1) for r in self.reasons)


def normalise_text(text: str) -> str:
    """Full-width forms folded, punctuation and spaces dropped, so that only the words are compared."""
    return _NOT_TEXT.sub("", unicodedata.normalize("NFKC", text)).lower()


def text_similarity(a: str, b: str) -> float:
    return float(fuzz.ratio(normalise_text(a), normalise_text(b)))


def _clean(values: Iterable[str | None], *, minimum: int) -> list[str]:
    cleaned = {"".join(v.split()).upper() for v in values if v}
    return sorted(v for v in cleaned if len(v) >= minimum)[:MAX_CLUES]


def find_duplicates(
    *,
    session: Session,
    viewer: Viewer,
    id_numbers: Sequence[str | None] = (),
    phones: Sequence[str | None] = (),
    building_id: int | None = None,
    text: str | None = None,
    village_path: str | None = None,
    exclude_event_id: int | None = None,
    now: datetime | None = None,
    days: int = RECENT_DAYS,
    limit: int = 10,
) -> list[DuplicateHint]:
    """Events registered in the last ``days`` days that the viewer may see and that share a party's ID number or
    phone, the building, or — within ``village_path`` (else the building's village) — very similar text.

    Each hint carries its reasons in Chinese; strongest first, then the most recent."""
    since = (now or utcnow()) - timedelta(days=days)
    recent: list[ColumnElement[bool]] = [
        Event.registered_at >= since,
        Event.status.not_in(_DEAD),
        visible(viewer),
    ]
    if exclude_event_id is not None:
        recent.append(Event.id != exclude_event_id)
    hints: dict[int, DuplicateHint] = {}

    def hint(event: Event) -> DuplicateHint:
        return hints.setdefault(event.id, DuplicateHint(event))

    ids = _clean(id_numbers, minimum=15)
    if ids:
        # Driven from the party's indexed ID number: a handful of rows, then each event by its key. (No DISTINCT
        # over events: PostgreSQL cannot compare their JSON columns.)
        with_id = select(EventParty.event_id).where(EventParty.id_number.in_(ids))
        for event in session.scalars(select(Event).where(Event.id.in_(with_id), *recent)):
            hint(event).reasons.append(REASON_ID_NUMBER)
    numbers = _clean(phones, minimum=MIN_PHONE)
    if numbers:
        with_phone = select(EventParty.event_id).where(EventParty.phone.in_(numbers))
        by_party = select(Event).where(Event.id.in_(with_phone), *recent)
        # Channels without parties keep only the reporter's phone (not indexed): the county's (county_code,
        # registered_at) index bounds that one to the last days.
        by_reporter = select(Event).where(
            Event.county_code == viewer.county_code, Event.reporter_phone.in_(numbers), *recent
        )
        for query in (by_party, by_reporter):
            for event in session.scalars(query):
                found = hint(event)
                if REASON_PHONE not in found.reasons:
                    found.reasons.append(REASON_PHONE)
    building_path: str | None = None
    if building_id is not None:
        grid = session.execute(
            select(Unit.path, Unit.parent_id)
            .join(Building, Building.grid_id == Unit.id)
            .where(Building.id == building_id)
        ).one_or_none()
        if grid is not None:
            building_path = grid.path
            if village_path is None and grid.parent_id is not None:
                village_path = session.scalar(select(Unit.path).where(Unit.id == grid.parent_id))
            # The grid's path range (indexed) narrows to a handful of rows before building_id is compared.
            for event in session.scalars(
                select(Event).where(
                    *recent, under_path(Event.location_path, building_path), Event.building_id == building_id
                )
            ):
                hint(event).reasons.append(REASON_BUILDING)
    if text and len(normalise_text(text)) >= MIN_TEXT and village_path:
        candidates = session.execute(
            select(Event.id, Event.title, Event.content)
            .where(*recent, under_path(Event.location_path, village_path))
            .order_by(Event.registered_at.desc(), Event.id.desc())
            .limit(TEXT_CANDIDATES)
        ).all()
        alike: dict[int, float] = {}
        for row in candidates:
            score = max(text_similarity(text, row.content), text_similarity(text, row.title))
            if score >= SIMILAR_TEXT:
                alike[row.id] = score
        if alike:
            for event in session.scalars(select(Event).where(Event.id.in_(alike))):
                found = hint(event)
                found.similarity = alike[event.id]
                found.reasons.append(f"内容相似 {round(alike[event.id])}%")
    ordered = sorted(hints.values(), key=lambda h: (-h.weight, -h.event.registered_at.timestamp(), -h.event.id))
    return ordered[:limit]


def village_path_for(viewer: Viewer) -> str | None:
    """Where a viewer working in one village registers: their village (a grid's parent), else None."""
    for a in viewer.assignments:
        if a.unit_kind == UnitKind.VILLAGE:
            return a.unit_path
        if a.unit_kind == UnitKind.GRID:
            return a.unit_path[: a.unit_path.rstrip("/").rfind("/") + 1]
    return None
