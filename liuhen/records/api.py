"""Record endpoints of the JSON API: the catalogue, records of a case, versions, signers and
uploads. Reads go through :mod:`liuhen.records.selectors`; writes through the services."""

from __future__ import annotations

from datetime import datetime
from typing import Any, BinaryIO, cast
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from liuhen.cases.selectors import get_case_for
from liuhen.core.api_errors import ERROR_RESPONSES, ErrorOut
from liuhen.org.api import actor
from liuhen.org.models import Person
from liuhen.records import services
from liuhen.records.catalogue import FieldSpec, RecordType, catalogue
from liuhen.records.models import Confidentiality, Record, RecordAttachment, RecordSigner
from liuhen.records.selectors import get_record_for, records_of_case, versions_of

router = Router(tags=["records"])


class FieldChoiceOut(Schema):
    value: str
    label: str


class FieldOut(Schema):
    name: str
    label: str
    type: str
    required: bool
    choices: list[FieldChoiceOut]
    help: str
    min: str | None
    max: str | None
    max_length: int | None
    after: str


class RecordTypeOut(Schema):
    code: str
    name: str
    stage: str
    kind: str
    media: list[str]
    requirements: list[str]
    description: str
    signers: list[str]
    fields: list[FieldOut]


class SignerIn(Schema):
    role: str
    name: str
    person_id: int | None = None
    signed_at: datetime | None = None
    refused: bool = False
    note: str = ""


class SignerOut(Schema):
    id: int
    role: str
    name: str
    person_id: int | None
    signed_at: datetime
    refused: bool
    note: str


class AttachmentOut(Schema):
    id: int
    record_id: int
    filename: str
    caption: str
    sm3: str
    sha256: str
    size: int
    media_type: str
    content_url: str
    created_at: datetime


class VersionOut(Schema):
    id: int
    version: int
    created_at: datetime
    correction_reason: str


class RecordSummaryOut(Schema):
    id: int
    case_id: int | None
    record_type: str
    record_type_name: str
    series: UUID
    version: int
    supersedes_id: int | None
    stage: str
    title: str
    confidentiality: str
    created_by: str
    created_at: datetime


class RecordOut(RecordSummaryOut):
    data: dict[str, Any]
    correction_reason: str
    is_current: bool
    signers: list[SignerOut]
    attachments: list[AttachmentOut]
    versions: list[VersionOut]


class RecordIn(Schema):
    record_type: str
    data: dict[str, Any]
    confidentiality: str = Confidentiality.NORMAL
    title: str = ""
    signers: list[SignerIn] = []


class CorrectionIn(Schema):
    data: dict[str, Any]
    reason: str
    confidentiality: str | None = None
    signers: list[SignerIn] = []
    keep_attachments: bool = True


def _field_out(spec: FieldSpec) -> FieldOut:
    return FieldOut(
        name=spec.name,
        label=spec.label,
        type=spec.type,
        required=spec.required,
        choices=[FieldChoiceOut(value=v, label=label) for v, label in spec.choices],
        help=spec.help,
        min=None if spec.min is None else str(spec.min),
        max=None if spec.max is None else str(spec.max),
        max_length=spec.max_length,
        after=spec.after,
    )


def record_type_out(rtype: RecordType) -> RecordTypeOut:
    return RecordTypeOut(
        code=rtype.code,
        name=rtype.name,
        stage=rtype.stage,
        kind=rtype.kind,
        media=list(rtype.media),
        requirements=list(rtype.requirements),
        description=rtype.description,
        signers=list(rtype.signers),
        fields=[_field_out(f) for f in rtype.fields],
    )


def _type_name(code: str) -> str:
    return catalogue().get(code).name if code in catalogue() else code


def signer_out(signer: RecordSigner) -> SignerOut:
    return SignerOut(
        id=signer.pk,
        role=signer.role,
        name=signer.name,
        person_id=signer.person_id,
        signed_at=signer.signed_at,
        refused=signer.refused,
        note=signer.note,
    )


def attachment_out(attachment: RecordAttachment) -> AttachmentOut:
    blob = attachment.blob
    return AttachmentOut(
        id=attachment.pk,
        record_id=attachment.record_id,
        filename=attachment.filename,
        caption=attachment.caption,
        sm3=blob.sm3,
        sha256=blob.sha256,
        size=blob.size,
        media_type=blob.media_type,
        content_url=reverse("api:attachment_content", kwargs={"attachment_id": attachment.pk}),
        created_at=attachment.created_at,
    )


def record_summary(record: Record) -> RecordSummaryOut:
    return RecordSummaryOut(
        id=record.pk,
        case_id=record.case_id,
        record_type=record.record_type,
        record_type_name=_type_name(record.record_type),
        series=record.series,
        version=record.version,
        supersedes_id=record.supersedes_id,
        stage=record.stage,
        title=record.title,
        confidentiality=record.confidentiality,
        created_by=record.created_by.full_name or record.created_by.username,
        created_at=record.created_at,
    )


def record_out(person: Person, record: Record) -> RecordOut:
    versions = list(versions_of(person, record))
    return RecordOut(
        **record_summary(record).model_dump(),
        data=record.fields,
        correction_reason=record.correction_reason,
        is_current=not Record.objects.filter(supersedes=record).exists(),
        signers=[signer_out(s) for s in record.signers.all()],
        attachments=[attachment_out(a) for a in record.attachments.select_related("blob")],
        versions=[
            VersionOut(
                id=v.pk, version=v.version, created_at=v.created_at, correction_reason=v.correction_reason
            )
            for v in versions
        ],
    )


def _signer_inputs(person: Person, signers: list[SignerIn]) -> list[services.SignerInput]:
    ids = {s.person_id for s in signers if s.person_id is not None}
    people = {p.pk: p for p in Person.objects.filter(pk__in=ids, agency_id=person.agency_id or 0)}
    errors = [str(pk) for pk in ids if pk not in people]
    if errors:
        raise ValidationError({"signers": [f"签名人员不存在或不属于本机关：{'、'.join(sorted(errors))}"]})
    return [
        services.SignerInput(
            role=s.role,
            name=s.name,
            person=people[s.person_id] if s.person_id is not None else None,
            signed_at=s.signed_at,
            refused=s.refused,
            note=s.note,
        )
        for s in signers
    ]


def _reload(person: Person, record: Record) -> Record:
    return get_record_for(person, record.pk)


@router.get("/record-types", response={200: list[RecordTypeOut], **ERROR_RESPONSES}, summary="记录类型目录")
def list_record_types(request: HttpRequest) -> list[RecordTypeOut]:
    """The record-type catalogue with each type's field schema (for generating forms)."""
    return [record_type_out(t) for t in catalogue()]


@router.get(
    "/cases/{case_id}/records",
    response={200: list[RecordSummaryOut], **ERROR_RESPONSES},
    summary="案件的记录",
)
def list_records(request: HttpRequest, case_id: int, all_versions: bool = False) -> list[RecordSummaryOut]:
    """Current versions by default (``all_versions=true`` for the whole chains); confidential
    records only where the caller's role allows (AC-3)."""
    person = actor(request)
    case = get_case_for(person, case_id)
    return [record_summary(r) for r in records_of_case(person, case, current_only=not all_versions)]


@router.post("/cases/{case_id}/records", response={201: RecordOut, **ERROR_RESPONSES}, summary="新建记录")
def create_record(request: HttpRequest, case_id: int, payload: RecordIn) -> Status[RecordOut]:
    """``data`` is validated against the record type's field schema; errors name the fields."""
    person = actor(request)
    case = get_case_for(person, case_id)
    if payload.record_type not in catalogue():
        raise ValidationError({"record_type": [f"未知的记录类型：{payload.record_type}"]})
    record = services.create_record(
        actor=person,
        case=case,
        record_type=payload.record_type,
        data=payload.data,
        confidentiality=payload.confidentiality,
        title=payload.title,
        signers=_signer_inputs(person, payload.signers),
    )
    return Status(201, record_out(person, _reload(person, record)))


@router.get("/records/{record_id}", response={200: RecordOut, **ERROR_RESPONSES}, summary="记录详情")
def get_record(request: HttpRequest, record_id: int) -> RecordOut:
    """Reading a record's content is a ledger event (``record.view``)."""
    person = actor(request)
    record = get_record_for(person, record_id)
    services.record_viewed(actor=person, record=record)
    return record_out(person, record)


@router.post(
    "/records/{record_id}/versions", response={201: RecordOut, **ERROR_RESPONSES}, summary="更正（新版本）"
)
def correct_record(request: HttpRequest, record_id: int, payload: CorrectionIn) -> Status[RecordOut]:
    """A correction is a new version superseding this one; the old version stays unchanged."""
    person = actor(request)
    record = get_record_for(person, record_id)
    new = services.correct_record(
        actor=person,
        record=record,
        data=payload.data,
        reason=payload.reason,
        confidentiality=payload.confidentiality,
        signers=_signer_inputs(person, payload.signers),
        keep_attachments=payload.keep_attachments,
    )
    return Status(201, record_out(person, _reload(person, new)))


@router.post("/records/{record_id}/signers", response={201: SignerOut, **ERROR_RESPONSES}, summary="添加签名")
def add_signer(request: HttpRequest, record_id: int, payload: SignerIn) -> Status[SignerOut]:
    person = actor(request)
    record = get_record_for(person, record_id)
    (signer,) = _signer_inputs(person, [payload])
    row = services.sign_record(actor=person, record=record, signer=signer)
    return Status(201, signer_out(row))


@router.post(
    "/records/{record_id}/attachments",
    response={201: list[AttachmentOut], 413: ErrorOut, **ERROR_RESPONSES},
    summary="上传附件",
)
def upload_attachments(
    request: HttpRequest,
    record_id: int,
    files: File[list[UploadedFile]],
    caption: Form[str] = "",
) -> Status[list[AttachmentOut]]:
    """``multipart/form-data`` with one or more ``files``. Each is streamed into the vault
    (SM3 + SHA-256 in one pass); if any fails, none is attached and no file is left behind."""
    person = actor(request)
    record = get_record_for(person, record_id)
    if Record.objects.filter(supersedes=record).exists():
        raise ValidationError("该记录已有更新版本，请在最新版本上添加附件。")
    inputs = [
        services.FileInput(
            source=cast(BinaryIO, f),
            filename=(f.name or "upload").rsplit("/", 1)[-1],
            caption=caption.strip(),
            media_type=f.content_type
            if f.content_type and f.content_type != "application/octet-stream"
            else None,
        )
        for f in files
    ]
    attachments = services.attach_files(actor=person, record=record, files=inputs)
    return Status(201, [attachment_out(a) for a in attachments])
