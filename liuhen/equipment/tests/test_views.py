"""The equipment pages: navigation, the device list, a device's history page (all events in
order, EQ-1..4), maintenance and allocation forms, and the holder lookup (EQ-3)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from liuhen.conftest import Org, login
from liuhen.equipment import services
from liuhen.equipment.models import Maintenance, RepairAction, ReturnCondition
from liuhen.equipment.selectors import device_history
from liuhen.equipment.tests.conftest import Eq

pytestmark = pytest.mark.django_db

NAV = '<a href="/equipment/">执法装备</a>'


def test_nav_entry_for_the_equipment_office_not_for_officers(client: Client, eq: Eq, org: Org) -> None:
    login(client, eq.admin)
    assert NAV in client.get(reverse("cases:dashboard")).content.decode()
    login(client, org.officer_a1)
    assert NAV not in client.get(reverse("cases:dashboard")).content.decode()


def test_anonymous_is_sent_to_login(client: Client, eq: Eq) -> None:
    response = client.get(reverse("equipment:list"))
    assert response.status_code == 302 and reverse("org:login") in response["Location"]


def test_list_filters_and_counts(client: Client, eq: Eq) -> None:
    eq.register("XJ-1", kind="camera", department="b")
    services.report_fault(actor=eq.admin, device=eq.recorder, description="坏了")
    login(client, eq.admin)
    page = client.get(reverse("equipment:list"), {"status": "faulty"}).content.decode()
    assert "DSJ-0001" in page and "XJ-1" not in page
    page = client.get(reverse("equipment:list"), {"kind": "camera"}).content.decode()
    assert "XJ-1" in page and "DSJ-0001" not in page


def test_history_page_lists_every_event_in_order(client: Client, eq: Eq) -> None:
    checkout = eq.check_out(purpose="现场检查")
    services.report_fault(actor=eq.org.officer_a1, device=eq.recorder, description="录像中断")
    services.return_device(
        actor=eq.admin, checkout=checkout, condition=ReturnCondition.FAULTY, note="录像中断"
    )
    fault = eq.recorder.faults.get()
    services.record_repair(actor=eq.admin, fault=fault, action=RepairAction.SENT, repairer="某维修中心")
    services.record_repair(actor=eq.admin, fault=fault, action=RepairAction.REPAIRED, repairer="某维修中心")
    services.record_maintenance(actor=eq.admin, device=eq.recorder, kind="clock_sync", description="校时")
    request = services.request_scrap(actor=eq.admin, device=eq.recorder, reason="老化")
    services.decide_scrap(actor=eq.admin2, request=request, approved=True)
    expected = [
        "register",
        "allocate",
        "check",
        "checkout",
        "fault",
        "return",
        "repair",
        "repair",
        "maintenance",
        "scrap_request",
        "scrap_decision",
    ]
    assert [e.event for e in device_history(eq.recorder)] == expected
    login(client, eq.org.officer_a1)  # a former holder sees the device's page
    page = client.get(reverse("equipment:detail", args=[eq.recorder.pk])).content.decode()
    events = [chunk.split('"', 1)[0] for chunk in page.split('data-event="')[1:]]
    assert events == expected
    for text in (
        "登记入册",
        "使用前检查合格",
        "领用人 张伟",
        "故障报告",
        "送专业维修",
        "修复完成",
        "校准时钟",
        "批准报废",
    ):
        assert text in page
    assert "已报废" in page


def test_backdated_handover_is_marked_in_the_history(
    client: Client, eq: Eq, monkeypatch: pytest.MonkeyPatch
) -> None:
    earlier = timezone.now() - timedelta(hours=5)
    with monkeypatch.context() as m:
        m.setattr(timezone, "now", lambda: earlier - timedelta(hours=1))
        device = eq.register("DSJ-OLD")
    eq.check_out(device=device, at=earlier)
    [event] = [e for e in device_history(device) if e.event == "checkout"]
    assert event.backdated and event.at == earlier
    login(client, eq.admin)
    assert "补录" in client.get(reverse("equipment:detail", args=[device.pk])).content.decode()


def test_maintenance_and_allocation_through_the_page(client: Client, eq: Eq, org: Org) -> None:
    login(client, org.head_a)
    url = reverse("equipment:detail", args=[eq.recorder.pk])
    page = client.get(url).content.decode()
    assert "登记维护保养" in page and "调整配备科室" not in page  # allocation is the office's
    response = client.post(
        reverse("equipment:maintenance", args=[eq.recorder.pk]),
        {"kind": "routine", "description": "充电保养"},
    )
    assert response.status_code == 302 and Maintenance.objects.get().performed_by == org.head_a
    assert (
        client.post(reverse("equipment:allocate", args=[eq.recorder.pk]), {"department": ""}).status_code
        == 400
    )
    login(client, eq.admin)
    assert (
        client.post(reverse("equipment:allocate", args=[eq.recorder.pk]), {"department": ""}).status_code
        == 302
    )
    eq.recorder.refresh_from_db()
    assert eq.recorder.department is None


def test_holder_lookup_page(client: Client, eq: Eq, org: Org) -> None:
    eq.check_out()
    at = timezone.localtime(timezone.now() + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M")
    login(client, org.officer_a1)
    assert client.get(reverse("equipment:holder")).status_code == 403
    login(client, eq.admin)
    page = client.get(reverse("equipment:holder"), {"serial": "dsj-0001", "at": at}).content.decode()
    assert "张伟" in page and "64000000000001" in page
    page = client.get(reverse("equipment:holder"), {"serial": "NOPE", "at": at}).content.decode()
    assert "没有登记该编号的设备" in page
