"""Finding patterns (E1) as events arrive, after their parties are linked: one person in many events (一人多事),
many people about one matter (多人一事), one place with many events (一地多事), repeated 110 calls about the same
party (反复报警), and near-duplicate texts across channels (类案串联).

Each pattern is kept once per subject and grows as events arrive; staff confirm, dismiss or merge it. All queries
are index ranges (an identity's links by time, a building's events by time, an event's LSH buckets).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from fengqiao.basedata.models import Building
from fengqiao.core.clock import utcnow
from fengqiao.core.errors import Conflict, InvalidInput, NotFound
from fengqiao.events.kinds import Channel, PartyRole
from fengqiao.events.models import Event
from fengqiao.linking import service as linking
from fengqiao.linking.models import Identity, PartyLink
from fengqiao.warnings.models import Pattern, PatternMember
from fengqiao.warnings.policy import PatternPolicy, load_pattern_policy


class PatternKind(StrEnum):
    REPEAT_PERSON = "repeat_person"
    COLLECTIVE_MATTER = "collective_matter"
    REPEAT_PLACE = "repeat_place"
    REPEAT_POLICE_CALL = "repeat_police_call"
    CASE_LINKING = "case_linking"


PATTERN_KIND_LABELS: dict[PatternKind, str] = {
    PatternKind.REPEAT_PERSON: "一人多事",
    PatternKind.COLLECTIVE_MATTER: "多人一事",
    PatternKind.REPEAT_PLACE: "一地多事",
    PatternKind.REPEAT_POLICE_CALL: "反复报警",
    PatternKind.CASE_LINKING: "类案串联",
}


class PatternStatus(StrEnum):
    OPEN = "open"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"
    MERGED = "merged"


PATTERN_STATUS_LABELS: dict[PatternStatus, str] = {
    PatternStatus.OPEN: "待研判",
    PatternStatus.CONFIRMED: "已确认",
    PatternStatus.DISMISSED: "已排除",
    PatternStatus.MERGED: "已合并",
}


class SubjectKind(StrEnum):
    PERSON = "person"
    ORGANISATION = "organisation"
    PLACE = "place"
    MATTER = "matter"


# Respondents are who a matter is about; applicants and reporters are who raise it.
_COMPLAINANT_ROLES = (PartyRole.APPLICANT.value, PartyRole.REPORTER.value, linking.REPORTER_ROLE)


@dataclass(frozen=True)
class Found:
    """A pattern an event belongs to, as detected: its subject, members and reason."""

    kind: PatternKind
    key: str
    subject: str
    subject_kind: SubjectKind
    event_ids: frozenset[int]
    reason: str


def detect(*, session: Session, event_ids: Sequence[int], policy: PatternPolicy | None = None) -> list[Pattern]:
    """Find and store the patterns these (linked) events belong to. Returns the patterns created or grown."""
    policy = policy or load_pattern_policy()
    touched: dict[int, Pattern] = {}
    events = session.scalars(select(Event).where(Event.id.in_(event_ids)).order_by(Event.id)).all()
    for event in events:
        for found in find_for_event(session=session, event=event, policy=policy):
            pattern = record(session=session, county_code=event.county_code, found=found)
            if pattern is not None:
                touched[pattern.id] = pattern
    return list(touched.values())


def find_for_event(*, session: Session, event: Event, policy: PatternPolicy) -> list[Found]:
    found: list[Found] = []
    links = session.scalars(select(PartyLink).where(PartyLink.event_id == event.id)).all()
    identities = {link.identity_id for link in links}
    query = select(Identity.id, Identity.name, Identity.kind).where(Identity.id.in_(identities))
    rows = session.execute(query).all() if identities else []
    names: dict[int, str] = {i: n for i, n, _ in rows}
    kinds = {i: SubjectKind(k) for i, _, k in rows}

    window = policy.repeat_person
    for identity_id in sorted(identities):
        members = _identity_events(
            session=session, identity_id=identity_id, until=event.registered_at, days=window.window_days
        )
        if len(members) >= window.min_events:
            found.append(
                Found(
                    PatternKind.REPEAT_PERSON,
                    f"identity:{identity_id}",
                    names[identity_id],
                    kinds[identity_id],
                    frozenset(members),
                    f"{names[identity_id]}在{window.window_days}天内涉及{len(members)}起事件",
                )
            )

    police = policy.repeat_police_call
    if event.channel == Channel.POLICE_110.value:
        for identity_id in sorted(identities):
            members = _identity_events(
                session=session,
                identity_id=identity_id,
                until=event.registered_at,
                days=police.window_days,
                channel=Channel.POLICE_110,
            )
            if len(members) >= police.min_events:
                found.append(
                    Found(
                        PatternKind.REPEAT_POLICE_CALL,
                        f"identity:{identity_id}",
                        names[identity_id],
                        kinds[identity_id],
                        frozenset(members),
                        f"{names[identity_id]}在{police.window_days}天内{len(members)}次涉及110纠纷类警情",
                    )
                )

    place = policy.repeat_place
    if event.building_id is not None:
        since = event.registered_at - timedelta(days=place.window_days)
        members = set(
            session.scalars(
                select(Event.id).where(
                    Event.building_id == event.building_id,
                    Event.registered_at >= since,
                    Event.registered_at <= event.registered_at,
                    Event.merged_into_id.is_(None),
                )
            )
        )
        if len(members) >= place.min_events:
            address = session.scalar(select(Building.standard_address).where(Building.id == event.building_id)) or ""
            found.append(
                Found(
                    PatternKind.REPEAT_PLACE,
                    f"building:{event.building_id}",
                    address[:120],
                    SubjectKind.PLACE,
                    frozenset(members),
                    f"{address}在{place.window_days}天内发生{len(members)}起事件",
                )
            )

    found.extend(_collective(session=session, event=event, links=links, names=names, kinds=kinds, policy=policy))

    linked = policy.case_linking
    similar = linking.similar_events(session=session, event_id=event.id, days=linked.window_days)
    if similar:
        span = timedelta(days=linked.window_days)
        ids = [s.event_id for s in similar]
        times = dict(session.execute(select(Event.id, Event.registered_at).where(Event.id.in_(ids))).all())
        near = {s.event_id for s in similar if abs(times[s.event_id] - event.registered_at) <= span}
        if len(near) + 1 >= linked.min_events:
            best = max(s.similarity for s in similar if s.event_id in near)
            found.append(
                Found(
                    PatternKind.CASE_LINKING,
                    _case_key(session=session, event_id=event.id, near=near),
                    event.title[:120],
                    SubjectKind.MATTER,
                    frozenset({event.id, *near}),
                    f"{len(near) + 1}起事件内容高度相似（最高相似度{best:.0%}），可能是同一事项多渠道反映",
                )
            )
    return found


def _identity_events(
    *, session: Session, identity_id: int, until: datetime, days: int, channel: Channel | None = None
) -> set[int]:
    query = select(PartyLink.event_id).where(
        PartyLink.identity_id == identity_id,
        PartyLink.event_time >= until - timedelta(days=days),
        PartyLink.event_time <= until,
    )
    if channel is not None:
        query = query.join(Event, Event.id == PartyLink.event_id).where(Event.channel == channel.value)
    return set(session.scalars(query))


def _collective(
    *,
    session: Session,
    event: Event,
    links: Sequence[PartyLink],
    names: dict[int, str],
    kinds: dict[int, SubjectKind],
    policy: PatternPolicy,
) -> list[Found]:
    rule = policy.collective_matter
    found: list[Found] = []
    if event.involved_count is not None and event.involved_count >= rule.min_involved:
        found.append(
            Found(
                PatternKind.COLLECTIVE_MATTER,
                f"event:{event.id}",
                event.title[:120],
                SubjectKind.MATTER,
                frozenset({event.id}),
                f"本事件涉及{event.involved_count}人",
            )
        )
    since = event.registered_at - timedelta(days=rule.window_days)
    for link in links:
        if link.role != PartyRole.RESPONDENT.value:
            continue
        # Events about this respondent in the window, and who raised them.
        about = set(
            session.scalars(
                select(PartyLink.event_id).where(
                    PartyLink.identity_id == link.identity_id,
                    PartyLink.role == PartyRole.RESPONDENT.value,
                    PartyLink.event_time >= since,
                    PartyLink.event_time <= event.registered_at,
                )
            )
        )
        raised = session.execute(
            select(PartyLink.identity_id, PartyLink.event_id).where(
                PartyLink.event_id.in_(about),
                PartyLink.role.in_(_COMPLAINANT_ROLES),
                PartyLink.identity_id != link.identity_id,
            )
        ).all()
        complainants = {identity for identity, _ in raised}
        if len(complainants) >= rule.min_complainants:
            name = names.get(link.identity_id, "")
            found.append(
                Found(
                    PatternKind.COLLECTIVE_MATTER,
                    f"respondent:{link.identity_id}",
                    name,
                    kinds.get(link.identity_id, SubjectKind.PERSON),
                    frozenset(about),
                    f"{len(complainants)}人在{rule.window_days}天内反映同一对象（{name}）",
                )
            )
    return found


def _case_key(*, session: Session, event_id: int, near: set[int]) -> str:
    """A cluster keeps the key of the pattern one of its events is already in, so chains grow one pattern."""
    existing = session.scalar(
        select(Pattern.key)
        .join(PatternMember, PatternMember.pattern_id == Pattern.id)
        .where(Pattern.kind == PatternKind.CASE_LINKING.value, PatternMember.event_id.in_(near))
        .order_by(Pattern.id)
        .limit(1)
    )
    return existing or f"text:{min(near | {event_id})}"


def record(*, session: Session, county_code: str, found: Found) -> Pattern | None:
    """Create the pattern or add the new members; returns it when it changed (None when nothing was new)."""
    pattern = session.scalars(
        select(Pattern).where(
            Pattern.county_code == county_code, Pattern.kind == found.kind.value, Pattern.key == found.key
        )
    ).one_or_none()
    while pattern is not None and pattern.status == PatternStatus.MERGED.value and pattern.merged_into_id is not None:
        pattern = session.get(Pattern, pattern.merged_into_id)
    if pattern is None:
        pattern = Pattern(
            county_code=county_code,
            kind=found.kind.value,
            key=found.key,
            subject=found.subject or PATTERN_KIND_LABELS[found.kind],
            subject_kind=found.subject_kind.value,
            status=PatternStatus.OPEN.value,
            member_count=0,
            reason=found.reason,
            unit_path="",
            first_at=utcnow(),
            last_at=utcnow(),
        )
        session.add(pattern)
        session.flush()
    present = set(session.scalars(select(PatternMember.event_id).where(PatternMember.pattern_id == pattern.id)))
    new = sorted(found.event_ids - present)
    if not new:
        return None
    session.add_all(PatternMember(pattern_id=pattern.id, event_id=i, county_code=county_code) for i in new)
    session.flush()
    _refresh(session=session, pattern=pattern)
    pattern.reason = found.reason
    return pattern


def _refresh(*, session: Session, pattern: Pattern) -> None:
    """Member count, time span and the common unit, from the members themselves (so merges add up too)."""
    rows = session.execute(
        select(Event.registered_at, Event.location_path)
        .join(PatternMember, PatternMember.event_id == Event.id)
        .where(PatternMember.pattern_id == pattern.id)
    ).all()
    pattern.member_count = len(rows)
    pattern.first_at = min(r[0] for r in rows)
    pattern.last_at = max(r[0] for r in rows)
    pattern.unit_path = common_path(r[1] for r in rows)


def common_path(paths: Iterable[str]) -> str:
    """The longest unit path every path starts with ("331081/331081100/" for two villages of one town)."""
    parts: list[str] | None = None
    for path in paths:
        segments = path.strip("/").split("/")
        if parts is None:
            parts = segments
            continue
        keep = 0
        while keep < min(len(parts), len(segments)) and parts[keep] == segments[keep]:
            keep += 1
        parts = parts[:keep]
    return "/".join(parts) + "/" if parts else ""


# --- staff decisions ----------------------------------------------------------------------------------------------


def decide(
    *, session: Session, pattern_id: int, status: PatternStatus, staff_id: int | None, version: int, note: str = ""
) -> Pattern:
    """Confirm or dismiss (or reopen) a pattern. ``version`` is what the person saw: a stale page is refused."""
    if status is PatternStatus.MERGED:
        raise InvalidInput("合并请使用合并操作", code="use_merge")
    pattern = _get(session=session, pattern_id=pattern_id, version=version)
    pattern.status = status.value
    pattern.decided_by_id = staff_id
    pattern.decided_at = utcnow()
    pattern.decision_note = note[:500] or None
    session.flush()
    return pattern


def merge(*, session: Session, keep_id: int, merge_id: int, staff_id: int | None, version: int) -> Pattern:
    """Move the members of one pattern into another (the same matter found twice, e.g. by person and by text)."""
    if keep_id == merge_id:
        raise InvalidInput("不能与自身合并", code="merge_self")
    gone = _get(session=session, pattern_id=merge_id, version=version)
    keep = session.get(Pattern, keep_id)
    if keep is None or keep.county_code != gone.county_code or keep.status == PatternStatus.MERGED.value:
        raise NotFound("目标研判线索不存在或已被合并", code="pattern_not_found")
    present = set(session.scalars(select(PatternMember.event_id).where(PatternMember.pattern_id == keep.id)))
    for member in session.scalars(select(PatternMember).where(PatternMember.pattern_id == gone.id)):
        if member.event_id not in present:
            session.add(PatternMember(pattern_id=keep.id, event_id=member.event_id, county_code=keep.county_code))
    gone.status = PatternStatus.MERGED.value
    gone.merged_into_id = keep.id
    gone.decided_by_id = staff_id
    gone.decided_at = utcnow()
    session.flush()
    _refresh(session=session, pattern=keep)
    return keep


def _get(*, session: Session, pattern_id: int, version: int) -> Pattern:
    pattern = session.get(Pattern, pattern_id)
    if pattern is None:
        raise NotFound("研判线索不存在", code="pattern_not_found")
    if pattern.version != version:
        raise Conflict("该线索已被他人更新，请刷新后再操作", code="stale_pattern")
    if pattern.status == PatternStatus.MERGED.value:
        raise InvalidInput("该线索已合并到其他线索", code="pattern_merged")
    return pattern
