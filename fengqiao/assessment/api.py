"""Route of the assessment (考核): one month's scores of the county's towns, or of a town's villages, with the
breakdown behind every score. Thin: ``fengqiao.assessment.service`` scores and scopes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from fengqiao.accounts.api import ViewerDep
from fengqiao.assessment.rules import AssessedLevel
from fengqiao.assessment.schemas import AssessmentOut, MetricScoreOut, PenaltyOut, UnitScoreOut
from fengqiao.assessment.service import Assessment, assess_for
from fengqiao.core.clock import utcnow
from fengqiao.metrics.schemas import RateOut
from fengqiao.reports import period as periods
from fengqiao.reports.period import PeriodKind
from fengqiao.web.deps import NO_CONTROL_CHARS, SessionDep

router = APIRouter(tags=["考核 / assessment"])


def assessment_out(result: Assessment) -> AssessmentOut:
    return AssessmentOut(
        level=result.level.value,
        level_label=result.rules.label,
        parent_code=result.parent_code,
        parent_name=result.parent_name,
        start=result.start,
        end=result.end,
        max_penalty=result.rules.max_penalty,
        units=[
            UnitScoreOut(
                rank=u.rank,
                unit_code=u.unit_code,
                unit_name=u.unit_name,
                parent_name=u.parent_name,
                score=u.score,
                earned=u.earned,
                penalty=u.penalty,
                penalty_capped=u.penalty_capped,
                metrics=[
                    MetricScoreOut(
                        metric=m.name,
                        label=m.label,
                        rate=RateOut(numerator=m.rate.numerator, denominator=m.rate.denominator, rate=m.value),
                        target=m.target,
                        points_max=m.points_max,
                        points=m.points,
                    )
                    for m in u.metrics
                ],
                penalties=[
                    PenaltyOut(level=p.level, label=p.label, count=p.count, points_each=p.points_each, points=p.points)
                    for p in u.penalties
                ],
            )
            for u in result.units
        ],
    )


@router.get("/assessment", summary="考核得分与排名 / assessment scores of a month")
def assessment(
    viewer: ViewerDep,
    session: SessionDep,
    month: Annotated[
        str | None, Query(max_length=10, pattern=NO_CONTROL_CHARS, description="月份 YYYY-MM；缺省为上一个完整月")
    ] = None,
    level: Annotated[AssessedLevel, Query(description="town 镇(街道)（全县晾晒）/ village 某镇的村(社区)")] = (
        AssessedLevel.TOWN
    ),
    town: Annotated[
        str | None, Query(max_length=24, pattern=NO_CONTROL_CHARS, description="考核村(社区)时的镇(街道)代码")
    ] = None,
) -> AssessmentOut:
    period = periods.parse(PeriodKind.MONTHLY, month or periods.last_complete(PeriodKind.MONTHLY, utcnow()).key)
    result = assess_for(
        session=session, viewer=viewer, start=period.first_day, end=period.last_day, level=level, town_code=town
    )
    return assessment_out(result)
