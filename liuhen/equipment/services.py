"""Writes for recording equipment (EQ-1..5). Each service validates, then in one transaction
writes its write-once event row, updates the device's derived state (status/department) on the
locked row, and appends the ledger entry with the row's sealed content.

Status transitions (everything else is refused with a Chinese message)::

    在库可用 --领用--> 已领用 --归还(完好)--> 在库可用
    已领用 --归还(故障) / 故障报告--> 故障停用          (a fault during a checkout keeps it open
    在库可用 --故障报告--> 故障停用                      until the device is handed back)
    故障停用 --送修--> 送修中 --修复完成--> 在库可用     (修复完成 closes the fault)
    送修中/故障停用 --无法修复--> 故障停用
    在库可用/故障停用/送修中 --报废(经批准)--> 已报废

A device with an open fault, a pending scrap request or an open checkout cannot be checked out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from liuhen.cases.models import Case
from liuhen.cases.selectors import cases_visible_to
from liuhen.core.sealing import sealed_content
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
    MaintenanceKind,
    PreUseCheck,
    RepairAction,
    RepairRecord,
    ReturnCondition,
    ScrapDecision,
    ScrapRequest,
)
from liuhen.equipment.selectors import (
    can_decide_scrap,
    can_hand_out,
    can_record_check,
    can_record_maintenance,
    can_report_fault,
    eligible_holders,
    is_equipment_admin,
    latest_status_event_time,
    normalise_serial,
    open_checkout,
    open_faults,
    pending_scrap_request,
)
from liuhen.ledger import services as ledger
from liuhen.org.models import Agency, Department, Person

REGISTRY_ONLY = "只有装备管理部门（装备管理员）可以变更设备台账（EQ-1）。"
FAULT_LOCK = "该设备有未处理的故障报告，修复前不得领用（EQ-4）。"


@dataclass(frozen=True)
class CheckInput:
    """The pre-use check (EQ-3): battery, free storage, clock."""

    battery_percent: int
    free_storage_mb: int
    clock_ok: bool
    clock_offset_seconds: int | None = None
    note: str = ""


def _require_admin(actor: Person, agency_id: int) -> None:
    if not is_equipment_admin(actor, agency_id):
        raise PermissionDenied(REGISTRY_ONLY)


def _lock(device: Device) -> Device:
    return Device.objects.select_for_update().get(pk=device.pk)


def _set_state(device: Device, **fields: object) -> None:
    Device.objects.filter(pk=device.pk).update(**fields)
    for name, value in fields.items():
        setattr(device, name, value)


def _when(at: datetime | None, *, field: str, now: datetime) -> datetime:
    if at is None:
        return now
    if timezone.is_naive(at):
        raise ValidationError({field: "时间须带时区。"})
    if at > now:
        raise ValidationError({field: "时间不能晚于当前时间。"})
    return at


def _append(
    actor: Person, action: str, row: models.Model, *, device: Device, case_id: int | None = None
) -> None:
    ledger.append(
        actor=actor,
        action=action,
        obj=row,
        case_id=case_id,
        payload={"content": sealed_content(row), "device": device.pk, "serial_no": device.serial_no},
    )


# --- registry (equipment office only, EQ-1) ----------------------------------------------------


def register_device(
    *,
    actor: Person,
    agency: Agency,
    kind: str,
    serial_no: str,
    model_name: str,
    purchase_date: date,
    department: Department | None = None,
    asset_no: str = "",
) -> Device:
    """Enter a device in the registry, optionally allocated to a department at once."""
    _require_admin(actor, agency.pk)
    errors: dict[str, str] = {}
    serial = normalise_serial(serial_no)
    if kind not in DeviceKind.values:
        errors["kind"] = "请选择设备类别。"
    if not serial:
        errors["serial_no"] = "请填写设备编号。"
    elif len(serial) > 64:
        errors["serial_no"] = "设备编号过长。"
    elif Device.objects.filter(agency=agency, serial_no=serial).exists():
        errors["serial_no"] = f"本机关已登记编号为 {serial} 的设备。"
    if not model_name.strip():
        errors["model_name"] = "请填写品牌型号。"
    if purchase_date > timezone.localdate():
        errors["purchase_date"] = "购置日期不能晚于今天。"
    if department is not None and department.agency_id != agency.pk:
        errors["department"] = "科室不属于本机关。"
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with transaction.atomic():
        device = Device.objects.create(
            agency=agency,
            kind=kind,
            serial_no=serial,
            model_name=model_name.strip(),
            purchase_date=purchase_date,
            asset_no=asset_no.strip(),
            department=department,
            status=DeviceStatus.IN_SERVICE,
            created_by=actor,
            created_at=now,
        )
        ledger.append(
            actor=actor, action="device.register", obj=device, payload={"content": sealed_content(device)}
        )
        if department is not None:
            allocation = Allocation.objects.create(
                device=device, department=department, note="登记时配备", actor=actor, allocated_at=now
            )
            _append(actor, "device.allocate", allocation, device=device)
    return device


def allocate_device(
    *, actor: Person, device: Device, department: Department | None, note: str = ""
) -> Allocation:
    """EQ-1/EQ-2: move the device to a department (None = back to the equipment office's stock)."""
    _require_admin(actor, device.agency_id)
    if department is not None and department.agency_id != device.agency_id:
        raise ValidationError({"department": "科室不属于本机关。"})
    with transaction.atomic():
        locked = _lock(device)
        if locked.status == DeviceStatus.SCRAPPED:
            raise ValidationError("已报废的设备不能再分配。")
        if open_checkout(locked) is not None:
            raise ValidationError("设备尚未归还，归还后才能调整配备科室。")
        if locked.department_id == (department.pk if department else None):
            raise ValidationError({"department": "设备已配备在该科室。"})
        allocation = Allocation.objects.create(
            device=locked, department=department, note=note.strip(), actor=actor, allocated_at=timezone.now()
        )
        _set_state(locked, department=department)
        _append(actor, "device.allocate", allocation, device=locked)
    device.department = department
    return allocation


# --- pre-use check, checkout, return (EQ-3, EQ-5) ---------------------------------------------


def _check_input_errors(check: CheckInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not 0 <= check.battery_percent <= 100:
        errors["battery_percent"] = "电池电量应在 0–100% 之间。"
    if check.free_storage_mb < 0:
        errors["free_storage_mb"] = "剩余存储空间不能为负。"
    offset = check.clock_offset_seconds
    if offset is not None and check.clock_ok and abs(offset) > rules.max_clock_offset_seconds():
        errors["clock_ok"] = f"时钟偏差 {offset} 秒超过 {rules.max_clock_offset_seconds()} 秒，不能记为准确。"
    return errors


def check_problems(check: PreUseCheck | CheckInput) -> list[str]:
    """Why a check does not allow use (empty when it passes)."""
    problems = []
    if check.battery_percent < rules.min_battery_percent():
        problems.append(
            f"电池电量 {check.battery_percent}% 低于 {rules.min_battery_percent()}%，请充电后再检查。"
        )
    if check.free_storage_mb < rules.min_free_storage_mb():
        problems.append(
            f"剩余存储空间 {check.free_storage_mb / 1024:.1f} GB 低于 {rules.min_free_storage_mb() / 1024:.1f} GB，"
            "请先将录像导入采集站。"
        )
    if not check.clock_ok:
        problems.append("设备时钟不准确，请校准后再检查（音像记录的时间据此认定）。")
    return problems


def record_pre_use_check(
    *,
    actor: Person,
    device: Device,
    check: CheckInput,
    holder: Person | None = None,
    at: datetime | None = None,
) -> PreUseCheck:
    """EQ-3 (PL-18, HY-JL-22): record the check made before use. A failed check is recorded too
    (``passed=False``) and cannot be used for a checkout."""
    if not can_record_check(actor, device, holder):
        raise PermissionDenied("只有装备管理员、科室负责人或领用的执法人员本人可以登记使用前检查。")
    errors = _check_input_errors(check)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    checked_at = _when(at, field="checked_at", now=now)
    with transaction.atomic():
        locked = _lock(device)
        if locked.status == DeviceStatus.SCRAPPED:
            raise ValidationError("设备已报废。")
        if checked_at < locked.created_at:
            raise ValidationError({"checked_at": "检查时间不能早于设备登记时间。"})
        row = PreUseCheck.objects.create(
            device=locked,
            battery_percent=check.battery_percent,
            free_storage_mb=check.free_storage_mb,
            clock_ok=check.clock_ok,
            clock_offset_seconds=check.clock_offset_seconds,
            passed=not check_problems(check),
            note=check.note.strip(),
            checked_by=actor,
            checked_at=checked_at,
        )
        _append(actor, "device.check", row, device=locked)
    return row


def _checkout_blockers(device: Device) -> list[str]:
    """Why ``device`` cannot be checked out now (EQ-4 fault lock first)."""
    if device.status == DeviceStatus.SCRAPPED:
        return ["设备已报废，不能领用。"]
    if open_faults(device).exists() or device.status in (DeviceStatus.FAULTY, DeviceStatus.UNDER_REPAIR):
        return [FAULT_LOCK]
    if open_checkout(device) is not None or device.status == DeviceStatus.CHECKED_OUT:
        return ["设备已被领用，尚未归还。"]
    if pending_scrap_request(device) is not None:
        return ["设备已申请报废，审批期间不得领用。"]
    return []


def checkout_blockers(device: Device) -> list[str]:
    return _checkout_blockers(device)


def _validate_holder(actor: Person, device: Device, holder: Person) -> None:
    if not eligible_holders(device.agency_id).filter(pk=holder.pk).exists():
        raise ValidationError(
            {"holder": "领用人须为本机关在职、持有执法证的执法人员（执法记录设备仅用于执法活动，EQ-5）。"}
        )
    if holder.pk == actor.pk:
        raise PermissionDenied("不能为本人登记领用：设备领用须由装备管理员或科室负责人登记交接。")
    if not is_equipment_admin(actor, device.agency_id) and holder.department_id != actor.department_id:
        raise ValidationError({"holder": "科室负责人只能登记本科室执法人员的领用。"})


def check_out(
    *,
    actor: Person,
    device: Device,
    holder: Person,
    pre_use_check: PreUseCheck | None,
    purpose: str = "",
    case: Case | None = None,
    at: datetime | None = None,
) -> Checkout:
    """EQ-3: hand ``device`` to ``holder``. Refused without a passed pre-use check of this device,
    made before the checkout (within the configured window) and not used before; refused while a
    fault is open (EQ-4); only for certified officers (EQ-5)."""
    if not can_hand_out(actor, device):
        raise PermissionDenied("只有装备管理员或设备所在科室的负责人可以登记领用。")
    _validate_holder(actor, device, holder)
    if case is not None and not cases_visible_to(holder).filter(pk=case.pk).exists():
        raise ValidationError({"case": "领用人无权办理该案件。"})
    now = timezone.now()
    checked_out_at = _when(at, field="checked_out_at", now=now)
    with transaction.atomic():
        locked = _lock(device)
        blockers = _checkout_blockers(locked)
        if blockers:
            raise ValidationError(blockers)
        if pre_use_check is None:
            raise ValidationError({"pre_use_check": "领用前须先登记使用前检查（电量、存储空间、时钟）。"})
        check = PreUseCheck.objects.filter(pk=pre_use_check.pk, device=locked).first()
        if check is None:
            raise ValidationError({"pre_use_check": "使用前检查不是针对该设备的。"})
        if Checkout.objects.filter(pre_use_check=check).exists():
            raise ValidationError({"pre_use_check": "该次使用前检查已用于另一次领用，请重新检查。"})
        if not check.passed:
            raise ValidationError({"pre_use_check": ["使用前检查不合格，不得领用。", *check_problems(check)]})
        if check.checked_at > checked_out_at:
            raise ValidationError({"checked_out_at": "领用时间不能早于使用前检查时间。"})
        if checked_out_at - check.checked_at > rules.check_valid_for():
            minutes = int(rules.check_valid_for().total_seconds() // 60)
            raise ValidationError({"pre_use_check": f"使用前检查已超过 {minutes} 分钟，请重新检查。"})
        if checked_out_at < latest_status_event_time(locked):
            raise ValidationError({"checked_out_at": "领用时间不能早于该设备最近一次状态变化。"})
        checkout = Checkout.objects.create(
            device=locked,
            holder=holder,
            pre_use_check=check,
            checked_out_at=checked_out_at,
            purpose=purpose.strip(),
            case=case,
            recorded_by=actor,
            recorded_at=now,
        )
        _set_state(locked, status=DeviceStatus.CHECKED_OUT)
        _append(actor, "device.checkout", checkout, device=locked, case_id=case.pk if case else None)
    device.status = DeviceStatus.CHECKED_OUT
    return checkout


def check_and_check_out(
    *,
    actor: Person,
    device: Device,
    holder: Person,
    check: CheckInput,
    purpose: str = "",
    case: Case | None = None,
    at: datetime | None = None,
) -> Checkout:
    """The handover desk in one step: record the pre-use check FIRST (committed even when it fails,
    so a failed check stays on file), then the checkout, which refuses a failed check."""
    if not can_hand_out(actor, device):
        raise PermissionDenied("只有装备管理员或设备所在科室的负责人可以登记领用。")
    _validate_holder(actor, device, holder)
    blockers = _checkout_blockers(Device.objects.get(pk=device.pk))
    if blockers:  # a locked device gets no check recorded at all
        raise ValidationError(blockers)
    row = record_pre_use_check(actor=actor, device=device, check=check, holder=holder, at=at)
    return check_out(
        actor=actor, device=device, holder=holder, pre_use_check=row, purpose=purpose, case=case, at=at
    )


def return_device(
    *,
    actor: Person,
    checkout: Checkout,
    condition: str,
    note: str = "",
    at: datetime | None = None,
) -> DeviceReturn:
    """EQ-3: the device is handed back. A fault found on return is reported at the same time."""
    device = checkout.device
    if not can_hand_out(actor, device):
        raise PermissionDenied("只有装备管理员或设备所在科室的负责人可以登记归还。")
    if condition not in ReturnCondition.values:
        raise ValidationError({"condition": "请选择归还状况。"})
    note = note.strip()
    if condition == ReturnCondition.FAULTY and not note:
        raise ValidationError({"note": "归还时发现故障的，请说明故障情况。"})
    now = timezone.now()
    returned_at = _when(at, field="returned_at", now=now)
    if returned_at < checkout.checked_out_at:
        raise ValidationError({"returned_at": "归还时间不能早于领用时间。"})
    with transaction.atomic():
        locked = _lock(device)
        if DeviceReturn.objects.filter(checkout=checkout).exists():
            raise ValidationError("该次领用已登记归还。")
        has_fault = open_faults(locked).exists()
        if condition == ReturnCondition.GOOD and has_fault:
            raise ValidationError({"condition": "该设备有未修复的故障报告，归还状况不能登记为完好。"})
        row = DeviceReturn.objects.create(
            checkout=checkout,
            returned_at=returned_at,
            condition=condition,
            note=note,
            received_by=actor,
            recorded_at=now,
        )
        _append(actor, "device.return", row, device=locked, case_id=checkout.case_id)
        if condition == ReturnCondition.GOOD:
            _set_state(locked, status=DeviceStatus.IN_SERVICE)
        else:
            _set_state(locked, status=DeviceStatus.FAULTY)
            if not has_fault:
                fault = FaultReport.objects.create(
                    device=locked,
                    description=note,
                    checkout=checkout,
                    reported_by=actor,
                    reported_at=timezone.now(),
                )
                _append(actor, "device.fault", fault, device=locked)
    device.status = locked.status
    return row


# --- maintenance, faults, repairs (EQ-3, EQ-4) -------------------------------------------------


def record_maintenance(
    *,
    actor: Person,
    device: Device,
    kind: str,
    description: str,
    at: datetime | None = None,
) -> Maintenance:
    """EQ-3 (PL-18, HY-JL-22): routine maintenance kept in the device's log."""
    if not can_record_maintenance(actor, device):
        raise PermissionDenied("只有装备管理员、设备所在科室的负责人或当前领用人可以登记维护保养。")
    errors: dict[str, str] = {}
    if kind not in MaintenanceKind.values:
        errors["kind"] = "请选择维护类别。"
    if not description.strip():
        errors["description"] = "请填写维护内容。"
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    performed_at = _when(at, field="performed_at", now=now)
    with transaction.atomic():
        locked = _lock(device)
        if locked.status == DeviceStatus.SCRAPPED:
            raise ValidationError("设备已报废。")
        row = Maintenance.objects.create(
            device=locked,
            kind=kind,
            description=description.strip(),
            performed_at=performed_at,
            performed_by=actor,
            recorded_at=now,
        )
        _append(actor, "device.maintain", row, device=locked)
    return row


def report_fault(*, actor: Person, device: Device, description: str) -> FaultReport:
    """EQ-4 (PL-19, HY-JL-23): stop using and report. The device is locked from checkout until a
    repair record closes the fault. A fault found during a checkout stays with that checkout."""
    if not can_report_fault(actor, device):
        raise PermissionDenied("只有设备使用人、所在科室人员或装备管理员可以报告故障。")
    if not description.strip():
        raise ValidationError({"description": "请描述故障情况。"})
    with transaction.atomic():
        locked = _lock(device)
        if locked.status == DeviceStatus.SCRAPPED:
            raise ValidationError("设备已报废。")
        existing = open_faults(locked).first()
        if existing is not None:
            raise ValidationError(
                f"该设备已有未处理的故障报告（{timezone.localtime(existing.reported_at):%Y-%m-%d %H:%M}），"
                "请在维修记录中补充说明。"
            )
        row = FaultReport.objects.create(
            device=locked,
            description=description.strip(),
            checkout=open_checkout(locked),
            reported_by=actor,
            reported_at=timezone.now(),
        )
        _set_state(locked, status=DeviceStatus.FAULTY)
        _append(actor, "device.fault", row, device=locked)
    device.status = DeviceStatus.FAULTY
    return row


def record_repair(
    *, actor: Person, fault: FaultReport, action: str, repairer: str, description: str = ""
) -> RepairRecord:
    """EQ-4: professional repair arranged by the equipment office (PL-19: no private dismantling).
    ``repaired`` closes the fault and puts the device back in service."""
    device = fault.device
    _require_admin(actor, device.agency_id)
    errors: dict[str, str] = {}
    if action not in RepairAction.values:
        errors["action"] = "请选择维修结果。"
    if not repairer.strip():
        errors["repairer"] = "请填写维修单位（须由专业部门维修，不得私自拆装）。"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _lock(device)
        if locked.status == DeviceStatus.SCRAPPED:
            raise ValidationError("设备已报废。")
        if not open_faults(locked).filter(pk=fault.pk).exists():
            raise ValidationError("该故障已修复关闭。")
        if open_checkout(locked) is not None:
            raise ValidationError("设备尚在领用人处，请先登记归还。")
        row = RepairRecord.objects.create(
            fault=fault,
            action=action,
            repairer=repairer.strip(),
            description=description.strip(),
            recorded_by=actor,
            recorded_at=timezone.now(),
        )
        status = {
            RepairAction.SENT: DeviceStatus.UNDER_REPAIR,
            RepairAction.REPAIRED: DeviceStatus.IN_SERVICE,
            RepairAction.UNREPAIRABLE: DeviceStatus.FAULTY,
        }[RepairAction(action)]
        _set_state(locked, status=status)
        _append(actor, "device.repair", row, device=locked)
    device.status = locked.status
    return row


# --- scrapping (EQ-4: fixed-asset rules, approved by a second person) --------------------------


def request_scrap(*, actor: Person, device: Device, reason: str, disposal_ref: str = "") -> ScrapRequest:
    _require_admin(actor, device.agency_id)
    if not reason.strip():
        raise ValidationError({"reason": "请填写报废理由。"})
    with transaction.atomic():
        locked = _lock(device)
        if locked.status == DeviceStatus.SCRAPPED:
            raise ValidationError("设备已报废。")
        if open_checkout(locked) is not None:
            raise ValidationError("设备尚未归还，不能申请报废。")
        if pending_scrap_request(locked) is not None:
            raise ValidationError("该设备已有待审批的报废申请。")
        row = ScrapRequest.objects.create(
            device=locked,
            reason=reason.strip(),
            disposal_ref=disposal_ref.strip(),
            requested_by=actor,
            requested_at=timezone.now(),
        )
        _append(actor, "device.scrap_request", row, device=locked)
    return row


def decide_scrap(*, actor: Person, request: ScrapRequest, approved: bool, note: str = "") -> ScrapDecision:
    """Approve or reject a scrap request: an agency head or equipment admin other than the
    requester. Approval takes the device out of service for good."""
    if not can_decide_scrap(actor, request):
        if actor.pk == request.requested_by_id:
            raise PermissionDenied("报废须由申请人以外的机关负责人或装备管理员审批。")
        raise PermissionDenied("只有机关负责人或装备管理员可以审批报废。")
    if not approved and not note.strip():
        raise ValidationError({"note": "不予批准的，请说明理由。"})
    with transaction.atomic():
        locked = _lock(request.device)
        if ScrapDecision.objects.filter(request=request).exists():
            raise ValidationError("该报废申请已审批。")
        if approved and open_checkout(locked) is not None:
            raise ValidationError("设备尚未归还，不能报废。")
        row = ScrapDecision.objects.create(
            request=request, approved=approved, note=note.strip(), decided_by=actor, decided_at=timezone.now()
        )
        if approved:
            _set_state(locked, status=DeviceStatus.SCRAPPED)
        _append(actor, "device.scrap_decide", row, device=locked)
    request.device.status = locked.status
    return row
