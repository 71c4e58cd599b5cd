"""Routes of metrics: the cockpit's figures of one unit, a cheap version tag to poll, and each metric by definition
(``GET /metrics`` lists them; ``GET /metrics/{metric}`` computes one for a unit, a period and a breakdown)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response

from fengqiao.accounts.api import ViewerDep
from fengqiao.core.clock import utcnow
from fengqiao.metrics import live, present, service
from fengqiao.metrics.definitions import METRICS, local_day
from fengqiao.metrics.schemas import CockpitOut, MetricDefinitionOut, MetricResultOut, VersionOut
from fengqiao.web.deps import NO_CONTROL_CHARS, SessionDep

router = APIRouter(tags=["指标 / metrics"])
UnitQuery = Annotated[
    str | None,
    Query(max_length=24, pattern=NO_CONTROL_CHARS, description="单位代码（县、镇街、村社、网格）；缺省为本人辖区"),
]


_NO_STORE = {"Cache-Control": "private, no-cache"}


def _etag(version: str) -> str:
    return f'"{version}"'


@router.get(
    "/metrics/cockpit",
    response_model=CockpitOut,
    summary="指挥大屏数据 / cockpit figures of a unit",
    responses={304: {"description": "数据未变（请求带 If-None-Match）"}},
)
def cockpit(request: Request, viewer: ViewerDep, session: SessionDep, unit: UnitQuery = None) -> Any:
    code = unit or live.default_unit_code(session=session, viewer=viewer)
    scope = live.resolve_scope(session=session, viewer=viewer, code=code)
    # Polling screens send back the tag they hold: when nothing changed, two small aggregates answer instead of all.
    held = request.headers.get("if-none-match")
    if held and held == _etag(live.data_version(session=session, scope=scope)):
        return Response(status_code=304, headers={"ETag": held, **_NO_STORE})
    data = live.cockpit(session=session, scope=scope)
    out = present.cockpit_out(session=session, data=data)
    # Already a validated model: serialised once here rather than validated again against the response model.
    return Response(
        content=out.model_dump_json(),
        media_type="application/json",
        headers={"ETag": _etag(data.version), **_NO_STORE},
    )


@router.get("/metrics/cockpit/version", summary="指挥大屏数据版本 / version tag for polling")
def cockpit_version(viewer: ViewerDep, session: SessionDep, unit: UnitQuery = None) -> VersionOut:
    code = unit or live.default_unit_code(session=session, viewer=viewer)
    scope = live.resolve_scope(session=session, viewer=viewer, code=code)
    return VersionOut(unit=scope.unit.code, version=live.data_version(session=session, scope=scope))


@router.get("/metrics", summary="指标定义 / metric definitions")
def metric_definitions(viewer: ViewerDep) -> list[MetricDefinitionOut]:
    return [present.definition_out(m) for m in METRICS.values()]


# Registered after the cockpit routes, which it would otherwise swallow.
@router.get("/metrics/{metric}", summary="指标数据 / one metric of a unit, grouped")
def metric_values(
    metric: Annotated[str, Path(max_length=40, pattern=r"^[a-z_]+$", description="指标代码，见 GET /metrics")],
    viewer: ViewerDep,
    session: SessionDep,
    unit: UnitQuery = None,
    start: Annotated[date | None, Query(alias="from", description="起始日期（北京时间，含）；缺省为近 30 天")] = None,
    end: Annotated[date | None, Query(alias="to", description="截止日期（北京时间，含）；缺省为今天")] = None,
    by: Annotated[
        list[str] | None,
        Query(
            max_length=6,
            description="分组：unit（下级单位）/town/village/grid、category/channel/level、day/week/month；可逗号分隔",
        ),
    ] = None,
) -> MetricResultOut:
    definition = service.get_metric(metric)
    code = unit or live.default_unit_code(session=session, viewer=viewer)
    target = live.resolve_scope(session=session, viewer=viewer, code=code).unit
    end = end or local_day(utcnow())
    start = start or end - timedelta(days=live.DEFAULT_WINDOW_DAYS - 1)
    tokens = [t.strip() for item in by or [] for t in item.split(",") if t.strip()]
    rows = service.compute(session=session, unit=target, metric=metric, start=start, end=end, by=tokens)
    return present.metric_result_out(
        session=session, unit=target, metric=definition, start=start, end=end, by=tokens, rows=rows
    )
