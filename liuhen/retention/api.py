"""Retention endpoints of the JSON API (RT-1..5): the disposal list, an item's retention with its
explanation, long-term preservation holds (place, release, offline copy) and disposal requests
(create, approve/refuse, execute). Reads through :mod:`liuhen.retention.selectors` (what the caller
may not see is a 404), writes through :mod:`liuhen.retention.services`."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from liuhen.cases.selectors import get_case_for
from liuhen.core.api_errors import ERROR_RESPONSES
from liuhen.org.api import actor
from liuhen.retention import selectors, services
from liuhen.retention.models import DisposalRequest, LegalHold
from liuhen.retention.terms import Retention
from liuhen.vault.models import Blob

router = Router(tags=["retention"])


class TermOut(Schema):
    rule: str
    until: date | None
    reason: str
    citation: str


class RetentionOut(Schema):
    blob_id: int
    sm3: str
    size: int
    media_type: str
    status: str
    status_label: str
    expires_on: date | None
    rule: str
    explanation: str
    terms: list[TermOut]
    uses: list[str] = []


class DueQuery(Schema):
    today: date | None = None


class HoldIn(Schema):
    case_id: int | None = None
    blob_id: int | None = None
    reason_kind: str
    reason: str
    decision_ref: str = ""


class ReleaseIn(Schema):
    decision_ref: str
    reason: str


class OfflineCopyIn(Schema):
    medium: str
    label: str
    package_digest: str = ""
    package_size: int | None = None
    package_name: str = ""
    note: str = ""
    build: bool = False


class OfflineCopyOut(Schema):
    id: int
    medium: str
    label: str
    package_name: str
    package_digest: str
    package_size: int | None
    built_by_system: bool
    made_by: str
    made_at: datetime


class HoldOut(Schema):
    id: int
    case_id: int | None
    blob_id: int | None
    reason_kind: str
    reason_label: str
    reason: str
    decision_ref: str
    citation: str
    placed_by: str
    placed_at: datetime
    current: bool
    released_at: datetime | None
    release_decision_ref: str | None
    release_reason: str | None
    offline_copies: list[OfflineCopyOut]


class DisposalIn(Schema):
    blob_ids: list[int]
    reason: str


class DecisionIn(Schema):
    decision: str
    note: str = ""


class ItemOut(Schema):
    blob_id: int
    sm3: str
    expires_on: date
    rule: str
    explanation: str


class ApprovalOut(Schema):
    approver: str
    decision: str
    note: str
    decided_at: datetime


class DisposalOut(Schema):
    id: int
    status: str
    status_label: str
    reason: str
    requested_by: str
    requested_at: datetime
    items: list[ItemOut]
    approvals: list[ApprovalOut]
    tombstone_ids: list[int]


def retention_out(blob: Blob, retention: Retention, uses: list[str] | None = None) -> RetentionOut:
    return RetentionOut(
        blob_id=blob.pk,
        sm3=blob.sm3,
        size=blob.size,
        media_type=blob.media_type,
        status=retention.status,
        status_label=retention.status_label,
        expires_on=retention.expires_on,
        rule=retention.rule,
        explanation=retention.explanation,
        terms=[
            TermOut(rule=t.rule, until=t.until, reason=t.reason, citation=t.citation) for t in retention.terms
        ],
        uses=uses or [],
    )


def hold_out(hold: LegalHold) -> HoldOut:
    release = getattr(hold, "release", None)
    return HoldOut(
        id=hold.pk,
        case_id=hold.case_id,
        blob_id=hold.blob_id,
        reason_kind=hold.reason_kind,
        reason_label=hold.get_reason_kind_display(),
        reason=hold.reason,
        decision_ref=hold.decision_ref,
        citation=services.hold_citation(hold),
        placed_by=hold.placed_by.full_name,
        placed_at=hold.placed_at,
        current=release is None,
        released_at=release.released_at if release else None,
        release_decision_ref=release.decision_ref if release else None,
        release_reason=release.reason if release else None,
        offline_copies=[
            OfflineCopyOut(
                id=c.pk,
                medium=c.medium,
                label=c.label,
                package_name=c.package_name,
                package_digest=c.package_digest,
                package_size=c.package_size,
                built_by_system=c.built_by_system,
                made_by=c.made_by.full_name,
                made_at=c.made_at,
            )
            for c in hold.offline_copies.select_related("made_by").order_by("pk")
        ],
    )


def disposal_out(request: DisposalRequest) -> DisposalOut:
    state = selectors.request_state(request)
    return DisposalOut(
        id=request.pk,
        status=state.status,
        status_label=state.label,
        reason=request.reason,
        requested_by=request.requested_by.full_name,
        requested_at=request.requested_at,
        items=[
            ItemOut(
                blob_id=i.blob_id,
                sm3=i.blob.sm3,
                expires_on=i.expires_on,
                rule=i.rule,
                explanation=i.explanation,
            )
            for i in request.items.select_related("blob").order_by("pk")
        ],
        approvals=[
            ApprovalOut(
                approver=a.approver.full_name, decision=a.decision, note=a.note, decided_at=a.decided_at
            )
            for a in request.approvals.select_related("approver").order_by("pk")
        ],
        tombstone_ids=list(request.tombstones.order_by("pk").values_list("pk", flat=True)),
    )


def _office(request: HttpRequest) -> None:
    if not selectors.can_view_retention(actor(request)):
        raise PermissionDenied("仅档案管理员、机关负责人和稽查人员可查看保存期限。")


@router.get(
    "/retention/due", response={200: list[RetentionOut], **ERROR_RESPONSES}, summary="保存期限届满的文件"
)
def due(request: HttpRequest, query: Query[DueQuery]) -> list[RetentionOut]:
    _office(request)
    items = selectors.due_visible_to(actor(request), today=query.today)
    return [retention_out(i.blob, i.retention, list(i.uses)) for i in items]


@router.get(
    "/retention/blobs/{blob_id}", response={200: RetentionOut, **ERROR_RESPONSES}, summary="文件的保存期限"
)
def blob_retention(request: HttpRequest, blob_id: int) -> RetentionOut:
    person = actor(request)
    blob = selectors.get_blob_for(person, blob_id)
    assert person.agency is not None
    facts = selectors.item_facts([blob], person.agency)[blob.pk]
    return retention_out(blob, selectors.retention_of(blob, person.agency), [u.label for u in facts.uses])


@router.get("/retention/holds", response={200: list[HoldOut], **ERROR_RESPONSES}, summary="长期保存措施")
def list_holds(request: HttpRequest, case: int | None = None) -> list[HoldOut]:
    person = actor(request)
    if case is not None:
        return [hold_out(h) for h in selectors.holds_of_case(get_case_for(person, case))]
    _office(request)
    return [hold_out(h) for h in selectors.holds_visible_to(person)]


@router.post("/retention/holds", response={201: HoldOut, **ERROR_RESPONSES}, summary="采取长期保存措施")
def place_hold(request: HttpRequest, payload: HoldIn) -> Status[HoldOut]:
    person = actor(request)
    case = get_case_for(person, payload.case_id) if payload.case_id is not None else None
    blob = selectors.get_blob_for(person, payload.blob_id) if payload.blob_id is not None else None
    hold = services.place_hold(
        actor=person,
        case=case,
        blob=blob,
        reason_kind=payload.reason_kind,
        reason=payload.reason,
        decision_ref=payload.decision_ref,
    )
    return Status(201, hold_out(hold))


@router.post(
    "/retention/holds/{hold_id}/release", response={200: HoldOut, **ERROR_RESPONSES}, summary="解除长期保存"
)
def release_hold(request: HttpRequest, hold_id: int, payload: ReleaseIn) -> HoldOut:
    person = actor(request)
    hold = selectors.get_hold_for(person, hold_id)
    services.release_hold(actor=person, hold=hold, decision_ref=payload.decision_ref, reason=payload.reason)
    return hold_out(LegalHold.objects.get(pk=hold.pk))


@router.post(
    "/retention/holds/{hold_id}/offline-copies",
    response={201: HoldOut, **ERROR_RESPONSES},
    summary="登记离线副本",
)
def offline_copy(request: HttpRequest, hold_id: int, payload: OfflineCopyIn) -> Status[HoldOut]:
    person = actor(request)
    hold = selectors.get_hold_for(person, hold_id)
    services.record_offline_copy(
        actor=person,
        hold=hold,
        medium=payload.medium,
        label=payload.label,
        package_digest=payload.package_digest,
        package_size=payload.package_size,
        package_name=payload.package_name,
        note=payload.note,
        build=payload.build,
    )
    return Status(201, hold_out(LegalHold.objects.get(pk=hold.pk)))


@router.post("/retention/disposals", response={201: DisposalOut, **ERROR_RESPONSES}, summary="提出销毁申请")
def request_disposal(request: HttpRequest, payload: DisposalIn) -> Status[DisposalOut]:
    person = actor(request)
    blobs = [selectors.get_blob_for(person, pk) for pk in payload.blob_ids]
    created = services.request_disposal(actor=person, blobs=blobs, reason=payload.reason)
    return Status(201, disposal_out(created))


@router.get(
    "/retention/disposals/{request_id}", response={200: DisposalOut, **ERROR_RESPONSES}, summary="销毁申请"
)
def get_disposal(request: HttpRequest, request_id: int) -> DisposalOut:
    return disposal_out(selectors.get_request_for(actor(request), request_id))


@router.post(
    "/retention/disposals/{request_id}/decisions",
    response={201: DisposalOut, **ERROR_RESPONSES},
    summary="审批销毁申请",
)
def decide(request: HttpRequest, request_id: int, payload: DecisionIn) -> Status[DisposalOut]:
    person = actor(request)
    disposal = selectors.get_request_for(person, request_id)
    services.decide_disposal(actor=person, request=disposal, decision=payload.decision, note=payload.note)
    return Status(201, disposal_out(selectors.get_request_for(person, request_id)))


@router.post(
    "/retention/disposals/{request_id}/execute",
    response={200: DisposalOut, **ERROR_RESPONSES},
    summary="执行销毁",
)
def execute(request: HttpRequest, request_id: int) -> DisposalOut:
    person = actor(request)
    disposal = selectors.get_request_for(person, request_id)
    services.execute_disposal(actor=person, request=disposal)
    return disposal_out(selectors.get_request_for(person, request_id))
