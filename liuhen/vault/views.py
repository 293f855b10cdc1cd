"""Evidence pages: one attachment's digests (SM3, SHA-256), a preview, the download (with HTTP
Range, so video can seek) and the ledger trail of the blob, the attachment and its record.

Every download is a ledger event (principle 2); lookups go through
:func:`liuhen.records.selectors.get_attachment_for` (404 for what the person may not see). A
person who reaches the case only through an access grant (AC-1) needs a grant for ``copy`` to
download the original (``view`` is enough for the inline player)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import BinaryIO

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from liuhen.access import selectors as access
from liuhen.cases.models import Stage
from liuhen.ledger.models import LedgerEntry
from liuhen.org.models import Person
from liuhen.records.models import Record, RecordAttachment
from liuhen.records.selectors import get_attachment_for
from liuhen.records.services import attachment_downloaded
from liuhen.vault.models import Blob
from liuhen.vault.services import get_storage

CHUNK = 256 * 1024
_RANGE_RE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)
# Only these are shown inline (never HTML or SVG, which could run script in our origin).
_INLINE_PREFIXES = ("video/", "audio/")
_INLINE_IMAGES = ("image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp")


ACTION_LABELS = {
    "blob.ingest": "文件入库",
    "blob.download": "下载/播放",
    "av.view": "查看音像资料",
    "av.play": "播放音像资料",
    "av.download": "下载音像原件",
    "document.export": "导出文书",
    "record.create": "新建记录",
    "record.correct": "更正记录（新版本）",
    "record.view": "查看记录",
    "record.attach": "添加附件",
    "record.sign": "签名",
}


COPY_REFUSED = "您只获准查阅，未获准复制/下载原件：请在“调阅申请”中申请复制（AC-1）。"


class RangeNotSatisfiable(ValueError):
    pass


def _person(request: HttpRequest) -> Person:
    user = request.user
    assert isinstance(user, Person)
    return user


def hex_digest(tagged: str) -> str:
    """``sm3:ab12…`` → ``ab12…``."""
    return tagged.split(":", 1)[1] if ":" in tagged else tagged


def preview_kind(media_type: str) -> str:
    if media_type in _INLINE_IMAGES:
        return "image"
    if media_type.startswith("video/"):
        return "video"
    if media_type.startswith("audio/"):
        return "audio"
    return ""


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """One ``bytes=`` range as (first, last) inclusive; None to send the whole file (no header,
    several ranges or a malformed one, as RFC 9110 §14.2 allows); RangeNotSatisfiable for 416."""
    match = _RANGE_RE.match(header or "")
    if match is None:
        return None
    first_s, last_s = match.groups()
    if not first_s and not last_s:
        return None
    if not first_s:  # suffix range: the last N bytes
        length = int(last_s)
        if length == 0 or size == 0:
            raise RangeNotSatisfiable(header)
        return max(0, size - length), size - 1
    first = int(first_s)
    last = int(last_s) if last_s else size - 1
    if first >= size:
        raise RangeNotSatisfiable(header)
    if last < first:
        return None
    return first, min(last, size - 1)


def _iter_range(fh: BinaryIO, first: int, length: int) -> Iterator[bytes]:
    try:
        fh.seek(first)
        remaining = length
        while remaining > 0:
            chunk = fh.read(min(CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk
    finally:
        fh.close()


def ledger_trail(attachment: RecordAttachment) -> QuerySet[LedgerEntry]:
    """The entries about this blob (within this case, plus its ingest), this attachment and its record."""
    record = attachment.record
    blob_q = Q(object_type=Blob._meta.label_lower, object_id=str(attachment.blob_id)) & (
        Q(case_id=record.case_id) | Q(action="blob.ingest")
    )
    return LedgerEntry.objects.filter(
        blob_q
        | Q(object_type=RecordAttachment._meta.label_lower, object_id=str(attachment.pk))
        | Q(object_type=Record._meta.label_lower, object_id=str(record.pk))
    ).order_by("seq")


@login_required
def evidence(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request)
    attachment = get_attachment_for(person, pk)
    blob = attachment.blob
    record = attachment.record
    return render(
        request,
        "vault/evidence.html",
        {
            "attachment": attachment,
            "blob": blob,
            "record": record,
            "case": record.case,
            "sm3": hex_digest(blob.sm3),
            "sha256": hex_digest(blob.sha256),
            "preview": preview_kind(blob.media_type),
            "trail": [(e, ACTION_LABELS.get(e.action, e.action)) for e in ledger_trail(attachment)],
            "stage_label": Stage(record.stage).label if record.stage in Stage.values else record.stage,
        },
    )


def _inline(request: HttpRequest, blob: Blob) -> bool:
    return request.GET.get("inline") == "1" and (
        blob.media_type.startswith(_INLINE_PREFIXES) or blob.media_type in _INLINE_IMAGES
    )


@login_required
@require_safe
def download(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The blob's bytes; honours a single ``Range`` (206) so players can seek. Logged in the ledger."""
    person = _person(request)
    attachment = get_attachment_for(person, pk)
    if not access.can_view(person, attachment):  # a recording flagged under AV-3
        raise Http404("文件不存在或无权查看。")
    if not _inline(request, attachment.blob) and not access.can_view(person, attachment, action="copy"):
        raise PermissionDenied(COPY_REFUSED)

    def logged(byte_range: str) -> None:
        attachment_downloaded(actor=person, attachment=attachment, byte_range=byte_range)

    return _serve(request, attachment.blob, attachment.filename, logged)


def _serve(
    request: HttpRequest, blob: Blob, filename: str, logged: Callable[[str], None]
) -> HttpResponseBase:
    inline = _inline(request, blob)
    disposition = content_disposition_header(not inline, filename) or "attachment"
    etag = f'"{hex_digest(blob.sm3)}"'
    range_header = request.headers.get("Range", "")
    if_range = request.headers.get("If-Range", "")
    if if_range and if_range != etag:
        range_header = ""
    try:
        byte_range = parse_range(range_header, blob.size)
    except RangeNotSatisfiable:
        refused = HttpResponse(status=416)
        refused["Content-Range"] = f"bytes */{blob.size}"
        return refused
    if request.method != "HEAD":
        logged(range_header if byte_range else "")
    fh = get_storage().open(blob.storage_key)
    if byte_range is None:
        response: HttpResponseBase = FileResponse(fh, content_type=blob.media_type)
        response["Content-Length"] = str(blob.size)
    else:
        first, last = byte_range
        length = last - first + 1
        response = StreamingHttpResponse(
            _iter_range(fh, first, length), status=206, content_type=blob.media_type
        )
        response["Content-Range"] = f"bytes {first}-{last}/{blob.size}"
        response["Content-Length"] = str(length)
    response["Content-Disposition"] = disposition
    response["Accept-Ranges"] = "bytes"
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; media-src 'self'; img-src 'self'"
    return response
