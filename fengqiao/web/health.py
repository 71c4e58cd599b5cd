"""Liveness and readiness for load balancers and operators: is the database there, and at which schema revision."""

from __future__ import annotations

from typing import Literal

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import SQLAlchemyError

from fengqiao import __version__
from fengqiao.db import migrate

router = APIRouter(tags=["系统 / system"])
logger = structlog.get_logger("fengqiao.web")


class Health(BaseModel):
    status: Literal["ok", "degraded"] = Field(description="ok 正常；degraded 数据库不可用")
    database: Literal["ok", "unreachable"]
    revision: str | None = Field(description="数据库结构版本（Alembic）")
    version: str = Field(description="程序版本")


@router.get(
    "/healthz",
    summary="健康检查 / health check",
    response_model=Health,
    responses={503: {"model": Health, "description": "数据库不可用 / database unreachable"}},
)
def healthz(request: Request) -> Health | JSONResponse:
    try:
        revision = migrate.current_revision(request.app.state.engine)
    except (SQLAlchemyError, OSError) as exc:
        logger.warning("database_unreachable", error=str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        degraded = Health(status="degraded", database="unreachable", revision=None, version=__version__)
        return JSONResponse(degraded.model_dump(), status_code=503)
    return Health(status="ok", database="ok", revision=revision, version=__version__)
