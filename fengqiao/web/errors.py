"""Every error a client sees has one shape: ``{"error": {"code", "message", "details"}}``, with a stable snake_case
code to match on and a Chinese message to show. This module turns domain errors, validation errors and HTTP errors
into that shape; the request middleware does the same for unexpected exceptions."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from fengqiao.core.errors import FengqiaoError
from fengqiao.web.deps import NO_CONTROL_CHARS


class ErrorBody(BaseModel):
    code: str = Field(description="稳定的错误代码 / stable error code", examples=["unit_not_found"])
    message: str = Field(description="中文错误说明 / Chinese message", examples=["未找到代码为“331081999”的单位"])
    details: Any = Field(default=None, description="补充信息，如出错的字段 / extra information")


class ErrorResponse(BaseModel):
    error: ErrorBody


# For the OpenAPI document: every route may answer with these.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorResponse, "description": "未找到 / not found"},
    422: {"model": ErrorResponse, "description": "参数有误 / invalid input"},
}


def error_response(
    status_code: int,
    code: str,
    message: str,
    details: Any = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body = ErrorResponse(error=ErrorBody(code=code, message=message, details=details))
    return JSONResponse(body.model_dump(mode="json"), status_code=status_code, headers=headers)


INTERNAL_ERROR_CODE = "internal_error"
INTERNAL_ERROR_MESSAGE = "服务器内部错误"

_HTTP_ERRORS: dict[int, tuple[str, str]] = {
    400: ("bad_request", "请求无效"),
    401: ("unauthorized", "未登录或登录已失效"),
    403: ("forbidden", "没有访问权限"),
    404: ("not_found", "请求的地址不存在"),
    405: ("method_not_allowed", "不支持该请求方法"),
    406: ("not_acceptable", "无法提供所要求的内容格式"),
    413: ("payload_too_large", "请求内容过大"),
    415: ("unsupported_media_type", "不支持的内容类型"),
    429: ("too_many_requests", "请求过于频繁，请稍后再试"),
}

_SOURCES = frozenset({"query", "path", "body", "header", "cookie"})


def _choices(ctx: Mapping[str, Any]) -> str:
    # Pydantic spells choices as "'a', 'b' or 'c'"; a Chinese list uses 、 and no quotes.
    expected = str(ctx.get("expected", ""))
    parts = [p.strip().strip("'\"") for p in expected.replace(" or ", ", ").split(",")]
    return "、".join(p for p in parts if p)


def _pattern(ctx: Mapping[str, Any]) -> str:
    return "不能包含控制字符" if ctx.get("pattern") == NO_CONTROL_CHARS else "格式不正确"


_REASONS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "missing": lambda ctx: "为必填项",
    "int_parsing": lambda ctx: "应为整数",
    "int_from_float": lambda ctx: "应为整数",
    "int_type": lambda ctx: "应为整数",
    "float_parsing": lambda ctx: "应为数字",
    "float_type": lambda ctx: "应为数字",
    "finite_number": lambda ctx: "应为有限的数字",
    "bool_parsing": lambda ctx: "应为 true 或 false",
    "bool_type": lambda ctx: "应为 true 或 false",
    "greater_than_equal": lambda ctx: f"不能小于 {ctx.get('ge')}",
    "greater_than": lambda ctx: f"应大于 {ctx.get('gt')}",
    "less_than_equal": lambda ctx: f"不能大于 {ctx.get('le')}",
    "less_than": lambda ctx: f"应小于 {ctx.get('lt')}",
    "string_too_short": lambda ctx: f"至少需要 {ctx.get('min_length')} 个字符",
    "string_too_long": lambda ctx: f"不能超过 {ctx.get('max_length')} 个字符",
    "string_type": lambda ctx: "应为文本",
    "string_pattern_mismatch": _pattern,
    "enum": lambda ctx: f"应为以下之一：{_choices(ctx)}",
    "literal_error": lambda ctx: f"应为以下之一：{_choices(ctx)}",
    "json_invalid": lambda ctx: "不是有效的 JSON",
    "dict_type": lambda ctx: "应为对象",
    "model_attributes_type": lambda ctx: "应为对象",
    "list_type": lambda ctx: "应为列表",
    "too_short": lambda ctx: f"至少需要 {ctx.get('min_length')} 项",
    "too_long": lambda ctx: f"不能超过 {ctx.get('max_length')} 项",
    "extra_forbidden": lambda ctx: "是不允许的字段",
    "uuid_parsing": lambda ctx: "应为 UUID",
    "date_parsing": lambda ctx: "应为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": lambda ctx: "应为日期（YYYY-MM-DD）",
    "datetime_parsing": lambda ctx: "应为时间（ISO 8601）",
    "datetime_from_date_parsing": lambda ctx: "应为时间（ISO 8601）",
}


def _field_name(loc: Sequence[Any]) -> str:
    # The first element is where the value came from (query, path, body…); the rest is the field itself.
    parts = [str(p) for p in loc[1:]] if loc and loc[0] in _SOURCES else [str(p) for p in loc]
    return ".".join(parts) or "请求"


def describe_validation_errors(errors: Sequence[Mapping[str, Any]]) -> tuple[str, list[dict[str, str]]]:
    """A Chinese message naming every bad field, and the per-field details."""
    details: list[dict[str, str]] = []
    for error in errors:
        loc = tuple(error.get("loc", ()))
        ctx = error.get("ctx") or {}
        error_type = str(error.get("type", ""))
        reason = _REASONS.get(error_type, lambda _ctx: "取值无效")(ctx)
        field = _field_name(loc)
        details.append(
            {
                "field": field,
                "location": str(loc[0]) if loc else "",
                "type": error_type,
                "message": f"{field} {reason}",
            }
        )
    message = "请求参数有误：" + "；".join(d["message"] for d in details)
    return message, details


async def _on_domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, FengqiaoError)
    return error_response(exc.status_code, exc.code, exc.message, exc.details)


async def _on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    message, details = describe_validation_errors(exc.errors())
    return error_response(422, "invalid_input", message, details)


async def _on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code, message = _HTTP_ERRORS.get(
        exc.status_code, (f"http_{exc.status_code}", f"请求失败（HTTP {exc.status_code}）")
    )
    if exc.status_code == 405:
        message = f"{message}：{request.method}"
    return error_response(exc.status_code, code, message, headers=exc.headers)


async def _on_stale_data(request: Request, exc: Exception) -> JSONResponse:
    # Two writers raced past the version check: the later one loses, as with an explicit stale version.
    return error_response(409, "version_conflict", "数据已被他人更新，请刷新后重试")


async def _on_operational_error(request: Request, exc: Exception) -> JSONResponse:
    if "database is locked" in str(exc):
        return error_response(503, "database_busy", "系统繁忙，请稍后重试", headers={"Retry-After": "1"})
    raise exc


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(StaleDataError, _on_stale_data)
    app.add_exception_handler(OperationalError, _on_operational_error)
    app.add_exception_handler(FengqiaoError, _on_domain_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
