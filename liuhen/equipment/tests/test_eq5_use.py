"""EQ-5: recorders are not used for unrelated activities (YC-15, HY-JL-24(1), PL, BX). The system
hands a recorder only to a certified officer, records what it is for (and the case, which must be
one the officer works on), and keeps who had it when, so recordings can be attributed."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from liuhen.conftest import Org, login, make_case
from liuhen.equipment.selectors import checkout_at, device_history
from liuhen.equipment.tests.conftest import Eq
from liuhen.ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["head_a", "legal_reviewer", "auditor", "agency_head"])
def test_eq_5_only_certified_officers_hold_recorders(eq: Eq, who: str) -> None:
    with pytest.raises(ValidationError, match="执法人员"):
        eq.check_out(holder=getattr(eq.org, who))


def test_eq_5_purpose_and_case_are_recorded(eq: Eq, org: Org) -> None:
    case = make_case(org)
    checkout = eq.check_out(purpose="现场检查 康宁大药房", case=case)
    assert checkout.purpose == "现场检查 康宁大药房"
    assert checkout_at(serial="DSJ-0001", at=timezone.now()).case == case  # type: ignore[union-attr]
    entry = LedgerEntry.objects.get(action="device.checkout")
    assert entry.case_id == case.pk  # the checkout is in the case's ledger trail
    [event] = [e for e in device_history(eq.recorder) if e.event == "checkout"]
    assert "现场检查 康宁大药房" in event.detail and case.number in event.detail


def test_eq_5_case_must_be_one_the_holder_works_on(eq: Eq, org: Org) -> None:
    other_department_case = make_case(org, dept="b")
    with pytest.raises(ValidationError, match="无权办理"):
        eq.check_out(case=other_department_case)


def test_eq_5_checkout_page_resolves_the_case_number_for_the_holder(client: Client, eq: Eq, org: Org) -> None:
    case_b = make_case(org, dept="b")
    login(client, eq.admin)
    data = {
        "battery_percent": "90",
        "free_storage_gb": "30",
        "clock_ok": "1",
        "holder": org.officer_a1.pk,
        "purpose": "询问",
        "case_number": case_b.number,
    }
    refused = client.post(reverse("equipment:checkout", args=[eq.recorder.pk]), data)
    assert refused.status_code == 400 and "领用人无权办理该案件" in refused.content.decode()
    case_a = make_case(org)
    ok = client.post(
        reverse("equipment:checkout", args=[eq.recorder.pk]), {**data, "case_number": case_a.number}
    )
    assert ok.status_code == 302
    assert eq.recorder.checkouts.get().case == case_a
