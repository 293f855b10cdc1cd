"""Legal-review endpoints of the JSON API (LR-1..9). Reads through :mod:`liuhen.review.selectors`
(a review or case the caller may not see is a 404), writes through :mod:`liuhen.review.services`.
The LR-7 refusal of a decision needs no endpoint here: ``POST /api/cases/{id}/records`` refuses it
(``validation_error`` with the citation), because ``records.services`` does."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from ninja import Router, Schema, Status

from liuhen.cases.selectors import cases_visible_to, get_case_for
from liuhen.core.api_errors import ERROR_RESPONSES
from liuhen.org.api import actor
from liuhen.org.models import Person
from liuhen.review import selectors, services
from liuhen.review.models import Question, Receipt
from liuhen.review.selectors import Assessment, Gate, ReviewRow

router = Router(tags=["legal-review"])


class ReasonOut(Schema):
    kind: str
    label: str
    citation: str


class MajorOut(Schema):
    """LR-1 and LR-7 for a case: is the draft decision major, why, and may the decision be made."""

    case_id: int
    has_draft: bool
    major: bool
    disputed: bool
    reasons: list[ReasonOut]
    set_aside: list[ReasonOut]
    decision_allowed: bool
    decision_message: str
    opinion_record_id: int | None


class ReviewOut(Schema):
    id: int
    case_id: int
    case_number: str
    status: str
    status_label: str
    submitted_at: datetime
    submitted_by: str
    draft_decision: str
    materials: list[str]
    register_no: str | None
    received_at: datetime | None
    handover_record_id: int | None
    due: date | None
    provisional: bool
    overdue: bool
    late: bool
    extension_days: int
    opinion_type: str | None
    opinion_record_id: int | None


class SubmitIn(Schema):
    place: str
    draft_decision: str = ""
    materials: list[str] | None = None


class ReceiptIn(Schema):
    place: str
    received_at: datetime | None = None


class ExtensionIn(Schema):
    working_days: int
    reason: str


class CheckItemIn(Schema):
    item: str
    result: str
    note: str = ""


class ChecklistIn(Schema):
    items: list[CheckItemIn]


class DiscretionIn(Schema):
    benchmark_code: str = ""
    proposed_fine: Decimal | None = None
    base_amount: Decimal | None = None
    note: str = ""


class DiscretionOut(Schema):
    id: int
    benchmark_code: str
    allowed_min: Decimal | None
    allowed_max: Decimal | None
    proposed_fine: Decimal | None
    within: bool | None


class TextIn(Schema):
    text: str


class OpinionIn(Schema):
    opinion_type: str
    text: str


class ReturnIn(Schema):
    received_by_id: int
    place: str
    returned_materials: list[str] | None = None


class CreatedOut(Schema):
    id: int


def _reasons(items: tuple[selectors.Reason, ...]) -> list[ReasonOut]:
    return [ReasonOut(kind=r.kind, label=r.label, citation=r.citation) for r in items]


def _major(case_id: int, assessment: Assessment, gate: Gate) -> MajorOut:
    return MajorOut(
        case_id=case_id,
        has_draft=assessment.draft.exists,
        major=assessment.major,
        disputed=assessment.disputed,
        reasons=_reasons(assessment.reasons),
        set_aside=_reasons(assessment.set_aside),
        decision_allowed=gate.allowed,
        decision_message=gate.message,
        opinion_record_id=gate.opinion.pk if gate.opinion is not None else None,
    )


def _review(row: ReviewRow) -> ReviewOut:
    receipt = row.receipt
    opinion = row.opinion
    submission = row.submission
    return ReviewOut(
        id=submission.pk,
        case_id=submission.case_id,
        case_number=submission.case.number,
        status=row.status,
        status_label=row.status_label,
        submitted_at=submission.submitted_at,
        submitted_by=submission.handed_by.full_name,
        draft_decision=submission.draft_decision,
        materials=selectors.materials_json(submission),
        register_no=receipt.register_no if receipt is not None else None,
        received_at=receipt.received_at if receipt is not None else None,
        handover_record_id=receipt.handover_id if receipt is not None else None,
        due=row.due,
        provisional=row.provisional,
        overdue=row.overdue,
        late=row.late,
        extension_days=row.extension_days,
        opinion_type=opinion.opinion_type if opinion is not None else None,
        opinion_record_id=opinion.record_id if opinion is not None else None,
    )


def _row(person: Person, review_id: int) -> ReviewRow:
    return selectors.row_of(selectors.get_submission_for(person, review_id))


def _receipt(person: Person, review_id: int) -> Receipt:
    row = _row(person, review_id)
    if row.receipt is None:
        raise ValidationError("案卷尚未登记收案。")
    receipt: Receipt = row.receipt
    return receipt


@router.get(
    "/cases/{case_id}/major", response={200: MajorOut, **ERROR_RESPONSES}, summary="是否属于重大执法决定"
)
def case_major(request: HttpRequest, case_id: int) -> MajorOut:
    """LR-1: the draft decision's majorness and why; LR-7: whether a 行政处罚决定书 may be made."""
    case = get_case_for(actor(request), case_id)
    gate = selectors.decision_gate(case)
    return _major(case.pk, gate.assessment, gate)


@router.get("/reviews", response={200: list[ReviewOut], **ERROR_RESPONSES}, summary="法制审核队列")
def review_list(request: HttpRequest, closed: bool = False) -> list[ReviewOut]:
    """Open review rounds of the visible cases by due date (``closed=true``: returned ones too)."""
    return [_review(r) for r in selectors.review_queue(actor(request), include_closed=closed)]


@router.get("/reviews/{review_id}", response={200: ReviewOut, **ERROR_RESPONSES}, summary="法制审核详情")
def review_detail(request: HttpRequest, review_id: int) -> ReviewOut:
    return _review(_row(actor(request), review_id))


@router.post("/cases/{case_id}/reviews", response={201: ReviewOut, **ERROR_RESPONSES}, summary="送法制审核")
def review_submit(request: HttpRequest, case_id: int, payload: SubmitIn) -> Status[ReviewOut]:
    """LR-2: the department submits; ``materials`` defaults to the case's current records."""
    person = actor(request)
    case = get_case_for(person, case_id)
    submission = services.submit_for_review(
        actor=person,
        case=case,
        place=payload.place,
        draft_decision=payload.draft_decision,
        materials=payload.materials,
    )
    return Status(201, _review(_row(person, submission.pk)))


@router.post("/reviews/{review_id}/receipt", response={201: ReviewOut, **ERROR_RESPONSES}, summary="登记收案")
def review_receipt(request: HttpRequest, review_id: int, payload: ReceiptIn) -> Status[ReviewOut]:
    person = actor(request)
    row = _row(person, review_id)
    services.register_receipt(
        actor=person, submission=row.submission, place=payload.place, received_at=payload.received_at
    )
    return Status(201, _review(_row(person, review_id)))


@router.post(
    "/reviews/{review_id}/extension", response={201: ReviewOut, **ERROR_RESPONSES}, summary="延长审核期限"
)
def review_extension(request: HttpRequest, review_id: int, payload: ExtensionIn) -> Status[ReviewOut]:
    person = actor(request)
    services.extend_review(
        actor=person,
        receipt=_receipt(person, review_id),
        working_days=payload.working_days,
        reason=payload.reason,
    )
    return Status(201, _review(_row(person, review_id)))


@router.post(
    "/reviews/{review_id}/checklist",
    response={201: list[CreatedOut], **ERROR_RESPONSES},
    summary="登记审核事项",
)
def review_checklist(request: HttpRequest, review_id: int, payload: ChecklistIn) -> Status[list[CreatedOut]]:
    person = actor(request)
    rows = services.record_checks(
        actor=person,
        receipt=_receipt(person, review_id),
        entries=[services.CheckInput(item=i.item, result=i.result, note=i.note) for i in payload.items],
    )
    return Status(201, [CreatedOut(id=r.pk) for r in rows])


@router.post(
    "/reviews/{review_id}/discretion",
    response={201: DiscretionOut, **ERROR_RESPONSES},
    summary="核对裁量基准",
)
def review_discretion(request: HttpRequest, review_id: int, payload: DiscretionIn) -> Status[DiscretionOut]:
    person = actor(request)
    row = services.check_discretion(
        actor=person,
        receipt=_receipt(person, review_id),
        benchmark_code=payload.benchmark_code,
        proposed_fine=payload.proposed_fine,
        base_amount=payload.base_amount,
        note=payload.note,
    )
    return Status(
        201,
        DiscretionOut(
            id=row.pk,
            benchmark_code=row.benchmark_code,
            allowed_min=row.allowed_min,
            allowed_max=row.allowed_max,
            proposed_fine=row.proposed_fine,
            within=row.within,
        ),
    )


@router.post(
    "/reviews/{review_id}/questions", response={201: CreatedOut, **ERROR_RESPONSES}, summary="向调查人员提问"
)
def review_question(request: HttpRequest, review_id: int, payload: TextIn) -> Status[CreatedOut]:
    person = actor(request)
    question = services.ask_question(actor=person, receipt=_receipt(person, review_id), text=payload.text)
    return Status(201, CreatedOut(id=question.pk))


@router.post(
    "/review-questions/{question_id}/answer",
    response={201: CreatedOut, **ERROR_RESPONSES},
    summary="答复问题",
)
def review_answer(request: HttpRequest, question_id: int, payload: TextIn) -> Status[CreatedOut]:
    person = actor(request)
    question = get_object_or_404(
        Question.objects.filter(receipt__submission__case__in=cases_visible_to(person)), pk=question_id
    )
    answer = services.answer_question(actor=person, question=question, text=payload.text)
    return Status(201, CreatedOut(id=answer.pk))


@router.post(
    "/reviews/{review_id}/opinion", response={201: ReviewOut, **ERROR_RESPONSES}, summary="出具审核意见"
)
def review_opinion(request: HttpRequest, review_id: int, payload: OpinionIn) -> Status[ReviewOut]:
    """LR-5: produces the 法制审核意见书 record (``opinion_record_id``)."""
    person = actor(request)
    services.issue_opinion(
        actor=person,
        receipt=_receipt(person, review_id),
        opinion_type=payload.opinion_type,
        text=payload.text,
    )
    return Status(201, _review(_row(person, review_id)))


@router.post(
    "/reviews/{review_id}/return", response={201: ReviewOut, **ERROR_RESPONSES}, summary="退还案卷并登记"
)
def review_return(request: HttpRequest, review_id: int, payload: ReturnIn) -> Status[ReviewOut]:
    person = actor(request)
    receipt = _receipt(person, review_id)
    received_by = get_object_or_404(Person, pk=payload.received_by_id, agency_id=person.agency_id)
    services.register_return(
        actor=person,
        receipt=receipt,
        received_by=received_by,
        place=payload.place,
        returned_materials=payload.returned_materials,
    )
    return Status(201, _review(_row(person, review_id)))


@router.get("/reviews/{review_id}/bundle", response={200: None, **ERROR_RESPONSES}, summary="留存资料（zip）")
def review_bundle(request: HttpRequest, review_id: int) -> HttpResponse:
    """LR-9: the retained materials as one zip (PDFs, the review's course, a manifest with SM3 digests)."""
    person = actor(request)
    made = services.export_bundle(actor=person, submission=selectors.get_submission_for(person, review_id))
    response = HttpResponse(made.data, content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(True, made.filename) or "attachment"
    return response


# --- LR-6: objection, re-review, collective study (HY-FS 第十条) ------------------------------------


class ObjectionIn(Schema):
    reason: str


class StepOut(Schema):
    opinion_record_id: int
    re_review: bool
    opinion_type: str
    issued_on: str
    objection_id: int | None
    objection_request: str | None
    collective_record_id: int | None
    collective_decision: str | None


class DisagreementOut(Schema):
    """The case's opinions, the objections to them and what came of them; what may be done next
    (``object`` / ``re_review`` / ``collective``; the pending objection's id)."""

    case_id: int
    steps: list[StepOut]
    next_action: str
    pending_objection_id: int | None
    decision_allowed: bool
    decision_message: str


def _disagreement(case_id: int, person: Person) -> DisagreementOut:
    case = get_case_for(person, case_id)
    d = selectors.disagreement_of(case)
    gate = selectors.decision_gate(case)
    return DisagreementOut(
        case_id=case.pk,
        steps=[
            StepOut(
                opinion_record_id=s.opinion.pk,
                re_review=s.re_review,
                opinion_type=str(s.opinion.fields.get("opinion_type") or ""),
                issued_on=s.issued_on,
                objection_id=s.objection.pk if s.objection else None,
                objection_request=s.objection.request if s.objection else None,
                collective_record_id=s.collective.record_id if s.collective else None,
                collective_decision=s.collective.decision if s.collective else None,
            )
            for s in d.steps
        ],
        next_action=d.next_action,
        pending_objection_id=d.pending.pk if d.pending else None,
        decision_allowed=gate.allowed,
        decision_message=gate.message,
    )


@router.get(
    "/cases/{case_id}/review-disagreement",
    response={200: DisagreementOut, **ERROR_RESPONSES},
    summary="审核意见异议、重新审核和集体研究",
)
def case_disagreement(request: HttpRequest, case_id: int) -> DisagreementOut:
    return _disagreement(case_id, actor(request))


@router.post(
    "/review-opinions/{record_id}/objection",
    response={201: DisagreementOut, **ERROR_RESPONSES},
    summary="对审核意见提出异议",
)
def opinion_objection(request: HttpRequest, record_id: int, payload: ObjectionIn) -> Status[DisagreementOut]:
    """LR-6: against the first opinion a re-review is asked for, against the re-review's a collective study."""
    from liuhen.records.selectors import get_record_for

    person = actor(request)
    record = get_record_for(person, record_id)
    services.object_to_opinion(actor=person, opinion_record=record, reason=payload.reason)
    assert record.case_id is not None
    return Status(201, _disagreement(record.case_id, person))


@router.post(
    "/review-objections/{objection_id}/re-review",
    response={201: DisagreementOut, **ERROR_RESPONSES},
    summary="重新审核",
)
def objection_re_review(
    request: HttpRequest, objection_id: int, payload: OpinionIn
) -> Status[DisagreementOut]:
    """LR-6: the legal office's re-review, a new 法制审核意见书."""
    from liuhen.review.models import Objection

    person = actor(request)
    objection = get_object_or_404(
        Objection.objects.filter(case__in=cases_visible_to(person)), pk=objection_id
    )
    services.re_review(
        actor=person, objection=objection, opinion_type=payload.opinion_type, text=payload.text
    )
    return Status(201, _disagreement(objection.case_id, person))
