"""Audio-visual item endpoints of the JSON API (AV-8, EQ-5). Reads go through
:mod:`liuhen.av.selectors` (an item the caller may not see is a 404), writes through
:mod:`liuhen.av.services`."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema, Status

from liuhen.access.services import media_accessed
from liuhen.av import flags, selectors, services
from liuhen.av.models import Attribution, MediaDeclaration, MediaItem
from liuhen.core.api_errors import ERROR_RESPONSES
from liuhen.org.api import actor
from liuhen.org.models import Person, Role
from liuhen.records.models import Confidentiality, Record
from liuhen.records.selectors import get_record_for
from liuhen.vault.models import Blob

router = Router(tags=["av"])

PAGE_SIZE = 50


class ItemOut(Schema):
    id: int
    filename: str
    kind: str
    media_type: str
    size: int
    sm3: str
    sha256: str
    recorder_no: str
    recorder_source: str
    officer_no: str
    recorded_at: datetime | None
    time_source: str
    embedded_at: datetime | None
    time_offset_seconds: int | None
    duration_ms: int | None
    width: int | None
    height: int | None
    container: str
    video_codec: str
    audio_codec: str
    latitude: str
    longitude: str
    location_source: str
    make: str
    model_name: str
    metadata_error: str
    sidecar_filename: str
    imported_at: datetime
    status: str
    status_label: str
    flags: list[str]
    unattributed_reason: str
    officer_id: int | None
    officer_name: str | None
    unit_id: int | None
    case_id: int | None
    record_id: int | None


class ItemListOut(Schema):
    items: list[ItemOut]
    count: int
    page: int
    pages: int
    page_size: int


class SuggestionOut(Schema):
    case_id: int
    case_number: str
    case_title: str
    activity_record_id: int | None
    activity_type: str | None
    reason: str
    gap_seconds: int


class AttributionOut(Schema):
    id: int
    kind: str
    officer_id: int | None
    case_id: int | None
    record_id: int | None
    note: str
    actor_id: int
    created_at: datetime
    supersedes_id: int | None


class SourceOut(Schema):
    dock: str
    path: str
    size: int
    duplicate: bool
    imported_at: datetime


class ItemDetailOut(ItemOut):
    metadata: dict[str, Any]
    can_confirm: bool
    can_reassign: bool
    suggestions: list[SuggestionOut]
    attributions: list[AttributionOut]
    sources: list[SourceOut]


class ItemSearch(Schema):
    department_id: int | None = None
    recorder: str = ""
    officer_id: int | None = None
    start: date | None = None
    end: date | None = None
    party: str = ""
    case: str = ""
    status: str = ""
    flag: str = ""
    kind: str = ""
    page: int = 1


class ConfirmIn(Schema):
    """``record_id``: attach to this current record of the case; otherwise a new photo/video/audio
    record is created (``activity_record_id``: the activity it documents)."""

    case_id: int
    record_id: int | None = None
    activity_record_id: int | None = None
    description: str = ""
    scenario: str = ""
    confidentiality: str = Confidentiality.NORMAL
    note: str = ""


class ReassignIn(Schema):
    officer_id: int
    reason: str


class NoCaseIn(Schema):
    reason: str


def item_out(item: Any, state: selectors.ItemState) -> ItemOut:
    return ItemOut(
        id=item.pk,
        filename=item.filename,
        kind=item.kind,
        media_type=item.blob.media_type,
        size=item.blob.size,
        sm3=item.blob.sm3,
        sha256=item.blob.sha256,
        recorder_no=item.recorder_no,
        recorder_source=item.recorder_source,
        officer_no=item.officer_no,
        recorded_at=item.recorded_at,
        time_source=item.time_source,
        embedded_at=item.embedded_at,
        time_offset_seconds=item.time_offset_seconds,
        duration_ms=item.duration_ms,
        width=item.width,
        height=item.height,
        container=item.container,
        video_codec=item.video_codec,
        audio_codec=item.audio_codec,
        latitude=item.latitude,
        longitude=item.longitude,
        location_source=item.location_source,
        make=item.make,
        model_name=item.model_name,
        metadata_error=item.metadata_error,
        sidecar_filename=item.sidecar_filename,
        imported_at=item.imported_at,
        status=state.status,
        status_label=state.status_label,
        flags=list(state.flags),
        unattributed_reason=state.reason,
        officer_id=state.officer.pk if state.officer else None,
        officer_name=state.officer.full_name if state.officer else None,
        unit_id=getattr(item, "unit_id", None),
        case_id=getattr(item, "attr_case_id", None) if state.status == selectors.Status.CONFIRMED else None,
        record_id=getattr(item, "attr_record_id", None)
        if state.status == selectors.Status.CONFIRMED
        else None,
    )


def _list(qs: QuerySet[MediaItem], page_number: int) -> ItemListOut:
    paginator = Paginator(qs, PAGE_SIZE)
    page = paginator.get_page(page_number)
    states = selectors.states_for(page.object_list)
    return ItemListOut(
        items=[item_out(i, states[i.pk]) for i in page.object_list],
        count=paginator.count,
        page=page.number,
        pages=paginator.num_pages,
        page_size=PAGE_SIZE,
    )


def item_detail(person: Person, item: MediaItem) -> ItemDetailOut:
    state = selectors.state_of(item)
    can_confirm = selectors.can_confirm(person, item)
    suggestions = selectors.suggestions_for(item, person) if can_confirm else []
    return ItemDetailOut(
        **item_out(item, state).model_dump(),
        metadata=item.tags,
        can_confirm=can_confirm,
        can_reassign=selectors.can_reassign(person, item),
        suggestions=[
            SuggestionOut(
                case_id=s.case.pk,
                case_number=s.case.number,
                case_title=s.case.title,
                activity_record_id=s.activity.pk if s.activity else None,
                activity_type=s.activity.record_type if s.activity else None,
                reason=s.reason,
                gap_seconds=s.gap_seconds,
            )
            for s in suggestions
        ],
        attributions=[attribution_out(a) for a in selectors.attributions_of(item)],
        sources=[
            SourceOut(dock=s.dock, path=s.path, size=s.size, duplicate=s.duplicate, imported_at=s.imported_at)
            for s in item.sources.order_by("pk")
        ],
    )


@router.get(
    "/av/items",
    response={200: ItemListOut, **ERROR_RESPONSES},
    summary="音像资料（按单位、记录仪、人员、时间、当事人、案件筛选）",
)
def list_items(request: HttpRequest, filters: Query[ItemSearch]) -> ItemListOut:
    person = actor(request)
    if filters.status and filters.status not in selectors.STATUS_LABELS:
        raise ValidationError({"status": ["状态无效。"]})
    if filters.flag and filters.flag not in selectors.FLAG_LABELS:
        raise ValidationError({"flag": ["提示类型无效。"]})
    qs = selectors.search_items(
        person,
        unit_id=filters.department_id,
        recorder=filters.recorder,
        officer_id=filters.officer_id,
        start=filters.start,
        end=filters.end,
        party=filters.party,
        case=filters.case,
        status=filters.status,
        flag=filters.flag,
        kind=filters.kind,
    )
    return _list(qs, filters.page)


@router.get("/av/inbox", response={200: ItemListOut, **ERROR_RESPONSES}, summary="待确认音像")
def inbox(request: HttpRequest, page: int = 1) -> ItemListOut:
    return _list(selectors.inbox_for(actor(request)), page)


@router.get(
    "/av/unattributed", response={200: ItemListOut, **ERROR_RESPONSES}, summary="未归属音像（装备管理）"
)
def unattributed(request: HttpRequest, page: int = 1) -> ItemListOut:
    person = actor(request)
    if not selectors.can_see_unattributed(person):
        raise PermissionDenied("只有装备管理员、机关负责人和稽查人员可以查看未归属音像。")
    return _list(selectors.unattributed_for(person), page)


@router.get("/av/items/{item_id}", response={200: ItemDetailOut, **ERROR_RESPONSES}, summary="音像资料详情")
def get_item(request: HttpRequest, item_id: int) -> ItemDetailOut:
    person = actor(request)
    item = selectors.get_item_for(person, item_id)
    media_accessed(actor=person, item=item, action="av.view")  # a view is a ledger event (AC-1)
    return item_detail(person, item)


def _record(person: Person, pk: int | None, field: str) -> Record | None:
    if pk is None:
        return None
    try:
        return get_record_for(person, pk)
    except Http404:
        raise ValidationError({field: ["记录不存在或无权查看。"]}) from None


@router.post(
    "/av/items/{item_id}/confirm", response={201: ItemDetailOut, **ERROR_RESPONSES}, summary="确认归入案件"
)
def confirm(request: HttpRequest, item_id: int, payload: ConfirmIn) -> Status[ItemDetailOut]:
    person = actor(request)
    item = selectors.get_item_for(person, item_id)
    case = selectors.cases_for_confirm(person).filter(pk=payload.case_id).first()
    if case is None:
        raise ValidationError({"case_id": ["只能归入本人承办的案件。"]})
    services.confirm_item(
        actor=person,
        item=item,
        case=case,
        record=_record(person, payload.record_id, "record_id"),
        activity=_record(person, payload.activity_record_id, "activity_record_id"),
        description=payload.description,
        scenario=payload.scenario,
        confidentiality=payload.confidentiality,
        note=payload.note,
    )
    return Status(201, item_detail(person, selectors.get_item_for(person, item_id)))


def attribution_out(a: Attribution) -> AttributionOut:
    return AttributionOut(
        id=a.pk,
        kind=a.kind,
        officer_id=a.officer_id,
        case_id=a.case_id,
        record_id=a.record_id,
        note=a.note,
        actor_id=a.actor_id,
        created_at=a.created_at,
        supersedes_id=a.supersedes_id,
    )


@router.post(
    "/av/items/{item_id}/reassign", response={201: AttributionOut, **ERROR_RESPONSES}, summary="改派他人确认"
)
def reassign(request: HttpRequest, item_id: int, payload: ReassignIn) -> Status[AttributionOut]:
    """The item leaves the caller's own items (it may no longer be visible to them)."""
    person = actor(request)
    item = selectors.get_item_for(person, item_id)
    officer = Person.objects.filter(
        pk=payload.officer_id, agency_id=person.agency_id or 0, roles__role=Role.OFFICER
    ).first()
    if officer is None:
        raise ValidationError({"officer_id": ["只能改派给本机关在职的执法人员。"]})
    row = services.reassign_item(actor=person, item=item, officer=officer, reason=payload.reason)
    return Status(201, attribution_out(row))


@router.post(
    "/av/items/{item_id}/no-case", response={201: ItemDetailOut, **ERROR_RESPONSES}, summary="说明与案件无关"
)
def no_case(request: HttpRequest, item_id: int, payload: NoCaseIn) -> Status[ItemDetailOut]:
    person = actor(request)
    item = selectors.get_item_for(person, item_id)
    services.mark_no_case(actor=person, item=item, reason=payload.reason)
    return Status(201, item_detail(person, selectors.get_item_for(person, item_id)))


# --- 音像资料说明 (AV-3, AV-4, AV-6, AV-7): liuhen.av.flags ------------------------------------------


class DeclarationIn(Schema):
    """A complete declaration (it supersedes the one in force: state every fact again).
    ``returned_at`` with a time zone; ``opening_statement``: codes of ``OPENING_ITEMS``."""

    field_work: str = ""
    returned_at: datetime | None = None
    consent: str = ""
    secret: bool = False
    privacy: bool = False
    opening_statement: list[str] = []
    gap_explanation: str = ""
    note: str = ""


class DeclarationOut(Schema):
    id: int
    field_work: str
    field_work_label: str
    returned_at: datetime | None
    consent: str
    consent_label: str
    secret: bool
    privacy: bool
    opening_statement: list[str]
    gap_explanation: str
    note: str
    actor_id: int
    actor_name: str
    created_at: datetime
    supersedes_id: int | None


class DeclarationsOut(Schema):
    blob_id: int
    sm3: str
    current: DeclarationOut | None
    history: list[DeclarationOut]  # newest first; the first is the one in force


def declaration_out(d: MediaDeclaration) -> DeclarationOut:
    return DeclarationOut(
        id=d.pk,
        field_work=d.field_work,
        field_work_label=d.get_field_work_display() if d.field_work else "",
        returned_at=d.returned_at,
        consent=d.consent,
        consent_label=d.get_consent_display() if d.consent else "",
        secret=d.secret,
        privacy=d.privacy,
        opening_statement=flags.opening_items(d),
        gap_explanation=d.gap_explanation,
        note=d.note,
        actor_id=d.actor_id,
        actor_name=d.actor.full_name,
        created_at=d.created_at,
        supersedes_id=d.supersedes_id,
    )


def _declarations(person: Person, blob: Blob) -> DeclarationsOut:
    history = [
        declaration_out(d) for d in flags.declarations_of(agency_id=person.agency_id or 0, blob_id=blob.pk)
    ]
    return DeclarationsOut(
        blob_id=blob.pk, sm3=blob.sm3, current=history[0] if history else None, history=history
    )


def _declare(person: Person, blob: Blob, payload: DeclarationIn) -> DeclarationsOut:
    flags.declare(actor=person, blob=blob, **payload.model_dump())
    return _declarations(person, blob)


def _item_blob(person: Person, item_id: int) -> Blob:
    return flags.get_declarable_blob(person, selectors.get_item_for(person, item_id).blob_id)


def _blob(person: Person, blob_id: int) -> Blob:
    return flags.get_declarable_blob(person, blob_id)


@router.get(
    "/av/files/{blob_id}/declaration",
    response={200: DeclarationsOut, **ERROR_RESPONSES},
    summary="音像资料说明（现行说明及历次说明）",
)
def get_declaration(request: HttpRequest, blob_id: int) -> DeclarationsOut:
    """``blob_id``: the stored file (an imported item's or a record attachment's ``blob``). Only
    those who may declare (the item's officer, whoever may write in a case holding it) get it."""
    person = actor(request)
    return _declarations(person, _blob(person, blob_id))


@router.post(
    "/av/files/{blob_id}/declaration",
    response={201: DeclarationsOut, **ERROR_RESPONSES},
    summary="提交音像资料说明（取代现行说明）",
)
def post_declaration(request: HttpRequest, blob_id: int, payload: DeclarationIn) -> Status[DeclarationsOut]:
    person = actor(request)
    return Status(201, _declare(person, _blob(person, blob_id), payload))


@router.get(
    "/av/items/{item_id}/declaration",
    response={200: DeclarationsOut, **ERROR_RESPONSES},
    summary="音像资料说明（按导入的音像资料）",
)
def get_item_declaration(request: HttpRequest, item_id: int) -> DeclarationsOut:
    person = actor(request)
    return _declarations(person, _item_blob(person, item_id))


@router.post(
    "/av/items/{item_id}/declaration",
    response={201: DeclarationsOut, **ERROR_RESPONSES},
    summary="提交音像资料说明（按导入的音像资料）",
)
def post_item_declaration(
    request: HttpRequest, item_id: int, payload: DeclarationIn
) -> Status[DeclarationsOut]:
    person = actor(request)
    return Status(201, _declare(person, _item_blob(person, item_id), payload))
