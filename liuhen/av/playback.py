"""Serving an item's files to a player: HTTP range requests (RFC 9110 §14) straight from the vault
file, never loaded into memory. A single ``bytes=`` range gets 206 with ``Content-Range``; a range
that starts past the end gets 416 with ``Content-Range: bytes */size``; no ``Range`` (or one this
module does not serve: several ranges, a malformed header) gets the whole file with 200, as the RFC
allows. ``If-Range`` is not needed by players and is honoured only as "send the whole file" when it
does not match the ETag (the SM3 digest)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header

from liuhen.vault.models import Blob
from liuhen.vault.services import get_storage

CHUNK = 256 * 1024
_RANGE_RE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)


class RangeNotSatisfiable(ValueError):
    pass


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """One ``bytes=first-last`` / ``first-`` / ``-suffix`` range as (first, last), inclusive; None
    for "send everything"; :class:`RangeNotSatisfiable` when it cannot be served (416)."""
    match = _RANGE_RE.match(header or "")
    if match is None:
        return None
    first_s, last_s = match.groups()
    if not first_s and not last_s:
        return None
    if not first_s:  # suffix: the last N bytes
        length = int(last_s)
        if length == 0 or size == 0:
            raise RangeNotSatisfiable(header)
        return max(0, size - length), size - 1
    first = int(first_s)
    if first >= size:
        raise RangeNotSatisfiable(header)
    last = int(last_s) if last_s else size - 1
    if last < first:
        return None  # invalid: ignored (RFC 9110 §14.1.1)
    return first, min(last, size - 1)


def read_range(fh: BinaryIO, first: int, length: int, chunk: int = CHUNK) -> Iterator[bytes]:
    """``length`` bytes from ``first``, ``chunk`` at a time; closes ``fh`` when done or dropped."""
    try:
        fh.seek(first)
        remaining = length
        while remaining > 0:
            data = fh.read(min(chunk, remaining))
            if not data:
                break
            remaining -= len(data)
            yield data
    finally:
        fh.close()


def etag_of(blob: Blob) -> str:
    return '"' + blob.sm3.split(":", 1)[-1] + '"'


def serve_blob(
    *, blob: Blob, filename: str, range_header: str, if_range: str, download: bool, method: str
) -> tuple[HttpResponseBase, tuple[int, int] | None]:
    """The response for ``blob`` (or its range) and the range served (None: the whole file)."""
    etag = etag_of(blob)
    if if_range and if_range.strip() != etag:
        range_header = ""
    try:
        byte_range = parse_range(range_header, blob.size)
    except RangeNotSatisfiable:
        refused = HttpResponse(status=416)
        refused["Content-Range"] = f"bytes */{blob.size}"
        refused["Accept-Ranges"] = "bytes"
        return refused, None
    response: HttpResponseBase
    if method == "HEAD":
        response = HttpResponse(status=206 if byte_range else 200, content_type=blob.media_type)
        if byte_range is not None:
            response["Content-Range"] = f"bytes {byte_range[0]}-{byte_range[1]}/{blob.size}"
        response["Content-Length"] = str(byte_range[1] - byte_range[0] + 1 if byte_range else blob.size)
    else:
        fh = get_storage().open(blob.storage_key)
        if byte_range is None:
            response = FileResponse(fh, content_type=blob.media_type)
            response["Content-Length"] = str(blob.size)
        else:
            first, last = byte_range
            length = last - first + 1
            response = StreamingHttpResponse(
                read_range(fh, first, length), status=206, content_type=blob.media_type
            )
            response["Content-Range"] = f"bytes {first}-{last}/{blob.size}"
            response["Content-Length"] = str(length)
    response["Content-Disposition"] = (
        content_disposition_header(download, Path(filename).name) or "attachment"
    )
    response["Accept-Ranges"] = "bytes"
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; media-src 'self'; img-src 'self'"
    return response, byte_range
