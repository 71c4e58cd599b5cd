"""Placing events by their address (A4) when nothing better is known: the matched room or building puts the event
in its grid. The matcher is loaded once per process and reloaded when the base data changes."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from fengqiao.db.engine import for_reading
from fengqiao.events.models import Event
from fengqiao.jurisdiction.models import Unit
from fengqiao.triage.address.index import table_signature
from fengqiao.triage.address.match import AddressMatcher, MatchLevel, load_matcher

# A match placing an event must be this sure; below it the event keeps the place it had and the dispatcher decides.
MIN_SCORE = 0.8
# How often the base data is checked for changes (three count queries).
RECHECK_SECONDS = 300.0

_lock = threading.Lock()
_cached: dict[str, tuple[str, float, AddressMatcher]] = {}


def matcher_for(session: Session) -> AddressMatcher:
    # The index is read on connections of its own: they must not queue behind this session's write lock.
    engine = for_reading(session.get_bind().engine)
    key = str(engine.url)
    now = time.monotonic()
    with _lock:
        entry = _cached.get(key)
        if entry is not None and now - entry[1] < RECHECK_SECONDS:
            return entry[2]
        signature = table_signature(engine=engine)
        if entry is not None and entry[0] == signature:
            _cached[key] = (signature, now, entry[2])
            return entry[2]
        matcher, _ = load_matcher(engine=engine)
        _cached[key] = (signature, now, matcher)
        return matcher


def place_by_address(*, session: Session, events: Sequence[Event]) -> None:
    """Events with an address but no grid yet (placed at the registering unit) get the building their address
    names, and its grid; the match and its score are kept in the event's triage record."""
    waiting = [
        e
        for e in events
        if e.address and e.building_id is None and e.location_unit_id == e.registered_unit_id and e.lon is None
    ]
    if not waiting:
        return
    matcher = matcher_for(session)
    matches = [matcher.match(e.address or "") for e in waiting]
    grid_codes = {m.grid_code for m in matches if m.grid_code}
    grids = {u.code: u for u in session.scalars(select(Unit).where(Unit.code.in_(grid_codes)))} if grid_codes else {}
    for event, match in zip(waiting, matches, strict=True):
        found = match.level in (MatchLevel.ROOM, MatchLevel.BUILDING) and match.score >= MIN_SCORE
        grid = grids.get(match.grid_code or "")
        event.triage = {
            **(event.triage or {}),
            "address_match": {
                "building_id": match.building_id,
                "room_id": match.room_id,
                "score": round(match.score, 3),
                "level": match.level.value,
                "used": bool(found and grid is not None),
            },
        }
        if found and grid is not None:
            event.building_id = match.building_id
            event.room_id = match.room_id
            event.location_unit_id = grid.id
            event.location_path = grid.path
