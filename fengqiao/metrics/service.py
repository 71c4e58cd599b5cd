"""The metrics of a unit over a period, broken down as asked — read from the rollups (county, town and village rows)
or, below villages, from the facts; plus the difference of events changed since the worker last folded them in.

The caller checks the viewer may see the unit (``live.resolve_scope(...).unit``): these functions trust ``unit``.

``compute(session=, unit=, metric=, start=, end=, by=)`` → one ``MetricRow`` per group: numerator, denominator and
value of the metric, with ``group`` naming the unit (code; None for events placed above that level, "本级"),
the attribute value (None: not classified / no level) and the period ("2026-03-10", week's Monday, "2026-03").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Integer, String, cast, func, literal, select
from sqlalchemy.orm import Session

from fengqiao.core.errors import InvalidInput, NotFound
from fengqiao.jurisdiction.models import Unit
from fengqiao.jurisdiction.paths import under_path
from fengqiao.metrics import rollups
from fengqiao.metrics.definitions import DIMENSIONS, METRICS, NONE, Fact, Metric
from fengqiao.metrics.models import COUNTERS, MetricFact, MetricRollup

UNIT_DEPTHS: dict[str, int] = {"town": 1, "village": 2, "grid": 3}
GRAINS: tuple[str, ...] = ("day", "week", "month")
BY_TOKENS: tuple[str, ...] = ("unit", *UNIT_DEPTHS, *DIMENSIONS, *GRAINS)
MAX_DAYS = 3 * 366
SELF = ""  # the unit key of events placed above the level grouped by (the "本级" row)
_TOTAL_DIMENSION = "level"  # any dimension sums to the totals; this one has the fewest values

GroupKey = tuple[str | None, str | None, str | None]  # unit code, attribute value, period


@dataclass(frozen=True)
class Breakdown:
    unit_depth: int | None = None
    dimension: str | None = None
    grain: str | None = None
    unit_token: str | None = None


@dataclass(frozen=True)
class MetricRow:
    group: dict[str, str | None]
    numerator: int
    denominator: int | None
    value: float | None


def depth_of(unit: Unit) -> int:
    return len([c for c in unit.path.split("/") if c]) - 1


def get_metric(code: str) -> Metric:
    metric = METRICS.get(code)
    if metric is None:
        raise NotFound(f"未知指标“{code}”", code="metric_not_found")
    return metric


def parse_by(by: Sequence[str], *, unit: Unit) -> Breakdown:
    """``by``: at most one unit level (``unit`` = the unit's children, or town/village/grid), one attribute
    (category/channel/level) and one period (day/week/month)."""
    unit_depth = dimension = grain = unit_token = None
    for token in by:
        if token not in BY_TOKENS:
            raise InvalidInput(f"不支持的分组“{token}”，可选：{'、'.join(BY_TOKENS)}", code="invalid_breakdown")
        if token == "unit" or token in UNIT_DEPTHS:
            if unit_depth is not None:
                raise InvalidInput("只能按一个单位层级分组", code="invalid_breakdown")
            unit_depth = depth_of(unit) + 1 if token == "unit" else UNIT_DEPTHS[token]
            unit_token = token
            if unit_depth <= depth_of(unit) or unit_depth > 3:
                raise InvalidInput("分组的单位层级应在所选单位之下", code="invalid_breakdown")
        elif token in DIMENSIONS:
            if dimension is not None:
                raise InvalidInput("类别、渠道、层级只能选一项分组", code="invalid_breakdown")
            dimension = token
        else:
            if grain is not None:
                raise InvalidInput("只能按一种时间粒度分组", code="invalid_breakdown")
            grain = token
    return Breakdown(unit_depth=unit_depth, dimension=dimension, grain=grain, unit_token=unit_token)


def check_period(start: date, end: date) -> None:
    if start > end:
        raise InvalidInput("起始日期不能晚于截止日期", code="invalid_period")
    if (end - start).days >= MAX_DAYS:
        raise InvalidInput(f"统计期间最长 {MAX_DAYS} 天", code="invalid_period")


# --- periods -------------------------------------------------------------------------------------------------------


def period_of(day: date, grain: str) -> str:
    if grain == "week":
        return (day - timedelta(days=day.weekday())).isoformat()
    if grain == "month":
        return day.strftime("%Y-%m")
    return day.isoformat()


def _period_column(column: Any, grain: str, dialect: str) -> ColumnElement[Any]:
    """The SQL twin of ``period_of`` (day: the date itself, turned into text in Python)."""
    if grain == "day":
        return column
    if dialect == "postgresql":
        if grain == "month":
            return func.to_char(column, "YYYY-MM")
        return func.to_char(func.date_trunc("week", column), "YYYY-MM-DD")
    if grain == "month":
        return func.strftime("%Y-%m", column)
    back = (cast(func.strftime("%w", column), Integer) + 6) % 7
    return func.date(column, literal("-").concat(cast(back, String)).concat(" days"))


def _period_text(value: Any, grain: str | None) -> str | None:
    if grain is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


# --- the sums ------------------------------------------------------------------------------------------------------


def counters(
    *,
    session: Session,
    unit: Unit,
    start: date,
    end: date,
    breakdown: Breakdown = Breakdown(),
    names: Sequence[str] = COUNTERS,
    include_pending: bool = True,
) -> dict[GroupKey, list[int]]:
    """The counters ``names`` (default: all, in ``COUNTERS`` order) per group, over the days ``start``..``end``
    (China local dates). Ask only for those you need: each is one more SUM over the rows read."""
    check_period(start, end)
    unknown = set(names) - set(COUNTERS)
    if unknown:
        raise InvalidInput(f"未知计数：{'、'.join(sorted(unknown))}", code="invalid_counter")
    depth = depth_of(unit)
    if depth < rollups.ROLLUP_DEPTHS and (breakdown.unit_depth or 0) < rollups.ROLLUP_DEPTHS:
        out = _from_rollups(session, unit, start, end, breakdown, names)
    else:
        out = _from_facts(session, unit, start, end, breakdown, names)
    if include_pending:
        _add_pending(session, unit, start, end, breakdown, names, out)
    return {k: v for k, v in out.items() if any(v)}


def _add(out: dict[GroupKey, list[int]], key: GroupKey, vector: Sequence[int], sign: int = 1) -> None:
    row = out.get(key)
    if row is None:
        out[key] = [sign * v for v in vector]
    else:
        for i, v in enumerate(vector):
            row[i] += sign * v


def _code(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1]


def _from_rollups(
    session: Session, unit: Unit, start: date, end: date, breakdown: Breakdown, names: Sequence[str]
) -> dict[GroupKey, list[int]]:
    columns = _group_columns(session, MetricRollup.value, MetricRollup.day, breakdown)
    sums = [func.sum(getattr(MetricRollup, name)) for name in names]
    base = [
        MetricRollup.county_code == unit.county_code,
        MetricRollup.dimension == (breakdown.dimension or _TOTAL_DIMENSION),
        MetricRollup.day >= start,
        MetricRollup.day <= end,
    ]
    n = len(columns)
    out: dict[GroupKey, list[int]] = {}
    self_key = SELF if breakdown.unit_depth else None
    totals = session.execute(select(*columns, *sums).where(*base, MetricRollup.path == unit.path).group_by(*columns))
    for row in totals:
        v, p, vector = _split(row, n, breakdown)
        out[(self_key, v, p)] = vector
    if breakdown.unit_depth is None:
        return out
    if breakdown.unit_depth == depth_of(unit) + 1:
        where = MetricRollup.parent_path == unit.path
    else:
        where = (MetricRollup.depth == breakdown.unit_depth) & under_path(MetricRollup.path, unit.path)
    # Grouped in the primary key's order (… parent, day, path, value): by day, rows come sorted and no sort is needed.
    period_column = [columns[-1]] if breakdown.grain else []
    value_column = [columns[0]] if breakdown.dimension else []
    order = [*period_column, MetricRollup.path, *value_column]
    codes: dict[str, str] = {}
    width = len(names)
    # The hot loop of big breakdowns (a year by day): one pass, no helper calls per row.
    for path, *rest in session.execute(select(MetricRollup.path, *columns, *sums).where(*base, where).group_by(*order)):
        v = rest[0] if breakdown.dimension else None
        p = _period_text(rest[n - 1], breakdown.grain) if breakdown.grain else None
        vector = [int(x or 0) for x in rest[n:]]
        code = codes.get(path)
        if code is None:
            code = codes[path] = _code(path)
        out[(code, v, p)] = vector
        rest_of_total = out.get((SELF, v, p))  # what is left of the total: the 本级 row
        if rest_of_total is None:
            out[(SELF, v, p)] = [-x for x in vector]
        else:
            for i in range(width):
                rest_of_total[i] -= vector[i]
    return out


def _group_columns(session: Session, value: Any, day: Any, breakdown: Breakdown) -> list[Any]:
    columns: list[Any] = []
    if breakdown.dimension:
        columns.append(value)
    if breakdown.grain:
        columns.append(_period_column(day, breakdown.grain, session.get_bind().dialect.name))
    return columns


def _split(row: Sequence[Any], n: int, breakdown: Breakdown) -> tuple[str | None, str | None, list[int]]:
    head = list(row[:n])
    v = head.pop(0) if breakdown.dimension else None
    p = _period_text(head.pop(0), breakdown.grain) if breakdown.grain else None
    return v, p, [int(x or 0) for x in row[n:]]


def _from_facts(
    session: Session, unit: Unit, start: date, end: date, breakdown: Breakdown, names: Sequence[str]
) -> dict[GroupKey, list[int]]:
    dimension = getattr(MetricFact, breakdown.dimension) if breakdown.dimension else None
    columns = _group_columns(session, dimension, MetricFact.day, breakdown)
    if breakdown.unit_depth is not None:
        columns.insert(0, MetricFact.path)
    out: dict[GroupKey, list[int]] = {}
    for row in session.execute(
        select(*columns, *rollups.fact_sums(names))
        .where(
            MetricFact.county_code == unit.county_code,
            under_path(MetricFact.path, unit.path),
            MetricFact.day >= start,
            MetricFact.day <= end,
        )
        .group_by(*columns)
    ):
        if breakdown.unit_depth is not None:
            path, rest = row[0], row[1:]
        else:
            path, rest = None, row
        n = len(columns) - (1 if breakdown.unit_depth is not None else 0)
        v, p, vector = _split(rest, n, breakdown)
        _add(out, (_unit_key(path, breakdown), v, p), vector)
    return out


def _unit_key(path: str | None, breakdown: Breakdown) -> str | None:
    if breakdown.unit_depth is None or path is None:
        return None
    for depth, _, ancestor in rollups.ancestors(path, depths=breakdown.unit_depth + 1):
        if depth == breakdown.unit_depth:
            return _code(ancestor)
    return SELF


def _add_pending(
    session: Session,
    unit: Unit,
    start: date,
    end: date,
    breakdown: Breakdown,
    names: Sequence[str],
    out: dict[GroupKey, list[int]],
) -> None:
    positions = [COUNTERS.index(name) for name in names]
    for sign, fact in rollups.pending(session, county_code=unit.county_code).signed:
        if not (start <= fact.day <= end and fact.path.startswith(unit.path)):
            continue
        vector = fact.vector()
        _add(out, _fact_key(fact, breakdown), [vector[i] for i in positions], sign)


def _fact_key(fact: Fact, breakdown: Breakdown) -> GroupKey:
    return (
        _unit_key(fact.path, breakdown),
        fact.attribute(breakdown.dimension) if breakdown.dimension else None,
        period_of(fact.day, breakdown.grain) if breakdown.grain else None,
    )


# --- the metric ---------------------------------------------------------------------------------------------------


def compute(
    *, session: Session, unit: Unit, metric: str, start: date, end: date, by: Sequence[str] = ()
) -> list[MetricRow]:
    """One metric of ``unit`` over ``start``..``end`` (China local dates, both included), per group of ``by``."""
    definition = get_metric(metric)
    breakdown = parse_by(by, unit=unit)
    names = [definition.numerator] + ([definition.denominator] if definition.denominator else [])
    sums = counters(session=session, unit=unit, start=start, end=end, breakdown=breakdown, names=names)
    if not sums and not by:
        sums = {(None, None, None): [0] * len(names)}
    numerator = 0
    denominator = 1 if definition.denominator else None
    rows = []
    for _, key in sorted((_sort_key(k), k) for k in sums):
        vector = sums[key]
        d = vector[denominator] if denominator is not None else None
        rows.append(
            MetricRow(
                group=_group(key, breakdown),
                numerator=vector[numerator],
                denominator=d,
                value=definition.value(vector[numerator], d),
            )
        )
    return rows


def _group(key: GroupKey, breakdown: Breakdown) -> dict[str, str | None]:
    unit, value, period = key
    group: dict[str, str | None] = {}
    if breakdown.unit_token:
        group[breakdown.unit_token] = unit or None
    if breakdown.dimension:
        group[breakdown.dimension] = None if value == NONE else value
    if breakdown.grain:
        group[breakdown.grain] = period
    return group


def _sort_key(key: GroupKey) -> tuple[str, str, str]:
    # 本级 and "not classified" after the named groups; periods in order.
    unit, value, period = key
    return (period or "~", unit or "~", "~" if value in (None, NONE) else value)
