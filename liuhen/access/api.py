"""Access-control endpoints of the JSON API (AC-1..4): requests, the head's queue and decisions,
revocation, a party's copy request and copy, and the unusual-access report. Reads go through
:mod:`liuhen.access.selectors` (a request the caller may not see is a 404), writes through
:mod:`liuhen.access.services`."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest
from ninja import Query, Router, Schema, Status

from liuhen.access import report, selectors, services
from liuhen.access.models import AccessRequest
from liuhen.av.models import MediaItem
from liuhen.cases.models import Case
from liuhen.cases.selectors import get_case_for
from liuhen.core.api_errors import ERROR_RESPONSES
from liuhen.org.api import actor

router = Router(tags=["access"])


class RequestOut(Schema):
    id: int
    kind: str
    kind_label: str
    requester_id: int
    requester_name: str
    case_id: int | None
    case_number: str | None
    media_item_id: int | None
    actions: list[str]
    reason: str
    days: int
    party_id: int | None
    applicant_name: str
    requested_at: datetime
    status: str
    status_label: str
    approved: bool | None
    decided_by_id: int | None
    decided_at: datetime | None
    decision_note: str
    valid_from: datetime | None
    valid_until: datetime | None
    ended_at: datetime | None
    end_kind: str | None


class RequestIn(Schema):
    """Exactly one of ``case_id`` and ``media_item_id``. ``actions``: any of ``view``, ``copy``,
    ``export`` (viewing is always included)."""

    case_id: int | None = None
    media_item_id: int | None = None
    actions: list[str] = []
    reason: str
    days: int = 7


class PartyRequestIn(Schema):
    case_id: int
    party_id: int
    applicant_name: str
    applicant_id_doc: str = ""
    reason: str
    days: int = 15


class DecisionIn(Schema):
    approved: bool
    note: str = ""
    days: int | None = None


class RevokeIn(Schema):
    reason: str


class UnusualDayOut(Schema):
    day: date
    kind: str
    count: int
    median: float
    threshold: float


class UnusualRowOut(Schema):
    person_id: int
    person_name: str
    department: str | None
    views: int
    downloads: int
    unusual: list[UnusualDayOut]


class UnusualQuery(Schema):
    start: date
    end: date
    factor: float | None = None
    min_count: int | None = None


def request_out(r: AccessRequest) -> RequestOut:
    status = selectors.status_of(r)
    decision = getattr(r, "decision", None)
    end = getattr(decision, "end", None) if decision is not None else None
    return RequestOut(
        id=r.pk,
        kind=r.kind,
        kind_label=r.get_kind_display(),
        requester_id=r.requester_id,
        requester_name=r.requester.full_name,
        case_id=r.case_id,
        case_number=r.case.number if r.case is not None else None,
        media_item_id=r.media_item_id,
        actions=sorted(r.action_set),
        reason=r.reason,
        days=r.days,
        party_id=r.party_id,
        applicant_name=r.applicant_name,
        requested_at=r.requested_at,
        status=status,
        status_label=selectors.STATUS_LABELS[status],
        approved=decision.approved if decision is not None else None,
        decided_by_id=decision.decided_by_id if decision is not None else None,
        decided_at=decision.decided_at if decision is not None else None,
        decision_note=decision.note if decision is not None else "",
        valid_from=decision.valid_from if decision is not None else None,
        valid_until=decision.valid_until if decision is not None else None,
        ended_at=end.ended_at if end is not None else None,
        end_kind=end.kind if end is not None else None,
    )


def _fresh(request: HttpRequest, pk: int) -> RequestOut:
    return request_out(selectors.get_request_for(actor(request), pk))


@router.get(
    "/access/requests", response={200: list[RequestOut], **ERROR_RESPONSES}, summary="我的调阅申请和授权"
)
def my_requests(request: HttpRequest) -> list[RequestOut]:
    return [request_out(r) for r in selectors.requests_of(actor(request))]


@router.post(
    "/access/requests", response={201: RequestOut, **ERROR_RESPONSES}, summary="提出调阅申请（AC-1）"
)
def create_request(request: HttpRequest, payload: RequestIn) -> Status[RequestOut]:
    person = actor(request)
    agency = person.agency_id or 0
    case = media_item = None
    if payload.case_id is not None:
        case = Case.objects.filter(pk=payload.case_id, agency_id=agency).first()
        if case is None:
            raise ValidationError({"case_id": ["本机关没有该案件。"]})
    if payload.media_item_id is not None:
        media_item = MediaItem.objects.filter(pk=payload.media_item_id, agency_id=agency).first()
        if media_item is None:
            raise ValidationError({"media_item_id": ["本机关没有该音像资料。"]})
    row = services.request_access(
        actor=person,
        case=case,
        media_item=media_item,
        actions=payload.actions,
        reason=payload.reason,
        days=payload.days,
    )
    return Status(201, _fresh(request, row.pk))


@router.get(
    "/access/requests/{request_id}", response={200: RequestOut, **ERROR_RESPONSES}, summary="调阅申请详情"
)
def get_request(request: HttpRequest, request_id: int) -> RequestOut:
    return request_out(selectors.get_request_for(actor(request), request_id))


@router.get("/access/queue", response={200: list[RequestOut], **ERROR_RESPONSES}, summary="待本人审批的申请")
def queue(request: HttpRequest) -> list[RequestOut]:
    return [request_out(r) for r in selectors.pending_queue(actor(request))]


@router.post(
    "/access/requests/{request_id}/decision",
    response={201: RequestOut, **ERROR_RESPONSES},
    summary="审批（批准即授权，限期有效）",
)
def decide(request: HttpRequest, request_id: int, payload: DecisionIn) -> Status[RequestOut]:
    person = actor(request)
    row = selectors.get_request_for(person, request_id)
    services.decide(
        actor=person, request=row, approved=payload.approved, note=payload.note, days=payload.days
    )
    return Status(201, _fresh(request, request_id))


@router.post(
    "/access/requests/{request_id}/revoke", response={201: RequestOut, **ERROR_RESPONSES}, summary="撤销授权"
)
def revoke(request: HttpRequest, request_id: int, payload: RevokeIn) -> Status[RequestOut]:
    person = actor(request)
    row = selectors.get_request_for(person, request_id)
    decision = getattr(row, "decision", None)
    if decision is None or not decision.approved:
        raise ValidationError("该申请未获批准，无需撤销。")
    services.revoke(actor=person, decision=decision, reason=payload.reason)
    return Status(201, _fresh(request, request_id))


@router.post(
    "/access/party-requests",
    response={201: RequestOut, **ERROR_RESPONSES},
    summary="登记当事人复制申请（AC-2）",
)
def create_party_request(request: HttpRequest, payload: PartyRequestIn) -> Status[RequestOut]:
    person = actor(request)
    case = get_case_for(person, payload.case_id)
    party = case.parties.filter(pk=payload.party_id).first()
    if party is None:
        raise ValidationError({"party_id": ["当事人不属于该案件。"]})
    row = services.register_party_request(
        actor=person,
        case=case,
        party=party,
        applicant_name=payload.applicant_name,
        applicant_id_doc=payload.applicant_id_doc,
        reason=payload.reason,
        days=payload.days,
    )
    return Status(201, _fresh(request, row.pk))


@router.post(
    "/access/requests/{request_id}/party-copy",
    response={200: None, **ERROR_RESPONSES},
    summary="制作当事人复制件（ZIP；保密记录不予提供）",
    openapi_extra={
        "responses": {
            "200": {
                "description": "ZIP：一般密级记录的文书 PDF（加注水印）及附件，清单.txt",
                "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def party_copy(request: HttpRequest, request_id: int) -> FileResponse:
    person = actor(request)
    row = selectors.get_request_for(person, request_id)
    out = services.spool()
    try:
        result = services.produce_party_copy(actor=person, request=row, out=out)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    response = FileResponse(out, as_attachment=True, filename=result.filename, content_type="application/zip")
    response["Cache-Control"] = "private, no-store"
    response["X-Included-Records"] = ",".join(str(pk) for pk in result.included)
    response["X-Withheld-Count"] = str(len(result.withheld))
    return response


@router.get(
    "/access/unusual",
    response={200: list[UnusualRowOut], **ERROR_RESPONSES},
    summary="异常调阅统计（稽查人员、机关负责人）",
)
def unusual(request: HttpRequest, filters: Query[UnusualQuery]) -> list[UnusualRowOut]:
    person = actor(request)
    if not report.can_read_report(person):
        raise PermissionDenied("只有稽查人员和机关负责人可以查看异常调阅统计。")
    if filters.end < filters.start:
        raise ValidationError({"end": ["截止日期不能早于起始日期。"]})
    if (filters.end - filters.start).days > 366:
        raise ValidationError({"end": ["统计期间不能超过一年。"]})
    rows = report.unusual_access(
        person, start=filters.start, end=filters.end, factor=filters.factor, min_count=filters.min_count
    )
    return [
        UnusualRowOut(
            person_id=r.person.pk,
            person_name=r.person.full_name,
            department=r.person.department.name if r.person.department else None,
            views=r.views,
            downloads=r.downloads,
            unusual=[
                UnusualDayOut(day=u.day, kind=u.kind, count=u.count, median=u.median, threshold=u.threshold)
                for u in r.unusual
            ],
        )
        for r in rows
    ]
