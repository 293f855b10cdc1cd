"""``{% resumable_upload record %}``: the tus upload widget for a record page."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from liuhen.records.catalogue import catalogue
from liuhen.records.models import Record
from liuhen.uploads.services import format_size, max_upload_bytes

register = template.Library()

_CAMERA_KINDS = ("image/", "video/", "audio/")


def accept_lists(record_type: str) -> tuple[list[str], str, str]:
    """(accepted media-type prefixes, ``accept`` of the file picker, ``accept`` of the camera)."""
    prefixes: list[str] = []
    if record_type in catalogue():
        rtype = catalogue().get(record_type)
        if rtype.is_media:
            prefixes = list(rtype.media)
    picker = ",".join(p + "*" if p.endswith("/") else p for p in prefixes)
    camera_kinds = [p for p in prefixes if p in _CAMERA_KINDS] or list(_CAMERA_KINDS)
    camera = ",".join(p + "*" for p in camera_kinds)
    return prefixes, picker, camera


@register.inclusion_tag("uploads/_tus_widget.html", takes_context=True)
def resumable_upload(context: Any, record: Record) -> dict[str, Any]:
    prefixes, picker, camera = accept_lists(record.record_type)
    name = catalogue().get(record.record_type).name if record.record_type in catalogue() else ""
    user = context.get("user")
    limit = max_upload_bytes()
    return {
        "record": record,
        "endpoint": reverse("uploads:collection"),
        "prefixes": ",".join(prefixes),
        "picker_accept": picker,
        "camera_accept": camera,
        "type_name": name,
        "max_bytes": limit,
        "max_label": format_size(limit),
        "user_id": getattr(user, "pk", ""),
        "csrf_token": context.get("csrf_token"),
    }
