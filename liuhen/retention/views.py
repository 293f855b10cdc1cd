"""The records office's retention pages (保存期限与销毁): the disposal list with the rule behind each
term, disposal requests with two-person approval and execution, long-term preservation holds with
their release and offline copies, and one item's retention. Reads through
:mod:`liuhen.retention.selectors`, writes through :mod:`liuhen.retention.services`; a refused action
comes back as a message on the page it came from."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from liuhen.cases.forms import error_messages
from liuhen.cases.selectors import get_case_for
from liuhen.org.models import Person
from liuhen.retention import selectors, services
from liuhen.retention.config import retention_config_for
from liuhen.retention.forms import DecisionForm, DisposalRequestForm, HoldForm, OfflineCopyForm, ReleaseForm
from liuhen.retention.models import HoldRelease, Tombstone

PAGE_SIZE = 50


def _person(request: HttpRequest) -> Person:
    person = request.user
    assert isinstance(person, Person)
    return person


def _refused(request: HttpRequest, exc: Exception) -> None:
    for message in error_messages(exc):
        messages.error(request, message)


def _require_office(person: Person) -> None:
    if not selectors.can_view_retention(person):
        raise PermissionDenied("仅档案管理员、机关负责人和稽查人员可查看保存期限与销毁。")


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    _require_office(person)
    assert person.agency is not None
    today = timezone.localdate()
    as_of = today
    raw = request.GET.get("as_of", "")
    if raw:
        try:
            as_of = date.fromisoformat(raw)
        except ValueError:
            messages.error(request, "日期格式应为 YYYY-MM-DD。")
    due = selectors.due_for_disposal(person.agency, today=as_of)
    page = Paginator(due, PAGE_SIZE).get_page(request.GET.get("page"))
    requests = list(selectors.requests_visible_to(person)[:30])
    return render(
        request,
        "retention/overview.html",
        {
            "page": page,
            "due_count": len(due),
            "as_of": as_of,
            "preview": as_of != today,
            "config": retention_config_for(person.agency.policy_pack),
            "request_rows": [(r, selectors.request_state(r)) for r in requests],
            "holds": [h for h in selectors.holds_visible_to(person)[:100] if not _released(h)],
            "tombstones": selectors.tombstones_visible_to(person)[:30],
            "can_request": selectors.can_request_disposal(person),
            "request_form": DisposalRequestForm(),
        },
    )


def _released(hold: object) -> bool:
    return hasattr(hold, "release")  # the reverse one-to-one raises (an AttributeError) when absent


@login_required
@require_GET
def blob_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request)
    blob = selectors.get_blob_for(person, pk)
    assert person.agency is not None
    facts = selectors.item_facts([blob], person.agency)[blob.pk]
    return render(
        request,
        "retention/blob.html",
        {
            "blob": blob,
            "facts": facts,
            "retention": selectors.retention_of(blob, person.agency),
            "tombstone": Tombstone.objects.filter(blob=blob).select_related("disposed_by").first(),
            "holds": selectors.current_holds().filter(blob=blob),
            "can_hold": selectors.can_place_hold(person, None, person.agency_id),
            "hold_form": HoldForm(),
        },
    )


@login_required
@require_POST
def hold_new(request: HttpRequest) -> HttpResponse:
    """Place a hold on a case (``case`` field) or one stored item (``blob`` field)."""
    person = _person(request)
    case = get_case_for(person, int(request.POST["case"])) if request.POST.get("case") else None
    blob = selectors.get_blob_for(person, int(request.POST["blob"])) if request.POST.get("blob") else None
    back = (
        reverse("cases:detail", args=[case.pk]) + "#holds"
        if case is not None
        else reverse("retention:blob", args=[blob.pk])
        if blob is not None
        else reverse("retention:overview")
    )
    form = HoldForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(back)
    try:
        hold = services.place_hold(
            actor=person,
            case=case,
            blob=blob,
            reason_kind=form.cleaned_data["reason_kind"],
            reason=form.cleaned_data["reason"],
            decision_ref=form.cleaned_data["decision_ref"],
        )
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
        return redirect(back)
    messages.success(
        request, f"已采取长期保存措施（{hold.get_reason_kind_display()}），解除前相关材料不得销毁。"
    )
    return redirect("retention:hold", pk=hold.pk)


@login_required
@require_GET
def hold_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request)
    hold = selectors.get_hold_for(person, pk)
    release = HoldRelease.objects.filter(hold=hold).select_related("released_by").first()
    return render(
        request,
        "retention/hold.html",
        {
            "hold": hold,
            "release": release,
            "citation": services.hold_citation(hold),
            "copies": hold.offline_copies.select_related("made_by").order_by("pk"),
            "can_release": release is None and selectors.can_release_hold(person, hold),
            "can_copy": release is None and selectors.can_place_hold(person, hold.case, hold.agency_id),
            "release_form": ReleaseForm(),
            "copy_form": OfflineCopyForm(),
        },
    )


@login_required
@require_POST
def hold_release(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request)
    hold = selectors.get_hold_for(person, pk)
    form = ReleaseForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("请填写解除决定文号和解除理由。")
        services.release_hold(
            actor=person,
            hold=hold,
            decision_ref=form.cleaned_data["decision_ref"],
            reason=form.cleaned_data["reason"],
        )
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    else:
        messages.success(request, "已解除长期保存措施。")
    return redirect("retention:hold", pk=hold.pk)


@login_required
@require_POST
def offline_copy(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request)
    hold = selectors.get_hold_for(person, pk)
    form = OfflineCopyForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("请填写介质和介质标签。")
        data = form.cleaned_data
        copy = services.record_offline_copy(
            actor=person,
            hold=hold,
            medium=data["medium"],
            label=data["label"],
            package_digest=data["package_digest"],
            package_name=data["package_name"],
            note=data["note"],
            build=data["build"],
        )
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    else:
        messages.success(
            request, f"已登记离线副本：{copy.get_medium_display()} {copy.label}，包摘要 {copy.package_digest}"
        )
    return redirect("retention:hold", pk=hold.pk)


@login_required
@require_POST
def disposal_new(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    form = DisposalRequestForm(request.POST)
    try:
        ids = [int(v) for v in request.POST.getlist("blob")]
        blobs = [selectors.get_blob_for(person, pk) for pk in ids]
        if not form.is_valid():
            raise ValidationError("请填写申请说明。")
        created = services.request_disposal(actor=person, blobs=blobs, reason=form.cleaned_data["reason"])
    except (ValidationError, PermissionDenied, ValueError) as exc:
        _refused(request, exc)
        return redirect("retention:overview")
    messages.success(request, f"已提出销毁申请（{len(blobs)} 个文件），待两名审批人同意后方可执行。")
    return redirect("retention:disposal", pk=created.pk)


@login_required
@require_GET
def disposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request)
    disposal = selectors.get_request_for(person, pk)
    state = selectors.request_state(disposal)
    decided = disposal.approvals.filter(approver=person).exists()
    return render(
        request,
        "retention/disposal.html",
        {
            "disposal": disposal,
            "state": state,
            "items": disposal.items.select_related("blob").order_by("pk"),
            "approvals": disposal.approvals.select_related("approver").order_by("pk"),
            "tombstones": disposal.tombstones.select_related("blob", "disposed_by").order_by("pk"),
            "can_decide": state.status == "pending"
            and not decided
            and selectors.can_approve_disposal(person, disposal),
            "can_execute": state.status == "approved" and selectors.can_execute_disposal(person, disposal),
            "decision_form": DecisionForm(),
        },
    )


@login_required
@require_POST
def disposal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request)
    disposal = selectors.get_request_for(person, pk)
    form = DecisionForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("请选择审批意见。")
        services.decide_disposal(
            actor=person,
            request=disposal,
            decision=form.cleaned_data["decision"],
            note=form.cleaned_data["note"],
        )
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    else:
        messages.success(request, "已记录审批意见。")
    return redirect("retention:disposal", pk=disposal.pk)


@login_required
@require_POST
def disposal_execute(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request)
    disposal = selectors.get_request_for(person, pk)
    try:
        done = services.execute_disposal(actor=person, request=disposal)
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    else:
        messages.success(request, f"已销毁 {len(done)} 个文件，销毁凭证已签名并记入账本。")
    return redirect("retention:disposal", pk=disposal.pk)
