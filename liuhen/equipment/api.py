"""Equipment endpoints of the JSON API (EQ-1..5). Reads go through
:mod:`liuhen.equipment.selectors` (a device the caller may not see is a 404), writes through
:mod:`liuhen.equipment.services`."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from liuhen.cases.selectors import cases_visible_to
from liuhen.core.api_errors import ERROR_RESPONSES
from liuhen.equipment import selectors, services
from liuhen.equipment.models import Checkout, Device, PreUseCheck
from liuhen.org.api import actor
from liuhen.org.models import Department, Person

router = Router(tags=["equipment"])

PAGE_SIZE = 50


class DeviceOut(Schema):
    id: int
    kind: str
    kind_label: str
    serial_no: str
    model_name: str
    purchase_date: date
    asset_no: str
    department_id: int | None
    department_name: str | None
    status: str
    status_label: str
    created_at: datetime


class DeviceListOut(Schema):
    items: list[DeviceOut]
    count: int
    page: int
    pages: int
    page_size: int


class CheckoutOut(Schema):
    id: int
    device_id: int
    serial_no: str
    holder_id: int
    holder_name: str
    holder_certificate_no: str | None
    pre_use_check_id: int
    checked_out_at: datetime
    purpose: str
    case_id: int | None
    returned_at: datetime | None
    return_condition: str | None


class HistoryOut(Schema):
    at: datetime
    recorded_at: datetime
    event: str
    label: str
    actor: str
    detail: str


class DeviceDetailOut(DeviceOut):
    current_checkout: CheckoutOut | None
    open_fault_ids: list[int]
    pending_scrap_request_id: int | None
    checkout_blockers: list[str]
    history: list[HistoryOut]


class DeviceIn(Schema):
    kind: str
    serial_no: str
    model_name: str
    purchase_date: date
    asset_no: str = ""
    department_id: int | None = None


class DeviceSearch(Schema):
    q: str = ""
    kind: str = ""
    status: str = ""
    department_id: int | None = None
    page: int = 1


class AllocateIn(Schema):
    department_id: int | None = None
    note: str = ""


class CheckIn(Schema):
    battery_percent: int
    free_storage_mb: int
    clock_ok: bool
    clock_offset_seconds: int | None = None
    note: str = ""
    checked_at: datetime | None = None

    def to_input(self) -> services.CheckInput:
        return services.CheckInput(
            battery_percent=self.battery_percent,
            free_storage_mb=self.free_storage_mb,
            clock_ok=self.clock_ok,
            clock_offset_seconds=self.clock_offset_seconds,
            note=self.note,
        )


class PreUseCheckOut(Schema):
    id: int
    device_id: int
    battery_percent: int
    free_storage_mb: int
    clock_ok: bool
    clock_offset_seconds: int | None
    passed: bool
    problems: list[str]
    checked_at: datetime


class CheckoutIn(Schema):
    """``pre_use_check_id``: a passed check of this device recorded before (``POST …/checks``)."""

    holder_id: int
    pre_use_check_id: int | None = None
    purpose: str = ""
    case_id: int | None = None
    checked_out_at: datetime | None = None


class ReturnIn(Schema):
    condition: str
    note: str = ""
    returned_at: datetime | None = None


class MaintenanceIn(Schema):
    kind: str
    description: str
    performed_at: datetime | None = None


class FaultIn(Schema):
    description: str


class RepairIn(Schema):
    action: str
    repairer: str
    description: str = ""


class ScrapRequestIn(Schema):
    reason: str
    disposal_ref: str = ""


class ScrapDecisionIn(Schema):
    approved: bool
    note: str = ""


class EventOut(Schema):
    id: int
    device_id: int
    device_status: str


class DepartmentAllocationOut(Schema):
    department_id: int | None
    department_name: str
    officers: int
    recorders: int
    recorders_required: int
    terminals: int
    terminals_required: int
    usable: dict[str, int]
    unusable: dict[str, int]
    sufficient: bool


class AllocationReportOut(Schema):
    officers_per_recorder: int
    officers_per_terminal: int
    departments: list[DepartmentAllocationOut]


class HolderQuery(Schema):
    serial: str
    at: datetime


class HolderOut(Schema):
    serial_no: str
    at: datetime
    device_id: int | None
    holder_id: int | None
    holder_name: str | None
    holder_certificate_no: str | None
    checkout: CheckoutOut | None


def device_out(device: Device) -> DeviceOut:
    return DeviceOut(
        id=device.pk,
        kind=device.kind,
        kind_label=device.get_kind_display(),
        serial_no=device.serial_no,
        model_name=device.model_name,
        purchase_date=device.purchase_date,
        asset_no=device.asset_no,
        department_id=device.department_id,
        department_name=device.department.name if device.department else None,
        status=device.status,
        status_label=device.get_status_display(),
        created_at=device.created_at,
    )


def checkout_out(checkout: Checkout) -> CheckoutOut:
    ret = getattr(checkout, "device_return", None)
    return CheckoutOut(
        id=checkout.pk,
        device_id=checkout.device_id,
        serial_no=checkout.device.serial_no,
        holder_id=checkout.holder_id,
        holder_name=checkout.holder.full_name,
        holder_certificate_no=checkout.holder.certificate_no,
        pre_use_check_id=checkout.pre_use_check_id,
        checked_out_at=checkout.checked_out_at,
        purpose=checkout.purpose,
        case_id=checkout.case_id,
        returned_at=ret.returned_at if ret else None,
        return_condition=ret.condition if ret else None,
    )


def device_detail(device: Device) -> DeviceDetailOut:
    current = selectors.open_checkout(device)
    scrap = selectors.pending_scrap_request(device)
    return DeviceDetailOut(
        **device_out(device).model_dump(),
        current_checkout=checkout_out(current) if current else None,
        open_fault_ids=list(selectors.open_faults(device).values_list("pk", flat=True)),
        pending_scrap_request_id=scrap.pk if scrap else None,
        checkout_blockers=services.checkout_blockers(device),
        history=[
            HistoryOut(
                at=e.at,
                recorded_at=e.recorded_at,
                event=e.event,
                label=e.label,
                actor=e.actor,
                detail=e.detail,
            )
            for e in selectors.device_history(device)
        ],
    )


def pre_use_check_out(check: PreUseCheck) -> PreUseCheckOut:
    return PreUseCheckOut(
        id=check.pk,
        device_id=check.device_id,
        battery_percent=check.battery_percent,
        free_storage_mb=check.free_storage_mb,
        clock_ok=check.clock_ok,
        clock_offset_seconds=check.clock_offset_seconds,
        passed=check.passed,
        problems=services.check_problems(check),
        checked_at=check.checked_at,
    )


def _department(person: Person, department_id: int | None) -> Department | None:
    if department_id is None:
        return None
    department = Department.objects.filter(pk=department_id, agency_id=person.agency_id or 0).first()
    if department is None:
        raise ValidationError({"department_id": ["科室不存在或不属于本机关。"]})
    return department


def _event(row_id: int, device: Device) -> EventOut:
    device.refresh_from_db(fields=["status"])
    return EventOut(id=row_id, device_id=device.pk, device_status=device.status)


@router.get("/equipment/devices", response={200: DeviceListOut, **ERROR_RESPONSES}, summary="设备台账")
def list_devices(request: HttpRequest, filters: Query[DeviceSearch]) -> DeviceListOut:
    person = actor(request)
    qs = selectors.search_devices(
        person,
        query=filters.q.strip(),
        kind=filters.kind,
        status=filters.status,
        department_id=filters.department_id,
    )
    paginator = Paginator(qs, PAGE_SIZE)
    page = paginator.get_page(filters.page)
    return DeviceListOut(
        items=[device_out(d) for d in page.object_list],
        count=paginator.count,
        page=page.number,
        pages=paginator.num_pages,
        page_size=PAGE_SIZE,
    )


@router.post("/equipment/devices", response={201: DeviceDetailOut, **ERROR_RESPONSES}, summary="登记设备")
def register_device(request: HttpRequest, payload: DeviceIn) -> Status[DeviceDetailOut]:
    """EQ-1: equipment admin only."""
    person = actor(request)
    if person.agency is None or not selectors.is_equipment_admin(person):
        raise PermissionDenied(services.REGISTRY_ONLY)
    device = services.register_device(
        actor=person,
        agency=person.agency,
        kind=payload.kind,
        serial_no=payload.serial_no,
        model_name=payload.model_name,
        purchase_date=payload.purchase_date,
        asset_no=payload.asset_no,
        department=_department(person, payload.department_id),
    )
    return Status(201, device_detail(selectors.get_device_for(person, device.pk)))


@router.get(
    "/equipment/devices/{device_id}",
    response={200: DeviceDetailOut, **ERROR_RESPONSES},
    summary="设备详情与履历",
)
def get_device(request: HttpRequest, device_id: int) -> DeviceDetailOut:
    person = actor(request)
    return device_detail(selectors.get_device_for(person, device_id))


@router.post(
    "/equipment/devices/{device_id}/allocation",
    response={200: EventOut, **ERROR_RESPONSES},
    summary="调整配备科室",
)
def allocate(request: HttpRequest, device_id: int, payload: AllocateIn) -> EventOut:
    person = actor(request)
    device = selectors.get_device_for(person, device_id)
    row = services.allocate_device(
        actor=person, device=device, department=_department(person, payload.department_id), note=payload.note
    )
    return _event(row.pk, device)


@router.post(
    "/equipment/devices/{device_id}/checks",
    response={201: PreUseCheckOut, **ERROR_RESPONSES},
    summary="登记使用前检查",
)
def record_check(request: HttpRequest, device_id: int, payload: CheckIn) -> Status[PreUseCheckOut]:
    """EQ-3: a failed check is recorded too (``passed: false`` with its ``problems``)."""
    person = actor(request)
    device = selectors.get_device_for(person, device_id)
    row = services.record_pre_use_check(
        actor=person, device=device, check=payload.to_input(), holder=person, at=payload.checked_at
    )
    return Status(201, pre_use_check_out(row))


@router.post(
    "/equipment/devices/{device_id}/checkouts",
    response={201: CheckoutOut, **ERROR_RESPONSES},
    summary="登记领用",
)
def checkout(request: HttpRequest, device_id: int, payload: CheckoutIn) -> Status[CheckoutOut]:
    """EQ-3/EQ-4/EQ-5: needs a passed pre-use check of this device; refused while a fault is open."""
    person = actor(request)
    device = selectors.get_device_for(person, device_id)
    if not selectors.can_hand_out(person, device):
        raise PermissionDenied("只有装备管理员或设备所在科室的负责人可以登记领用。")
    holder = selectors.eligible_holders(device.agency_id).filter(pk=payload.holder_id).first()
    if holder is None:
        raise ValidationError({"holder_id": ["领用人须为本机关在职、持有执法证的执法人员。"]})
    case = None
    if payload.case_id is not None:
        case = cases_visible_to(holder).filter(pk=payload.case_id).first()
        if case is None:
            raise ValidationError({"case_id": ["案件不存在，或领用人无权办理该案件。"]})
    check = None
    if payload.pre_use_check_id is not None:
        check = PreUseCheck.objects.filter(pk=payload.pre_use_check_id, device=device).first()
        if check is None:
            raise ValidationError({"pre_use_check_id": ["该设备没有这次使用前检查。"]})
    row = services.check_out(
        actor=person,
        device=device,
        holder=holder,
        pre_use_check=check,
        purpose=payload.purpose,
        case=case,
        at=payload.checked_out_at,
    )
    return Status(201, checkout_out(Checkout.objects.select_related("device", "holder").get(pk=row.pk)))


@router.post(
    "/equipment/checkouts/{checkout_id}/return",
    response={201: CheckoutOut, **ERROR_RESPONSES},
    summary="登记归还",
)
def return_device(request: HttpRequest, checkout_id: int, payload: ReturnIn) -> Status[CheckoutOut]:
    person = actor(request)
    row = selectors.get_checkout_for(person, checkout_id)
    services.return_device(
        actor=person, checkout=row, condition=payload.condition, note=payload.note, at=payload.returned_at
    )
    return Status(201, checkout_out(Checkout.objects.select_related("device", "holder").get(pk=row.pk)))


@router.post(
    "/equipment/devices/{device_id}/maintenance",
    response={201: EventOut, **ERROR_RESPONSES},
    summary="登记维护保养",
)
def maintenance(request: HttpRequest, device_id: int, payload: MaintenanceIn) -> Status[EventOut]:
    person = actor(request)
    device = selectors.get_device_for(person, device_id)
    row = services.record_maintenance(
        actor=person,
        device=device,
        kind=payload.kind,
        description=payload.description,
        at=payload.performed_at,
    )
    return Status(201, _event(row.pk, device))


@router.post(
    "/equipment/devices/{device_id}/faults", response={201: EventOut, **ERROR_RESPONSES}, summary="报告故障"
)
def report_fault(request: HttpRequest, device_id: int, payload: FaultIn) -> Status[EventOut]:
    """EQ-4: the device is locked from checkout until a ``repaired`` record closes the fault."""
    person = actor(request)
    device = selectors.get_device_for(person, device_id)
    row = services.report_fault(actor=person, device=device, description=payload.description)
    return Status(201, _event(row.pk, device))


@router.post(
    "/equipment/faults/{fault_id}/repairs", response={201: EventOut, **ERROR_RESPONSES}, summary="登记维修"
)
def repair(request: HttpRequest, fault_id: int, payload: RepairIn) -> Status[EventOut]:
    person = actor(request)
    fault = selectors.get_fault_for(person, fault_id)
    row = services.record_repair(
        actor=person,
        fault=fault,
        action=payload.action,
        repairer=payload.repairer,
        description=payload.description,
    )
    return Status(201, _event(row.pk, fault.device))


@router.post(
    "/equipment/devices/{device_id}/scrap-requests",
    response={201: EventOut, **ERROR_RESPONSES},
    summary="申请报废",
)
def scrap_request(request: HttpRequest, device_id: int, payload: ScrapRequestIn) -> Status[EventOut]:
    person = actor(request)
    device = selectors.get_device_for(person, device_id)
    row = services.request_scrap(
        actor=person, device=device, reason=payload.reason, disposal_ref=payload.disposal_ref
    )
    return Status(201, _event(row.pk, device))


@router.post(
    "/equipment/scrap-requests/{request_id}/decision",
    response={201: EventOut, **ERROR_RESPONSES},
    summary="审批报废",
)
def scrap_decision(request: HttpRequest, request_id: int, payload: ScrapDecisionIn) -> Status[EventOut]:
    """A second person (agency head or equipment admin, not the requester) decides."""
    person = actor(request)
    scrap = selectors.get_scrap_request_for(person, request_id)
    row = services.decide_scrap(actor=person, request=scrap, approved=payload.approved, note=payload.note)
    return Status(201, _event(row.pk, scrap.device))


@router.get(
    "/equipment/allocation-report",
    response={200: AllocationReportOut, **ERROR_RESPONSES},
    summary="各科室设备配备情况（EQ-2）",
)
def allocation_report(request: HttpRequest) -> AllocationReportOut:
    person = actor(request)
    if not selectors.can_view_report(person) or person.agency is None:
        raise PermissionDenied("只有装备管理员、机关负责人、科室负责人和稽查人员可以查看配备情况。")
    report = selectors.allocation_report(person.agency)
    return AllocationReportOut(
        officers_per_recorder=report.officers_per_recorder,
        officers_per_terminal=report.officers_per_terminal,
        departments=[
            DepartmentAllocationOut(
                department_id=r.department.pk if r.department else None,
                department_name=r.name,
                officers=r.officers,
                recorders=r.recorders,
                recorders_required=r.recorders_required,
                terminals=r.terminals,
                terminals_required=r.terminals_required,
                usable=r.usable,
                unusable=r.unusable,
                sufficient=r.sufficient,
            )
            for r in report.rows
        ],
    )


@router.get(
    "/equipment/holder", response={200: HolderOut, **ERROR_RESPONSES}, summary="查询某时刻的设备使用人"
)
def holder(request: HttpRequest, query: Query[HolderQuery]) -> HolderOut:
    """Who had recorder ``serial`` at ``at`` according to the checkout log (holder null if nobody)."""
    person = actor(request)
    if not selectors.can_lookup_holder(person):
        raise PermissionDenied("只有装备管理员、机关负责人和稽查人员可以查询设备使用人。")
    device = selectors.find_device(serial=query.serial, agency=person.agency)
    row = selectors.checkout_at(serial=query.serial, at=query.at, agency=person.agency) if device else None
    return HolderOut(
        serial_no=selectors.normalise_serial(query.serial),
        at=query.at,
        device_id=device.pk if device else None,
        holder_id=row.holder_id if row else None,
        holder_name=row.holder.full_name if row else None,
        holder_certificate_no=row.holder.certificate_no if row else None,
        checkout=checkout_out(row) if row else None,
    )
