"""The tus 1.0 endpoints (core protocol + creation, expiration, termination, checksum extensions).

``/uploads/files/``          OPTIONS (capabilities), POST (create an upload)
``/uploads/files/<id>/``     HEAD (offset), PATCH (append), DELETE (terminate), OPTIONS,
                             GET (JSON status for the owner: state, digests, evidence link)

Authentication is the browser session (unsafe methods need the ``X-CSRFToken`` header, as
everywhere in Liuhen) or an API token (``Authorization: Bearer …``, no CSRF). A person reaches
only their own uploads (anyone else's is a 404), and can open one only on a record or case they
may see (404 otherwise) and write in (403). Errors carry the API's JSON shape
``{"error": {"code", "message", "fields"}}`` with a Chinese message.

Upload-Metadata keys (values base64, as tus says): ``filename`` (required), ``filetype``,
``record`` (target record id) or ``case`` + ``record_type`` (a new media record; optional
``description``, ``confidentiality``), ``caption``, and optionally ``sm3`` / ``sha256`` (hex
digests of the whole file, checked at completion).
"""

from __future__ import annotations

import base64
import binascii
import io
from collections.abc import Callable
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import reverse
from django.utils.http import http_date
from django.views.decorators.csrf import csrf_exempt

from liuhen.org.api import token_digest
from liuhen.org.models import ApiToken, Person
from liuhen.records.catalogue import UnknownRecordType
from liuhen.uploads import partials, selectors, services
from liuhen.uploads.models import Upload, UploadState
from liuhen.vault.storage import BlobTooLarge

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = "creation,expiration,termination,checksum"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_REASONS = {460: "Checksum Mismatch"}


# -- responses -----------------------------------------------------------------------------------
def _tus(response: HttpResponse) -> HttpResponse:
    response["Tus-Resumable"] = TUS_VERSION
    response["Cache-Control"] = "no-store"
    return response


def _error(status: int, code: str, message: str, fields: dict[str, list[str]] | None = None) -> HttpResponse:
    body = {"error": {"code": code, "message": message, "fields": fields or {}}}
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    if status in _REASONS:
        response.reason_phrase = _REASONS[status]
    return _tus(response)


def _validation_error(exc: ValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        fields = {name: [str(m) for e in exc.error_dict[name] for m in e.messages] for name in exc.error_dict}
        message = "；".join(m for messages in fields.values() for m in messages)
        return _error(400, "validation_error", message, fields)
    return _error(400, "validation_error", "；".join(str(m) for m in exc.messages))


def _upload_headers(response: HttpResponse, upload: Upload) -> HttpResponse:
    response["Upload-Offset"] = str(upload.offset)
    response["Upload-Length"] = str(upload.length)
    if upload.state == UploadState.RECEIVING:
        response["Upload-Expires"] = http_date(upload.expires_at.timestamp())
    response["Liuhen-Upload-State"] = upload.state
    if upload.attachment_id is not None:
        response["Liuhen-Attachment"] = str(upload.attachment_id)
        response["Liuhen-Evidence-URL"] = reverse("vault:evidence", kwargs={"pk": upload.attachment_id})
    return response


def _capabilities(response: HttpResponse) -> HttpResponse:
    response["Tus-Version"] = TUS_VERSION
    response["Tus-Extension"] = TUS_EXTENSIONS
    response["Tus-Max-Size"] = str(services.max_upload_bytes())
    response["Tus-Checksum-Algorithm"] = ",".join(partials.CHECKSUM_ALGORITHMS)
    return response


# -- authentication ---------------------------------------------------------------------------------
def _authenticate(request: HttpRequest) -> Person | HttpResponse:
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return _error(401, "unauthenticated", "认证方式无效：请使用 Bearer 接口令牌或登录会话。")
        api_token = (
            ApiToken.objects.select_related("person")
            .filter(token_digest=token_digest(token.strip()), revoked_at__isnull=True)
            .first()
        )
        if api_token is None or not api_token.person.is_active:
            return _error(401, "unauthenticated", "接口令牌无效、已吊销，或其所属人员已停用。")
        return api_token.person
    user: Any = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_active:
        return _error(401, "unauthenticated", "未登录，请先登录后再上传。")
    if request.method not in SAFE_METHODS:
        # The session needs the CSRF token on writes, exactly as Django's own views require.
        middleware = CsrfViewMiddleware(lambda r: HttpResponse())
        middleware.process_request(request)
        if middleware.process_view(request, lambda r: HttpResponse(), (), {}) is not None:
            return _error(403, "csrf_failed", "安全校验（CSRF）失败，请刷新页面后重试。")
    person: Person = user
    return person


def _method(request: HttpRequest) -> str:
    """tus allows ``X-HTTP-Method-Override`` on POST for clients that cannot send PATCH/DELETE."""
    override = request.headers.get("X-HTTP-Method-Override", "").upper()
    if request.method == "POST" and override in {"PATCH", "DELETE", "HEAD"}:
        return override
    return request.method or "GET"


def _guarded(handler: Callable[[HttpRequest, Person], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    def run(request: HttpRequest) -> HttpResponse:
        person = _authenticate(request)
        if isinstance(person, HttpResponse):
            return person
        if request.headers.get("Tus-Resumable") != TUS_VERSION:
            return _capabilities(
                _error(412, "version_unsupported", f"不支持的 tus 协议版本，请使用 {TUS_VERSION}。")
            )
        try:
            return handler(request, person)
        except services.UploadError as exc:
            return _error(exc.status, exc.code, exc.message)
        except BlobTooLarge as exc:
            return _error(
                413, "too_large", f"文件过大，超过单个文件上限 {services.format_size(exc.max_bytes)}。"
            )
        except ValidationError as exc:
            return _validation_error(exc)
        except PermissionDenied as exc:
            return _error(403, "permission_denied", str(exc) or "无权执行此操作。")
        except Http404 as exc:
            return _error(404, "not_found", str(exc) or selectors.NOT_FOUND)

    return run


# -- creation ---------------------------------------------------------------------------------------
def parse_metadata(header: str) -> dict[str, str]:
    """``key base64value, key2 base64value2, flag`` → {key: decoded value}."""
    result: dict[str, str] = {}
    for item in header.split(","):
        item = item.strip()
        if not item:
            continue
        key, _, encoded = item.partition(" ")
        if not key or key in result:
            raise ValidationError({"Upload-Metadata": [f"元数据键无效或重复：{key}"]})
        try:
            result[key] = base64.b64decode(encoded.strip(), validate=True).decode("utf-8") if encoded else ""
        except (binascii.Error, UnicodeDecodeError):
            raise ValidationError(
                {"Upload-Metadata": [f"元数据“{key}”不是有效的 base64 UTF-8 值。"]}
            ) from None
    return result


def _int_header(request: HttpRequest, name: str) -> int:
    value = request.headers.get(name, "")
    if not value.isdigit():
        raise services.UploadError(f"请求头 {name} 缺失或不是非负整数。")
    return int(value)


def _int_field(metadata: dict[str, str], key: str) -> int:
    value = metadata.get(key, "").strip()
    if not value.isdigit():
        raise ValidationError({key: [f"元数据 {key} 应为编号（正整数）。"]})
    return int(value)


def _create(request: HttpRequest, person: Person) -> HttpResponse:
    if request.headers.get("Upload-Defer-Length"):
        return _error(
            400, "bad_request", "不支持延后声明文件大小（Upload-Defer-Length），请提供 Upload-Length。"
        )
    if int(request.headers.get("Content-Length") or 0) > 0:
        return _error(400, "bad_request", "创建上传时不接受数据，请随后用 PATCH 发送。")
    length = _int_header(request, "Upload-Length")
    metadata = parse_metadata(request.headers.get("Upload-Metadata", ""))
    record = case = None
    if metadata.get("record"):
        record = selectors.target_record_for(person, _int_field(metadata, "record"))
    elif metadata.get("case"):
        case = selectors.target_case_for(person, _int_field(metadata, "case"))
    try:
        upload = services.create_upload(
            actor=person,
            length=length,
            filename=metadata.get("filename", ""),
            media_type=metadata.get("filetype", ""),
            record=record,
            case=case,
            record_type=metadata.get("record_type", ""),
            description=metadata.get("description", ""),
            caption=metadata.get("caption", ""),
            confidentiality=metadata.get("confidentiality", ""),
            expected_sm3=metadata.get("sm3", ""),
            expected_sha256=metadata.get("sha256", ""),
        )
    except UnknownRecordType as exc:
        raise ValidationError({"record_type": [str(exc)]}) from exc
    if upload.length == 0:
        # Nothing will follow (tus clients report success right after creation): complete now.
        upload = services.try_complete(actor=person, upload=upload)
    response = _upload_headers(HttpResponse(status=201), upload)
    response["Location"] = reverse("uploads:upload", kwargs={"pk": upload.pk})
    return _tus(response)


# -- one upload ---------------------------------------------------------------------------------------
def _head(request: HttpRequest, person: Person, upload: Upload) -> HttpResponse:
    upload = services.expire_if_due(upload=upload)
    if upload.state in (UploadState.TERMINATED, UploadState.EXPIRED, UploadState.FAILED):
        # No body on HEAD: the reason is in a header (percent-free ASCII code) and in GET.
        response = HttpResponse(status=410)
        response["Liuhen-Upload-State"] = upload.state
        return _tus(response)
    upload = services.try_complete(actor=person, upload=upload)
    return _tus(_upload_headers(HttpResponse(status=200), upload))


def _body_stream(request: HttpRequest) -> partials.Readable:
    """The request body to stream from. gunicorn's ``wsgi.input`` hands its socket data on 1 KiB at
    a time (about 50 MB/s here); the length-limited reader under it reads in large pieces (about
    250 MB/s). Use that reader when nothing of the body has been consumed or buffered yet, which
    is the case for PATCH (no middleware reads it); any other server gets the plain request."""
    body = request.META.get("wsgi.input")
    reader: Any = getattr(body, "reader", None)
    buffered = getattr(body, "buf", None)
    if (
        type(reader).__name__ == "LengthReader"
        and type(reader).__module__.startswith("gunicorn.")
        and isinstance(buffered, io.BytesIO)
        and buffered.tell() == 0
        and not getattr(request, "_read_started", False)
    ):
        return cast(partials.Readable, reader)
    return request


def _patch(request: HttpRequest, person: Person, upload: Upload) -> HttpResponse:
    if request.content_type != "application/offset+octet-stream":
        return _error(
            415, "unsupported_media_type", "PATCH 请求的 Content-Type 应为 application/offset+octet-stream。"
        )
    offset = _int_header(request, "Upload-Offset")
    checksum = None
    if request.headers.get("Upload-Checksum"):
        try:
            checksum = partials.parse_checksum(request.headers["Upload-Checksum"])
        except ValueError as exc:
            return _error(400, "bad_checksum", f"Upload-Checksum 无效：{exc}")
    content_length = int(request.headers.get("Content-Length") or 0)
    upload = services.receive_chunk(
        actor=person,
        upload=upload,
        offset=offset,
        stream=_body_stream(request),
        content_length=content_length,
        checksum=checksum,
    )
    return _tus(_upload_headers(HttpResponse(status=204), upload))


def _delete(request: HttpRequest, person: Person, upload: Upload) -> HttpResponse:
    services.terminate_upload(actor=person, upload=upload)
    return _tus(HttpResponse(status=204))


def _status(request: HttpRequest, person: Person, upload: Upload) -> HttpResponse:
    upload = services.expire_if_due(upload=upload)
    response = JsonResponse(services.describe(upload), json_dumps_params={"ensure_ascii": False})
    return _tus(response)


@csrf_exempt
def collection(request: HttpRequest) -> HttpResponse:
    method = _method(request)
    if method == "OPTIONS":
        return _tus(_capabilities(HttpResponse(status=204)))
    if method != "POST":
        return _method_not_allowed("OPTIONS, POST")
    return _guarded(_create)(request)


@csrf_exempt
def upload_view(request: HttpRequest, pk: str) -> HttpResponse:
    method = _method(request)
    if method == "OPTIONS":
        return _tus(_capabilities(HttpResponse(status=204)))
    handlers: dict[str, Callable[[HttpRequest, Person, Upload], HttpResponse]] = {
        "HEAD": _head,
        "PATCH": _patch,
        "DELETE": _delete,
        "GET": _status,
    }
    handler = handlers.get(method)
    if handler is None:
        return _method_not_allowed("OPTIONS, HEAD, PATCH, DELETE, GET")

    def with_upload(request: HttpRequest, person: Person) -> HttpResponse:
        return handler(request, person, selectors.get_upload_for(person, pk))

    if method == "GET":
        # Status for scripts: no Tus-Resumable header needed.
        person = _authenticate(request)
        if isinstance(person, HttpResponse):
            return person
        try:
            return with_upload(request, person)
        except Http404 as exc:
            return _error(404, "not_found", str(exc) or selectors.NOT_FOUND)
    return _guarded(with_upload)(request)


def _method_not_allowed(allowed: str) -> HttpResponse:
    response = _error(405, "method_not_allowed", "不支持该请求方法。")
    response["Allow"] = allowed
    return response
