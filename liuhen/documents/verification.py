"""The digest a printed document carries, and checking a scanned QR code against the stored record.

The digest is the SM3 of the record's sealed content (the same canonical dict its ledger entry seals,
see :mod:`liuhen.core.sealing`), so a document, the ledger and ``liuhen verify`` agree on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.http import Http404

from liuhen.core.canonical import canonical_json, tagged
from liuhen.core.sealing import sealed_content
from liuhen.ledger import services as ledger
from liuhen.org.models import Person
from liuhen.records.models import Record
from liuhen.records.selectors import get_record_for

PAYLOAD_PREFIX = "liuhen:record:"
_PAYLOAD_RE = re.compile(
    r"^liuhen:record:(?P<id>\d{1,18}):v(?P<version>\d{1,9}):(?P<digest>sm3:[0-9a-f]{64})$"
)


def document_digest(record: Record) -> str:
    """``sm3:<hex>`` of the record's sealed content."""
    return tagged("sm3", canonical_json(sealed_content(record)))


def qr_payload(record: Record) -> str:
    """What the QR code of a document encodes: ``liuhen:record:<id>:v<version>:<sm3 digest>``."""
    return f"{PAYLOAD_PREFIX}{record.pk}:v{record.version}:{document_digest(record)}"


@dataclass(frozen=True)
class Payload:
    record_id: int
    version: int
    digest: str


def parse_payload(code: str) -> Payload | None:
    """The parts of a QR payload, or None when ``code`` is not one (whitespace is ignored)."""
    match = _PAYLOAD_RE.match(re.sub(r"\s+", "", code or "").lower())
    if match is None:
        return None
    return Payload(int(match["id"]), int(match["version"]), match["digest"])


# Outcomes of a check, in the order a reader cares about.
MATCH = "match"
MISMATCH = "mismatch"
NOT_FOUND = "not_found"
MALFORMED = "malformed"


@dataclass(frozen=True)
class CheckResult:
    status: str
    message: str
    payload: Payload | None = None
    record: Record | None = None
    stored_digest: str = ""
    latest: Record | None = None  # the current version when the checked one has been superseded

    @property
    def ok(self) -> bool:
        return self.status == MATCH


def _latest_version(record: Record) -> Record:
    latest = record
    while (newer := Record.objects.filter(supersedes=latest).first()) is not None:
        latest = newer
    return latest


def check_code(person: Person, code: str) -> CheckResult:
    """Whether the document carrying ``code`` matches the record as stored, as far as ``person`` may
    see it (records outside their scope read as not found). A successful lookup is a ledger event."""
    payload = parse_payload(code)
    if payload is None:
        return CheckResult(MALFORMED, "无法识别的核验码：应为文书二维码中的“liuhen:record:…”内容。")
    try:
        record = get_record_for(person, payload.record_id)
    except Http404:
        return CheckResult(NOT_FOUND, "记录不存在，或您无权查看该记录。", payload=payload)
    stored = document_digest(record)
    ledger.record_access(
        actor=person,
        action="document.verify",
        obj=record,
        case_id=record.case_id,
        detail={"digest": payload.digest, "version": payload.version, "matches": stored == payload.digest},
    )
    latest = _latest_version(record)
    newer = latest if latest.pk != record.pk else None
    if payload.version != record.version or payload.digest != stored:
        return CheckResult(
            MISMATCH,
            "不一致：文书上的摘要与系统中保存的记录不符，该文书可能被篡改或不是由本系统生成。",
            payload=payload,
            record=record,
            stored_digest=stored,
            latest=newer,
        )
    message = f"一致：该文书与系统中保存的记录（第 {record.version} 版）相符。"
    if newer is not None:
        message += f"注意：该记录已有更新版本（第 {newer.version} 版）。"
    return CheckResult(MATCH, message, payload=payload, record=record, stored_digest=stored, latest=newer)
