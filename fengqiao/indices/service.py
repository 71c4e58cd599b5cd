"""The indices of a month: computed for every subject of a level (``compute``: measures → pure scoring → ranks),
stored as history (``store``, ``compute_month``), read back for the screens with the viewer's jurisdiction applied
(``ranking``, ``subject_scores``, ``history``). A month that is over and stored is read as stored (what was
published); the current month, or a past month never stored, is computed on demand and not stored."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from fengqiao.accounts.scope import Viewer
from fengqiao.core.clock import CHINA_TZ, utcnow
from fengqiao.core.errors import InvalidInput, NotFound
from fengqiao.indices import measures, scoring
from fengqiao.indices.config import IndexConfig, IndicesConfig, default_config
from fengqiao.indices.models import IndexScore
from fengqiao.indices.sources import LEVEL_LABELS, Level
from fengqiao.jurisdiction.models import Unit
from fengqiao.metrics.live import resolve_scope
from fengqiao.reports import period as periods
from fengqiao.reports.period import Period, PeriodKind

HISTORY_MONTHS = 12


@dataclass
class ScoreRow:
    """One subject's score of a month, computed now or read from the history."""

    index_code: str
    period: str
    level: str
    subject: str
    name: str
    unit_code: str
    unit_name: str
    parent_name: str
    path: str
    staff_id: int | None
    score: float | None
    rank: int | None
    peers: int
    detail: dict[str, Any]
    config_sha256: str
    final: bool
    computed_at: datetime
    stored: bool = False

    @classmethod
    def of(cls, row: IndexScore) -> ScoreRow:
        return cls(
            index_code=row.index_code,
            period=row.period,
            level=row.level,
            subject=row.subject,
            name=row.name,
            unit_code=row.unit_code,
            unit_name=row.unit_name,
            parent_name=row.parent_name,
            path=row.path,
            staff_id=row.staff_id,
            score=row.score,
            rank=row.rank,
            peers=row.peers,
            detail=row.detail,
            config_sha256=row.config_sha256,
            final=row.final,
            computed_at=row.computed_at,
            stored=True,
        )


@dataclass
class LevelScores:
    index_code: str
    index: IndexConfig
    level: Level
    period: Period
    rows: list[ScoreRow] = field(default_factory=list)
    live: bool = True  # computed for this request rather than read from the history

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.level]


# --- periods ---------------------------------------------------------------------------------------------------------


def current_month(now: datetime) -> Period:
    today = now.astimezone(CHINA_TZ).date()
    return periods.month(today.year, today.month)


def parse_month(text: str | None, *, now: datetime) -> Period:
    """``2026-10``; empty: the current month. A month not yet begun is refused."""
    if not text:
        return current_month(now)
    period = periods.parse(PeriodKind.MONTHLY, text)
    if period.first_day > current_month(now).first_day:
        raise InvalidInput(f"{period.label}尚未开始，无法计算指数", code="invalid_period")
    return period


def get_index(code: str, config: IndicesConfig | None = None) -> IndexConfig:
    config = config or default_config()
    index = config.indices.get(code)
    if index is None:
        raise NotFound(f"未知指数“{code}”，可选：{'、'.join(config.indices)}", code="index_not_found")
    return index


def check_level(index: IndexConfig, level: str) -> Level:
    try:
        chosen = Level(level)
    except ValueError:
        chosen = None
    if chosen is None or chosen not in index.levels:
        allowed = "、".join(f"{lv.value}（{LEVEL_LABELS[lv]}）" for lv in index.levels)
        raise InvalidInput(f"{index.label}没有层级“{level}”，可选：{allowed}", code="invalid_index_level")
    return chosen


# --- computing -------------------------------------------------------------------------------------------------------


def compute(
    *,
    session: Session,
    county_code: str,
    index_code: str,
    level: Level | str,
    period: Period,
    now: datetime | None = None,
    config: IndicesConfig | None = None,
) -> LevelScores:
    """Every subject of ``level`` in the county, scored for ``period`` and ranked (highest first)."""
    config = config or default_config()
    index = get_index(index_code, config)
    chosen = check_level(index, str(level))
    now = now or utcnow()
    found = measures.subjects(session, county_code=county_code, level=chosen)
    context = measures.Context(
        session=session,
        county_code=county_code,
        level=chosen,
        subjects=found,
        start=period.start,
        end=period.end,
        first_day=period.first_day,
        last_day=period.last_day,
        as_of=min(now, period.end),
    )
    raws = measures.measure_all(context, index.sources_at(chosen))
    trees = scoring.score_level(index, chosen, raws)
    scores = {key: (None if tree.score is None else round(tree.score, 2)) for key, tree in trees.items()}
    ranks = scoring.rank(scores)
    final = now >= period.end
    rows = [
        ScoreRow(
            index_code=index_code,
            period=period.key,
            level=chosen.value,
            subject=s.key,
            name=s.name,
            unit_code=s.unit_code,
            unit_name=s.unit_name,
            parent_name=s.parent_name,
            path=s.path,
            staff_id=s.staff_id,
            score=scores[s.key],
            rank=ranks[s.key],
            peers=len(found),
            detail=trees[s.key].as_dict(),
            config_sha256=config.sha256,
            final=final,
            computed_at=now,
        )
        for s in found
    ]
    _order(rows)
    return LevelScores(index_code=index_code, index=index, level=chosen, period=period, rows=rows, live=True)


def _order(rows: list[ScoreRow]) -> None:
    rows.sort(key=lambda r: (r.rank is None, r.rank or 0, r.subject))


def store(*, session: Session, county_code: str, result: LevelScores) -> int:
    """Replace the stored scores of that index, level and month with ``result`` (computing again is idempotent)."""
    session.execute(
        delete(IndexScore).where(
            IndexScore.county_code == county_code,
            IndexScore.index_code == result.index_code,
            IndexScore.level == result.level.value,
            IndexScore.period == result.period.key,
        )
    )
    session.add_all(
        IndexScore(
            county_code=county_code,
            index_code=r.index_code,
            period=r.period,
            level=r.level,
            subject=r.subject,
            name=r.name[:64],
            unit_code=r.unit_code,
            unit_name=r.unit_name[:64],
            parent_name=r.parent_name[:64],
            path=r.path,
            staff_id=r.staff_id,
            score=r.score,
            rank=r.rank,
            peers=r.peers,
            detail=r.detail,
            config_sha256=r.config_sha256,
            final=r.final,
            computed_at=r.computed_at,
        )
        for r in result.rows
    )
    session.flush()
    return len(result.rows)


def compute_month(
    *,
    session: Session,
    county_code: str,
    period: Period,
    now: datetime | None = None,
    config: IndicesConfig | None = None,
    indices: list[str] | None = None,
) -> dict[tuple[str, str], int]:
    """Compute and store every index at every level of the county for ``period``: {(index, level): rows}."""
    config = config or default_config()
    now = now or utcnow()
    done: dict[tuple[str, str], int] = {}
    for code in indices or list(config.indices):
        for level in get_index(code, config).levels:
            result = compute(
                session=session,
                county_code=county_code,
                index_code=code,
                level=level,
                period=period,
                now=now,
                config=config,
            )
            done[(code, level.value)] = store(session=session, county_code=county_code, result=result)
    return done


def stored(*, session: Session, county_code: str, index_code: str, level: Level, period: Period) -> list[ScoreRow]:
    rows = session.scalars(
        select(IndexScore).where(
            IndexScore.county_code == county_code,
            IndexScore.index_code == index_code,
            IndexScore.level == level.value,
            IndexScore.period == period.key,
        )
    ).all()
    out = [ScoreRow.of(r) for r in rows]
    _order(out)
    return out


def level_scores(
    *,
    session: Session,
    county_code: str,
    index_code: str,
    level: Level | str,
    period: Period,
    now: datetime | None = None,
) -> LevelScores:
    """A month's scores of a level: as stored once the month is over and stored finally, else computed now."""
    now = now or utcnow()
    index = get_index(index_code)
    chosen = check_level(index, str(level))
    if now >= period.end:
        rows = stored(session=session, county_code=county_code, index_code=index_code, level=chosen, period=period)
        if rows and all(r.final for r in rows):
            return LevelScores(index_code=index_code, index=index, level=chosen, period=period, rows=rows, live=False)
    return compute(
        session=session, county_code=county_code, index_code=index_code, level=chosen, period=period, now=now
    )


# --- what a viewer may see -----------------------------------------------------------------------------------------


def may_see(viewer: Viewer, row: ScoreRow) -> bool:
    """The towns' ranking is the county's public comparison (晾晒): every post of the county sees it; below that,
    and for the drill-down of anything, the viewer's jurisdiction."""
    return viewer.is_county_wide or viewer.covers_path(row.path)


def ranking(
    *,
    session: Session,
    viewer: Viewer,
    index_code: str,
    level: str,
    month: str | None = None,
    within: str | None = None,
    now: datetime | None = None,
) -> tuple[LevelScores, Unit | None]:
    """The ranking of a level as the viewer may see it, optionally only the subjects under the unit ``within``
    (which must be in the viewer's jurisdiction: else 404). Ranks stay those among all peers of the county."""
    now = now or utcnow()
    period = parse_month(month, now=now)
    scope_unit = resolve_scope(session=session, viewer=viewer, code=within).unit if within else None
    result = level_scores(
        session=session, county_code=viewer.county_code, index_code=index_code, level=level, period=period, now=now
    )
    public = result.level is Level.TOWN
    result.rows = [
        r
        for r in result.rows
        if (public or may_see(viewer, r)) and (scope_unit is None or r.path.startswith(scope_unit.path))
    ]
    return result, scope_unit


def subject_scores(
    *,
    session: Session,
    viewer: Viewer,
    index_code: str,
    level: str,
    subject: str,
    month: str | None = None,
    now: datetime | None = None,
) -> tuple[LevelScores, ScoreRow]:
    """One subject's score with its drill-down; 404 when it does not exist or lies outside the jurisdiction."""
    now = now or utcnow()
    period = parse_month(month, now=now)
    missing = NotFound(f"未找到“{subject}”的指数或不在您的辖区内", code="index_subject_not_found")
    index = get_index(index_code)
    chosen = check_level(index, level)
    if chosen is not Level.WORKER:
        resolve_scope(session=session, viewer=viewer, code=subject)  # 404 outside the jurisdiction, before computing
    result = level_scores(
        session=session, county_code=viewer.county_code, index_code=index_code, level=chosen, period=period, now=now
    )
    row = next((r for r in result.rows if r.subject == subject), None)
    if row is None or not may_see(viewer, row):
        raise missing
    return result, row


def history(
    *,
    session: Session,
    viewer: Viewer,
    index_code: str,
    level: str,
    subject: str,
    months: int = HISTORY_MONTHS,
    now: datetime | None = None,
) -> list[ScoreRow]:
    """The subject's stored months (oldest first, at most ``months``) and the current month computed now."""
    now = now or utcnow()
    _, current = subject_scores(
        session=session, viewer=viewer, index_code=index_code, level=level, subject=subject, now=now
    )
    first = current_month(now)
    for _ in range(max(months - 1, 0)):
        first = first.previous()
    rows = session.scalars(
        select(IndexScore)
        .where(
            IndexScore.county_code == viewer.county_code,
            IndexScore.index_code == index_code,
            IndexScore.level == level,
            IndexScore.subject == subject,
            IndexScore.period >= first.key,
            IndexScore.period < current.period,
        )
        .order_by(IndexScore.period)
    ).all()
    return [*(ScoreRow.of(r) for r in rows), current]
