"""Assessment (考核) of towns and villages over a period: each metric's points by the rules, less the supervision
penalties, ranked (the 晾晒 of the bulletin). The rates come from ``fengqiao.metrics`` through ``rates``; the
scoring itself is pure (``score_unit``), so the rules can be checked by hand."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from fengqiao.accounts.scope import Viewer
from fengqiao.assessment import rates
from fengqiao.assessment.rules import AssessedLevel, AssessmentRules, LevelRules, default_rules
from fengqiao.core.clock import CHINA_TZ
from fengqiao.core.errors import InvalidInput, NotFound
from fengqiao.events.kinds import SUPERVISION_LEVEL_LABELS, SupervisionLevel
from fengqiao.events.models import Supervision
from fengqiao.jurisdiction.kinds import UnitKind
from fengqiao.jurisdiction.models import Unit
from fengqiao.jurisdiction.paths import under_path
from fengqiao.metrics.live import Rate

_KIND = {AssessedLevel.TOWN: UnitKind.TOWN, AssessedLevel.VILLAGE: UnitKind.VILLAGE}


@dataclass(frozen=True)
class MetricScore:
    name: str
    label: str
    rate: Rate
    target: float
    points_max: float
    points: float

    @property
    def value(self) -> float | None:
        return self.rate.value


@dataclass(frozen=True)
class PenaltyLine:
    level: str
    label: str
    count: int
    points_each: float
    points: float


@dataclass
class UnitScore:
    unit_code: str
    unit_name: str
    parent_name: str
    metrics: list[MetricScore]
    penalties: list[PenaltyLine]
    penalty: float  # after the cap
    earned: float  # the metrics' points before penalties
    score: float
    rank: int = 0

    @property
    def penalty_capped(self) -> bool:
        return self.penalty < sum(p.points for p in self.penalties)


@dataclass
class Assessment:
    level: AssessedLevel
    rules: LevelRules
    parent_code: str
    parent_name: str
    start: date  # local days, both included
    end: date
    units: list[UnitScore] = field(default_factory=list)

    @property
    def metric_names(self) -> list[str]:
        return list(self.rules.metrics)


def score_unit(
    *,
    rules: LevelRules,
    unit_rates: Mapping[str, Rate],
    supervisions: Mapping[str, int],
    unit_code: str,
    unit_name: str,
    parent_name: str = "",
) -> UnitScore:
    """One unit's score: ``points × min(rate / target, 1)`` per metric (full points when there is nothing to
    measure), less ``count × points`` per supervision level, the penalty capped at ``max_penalty``, never below 0."""
    metrics: list[MetricScore] = []
    for name, rule in rules.metrics.items():
        rate = unit_rates.get(name, Rate(0, 0))
        value = rate.value
        earned = rule.points if value is None else rule.points * min(value / rule.target, 1.0)
        metrics.append(
            MetricScore(
                name=name,
                label=rates.label(name),
                rate=rate,
                target=rule.target,
                points_max=rule.points,
                points=round(earned, 2),
            )
        )
    penalties = [
        PenaltyLine(
            level=level.value,
            label=SUPERVISION_LEVEL_LABELS[level],
            count=supervisions.get(level.value, 0),
            points_each=rules.penalty_for(level.value),
            points=supervisions.get(level.value, 0) * rules.penalty_for(level.value),
        )
        for level in SupervisionLevel
        if rules.penalty_for(level.value) > 0
    ]
    penalty = sum(p.points for p in penalties)
    if rules.max_penalty is not None:
        penalty = min(penalty, rules.max_penalty)
    earned_total = round(sum(m.points for m in metrics), 2)
    return UnitScore(
        unit_code=unit_code,
        unit_name=unit_name,
        parent_name=parent_name,
        metrics=metrics,
        penalties=penalties,
        penalty=penalty,
        earned=earned_total,
        score=round(max(earned_total - penalty, 0.0), 2),
    )


def assessed_units(*, session: Session, parent: Unit, level: AssessedLevel) -> list[Unit]:
    kind = _KIND[level]
    if parent.kind == kind.value:
        return [parent]
    return list(
        session.scalars(
            select(Unit)
            .where(
                Unit.county_code == parent.county_code,
                Unit.kind == kind.value,
                under_path(Unit.path, parent.path),
            )
            .order_by(Unit.code)
        )
    )


def local_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=CHINA_TZ).astimezone(UTC)


def supervision_counts(*, session: Session, units: list[Unit], start: date, end: date) -> dict[str, Counter[str]]:
    """Supervision orders issued on the local days ``start``..``end`` per assessed unit code and level: those whose
    target is the unit or lies under it (a village pressed counts against its town too)."""
    counts: dict[str, Counter[str]] = {u.code: Counter() for u in units}
    if not units:
        return counts
    by_path = {u.path: u.code for u in units}
    lengths = sorted({len(p) for p in by_path})
    rows = session.execute(
        select(Supervision.level, Unit.path)
        .join(Unit, Unit.id == Supervision.target_unit_id)
        .where(
            Supervision.county_code == units[0].county_code,
            Supervision.created_at >= local_midnight(start),
            Supervision.created_at < local_midnight(end + timedelta(days=1)),
        )
    ).all()
    for level, path in rows:
        for n in lengths:
            code = by_path.get(path[:n])
            if code is not None:
                counts[code][level] += 1
                break
    return counts


def assess(
    *,
    session: Session,
    parent: Unit,
    level: AssessedLevel,
    start: date,
    end: date,
    rules: AssessmentRules | None = None,
) -> Assessment:
    """Score every town (or village) under ``parent`` over the local days ``start``..``end``, highest first; equal
    scores share a rank."""
    if parent.kind not in (UnitKind.COUNTY.value, UnitKind.TOWN.value, UnitKind.VILLAGE.value):
        raise InvalidInput("只能考核镇(街道)或村(社区)", code="invalid_assessment_unit")
    if level is AssessedLevel.TOWN and parent.kind == UnitKind.VILLAGE.value:
        raise InvalidInput("村(社区)之下没有镇(街道)可考核", code="invalid_assessment_unit")
    level_rules = (rules or default_rules()).level(level)
    units = assessed_units(session=session, parent=parent, level=level)
    names = list(level_rules.metrics)
    if parent.kind == _KIND[level].value:
        measured = {parent.code: rates.unit_rates(session=session, unit=parent, names=names, start=start, end=end)}
    else:
        measured = rates.rates_by(session=session, unit=parent, by=level.value, names=names, start=start, end=end)
    penalties = supervision_counts(session=session, units=units, start=start, end=end)
    parents = {u.id: u.name for u in session.scalars(select(Unit).where(Unit.id.in_({u.parent_id for u in units})))}
    result = Assessment(
        level=level,
        rules=level_rules,
        parent_code=parent.code,
        parent_name=parent.name,
        start=start,
        end=end,
    )
    for unit in units:
        result.units.append(
            score_unit(
                rules=level_rules,
                unit_rates=measured.get(unit.code, {}),
                supervisions=penalties[unit.code],
                unit_code=unit.code,
                unit_name=unit.name,
                parent_name=parents.get(unit.parent_id or 0, ""),
            )
        )
    rank_units(result.units)
    return result


def rank_units(units: list[UnitScore]) -> None:
    """Sort by score, highest first (then by code, for a stable order); equal scores share a rank (1, 2, 2, 4)."""
    units.sort(key=lambda u: (-u.score, u.unit_code))
    for i, unit in enumerate(units):
        unit.rank = units[i - 1].rank if i and unit.score == units[i - 1].score else i + 1


def choosable_towns(*, session: Session, viewer: Viewer) -> list[Unit]:
    """Towns whose villages the viewer may compare: every town for the county centre, else the towns they cover."""
    towns = session.scalars(
        select(Unit).where(Unit.county_code == viewer.county_code, Unit.kind == UnitKind.TOWN.value).order_by(Unit.code)
    ).all()
    return [t for t in towns if viewer.is_county_wide or viewer.covers_path(t.path)]


def assess_for(
    *, session: Session, viewer: Viewer, start: date, end: date, level: AssessedLevel, town_code: str | None = None
) -> Assessment:
    """The assessment a viewer asks for: the county's towns (the public comparison, 晾晒, open to every post of the
    county), or the villages of one town the viewer covers (the first of them when none is named)."""
    if level is AssessedLevel.TOWN:
        parent = session.scalars(
            select(Unit).where(Unit.county_code == viewer.county_code, Unit.kind == UnitKind.COUNTY.value)
        ).one_or_none()
    else:
        towns = choosable_towns(session=session, viewer=viewer)
        chosen = town_code or (towns[0].code if towns else "")
        parent = next((t for t in towns if t.code == chosen), None)
    if parent is None:
        raise NotFound("未找到可考核的单位或不在您的辖区内", code="unit_not_found")
    return assess(session=session, parent=parent, level=level, start=start, end=end)
