"""The legal office's pages (法制审核工作台): the queue with due dates and overdue alerts, one review
round (receipt, extension, checklist, discretion benchmark, questions, opinion, return, the
head's signature on the decision, filing, the retained-materials zip), and the department's
submission. Reads through :mod:`liuhen.review.selectors`, writes through
:mod:`liuhen.review.services`; a refused action comes back as a message on the page it came from.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from liuhen.cases.forms import apply_service_errors, error_messages
from liuhen.cases.models import Case
from liuhen.cases.selectors import can_write_case, cases_visible_to, get_case_for
from liuhen.org.models import Person, Role
from liuhen.records import services as records_services
from liuhen.records.models import Record, SignerRole
from liuhen.records.selectors import get_record_for
from liuhen.review import selectors, services
from liuhen.review.forms import (
    AnswerForm,
    ChecklistForm,
    CollectiveForm,
    DiscretionForm,
    DisputeForm,
    ExtensionForm,
    FilingForm,
    ObjectionForm,
    OpinionForm,
    QuestionForm,
    ReceiptForm,
    ReReviewForm,
    ResolveForm,
    ReturnForm,
    RoomForm,
    SubmitForm,
)
from liuhen.review.models import MajorDispute, Objection, Question, Receipt, Submission


def _person(request: HttpRequest) -> Person:
    user = request.user
    assert isinstance(user, Person)
    return user


def _writers(case: Case) -> Any:
    """The people who may receive the file back: the case's handlers and its department head."""
    return (
        Person.objects.filter(
            Q(handled__case=case) | Q(department_id=case.department_id, roles__role=Role.DEPARTMENT_HEAD),
            is_active=True,
        )
        .distinct()
        .order_by("pk")
    )


def _run(request: HttpRequest, action: Callable[[], object], success: str) -> bool:
    """Call a service; its refusal becomes an error message (post/redirect/get)."""
    try:
        action()
    except (ValidationError, PermissionDenied) as exc:
        for message in error_messages(exc):
            messages.error(request, message)
        return False
    messages.success(request, success)
    return True


def _form_errors(request: HttpRequest, form: forms.Form) -> None:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}：{error}" if label else str(error))


def _submission(request: HttpRequest, pk: int) -> Submission:
    return selectors.get_submission_for(_person(request), pk)


def _receipt(request: HttpRequest, pk: int) -> Receipt:
    submission = _submission(request, pk)
    receipt = getattr(submission, "receipt", None)
    if receipt is None:
        raise ValidationError("案卷尚未登记收案。")
    return receipt


# --- the workspace ---------------------------------------------------------------------------------


@login_required
@require_GET
def workspace(request: HttpRequest) -> HttpResponse:
    """法制审核工作台: overdue alerts, the open reviews by due date, the recently closed ones."""
    person = _person(request)
    if not selectors.sees_workspace(person):
        raise PermissionDenied("法制审核工作台供法制审核人员和机关负责人使用。")
    rows = selectors.review_queue(person, include_closed=True)
    return render(
        request,
        "review/workspace.html",
        {
            "alerts": selectors.overdue_reviews(person),
            "open_rows": [r for r in rows if r.status != "returned"],
            "closed_rows": [r for r in rows if r.status == "returned"][:20],
            "today": timezone.localdate(),
            "config_of": selectors.review_config(person.agency) if person.agency else None,
        },
    )


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


@login_required
@require_GET
def statistics(request: HttpRequest) -> HttpResponse:
    """Reviews of a year by department: outcomes, turnaround, late and overdue (point 8)."""
    from liuhen.review.statistics import HEADERS, line_values, review_statistics, years_with_reviews

    person = _person(request)
    if not selectors.sees_workspace(person):
        raise PermissionDenied("法制审核统计供法制审核人员和机关负责人使用。")
    year = _year(request)
    stats = review_statistics(person, year)
    return render(
        request,
        "review/statistics.html",
        {
            "year": year,
            "years": years_with_reviews(person),
            "headers": HEADERS,
            "lines": [line_values(line) for line in stats.departments],
            "total": line_values(stats.total),
        },
    )


@login_required
@require_GET
def statistics_xlsx(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    filename, data = services.export_statistics(actor=person, year=_year(request))
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
    response["Cache-Control"] = "no-store"
    return response


# --- the department: submit, dispute --------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest, case_pk: int) -> HttpResponse:
    """LR-2: hand the case file to the legal office, the materials listed from the case's records."""
    person = _person(request)
    case = get_case_for(person, case_pk)
    if not can_write_case(person, case):
        raise PermissionDenied(services.WRITERS_ONLY)
    assessment = selectors.assess(case)
    if request.method == "POST":
        form = SubmitForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                submission = services.submit_for_review(
                    actor=person,
                    case=case,
                    place=d["place"],
                    draft_decision=d["draft_decision"],
                    materials=d["materials"],
                )
            except (ValidationError, PermissionDenied) as exc:
                if isinstance(exc, ValidationError):
                    apply_service_errors(form, exc)
                else:
                    form.add_error(None, error_messages(exc)[0])
            else:
                messages.success(request, "案卷已送法制机构审核，待法制机构登记收案。")
                return redirect("review:detail", pk=submission.pk)
    else:
        form = SubmitForm(
            initial={
                "draft_decision": selectors.draft_summary(assessment.draft),
                "materials": "\n".join(selectors.materials_of(case)),
                "place": case.department.name,
            }
        )
    return render(
        request,
        "review/submit.html",
        {"case": case, "form": form, "assessment": assessment, "blocker": selectors.submit_blocker(case)},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def dispute(request: HttpRequest, case_pk: int) -> HttpResponse:
    """HY-FS 第四条第二款: record a disagreement about whether the draft decision is major."""
    person = _person(request)
    case = get_case_for(person, case_pk)
    form = DisputeForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.raise_dispute(actor=person, case=case, **form.cleaned_data),
            "异议已记录，请承办科室会同法制机构协商确定。",
        )
    else:
        _form_errors(request, form)
    return redirect(f"{case_url(case)}#review")


@login_required
@require_POST
def resolve(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request)
    found = get_object_or_404(MajorDispute.objects.filter(case__in=cases_visible_to(person)), pk=pk)
    form = ResolveForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.resolve_dispute(actor=person, dispute=found, **form.cleaned_data),
            "协商结果已登记。",
        )
    else:
        _form_errors(request, form)
    return redirect(f"{case_url(found.case)}#review")


def case_url(case: Case) -> str:
    from django.urls import reverse

    return reverse("cases:detail", args=[case.pk])


# --- one review round ----------------------------------------------------------------------------------


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request)
    submission = _submission(request, pk)
    case = submission.case
    row = selectors.row_of(submission)
    receipt = row.receipt
    config = selectors.review_config(case.agency)
    reviewer = selectors.is_legal_reviewer(person, case)
    writer = can_write_case(person, case)
    is_open = receipt is not None and row.opinion is None
    context: dict[str, Any] = {
        "submission": submission,
        "case": case,
        "row": row,
        "receipt": receipt,
        "config": config,
        "materials": selectors.materials_json(submission),
        "gate": selectors.decision_gate(case),
        "is_reviewer": reviewer,
        "is_writer": writer,
        "is_head": selectors.is_agency_head(person, case),
        "can_receive": reviewer and receipt is None and not case.branch,
        "can_review": reviewer and is_open,
        "receipt_form": ReceiptForm(initial={"place": person.department.name if person.department else ""}),
        "decisions": [
            (r, [s for s in r.signers.all() if s.role == SignerRole.HEAD])
            for r in selectors.decision_records(case)
        ],
        "filings": selectors.filing_records(case),
        "filing_deadlines": selectors.filing_deadlines(case),
        "can_file": (writer or reviewer),
    }
    if receipt is not None:
        lines = selectors.checklist_of(receipt)
        draft = selectors.draft_of(case)
        check = selectors.latest_discretion(receipt)
        context.update(
            {
                "handovers": selectors.handover_versions(receipt),
                "checklist": lines,
                "checklist_form": ChecklistForm(lines=lines),
                "discretion": check,
                "discretion_form": DiscretionForm(
                    config=config,
                    initial={
                        "benchmark_code": draft.benchmark_entry,
                        "base_amount": draft.loss_amount,
                        "proposed_fine": draft.fine,
                    },
                ),
                "questions": [(q, AnswerForm(prefix=f"q{q.pk}")) for q in selectors.questions_of(receipt)],
                "question_form": QuestionForm(prefix="ask"),
                "opinion_form": OpinionForm(prefix="opinion"),
                "extension_form": ExtensionForm(
                    prefix="extend", max_days=config.max_extension_days if config else 3
                ),
                "can_extend": reviewer
                and is_open
                and config is not None
                and config.max_extension_days > 0
                and not hasattr(receipt, "extension"),
                "return_form": ReturnForm(
                    prefix="return", people=_writers(case), initial={"place": receipt.place}
                ),
                "can_return": reviewer and row.opinion is not None and not hasattr(receipt, "file_return"),
                "can_bundle": reviewer or selectors.is_agency_head(person, case),
            }
        )
    decided = selectors.decision_records(case).filter(record_type="penalty_decision").last()
    context["filing_form"] = FilingForm(
        prefix="filing",
        initial={
            "filing_kind": "revocation" if case.branch == "revoked" else "decision",
            "document_name": decided.title if decided else "行政处罚决定书",
            "document_no": (decided.fields.get("document_no") if decided else "") or case.number,
            "decided_on": decided.fields.get("decided_on") if decided else None,
            "filed_by": f"{case.department.name} {person.full_name}",
            "documents": (decided.title if decided else "行政处罚决定书"),
        },
    )
    return render(request, "review/detail.html", context)


@login_required
@require_POST
def receive(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request)
    submission = _submission(request, pk)
    form = ReceiptForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.register_receipt(
                actor=person,
                submission=submission,
                place=form.cleaned_data["place"],
                received_at=form.cleaned_data["received_at"],
            ),
            "已登记收案并出具案卷移交清单。",
        )
    else:
        _form_errors(request, form)
    return redirect("review:detail", pk=pk)


def _receipt_action(
    request: HttpRequest,
    pk: int,
    form_class: Callable[..., forms.Form],
    call: Callable[[Receipt, Any], object],
    ok: str,
) -> HttpResponse:
    try:
        receipt = _receipt(request, pk)
    except ValidationError as exc:
        messages.error(request, error_messages(exc)[0])
        return redirect("review:detail", pk=pk)
    form = form_class(request.POST)
    if form.is_valid():
        _run(request, lambda: call(receipt, form.cleaned_data), ok)
    else:
        _form_errors(request, form)
    return redirect("review:detail", pk=pk)


@login_required
@require_POST
def extend(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request)
    return _receipt_action(
        request,
        pk,
        lambda data: ExtensionForm(data, prefix="extend", max_days=99),
        lambda receipt, d: services.extend_review(
            actor=person, receipt=receipt, working_days=d["working_days"], reason=d["reason"]
        ),
        "审核期限已延长。",
    )


@login_required
@require_POST
def checklist(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request)

    def form(data: Any) -> ChecklistForm:
        try:
            lines = selectors.checklist_of(_receipt(request, pk))
        except ValidationError:
            lines = []
        return ChecklistForm(data, lines=lines)

    def call(receipt: Receipt, _: Any) -> object:
        bound = form(request.POST)
        bound.is_valid()
        entries = [services.CheckInput(item=i, result=r, note=n) for i, r, n in bound.entries()]
        return services.record_checks(actor=person, receipt=receipt, entries=entries)

    return _receipt_action(request, pk, form, call, "审核事项已登记。")


@login_required
@require_POST
def discretion(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request)
    submission = _submission(request, pk)
    config = selectors.review_config(submission.case.agency)
    return _receipt_action(
        request,
        pk,
        lambda data: DiscretionForm(data, config=config),
        lambda receipt, d: services.check_discretion(
            actor=person,
            receipt=receipt,
            benchmark_code=d["benchmark_code"],
            base_amount=d["base_amount"],
            proposed_fine=d["proposed_fine"],
            note=d["note"],
        ),
        "裁量基准核对已登记。",
    )


@login_required
@require_POST
def ask(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request)
    return _receipt_action(
        request,
        pk,
        lambda data: QuestionForm(data, prefix="ask"),
        lambda receipt, d: services.ask_question(actor=person, receipt=receipt, text=d["text"]),
        "问题已发给案件调查人员。",
    )


@login_required
@require_POST
def answer(request: HttpRequest, question_pk: int) -> HttpResponse:
    person = _person(request)
    question = get_object_or_404(
        Question.objects.select_related("receipt__submission__case").filter(
            receipt__submission__case__in=cases_visible_to(person)
        ),
        pk=question_pk,
    )
    form = AnswerForm(request.POST, prefix=f"q{question.pk}")
    if form.is_valid():
        _run(
            request,
            lambda: services.answer_question(actor=person, question=question, text=form.cleaned_data["text"]),
            "答复已记录。",
        )
    else:
        _form_errors(request, form)
    return redirect("review:detail", pk=question.receipt.submission_id)


@login_required
@require_POST
def opinion(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request)
    return _receipt_action(
        request,
        pk,
        lambda data: OpinionForm(data, prefix="opinion"),
        lambda receipt, d: services.issue_opinion(
            actor=person, receipt=receipt, opinion_type=d["opinion_type"], text=d["text"]
        ),
        "审核意见已出具，法制审核意见书已生成。",
    )


@login_required
@require_POST
def return_file(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request)
    submission = _submission(request, pk)
    return _receipt_action(
        request,
        pk,
        lambda data: ReturnForm(data, prefix="return", people=_writers(submission.case)),
        lambda receipt, d: services.register_return(
            actor=person,
            receipt=receipt,
            received_by=d["received_by"],
            place=d["place"],
            returned_materials=d["returned_materials"] or None,
        ),
        "案卷已退还并登记。",
    )


@login_required
@require_GET
def bundle(request: HttpRequest, pk: int) -> HttpResponse:
    """LR-9: the retained materials in one click (a zip)."""
    person = _person(request)
    submission = _submission(request, pk)
    try:
        made = services.export_bundle(actor=person, submission=submission)
    except ValidationError as exc:
        messages.error(request, error_messages(exc)[0])
        return redirect("review:detail", pk=pk)
    response = HttpResponse(made.data, content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(True, made.filename) or "attachment"
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def sign(request: HttpRequest, record_pk: int) -> HttpResponse:
    """DC-3: the agency head signs the decision (name and time on the record)."""
    person = _person(request)
    record = get_record_for(person, record_pk)
    _run(request, lambda: services.sign_decision(actor=person, record=record), "已签发。")
    return _back(request, record)


@login_required
@require_POST
def filing(request: HttpRequest, case_pk: int) -> HttpResponse:
    """LR-8: register the filing of the decision documents (or of a revocation) with the legal office."""
    person = _person(request)
    case = get_case_for(person, case_pk)
    form = FilingForm(request.POST, prefix="filing")
    if form.is_valid():
        _run(
            request,
            lambda: services.file_with_legal_office(actor=person, case=case, data=form.data_for_record()),
            "备案已登记。",
        )
    else:
        _form_errors(request, form)
    nxt = request.POST.get("next", "")
    return redirect(nxt if nxt.startswith("/") and not nxt.startswith("//") else case_url(case))


def _back(request: HttpRequest, record: Record) -> HttpResponse:
    nxt = request.POST.get("next", "")
    if nxt.startswith("/") and not nxt.startswith("//"):
        return redirect(nxt)
    return redirect("records:detail", pk=record.pk)


# --- LR-6: objection, re-review, collective study (HY-FS 第十条); DC-5 rooms ----------------------------


def _objection(request: HttpRequest, pk: int) -> Objection:
    return get_object_or_404(
        Objection.objects.filter(case__in=cases_visible_to(_person(request))).select_related("case"), pk=pk
    )


@login_required
@require_POST
def object_to(request: HttpRequest, record_pk: int) -> HttpResponse:
    """The department objects to the case's latest review opinion (re-review, then collective study)."""
    person = _person(request)
    record = get_record_for(person, record_pk)
    form = ObjectionForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.object_to_opinion(actor=person, opinion_record=record, **form.cleaned_data),
            "异议已提出。",
        )
    else:
        _form_errors(request, form)
    return redirect(f"{case_url(record.case)}#review-lr6" if record.case else "review:workspace")


@login_required
@require_POST
def re_review_view(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request)
    objection = _objection(request, pk)
    form = ReReviewForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.re_review(actor=person, objection=objection, **form.cleaned_data),
            "重新审核意见已出具（法制审核意见书）。",
        )
    else:
        _form_errors(request, form)
    return redirect(f"{case_url(objection.case)}#review-lr6")


def _av_records(case: Case) -> Any:
    return (
        selectors.current_records(case)
        .filter(record_type__in=("video", "audio"))
        .order_by("-created_at", "-pk")
    )


@login_required
@require_http_methods(["GET", "POST"])
def collective(request: HttpRequest, pk: int) -> HttpResponse:
    """The collective study of an objection to the re-review's opinion: the 集体讨论记录 with every
    attendee, each statement, the conclusion, the designated room and the audio-visual record."""
    person = _person(request)
    objection = _objection(request, pk)
    case = objection.case
    rooms = selectors.designated_rooms(case.agency)
    av_records = list(_av_records(case))
    form = CollectiveForm(
        request.POST or None,
        request.FILES or None,
        rooms=rooms,
        av_records=av_records,
        initial={"host": person.full_name, "attendees": f"{person.full_name} "},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        room = next(r for r in rooms if str(r.pk) == data["room"])
        av_record = next((r for r in av_records if str(r.pk) == data["av_record"]), None)
        upload = data.get("av_file")
        files = (
            [records_services.FileInput(source=upload, filename=upload.name, media_type=upload.content_type)]
            if upload
            else []
        )
        ok = _run(
            request,
            lambda: services.hold_collective_study(
                actor=person,
                objection=objection,
                held_at=data["held_at"],
                room=room,
                host=data["host"],
                recorder=data["recorder"],
                attendees=[
                    services.AttendeeInput(
                        name=name, title=title, person=person if name == person.full_name else None
                    )
                    for name, title in data["attendees"]
                ],
                case_report=data["case_report"],
                speeches=[services.Speech(speaker, text) for speaker, text in data["speeches"]],
                conclusion=data["conclusion"],
                decision=data["decision"],
                av_record=av_record,
                av_files=files,
            ),
            "集体研究决定已登记（集体讨论记录）。",
        )
        if ok:
            return redirect(f"{case_url(case)}#review-lr6")
    elif request.method == "POST":
        _form_errors(request, form)
    return render(
        request,
        "review/collective.html",
        {"form": form, "objection": objection, "case": case, "rooms": rooms},
    )


@login_required
@require_http_methods(["GET", "POST"])
def rooms(request: HttpRequest) -> HttpResponse:
    """DC-5: the agency's designated rooms for 合议 and collective discussion (the agency head)."""
    person = _person(request)
    if person.agency is None or not selectors.sees_workspace(person):
        raise PermissionDenied("指定场所供机关负责人和法制审核人员查看。")
    form = RoomForm(request.POST or None)
    if request.method == "POST":
        withdraw = request.POST.get("withdraw", "")
        if withdraw:
            _run(
                request,
                lambda: services.designate_room(actor=person, name=withdraw, withdrawn=True),
                "已撤销指定。",
            )
        elif form.is_valid():
            _run(request, lambda: services.designate_room(actor=person, **form.cleaned_data), "场所已指定。")
        else:
            _form_errors(request, form)
        return redirect("review:rooms")
    return render(
        request,
        "review/rooms.html",
        {
            "rooms": selectors.designated_rooms(person.agency),
            "form": form,
            "is_head": person.has_role(Role.AGENCY_HEAD),
        },
    )
