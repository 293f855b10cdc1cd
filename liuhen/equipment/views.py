"""Staff pages for recording equipment: the registry list, registering a device, a device's page
(its state, the actions the viewer may take, and its full history), the allocation report (EQ-2)
and the "who had this recorder" lookup. Lookups go through :mod:`liuhen.equipment.selectors`,
writes through :mod:`liuhen.equipment.services`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from liuhen.cases.forms import apply_service_errors, error_messages
from liuhen.cases.selectors import cases_visible_to
from liuhen.equipment import rules, selectors, services
from liuhen.equipment.forms import (
    AllocateForm,
    CheckoutForm,
    DeviceFilterForm,
    DeviceForm,
    FaultForm,
    HolderLookupForm,
    MaintenanceForm,
    RepairForm,
    ReturnForm,
    ScrapDecisionForm,
    ScrapRequestForm,
)
from liuhen.equipment.models import Device, DeviceStatus
from liuhen.org.models import Department, Person

PAGE_SIZE = 30


def _person(request: HttpRequest) -> Person:
    user = request.user
    assert isinstance(user, Person)
    return user


def _departments(person: Person) -> Any:
    return Department.objects.filter(agency_id=person.agency_id or 0).order_by("pk")


@login_required
def device_list(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    form = DeviceFilterForm(request.GET or None, departments=_departments(person))
    filters: dict[str, Any] = {}
    if form.is_valid():
        d = form.cleaned_data
        filters = {
            "query": d["q"].strip(),
            "kind": d["kind"],
            "status": d["status"],
            "department_id": d["department"],
        }
    qs = selectors.search_devices(person, **filters)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = {
        row["status"]: row["n"]
        for row in selectors.devices_visible_to(person).order_by().values("status").annotate(n=Count("pk"))
    }
    context = {
        "form": form,
        "page": page,
        "status_counts": [(s, label, counts.get(s, 0)) for s, label in DeviceStatus.choices],
        "open_checkouts": selectors.open_checkouts_visible_to(person)[:50],
        "pending_scraps": selectors.pending_scrap_requests_for(person),
        "is_admin": selectors.is_equipment_admin(person),
        "can_report": selectors.can_view_report(person),
        "can_lookup": selectors.can_lookup_holder(person),
        "querystring": _querystring(request),
    }
    return render(request, "equipment/device_list.html", context)


def _querystring(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@login_required
@require_http_methods(["GET", "POST"])
def device_new(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    if not selectors.is_equipment_admin(person):
        raise PermissionDenied(services.REGISTRY_ONLY)
    agency = person.agency
    assert agency is not None
    form = DeviceForm(request.POST or None, departments=_departments(person))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            device = services.register_device(
                actor=person,
                agency=agency,
                kind=d["kind"],
                serial_no=d["serial_no"],
                model_name=d["model_name"],
                purchase_date=d["purchase_date"],
                department=d["department"],
                asset_no=d["asset_no"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"已登记设备 {device.serial_no}。")
            return redirect("equipment:detail", pk=device.pk)
    return render(request, "equipment/device_form.html", {"form": form}, status=400 if form.errors else 200)


def _detail_context(person: Person, device: Device, bound: dict[str, forms.Form]) -> dict[str, Any]:
    current = selectors.open_checkout(device)
    faults = list(selectors.open_faults(device).select_related("reported_by"))
    scrap = selectors.pending_scrap_request(device)
    is_admin = selectors.is_equipment_admin(person, device.agency_id)
    can_hand_out = selectors.can_hand_out(person, device)
    departments = _departments(person)
    holders = selectors.eligible_holders(device.agency_id).exclude(pk=person.pk)
    if not is_admin:
        holders = holders.filter(department_id=person.department_id or 0)
    blockers = services.checkout_blockers(device)
    active = device.status != DeviceStatus.SCRAPPED
    return {
        "device": device,
        "current": current,
        "faults": faults,
        "scrap": scrap,
        "history": selectors.device_history(device),
        "blockers": blockers,
        "is_admin": is_admin,
        "can_checkout": can_hand_out and not blockers,
        "can_return": can_hand_out and current is not None,
        "can_maintain": active and selectors.can_record_maintenance(person, device),
        "can_report_fault": active and not faults and selectors.can_report_fault(person, device),
        "can_repair": is_admin and active and bool(faults) and current is None,
        "can_allocate": is_admin and active and current is None,
        "can_request_scrap": is_admin and active and current is None and scrap is None,
        "can_decide_scrap": scrap is not None and selectors.can_decide_scrap(person, scrap),
        "rules": {
            "battery": rules.min_battery_percent(),
            "storage_gb": rules.min_free_storage_mb() / 1024,
            "clock": rules.max_clock_offset_seconds(),
        },
        "checkout_form": bound.get("checkout") or CheckoutForm(holders=holders),
        "return_form": bound.get("return") or ReturnForm(),
        "maintenance_form": bound.get("maintenance") or MaintenanceForm(),
        "fault_form": bound.get("fault") or FaultForm(),
        "repair_form": bound.get("repair") or RepairForm(),
        "allocate_form": bound.get("allocate") or AllocateForm(departments=departments),
        "scrap_form": bound.get("scrap") or ScrapRequestForm(),
        "decision_form": bound.get("decision") or ScrapDecisionForm(),
    }


def _render_detail(
    request: HttpRequest, device: Device, bound: dict[str, forms.Form] | None = None, status: int = 200
) -> HttpResponse:
    context = _detail_context(_person(request), device, bound or {})
    return render(request, "equipment/device_detail.html", context, status=status)


@login_required
def device_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, selectors.get_device_for(_person(request), pk))


def _attempt(
    request: HttpRequest, device: Device, name: str, form: forms.Form, action: Any, success: str
) -> HttpResponse:
    """Run ``action(cleaned_data)`` if the form is valid; re-render with the errors otherwise."""
    if form.is_valid():
        try:
            action(form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, error_messages(exc))
        else:
            messages.success(request, success)
            return redirect("equipment:detail", pk=device.pk)
    device.refresh_from_db()
    return _render_detail(request, device, {name: form}, status=400)


@login_required
@require_POST
def device_checkout(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request)
    device = selectors.get_device_for(person, pk)
    if not selectors.can_hand_out(person, device):
        raise PermissionDenied("只有装备管理员或设备所在科室的负责人可以登记领用。")
    form = CheckoutForm(request.POST, holders=selectors.eligible_holders(device.agency_id))

    def act(d: dict[str, Any]) -> None:
        holder: Person = d["holder"]
        case = None
        if d["case_number"].strip():
            case = cases_visible_to(holder).filter(number=d["case_number"].strip()).first()
            if case is None:
                raise ValidationError({"case_number": "案件编号不存在，或领用人无权办理该案件。"})
        services.check_and_check_out(
            actor=person,
            device=device,
            holder=holder,
            check=services.CheckInput(
                battery_percent=d["battery_percent"],
                free_storage_mb=form.free_storage_mb(),
                clock_ok=d["clock_ok"],
                clock_offset_seconds=d["clock_offset_seconds"],
                note=d["check_note"],
            ),
            purpose=d["purpose"],
            case=case,
            at=d["checked_out_at"],
        )

    return _attempt(request, device, "checkout", form, act, f"已登记 {device.serial_no} 的使用前检查和领用。")


@login_required
@require_POST
def checkout_return(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request)
    checkout = selectors.get_checkout_for(person, pk)
    device = checkout.device
    form = ReturnForm(request.POST)
    return _attempt(
        request,
        device,
        "return",
        form,
        lambda d: services.return_device(
            actor=person, checkout=checkout, condition=d["condition"], note=d["note"], at=d["returned_at"]
        ),
        f"已登记 {device.serial_no} 归还。",
    )


@login_required
@require_POST
def device_maintenance(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request)
    device = selectors.get_device_for(person, pk)
    return _attempt(
        request,
        device,
        "maintenance",
        MaintenanceForm(request.POST),
        lambda d: services.record_maintenance(
            actor=person, device=device, kind=d["kind"], description=d["description"], at=d["performed_at"]
        ),
        "已登记维护保养。",
    )


@login_required
@require_POST
def device_fault(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request)
    device = selectors.get_device_for(person, pk)
    return _attempt(
        request,
        device,
        "fault",
        FaultForm(request.POST),
        lambda d: services.report_fault(actor=person, device=device, description=d["description"]),
        "已报告故障，设备停止使用，修复前不得领用。",
    )


@login_required
@require_POST
def fault_repair(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request)
    fault = selectors.get_fault_for(person, pk)
    device = fault.device
    return _attempt(
        request,
        device,
        "repair",
        RepairForm(request.POST),
        lambda d: services.record_repair(
            actor=person,
            fault=fault,
            action=d["action"],
            repairer=d["repairer"],
            description=d["description"],
        ),
        "已登记维修记录。",
    )


@login_required
@require_POST
def device_allocate(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request)
    device = selectors.get_device_for(person, pk)
    return _attempt(
        request,
        device,
        "allocate",
        AllocateForm(request.POST, departments=_departments(person)),
        lambda d: services.allocate_device(
            actor=person, device=device, department=d["department"], note=d["note"]
        ),
        "已调整配备科室。",
    )


@login_required
@require_POST
def device_scrap(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request)
    device = selectors.get_device_for(person, pk)
    return _attempt(
        request,
        device,
        "scrap",
        ScrapRequestForm(request.POST),
        lambda d: services.request_scrap(
            actor=person, device=device, reason=d["reason"], disposal_ref=d["disposal_ref"]
        ),
        "已提交报废申请，待机关负责人或另一名装备管理员审批。",
    )


@login_required
@require_POST
def scrap_decide(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request)
    scrap = selectors.get_scrap_request_for(person, pk)
    return _attempt(
        request,
        scrap.device,
        "decision",
        ScrapDecisionForm(request.POST),
        lambda d: services.decide_scrap(actor=person, request=scrap, approved=d["approved"], note=d["note"]),
        "已审批报废申请。",
    )


@login_required
def allocation_report(request: HttpRequest) -> HttpResponse:
    """EQ-2: each department's recorders and mobile terminals against its officers."""
    person = _person(request)
    if not selectors.can_view_report(person) or person.agency is None:
        raise PermissionDenied("只有装备管理员、机关负责人、科室负责人和稽查人员可以查看配备情况。")
    report = selectors.allocation_report(person.agency)
    return render(request, "equipment/report.html", {"report": report})


@login_required
def holder_lookup(request: HttpRequest) -> HttpResponse:
    """Who had recorder SERIAL at time T (the checkout log), for unattributed files."""
    person = _person(request)
    if not selectors.can_lookup_holder(person):
        raise PermissionDenied("只有装备管理员、机关负责人和稽查人员可以查询设备使用人。")
    form = HolderLookupForm(request.GET or None)
    result: dict[str, Any] | None = None
    if form.is_valid():
        d = form.cleaned_data
        device = selectors.find_device(serial=d["serial"], agency=person.agency)
        checkout = selectors.checkout_at(serial=d["serial"], at=d["at"], agency=person.agency)
        result = {"device": device, "checkout": checkout, "at": d["at"]}
    return render(request, "equipment/holder_lookup.html", {"form": form, "result": result})
