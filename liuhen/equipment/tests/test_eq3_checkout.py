"""EQ-3: check-out and return registered; battery and storage (and clock) checked before use;
maintenance kept (PL-18, HY-JL-22) — and the checkout log answers "who had recorder X at T"."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from liuhen.conftest import Org, login
from liuhen.equipment import services
from liuhen.equipment.models import (
    Checkout,
    DeviceReturn,
    DeviceStatus,
    Maintenance,
    PreUseCheck,
    ReturnCondition,
)
from liuhen.equipment.selectors import AmbiguousSerial, checkout_at, holder_at, inconsistent_devices
from liuhen.equipment.testing import GOOD_CHECK
from liuhen.equipment.tests.conftest import Eq
from liuhen.ledger.models import LedgerEntry
from liuhen.ledger.verify import verify
from liuhen.org.services import create_agency, create_person

pytestmark = pytest.mark.django_db


def _check(eq: Eq, **changes: object) -> PreUseCheck:
    return services.record_pre_use_check(
        actor=eq.admin,
        device=eq.recorder,
        check=replace(GOOD_CHECK, **changes),  # type: ignore[arg-type]
    )


def test_eq_3_checkout_requires_a_pre_use_check(eq: Eq) -> None:
    with pytest.raises(ValidationError) as exc:
        services.check_out(actor=eq.admin, device=eq.recorder, holder=eq.org.officer_a1, pre_use_check=None)
    assert "使用前检查" in exc.value.message_dict["pre_use_check"][0]
    assert not Checkout.objects.exists()
    eq.recorder.refresh_from_db()
    assert eq.recorder.status == DeviceStatus.IN_SERVICE


def test_eq_3_checkout_with_passed_check_is_recorded_and_ledgered(eq: Eq) -> None:
    check = _check(eq)
    assert check.passed
    checkout = services.check_out(
        actor=eq.admin, device=eq.recorder, holder=eq.org.officer_a1, pre_use_check=check, purpose="现场检查"
    )
    eq.recorder.refresh_from_db()
    assert eq.recorder.status == DeviceStatus.CHECKED_OUT
    assert checkout.pre_use_check == check and checkout.holder == eq.org.officer_a1
    assert check.checked_at <= checkout.checked_out_at
    actions = list(LedgerEntry.objects.filter(action__startswith="device.").values_list("action", flat=True))
    assert actions[-2:] == ["device.check", "device.checkout"]
    assert verify(blobs=False).ok


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"battery_percent": 20}, "电池电量 20%"),
        ({"free_storage_mb": 1024}, "剩余存储空间 1.0 GB"),
        ({"clock_ok": False, "clock_offset_seconds": 300}, "时钟不准确"),
    ],
)
def test_eq_3_failed_check_is_kept_but_refuses_checkout(
    eq: Eq, changes: dict[str, object], problem: str
) -> None:
    with pytest.raises(ValidationError) as exc:
        services.check_and_check_out(
            actor=eq.admin,
            device=eq.recorder,
            holder=eq.org.officer_a1,
            check=replace(GOOD_CHECK, **changes),  # type: ignore[arg-type]
        )
    messages = exc.value.message_dict["pre_use_check"]
    assert messages[0] == "使用前检查不合格，不得领用。" and any(problem in m for m in messages)
    check = PreUseCheck.objects.get()
    assert check.passed is False  # the failed check stays on file
    assert not Checkout.objects.exists()


def test_eq_3_check_input_is_validated(eq: Eq) -> None:
    with pytest.raises(ValidationError) as exc:
        _check(eq, battery_percent=130, free_storage_mb=-1, clock_ok=True, clock_offset_seconds=3600)
    assert set(exc.value.message_dict) == {"battery_percent", "free_storage_mb", "clock_ok"}


def test_eq_3_check_must_be_of_this_device_unused_recent_and_before(eq: Eq, settings: Any) -> None:
    other = eq.register("DSJ-0002")
    foreign = services.record_pre_use_check(actor=eq.admin, device=other, check=GOOD_CHECK)
    with pytest.raises(ValidationError, match="不是针对该设备"):
        services.check_out(
            actor=eq.admin, device=eq.recorder, holder=eq.org.officer_a1, pre_use_check=foreign
        )

    with pytest.raises(ValidationError, match="不能早于设备登记时间"):
        services.record_pre_use_check(
            actor=eq.admin, device=eq.recorder, check=GOOD_CHECK, at=timezone.now() - timedelta(hours=3)
        )
    stale = _check(eq)
    settings.LIUHEN_EQ_CHECK_VALID_MINUTES = 0
    with pytest.raises(ValidationError, match="超过 0 分钟"):
        services.check_out(actor=eq.admin, device=eq.recorder, holder=eq.org.officer_a1, pre_use_check=stale)
    settings.LIUHEN_EQ_CHECK_VALID_MINUTES = 120

    fresh = _check(eq)
    with pytest.raises(ValidationError, match="不能早于使用前检查"):
        services.check_out(
            actor=eq.admin,
            device=eq.recorder,
            holder=eq.org.officer_a1,
            pre_use_check=fresh,
            at=fresh.checked_at - timedelta(minutes=1),
        )
    checkout = services.check_out(
        actor=eq.admin, device=eq.recorder, holder=eq.org.officer_a1, pre_use_check=fresh
    )
    services.return_device(actor=eq.admin, checkout=checkout, condition=ReturnCondition.GOOD)
    with pytest.raises(ValidationError, match="已用于另一次领用"):
        services.check_out(actor=eq.admin, device=eq.recorder, holder=eq.org.officer_a1, pre_use_check=fresh)


def test_eq_3_officer_cannot_check_out_to_themselves(eq: Eq) -> None:
    """Decision: the handover is recorded by the equipment admin or the department head."""
    check = services.record_pre_use_check(
        actor=eq.org.officer_a1, device=eq.recorder, check=GOOD_CHECK, holder=eq.org.officer_a1
    )
    with pytest.raises(PermissionDenied):
        services.check_out(
            actor=eq.org.officer_a1, device=eq.recorder, holder=eq.org.officer_a1, pre_use_check=check
        )
    # The department head may record it (PL-18), for an officer of the department only.
    with pytest.raises(ValidationError, match="本科室"):
        services.check_out(
            actor=eq.org.head_a, device=eq.recorder, holder=eq.org.officer_b1, pre_use_check=check
        )
    checkout = services.check_out(
        actor=eq.org.head_a, device=eq.recorder, holder=eq.org.officer_a1, pre_use_check=check
    )
    assert checkout.recorded_by == eq.org.head_a
    # The head of another department may not touch dept A's recorder.
    with pytest.raises(PermissionDenied):
        services.return_device(actor=eq.org.officer_b1, checkout=checkout, condition=ReturnCondition.GOOD)


def test_eq_3_no_second_checkout_and_return_is_write_once(eq: Eq) -> None:
    checkout = eq.check_out()
    with pytest.raises(ValidationError, match="已被领用"):
        eq.check_out(holder=eq.org.officer_a2)
    services.return_device(actor=eq.admin, checkout=checkout, condition=ReturnCondition.GOOD, note="完好")
    eq.recorder.refresh_from_db()
    assert eq.recorder.status == DeviceStatus.IN_SERVICE
    with pytest.raises(ValidationError, match="已登记归还"):
        services.return_device(actor=eq.admin, checkout=checkout, condition=ReturnCondition.GOOD)
    # Neither the checkout nor its return can be edited in the database.
    for table, pk in (
        ("equipment_checkout", checkout.pk),
        ("equipment_devicereturn", DeviceReturn.objects.get().pk),
    ):
        with (
            pytest.raises(DatabaseError, match="write-once"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(f"UPDATE {table} SET id = id WHERE id = %s", [pk])
    assert inconsistent_devices() == []
    assert verify(blobs=False).ok


def test_eq_3_return_time_rules(eq: Eq) -> None:
    checkout = eq.check_out()
    with pytest.raises(ValidationError, match="不能早于领用时间"):
        services.return_device(
            actor=eq.admin,
            checkout=checkout,
            condition=ReturnCondition.GOOD,
            at=checkout.checked_out_at - timedelta(seconds=1),
        )
    with pytest.raises(ValidationError, match="不能晚于当前时间"):
        services.return_device(
            actor=eq.admin,
            checkout=checkout,
            condition=ReturnCondition.GOOD,
            at=timezone.now() + timedelta(hours=1),
        )


def test_eq_3_holder_at_answers_who_had_the_recorder(eq: Eq, monkeypatch: pytest.MonkeyPatch) -> None:
    t0 = timezone.now() - timedelta(hours=10)
    real_now = timezone.now
    with monkeypatch.context() as m:
        m.setattr(timezone, "now", lambda: t0 - timedelta(days=1))
        eq.recorder = eq.register("DSJ-0100")
    assert timezone.now is real_now
    # Backdated entry of a handover made at t0 (checked at t0, returned at t0 + 2h).
    first = eq.check_out(holder=eq.org.officer_a1, at=t0, purpose="现场检查")
    services.return_device(
        actor=eq.admin, checkout=first, condition=ReturnCondition.GOOD, at=t0 + timedelta(hours=2)
    )
    second = eq.check_out(holder=eq.org.officer_a2, at=t0 + timedelta(hours=3))

    assert holder_at(serial="DSJ-0100", at=t0 - timedelta(seconds=1)) is None
    assert holder_at(serial="DSJ-0100", at=t0) == eq.org.officer_a1  # interval includes its start
    assert holder_at(serial="dsj-0100", at=t0 + timedelta(hours=1)) == eq.org.officer_a1  # serial normalised
    assert holder_at(serial="DSJ-0100", at=t0 + timedelta(hours=2)) is None  # ... and excludes its end
    assert holder_at(serial="DSJ-0100", at=t0 + timedelta(hours=2, minutes=30)) is None
    assert holder_at(serial="DSJ-0100", at=t0 + timedelta(hours=3)) == eq.org.officer_a2
    assert holder_at(serial="DSJ-0100", at=timezone.now()) == eq.org.officer_a2  # not yet returned
    assert checkout_at(serial="DSJ-0100", at=t0 + timedelta(hours=4)) == second
    assert holder_at(serial="DSJ-0001", at=t0) is None  # another recorder, never checked out
    assert holder_at(serial="NO-SUCH", at=t0) is None
    # A backdated checkout may not reach back before the last return (no overlapping holders).
    services.return_device(actor=eq.admin, checkout=second, condition=ReturnCondition.GOOD)
    with pytest.raises(ValidationError, match="最近一次状态变化"):
        eq.check_out(at=t0 + timedelta(hours=1))
    assert inconsistent_devices() == []
    assert verify(blobs=False).ok


def test_eq_3_holder_at_with_the_same_serial_in_two_agencies(eq: Eq) -> None:
    other = create_agency(actor=None, name="另一县医疗保障局", short_name="另医保", policy_pack="baseline")
    admin = create_person(
        actor=None, username="x_eq", full_name="外", password="pw", agency=other, roles=["equipment_admin"]
    )
    services.register_device(
        actor=admin,
        agency=other,
        kind="body_camera",
        serial_no="DSJ-0001",
        model_name="x",
        purchase_date=eq.recorder.purchase_date,
    )
    eq.check_out()
    with pytest.raises(AmbiguousSerial):
        holder_at(serial="DSJ-0001", at=timezone.now())
    assert holder_at(serial="DSJ-0001", at=timezone.now(), agency=eq.org.agency) == eq.org.officer_a1
    assert holder_at(serial="DSJ-0001", at=timezone.now(), agency=other) is None


def test_eq_3_maintenance_is_kept(eq: Eq) -> None:
    with pytest.raises(PermissionDenied):
        services.record_maintenance(
            actor=eq.org.officer_b1, device=eq.recorder, kind="routine", description="x"
        )
    services.record_maintenance(
        actor=eq.org.head_a, device=eq.recorder, kind="routine", description="充电、检查外观"
    )
    eq.check_out()
    # The holder may log routine care of the device they hold.
    services.record_maintenance(
        actor=eq.org.officer_a1, device=eq.recorder, kind="cleaning", description="清洁镜头"
    )
    with pytest.raises(ValidationError) as exc:
        services.record_maintenance(actor=eq.admin, device=eq.recorder, kind="paint", description=" ")
    assert set(exc.value.message_dict) == {"kind", "description"}
    assert list(Maintenance.objects.values_list("kind", flat=True)) == ["routine", "cleaning"]
    assert LedgerEntry.objects.filter(action="device.maintain").count() == 2


def test_eq_3_checkout_and_return_through_the_page(client: Client, eq: Eq, org: Org) -> None:
    login(client, eq.admin)
    url = reverse("equipment:detail", args=[eq.recorder.pk])
    page = client.get(url).content.decode()
    assert "领用登记" in page and "电池电量" in page
    low = {
        "battery_percent": "10",
        "free_storage_gb": "30",
        "clock_ok": "1",
        "holder": org.officer_a1.pk,
        "purpose": "现场检查",
    }
    refused = client.post(reverse("equipment:checkout", args=[eq.recorder.pk]), low)
    assert refused.status_code == 400
    assert "使用前检查不合格，不得领用。" in refused.content.decode()
    assert PreUseCheck.objects.filter(passed=False).count() == 1
    missing_clock = client.post(
        reverse("equipment:checkout", args=[eq.recorder.pk]), {**low, "battery_percent": "90", "clock_ok": ""}
    )
    assert missing_clock.status_code == 400 and "请确认设备时钟是否准确" in missing_clock.content.decode()
    ok = client.post(
        reverse("equipment:checkout", args=[eq.recorder.pk]),
        {**low, "battery_percent": "90", "free_storage_gb": "12.5"},
    )
    assert ok.status_code == 302, ok.content.decode()
    checkout = Checkout.objects.get()
    assert checkout.holder == org.officer_a1 and checkout.pre_use_check.free_storage_mb == 12800
    page = client.get(url).content.decode()
    assert "归还登记" in page and "已领用" in page
    returned = client.post(reverse("equipment:return", args=[checkout.pk]), {"condition": "good"})
    assert returned.status_code == 302
    eq.recorder.refresh_from_db()
    assert eq.recorder.status == DeviceStatus.IN_SERVICE


def test_eq_3_checkout_and_return_through_the_api(client: Client, eq: Eq, org: Org) -> None:
    login(client, eq.admin)
    base = f"/api/equipment/devices/{eq.recorder.pk}"
    no_check = client.post(
        f"{base}/checkouts", {"holder_id": org.officer_a1.pk}, content_type="application/json"
    )
    assert no_check.status_code == 400 and "pre_use_check" in no_check.json()["error"]["fields"]
    bad = client.post(
        f"{base}/checks",
        {"battery_percent": 15, "free_storage_mb": 20000, "clock_ok": True},
        content_type="application/json",
    )
    assert bad.status_code == 201 and bad.json()["passed"] is False and bad.json()["problems"]
    refused = client.post(
        f"{base}/checkouts",
        {"holder_id": org.officer_a1.pk, "pre_use_check_id": bad.json()["id"]},
        content_type="application/json",
    )
    assert refused.status_code == 400
    good = client.post(
        f"{base}/checks",
        {"battery_percent": 90, "free_storage_mb": 20000, "clock_ok": True, "clock_offset_seconds": -3},
        content_type="application/json",
    ).json()
    response = client.post(
        f"{base}/checkouts",
        {"holder_id": org.officer_a1.pk, "pre_use_check_id": good["id"], "purpose": "询问"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["holder_name"] == org.officer_a1.full_name and body["returned_at"] is None
    returned = client.post(
        f"/api/equipment/checkouts/{body['id']}/return",
        {"condition": "good"},
        content_type="application/json",
    )
    assert returned.status_code == 201 and returned.json()["return_condition"] == "good"
    row = Checkout.objects.get(pk=body["id"])
    during = (row.checked_out_at + (row.device_return.returned_at - row.checked_out_at) / 2).isoformat()
    lookup = client.get("/api/equipment/holder", {"serial": "dsj-0001", "at": during})
    assert lookup.status_code == 200 and lookup.json()["holder_id"] == org.officer_a1.pk
    after = client.get("/api/equipment/holder", {"serial": "DSJ-0001", "at": timezone.now().isoformat()})
    assert (
        after.status_code == 200
        and after.json()["holder_id"] is None
        and after.json()["device_id"] == eq.recorder.pk
    )
    login(client, org.officer_a1)
    assert client.get("/api/equipment/holder", {"serial": "DSJ-0001", "at": during}).status_code == 403
