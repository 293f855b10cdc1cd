"""Case endpoints of the JSON API. Reads go through :mod:`liuhen.cases.selectors` (a case the
caller may not see is a 404), writes through :mod:`liuhen.cases.services`."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from liuhen.cases import services
from liuhen.cases.models import Branch, Case, CaseType, Party, Procedure, Source, Stage
from liuhen.cases.selectors import can_write_case, departments_open_to, get_case_for, search_cases
from liuhen.core.api_errors import ERROR_RESPONSES
from liuhen.org.api import actor
from liuhen.org.models import Person

router = Router(tags=["cases"])

PAGE_SIZE = 20


class CaseSummaryOut(Schema):
    id: int
    number: str
    title: str
    case_type: str
    case_type_label: str
    procedure: str
    source: str
    stage: str
    stage_label: str
    branch: str
    department_id: int
    department_name: str
    created_at: datetime
    is_open: bool


class CaseListOut(Schema):
    items: list[CaseSummaryOut]
    count: int
    page: int
    pages: int
    page_size: int


class PartyIn(Schema):
    kind: str
    name: str
    id_number: str = ""
    uscc: str = ""
    legal_representative: str = ""
    address: str = ""
    phone: str = ""

    def to_input(self) -> services.PartyInput:
        return services.PartyInput(**self.model_dump())


class PartyOut(Schema):
    id: int
    kind: str
    name: str
    id_number: str
    uscc: str
    legal_representative: str
    address: str
    phone: str
    supersedes_id: int | None
    current: bool
    created_at: datetime


class HandlerOut(Schema):
    person_id: int
    full_name: str
    certificate_no: str
    is_lead: bool


class StageChangeOut(Schema):
    from_stage: str
    to_stage: str
    branch: str
    reason: str
    actor: str
    changed_at: datetime


class CaseDetailOut(CaseSummaryOut):
    summary: str
    origin_id: int | None = None
    parties: list[PartyOut]
    handlers: list[HandlerOut]
    stage_history: list[StageChangeOut]
    allowed_next_stages: list[str]
    can_write: bool


class CaseIn(Schema):
    title: str
    case_type: str
    procedure: str
    source: str
    summary: str = ""
    department_id: int | None = None
    handler_ids: list[int]
    parties: list[PartyIn] = []
    stage: str = Stage.INITIATION


class StageIn(Schema):
    """Either ``to_stage`` (an allowed next stage) or ``branch`` (不予立案/移送管辖/移送公安/撤销)."""

    to_stage: str = ""
    branch: str = ""
    reason: str = ""


class CaseSearch(Schema):
    q: str = ""
    stage: str = ""
    case_type: str = ""
    mine: bool = False
    page: int = 1


def _label(choices: type[CaseType] | type[Stage] | type[Procedure] | type[Source], value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def case_summary(case: Case) -> CaseSummaryOut:
    return CaseSummaryOut(
        id=case.pk,
        number=case.number,
        title=case.title,
        case_type=case.case_type,
        case_type_label=_label(CaseType, case.case_type),
        procedure=case.procedure,
        source=case.source,
        stage=case.stage,
        stage_label=_label(Stage, case.stage),
        branch=case.branch,
        department_id=case.department_id,
        department_name=case.department.name,
        created_at=case.created_at,
        is_open=case.is_open,
    )


def party_out(party: Party, *, current: bool) -> PartyOut:
    return PartyOut(
        id=party.pk,
        kind=party.kind,
        name=party.name,
        id_number=party.id_number,
        uscc=party.uscc,
        legal_representative=party.legal_representative,
        address=party.address,
        phone=party.phone,
        supersedes_id=party.supersedes_id,
        current=current,
        created_at=party.created_at,
    )


def case_detail(person: Person, case: Case) -> CaseDetailOut:
    parties = case.parties.annotate(
        is_superseded=Exists(Party.objects.filter(supersedes=OuterRef("pk")))
    ).order_by("pk")
    summary = case_summary(case)
    return CaseDetailOut(
        **summary.model_dump(),
        summary=case.summary,
        origin_id=case.origin_id,
        parties=[party_out(p, current=not p.is_superseded) for p in parties],
        handlers=[
            HandlerOut(
                person_id=h.person_id,
                full_name=h.person.full_name,
                certificate_no=h.certificate_no,
                is_lead=h.is_lead,
            )
            for h in case.handlers.select_related("person")
        ],
        stage_history=[
            StageChangeOut(
                from_stage=c.from_stage,
                to_stage=c.to_stage,
                branch=c.branch,
                reason=c.reason,
                actor=c.actor.full_name or c.actor.username,
                changed_at=c.changed_at,
            )
            for c in case.stage_changes.select_related("actor")
        ],
        allowed_next_stages=services.allowed_next_stages(case),
        can_write=can_write_case(person, case),
    )


def require_writer(person: Person, case: Case) -> None:
    if not can_write_case(person, case):
        raise PermissionDenied("只有本案承办人员或科室负责人可以操作。")


@router.get("/cases", response={200: CaseListOut, **ERROR_RESPONSES}, summary="案件列表（可检索）")
def list_cases(request: HttpRequest, filters: Query[CaseSearch]) -> CaseListOut:
    """Cases the caller may see, newest first; ``q`` matches number, title or a party's name."""
    person = actor(request)
    qs = search_cases(
        person, query=filters.q.strip(), stage=filters.stage, case_type=filters.case_type, mine=filters.mine
    )
    paginator = Paginator(qs, PAGE_SIZE)
    page = paginator.get_page(filters.page)
    return CaseListOut(
        items=[case_summary(c) for c in page.object_list],
        count=paginator.count,
        page=page.number,
        pages=paginator.num_pages,
        page_size=PAGE_SIZE,
    )


@router.post("/cases", response={201: CaseDetailOut, **ERROR_RESPONSES}, summary="立案登记")
def open_case(request: HttpRequest, payload: CaseIn) -> Status[CaseDetailOut]:
    """Open a case (IN-1..3, ST-2): ≥2 certified handlers (the first is the lead) and its parties."""
    person = actor(request)
    departments = departments_open_to(person)
    if not departments.exists():
        raise PermissionDenied("只有执法人员或负责人可以登记案件。")
    department_id = payload.department_id or person.department_id
    department = departments.filter(pk=department_id).first() if department_id else None
    if department is None:
        raise ValidationError({"department_id": ["请选择本人可以立案的科室。"]})
    ids = list(dict.fromkeys(payload.handler_ids))
    found = {
        p.pk: p for p in Person.objects.filter(pk__in=ids, agency_id=person.agency_id or 0, is_active=True)
    }
    missing = [str(pk) for pk in ids if pk not in found]
    if missing:
        raise ValidationError({"handler_ids": [f"承办人员不存在或不属于本机关：{'、'.join(missing)}"]})
    case = services.open_case(
        actor=person,
        department=department,
        title=payload.title,
        case_type=payload.case_type,
        procedure=payload.procedure,
        source=payload.source,
        handlers=[found[pk] for pk in ids],
        parties=[p.to_input() for p in payload.parties],
        summary=payload.summary,
        stage=payload.stage,
    )
    return Status(201, case_detail(person, get_case_for(person, case.pk)))


@router.get("/cases/{case_id}", response={200: CaseDetailOut, **ERROR_RESPONSES}, summary="案件详情")
def get_case(request: HttpRequest, case_id: int) -> CaseDetailOut:
    person = actor(request)
    return case_detail(person, get_case_for(person, case_id))


@router.post(
    "/cases/{case_id}/stage", response={200: CaseDetailOut, **ERROR_RESPONSES}, summary="变更阶段或分支"
)
def change_stage(request: HttpRequest, case_id: int, payload: StageIn) -> CaseDetailOut:
    """Move to an allowed next stage, or take a branch (a reason is required for a branch)."""
    person = actor(request)
    case = get_case_for(person, case_id)
    require_writer(person, case)
    if payload.branch:
        if payload.branch not in Branch.values:
            raise ValidationError({"branch": ["无效的分支。"]})
        services.take_branch(actor=person, case=case, branch=payload.branch, reason=payload.reason)
    elif payload.to_stage:
        if payload.to_stage not in Stage.values:
            raise ValidationError({"to_stage": ["无效的阶段。"]})
        services.change_stage(actor=person, case=case, to_stage=payload.to_stage, reason=payload.reason)
    else:
        raise ValidationError({"to_stage": ["请选择要进入的阶段或分支。"]})
    return case_detail(person, get_case_for(person, case_id))


@router.post("/cases/{case_id}/parties", response={201: PartyOut, **ERROR_RESPONSES}, summary="登记当事人")
def add_party(request: HttpRequest, case_id: int, payload: PartyIn) -> Status[PartyOut]:
    person = actor(request)
    case = get_case_for(person, case_id)
    require_writer(person, case)
    party = services.add_party(actor=person, case=case, data=payload.to_input())
    return Status(201, party_out(party, current=True))


class FollowupIn(Schema):
    reinspection_id: int


@router.post(
    "/cases/{case_id}/followup-cases",
    response={201: CaseDetailOut, **ERROR_RESPONSES},
    summary="复查未整改，另行立案（FU-1）",
)
def open_followup_case(request: HttpRequest, case_id: int, payload: FollowupIn) -> Status[CaseDetailOut]:
    """FU-1: the re-inspection record says the party did not rectify; open the new case."""
    from liuhen.records.models import Record

    person = actor(request)
    case = get_case_for(person, case_id)
    require_writer(person, case)
    record = Record.objects.filter(pk=payload.reinspection_id, case=case).first()
    if record is None:
        raise ValidationError({"reinspection_id": ["本案没有该复查记录。"]})
    new = services.open_case_for_unrectified(actor=person, reinspection=record)
    return Status(201, case_detail(person, get_case_for(person, new.pk)))
