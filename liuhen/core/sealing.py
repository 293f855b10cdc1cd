"""Sealed content: the canonical dict of a write-once row, recorded in its ledger entry.

A model opts in with ``SEALED_FIELDS``. The creating service puts ``sealed_content(obj)`` in the
ledger payload under ``"content"``; ``liuhen verify`` recomputes it from the row and compares, so
a row edited behind the application's back (triggers dropped) is named.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import models

from liuhen.ledger.services import iso_utc


def sealed_content(obj: models.Model) -> dict[str, Any]:
    fields: tuple[str, ...] = type(obj).SEALED_FIELDS  # type: ignore[attr-defined]
    content: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        value = getattr(obj, field.attname)  # type: ignore[union-attr]
        if isinstance(value, datetime):
            value = iso_utc(value)
        elif isinstance(value, Decimal):
            value = str(value)
        content[name] = value
    return content


def sealed_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if hasattr(m, "SEALED_FIELDS")]
