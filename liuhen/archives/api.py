"""Case-file archiving endpoints of the JSON API (AR-1..4). Reads through
:mod:`liuhen.archives.selectors` (a case or submission the caller may not see is a 404), writes
through :mod:`liuhen.archives.services`."""

from __future__ import annotations

from datetime import date, datetime

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.http import content_disposition_header
from ninja import Router, Schema, Status

from liuhen.archives import render as index_render
from liuhen.archives import selectors, services
from liuhen.archives.models import ArchiveRecord, CustodianDesignation
from liuhen.archives.selectors import ArchiveStatus
from liuhen.cases.selectors import get_case_for
from liuhen.core.api_errors import ERROR_RESPONSES
from liuhen.ledger import services as ledger
from liuhen.org.api import actor
from liuhen.org.models import Department, Person

router = Router(tags=["archives"])


class IndexEntryOut(Schema):
    no: int
    record_id: int
    version: int
    record_type: str
    title: str
    doc_no: str
    date: str
    pages: int
    first_page: int | None
    last_page: int | None
    av_files: int


class ArchiveOut(Schema):
    id: int
    case_id: int
    case_number: str
    attempt: int
    supersedes_id: int | None
    archive_no: str
    archive_year: int
    category: str
    category_name: str
    retention: str
    retention_label: str
    action_started_on: date
    action_ended_on: date
    action_end_event: str
    due_on: date
    deadline_citation: str
    page_count: int
    compiled_by: str
    custodian: str | None
    submitted_at: datetime
    outcome: str | None
    reasons: str
    decided_by: str | None
    decided_at: datetime | None
    file_index: list[IndexEntryOut]


class StatusOut(Schema):
    case_id: int
    case_number: str
    state: str
    state_label: str
    action_ended_on: date | None
    action_end_event: str | None
    due_on: date | None
    citation: str
    overdue: bool
    late: bool
    latest_id: int | None


class SubmitIn(Schema):
    note: str = ""


class DecisionIn(Schema):
    accept: bool
    reasons: str = ""


class CustodianIn(Schema):
    person_id: int
    department_id: int | None = None
    note: str = ""


class CustodianOut(Schema):
    id: int
    department_id: int | None
    department: str
    person_id: int
    person: str
    designated_at: datetime


def _name(person: Person | None) -> str | None:
    return None if person is None else (person.full_name or person.username)


def _archive(record: ArchiveRecord) -> ArchiveOut:
    decision = selectors.decision_of(record)
    return ArchiveOut(
        id=record.pk,
        case_id=record.case_id,
        case_number=record.case.number,
        attempt=record.attempt,
        supersedes_id=record.supersedes_id,
        archive_no=record.archive_no,
        archive_year=record.archive_year,
        category=record.category,
        category_name=record.category_name,
        retention=record.retention,
        retention_label=record.retention_label,
        action_started_on=record.action_started_on,
        action_ended_on=record.action_ended_on,
        action_end_event=record.action_end_event,
        due_on=record.due_on,
        deadline_citation=record.deadline_citation,
        page_count=record.page_count,
        compiled_by=_name(record.compiled_by) or "",
        custodian=_name(record.custodian),
        submitted_at=record.submitted_at,
        outcome=decision.outcome if decision else None,
        reasons=decision.reasons if decision else "",
        decided_by=_name(decision.decided_by) if decision else None,
        decided_at=decision.decided_at if decision else None,
        file_index=[IndexEntryOut(**{k: e[k] for k in IndexEntryOut.model_fields}) for e in record.entries],
    )


def _status(row: ArchiveStatus) -> StatusOut:
    return StatusOut(
        case_id=row.case.pk,
        case_number=row.case.number,
        state=row.state,
        state_label=row.state_label,
        action_ended_on=row.end.ended_on if row.end else None,
        action_end_event=row.end.event if row.end else None,
        due_on=row.due,
        citation=row.citation,
        overdue=row.overdue,
        late=row.late,
        latest_id=row.latest.pk if row.latest else None,
    )


def _custodian(row: CustodianDesignation) -> CustodianOut:
    return CustodianOut(
        id=row.pk,
        department_id=row.department_id,
        department=row.department.name if row.department else "全机关",
        person_id=row.person_id,
        person=_name(row.person) or "",
        designated_at=row.designated_at,
    )


@router.get("/cases/{case_id}/archive", response={200: StatusOut, **ERROR_RESPONSES}, summary="案件归档状态")
def case_archive_status(request: HttpRequest, case_id: int) -> StatusOut:
    case = get_case_for(actor(request), case_id)
    return _status(selectors.status_of(case))


@router.post(
    "/cases/{case_id}/archive",
    response={201: ArchiveOut, **ERROR_RESPONSES},
    summary="报送归档（含重新报送）",
)
def case_archive_submit(request: HttpRequest, case_id: int, payload: SubmitIn) -> Status[ArchiveOut]:
    person = actor(request)
    case = get_case_for(person, case_id)
    record = services.submit_archive(actor=person, case=case, note=payload.note)
    return Status(201, _archive(selectors.get_submission_for(person, record.pk)))


@router.get("/archives", response={200: list[ArchiveOut], **ERROR_RESPONSES}, summary="已归档案卷登记簿")
def archive_register(request: HttpRequest, year: int | None = None) -> list[ArchiveOut]:
    return [_archive(r) for r in selectors.register(actor(request), year=year)]


@router.get(
    "/archives/pending", response={200: list[ArchiveOut], **ERROR_RESPONSES}, summary="待审核的归档报送"
)
def archive_pending(request: HttpRequest) -> list[ArchiveOut]:
    return [_archive(r) for r in selectors.pending_review(actor(request))]


@router.get("/archives/overdue", response={200: list[StatusOut], **ERROR_RESPONSES}, summary="逾期未归档案件")
def archive_overdue(request: HttpRequest) -> list[StatusOut]:
    return [_status(r) for r in selectors.overdue(actor(request))]


@router.get(
    "/archives/year-end", response={200: list[StatusOut], **ERROR_RESPONSES}, summary="年底归档检查（AR-3）"
)
def archive_year_end(request: HttpRequest, year: int | None = None) -> list[StatusOut]:
    return [_status(r) for r in selectors.year_end_check(actor(request), year or timezone.localdate().year)]


@router.get("/archives/{archive_id}", response={200: ArchiveOut, **ERROR_RESPONSES}, summary="归档报送详情")
def archive_detail(request: HttpRequest, archive_id: int) -> ArchiveOut:
    return _archive(selectors.get_submission_for(actor(request), archive_id))


@router.post(
    "/archives/{archive_id}/decision", response={201: ArchiveOut, **ERROR_RESPONSES}, summary="接收或退回"
)
def archive_decide(request: HttpRequest, archive_id: int, payload: DecisionIn) -> Status[ArchiveOut]:
    person = actor(request)
    record = selectors.get_submission_for(person, archive_id)
    services.decide_archive(actor=person, submission=record, accept=payload.accept, reasons=payload.reasons)
    return Status(201, _archive(selectors.get_submission_for(person, archive_id)))


@router.get(
    "/archives/{archive_id}/index.pdf", response={200: None, **ERROR_RESPONSES}, summary="卷内目录 PDF"
)
def archive_index_pdf(request: HttpRequest, archive_id: int) -> HttpResponse:
    person = actor(request)
    record = selectors.get_submission_for(person, archive_id)
    data = index_render.render_index_pdf(record)
    ledger.record_access(
        actor=person,
        action="archive.index_export",
        obj=record,
        case_id=record.case_id,
        detail={
            "format": "pdf",
            "archive_no": record.archive_no,
            "attempt": record.attempt,
            "size": len(data),
        },
    )
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = (
        content_disposition_header(True, f"{index_render.filename_stem(record)}.pdf") or "attachment"
    )
    return response


@router.get("/custodians", response={200: list[CustodianOut], **ERROR_RESPONSES}, summary="归档责任人")
def custodian_list(request: HttpRequest) -> list[CustodianOut]:
    person = actor(request)
    return [_custodian(row) for _, row in selectors.custodians(person.agency_id) if row is not None]


@router.post("/custodians", response={201: CustodianOut, **ERROR_RESPONSES}, summary="指定归档责任人")
def custodian_designate(request: HttpRequest, payload: CustodianIn) -> Status[CustodianOut]:
    person = actor(request)
    agency = person.agency
    if agency is None:
        raise Http404("无所属机关。")
    department = (
        get_object_or_404(Department, pk=payload.department_id, agency=agency)
        if payload.department_id is not None
        else None
    )
    target = get_object_or_404(Person, pk=payload.person_id, agency=agency)
    row = services.designate_custodian(
        actor=person, agency=agency, department=department, person=target, note=payload.note
    )
    return Status(201, _custodian(row))
