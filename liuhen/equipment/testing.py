"""Test helpers for equipment (importable from other apps' tests, e.g. ``core.testing``)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from liuhen.equipment import services
from liuhen.equipment.models import Device, DeviceKind, RepairAction, ReturnCondition
from liuhen.org.models import Person, Role
from liuhen.org.services import create_person

if TYPE_CHECKING:
    from liuhen.cases.models import Case
    from liuhen.conftest import Org

GOOD_CHECK = services.CheckInput(
    battery_percent=95, free_storage_mb=64 * 1024, clock_ok=True, clock_offset_seconds=2
)


def make_equipment_admin(org: Org, username: str = "eqadmin", name: str = "孙丽") -> Person:
    return create_person(
        actor=None,
        username=username,
        full_name=name,
        password="liuhen-test-pw",
        agency=org.agency,
        department=None,
        roles=[Role.EQUIPMENT_ADMIN],
    )


def populate_equipment(org: Org, case: Case | None = None) -> Device:
    """One device through its whole life: a row in every equipment event table."""
    admin = make_equipment_admin(org, username="eqadmin_all", name="装备员甲")
    device = services.register_device(
        actor=admin,
        agency=org.agency,
        kind=DeviceKind.BODY_CAMERA,
        serial_no="DSJ-POP-0001",
        model_name="某品牌 DSJ-V9",
        purchase_date=date(2024, 3, 1),
        department=org.dept_a,
        asset_no="ZC-2024-001",
    )
    checkout = services.check_and_check_out(
        actor=admin, device=device, holder=org.officer_a1, check=GOOD_CHECK, purpose="现场检查", case=case
    )
    services.return_device(actor=admin, checkout=checkout, condition=ReturnCondition.FAULTY, note="无法开机")
    fault = device.faults.get()
    services.record_repair(actor=admin, fault=fault, action=RepairAction.SENT, repairer="某电子维修中心")
    services.record_repair(actor=admin, fault=fault, action=RepairAction.REPAIRED, repairer="某电子维修中心")
    services.record_maintenance(actor=admin, device=device, kind="cleaning", description="清洁镜头")
    request = services.request_scrap(
        actor=admin, device=device, reason="电池老化", disposal_ref="资处〔2026〕1号"
    )
    services.decide_scrap(actor=org.agency_head, request=request, approved=True, note="同意")
    return device
