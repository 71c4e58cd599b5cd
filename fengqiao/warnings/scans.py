"""Topic scans (趋势性、苗头性): which categories of matter are rising in a town, and which trades (subcategories)
across the county, compared with their own baseline of the previous weeks.

The test, stated: for each town × category (and county × subcategory), let ``x`` be the number of events registered
in the last 7 days and ``λ`` the mean weekly count over the ``baseline_weeks`` (8) weeks before. Under "nothing has
changed" the week's count is Poisson(λ); the one-sided p-value is ``P(X ≥ x) = poisson.sf(x - 1, λ)``, computed with
``scipy.stats``. A topic fires when ``p < alpha`` (0.01) and ``x ≥ min_count`` (5) — the minimum keeps a jump from 0
to 2 from warning. ``λ`` is floored at ``min_baseline`` (0.5 a week) so a topic that was absent does not give p = 0
for one event.

A topic that fires is *emerging* (苗头性) when its baseline was under one event a week — something new — and a
*trend* (趋势性) otherwise. The warning goes to the town (a trade's to the county centre), once per topic per ISO
week; the scan runs daily from the worker (the job re-arms itself) over a rolling 7-day window.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from scipy.stats import poisson
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fengqiao.core.clock import CHINA_TZ, utcnow
from fengqiao.events.models import Event
from fengqiao.jobs import service as jobs
from fengqiao.jobs.models import Job
from fengqiao.jurisdiction.kinds import CODE_LENGTHS, UnitKind
from fengqiao.jurisdiction.models import Unit
from fengqiao.jurisdiction.paths import under_path
from fengqiao.triage.taxonomy.schema import default_taxonomy
from fengqiao.warnings import issued
from fengqiao.warnings.models import RiskWarning

TOPIC_SCAN = "warnings.topic_scan"
SCAN_HOUR = 7  # local time: the morning's warnings are there when the offices open
# "331081/" + "331081100/": the path prefix of a town.
COUNTY_PREFIX = CODE_LENGTHS[UnitKind.COUNTY] + 1
TOWN_PREFIX = COUNTY_PREFIX + CODE_LENGTHS[UnitKind.TOWN] + 1
TEST_NAME = "单侧泊松检验"


@dataclass(frozen=True)
class ScanPolicy:
    baseline_weeks: int = 8
    alpha: float = 0.01
    min_count: int = 5
    min_baseline: float = 0.5
    emerging_below: float = 1.0


@dataclass(frozen=True)
class Topic:
    scope_path: str  # the town's path, or the county's for a trade (subcategory) across the county
    topic: str  # a category code (per town) or a subcategory code (per county)
    dimension: str  # town | trade
    count: int
    baseline: list[int]  # weekly counts, most recent week first
    mean: float
    p_value: float
    kind: str  # emerging | trend

    @property
    def ratio(self) -> float:
        return self.count / max(self.mean, 1e-9)


def one_sided_poisson(count: int, mean: float, *, floor: float = 0.5) -> float:
    """P(X ≥ count) for X ~ Poisson(max(mean, floor))."""
    if count <= 0:
        return 1.0
    return float(poisson.sf(count - 1, max(mean, floor)))


def weekly_counts(
    *, session: Session, county_code: str, now: datetime, weeks: int, dimension: str = "town"
) -> dict[tuple[str, str], list[int]]:
    """(scope path, topic) → counts for week 0 (the last 7 days), 1, … ``weeks``; one grouped query per week.
    ``town``: per town × category; ``trade``: per county × subcategory."""
    if dimension == "town":
        scope = func.substr(Event.location_path, 1, TOWN_PREFIX)
        topic = Event.category
        extra = [func.length(Event.location_path) >= TOWN_PREFIX]
    else:
        scope = func.substr(Event.location_path, 1, COUNTY_PREFIX)
        topic = Event.subcategory
        extra = []
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * (weeks + 1))
    for week in range(weeks + 1):
        until = now - timedelta(days=7 * week)
        since = until - timedelta(days=7)
        query = (
            select(scope, topic, func.count())
            .where(
                Event.county_code == county_code,
                Event.registered_at > since,
                Event.registered_at <= until,
                topic.is_not(None),
                Event.merged_into_id.is_(None),
                *extra,
            )
            .group_by(scope, topic)
        )
        for path, code, n in session.execute(query):
            counts[(path, code)][week] = int(n)
    return counts


def find_topics(
    *, session: Session, county_code: str, now: datetime | None = None, policy: ScanPolicy | None = None
) -> list[Topic]:
    """Every (town, category) and (county, subcategory) whose last 7 days fire the test."""
    policy = policy or ScanPolicy()
    now = now or utcnow()
    found: list[Topic] = []
    for dimension in ("town", "trade"):
        counts = weekly_counts(
            session=session, county_code=county_code, now=now, weeks=policy.baseline_weeks, dimension=dimension
        )
        for (path, code), weekly in counts.items():
            count, baseline = weekly[0], weekly[1:]
            if count < policy.min_count:
                continue
            mean = sum(baseline) / len(baseline)
            p_value = one_sided_poisson(count, mean, floor=policy.min_baseline)
            if p_value < policy.alpha:
                kind = "emerging" if mean < policy.emerging_below else "trend"
                found.append(Topic(path, code, dimension, count, baseline, mean, p_value, kind))
    return sorted(found, key=lambda t: (t.p_value, t.dimension, t.scope_path, t.topic))


KIND_LABELS = {"emerging": "苗头性", "trend": "趋势性"}


def iso_week(moment: datetime) -> str:
    year, week, _ = moment.astimezone(CHINA_TZ).isocalendar()
    return f"{year}-W{week:02d}"


def scan(
    *, session: Session, county_code: str, now: datetime | None = None, policy: ScanPolicy | None = None
) -> list[RiskWarning]:
    """Find rising topics and warn the town (or, for a trade, the county) once per ISO week per topic. Returns the
    new warnings."""
    policy = policy or ScanPolicy()
    now = now or utcnow()
    topics = find_topics(session=session, county_code=county_code, now=now, policy=policy)
    if not topics:
        return []
    units = {
        u.path: u for u in session.scalars(select(Unit).where(Unit.path.in_(sorted({t.scope_path for t in topics}))))
    }
    taxonomy = default_taxonomy()
    names = {c.code: c.name for c in taxonomy.categories}
    names.update({sub.code: f"{sub.category_name}·{sub.name}" for sub in taxonomy})
    week = iso_week(now)
    warnings: list[RiskWarning] = []
    for topic in topics:
        unit = units.get(topic.scope_path)
        if unit is None:
            continue
        name = names.get(topic.topic, topic.topic)
        label = KIND_LABELS[topic.kind]
        column = Event.category if topic.dimension == "town" else Event.subcategory
        event_ids = list(
            session.scalars(
                select(Event.id)
                .where(
                    Event.county_code == county_code,
                    column == topic.topic,
                    under_path(Event.location_path, topic.scope_path),
                    Event.registered_at > now - timedelta(days=7),
                    Event.registered_at <= now,
                    Event.merged_into_id.is_(None),
                )
                .order_by(Event.id)
                .limit(50)
            )
        )
        reason = (
            f"{unit.name}近7天{name}类事件{topic.count}起，前{policy.baseline_weeks}周平均每周{topic.mean:.1f}起"
            f"（{TEST_NAME} p={topic.p_value:.2g}，阈值{policy.alpha}）"
        )
        warning = issued.issue(
            session=session,
            county_code=county_code,
            source="topic",
            kind=topic.kind,
            level="high" if topic.p_value < policy.alpha / 10 and topic.count >= 2 * policy.min_count else "medium",
            title=f"{label}预警：{unit.name}{name}类事件上升",
            reason=reason,
            evidence={
                "test": TEST_NAME,
                "dimension": topic.dimension,
                "topic": topic.topic,
                "count": topic.count,
                "baseline": topic.baseline,
                "baseline_mean": round(topic.mean, 3),
                "p_value": topic.p_value,
                "alpha": policy.alpha,
                "min_count": policy.min_count,
                "week": week,
                "event_ids": event_ids,
            },
            unit=unit,
            dedupe_key=f"topic:{county_code}:{unit.code}:{topic.topic}:{week}",
            ack_hours=24,
            now=now,
        )
        if warning is not None:
            warnings.append(warning)
    return warnings


def next_run(now: datetime) -> datetime:
    local = now.astimezone(CHINA_TZ)
    slot = local.replace(hour=SCAN_HOUR, minute=0, second=0, microsecond=0)
    if slot <= local:
        slot += timedelta(days=1)
    return slot.astimezone(UTC)


def ensure_scheduled(*, session: Session, county_code: str, now: datetime | None = None) -> Job:
    """Arm the next daily scan of the county; every caller names the same slot, so all but one are no-ops."""
    run_at = next_run(now or utcnow())
    return jobs.schedule(
        session=session,
        kind=TOPIC_SCAN,
        run_at=run_at,
        payload={"county_code": county_code},
        dedupe_key=f"{TOPIC_SCAN}:{county_code}:{run_at.date().isoformat()}",
        county_code=county_code,
    )
