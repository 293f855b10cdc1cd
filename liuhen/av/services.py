"""Writes for audio-visual items: import from a dock (stream into the vault, read the metadata,
seal the item — one transaction per file), and the officer's attribution: confirm into a record
of a case (through :mod:`liuhen.records.services`, so the ledger and the policy deadlines stay
right), reassign to another officer, or declare it unrelated to any case. Nothing is edited in
place; every write appends its ledger entry in the same transaction."""

from __future__ import annotations

import mimetypes
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path, PurePath
from typing import Any, BinaryIO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from liuhen.av import selectors
from liuhen.av.derivatives import enqueue_for
from liuhen.av.metadata import MediaMetadata, extract
from liuhen.av.models import Attribution, AttributionKind, ClaimSource, MediaItem, MediaKind, MediaSource
from liuhen.av.naming import Claim, normalise_serial
from liuhen.cases.models import Case
from liuhen.cases.selectors import can_write_case, cases_visible_to
from liuhen.core.canonical import canonical_json
from liuhen.core.sealing import sealed_content
from liuhen.ledger import services as ledger
from liuhen.org.models import Agency, Person, Role
from liuhen.records.catalogue import catalogue
from liuhen.records.models import Confidentiality, Record
from liuhen.records.services import FileInput, attach_files, create_record
from liuhen.vault import services as vault
from liuhen.vault.models import Blob
from liuhen.vault.storage import HashedFile

# File types recorders write that Python's mimetypes does not know (or knows differently).
EXTRA_MEDIA_TYPES: dict[str, str] = {
    ".mp4": "video/mp4",
    ".mov": "video/quicktime",
    ".avi": "video/x-msvideo",
    ".mkv": "video/x-matroska",
    ".ts": "video/mp2t",
    ".mts": "video/mp2t",
    ".m2ts": "video/mp2t",
    ".3gp": "video/3gpp",
    ".264": "video/h264",
    ".h264": "video/h264",
    ".265": "video/h265",
    ".h265": "video/h265",
    ".dav": "video/x-dav",
    ".wav": "audio/wav",
    ".m4a": "audio/mp4",
    ".aac": "audio/aac",
    ".amr": "audio/amr",
    ".mp3": "audio/mpeg",
    ".wma": "audio/x-ms-wma",
    ".opus": "audio/ogg",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".heic": "image/heic",
    ".xml": "application/xml",
    ".json": "application/json",
    ".txt": "text/plain",
}

# The record a confirmed item becomes, by kind (catalogue codes).
RECORD_TYPE_FOR_KIND = {MediaKind.VIDEO: "video", MediaKind.AUDIO: "audio", MediaKind.IMAGE: "photo"}

CONFIRMED_FINAL = "该音像资料已确认归入案件，如需更正请在案件记录中更正。"


def media_type_for(filename: str) -> str:
    suffix = PurePath(filename).suffix.lower()
    if suffix in EXTRA_MEDIA_TYPES:
        return EXTRA_MEDIA_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(filename)
    return guessed or "application/octet-stream"


def kind_for(media_type: str) -> str:
    for prefix, kind in (
        ("video/", MediaKind.VIDEO),
        ("audio/", MediaKind.AUDIO),
        ("image/", MediaKind.IMAGE),
    ):
        if media_type.startswith(prefix):
            return kind
    return MediaKind.OTHER


# --- import ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DockFile:
    """A file found in a dock folder. ``path`` is relative to ``dock`` (POSIX separators)."""

    dock: str
    path: str
    absolute: Path
    size: int
    mtime_ns: int
    sidecar: Path | None = None

    @property
    def name(self) -> str:
        return PurePath(self.path).name


class Outcome(StrEnum):
    IMPORTED = "imported"
    DUPLICATE = "duplicate"  # same content as an item imported before from another path
    ALREADY = "already"  # this path with this content was imported before


@dataclass(frozen=True)
class ImportResult:
    outcome: Outcome
    item: MediaItem
    source: MediaSource | None = None


def _add_source(*, actor: Person | None, item: MediaItem, file: DockFile, duplicate: bool) -> MediaSource:
    source = MediaSource(
        item=item,
        dock=file.dock[:500],
        path=file.path[:1000],
        size=file.size,
        mtime_ns=file.mtime_ns,
        duplicate=duplicate,
        imported_by=actor,
        imported_at=timezone.now(),
    )
    source.save(force_insert=True)
    ledger.append(
        actor=actor,
        action="av.source",
        obj=source,
        payload={"content": sealed_content(source), "item": item.pk},
    )
    return source


def _read_metadata(blob: Blob, filename: str) -> MediaMetadata:
    """From the stored copy (the bytes the item is), not the dock file."""
    with vault.get_storage().open(blob.storage_key) as fh:
        return extract(fh, media_type=blob.media_type, filename=filename, tz=timezone.get_default_timezone())


def import_file(
    *,
    actor: Person | None,
    agency: Agency,
    file: DockFile,
    claim: Claim,
    device_option: str = "",
    reader: BinaryIO | None = None,
    hashed: HashedFile | None = None,
    queue_derivatives: bool = True,
) -> ImportResult:
    """Store one dock file and seal it as an item of ``agency`` not yet in a case — in one
    transaction, so a crash leaves either the whole item or nothing (the vault's recovery removes
    a file whose row never committed). ``reader`` (an open stream of the file, e.g. one that
    reports progress) is read instead of opening ``file.absolute``.

    The serial is the claim's (sidecar, file name, device folder), else the media's own (EXIF body
    serial, container tag), else ``device_option``; the start time the claim's, else the media's
    embedded time. When both a claimed and an embedded time exist their difference is kept
    (flagged beyond ``LIUHEN_AV_TIME_TOLERANCE_SECONDS``).

    ``hashed``: the file already copied into the vault's ``tmp/`` with its digests (the dock
    import does that before its transaction), hard-linked in instead of read again. The item's
    derivatives (playback copy, poster) are queued in the same transaction unless
    ``queue_derivatives`` is false (the dock import queues one task per batch)."""
    if file.size == 0:
        raise ValidationError({"file": "空文件（0 字节），未导入。"})
    media_type = media_type_for(file.name)
    with vault.atomic_with_blobs():
        source: BinaryIO | str | HashedFile = str(file.absolute)
        if hashed is not None:
            source = hashed
        elif reader is not None:
            source = reader
        blob = vault.ingest(actor=actor, source=source, filename=file.name, media_type=media_type)
        if blob.size != file.size:
            raise ValidationError({"file": "文件在导入过程中发生变化（可能仍在复制），未导入，请稍后重试。"})
        existing = MediaItem.objects.filter(agency=agency, blob=blob).first()
        if existing is not None:
            if existing.sources.filter(path=file.path[:1000]).exists():
                return ImportResult(Outcome.ALREADY, existing)
            duplicate = _add_source(actor=actor, item=existing, file=file, duplicate=True)
            return ImportResult(Outcome.DUPLICATE, existing, duplicate)
        meta = _read_metadata(blob, file.name)
        sidecar = None
        if file.sidecar is not None:
            sidecar = vault.ingest(
                actor=actor, source=str(file.sidecar), filename=file.sidecar.name,
                media_type=media_type_for(file.sidecar.name),
            )  # fmt: skip
        item = _new_item(
            actor=actor,
            agency=agency,
            blob=blob,
            file=file,
            claim=claim,
            meta=meta,
            device_option=device_option,
        )
        if sidecar is not None:
            item.sidecar, item.sidecar_filename = sidecar, file.sidecar.name[:255] if file.sidecar else ""
        item.save(force_insert=True)
        ledger.append(
            actor=actor,
            action="av.import",
            obj=item,
            payload={"content": sealed_content(item), "dock": file.dock, "path": file.path},
        )
        added = _add_source(actor=actor, item=item, file=file, duplicate=False)
        if queue_derivatives:
            enqueue_for([item])
    return ImportResult(Outcome.IMPORTED, item, added)


def _new_item(
    *,
    actor: Person | None,
    agency: Agency,
    blob: Blob,
    file: DockFile,
    claim: Claim,
    meta: MediaMetadata,
    device_option: str,
) -> MediaItem:
    serial, serial_source = claim.serial, claim.serial_source
    if not serial and meta.serial:
        serial, serial_source = normalise_serial(meta.serial), ClaimSource.METADATA
    if not serial and device_option.strip():
        serial, serial_source = normalise_serial(device_option), ClaimSource.OPTION
    recorded_at, time_source = claim.recorded_at, claim.time_source
    offset: int | None = None
    if recorded_at is not None and meta.created_at is not None:
        offset = round((meta.created_at - recorded_at).total_seconds())
    if recorded_at is None and meta.created_at is not None:
        recorded_at, time_source = meta.created_at, ClaimSource.METADATA
    latitude, longitude, location_source = claim.latitude, claim.longitude, claim.location_source
    if not (latitude and longitude) and meta.latitude and meta.longitude:
        latitude, longitude, location_source = meta.latitude, meta.longitude, ClaimSource.METADATA
    return MediaItem(
        agency=agency,
        blob=blob,
        filename=file.name[:255],
        kind=kind_for(blob.media_type),
        recorder_no=serial[:64],
        recorder_source=serial_source if serial else "",
        officer_no=claim.officer_no[:32],
        recorded_at=recorded_at,
        time_source=time_source if recorded_at else "",
        embedded_at=meta.created_at,
        time_offset_seconds=offset,
        duration_ms=meta.duration_ms,
        width=meta.width,
        height=meta.height,
        container=meta.container[:64],
        video_codec=meta.video_codec[:32],
        audio_codec=meta.audio_codec[:32],
        latitude=latitude,
        longitude=longitude,
        location_source=location_source if latitude else "",
        make=meta.make[:64],
        model_name=meta.model[:64],
        metadata=canonical_json(meta.tags).decode("utf-8"),
        metadata_error=meta.error,
        imported_by=actor,
        imported_at=timezone.now(),
    )


# --- attribution (AV-8, EQ-5) ------------------------------------------------------------------


def _attribute(
    *,
    actor: Person,
    item: MediaItem,
    kind: str,
    officer: Person | None,
    note: str,
    case: Case | None = None,
    record: Record | None = None,
) -> Attribution:
    """Insert the new current attribution (inside the caller's transaction). The current one is
    re-read under the transaction: two people acting at once cannot both supersede it (the
    one-to-one ``supersedes`` and the one-root constraint refuse the second)."""
    current = selectors.current_attribution(item)
    if current is not None and current.kind == AttributionKind.CONFIRMED:
        raise ValidationError(CONFIRMED_FINAL)
    row = Attribution(
        item=item,
        kind=kind,
        officer=officer,
        case=case,
        record=record,
        note=note,
        supersedes=current,
        actor=actor,
        created_at=timezone.now(),
    )
    row.save(force_insert=True)
    ledger.append(
        actor=actor,
        action="av.attribute",
        obj=row,
        case_id=case.pk if case is not None else None,
        payload={"content": sealed_content(row), "item": item.pk, "blob": item.blob.sm3},
    )
    return row


def _local_iso(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value is not None else None


def record_data_for(
    *,
    item: MediaItem,
    record_type: str,
    officer: Person,
    description: str = "",
    scenario: str = "",
    activity: Record | None = None,
) -> dict[str, Any]:
    """The fields of the photo/video/audio record a confirmed item becomes (AV-8: recorder
    number, officer, time, place), limited to the fields the catalogue type has."""
    rtype = catalogue().get(record_type)
    names = {spec.name for spec in rtype.fields}
    when = timezone.localtime(item.recorded_at).strftime("%Y-%m-%d %H:%M") if item.recorded_at else "时间不明"
    text = description.strip() or (
        f"执法记录仪{(' ' + item.recorder_no) if item.recorder_no else ''} {when} {rtype.name}"
        f"（音像导入：{item.filename}）"
        + (f"；对应{activity.title}（记录 #{activity.pk}）" if activity is not None else "")
    )
    values: dict[str, Any] = {
        "description": text,
        "recorded_at": _local_iso(item.recorded_at),
        "recorder_no": item.recorder_no,
        "location": f"{item.latitude},{item.longitude}" if item.has_location else "",
        "recorded_by": officer.full_name,
        "photographer": officer.full_name,
        "scenario": scenario,
    }
    if item.recorded_at is not None and item.duration_ms and record_type in ("video", "audio"):
        values["ended_at"] = _local_iso(item.recorded_at + timedelta(milliseconds=item.duration_ms))
    return {k: v for k, v in values.items() if k in names and v not in (None, "")}


def confirm_item(
    *,
    actor: Person,
    item: MediaItem,
    case: Case,
    record: Record | None = None,
    activity: Record | None = None,
    description: str = "",
    scenario: str = "",
    confidentiality: str = Confidentiality.NORMAL,
    note: str = "",
) -> Attribution:
    """The officer confirms the item as theirs and puts it in ``case``: attached to ``record`` (a
    current record of that case) if given, else as a new photo/video/audio record of the case
    (``activity``: the inquiry, inspection… it documents, named in the description). The record
    and the attribution commit together."""
    if not selectors.can_confirm(actor, item):
        raise PermissionDenied("只有该音像资料的使用人（记录仪领用人或被指派的执法人员）可以确认。")
    if not cases_visible_to(actor).filter(pk=case.pk).exists() or not can_write_case(actor, case):
        raise ValidationError({"case": "只能归入本人承办的案件。"})
    if record is not None and (
        record.case_id != case.pk or Record.objects.filter(supersedes=record).exists()
    ):
        raise ValidationError({"record": "请选择该案件中记录的最新版本。"})
    if activity is not None and activity.case_id != case.pk:
        raise ValidationError({"activity": "所选执法活动不属于该案件。"})
    file = FileInput(
        source=item.blob, filename=item.filename, caption="音像导入", media_type=item.blob.media_type
    )
    with vault.atomic_with_blobs():
        if record is not None:
            attach_files(actor=actor, record=record, files=[file])
            target = record
        else:
            record_type = RECORD_TYPE_FOR_KIND.get(MediaKind(item.kind))
            if record_type is None:
                raise ValidationError({"record": "该文件不是照片、录音或录像，只能附加到已有记录。"})
            target = create_record(
                actor=actor,
                case=case,
                record_type=record_type,
                data=record_data_for(
                    item=item,
                    record_type=record_type,
                    officer=actor,
                    description=description,
                    scenario=scenario,
                    activity=activity,
                ),
                confidentiality=confidentiality,
                title=f"{catalogue().get(record_type).name} {item.filename}"[:200],
                files=[file],
            )
        return _attribute(
            actor=actor,
            item=item,
            kind=AttributionKind.CONFIRMED,
            officer=actor,
            note=note.strip(),
            case=case,
            record=target,
        )


def reassign_item(*, actor: Person, item: MediaItem, officer: Person, reason: str) -> Attribution:
    """A correction: the file is not the suggested officer's (a colleague used the recorder, the
    checkout log is wrong) — or the equipment office assigns an unattributed one. It goes to
    ``officer``'s inbox to confirm."""
    if not selectors.can_reassign(actor, item):
        raise PermissionDenied("只有该音像资料的使用人、所在科室负责人或装备管理员可以改派。")
    errors: dict[str, str] = {}
    if not reason.strip():
        errors["reason"] = "请说明改派理由。"
    eligible = officer.is_active and officer.agency_id == item.agency_id and officer.has_role(Role.OFFICER)
    if not eligible:
        errors["officer"] = "只能改派给本机关在职的执法人员。"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        return _attribute(
            actor=actor, item=item, kind=AttributionKind.REASSIGNED, officer=officer, note=reason.strip()
        )


def mark_no_case(*, actor: Person, item: MediaItem, reason: str) -> Attribution:
    """The officer declares the recording unrelated to any case (test recording, training…): kept
    and listed, since recorders are for law enforcement only (EQ-5)."""
    if not selectors.can_confirm(actor, item):
        raise PermissionDenied("只有该音像资料的使用人可以说明。")
    if not reason.strip():
        raise ValidationError({"reason": "请说明该音像资料与案件无关的原因。"})
    with transaction.atomic():
        return _attribute(
            actor=actor, item=item, kind=AttributionKind.NO_CASE, officer=actor, note=reason.strip()
        )


def describe_claim(item: MediaItem) -> Mapping[str, str]:
    """Labels of where the serial, time and place came from (for pages and the CLI)."""
    labels = dict(ClaimSource.choices)
    return {
        "recorder": str(labels.get(item.recorder_source, "")),
        "time": str(labels.get(item.time_source, "")),
        "location": str(labels.get(item.location_source, "")),
    }
