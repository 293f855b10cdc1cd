"""What the rule engine sees of a case: plain frozen data, no Django, no I/O.

Built in bulk from the database by :mod:`liuhen.policy.selectors` (no per-case queries);
built by hand in tests and by hypothesis. Times are aware datetimes (UTC or +08:00);
``today`` is the legal "now" in Asia/Shanghai, passed in so evaluation is deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True)
class StageEvent:
    from_stage: str
    to_stage: str
    branch: str
    at: datetime
    reason: str = ""


@dataclass(frozen=True)
class HandlerSnap:
    person_id: int
    certificate_no: str
    is_lead: bool = False


@dataclass(frozen=True)
class PartySnap:
    kind: str  # liuhen.cases.models.PartyKind value: "person" | "organisation"
    name: str = ""


@dataclass(frozen=True)
class SignerSnap:
    role: str  # liuhen.records.models.SignerRole value
    refused: bool = False
    signed_at: datetime | None = None


@dataclass(frozen=True)
class AttachmentSnap:
    """A file of a record. For audio-visual files the loader adds what the recording itself and
    the officer's declarations about it say (``liuhen.av``: the imported item's claimed recording
    time, duration and recorder, and the current ``MediaDeclaration``); files that are neither
    imported nor declared keep the defaults."""

    media_type: str
    size: int
    created_at: datetime  # when the content reached the vault (upload time: the blob's time)
    recorded_at: datetime | None = None  # recording start (the imported item's claimed time)
    ended_at: datetime | None = None  # recording end (start + duration)
    recorder_no: str = ""  # the recorder's serial (执法记录仪编号)
    # The officer's declarations (AV-7 field work and return, AV-3 consent / secrets / privacy,
    # AV-4 opening statement, AV-6 explanation of the gap before this clip).
    field_work: str = ""  # "continuous" | "off_site" | "remote" (WD 第二十二条)
    returned_at: datetime | None = None
    consent: str = ""  # "not_applicable" | "consented" | "refused"
    secret: bool = False  # commercial / technical secrets
    privacy: bool = False  # personal privacy
    opening_statement: tuple[str, ...] = ()
    gap_explanation: str = ""


@dataclass(frozen=True)
class RecordSnap:
    id: int
    record_type: str
    stage: str  # the case stage the record was made in
    created_at: datetime
    data: dict[str, Any]  # validated fields (see records/catalogue.toml)
    version: int = 1
    signers: tuple[SignerSnap, ...] = ()
    attachments: tuple[AttachmentSnap, ...] = ()

    def may_hold(self, field: str) -> bool:
        """False only when ``data`` certainly has no ``field`` key: lets a reader skip a record
        whose content is not built yet (see ``policy.loading.LoadedRecord``). Here: always True."""
        return True

    def may_have_av(self) -> bool:
        """False only when the record certainly has no video / audio / image file (lets the engine
        skip building a loaded record's files). Here: always True."""
        return True


@dataclass(frozen=True)
class CaseSnapshot:
    id: int
    number: str
    pack: str  # the agency's policy pack code (liuhen.org.models.PolicyPack)
    case_type: str
    procedure: str  # "simple" | "general" (liuhen.cases.models.Procedure)
    source: str
    stage: str
    branch: str
    opened_at: datetime
    today: date
    stage_history: tuple[StageEvent, ...] = ()
    handlers: tuple[HandlerSnap, ...] = ()
    parties: tuple[PartySnap, ...] = ()
    records: tuple[RecordSnap, ...] = field(default=())  # current versions only

    def records_of(self, record_type: str) -> tuple[RecordSnap, ...]:
        return tuple(r for r in self.records if r.record_type == record_type)

    def entered(self, stage: str) -> datetime | None:
        """When the case (last) entered ``stage``."""
        times = [e.at for e in self.stage_history if e.to_stage == stage]
        return max(times) if times else None
