"""Work screens of the indices (治理指数): a level's ranking (晾晒) with a bar chart, and one unit's (or grid
worker's) drill-down to every indicator's numbers, with its monthly trend. Thin: ``fengqiao.indices.service``
computes and applies the viewer's jurisdiction."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse

from fengqiao.accounts.scope import Viewer
from fengqiao.core.clock import utcnow
from fengqiao.core.errors import FengqiaoError
from fengqiao.indices import service
from fengqiao.indices.config import default_config
from fengqiao.indices.sources import LEVEL_LABELS, SOURCES, Level
from fengqiao.web.deps import SessionDep
from fengqiao.web.work.base import PageViewerDep, WorkRoute, render
from fengqiao.web.work.nav import work_me
from fengqiao.web.work.reports import require_screen

router = APIRouter(prefix="/work", include_in_schema=False, route_class=WorkRoute)
CHART_ROWS = 30
_METHODS = {"linear": "线性", "minmax": "极差", "threshold": "阈值"}
_UNITS = {"rate": "%", "per_100": "/百件", "per_worker": "/人", "count": "", "ratio": ""}


def _default_level(viewer: Viewer, levels: tuple[Level, ...]) -> Level:
    """The widest level the viewer can compare across: towns for the county centre, their children otherwise."""
    if viewer.is_county_wide or Level.TOWN not in levels:
        return Level.TOWN if Level.TOWN in levels else levels[0]
    depth = min((len([c for c in p.split("/") if c]) for p in viewer.territorial_paths), default=4)
    by_depth = {2: Level.VILLAGE, 3: Level.GRID, 4: Level.GRID}
    wanted = by_depth.get(depth, Level.TOWN)
    return wanted if wanted in levels else levels[-1]


def fmt_raw(value: float | None, source: str | None) -> str:
    if value is None:
        return "—"
    unit = SOURCES[source].unit if source in SOURCES else ""
    if unit == "rate":
        return f"{value * 100:.1f}%"
    return f"{value:.2f}".rstrip("0").rstrip(".") + _UNITS.get(unit, "")


def _flatten(node: dict[str, Any], depth: int = 0) -> list[dict[str, Any]]:
    out = [{**node, "depth": depth}] if depth else []
    for child in node.get("children", []):
        out.extend(_flatten(child, depth + 1))
    return out


def _index_choices() -> list[tuple[str, str]]:
    return [(code, index.label) for code, index in default_config().indices.items()]


@router.get("/indices", response_class=HTMLResponse)
def indices_page(
    request: Request,
    viewer: PageViewerDep,
    session: SessionDep,
    index: Annotated[str, Query(max_length=32)] = "governance",
    level: Annotated[str, Query(max_length=10)] = "",
    month: Annotated[str, Query(max_length=10)] = "",
    within: Annotated[str, Query(max_length=24)] = "",
) -> HTMLResponse:
    require_screen(viewer, "indices")
    now = utcnow()
    error: str | None = None
    result = None
    chosen = service.get_index(index) if index in default_config().indices else None
    if chosen is None:
        index = "governance"
        chosen = service.get_index(index)
    level = level or _default_level(viewer, chosen.levels).value
    try:
        result, _ = service.ranking(
            session=session,
            viewer=viewer,
            index_code=index,
            level=level,
            month=month or None,
            within=within or None,
            now=now,
        )
    except FengqiaoError as exc:
        error = exc.message
    rows = result.rows if result else []
    chart = {
        "names": [r.name for r in rows[:CHART_ROWS]],
        "scores": [r.score for r in rows[:CHART_ROWS]],
    }
    context = {
        "me": work_me(viewer),
        "nav": "indices",
        "indices": _index_choices(),
        "index": index,
        "config": chosen,
        "levels": [(lv.value, LEVEL_LABELS[lv]) for lv in chosen.levels],
        "level": level,
        "month": month or service.current_month(now).key,
        "within": within,
        "result": result,
        "rows": rows,
        "dimensions": [n.label for n in chosen.nodes.values()],
        "chart": chart,
        "error": error,
    }
    return render(request, "work/indices.html", context, status_code=422 if error else 200)


@router.get("/indices/{index}/{level}/{subject}", response_class=HTMLResponse)
def index_detail_page(
    request: Request,
    viewer: PageViewerDep,
    session: SessionDep,
    index: Annotated[str, Path(max_length=32, pattern=r"^[a-z_]+$")],
    level: Annotated[str, Path(max_length=10, pattern=r"^[a-z]+$")],
    subject: Annotated[str, Path(max_length=24, pattern=r"^[0-9A-Za-z]+$")],
    month: Annotated[str, Query(max_length=10)] = "",
) -> HTMLResponse:
    require_screen(viewer, "indices")
    now = utcnow()
    result, row = service.subject_scores(
        session=session, viewer=viewer, index_code=index, level=level, subject=subject, month=month or None, now=now
    )
    trend = service.history(session=session, viewer=viewer, index_code=index, level=level, subject=subject, now=now)
    dims = [c["label"] for c in row.detail.get("children", [])]
    chart = {
        "months": [r.period for r in trend],
        "series": [{"name": result.index.label, "data": [r.score for r in trend]}]
        + [
            {
                "name": label,
                "data": [
                    next((c["score"] for c in r.detail.get("children", []) if c["label"] == label), None) for r in trend
                ],
            }
            for label in dims
        ],
    }
    context = {
        "me": work_me(viewer),
        "nav": "indices",
        "result": result,
        "row": row,
        "nodes": _flatten(row.detail),
        "trend": trend,
        "chart": chart,
        "level_label": LEVEL_LABELS[Level(row.level)],
        "fmt_raw": fmt_raw,
        "methods": _METHODS,
        "index": index,
        "month": result.period.key,
    }
    return render(request, "work/indices_detail.html", context)
