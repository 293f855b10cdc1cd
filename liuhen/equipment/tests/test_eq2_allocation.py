"""EQ-2: each department holds enough recorders and mobile terminals for its officers (PL-10:
"按照执法人员比例配备"). The ratio is configurable (default one recorder per officer, one terminal
per two officers); faulty and in-repair devices do not count, scrapped ones are left out."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from liuhen.conftest import Org, login
from liuhen.equipment import rules, services
from liuhen.equipment.models import DeviceKind
from liuhen.equipment.selectors import allocation_report
from liuhen.equipment.tests.conftest import Eq
from liuhen.org.services import create_person

pytestmark = pytest.mark.django_db


def _rows(org: Org) -> dict[str, Any]:
    return {r.name: r for r in allocation_report(org.agency).rows}


def test_eq_2_required_count_is_a_ceiling() -> None:
    assert [rules.required_count(n, 2) for n in (0, 1, 2, 3, 4)] == [0, 1, 1, 2, 2]
    assert [rules.required_count(n, 1) for n in (0, 1, 3)] == [0, 1, 3]


def test_eq_2_report_compares_usable_devices_with_officers(eq: Eq, org: Org) -> None:
    # dept A: 2 officers, 1 recorder (fixture) + 1 more, 1 terminal → sufficient.
    eq.register("DSJ-0002")
    eq.register("ZD-0001", kind=DeviceKind.MOBILE_TERMINAL)
    # dept B: 2 officers, 1 recorder that is faulty, 1 camera → short of 2 recorders and 1 terminal.
    broken = eq.register("DSJ-B-1", department="b")
    services.report_fault(actor=eq.admin, device=broken, description="无法开机")
    eq.register("XJ-B-1", kind=DeviceKind.CAMERA, department="b")
    # A scrapped recorder in dept B does not count at all.
    old = eq.register("DSJ-B-2", department="b")
    request = services.request_scrap(actor=eq.admin, device=old, reason="老化")
    services.decide_scrap(actor=eq.admin2, request=request, approved=True)
    # Stock in the equipment office.
    eq.register("DSJ-STOCK", department=None)

    rows = _rows(org)
    a, b = rows["基金监管科"], rows["医药服务管理科"]
    assert (a.officers, a.recorders, a.recorders_required, a.terminals, a.terminals_required) == (
        2,
        2,
        2,
        1,
        1,
    )
    assert a.sufficient
    assert (b.officers, b.recorders, b.recorders_required, b.terminals, b.terminals_required) == (
        2,
        0,
        2,
        0,
        1,
    )
    assert b.unusable == {DeviceKind.BODY_CAMERA: 1} and b.usable == {DeviceKind.CAMERA: 1}
    assert (b.recorder_shortfall, b.terminal_shortfall) == (2, 1) and not b.sufficient
    assert rows["装备库（未分配）"].usable == {DeviceKind.BODY_CAMERA: 1}
    assert "法制股" not in rows  # no officers, no devices
    assert [r.name for r in allocation_report(org.agency).short] == ["医药服务管理科"]


def test_eq_2_checked_out_devices_count_and_inactive_officers_do_not(eq: Eq, org: Org) -> None:
    eq.check_out()
    extra = create_person(
        actor=None,
        username="a3",
        full_name="离职者",
        password="pw",
        agency=org.agency,
        department=org.dept_a,
        certificate_no="64000000000009",
    )
    extra.is_active = False
    extra.save()
    a = _rows(org)["基金监管科"]
    assert a.officers == 2 and a.recorders == 1 and a.recorder_shortfall == 1


def test_eq_2_ratio_is_configurable(eq: Eq, org: Org, settings: Any) -> None:
    settings.LIUHEN_EQ_OFFICERS_PER_RECORDER = 2
    settings.LIUHEN_EQ_OFFICERS_PER_TERMINAL = 4
    report = allocation_report(org.agency)
    a = {r.name: r for r in report.rows}["基金监管科"]
    assert (report.officers_per_recorder, report.officers_per_terminal) == (2, 4)
    assert (a.recorders_required, a.terminals_required, a.recorder_shortfall, a.terminal_shortfall) == (
        1,
        1,
        0,
        1,
    )


def test_eq_2_report_page_and_api(client: Client, eq: Eq, org: Org) -> None:
    login(client, org.officer_a1)
    assert client.get(reverse("equipment:report")).status_code == 403
    assert client.get("/api/equipment/allocation-report").status_code == 403
    for person in (eq.admin, org.agency_head, org.head_a, org.auditor):
        login(client, person)
        page = client.get(reverse("equipment:report"))
        assert page.status_code == 200
        assert "配备不足" in page.content.decode() and "缺执法记录仪 2 台" in page.content.decode()
    body = client.get("/api/equipment/allocation-report").json()
    by_name = {d["department_name"]: d for d in body["departments"]}
    assert body["officers_per_recorder"] == 1 and body["officers_per_terminal"] == 2
    assert by_name["基金监管科"]["recorders"] == 1 and by_name["基金监管科"]["recorders_required"] == 2
    assert by_name["医药服务管理科"]["sufficient"] is False
