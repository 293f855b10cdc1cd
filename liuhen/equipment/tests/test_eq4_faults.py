"""EQ-4: fault → stop using, report, professional repair; no private dismantling; scrapping per
fixed-asset rules (PL-19, HY-JL-23).

Acceptance (issue 5): "A device with an open fault cannot be checked out" — service, UI and API.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from liuhen.conftest import Org, login
from liuhen.equipment import services
from liuhen.equipment.models import (
    Checkout,
    DeviceStatus,
    FaultReport,
    PreUseCheck,
    RepairAction,
    ReturnCondition,
    ScrapDecision,
)
from liuhen.equipment.selectors import device_history, inconsistent_devices, open_faults
from liuhen.equipment.testing import GOOD_CHECK
from liuhen.equipment.tests.conftest import Eq
from liuhen.ledger.verify import verify

pytestmark = pytest.mark.django_db


def _faulty(eq: Eq) -> FaultReport:
    return services.report_fault(actor=eq.org.officer_a1, device=eq.recorder, description="无法开机")


def test_eq_4_acceptance_open_fault_blocks_checkout_in_the_service(eq: Eq) -> None:
    check = services.record_pre_use_check(actor=eq.admin, device=eq.recorder, check=GOOD_CHECK)
    fault = _faulty(eq)
    eq.recorder.refresh_from_db()
    assert eq.recorder.status == DeviceStatus.FAULTY
    with pytest.raises(ValidationError, match="未处理的故障报告"):
        services.check_out(actor=eq.admin, device=eq.recorder, holder=eq.org.officer_a1, pre_use_check=check)
    with pytest.raises(ValidationError, match="未处理的故障报告"):
        eq.check_out()
    # Sent for repair: still locked.
    services.record_repair(actor=eq.admin, fault=fault, action=RepairAction.SENT, repairer="某电子维修中心")
    eq.recorder.refresh_from_db()
    assert eq.recorder.status == DeviceStatus.UNDER_REPAIR
    with pytest.raises(ValidationError, match="未处理的故障报告"):
        eq.check_out()
    # Unrepairable: still locked.
    services.record_repair(
        actor=eq.admin, fault=fault, action=RepairAction.UNREPAIRABLE, repairer="某电子维修中心"
    )
    with pytest.raises(ValidationError, match="未处理的故障报告"):
        eq.check_out()
    assert not Checkout.objects.exists()
    # Only a "repaired" record closes the fault and releases the device.
    services.record_repair(actor=eq.admin, fault=fault, action=RepairAction.REPAIRED, repairer="厂家售后")
    eq.recorder.refresh_from_db()
    assert eq.recorder.status == DeviceStatus.IN_SERVICE and not open_faults(eq.recorder).exists()
    assert eq.check_out().holder == eq.org.officer_a1
    assert inconsistent_devices() == []
    assert verify(blobs=False).ok


def test_eq_4_acceptance_open_fault_blocks_checkout_in_the_ui(client: Client, eq: Eq, org: Org) -> None:
    _faulty(eq)
    login(client, eq.admin)
    page = client.get(reverse("equipment:detail", args=[eq.recorder.pk])).content.decode()
    assert "不可领用" in page and "未处理的故障报告" in page
    assert 'action="' + reverse("equipment:checkout", args=[eq.recorder.pk]) not in page  # no checkout form
    response = client.post(
        reverse("equipment:checkout", args=[eq.recorder.pk]),
        {"battery_percent": "90", "free_storage_gb": "30", "clock_ok": "1", "holder": org.officer_a1.pk},
    )
    assert response.status_code == 400
    assert "该设备有未处理的故障报告，修复前不得领用（EQ-4）。" in response.content.decode()
    assert not Checkout.objects.exists() and not PreUseCheck.objects.exists()


def test_eq_4_acceptance_open_fault_blocks_checkout_in_the_api(client: Client, eq: Eq, org: Org) -> None:
    login(client, eq.admin)
    check = client.post(
        f"/api/equipment/devices/{eq.recorder.pk}/checks",
        {"battery_percent": 90, "free_storage_mb": 30000, "clock_ok": True},
        content_type="application/json",
    ).json()
    login(client, org.officer_a1)
    fault = client.post(
        f"/api/equipment/devices/{eq.recorder.pk}/faults",
        {"description": "屏幕不亮"},
        content_type="application/json",
    )
    assert fault.status_code == 201 and fault.json()["device_status"] == DeviceStatus.FAULTY
    login(client, eq.admin)
    detail = client.get(f"/api/equipment/devices/{eq.recorder.pk}").json()
    assert detail["open_fault_ids"] == [fault.json()["id"]] and detail["checkout_blockers"]
    response = client.post(
        f"/api/equipment/devices/{eq.recorder.pk}/checkouts",
        {"holder_id": org.officer_a1.pk, "pre_use_check_id": check["id"]},
        content_type="application/json",
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error" and "修复前不得领用" in error["message"]
    assert not Checkout.objects.exists()
    repaired = client.post(
        f"/api/equipment/faults/{fault.json()['id']}/repairs",
        {"action": "repaired", "repairer": "厂家售后"},
        content_type="application/json",
    )
    assert repaired.status_code == 201 and repaired.json()["device_status"] == DeviceStatus.IN_SERVICE


def test_eq_4_fault_during_checkout_stays_until_return(eq: Eq) -> None:
    checkout = eq.check_out()
    fault = services.report_fault(actor=eq.org.officer_a1, device=eq.recorder, description="录像中断")
    assert fault.checkout == checkout
    with pytest.raises(ValidationError, match="请先登记归还"):
        services.record_repair(actor=eq.admin, fault=fault, action=RepairAction.SENT, repairer="某维修中心")
    with pytest.raises(ValidationError, match="不能登记为完好"):
        services.return_device(actor=eq.admin, checkout=checkout, condition=ReturnCondition.GOOD)
    services.return_device(
        actor=eq.admin, checkout=checkout, condition=ReturnCondition.FAULTY, note="录像中断"
    )
    eq.recorder.refresh_from_db()
    assert eq.recorder.status == DeviceStatus.FAULTY
    assert FaultReport.objects.count() == 1  # the open fault is not duplicated
    with pytest.raises(ValidationError, match="已有未处理的故障报告"):
        services.report_fault(actor=eq.org.officer_a2, device=eq.recorder, description="again")
    assert inconsistent_devices() == []


def test_eq_4_fault_found_on_return_is_reported(eq: Eq) -> None:
    checkout = eq.check_out()
    with pytest.raises(ValidationError, match="请说明故障情况"):
        services.return_device(actor=eq.admin, checkout=checkout, condition=ReturnCondition.FAULTY)
    services.return_device(
        actor=eq.admin, checkout=checkout, condition=ReturnCondition.FAULTY, note="外壳开裂"
    )
    fault = FaultReport.objects.get()
    assert fault.description == "外壳开裂" and fault.checkout == checkout
    eq.recorder.refresh_from_db()
    assert eq.recorder.status == DeviceStatus.FAULTY
    with pytest.raises(ValidationError, match="未处理的故障报告"):
        eq.check_out()


def test_eq_4_repair_is_professional_and_by_the_equipment_office(eq: Eq) -> None:
    fault = _faulty(eq)
    with pytest.raises(PermissionDenied):
        services.record_repair(
            actor=eq.org.officer_a1, fault=fault, action=RepairAction.REPAIRED, repairer="自己"
        )
    with pytest.raises(ValidationError, match="专业部门"):
        services.record_repair(actor=eq.admin, fault=fault, action=RepairAction.REPAIRED, repairer=" ")
    services.record_repair(actor=eq.admin, fault=fault, action=RepairAction.REPAIRED, repairer="厂家售后")
    with pytest.raises(ValidationError, match="已修复关闭"):
        services.record_repair(actor=eq.admin, fault=fault, action=RepairAction.REPAIRED, repairer="厂家售后")


def test_eq_4_who_may_report_a_fault(eq: Eq) -> None:
    with pytest.raises(PermissionDenied):
        services.report_fault(actor=eq.org.officer_b1, device=eq.recorder, description="x")
    with pytest.raises(ValidationError):
        services.report_fault(actor=eq.org.officer_a2, device=eq.recorder, description=" ")
    services.report_fault(actor=eq.org.officer_a2, device=eq.recorder, description="按键失灵")


def test_eq_4_scrapping_needs_a_second_persons_approval(eq: Eq) -> None:
    request = services.request_scrap(
        actor=eq.admin, device=eq.recorder, reason="电池鼓包", disposal_ref="资处〔2026〕3号"
    )
    with pytest.raises(ValidationError, match="审批期间不得领用"):
        eq.check_out()
    with pytest.raises(ValidationError, match="待审批"):
        services.request_scrap(actor=eq.admin, device=eq.recorder, reason="again")
    with pytest.raises(PermissionDenied, match="申请人以外"):
        services.decide_scrap(actor=eq.admin, request=request, approved=True)
    for person in (eq.org.officer_a1, eq.org.head_a, eq.org.auditor):
        with pytest.raises(PermissionDenied):
            services.decide_scrap(actor=person, request=request, approved=True)
    decision = services.decide_scrap(actor=eq.admin2, request=request, approved=True, note="同意报废")
    assert decision.decided_by == eq.admin2
    eq.recorder.refresh_from_db()
    assert eq.recorder.status == DeviceStatus.SCRAPPED
    with pytest.raises(ValidationError, match="已审批"):
        services.decide_scrap(actor=eq.org.agency_head, request=request, approved=False, note="x")
    with pytest.raises(ValidationError, match="报废"):
        eq.check_out()
    with pytest.raises(ValidationError, match="报废"):
        services.allocate_device(actor=eq.admin, device=eq.recorder, department=None)
    assert [e.event for e in device_history(eq.recorder)][-2:] == ["scrap_request", "scrap_decision"]
    assert inconsistent_devices() == []
    assert verify(blobs=False).ok


def test_eq_4_rejected_scrap_leaves_the_device_in_service(eq: Eq) -> None:
    request = services.request_scrap(actor=eq.admin, device=eq.recorder, reason="型号老旧")
    with pytest.raises(ValidationError, match="说明理由"):
        services.decide_scrap(actor=eq.org.agency_head, request=request, approved=False)
    services.decide_scrap(actor=eq.org.agency_head, request=request, approved=False, note="仍可使用")
    eq.recorder.refresh_from_db()
    assert eq.recorder.status == DeviceStatus.IN_SERVICE
    assert not ScrapDecision.objects.get().approved
    eq.check_out()


def test_eq_4_no_scrap_request_while_checked_out(eq: Eq) -> None:
    eq.check_out()
    with pytest.raises(ValidationError, match="尚未归还"):
        services.request_scrap(actor=eq.admin, device=eq.recorder, reason="x")


def test_eq_4_scrap_through_the_page(client: Client, eq: Eq) -> None:
    login(client, eq.admin)
    url = reverse("equipment:detail", args=[eq.recorder.pk])
    assert (
        client.post(reverse("equipment:scrap", args=[eq.recorder.pk]), {"reason": "摔坏"}).status_code == 302
    )
    page = client.get(url).content.decode()
    assert "报废申请（待审批）" in page and "须由申请人以外" in page
    scrap = eq.recorder.scrap_requests.get()
    refused = client.post(reverse("equipment:scrap_decide", args=[scrap.pk]), {"approved": "1"})
    assert refused.status_code == 400 and "申请人以外" in refused.content.decode()
    login(client, eq.org.agency_head)
    assert "摔坏" in client.get(reverse("equipment:list")).content.decode()  # awaiting their decision
    approved = client.post(
        reverse("equipment:scrap_decide", args=[scrap.pk]), {"approved": "1", "note": "同意"}
    )
    assert approved.status_code == 302
    eq.recorder.refresh_from_db()
    assert eq.recorder.status == DeviceStatus.SCRAPPED


def test_eq_4_fault_and_repair_through_the_page(client: Client, eq: Eq) -> None:
    login(client, eq.org.officer_a1)
    url = reverse("equipment:detail", args=[eq.recorder.pk])
    page = client.get(url).content.decode()
    assert "报告故障" in page and "领用登记" not in page  # officers do not record handovers
    assert (
        client.post(
            reverse("equipment:fault", args=[eq.recorder.pk]), {"description": "无法充电"}
        ).status_code
        == 302
    )
    fault = FaultReport.objects.get()
    assert (
        client.post(
            reverse("equipment:repair", args=[fault.pk]), {"action": "repaired", "repairer": "x"}
        ).status_code
        == 400
    )  # PermissionDenied shown on the form
    login(client, eq.admin)
    page = client.get(url).content.decode()
    assert "无法充电" in page and "登记维修" in page
    ok = client.post(
        reverse("equipment:repair", args=[fault.pk]), {"action": "repaired", "repairer": "厂家售后"}
    )
    assert ok.status_code == 302
    eq.recorder.refresh_from_db()
    assert eq.recorder.status == DeviceStatus.IN_SERVICE
