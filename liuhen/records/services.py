"""Writes for records: create, correct (new version), sign, attach. Nothing is edited in place."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from liuhen.cases.models import Case
from liuhen.cases.selectors import can_write_case
from liuhen.core.canonical import canonical_json
from liuhen.core.sealing import sealed_content
from liuhen.ledger import services as ledger
from liuhen.org.models import Person
from liuhen.records.catalogue import CatalogueError, RecordDataError, catalogue, validate_record_data
from liuhen.records.models import Confidentiality, Record, RecordAttachment, RecordSigner, SignerRole
from liuhen.vault import services as vault
from liuhen.vault.models import Blob
from liuhen.vault.storage import HashedFile


@dataclass(frozen=True)
class SignerInput:
    role: str
    name: str
    person: Person | None = None
    signed_at: datetime | None = None
    refused: bool = False
    note: str = ""


@dataclass(frozen=True)
class FileInput:
    """An uploaded or local file to store in the vault and attach (a ``HashedFile`` is a finished
    resumable upload already in the vault's filesystem, hashed as it arrived; a ``Blob`` is content
    already in the vault, e.g. an imported recording, attached without reading it again)."""

    source: BinaryIO | str | HashedFile | Blob
    filename: str
    caption: str = ""
    media_type: str | None = None


def _refresh_deadlines(*, case: Case, actor: Person) -> None:
    """A record may start or meet a deadline: keep the materialised ones in step (same transaction)."""
    from liuhen.policy.services import refresh_deadlines

    refresh_deadlines(case=case, actor=actor)


def _require_writer(actor: Person, case: Case, record_type: str = "") -> None:
    # The legal office writes its review records and the agency head signs decisions (LR-2..LR-8,
    # DC-3); a revoked case still files the revocation (HY-FS 第十二条): liuhen.review decides.
    from liuhen.review import selectors as review

    if not can_write_case(actor, case) and not review.may_record_for_review(actor, case, record_type):
        raise PermissionDenied("只有本案承办人员或科室负责人可以记录。")
    if case.branch and not review.may_record_after_branch(case, record_type):
        raise ValidationError("案件已终止，不能再添加记录。")


def _check_decision_allowed(case: Case, record_type: str, cleaned: Mapping[str, Any]) -> None:
    """LR-7: no major decision without legal review — refused here, so the web UI, the API and the
    CLI all refuse it, with the citation (liuhen.review.selectors.decision_refusal)."""
    from liuhen.review.selectors import decision_refusal

    refusal = decision_refusal(case, record_type, cleaned)
    if refusal:
        raise ValidationError(refusal, code="legal_review_required")


def _validate(record_type: str, data: Mapping[str, Any], confidentiality: str) -> dict[str, Any]:
    try:
        rtype = catalogue().get(record_type)
    except CatalogueError as exc:
        raise ValidationError({"record_type": [str(exc)]}) from exc
    if confidentiality not in Confidentiality.values:
        raise ValidationError({"confidentiality": ["密级无效。"]})
    try:
        return validate_record_data(rtype, data)
    except RecordDataError as exc:
        raise ValidationError(exc.errors) from exc


def _insert_record(
    *,
    actor: Person,
    case: Case,
    record_type: str,
    cleaned: dict[str, Any],
    confidentiality: str,
    title: str,
    supersedes: Record | None,
    reason: str,
) -> Record:
    record = Record(
        case=case,
        record_type=record_type,
        series=supersedes.series if supersedes else uuid.uuid4(),
        version=supersedes.version + 1 if supersedes else 1,
        supersedes=supersedes,
        stage=case.stage,
        title=title or catalogue().get(record_type).name,
        data=canonical_json(cleaned).decode("utf-8"),
        confidentiality=confidentiality,
        correction_reason=reason,
        created_by=actor,
        created_at=timezone.now(),
    )
    record.save(force_insert=True)
    ledger.append(
        actor=actor,
        action="record.correct" if supersedes else "record.create",
        obj=record,
        case_id=case.pk,
        payload={"content": sealed_content(record)},
    )
    return record


def _add_signer(*, actor: Person, record: Record, signer: SignerInput) -> RecordSigner:
    if signer.role not in SignerRole.values:
        raise ValidationError({"signers": [f"签名身份无效：{signer.role}"]})
    if not signer.name.strip():
        raise ValidationError({"signers": ["请填写签名人姓名。"]})
    row = RecordSigner.objects.create(
        record=record,
        role=signer.role,
        name=signer.name.strip(),
        person=signer.person,
        signed_at=signer.signed_at or timezone.now(),
        refused=signer.refused,
        note=signer.note,
        created_by=actor,
        created_at=timezone.now(),
    )
    ledger.append(
        actor=actor,
        action="record.sign",
        obj=row,
        case_id=record.case_id,
        payload={"content": sealed_content(row)},
    )
    return row


def _attach(*, actor: Person, record: Record, blob: Blob, filename: str, caption: str) -> RecordAttachment:
    attachment = RecordAttachment.objects.create(
        record=record,
        blob=blob,
        filename=filename,
        caption=caption,
        created_by=actor,
        created_at=timezone.now(),
    )
    ledger.append(
        actor=actor,
        action="record.attach",
        obj=attachment,
        case_id=record.case_id,
        payload={"content": sealed_content(attachment)},
    )
    return attachment


def _check_media_types(record_type: str, files: Sequence[FileInput]) -> None:
    """A photo record takes images, a video record videos… (checked before anything is stored)."""
    rtype = catalogue().get(record_type)
    if not rtype.is_media:
        return
    wrong = [
        f"“{item.filename}”（{media_type}）不是{rtype.name}可接受的文件类型。"
        for item in files
        if not rtype.accepts(media_type := item.media_type or vault.guess_media_type(item.filename))
    ]
    if wrong:
        raise ValidationError({"files": wrong})


def _store_files(*, actor: Person, record: Record, files: Sequence[FileInput]) -> list[RecordAttachment]:
    attachments = []
    for item in files:
        if isinstance(item.source, Blob):
            blob = item.source
        else:
            blob = vault.ingest(
                actor=actor,
                source=item.source,
                filename=item.filename,
                media_type=item.media_type,
                case_id=record.case_id,
            )
        attachments.append(
            _attach(actor=actor, record=record, blob=blob, filename=item.filename, caption=item.caption)
        )
    return attachments


def create_record(
    *,
    actor: Person,
    case: Case,
    record_type: str,
    data: Mapping[str, Any],
    confidentiality: str = Confidentiality.NORMAL,
    title: str = "",
    signers: Sequence[SignerInput] = (),
    files: Sequence[FileInput] = (),
) -> Record:
    """Validate against the type's schema, store the files, and write it all in one transaction."""
    _require_writer(actor, case, record_type)
    cleaned = _validate(record_type, data, confidentiality)
    _check_decision_allowed(case, record_type, cleaned)
    _check_media_types(record_type, files)
    with vault.atomic_with_blobs():
        record = _insert_record(
            actor=actor,
            case=case,
            record_type=record_type,
            cleaned=cleaned,
            confidentiality=confidentiality,
            title=title,
            supersedes=None,
            reason="",
        )
        for signer in signers:
            _add_signer(actor=actor, record=record, signer=signer)
        _store_files(actor=actor, record=record, files=files)
        _refresh_deadlines(case=case, actor=actor)
    return record


def correct_record(
    *,
    actor: Person,
    record: Record,
    data: Mapping[str, Any],
    reason: str,
    confidentiality: str | None = None,
    signers: Sequence[SignerInput] = (),
    files: Sequence[FileInput] = (),
    keep_attachments: bool = True,
) -> Record:
    """A new version superseding ``record``; the old version stays as it was."""
    case = record.case
    if case is None:
        raise ValidationError("该记录不属于案件。")
    _require_writer(actor, case, record.record_type)
    if not reason.strip():
        raise ValidationError({"correction_reason": ["请填写更正理由。"]})
    level = confidentiality or record.confidentiality
    cleaned = _validate(record.record_type, data, level)
    _check_decision_allowed(case, record.record_type, cleaned)
    _check_media_types(record.record_type, files)
    with vault.atomic_with_blobs():
        if Record.objects.select_for_update().filter(supersedes=record).exists():
            raise ValidationError("该记录已有更新版本，请在最新版本上更正。")
        new = _insert_record(
            actor=actor,
            case=case,
            record_type=record.record_type,
            cleaned=cleaned,
            confidentiality=level,
            title=record.title,
            supersedes=record,
            reason=reason.strip(),
        )
        if keep_attachments:
            for old in record.attachments.select_related("blob"):
                _attach(actor=actor, record=new, blob=old.blob, filename=old.filename, caption=old.caption)
        for signer in signers:
            _add_signer(actor=actor, record=new, signer=signer)
        _store_files(actor=actor, record=new, files=files)
        _refresh_deadlines(case=case, actor=actor)
    return new


def sign_record(*, actor: Person, record: Record, signer: SignerInput) -> RecordSigner:
    if record.case is not None:
        _require_writer(actor, record.case, record.record_type)
    with transaction.atomic():
        return _add_signer(actor=actor, record=record, signer=signer)


def attach_files(*, actor: Person, record: Record, files: Sequence[FileInput]) -> list[RecordAttachment]:
    """Add files to an existing record version (e.g. a scan made after signing)."""
    case = record.case
    if case is None:
        raise ValidationError("该记录不属于案件。")
    _require_writer(actor, case, record.record_type)
    if not files:
        raise ValidationError({"files": ["请选择要上传的文件。"]})
    _check_media_types(record.record_type, files)
    attachments: list[RecordAttachment] = []
    with vault.atomic_with_blobs():
        attachments.extend(_store_files(actor=actor, record=record, files=files))
        _refresh_deadlines(case=case, actor=actor)
    return attachments


def record_viewed(*, actor: Person, record: Record) -> None:
    """Viewing protected content is a ledger event (principle 2)."""
    ledger.record_access(actor=actor, action="record.view", obj=record, case_id=record.case_id)


def attachment_downloaded(*, actor: Person, attachment: RecordAttachment, byte_range: str = "") -> None:
    ledger.record_access(
        actor=actor,
        action="blob.download",
        obj=attachment.blob,
        case_id=attachment.record.case_id,
        detail={"attachment": attachment.pk, "record": attachment.record_id, "range": byte_range},
    )
