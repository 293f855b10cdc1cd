"""Evidence download and blob metadata. A blob is reached only through an attachment the caller
may see (:func:`liuhen.records.selectors.get_attachment_for`); every download is ledgered."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest
from ninja import Router, Schema

from liuhen.access.selectors import can_view
from liuhen.access.services import media_accessed
from liuhen.av.selectors import get_item_for
from liuhen.core.api_errors import ERROR_RESPONSES
from liuhen.core.canonical import split_tag
from liuhen.org.api import actor
from liuhen.records.api import AttachmentOut, attachment_out
from liuhen.records.selectors import get_attachment_for
from liuhen.records.services import attachment_downloaded
from liuhen.vault.models import Blob
from liuhen.vault.services import get_storage
from liuhen.vault.views import COPY_REFUSED

router = Router(tags=["evidence"])


class BlobOut(Schema):
    sm3: str
    sha256: str
    size: int
    media_type: str
    created_at: datetime
    attachments: list[AttachmentOut]


def digest_headers(blob: Blob) -> dict[str, str]:
    """``Repr-Digest`` (RFC 9530) and ``Digest`` (RFC 3230) carry SHA-256, which HTTP clients
    know; ``X-Content-SM3`` / ``X-Content-SHA256`` give both digests in hex."""
    _, sm3_hex = split_tag(blob.sm3)
    _, sha_hex = split_tag(blob.sha256)
    sha_b64 = base64.b64encode(bytes.fromhex(sha_hex)).decode("ascii")
    return {
        "Repr-Digest": f"sha-256=:{sha_b64}:",
        "Digest": f"SHA-256={sha_b64}",
        "X-Content-SM3": sm3_hex,
        "X-Content-SHA256": sha_hex,
    }


@router.get(
    "/attachments/{attachment_id}/content",
    response={200: None, **ERROR_RESPONSES},
    url_name="attachment_content",
    summary="下载附件原件",
    openapi_extra={
        "responses": {
            "200": {
                "description": "原始文件内容（逐字节与入库时一致）",
                "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def download(request: HttpRequest, attachment_id: int) -> FileResponse:
    """Streams the original bytes from the vault; the download is a ledger event."""
    person = actor(request)
    attachment = get_attachment_for(person, attachment_id)
    if not can_view(person, attachment):  # a recording flagged under AV-3
        raise Http404("文件不存在或无权查看。")
    if not can_view(person, attachment, action="copy"):  # reached through a view-only grant (AC-1)
        raise PermissionDenied(COPY_REFUSED)
    return _stream(
        attachment.blob,
        attachment.filename,
        lambda: attachment_downloaded(actor=person, attachment=attachment),
    )


@router.get(
    "/av/items/{item_id}/content",
    response={200: None, **ERROR_RESPONSES},
    url_name="av_item_content",
    summary="下载音像资料原件",
    openapi_extra={
        "responses": {
            "200": {
                "description": "音像资料原始文件（逐字节与导入时一致）",
                "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def av_item_content(request: HttpRequest, item_id: int) -> FileResponse:
    """The original of an AV item: own work scope, or an access grant for ``copy`` (AC-1); 404 for
    an item the caller may not see at all. The download is a ledger event (``av.download``)."""
    person = actor(request)
    item = get_item_for(person, item_id)
    if not can_view(person, item):  # a recording flagged under AV-3
        raise Http404("音像资料不存在或无权查看。")
    if not can_view(person, item, action="copy"):
        raise PermissionDenied(COPY_REFUSED)
    return _stream(
        item.blob, item.filename, lambda: media_accessed(actor=person, item=item, action="av.download")
    )


def _stream(blob: Blob, filename: str, logged: Callable[[], None]) -> FileResponse:
    storage = get_storage()
    if not storage.exists(blob.storage_key):
        raise Http404("文件内容缺失，请联系系统管理员运行 liuhen verify。")
    handle = storage.open(blob.storage_key)
    try:
        logged()
    except BaseException:
        handle.close()
        raise
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=blob.media_type)
    response["Content-Length"] = str(blob.size)
    for name, value in digest_headers(blob).items():
        response[name] = value
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.get("/blobs/{digest}", response={200: BlobOut, **ERROR_RESPONSES}, summary="证据文件元数据")
def blob_metadata(request: HttpRequest, digest: str) -> BlobOut:
    """``digest`` is the SM3 digest, hex or ``sm3:``-tagged. Only blobs attached to a record the
    caller may see are found; the listed attachments are the visible ones."""
    person = actor(request)
    hexdigest = digest.split(":", 1)[1] if digest.startswith("sm3:") else digest
    blob = Blob.objects.filter(sm3=f"sm3:{hexdigest.lower()}").first()
    if blob is None:
        raise Http404("文件不存在或无权查看。")
    visible = []
    for attachment_id in blob.attachments.order_by("pk").values_list("pk", flat=True):
        try:
            visible.append(get_attachment_for(person, attachment_id))
        except Http404:
            continue
    if not visible:
        raise Http404("文件不存在或无权查看。")
    return BlobOut(
        sm3=blob.sm3,
        sha256=blob.sha256,
        size=blob.size,
        media_type=blob.media_type,
        created_at=blob.created_at,
        attachments=[attachment_out(a) for a in visible],
    )
