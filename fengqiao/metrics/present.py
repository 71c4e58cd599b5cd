"""The cockpit's figures as API output: labels in Chinese, sensitive titles masked, every channel and level listed."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from fengqiao.accounts.masking import SENSITIVE_PLACEHOLDER
from fengqiao.events.kinds import (
    CHANNEL_LABELS,
    EVENT_STATUS_LABELS,
    HANDLING_LEVEL_LABELS,
    LEVEL_ORDER,
    RISK_LEVEL_LABELS,
    SUPERVISION_LEVEL_LABELS,
    Channel,
    EventStatus,
    HandlingLevel,
    RiskLevel,
    SupervisionLevel,
)
from fengqiao.events.models import Event
from fengqiao.jurisdiction.kinds import UNIT_KIND_LABELS, UnitKind
from fengqiao.jurisdiction.models import Unit
from fengqiao.metrics.definitions import Metric
from fengqiao.metrics.live import SELF, Cockpit, Point, Rate
from fengqiao.metrics.schemas import (
    ChildOut,
    CockpitOut,
    CountOut,
    HeatOut,
    KpisOut,
    MetricDefinitionOut,
    MetricResultOut,
    MetricRowOut,
    PointOut,
    RateOut,
    RiskEventOut,
    UnitRef,
)
from fengqiao.metrics.service import MetricRow

SELF_LABEL = "本级"
UNCLASSIFIED_LABEL = "未分类"
NOT_DISPATCHED_LABEL = "未派单"


def unit_ref(unit: Unit) -> UnitRef:
    return UnitRef(code=unit.code, name=unit.name, kind=unit.kind, kind_label=UNIT_KIND_LABELS[UnitKind(unit.kind)])


def category_name(code: str | None) -> str:
    if code is None:
        return UNCLASSIFIED_LABEL
    from fengqiao.triage.taxonomy import TaxonomyError, default_taxonomy

    try:
        return default_taxonomy().category(code).name
    except (KeyError, TaxonomyError):
        return code


def _rate(rate: Rate) -> RateOut:
    return RateOut(numerator=rate.numerator, denominator=rate.denominator, rate=rate.value)


def _title(event: Event | Point) -> str:
    return SENSITIVE_PLACEHOLDER if event.is_sensitive else event.title


def _late(event: Event | Point, now: datetime) -> bool:
    """The same overdue test as the counts (``live.open_events``)."""
    return event.is_overdue or (event.step_deadline is not None and event.step_deadline <= now)


def _unit_names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    wanted = set(ids)
    if not wanted:
        return {}
    return {row.id: row.name for row in session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(wanted)))}


def cockpit_out(*, session: Session, data: Cockpit) -> CockpitOut:
    scope = data.scope
    children = [ChildOut(code=c.code, name=c.name, kind=c.kind, **vars(data.children[c.code])) for c in scope.children]
    own = data.children[SELF]
    if any(vars(own).values()) or not scope.children:
        children.append(ChildOut(code=None, name=SELF_LABEL, kind=None, **vars(own)))

    # Heat: categories by total, columns in the children's order (with 本级 last when it has any).
    totals: dict[str | None, int] = {}
    for (category, _), n in data.heat.items():
        totals[category] = totals.get(category, 0) + n
    categories = sorted(totals, key=lambda c: (-totals[c], c or "~"))
    columns: list[tuple[str, UnitRef]] = [(c.code, unit_ref(c)) for c in scope.children]
    if any(child == SELF for _, child in data.heat) or not scope.children:
        columns.append((SELF, UnitRef(code="", name=SELF_LABEL, kind="", kind_label="")))
    column_index = {key: i for i, (key, _) in enumerate(columns)}
    category_index = {c: i for i, c in enumerate(categories)}
    cells = [
        (column_index[child], category_index[category], n)
        for (category, child), n in sorted(data.heat.items(), key=lambda kv: (kv[0][0] or "~", kv[0][1]))
        if n
    ]

    names = _unit_names(session, (e.location_unit_id for e in data.top_risks))
    return CockpitOut(
        unit=unit_ref(scope.unit),
        breadcrumb=[unit_ref(u) for u in scope.breadcrumb],
        version=data.version,
        generated_at=data.now,
        window_days=data.window_days,
        kpis=KpisOut(
            open=data.open,
            overdue=data.overdue,
            today=data.today,
            high_risk=data.risk.get(RiskLevel.HIGH.value, 0),
            resolution=_rate(data.resolution),
            satisfaction=_rate(data.satisfaction),
        ),
        intake_today=[
            CountOut(value=c.value, label=CHANNEL_LABELS[c], count=data.intake.get(c.value, 0)) for c in Channel
        ]
        + [CountOut(value=v, label=v, count=n) for v, n in data.intake.items() if v not in set(Channel)],
        risk=[CountOut(value=r, label=RISK_LEVEL_LABELS[RiskLevel(r)] + "风险", count=n) for r, n in data.risk.items()],
        levels=[
            CountOut(value=level.value, label=HANDLING_LEVEL_LABELS[level], count=data.levels.get(level.value, 0))
            for level in LEVEL_ORDER
        ]
        + [CountOut(value=None, label=NOT_DISPATCHED_LABEL, count=data.levels.get(None, 0))],
        heat=HeatOut(
            categories=[CountOut(value=c, label=category_name(c), count=totals[c]) for c in categories],
            units=[ref for _, ref in columns],
            cells=cells,
        ),
        children=children,
        points=[
            PointOut(
                id=e.id,
                lon=e.lon,
                lat=e.lat,
                risk_level=e.risk_level,
                title=_title(e),
                category=category_name(e.category),
                status=EVENT_STATUS_LABELS[EventStatus(e.status)],
                is_overdue=_late(e, data.now),
            )
            for e in data.points
        ],
        top_risks=[
            RiskEventOut(
                id=e.id,
                title=_title(e),
                category=category_name(e.category),
                unit_name=names.get(e.location_unit_id, ""),
                status=EVENT_STATUS_LABELS[EventStatus(e.status)],
                registered_at=e.registered_at,
                is_overdue=_late(e, data.now),
                supervision=SUPERVISION_LEVEL_LABELS[SupervisionLevel(e.supervision_level)]
                if e.supervision_level
                else None,
            )
            for e in data.top_risks
        ],
    )


# --- metrics by definition -------------------------------------------------------------------------------------------

TIME_BASIS = {
    "satisfaction_rate": "回访日期在期间内",
}
DEFAULT_TIME_BASIS = "受理日期在期间内（北京时间），按事件当前状态计"


def definition_out(metric: Metric) -> MetricDefinitionOut:
    return MetricDefinitionOut(
        code=metric.code,
        name=metric.name,
        unit=metric.unit,
        numerator=metric.numerator,
        denominator=metric.denominator,
        definition=metric.definition,
        time_basis=TIME_BASIS.get(metric.code, DEFAULT_TIME_BASIS),
    )


def _label(key: str, value: str | None, names: dict[str, str]) -> str:
    if key in ("unit", "town", "village", "grid"):
        return names.get(value, value) if value else SELF_LABEL
    if key == "category":
        return category_name(value)
    if key == "channel":
        return CHANNEL_LABELS.get(Channel(value), value) if value in set(Channel) else (value or "")
    if key == "level":
        if value in set(HandlingLevel):
            return HANDLING_LEVEL_LABELS[HandlingLevel(value)]
        return value or "未知"
    return value or ""


def metric_result_out(
    *, session: Session, unit: Unit, metric: Metric, start: date, end: date, by: list[str], rows: list[MetricRow]
) -> MetricResultOut:
    codes = {v for r in rows for k, v in r.group.items() if k in ("unit", "town", "village", "grid") and v}
    names = (
        {row.code: row.name for row in session.execute(select(Unit.code, Unit.name).where(Unit.code.in_(codes)))}
        if codes
        else {}
    )
    return MetricResultOut(
        metric=definition_out(metric),
        unit=unit_ref(unit),
        start=start,
        end=end,
        by=by,
        rows=[
            MetricRowOut(
                group=r.group,
                labels={k: _label(k, v, names) for k, v in r.group.items()},
                numerator=r.numerator,
                denominator=r.denominator,
                value=r.value,
            )
            for r in rows
        ],
    )
