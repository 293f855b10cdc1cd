"""Structured JSON errors for the API: every error is ``{"error": {"code", "message", "fields"}}``.

Messages are in Chinese; ``code`` is a stable English identifier for clients; ``fields`` maps a
field path (``title``, ``parties[0].uscc``, ``data.inspection_time``) to its messages. A refused
stage change or branch (``transition_not_allowed``) also carries ``findings``: the policy-pack
rules that refused it, each with ``rule_id``, ``citation``, ``message`` and ``severity`` (empty when
a built-in rule such as the stage order refused it).
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

logger = logging.getLogger(__name__)


class FindingBrief(Schema):
    """A policy-pack finding that refused a transition."""

    rule_id: str
    citation: str
    message: str
    severity: str
    status: str
    requirement_ids: list[str] = []


class ErrorBody(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] = {}
    findings: list[FindingBrief] | None = None  # only with ``transition_not_allowed``


class ErrorOut(Schema):
    """The body of every error response."""

    error: ErrorBody


# For the OpenAPI document: the error statuses most operations can answer with.
ERROR_RESPONSES: dict[int, type[Schema]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ErrorOut,
}


class ApiError(HttpError):
    """Raised by API views for an error with a specific code (and optionally field messages)."""

    def __init__(self, status_code: int, code: str, message: str, fields: dict[str, list[str]] | None = None):
        super().__init__(status_code, message)
        self.code = code
        self.fields = fields or {}


_STATUS_DEFAULTS: dict[int, tuple[str, str]] = {
    400: ("bad_request", "请求格式有误。"),
    401: ("unauthenticated", "未登录，或接口令牌无效、已吊销。"),
    403: ("permission_denied", "无权执行此操作。"),
    404: ("not_found", "资源不存在或无权查看。"),
    405: ("method_not_allowed", "不支持该请求方法。"),
    413: ("too_large", "上传内容超过大小上限。"),
    422: ("invalid_request", "请求参数不符合接口定义。"),
    429: ("throttled", "请求过于频繁，请稍后再试。"),
}

# Chinese wording for the pydantic error types a client is most likely to hit.
_PYDANTIC_MESSAGES: dict[str, str] = {
    "missing": "此项为必填项。",
    "string_type": "应为字符串。",
    "int_type": "应为整数。",
    "int_parsing": "应为整数。",
    "float_parsing": "应为数字。",
    "bool_type": "应为布尔值。",
    "bool_parsing": "应为布尔值。",
    "dict_type": "应为 JSON 对象。",
    "list_type": "应为数组。",
    "model_type": "应为 JSON 对象。",
    "model_attributes_type": "应为 JSON 对象。",
    "datetime_type": "应为日期时间（ISO 8601）。",
    "datetime_parsing": "应为日期时间（ISO 8601）。",
    "datetime_from_date_parsing": "应为日期时间（ISO 8601）。",
    "string_too_long": "内容过长。",
    "string_too_short": "内容过短。",
    "greater_than_equal": "数值过小。",
    "less_than_equal": "数值过大。",
    "json_invalid": "不是有效的 JSON。",
    "extra_forbidden": "不允许的字段。",
}

_LOCATIONS = {"body", "query", "path", "form", "file", "header", "cookie"}


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def error_response(
    api: NinjaAPI,
    request: HttpRequest,
    *,
    status: int,
    code: str,
    message: str,
    fields: dict[str, list[str]] | None = None,
    findings: list[dict[str, Any]] | None = None,
) -> HttpResponse:
    error: dict[str, Any] = {"code": code, "message": message, "fields": fields or {}}
    if findings is not None:
        error["findings"] = findings
    return api.create_response(request, {"error": error}, status=status)


def finding_brief(finding: Any) -> dict[str, Any]:
    """A ``liuhen.policy.findings.Finding`` as JSON (duck-typed: core imports no app)."""
    return {
        "rule_id": finding.rule_id,
        "citation": finding.citation,
        "message": finding.message,
        "severity": str(finding.severity),
        "status": str(finding.status),
        "requirement_ids": list(finding.requirement_ids),
    }


def field_path(loc: list[Any] | tuple[Any, ...], body_params: frozenset[str] = frozenset()) -> str:
    """``("body", "payload", "parties", 0, "uscc")`` → ``parties[0].uscc``."""
    parts = list(loc)
    if parts and parts[0] in _LOCATIONS:
        parts = parts[1:]
    if len(parts) > 1 and isinstance(parts[0], str) and parts[0] in body_params:
        parts = parts[1:]
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "__all__"


def validation_fields(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {key: list(messages) for key, messages in exc.message_dict.items()}
    return {"__all__": list(exc.messages)}


def _on_django_validation(api: NinjaAPI, request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    fields = validation_fields(exc)
    transition = type(exc).__name__ == "TransitionError"
    code = "transition_not_allowed" if transition else "validation_error"
    message = "".join(fields["__all__"]) if list(fields) == ["__all__"] else "提交的数据有误，请按提示修改。"
    findings = [finding_brief(f) for f in getattr(exc, "findings", ())] if transition else None
    return error_response(
        api, request, status=400, code=code, message=message, fields=fields, findings=findings
    )


def _on_schema_validation(api: NinjaAPI, request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        path = field_path(error.get("loc", ()), frozenset({"payload"}))
        text = _PYDANTIC_MESSAGES.get(str(error.get("type", "")))
        if text is None:
            msg = str(error.get("msg", ""))
            text = msg if _has_chinese(msg) else f"取值无效（{msg}）。"
        fields.setdefault(path, []).append(text)
    return error_response(
        api, request, status=422, code="invalid_request", message="请求参数不符合接口定义。", fields=fields
    )


def _on_http_error(api: NinjaAPI, request: HttpRequest, exc: HttpError) -> HttpResponse:
    default_code, default_message = _STATUS_DEFAULTS.get(exc.status_code, ("error", "请求失败。"))
    if isinstance(exc, ApiError):
        return error_response(
            api, request, status=exc.status_code, code=exc.code, message=exc.message, fields=exc.fields
        )
    if exc.status_code == 403 and "CSRF" in exc.message:
        return error_response(
            api,
            request,
            status=403,
            code="csrf_failed",
            message="CSRF 校验失败：会话方式的写请求须带 CSRF 令牌。",
        )
    message = exc.message if _has_chinese(exc.message) else default_message
    if isinstance(exc, AuthenticationError) and not _has_chinese(exc.message):
        message = _STATUS_DEFAULTS[401][1]
    return error_response(api, request, status=exc.status_code, code=default_code, message=message)


def _on_permission_denied(api: NinjaAPI, request: HttpRequest, exc: Exception) -> HttpResponse:
    text = str(exc)
    message = text if _has_chinese(text) else _STATUS_DEFAULTS[403][1]
    return error_response(api, request, status=403, code="permission_denied", message=message)


def _on_not_found(api: NinjaAPI, request: HttpRequest, exc: Exception) -> HttpResponse:
    text = str(exc)
    message = text if _has_chinese(text) else _STATUS_DEFAULTS[404][1]
    return error_response(api, request, status=404, code="not_found", message=message)


def on_too_large(api: NinjaAPI, request: HttpRequest, exc: Exception) -> HttpResponse:
    limit = getattr(exc, "max_bytes", None)
    message = f"文件超过大小上限（{limit} 字节）。" if limit else _STATUS_DEFAULTS[413][1]
    return error_response(api, request, status=413, code="too_large", message=message)


def on_field_error(api: NinjaAPI, request: HttpRequest, exc: Exception, *, field: str) -> HttpResponse:
    """A 400 validation error on one field whose message is the exception's (Chinese) text."""
    return error_response(
        api,
        request,
        status=400,
        code="validation_error",
        message="提交的数据有误，请按提示修改。",
        fields={field: [str(exc)]},
    )


def _on_unexpected(api: NinjaAPI, request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
    return error_response(
        api, request, status=500, code="internal_error", message="服务器内部错误，请稍后再试。"
    )


def bind(api: NinjaAPI, handler: Any, **kwargs: Any) -> Any:
    """Adapt ``handler(api, request, exc, **kwargs)`` to django-ninja's ``(request, exc)``."""

    def wrapped(request: HttpRequest, exc: Any) -> HttpResponse:
        response: HttpResponse = handler(api, request, exc, **kwargs)
        return response

    return wrapped


def install_error_handlers(api: NinjaAPI) -> None:
    """Replace django-ninja's default handlers with the structured, Chinese ones."""

    api.add_exception_handler(Exception, bind(api, _on_unexpected))
    api.add_exception_handler(DjangoValidationError, bind(api, _on_django_validation))
    api.add_exception_handler(NinjaValidationError, bind(api, _on_schema_validation))
    api.add_exception_handler(HttpError, bind(api, _on_http_error))
    api.add_exception_handler(PermissionDenied, bind(api, _on_permission_denied))
    api.add_exception_handler(PermissionError, bind(api, _on_permission_denied))
    api.add_exception_handler(Http404, bind(api, _on_not_found))
    api.add_exception_handler(RequestDataTooBig, bind(api, on_too_large))
