"""Work screen of the assessment (考核): the towns' (or a town's villages') scores of a month, each with its
breakdown — every metric's value, target and points, every supervision penalty — and the rules behind them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from fengqiao.assessment.rates import label as metric_label
from fengqiao.assessment.rules import AssessedLevel, default_rules
from fengqiao.assessment.service import assess_for, choosable_towns
from fengqiao.core.clock import utcnow
from fengqiao.core.errors import FengqiaoError
from fengqiao.events.kinds import SUPERVISION_LEVEL_LABELS
from fengqiao.reports import period as periods
from fengqiao.reports.period import PeriodKind
from fengqiao.web.deps import SessionDep
from fengqiao.web.work.base import PageViewerDep, WorkRoute, render
from fengqiao.web.work.nav import work_me
from fengqiao.web.work.reports import require_screen

router = APIRouter(prefix="/work", include_in_schema=False, route_class=WorkRoute)
LEVEL_LABELS = {AssessedLevel.TOWN: "镇(街道)", AssessedLevel.VILLAGE: "村(社区)"}


@router.get("/assessment", response_class=HTMLResponse)
def assessment_page(
    request: Request,
    viewer: PageViewerDep,
    session: SessionDep,
    month: Annotated[str, Query(max_length=10)] = "",
    level: Annotated[AssessedLevel, Query()] = AssessedLevel.TOWN,
    town: Annotated[str, Query(max_length=24)] = "",
) -> HTMLResponse:
    require_screen(viewer, "assessment")
    towns = choosable_towns(session=session, viewer=viewer)
    month = month or periods.last_complete(PeriodKind.MONTHLY, utcnow()).key
    if level is AssessedLevel.VILLAGE:
        town = town or (towns[0].code if towns else "")
    error: str | None = None
    result = None
    try:
        period = periods.parse(PeriodKind.MONTHLY, month)
        result = assess_for(
            session=session, viewer=viewer, start=period.first_day, end=period.last_day, level=level, town_code=town
        )
    except FengqiaoError as exc:
        error = exc.message
    rules = default_rules().level(level)
    context = {
        "me": work_me(viewer),
        "nav": "assessment",
        "month": month,
        "level": level.value,
        "levels": [(lv.value, text) for lv, text in LEVEL_LABELS.items()],
        "town": town,
        "towns": towns,
        "result": result,
        "rules": rules,
        "metric_label": metric_label,
        "penalty_labels": {s.value: text for s, text in SUPERVISION_LEVEL_LABELS.items()},
        "error": error,
    }
    return render(request, "work/assessment.html", context, status_code=422 if error else 200)
