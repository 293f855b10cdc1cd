"""The sysadmin page for calendar overrides and the provisional-calendar banner."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from liuhen.conftest import Org, login
from liuhen.org.models import Role
from liuhen.org.services import create_agency, create_person
from liuhen.workdays.models import CalendarOverride
from liuhen.workdays.services import set_override

BANNER = "2027 年的国务院节假日安排尚未载入，相关期限按仅排除周末临时计算，请在“工作日调整”中录入。"


@pytest.fixture(autouse=True)
def _today_in_late_2026(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: date(2026, 11, 25))


def test_sysadmin_sees_banner_on_every_page(client: Client, org: Org) -> None:
    login(client, org.sysadmin)
    response = client.get(reverse("cases:dashboard"))
    assert BANNER in response.content.decode()


def test_officer_does_not_see_banner_nor_page(client: Client, org: Org) -> None:
    login(client, org.officer_a1)
    assert BANNER not in client.get(reverse("cases:dashboard")).content.decode()
    assert client.get(reverse("workdays:list")).status_code == 403
    assert client.post(reverse("workdays:list"), {"day": "2026-10-12"}).status_code == 403


def test_anonymous_is_sent_to_login(client: Client, org: Org) -> None:
    response = client.get(reverse("workdays:list"))
    assert response.status_code == 302 and reverse("org:login") in response["Location"]


def test_sysadmin_adds_and_withdraws_an_override(client: Client, org: Org) -> None:
    login(client, org.sysadmin)
    url = reverse("workdays:list")
    page = client.get(url).content.decode()
    assert "录入调整" in page and "暂无调整" in page
    response = client.post(
        url, {"day": "2027-01-01", "kind": "0", "scope": "all", "note": "国办发明电〔2026〕某号 元旦"}
    )
    assert response.status_code == 302
    row = CalendarOverride.objects.get()
    assert row.agency is None and row.day == date(2027, 1, 1) and not row.is_workday
    page = client.get(url).content.decode()
    assert "2027-01-01" in page and "休息日" in page and BANNER not in page
    response = client.post(reverse("workdays:withdraw", args=[row.pk]), {"note": "录错了"}, follow=True)
    assert "已撤销" in response.content.decode()
    assert CalendarOverride.objects.active().count() == 0
    assert BANNER in response.content.decode()
    assert "录错了" in response.content.decode()


def test_agency_scope_and_form_errors(client: Client, org: Org) -> None:
    login(client, org.sysadmin)
    url = reverse("workdays:list")
    client.post(url, {"day": "2026-10-10", "kind": "0", "scope": "agency", "note": "本机关安排"})
    assert CalendarOverride.objects.get().agency == org.agency
    response = client.post(url, {"day": "2026-10-10", "kind": "1", "scope": "agency", "note": "重复"})
    assert response.status_code == 200 and "请先撤销" in response.content.decode()
    response = client.post(url, {"day": "", "kind": "1", "scope": "all", "note": ""})
    assert response.status_code == 200 and "请填写此项" in response.content.decode()
    assert CalendarOverride.objects.count() == 1


def test_withdraw_of_an_other_agencys_override_is_404(client: Client, org: Org) -> None:
    other = create_agency(actor=None, name="另一县医疗保障局", short_name="另医保", policy_pack="baseline")
    other_admin = create_person(
        actor=None,
        username="admin2",
        full_name="吴刚",
        password="x" * 12,
        agency=other,
        department=None,
        roles=[Role.SYSTEM_ADMIN],
        certificate_no=None,
    )
    row = set_override(actor=other_admin, agency=other, day=date(2026, 10, 12), is_workday=False, note="x")
    login(client, org.sysadmin)
    assert client.post(reverse("workdays:withdraw", args=[row.pk])).status_code == 404
    assert "另一县" not in client.get(reverse("workdays:list")).content.decode()
