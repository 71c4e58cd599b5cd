"""The application factory: ``fengqiao serve`` runs ``create_app`` through uvicorn; tests call it directly."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import structlog
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

from fengqiao import __version__
from fengqiao.accounts import api as accounts_api
from fengqiao.alerts import api as alerts_api
from fengqiao.assessment import api as assessment_api
from fengqiao.basedata import api as basedata_api
from fengqiao.config import Settings, get_settings
from fengqiao.db.checkpoints import Checkpointer
from fengqiao.db.engine import for_writing, make_engine, make_session_factory
from fengqiao.duty import api as duty_api
from fengqiao.events import api as events_api
from fengqiao.indices import api as indices_api
from fengqiao.jurisdiction import api as jurisdiction_api
from fengqiao.metrics import api as metrics_api
from fengqiao.registers import api as registers_api
from fengqiao.reports import api as reports_api
from fengqiao.triage import api as triage_api
from fengqiao.triage.responsibility import api as responsibility_api
from fengqiao.warnings import api as warnings_api
from fengqiao.web import citizen, cockpit, health, pages, work
from fengqiao.web.errors import ERROR_RESPONSES, install_error_handlers
from fengqiao.web.middleware import RequestContextMiddleware
from fengqiao.web.ratelimit import RateLimiter

API_PREFIX = "/api/v1"
STATIC_DIR = Path(__file__).parent / "static"
VENDOR_URL = "/static/vendor"
# Only these npm packages are served, each under /static/vendor/<package>/…; the rest of node_modules stays private.
VENDOR_PACKAGES = ("htmx.org", "leaflet", "echarts", "swagger-ui-dist")

DESCRIPTION = """
**枫桥·基层社会治理平台**接口：辖区（县—镇街—村社—网格）、在岗人员、楼栋户室与标准地址。
所有错误均以 `{"error": {"code", "message", "details"}}` 返回，`code` 稳定可供程序判断，`message` 为中文说明。

Fengqiao grassroots social governance API: the jurisdiction tree, staff on duty, buildings, rooms and standard
addresses. Every error is `{"error": {"code", "message", "details"}}` with a stable `code` and a Chinese `message`.
"""

OPENAPI_TAGS = [
    {"name": "辖区 / jurisdiction", "description": "县(市)、镇(街道)、村(社区)、网格及其边界和坐标定位"},
    {"name": "人员 / duty", "description": "网格员、指挥室岗位等在岗人员"},
    {"name": "基础数据 / base data", "description": "楼栋、户室、企业与标准地址"},
    {"name": "事件 / events", "description": "受理、流转、签收、处置、反馈、审核、销号"},
    {"name": "账号 / accounts", "description": "登录与当前用户"},
    {"name": "分拨 / triage", "description": "坐标分拨到网格、村社、镇街、联勤工作站、派出所"},
    {"name": "属地事项清单 / responsibility lists", "description": "哪个部门负责哪类事项、在哪里"},
    {"name": "指标 / metrics", "description": "大屏与统计指标"},
    {"name": "研判预警 / early warning", "description": "一人多事、多人一事、一地多事、反复报警、类案串联；人员画像"},
    {"name": "重点管控 / key registers", "description": "重点项目（8大类25小类）、重点人员、重点场所及其关联事件"},
    {"name": "感知告警 / sensor alerts", "description": "烟感、防溺水、禁入区、重点人员告警的接入、归并、派发与三必到"},
    {
        "name": "治理指数 / indices",
        "description": "县域社会治理指数、专职网格员队伍健康指数、网格团队履职能力指数：排名、明细、走势",
    },
    {"name": "通报 / bulletins", "description": "月报、周报的生成与下载（Word、Excel、PDF）"},
    {"name": "考核 / assessment", "description": "镇(街道)、村(社区)月度考核得分、扣分明细与排名"},
    {"name": "系统 / system", "description": "健康检查"},
]

logger = structlog.get_logger("fengqiao.web")


def create_app(*, settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    settings = settings or get_settings()
    owns_engine = engine is None
    engine = engine or make_engine(settings.resolved_database_url())

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # A server writing to its own SQLite file checkpoints the WAL beside its requests, not inside their commits.
        checkpointer = Checkpointer(engine) if owns_engine and Checkpointer.applies(engine) else None
        if checkpointer is not None:
            checkpointer.start(wake_on_commit=True)
        yield
        if checkpointer is not None:
            checkpointer.stop()
        if owns_engine:
            engine.dispose()

    app = FastAPI(
        title="枫桥·基层社会治理平台 / Fengqiao",
        description=DESCRIPTION,
        version=__version__,
        openapi_tags=OPENAPI_TAGS,
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    app.state.write_session_factory = make_session_factory(for_writing(engine))
    app.state.rate_limiters = {"progress": RateLimiter(limit=30, window_seconds=600), **citizen.citizen_limiters()}

    install_error_handlers(app)
    app.add_middleware(RequestContextMiddleware)
    for router in (
        jurisdiction_api.router,
        duty_api.router,
        basedata_api.router,
        accounts_api.router,
        events_api.router,
        triage_api.router,
        triage_api.reclassify_router,
        responsibility_api.router,
        metrics_api.router,
        warnings_api.router,
        registers_api.router,
        alerts_api.router,
        indices_api.router,
        reports_api.router,
        assessment_api.router,
    ):
        app.include_router(router, prefix=API_PREFIX, responses=ERROR_RESPONSES)
    app.include_router(health.router)
    app.include_router(pages.router)
    app.include_router(work.router)
    app.include_router(cockpit.router)
    app.include_router(citizen.router)
    _add_docs(app)
    _mount_static(app, settings.assets_dir)
    return app


def _add_docs(app: FastAPI) -> None:
    """Swagger UI from the local npm package: intranets cannot reach a CDN. ReDoc is not offered."""
    openapi_url = app.openapi_url or "/openapi.json"

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title="枫桥·基层社会治理平台 接口文档",
            swagger_js_url=f"{VENDOR_URL}/swagger-ui-dist/swagger-ui-bundle.js",
            swagger_css_url=f"{VENDOR_URL}/swagger-ui-dist/swagger-ui.css",
            swagger_favicon_url=f"{VENDOR_URL}/swagger-ui-dist/favicon-32x32.png",
            # Swagger UI would otherwise send the spec to validator.swagger.io for its badge.
            swagger_ui_parameters={"validatorUrl": None},
        )


def _mount_static(app: FastAPI, assets_dir: Path) -> None:
    app.mount("/static/app", StaticFiles(directory=STATIC_DIR), name="static_app")
    missing = []
    for package in VENDOR_PACKAGES:
        folder = assets_dir / package
        if folder.is_dir():
            app.mount(f"{VENDOR_URL}/{package}", StaticFiles(directory=folder), name=f"vendor_{package}")
        else:
            missing.append(package)
    if missing:
        # The API still works; pages and /docs lose their scripts until `make setup` installs them.
        logger.warning("vendor_assets_missing", assets_dir=str(assets_dir), packages=missing)
