"""The JSON API (django-ninja), mounted at ``/api/``; OpenAPI document at ``/api/openapi.json``.

Authentication: ``Authorization: Bearer <token>`` (see ``POST /api/tokens``) or the browser
session (with CSRF for unsafe methods). Every error is ``{"error": {"code", "message", "fields"}}``.
Permission scoping is the selectors': what a person cannot see is a 404, as in the web UI.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Router

from liuhen.access.api import router as access_router
from liuhen.archives.api import router as archives_router
from liuhen.av.api import router as av_router
from liuhen.cases.api import router as cases_router
from liuhen.core.api_errors import bind, error_response, install_error_handlers, on_field_error, on_too_large
from liuhen.equipment.api import router as equipment_router
from liuhen.ledger.api import router as ledger_router
from liuhen.org.api import BearerTokenAuth, SessionCsrfAuth
from liuhen.org.api import router as org_router
from liuhen.records.api import router as records_router
from liuhen.records.catalogue import UnknownRecordType
from liuhen.retention.api import router as retention_router
from liuhen.review.api import router as review_router
from liuhen.vault.api import router as vault_router
from liuhen.vault.storage import BlobTooLarge

api = NinjaAPI(
    title="留痕 Liuhen API",
    version="1",
    description=(
        "行政执法全过程记录系统的接口：案件、记录、证据文件上传下载、账本查询。"
        "认证：Bearer 接口令牌或登录会话（写请求须带 CSRF 令牌）。"
        '错误一律为 {"error": {"code", "message", "fields"}}。'
    ),
    auth=[BearerTokenAuth(), SessionCsrfAuth()],
    urls_namespace="api",
)
install_error_handlers(api)
api.add_exception_handler(BlobTooLarge, bind(api, on_too_large))
api.add_exception_handler(UnknownRecordType, bind(api, on_field_error, field="record_type"))

api.add_router("/", org_router)
api.add_router("/", cases_router)
api.add_router("/", records_router)
api.add_router("/", vault_router)
api.add_router("/", ledger_router)
api.add_router("/", equipment_router)
api.add_router("/", av_router)
api.add_router("/", review_router)
api.add_router("/", access_router)
api.add_router("/", archives_router)
api.add_router("/", retention_router)


fallback_router = Router()


@fallback_router.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", auth=None, include_in_schema=False
)
def unknown_endpoint(request: HttpRequest, rest: str) -> HttpResponse:
    """Anything else under /api/ is a JSON 404 too, not Django's HTML page."""
    return error_response(api, request, status=404, code="not_found", message="接口不存在。")


api.add_router("/", fallback_router)  # last: only what no other route matched
