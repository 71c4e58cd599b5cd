"""Routes of metrics: the cockpit's figures of one unit, and a cheap version tag to poll."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from fengqiao.accounts.api import ViewerDep
from fengqiao.metrics import live, present
from fengqiao.metrics.schemas import CockpitOut, VersionOut
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
