"""The app skeleton: health, error envelope, request ids, docs and static assets."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from structlog.contextvars import merge_contextvars
from structlog.testing import capture_logs

from fengqiao.core.errors import Conflict
from fengqiao.db import migrate
from fengqiao.db.engine import make_engine
from fengqiao.web.app import VENDOR_PACKAGES, create_app
from fengqiao.web.errors import describe_validation_errors
from tests.web.helpers import api_client, error_of, make_app, make_settings


@pytest.fixture
def client(db: Session, engine: Engine) -> Iterator[TestClient]:
    with api_client(db, engine) as test_client:
        yield test_client


def test_healthz_reports_database_and_revision(client: TestClient, engine: Engine) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["revision"] == migrate.head_revision(engine)
    assert body["version"]


def test_healthz_is_degraded_when_the_database_is_unreachable() -> None:
    # Nothing listens on port 1: the connection is refused at once.
    unreachable = make_engine("postgresql://postgres@127.0.0.1:1/none", connect_args={"connect_timeout": 2})
    app = create_app(settings=make_settings(), engine=unreachable)
    with TestClient(app) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "degraded"
    assert response.json()["database"] == "unreachable"
    unreachable.dispose()


def test_request_id_is_returned_and_a_valid_incoming_one_is_kept(client: TestClient) -> None:
    generated = client.get("/healthz").headers["X-Request-ID"]
    assert len(generated) == 32
    assert client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"] == "abc-123"
    # A value that could forge log lines is replaced, not echoed.
    replaced = client.get("/healthz", headers={"X-Request-ID": "bad id\tx"}).headers["X-Request-ID"]
    assert replaced != "bad id\tx"
    assert len(replaced) == 32


def test_unknown_route_is_a_chinese_json_404(client: TestClient) -> None:
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert error_of(response) == {"code": "not_found", "message": "请求的地址不存在", "details": None}


def test_wrong_method_is_405_with_allow_header(client: TestClient) -> None:
    response = client.delete("/api/v1/units")
    assert response.status_code == 405
    error = error_of(response)
    assert error["code"] == "method_not_allowed"
    assert "不支持该请求方法" in error["message"]
    assert response.headers["allow"] == "GET"


def test_domain_errors_keep_their_status_and_code(db: Session, engine: Engine) -> None:
    app = make_app(db, engine)

    @app.get("/test/conflict")
    def conflict() -> None:
        raise Conflict("该事件已被签收", code="already_accepted", details={"event": 7})

    response = TestClient(app).get("/test/conflict")
    assert response.status_code == 409
    assert error_of(response) == {"code": "already_accepted", "message": "该事件已被签收", "details": {"event": 7}}


def test_unexpected_exception_is_a_logged_500_without_internals(db: Session, engine: Engine) -> None:
    app = make_app(db, engine)

    @app.get("/test/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    # The middleware answers the 500 itself, so even a client that re-raises server errors sees the response.
    with capture_logs(processors=[merge_contextvars]) as logs:
        response = TestClient(app).get("/test/boom", headers={"X-Request-ID": "boom-1"})
    assert response.status_code == 500
    assert error_of(response) == {"code": "internal_error", "message": "服务器内部错误", "details": None}
    assert "secret" not in response.text
    assert response.headers["X-Request-ID"] == "boom-1"
    failure = next(entry for entry in logs if entry["event"] == "unhandled_error")
    assert failure["exc_info"] is True  # the renderer prints the traceback
    assert failure["request_id"] == "boom-1"
    assert failure["log_level"] == "error"
    request = next(entry for entry in logs if entry["event"] == "request")
    assert request["status"] == 500


def test_requests_are_logged_with_method_path_status_duration_and_id(client: TestClient) -> None:
    with capture_logs(processors=[merge_contextvars]) as logs:
        client.get("/api/v1/units/000000", headers={"X-Request-ID": "log-check"})
    entry = next(entry for entry in logs if entry["event"] == "request")
    assert entry["method"] == "GET"
    assert entry["path"] == "/api/v1/units/000000"
    assert entry["status"] == 404
    assert entry["request_id"] == "log-check"
    assert isinstance(entry["duration_ms"], float)


def test_validation_errors_are_translated_into_chinese() -> None:
    message, details = describe_validation_errors(
        [
            {"type": "missing", "loc": ("query", "lat")},
            {"type": "int_parsing", "loc": ("query", "limit")},
            {"type": "greater_than_equal", "loc": ("query", "offset"), "ctx": {"ge": 0}},
            {"type": "less_than_equal", "loc": ("query", "limit"), "ctx": {"le": 1000}},
            {"type": "string_too_long", "loc": ("query", "q"), "ctx": {"max_length": 64}},
            {"type": "enum", "loc": ("query", "kind"), "ctx": {"expected": "'town', 'village' or 'grid'"}},
            {"type": "some_future_type", "loc": ("body", "items", 0, "name")},
        ]
    )
    assert [d["message"] for d in details] == [
        "lat 为必填项",
        "limit 应为整数",
        "offset 不能小于 0",
        "limit 不能大于 1000",
        "q 不能超过 64 个字符",
        "kind 应为以下之一：town、village、grid",
        "items.0.name 取值无效",
    ]
    assert message.startswith("请求参数有误：lat 为必填项；limit 应为整数")
    assert details[0]["location"] == "query"


def test_openapi_is_bilingual_and_documents_the_error_shape(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert "枫桥" in spec["info"]["title"]
    assert "Fengqiao" in spec["info"]["title"]
    assert "中文" in spec["info"]["description"]
    assert "ErrorResponse" in spec["components"]["schemas"]
    responses = spec["paths"]["/api/v1/units/{code}"]["get"]["responses"]
    assert responses["404"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorResponse")
    assert responses["422"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorResponse")


def test_docs_use_local_swagger_assets_and_no_cdn(client: TestClient) -> None:
    html = client.get("/docs").text
    assert "/static/vendor/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "/static/vendor/swagger-ui-dist/swagger-ui.css" in html
    assert "http://" not in html
    assert "https://" not in html
    assert client.get("/redoc").status_code == 404


def _assets_present() -> bool:
    settings = make_settings()
    return all((settings.assets_dir / package).is_dir() for package in VENDOR_PACKAGES)


@pytest.mark.skipif(not _assets_present(), reason="node_modules is not installed (run `make setup`)")
@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/static/vendor/htmx.org/dist/htmx.min.js", "javascript"),
        ("/static/vendor/leaflet/dist/leaflet.js", "javascript"),
        ("/static/vendor/leaflet/dist/leaflet.css", "text/css"),
        ("/static/vendor/echarts/dist/echarts.min.js", "javascript"),
        ("/static/vendor/swagger-ui-dist/swagger-ui-bundle.js", "javascript"),
        ("/static/vendor/swagger-ui-dist/swagger-ui.css", "text/css"),
        ("/static/app/app.css", "text/css"),
        ("/static/app/map.js", "javascript"),
    ],
)
def test_static_assets_are_served(client: TestClient, path: str, content_type: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert content_type in response.headers["content-type"]
    assert len(response.content) > 1000


def test_only_listed_vendor_packages_are_served(client: TestClient) -> None:
    assert client.get("/static/vendor/tslib/package.json").status_code == 404
    assert client.get("/static/vendor/leaflet/../../pyproject.toml").status_code == 404


def test_missing_assets_dir_leaves_the_api_working(db: Session, engine: Engine, tmp_path: object) -> None:
    with api_client(db, engine, assets_dir=f"{tmp_path}/nowhere") as client:
        assert client.get("/static/vendor/leaflet/dist/leaflet.js").status_code == 404
        assert client.get("/healthz").status_code == 200
