"""Work screen of the assessment (考核): the towns' (or a town's villages') scores of a month, each with its
breakdown — every metric's value, target and points, every supervision penalty — and the rules behind them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from fengqiao.accounts.scope import Viewer
from fengqiao.assessment.rates import label as metric_label
from fengqiao.assessment.rules import AssessedLevel, default_rules
from fengqiao.assessment.service import assess
from fengqiao.core.clock import utcnow
from fengqiao.core.errors import FengqiaoError, NotFound
from fengqiao.events.kinds import SUPERVISION_LEVEL_LABELS
from fengqiao.jurisdiction.kinds import UnitKind
from fengqiao.jurisdiction.models import Unit
from fengqiao.reports import period as periods
from fengqiao.reports.period import PeriodKind
from fengqiao.web.deps import SessionDep
from fengqiao.web.work.base import PageViewerDep, WorkRoute, render
from fengqiao.web.work.nav import work_me
from fengqiao.web.work.reports import require_screen

router = APIRouter(prefix="/work", include_in_schema=False, route_class=WorkRoute)
LEVEL_LABELS = {AssessedLevel.TOWN: "镇(街道)", AssessedLevel.VILLAGE: "村(社区)"}


def choosable_towns(*, session: Session, viewer: Viewer) -> list[Unit]:
    """Towns whose villages the viewer may compare: every town for the county centre, else the towns they cover."""
    towns = session.scalars(
        select(Unit).where(Unit.county_code == viewer.county_code, Unit.kind == UnitKind.TOWN.value).order_by(Unit.code)
    ).all()
    return [t for t in towns if viewer.is_county_wide or viewer.covers_path(t.path)]


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
    error: str | None = None
    result = None
    try:
        period = periods.parse(PeriodKind.MONTHLY, month)
        if level is AssessedLevel.TOWN:
            # The towns' ranking is the county's public comparison (晾晒): every post of the county may see it.
            parent = session.scalars(
                select(Unit).where(Unit.county_code == viewer.county_code, Unit.kind == UnitKind.COUNTY.value)
            ).one_or_none()
        else:
            chosen = town or (towns[0].code if towns else "")
            parent = next((t for t in towns if t.code == chosen), None)
            town = chosen
        if parent is None:
            raise NotFound("未找到可考核的单位或不在您的辖区内", code="unit_not_found")
        result = assess(session=session, parent=parent, level=level, start=period.first_day, end=period.last_day)
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
