"""Archive pages (案卷归档): the overview with overdue files and the archivist's queue, one
submission with its 卷内目录 (PDF/DOCX), submit / resubmit from the case, accept or return, the
year-end check (AR-3), the register, and the custodians (AR-4). Reads through
:mod:`liuhen.archives.selectors`, writes through :mod:`liuhen.archives.services`; a refused action
comes back as a message on the page it came from."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from liuhen.archives import render as index_render
from liuhen.archives import selectors, services
from liuhen.archives.models import ArchiveRecord
from liuhen.cases.forms import error_messages
from liuhen.cases.selectors import get_case_for
from liuhen.ledger import services as ledger
from liuhen.org.models import Department, Person

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _person(request: HttpRequest) -> Person:
    user = request.user
    assert isinstance(user, Person)
    return user


def _year(request: HttpRequest) -> int:
    try:
        return int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year


class SubmitForm(forms.Form):
    note = forms.CharField(label="备注", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label="审核结果", choices=[("accept", "接收归档"), ("return", "退回补正")])
    reasons = forms.CharField(label="理由", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class CustodianForm(forms.Form):
    department = forms.ModelChoiceField(
        label="单位", queryset=Department.objects.none(), required=False, empty_label="全机关"
    )
    person = forms.ModelChoiceField(label="归档责任人", queryset=Person.objects.none())
    note = forms.CharField(label="说明", required=False)

    def __init__(self, *args: Any, agency_id: int | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        department = self.fields["department"]
        person = self.fields["person"]
        assert isinstance(department, forms.ModelChoiceField) and isinstance(person, forms.ModelChoiceField)
        department.queryset = Department.objects.filter(agency_id=agency_id or 0)
        person.queryset = Person.objects.filter(agency_id=agency_id or 0, is_active=True).order_by(
            "department_id", "pk"
        )


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    rows = selectors.unarchived(person)
    return render(
        request,
        "archives/overview.html",
        {
            "overdue_rows": [r for r in rows if r.overdue],
            "open_rows": [r for r in rows if not r.overdue],
            "queue": list(selectors.pending_review(person)),
            "is_archivist": person.agency_id is not None and selectors.is_archivist(person, person.agency_id),
            "units": selectors.custodians(person.agency_id),
            "custodian_form": CustodianForm(agency_id=person.agency_id),
            "year": timezone.localdate().year,
        },
    )


@login_required
@require_GET
def year_end(request: HttpRequest) -> HttpResponse:
    """AR-3: the cases of a year whose action ended and whose file is not archived."""
    person = _person(request)
    year = _year(request)
    rows = selectors.year_end_check(person, year)
    return render(
        request,
        "archives/year_end.html",
        {"year": year, "years": selectors.years_of(person), "rows": rows, "summary": selectors.summary(rows)},
    )


@login_required
@require_GET
def register_view(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    year = _year(request)
    return render(
        request,
        "archives/register.html",
        {
            "year": year,
            "years": selectors.years_of(person),
            "rows": list(selectors.register(person, year=year)),
        },
    )


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request)
    record = selectors.get_submission_for(person, pk)
    case = record.case
    decision = selectors.decision_of(record)
    superseded = ArchiveRecord.objects.filter(supersedes=record).first()
    return render(
        request,
        "archives/detail.html",
        {
            "record": record,
            "case": case,
            "rows": index_render.index_rows(record),
            "decision": decision,
            "superseded_by": superseded,
            "history": selectors.submissions_of(case),
            "status": selectors.status_of(case),
            "can_decide": decision is None
            and superseded is None
            and selectors.is_archivist(person, record.agency_id),
            "decision_form": DecisionForm(),
            "custodian": selectors.custodian_of(case.agency, case.department),
        },
    )


def _export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    person = _person(request)
    record = selectors.get_submission_for(person, pk)
    if fmt == "pdf":
        data, media_type = index_render.render_index_pdf(record), PDF
    else:
        data, media_type = index_render.render_index_docx(record), DOCX
    ledger.record_access(
        actor=person,
        action="archive.index_export",
        obj=record,
        case_id=record.case_id,
        detail={"format": fmt, "archive_no": record.archive_no, "attempt": record.attempt, "size": len(data)},
    )
    response = HttpResponse(data, content_type=media_type)
    disposition = content_disposition_header(True, f"{index_render.filename_stem(record)}.{fmt}")
    response["Content-Disposition"] = disposition or "attachment"
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def index_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _export(request, pk, "pdf")


@login_required
@require_GET
def index_docx(request: HttpRequest, pk: int) -> HttpResponse:
    return _export(request, pk, "docx")


@login_required
@require_POST
def submit(request: HttpRequest, case_pk: int) -> HttpResponse:
    person = _person(request)
    case = get_case_for(person, case_pk)
    form = SubmitForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        record = services.submit_archive(actor=person, case=case, note=note)
    except (ValidationError, PermissionDenied) as exc:
        for message in error_messages(exc):
            messages.error(request, message)
        return redirect("cases:detail", pk=case.pk)
    messages.success(request, f"已报送归档，档号 {record.archive_no}，共 {record.page_count} 页。")
    return redirect("archives:detail", pk=record.pk)


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request)
    record = selectors.get_submission_for(person, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择审核结果。")
        return redirect("archives:detail", pk=pk)
    accept = form.cleaned_data["outcome"] == "accept"
    try:
        services.decide_archive(
            actor=person, submission=record, accept=accept, reasons=form.cleaned_data["reasons"]
        )
    except (ValidationError, PermissionDenied) as exc:
        for message in error_messages(exc):
            messages.error(request, message)
        return redirect("archives:detail", pk=pk)
    messages.success(request, "已接收归档。" if accept else "已退回，承办科室补正后重新报送。")
    return redirect("archives:detail", pk=pk)


@login_required
@require_POST
def designate(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    if person.agency is None:
        raise Http404("无所属机关。")
    form = CustodianForm(request.POST, agency_id=person.agency_id)
    if not form.is_valid():
        messages.error(request, "请选择单位和归档责任人。")
        return redirect("archives:overview")
    try:
        services.designate_custodian(
            actor=person,
            agency=person.agency,
            department=form.cleaned_data["department"],
            person=form.cleaned_data["person"],
            note=form.cleaned_data["note"],
        )
    except (ValidationError, PermissionDenied) as exc:
        for message in error_messages(exc):
            messages.error(request, message)
        return redirect("archives:overview")
    messages.success(request, "已指定归档责任人。")
    return redirect("archives:overview")
