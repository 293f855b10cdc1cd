"""Permission-scoped reads of the equipment registry, the history of a device, the allocation
report (EQ-2) and the checkout-log lookup :func:`holder_at` used to attribute recordings.

Who may do what (EQ-1: procurement, allocation, repair and management by one office, PL-17):

- the equipment admin (装备管理员) of the agency changes the registry (register, allocate, repair,
  request scrapping) and records checkouts and returns;
- the head of the device's department may also record checkouts and returns of that department's
  devices to its officers (PL-18: "各执法科室应负责做好执法记录设备的领用、登记");
- an officer never checks a device out to themselves: the handover is recorded by a second person
  who vouches that the device left the office (and the pre-use check was done). The officer may
  record the pre-use check of a device being handed to them, maintenance of a device they hold, and
  a fault report (PL-19: "使用者遇到故障应立即停止使用并及时报告");
- scrapping is approved by an agency head or equipment admin other than the requester.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404

from liuhen.equipment import rules
from liuhen.equipment.models import (
    Allocation,
    Checkout,
    Device,
    DeviceKind,
    DeviceReturn,
    DeviceStatus,
    FaultReport,
    Maintenance,
    PreUseCheck,
    RepairAction,
    RepairRecord,
    ReturnCondition,
    ScrapDecision,
    ScrapRequest,
)
from liuhen.org.models import Agency, Department, Person, Role

# Roles that see every device of their agency.
AGENCY_WIDE_ROLES = (Role.EQUIPMENT_ADMIN, Role.AGENCY_HEAD, Role.AUDITOR)
USABLE = (DeviceStatus.IN_SERVICE, DeviceStatus.CHECKED_OUT)
UNUSABLE = (DeviceStatus.FAULTY, DeviceStatus.UNDER_REPAIR)


class AmbiguousSerial(LookupError):
    """The serial number is registered in more than one agency; pass the agency."""


def normalise_serial(serial: str) -> str:
    """Serials are compared trimmed and upper-cased (file names and labels differ in case)."""
    return "".join(serial.split()).upper()


# --- permissions -------------------------------------------------------------------------------


def _active(person: Person) -> bool:
    return bool(person.is_authenticated and person.is_active and person.agency_id is not None)


def is_equipment_admin(person: Person, agency_id: int | None = None) -> bool:
    """The equipment office (EQ-1): only it changes the registry."""
    if not _active(person) or not person.has_role(Role.EQUIPMENT_ADMIN):
        return False
    return agency_id is None or person.agency_id == agency_id


def can_hand_out(person: Person, device: Device) -> bool:
    """Record checkouts and returns: the equipment admin, or the head of the device's department."""
    if is_equipment_admin(person, device.agency_id):
        return True
    return (
        _active(person)
        and person.has_role(Role.DEPARTMENT_HEAD)
        and device.department_id is not None
        and person.department_id == device.department_id
    )


def can_record_check(person: Person, device: Device, holder: Person | None = None) -> bool:
    """A pre-use check is made by whoever hands the device out, or by the officer receiving it."""
    if can_hand_out(person, device):
        return True
    return holder is not None and holder.pk == person.pk and _active(person) and person.has_role(Role.OFFICER)


def can_record_maintenance(person: Person, device: Device) -> bool:
    """PL-18: departments maintain their devices; the equipment office and the current holder too."""
    if can_hand_out(person, device):
        return True
    current = open_checkout(device)
    return current is not None and current.holder_id == person.pk


def can_report_fault(person: Person, device: Device) -> bool:
    """PL-19: the user reports a fault; so may anyone in its department and the equipment office."""
    if not _active(person) or person.agency_id != device.agency_id:
        return False
    if can_hand_out(person, device) or person.has_role(Role.AGENCY_HEAD):
        return True
    if device.department_id is not None and person.department_id == device.department_id:
        return True
    current = open_checkout(device)
    return current is not None and current.holder_id == person.pk


def can_decide_scrap(person: Person, request: ScrapRequest) -> bool:
    """A second person — agency head or equipment admin of the agency, not the requester."""
    if not _active(person) or person.agency_id != request.device.agency_id:
        return False
    if person.pk == request.requested_by_id:
        return False
    return person.has_role(Role.AGENCY_HEAD, Role.EQUIPMENT_ADMIN)


def can_view_report(person: Person) -> bool:
    return _active(person) and person.has_role(*AGENCY_WIDE_ROLES, Role.DEPARTMENT_HEAD)


def can_lookup_holder(person: Person) -> bool:
    """Who had a recorder at a time: the equipment office, agency head and auditors."""
    return _active(person) and person.has_role(*AGENCY_WIDE_ROLES)


def eligible_holders(agency_id: int) -> QuerySet[Person]:
    """EQ-5: recorders are for law enforcement — only active certified officers may hold one."""
    return (
        Person.objects.filter(
            agency_id=agency_id, is_active=True, roles__role=Role.OFFICER, certificate_no__isnull=False
        )
        .select_related("department")
        .distinct()
        .order_by("department_id", "full_name", "pk")
    )


# --- registry reads ----------------------------------------------------------------------------


def devices_visible_to(person: Person) -> QuerySet[Device]:
    """Equipment admin, agency head and auditors see every device of their agency; others see their
    department's devices and those they have held."""
    if not _active(person):
        return Device.objects.none()
    base = Device.objects.filter(agency_id=person.agency_id or 0)
    if person.has_role(*AGENCY_WIDE_ROLES):
        return base
    scope = Q(checkouts__holder=person)
    if person.department_id is not None:
        scope |= Q(department_id=person.department_id)
    return base.filter(scope).distinct()


def get_device_for(person: Person, pk: int) -> Device:
    try:
        return devices_visible_to(person).select_related("agency", "department", "created_by").get(pk=pk)
    except Device.DoesNotExist:
        raise Http404("设备不存在或无权查看。") from None


def search_devices(
    person: Person,
    *,
    query: str = "",
    kind: str = "",
    status: str = "",
    department_id: int | None = None,
) -> QuerySet[Device]:
    qs = devices_visible_to(person).select_related("department")
    if query:
        qs = qs.filter(Q(serial_no__icontains=query) | Q(model_name__icontains=query) | Q(asset_no=query))
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if department_id:
        qs = qs.filter(department_id=department_id)
    return qs.order_by("kind", "serial_no")


def get_checkout_for(person: Person, pk: int) -> Checkout:
    checkout = Checkout.objects.select_related("device", "holder").filter(pk=pk).first()
    if checkout is None or not devices_visible_to(person).filter(pk=checkout.device_id).exists():
        raise Http404("领用记录不存在或无权查看。")
    return checkout


def get_fault_for(person: Person, pk: int) -> FaultReport:
    fault = FaultReport.objects.select_related("device").filter(pk=pk).first()
    if fault is None or not devices_visible_to(person).filter(pk=fault.device_id).exists():
        raise Http404("故障报告不存在或无权查看。")
    return fault


def get_scrap_request_for(person: Person, pk: int) -> ScrapRequest:
    request = ScrapRequest.objects.select_related("device", "requested_by").filter(pk=pk).first()
    if request is None or not devices_visible_to(person).filter(pk=request.device_id).exists():
        raise Http404("报废申请不存在或无权查看。")
    return request


def open_checkout(device: Device) -> Checkout | None:
    return (
        Checkout.objects.filter(device_id=device.pk, device_return__isnull=True)
        .select_related("holder", "case")
        .first()
    )


def open_faults(device: Device) -> QuerySet[FaultReport]:
    """Faults without a ``repaired`` record: they lock the device from checkout (EQ-4)."""
    closed = RepairRecord.objects.filter(action=RepairAction.REPAIRED).values("fault_id")
    return FaultReport.objects.filter(device_id=device.pk).exclude(pk__in=closed)


def pending_scrap_request(device: Device) -> ScrapRequest | None:
    return (
        ScrapRequest.objects.filter(device_id=device.pk, decision__isnull=True)
        .select_related("requested_by")
        .first()
    )


def open_checkouts_visible_to(person: Person) -> QuerySet[Checkout]:
    return (
        Checkout.objects.filter(device__in=devices_visible_to(person), device_return__isnull=True)
        .select_related("device", "holder", "case")
        .order_by("checked_out_at")
    )


def pending_scrap_requests_for(person: Person) -> list[ScrapRequest]:
    """Scrap requests awaiting a decision this person may take."""
    if not _active(person) or not person.has_role(Role.AGENCY_HEAD, Role.EQUIPMENT_ADMIN):
        return []
    qs = (
        ScrapRequest.objects.filter(device__agency_id=person.agency_id or 0, decision__isnull=True)
        .exclude(requested_by=person)
        .select_related("device", "requested_by")
    )
    return list(qs)


def latest_status_event_time(device: Device) -> datetime:
    """When the device's state last changed: handovers at the time they happened (they may be
    entered afterwards), everything else when it was recorded. A checkout may not precede it, so
    the checkout intervals of a device never overlap and never cover a time it was registered,
    reallocated, faulty or in repair."""
    times = [device.created_at]
    for value in (
        Allocation.objects.filter(device_id=device.pk).aggregate(t=Max("allocated_at"))["t"],
        Checkout.objects.filter(device_id=device.pk).aggregate(t=Max("checked_out_at"))["t"],
        DeviceReturn.objects.filter(checkout__device_id=device.pk).aggregate(t=Max("returned_at"))["t"],
        FaultReport.objects.filter(device_id=device.pk).aggregate(t=Max("reported_at"))["t"],
        RepairRecord.objects.filter(fault__device_id=device.pk).aggregate(t=Max("recorded_at"))["t"],
    ):
        if value is not None:
            times.append(value)
    return max(times)


# --- attribution (issue 5: dock import) ------------------------------------------------------


def find_device(*, serial: str, agency: Agency | None = None) -> Device | None:
    """The device with this serial (normalised). Without ``agency`` a serial registered in more
    than one agency raises :class:`AmbiguousSerial`."""
    qs = Device.objects.filter(serial_no=normalise_serial(serial))
    if agency is not None:
        return qs.filter(agency=agency).first()
    found = list(qs[:2])
    if len(found) > 1:
        raise AmbiguousSerial(f"设备编号 {serial} 在多个机关登记，请指定机关。")
    return found[0] if found else None


def checkout_at(*, serial: str, at: datetime, agency: Agency | None = None) -> Checkout | None:
    """The checkout covering instant ``at`` for the device ``serial``: checked out at or before
    ``at`` and not returned by then (the interval is [checked_out_at, returned_at)). Checkouts of a
    device never overlap (the services refuse it), so there is at most one."""
    device = find_device(serial=serial, agency=agency)
    if device is None:
        return None
    return (
        Checkout.objects.filter(device=device, checked_out_at__lte=at)
        .filter(Q(device_return__isnull=True) | Q(device_return__returned_at__gt=at))
        .select_related("holder", "case", "device")
        .order_by("-checked_out_at", "-pk")
        .first()
    )


def holder_at(*, serial: str, at: datetime, agency: Agency | None = None) -> Person | None:
    """Who had recorder ``serial`` at time ``at`` according to the checkout log (None if nobody).

    A system-level lookup for attribution (no permission scoping): callers that show the answer to
    a person check :func:`can_lookup_holder` first."""
    checkout = checkout_at(serial=serial, at=at, agency=agency)
    return checkout.holder if checkout is not None else None


# --- history -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryEvent:
    at: datetime
    recorded_at: datetime
    event: str
    label: str
    actor: str
    detail: str
    order: int = 0

    @property
    def backdated(self) -> bool:
        return abs((self.recorded_at - self.at).total_seconds()) > 60


def _name(person: Person | None) -> str:
    if person is None:
        return ""
    return person.full_name or person.username


def _gb(mb: int) -> str:
    return f"{mb / 1024:.1f} GB"


def device_history(device: Device) -> list[HistoryEvent]:
    """Every event of the device, in the order it happened (ties: the order it was recorded)."""
    events: list[HistoryEvent] = [
        HistoryEvent(
            at=device.created_at,
            recorded_at=device.created_at,
            event="register",
            label="登记入册",
            actor=_name(device.created_by),
            detail=f"{device.get_kind_display()} {device.model_name}，购置日期 {device.purchase_date:%Y-%m-%d}"
            + (f"，固定资产编号 {device.asset_no}" if device.asset_no else ""),
        )
    ]
    for a in Allocation.objects.filter(device=device).select_related("department", "actor"):
        target = a.department.name if a.department else "装备库（未分配）"
        events.append(
            HistoryEvent(
                a.allocated_at,
                a.allocated_at,
                "allocate",
                "分配",
                _name(a.actor),
                f"配备至 {target}" + (f"：{a.note}" if a.note else ""),
                1,
            )
        )
    for c in PreUseCheck.objects.filter(device=device).select_related("checked_by"):
        offset = f"（偏差 {c.clock_offset_seconds} 秒）" if c.clock_offset_seconds is not None else ""
        events.append(
            HistoryEvent(
                c.checked_at,
                c.checked_at,
                "check",
                "使用前检查" + ("合格" if c.passed else "不合格"),
                _name(c.checked_by),
                f"电量 {c.battery_percent}%，剩余存储 {_gb(c.free_storage_mb)}，"
                f"时钟{'准确' if c.clock_ok else '不准确'}{offset}" + (f"；{c.note}" if c.note else ""),
                2,
            )
        )
    for co in Checkout.objects.filter(device=device).select_related("holder", "recorded_by", "case"):
        detail = f"领用人 {_name(co.holder)}"
        if co.purpose:
            detail += f"，用途：{co.purpose}"
        if co.case is not None:
            detail += f"，案件 {co.case.number}"
        events.append(
            HistoryEvent(
                co.checked_out_at, co.recorded_at, "checkout", "领用", _name(co.recorded_by), detail, 3
            )
        )
    for r in DeviceReturn.objects.filter(checkout__device=device).select_related(
        "received_by", "checkout__holder"
    ):
        events.append(
            HistoryEvent(
                r.returned_at,
                r.recorded_at,
                "return",
                "归还",
                _name(r.received_by),
                f"{_name(r.checkout.holder)} 归还，状况：{r.get_condition_display()}"
                + (f"；{r.note}" if r.note else ""),
                4,
            )
        )
    for m in Maintenance.objects.filter(device=device).select_related("performed_by"):
        events.append(
            HistoryEvent(
                m.performed_at,
                m.recorded_at,
                "maintenance",
                m.get_kind_display(),
                _name(m.performed_by),
                m.description,
                5,
            )
        )
    for f in FaultReport.objects.filter(device=device).select_related("reported_by"):
        events.append(
            HistoryEvent(
                f.reported_at, f.reported_at, "fault", "故障报告", _name(f.reported_by), f.description, 6
            )
        )
    for rr in RepairRecord.objects.filter(fault__device=device).select_related("recorded_by"):
        events.append(
            HistoryEvent(
                rr.recorded_at,
                rr.recorded_at,
                "repair",
                rr.get_action_display(),
                _name(rr.recorded_by),
                f"维修单位：{rr.repairer}" + (f"；{rr.description}" if rr.description else ""),
                7,
            )
        )
    for s in ScrapRequest.objects.filter(device=device).select_related("requested_by"):
        ref = f"（处置文号 {s.disposal_ref}）" if s.disposal_ref else ""
        events.append(
            HistoryEvent(
                s.requested_at,
                s.requested_at,
                "scrap_request",
                "申请报废",
                _name(s.requested_by),
                s.reason + ref,
                8,
            )
        )
    for d in ScrapDecision.objects.filter(request__device=device).select_related("decided_by"):
        events.append(
            HistoryEvent(
                d.decided_at,
                d.decided_at,
                "scrap_decision",
                "批准报废" if d.approved else "不予批准报废",
                _name(d.decided_by),
                d.note,
                9,
            )
        )
    return sorted(events, key=lambda e: (e.at, e.recorded_at, e.order))


# --- derived state -----------------------------------------------------------------------------


def replay_device(device: Device) -> tuple[str, int | None]:
    """Re-derive ``(status, department_id)`` from the write-once events, in the order they were
    written (recorded times; ties broken by the event's place in a transaction). The stored values
    must equal this; :func:`inconsistent_devices` lists the ones that do not."""
    steps: list[tuple[datetime, int, str, object]] = []
    for a in Allocation.objects.filter(device=device):
        steps.append((a.allocated_at, 0, "allocate", a.department_id))
    for c in Checkout.objects.filter(device=device):
        steps.append((c.recorded_at, 1, "checkout", None))
    for r in DeviceReturn.objects.filter(checkout__device=device):
        steps.append((r.recorded_at, 2, "return", r.condition))
    for f in FaultReport.objects.filter(device=device):
        steps.append((f.reported_at, 3, "fault", None))
    for rr in RepairRecord.objects.filter(fault__device=device):
        steps.append((rr.recorded_at, 4, "repair", rr.action))
    for d in ScrapDecision.objects.filter(request__device=device, approved=True):
        steps.append((d.decided_at, 5, "scrap", None))
    status: str = DeviceStatus.IN_SERVICE
    department: int | None = None
    for _, _, kind, value in sorted(steps, key=lambda s: (s[0], s[1])):
        if kind == "allocate":
            department = value if isinstance(value, int) else None
        elif kind == "checkout":
            status = DeviceStatus.CHECKED_OUT
        elif kind == "return":
            if status == DeviceStatus.CHECKED_OUT:
                status = DeviceStatus.FAULTY if value == ReturnCondition.FAULTY else DeviceStatus.IN_SERVICE
        elif kind == "fault":
            status = DeviceStatus.FAULTY
        elif kind == "repair":
            status = {
                RepairAction.SENT: DeviceStatus.UNDER_REPAIR,
                RepairAction.REPAIRED: DeviceStatus.IN_SERVICE,
                RepairAction.UNREPAIRABLE: DeviceStatus.FAULTY,
            }[RepairAction(str(value))]
        elif kind == "scrap":
            status = DeviceStatus.SCRAPPED
    return status, department


def inconsistent_devices(agency: Agency | None = None) -> list[tuple[Device, str, int | None]]:
    """Devices whose stored status/department differ from their event history (for verify)."""
    qs = Device.objects.all() if agency is None else Device.objects.filter(agency=agency)
    problems = []
    for device in qs.iterator():
        status, department = replay_device(device)
        if (status, department) != (device.status, device.department_id):
            problems.append((device, status, department))
    return problems


# --- allocation report (EQ-2) ------------------------------------------------------------------


@dataclass
class DepartmentAllocation:
    department: Department | None
    officers: int = 0
    usable: dict[str, int] = field(default_factory=dict)
    unusable: dict[str, int] = field(default_factory=dict)
    recorders_required: int = 0
    terminals_required: int = 0

    @property
    def name(self) -> str:
        return self.department.name if self.department is not None else "装备库（未分配）"

    @property
    def recorders(self) -> int:
        return self.usable.get(DeviceKind.BODY_CAMERA, 0)

    @property
    def terminals(self) -> int:
        return self.usable.get(DeviceKind.MOBILE_TERMINAL, 0)

    @property
    def recorder_shortfall(self) -> int:
        return max(0, self.recorders_required - self.recorders)

    @property
    def terminal_shortfall(self) -> int:
        return max(0, self.terminals_required - self.terminals)

    @property
    def sufficient(self) -> bool:
        return self.recorder_shortfall == 0 and self.terminal_shortfall == 0

    def kinds(self) -> list[tuple[str, str, int, int]]:
        """(kind, label, usable, faulty or under repair) for every kind, in the registry's order."""
        return [
            (k, str(label), self.usable.get(k, 0), self.unusable.get(k, 0)) for k, label in DeviceKind.choices
        ]


@dataclass(frozen=True)
class AllocationReport:
    rows: list[DepartmentAllocation]
    officers_per_recorder: int
    officers_per_terminal: int

    @property
    def short(self) -> list[DepartmentAllocation]:
        return [r for r in self.rows if r.department is not None and not r.sufficient]


def allocation_report(agency: Agency) -> AllocationReport:
    """EQ-2 (PL-10): per department, its officers against its usable recorders and mobile
    terminals at the configured ratio (:mod:`liuhen.equipment.rules`). Faulty and in-repair devices
    are listed but do not count; scrapped ones are left out. Two queries, whatever the size."""
    per_recorder, per_terminal = rules.officers_per_recorder(), rules.officers_per_terminal()
    departments = list(Department.objects.filter(agency=agency).order_by("pk"))
    rows: dict[int | None, DepartmentAllocation] = {
        d.pk: DepartmentAllocation(department=d) for d in departments
    }
    officer_counts = (
        Person.objects.filter(
            agency=agency, is_active=True, roles__role=Role.OFFICER, department__isnull=False
        )
        .values("department_id")
        .annotate(n=Count("pk", distinct=True))
    )
    for row in officer_counts:
        rows[row["department_id"]].officers = row["n"]
    device_counts = (
        Device.objects.filter(agency=agency)
        .exclude(status=DeviceStatus.SCRAPPED)
        .values("department_id", "kind", "status")
        .annotate(n=Count("pk"))
    )
    by_department: dict[int | None, list[dict[str, object]]] = defaultdict(list)
    for row in device_counts:
        by_department[row["department_id"]].append(row)
    if None in by_department:
        rows[None] = DepartmentAllocation(department=None)
    for department_id, counts in by_department.items():
        entry = rows[department_id]
        for row in counts:
            bucket = entry.usable if row["status"] in USABLE else entry.unusable
            kind = str(row["kind"])
            bucket[kind] = bucket.get(kind, 0) + int(str(row["n"]))
    result = []
    for entry in rows.values():
        d = entry.department
        if (
            d is not None
            and d.is_legal_office
            and not entry.officers
            and not entry.usable
            and not entry.unusable
        ):
            continue
        entry.recorders_required = rules.required_count(entry.officers, per_recorder)
        entry.terminals_required = rules.required_count(entry.officers, per_terminal)
        result.append(entry)
    return AllocationReport(
        rows=result, officers_per_recorder=per_recorder, officers_per_terminal=per_terminal
    )
