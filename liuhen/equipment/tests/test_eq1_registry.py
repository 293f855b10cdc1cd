"""EQ-1: procurement, allocation, repair and management by one office (PL-17) — only the
equipment admin changes the registry; every change is a ledgered, write-once event."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from liuhen.conftest import Org, login
from liuhen.equipment import services
from liuhen.equipment.models import Allocation, Device, DeviceKind, DeviceStatus
from liuhen.equipment.selectors import inconsistent_devices, replay_device
from liuhen.equipment.tests.conftest import Eq
from liuhen.ledger.models import LedgerEntry
from liuhen.ledger.verify import verify
from liuhen.org.services import create_agency, create_person

pytestmark = pytest.mark.django_db


def test_eq_1_admin_registers_device_with_ledger_entry(eq: Eq) -> None:
    device = eq.recorder
    assert device.serial_no == "DSJ-0001"  # normalised: trimmed, upper-case
    assert device.status == DeviceStatus.IN_SERVICE and device.department == eq.org.dept_a
    entry = LedgerEntry.objects.get(action="device.register", object_id=str(device.pk))
    assert '"serial_no":"DSJ-0001"' in entry.payload
    allocation = Allocation.objects.get(device=device)
    assert LedgerEntry.objects.filter(
        action="device.allocate", object_type="equipment.allocation", object_id=str(allocation.pk)
    ).exists()
    assert verify(blobs=False).ok


@pytest.mark.parametrize("who", ["officer_a1", "head_a", "agency_head", "auditor", "sysadmin"])
def test_eq_1_only_equipment_admin_changes_registry(eq: Eq, who: str) -> None:
    person = getattr(eq.org, who)
    with pytest.raises(PermissionDenied, match="装备管理"):
        services.register_device(
            actor=person,
            agency=eq.org.agency,
            kind=DeviceKind.CAMERA,
            serial_no="XJ-1",
            model_name="某相机",
            purchase_date=date(2024, 1, 1),
        )
    with pytest.raises(PermissionDenied):
        services.allocate_device(actor=person, device=eq.recorder, department=eq.org.dept_b)
    with pytest.raises(PermissionDenied):
        services.request_scrap(actor=person, device=eq.recorder, reason="旧")
    assert Device.objects.count() == 1


def test_eq_1_admin_of_another_agency_cannot_change_ours(eq: Eq) -> None:
    other = create_agency(actor=None, name="另一县医疗保障局", short_name="另医保", policy_pack="baseline")
    stranger = create_person(
        actor=None, username="x_eq", full_name="外", password="pw", agency=other, roles=["equipment_admin"]
    )
    with pytest.raises(PermissionDenied):
        services.allocate_device(actor=stranger, device=eq.recorder, department=None)
    # The same serial may be registered by another agency (unique per agency).
    services.register_device(
        actor=stranger,
        agency=other,
        kind=DeviceKind.BODY_CAMERA,
        serial_no="DSJ-0001",
        model_name="某品牌",
        purchase_date=date(2024, 1, 1),
    )
    assert Device.objects.filter(serial_no="DSJ-0001").count() == 2


def test_eq_1_serial_unique_per_agency_and_inputs_checked(eq: Eq) -> None:
    with pytest.raises(ValidationError) as exc:
        services.register_device(
            actor=eq.admin,
            agency=eq.org.agency,
            kind="drone",
            serial_no=" dsj-0001 ",
            model_name=" ",
            purchase_date=timezone.localdate() + timedelta(days=1),
        )
    errors = exc.value.message_dict
    assert set(errors) == {"kind", "serial_no", "model_name", "purchase_date"}
    assert "已登记" in errors["serial_no"][0]


def test_eq_1_allocation_moves_device_and_is_refused_while_checked_out(eq: Eq) -> None:
    services.allocate_device(actor=eq.admin, device=eq.recorder, department=eq.org.dept_b, note="调剂")
    eq.recorder.refresh_from_db()
    assert eq.recorder.department == eq.org.dept_b
    with pytest.raises(ValidationError, match="已配备"):
        services.allocate_device(actor=eq.admin, device=eq.recorder, department=eq.org.dept_b)
    eq.check_out(holder=eq.org.officer_b1)
    with pytest.raises(ValidationError, match="归还"):
        services.allocate_device(actor=eq.admin, device=eq.recorder, department=None)
    assert replay_device(eq.recorder) == (DeviceStatus.CHECKED_OUT, eq.org.dept_b.pk)


def test_eq_1_status_is_derived_from_events_and_drift_is_detected(eq: Eq) -> None:
    assert inconsistent_devices() == []
    # Someone edits the status behind the services' back.
    Device.objects.filter(pk=eq.recorder.pk).update(status=DeviceStatus.SCRAPPED)
    [(device, status, department)] = inconsistent_devices()
    assert (
        device.pk == eq.recorder.pk and status == DeviceStatus.IN_SERVICE and department == eq.org.dept_a.pk
    )


def test_eq_1_event_rows_are_write_once(eq: Eq) -> None:
    allocation = Allocation.objects.get(device=eq.recorder)
    with (
        pytest.raises(DatabaseError, match="write-once"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE equipment_allocation SET note = 'x' WHERE id = %s", [allocation.pk])
    with (
        pytest.raises(DatabaseError, match="write-once"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM equipment_allocation WHERE id = %s", [allocation.pk])


def test_eq_1_registry_page_and_form_are_admin_only(client: Client, eq: Eq) -> None:
    login(client, eq.org.officer_a1)
    assert client.get(reverse("equipment:new")).status_code == 403
    assert client.post(reverse("equipment:new"), {"kind": "camera"}).status_code == 403

    login(client, eq.admin)
    page = client.get(reverse("equipment:list")).content.decode()
    assert "DSJ-0001" in page and "登记设备" in page
    response = client.post(
        reverse("equipment:new"),
        {
            "kind": "camera",
            "serial_no": "xj-2024-07",
            "model_name": "某品牌 单反",
            "purchase_date": "2024-05-01",
            "department": eq.org.dept_b.pk,
        },
    )
    device = Device.objects.get(serial_no="XJ-2024-07")
    assert response.status_code == 302 and response["Location"] == reverse(
        "equipment:detail", args=[device.pk]
    )
    assert device.department == eq.org.dept_b and device.kind == DeviceKind.CAMERA
    duplicate = client.post(
        reverse("equipment:new"),
        {"kind": "camera", "serial_no": "XJ-2024-07", "model_name": "x", "purchase_date": "2024-05-01"},
    )
    assert duplicate.status_code == 400 and "已登记编号为 XJ-2024-07 的设备" in duplicate.content.decode()


def test_eq_1_api_register_and_allocate(client: Client, eq: Eq, org: Org) -> None:
    payload = {
        "kind": "audio_recorder",
        "serial_no": "LYB-9",
        "model_name": "某录音笔",
        "purchase_date": "2025-01-02",
    }
    login(client, org.officer_a1)
    denied = client.post("/api/equipment/devices", payload, content_type="application/json")
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "permission_denied"
    login(client, eq.admin)
    response = client.post(
        "/api/equipment/devices", {**payload, "department_id": org.dept_a.pk}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind_label"] == "录音笔" and body["department_id"] == org.dept_a.pk
    assert [e["event"] for e in body["history"]] == ["register", "allocate"]
    moved = client.post(
        f"/api/equipment/devices/{body['id']}/allocation",
        {"department_id": None},
        content_type="application/json",
    )
    assert moved.status_code == 200, moved.content
    assert Device.objects.get(pk=body["id"]).department is None


def test_eq_1_devices_are_scoped_by_department(client: Client, eq: Eq, org: Org) -> None:
    other = eq.register("DSJ-B-1", department="b")
    login(client, org.officer_a1)
    listed = client.get("/api/equipment/devices").json()
    assert [d["serial_no"] for d in listed["items"]] == ["DSJ-0001"]
    assert client.get(f"/api/equipment/devices/{other.pk}").status_code == 404
    assert client.get(reverse("equipment:detail", args=[other.pk])).status_code == 404
    login(client, org.auditor)
    assert client.get("/api/equipment/devices").json()["count"] == 2
