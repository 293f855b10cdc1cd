"""Canonical serialisation and algorithm-tagged digests shared by the ledger, vault and verifier.

Kept free of Django so the offline package verifier can use the same code.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

DIGEST_ALGORITHMS = ("sm3", "sha256")


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    raise TypeError(f"not canonically serialisable: {type(value).__name__}")


def canonical_json(value: Any) -> bytes:
    """UTF-8 JSON with sorted keys and no insignificant whitespace (stable across runs)."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default
    ).encode("utf-8")


def new_hash(algorithm: str) -> Any:
    if algorithm == "sm3":
        return hashlib.new("sm3")
    if algorithm == "sha256":
        return hashlib.sha256()
    raise ValueError(f"unknown digest algorithm: {algorithm}")


def sm3(data: bytes) -> bytes:
    h = hashlib.new("sm3")
    h.update(data)
    return h.digest()


def tagged(algorithm: str, data: bytes) -> str:
    """``sm3:<hex>`` style digest of ``data``."""
    h = new_hash(algorithm)
    h.update(data)
    return f"{algorithm}:{h.hexdigest()}"


def split_tag(digest: str) -> tuple[str, str]:
    algorithm, _, hexdigest = digest.partition(":")
    if algorithm not in DIGEST_ALGORITHMS or not hexdigest:
        raise ValueError(f"not an algorithm-tagged digest: {digest!r}")
    return algorithm, hexdigest
