"""The rates the assessment and the bulletins use, read from ``fengqiao.metrics`` (the one implementation of every
metric): one ``counters`` read per breakdown gives every metric of every unit at once; this module only picks
numerator and denominator by the metric's definition."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy.orm import Session

from fengqiao.jurisdiction.models import Unit
from fengqiao.metrics import service as metrics
from fengqiao.metrics.definitions import METRICS
from fengqiao.metrics.live import Rate
from fengqiao.metrics.models import COUNTERS

SELF = metrics.SELF


def label(name: str) -> str:
    metric = METRICS.get(name)
    return metric.name if metric else name


def _rates(vector: Sequence[int], names: Sequence[str]) -> dict[str, Rate]:
    out: dict[str, Rate] = {}
    for name in names:
        metric = metrics.get_metric(name)
        numerator = vector[COUNTERS.index(metric.numerator)]
        denominator = vector[COUNTERS.index(metric.denominator)] if metric.denominator else 0
        out[name] = Rate(numerator=numerator, denominator=denominator)
    return out


def unit_rates(*, session: Session, unit: Unit, names: Sequence[str], start: date, end: date) -> dict[str, Rate]:
    """The metrics of ``unit``'s whole territory over the local days ``start``..``end`` (both included)."""
    sums = metrics.counters(session=session, unit=unit, start=start, end=end)
    vector = next(iter(sums.values()), [0] * len(COUNTERS))
    return _rates(vector, names)


def rates_by(
    *, session: Session, unit: Unit, by: str, names: Sequence[str], start: date, end: date
) -> dict[str, dict[str, Rate]]:
    """``{unit code: {metric: Rate}}`` for the units under ``unit`` at the level ``by`` ("unit" = the children,
    or "town"/"village"/"grid"); ``SELF`` keys the events placed above that level."""
    breakdown = metrics.parse_by([by], unit=unit)
    sums = metrics.counters(session=session, unit=unit, start=start, end=end, breakdown=breakdown)
    return {code or SELF: _rates(vector, names) for (code, _, _), vector in sums.items()}


def closed_by_level(*, session: Session, unit: Unit, start: date, end: date) -> dict[str, int]:
    """Events registered on ``start``..``end`` and closed by now, by the level they were handled at (grid, village,
    town, county; the metrics' ``handling_level``) — the split behind the local resolution rate."""
    breakdown = metrics.parse_by(["level"], unit=unit)
    sums = metrics.counters(session=session, unit=unit, start=start, end=end, breakdown=breakdown)
    closed = COUNTERS.index("closed")
    out: dict[str, int] = {}
    for (_, level, _), vector in sums.items():
        if level is not None and vector[closed]:
            out[level] = out.get(level, 0) + vector[closed]
    return out
