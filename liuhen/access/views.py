"""Staff pages for access control (AC-1..4): the request form (linked from the case and AV item
pages), a request's page with the head's decision and revocation, the head's approval queue, the
person's own requests and grants, a party's copy request and the copy itself, and the audit
section's unusual-access report. Reads go through :mod:`liuhen.access.selectors`, writes through
:mod:`liuhen.access.services`."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from liuhen.access import report, selectors, services
from liuhen.access.forms import DecisionForm, PartyRequestForm, RequestForm, RevokeForm, UnusualForm
from liuhen.access.models import AccessRequest, RequestKind
from liuhen.av.models import MediaItem
from liuhen.cases.forms import apply_service_errors, error_messages
from liuhen.cases.models import Case
from liuhen.cases.selectors import can_write_case, get_case_for
from liuhen.org.models import Person


def _person(request: HttpRequest) -> Person:
    user = request.user
    assert isinstance(user, Person)
    return user


def _rows(requests: Any) -> list[tuple[AccessRequest, str, str]]:
    now = timezone.now()
    rows = []
    for r in requests:
        status = selectors.status_of(r, now)
        rows.append((r, status, selectors.STATUS_LABELS[status]))
    return rows


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """我的调阅: the person's requests and grants, and the party requests they registered."""
    person = _person(request)
    rows = _rows(selectors.requests_of(person))
    return render(
        request,
        "access/mine.html",
        {
            "rows": rows,
            "queue_count": len(selectors.pending_queue(person)),
            "can_report": report.can_read_report(person),
        },
    )


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """待审批: the unit head's queue, and what they decided."""
    person = _person(request)
    pending = selectors.pending_queue(person)
    decided = _rows(selectors.decided_by(person)[:50])
    return render(request, "access/queue.html", {"pending": pending, "decided": decided})


def _initial_target(person: Person, request: HttpRequest) -> dict[str, Any]:
    initial: dict[str, Any] = {}
    case_pk = request.GET.get("case", "")
    item_pk = request.GET.get("item", "")
    if case_pk.isdigit():
        case = Case.objects.filter(pk=int(case_pk), agency_id=person.agency_id or 0).first()
        if case is not None:
            initial["case_number"] = case.number
    elif item_pk.isdigit():
        initial["media_item"] = int(item_pk)
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    """调阅申请: a case number or an AV item number, what is needed besides viewing, the work need."""
    person = _person(request)
    if request.method == "POST":
        form = RequestForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            case = media_item = None
            if d["case_number"].strip():
                case = Case.objects.filter(
                    number=d["case_number"].strip(), agency_id=person.agency_id or 0
                ).first()
                if case is None:
                    form.add_error("case_number", "本机关没有该编号的案件。")
            else:
                media_item = MediaItem.objects.filter(
                    pk=d["media_item"], agency_id=person.agency_id or 0
                ).first()
                if media_item is None:
                    form.add_error("media_item", "本机关没有该编号的音像资料。")
            if not form.errors:
                try:
                    row = services.request_access(
                        actor=person,
                        case=case,
                        media_item=media_item,
                        actions=d["actions"],
                        reason=d["reason"],
                        days=d["days"],
                    )
                except ValidationError as exc:
                    apply_service_errors(form, exc)
                except PermissionDenied as exc:
                    form.add_error(None, error_messages(exc)[0])
                else:
                    messages.success(request, "申请已提交，待单位负责人审批。")
                    return redirect("access:detail", pk=row.pk)
        status = 400
    else:
        form = RequestForm(initial={"days": 7, **_initial_target(person, request)})
        status = 200
    return render(request, "access/request_form.html", {"form": form}, status=status)


def _detail_context(person: Person, row: AccessRequest, **forms_: Any) -> dict[str, Any]:
    status = selectors.status_of(row)
    can_produce = (
        row.kind == RequestKind.PARTY
        and status == selectors.Status.ACTIVE
        and row.case is not None
        and can_write_case(person, row.case)
    )
    included: list[Any] = []
    withheld = 0
    show_copy = row.kind == RequestKind.PARTY and row.case is not None and can_write_case(person, row.case)
    if show_copy:
        assert row.case is not None
        inc, wh = selectors.copy_content(row.case)
        included, withheld = inc, len(wh)
    return {
        "row": row,
        "status": status,
        "status_label": selectors.STATUS_LABELS[status],
        "decision": getattr(row, "decision", None),
        "can_decide": status == selectors.Status.PENDING and selectors.can_decide(person, row),
        "can_revoke": status == selectors.Status.ACTIVE and selectors.can_revoke(person, row),
        "can_produce": can_produce,
        "show_copy": show_copy,
        "included": included,
        "withheld": withheld,
        "decision_form": forms_.get("decision") or DecisionForm(initial={"days": row.days}),
        "revoke_form": forms_.get("revoke") or RevokeForm(),
    }


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request)
    row = selectors.get_request_for(person, pk)
    return render(request, "access/request_detail.html", _detail_context(person, row))


@login_required
@require_POST
def request_decide(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request)
    row = selectors.get_request_for(person, pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.decide(actor=person, request=row, approved=d["approved"], note=d["note"], days=d["days"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, error_messages(exc)[0])
        else:
            messages.success(request, "已批准。" if d["approved"] else "已不予批准。")
            return redirect("access:queue")
    row = selectors.get_request_for(person, pk)
    return render(
        request, "access/request_detail.html", _detail_context(person, row, decision=form), status=400
    )


@login_required
@require_POST
def request_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request)
    row = selectors.get_request_for(person, pk)
    form = RevokeForm(request.POST)
    decision = getattr(row, "decision", None)
    if form.is_valid() and decision is not None:
        try:
            services.revoke(actor=person, decision=decision, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, error_messages(exc)[0])
        else:
            messages.success(request, "授权已撤销。")
            return redirect("access:detail", pk=row.pk)
    row = selectors.get_request_for(person, pk)
    return render(
        request, "access/request_detail.html", _detail_context(person, row, revoke=form), status=400
    )


@login_required
@require_http_methods(["GET", "POST"])
def party_new(request: HttpRequest, case_pk: int) -> HttpResponse:
    """登记当事人复制申请 (AC-2), from the case page."""
    person = _person(request)
    case = get_case_for(person, case_pk)
    if not can_write_case(person, case):
        raise PermissionDenied("只有本案承办人员或科室负责人可以登记当事人的复制申请。")
    parties = case.parties.filter(superseded_by__isnull=True).order_by("pk")
    if request.method == "POST":
        form = PartyRequestForm(request.POST, parties=parties)
        if form.is_valid():
            d = form.cleaned_data
            try:
                row = services.register_party_request(
                    actor=person,
                    case=case,
                    party=d["party"],
                    applicant_name=d["applicant_name"],
                    applicant_id_doc=d["applicant_id_doc"],
                    reason=d["reason"],
                    days=d["days"],
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, error_messages(exc)[0])
            else:
                messages.success(request, "已登记，待负责人审批。")
                return redirect("access:detail", pk=row.pk)
        status = 400
    else:
        form = PartyRequestForm(parties=parties, initial={"days": 15})
        status = 200
    return render(request, "access/party_form.html", {"form": form, "case": case}, status=status)


@login_required
@require_POST
def party_copy(request: HttpRequest, pk: int) -> HttpResponseBase:
    """制作当事人复制件: the ZIP (streamed from a temporary file)."""
    person = _person(request)
    row = selectors.get_request_for(person, pk)
    out = services.spool()
    try:
        result = services.produce_party_copy(actor=person, request=row, out=out)
    except (ValidationError, PermissionDenied) as exc:
        out.close()
        messages.error(request, error_messages(exc)[0])
        return redirect("access:detail", pk=row.pk)
    out.seek(0)
    response = FileResponse(out, as_attachment=True, filename=result.filename, content_type="application/zip")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def unusual(request: HttpRequest) -> HttpResponse:
    """异常调阅统计: for the audit section and the agency head."""
    person = _person(request)
    if not report.can_read_report(person):
        raise PermissionDenied("只有稽查人员和机关负责人可以查看异常调阅统计。")
    today = timezone.localdate()
    initial = {
        "start": today - timedelta(days=6),
        "end": today,
        "factor": report.default_factor(),
        "min_count": report.default_min_count(),
    }
    form = UnusualForm(request.GET or None, initial=initial)
    params: dict[str, Any] = dict(initial)
    if form.is_valid():
        params.update({k: v for k, v in form.cleaned_data.items() if v is not None})
    rows = report.unusual_access(
        person,
        start=params["start"],
        end=params["end"],
        factor=float(params["factor"]),
        min_count=int(params["min_count"]),
    )
    return render(
        request,
        "access/unusual.html",
        {"form": form, "rows": rows, "params": params, "baseline_days": report.default_baseline_days()},
    )
