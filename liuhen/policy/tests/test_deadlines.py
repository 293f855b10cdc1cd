"""Materialised deadlines (issue #3 point 5): computed in Chinese working days on the real 2026
State Council schedule, provisional in 2027, recomputed when the calendar changes, ledgered
when created / moved / met, listed on the dashboard (permission-scoped) and the case page.

The rule used is the baseline's BL-61: a penalty decision served on an absent party within
7 working days (行政处罚法 第六十一条, 第八十五条; SV-1).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import chinese_calendar
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from liuhen.cases.models import Case
from liuhen.cases.services import take_branch
from liuhen.cli import main
from liuhen.conftest import Org, login, make_case
from liuhen.core.testing import record_data
from liuhen.ledger.models import LedgerEntry
from liuhen.ledger.verify import verify
from liuhen.org.services import create_agency, create_department, create_person
from liuhen.policy.engine import WeekendCalendar
from liuhen.policy.models import Deadline, DeadlineState
from liuhen.policy.selectors import deadline_panel
from liuhen.policy.services import refresh_deadlines, refresh_deadlines_for, refresh_open_cases
from liuhen.records.models import Record
from liuhen.records.services import correct_record, create_record
from liuhen.workdays.models import CalendarOverride
from liuhen.workdays.services import set_override, withdraw_override

pytestmark = pytest.mark.django_db

RULE = "BL-61-service-7-days"
CITATION = "行政处罚法 第六十一条"
BANNER = "2027 年的国务院节假日安排尚未载入"


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Set the legal "today" (Asia/Shanghai) seen by the engine, the views and the banner."""

    def set_today(day: date) -> None:
        monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: day)

    set_today(date(2026, 9, 30))
    return set_today


def decide(org: Org, case: Case, decided_on: str, *, absent: bool = True) -> Record:
    data = record_data("penalty_decision", decided_on=decided_on, party_absent=absent)
    return create_record(actor=org.officer_a1, case=case, record_type="penalty_decision", data=data)


def serve(org: Org, case: Case, served_at: str) -> Record:
    data = record_data("service_receipt", served_at=served_at)
    return create_record(actor=org.officer_a1, case=case, record_type="service_receipt", data=data)


def row(case: Case) -> Deadline:
    return Deadline.objects.get(case=case, rule_id=RULE)


class Entry:
    def __init__(self, entry: LedgerEntry) -> None:
        self.entry = entry
        self.payload: dict[str, Any] = json.loads(entry.payload)
        self.actor_id = entry.actor_id
        self.object_type, self.object_id = entry.object_type, entry.object_id


def entries(case: Case, action: str) -> list[Entry]:
    return [Entry(e) for e in LedgerEntry.objects.filter(case_id=case.pk, action=action).order_by("seq")]


def test_sv_1_period_started_30_september_2026_skips_national_day(org: Org, case_a: Case, today: Any) -> None:
    """7 working days from Wed 30 Sep 2026: 1–7 Oct are the National Day holiday, Sat 10 Oct is a
    make-up working day (调休), so the days are 8, 9, 10, 12, 13, 14, 15 October."""
    assert chinese_calendar.get_holiday_detail(date(2026, 10, 7)) == (True, "National Day")
    assert chinese_calendar.is_workday(date(2026, 10, 10)) and date(2026, 10, 10).weekday() == 5
    assert WeekendCalendar().add_working_days(date(2026, 9, 30), 7).date == date(2026, 10, 9)  # naive

    record = decide(org, case_a, "2026-09-30")
    deadline = row(case_a)
    assert (deadline.due, deadline.provisional, deadline.state) == (date(2026, 10, 15), False, "due")
    assert deadline.citation == CITATION and deadline.record == record and deadline.met_at is None
    assert deadline.record_series == str(record.series)
    (created,) = entries(case_a, "deadline.create")
    assert created.object_type == "policy.deadline" and created.object_id == str(deadline.pk)
    assert created.payload["rule_id"] == RULE and created.payload["due"] == "2026-10-15"

    # A 5-working-day count from the same day ends on Tue 13 October (8, 9, 10, 12, 13).
    from liuhen.workdays.selectors import calendar_for

    assert calendar_for(org.agency).add_working_days(date(2026, 9, 30), 5).date == date(2026, 10, 13)
    assert verify(blobs=False).ok


def test_sv_1_due_overdue_met_late_and_ledger_entries_only_on_change(
    org: Org, case_a: Case, today: Any
) -> None:
    decide(org, case_a, "2026-09-30")
    baseline = LedgerEntry.objects.count()
    refresh_deadlines(case=case_a, actor=None)
    assert LedgerEntry.objects.count() == baseline, "nothing changed: no ledger entry"

    today(date(2026, 10, 16))  # the daily job turns due into overdue — time passing, no entry
    result = refresh_open_cases()
    assert result.overdue == 1 and result.ledgered == 0
    assert row(case_a).state == DeadlineState.OVERDUE
    assert LedgerEntry.objects.count() == baseline

    serve(org, case_a, "2026-10-19T10:00:00+08:00")  # served after the due date: late
    deadline = row(case_a)
    assert deadline.state == DeadlineState.LATE
    assert deadline.met_at is not None and deadline.met_at.date() == date(2026, 10, 19)
    (met,) = entries(case_a, "deadline.met")
    assert met.payload["state"] == "late" and met.payload["previous_state"] == "overdue"
    assert met.actor_id == org.officer_a1.pk
    assert verify(blobs=False).ok


def test_sv_1_met_on_time_and_correction_keeps_the_row(org: Org, case_a: Case, today: Any) -> None:
    decision = decide(org, case_a, "2026-09-30")
    first = row(case_a)
    # Correcting the decision (a new version, same series) moves the same row's due date.
    corrected = correct_record(
        actor=org.officer_a1,
        record=decision,
        data=record_data("penalty_decision", decided_on="2026-10-09", party_absent=True),
        reason="决定日期更正",
    )
    moved = row(case_a)
    assert moved.pk == first.pk and moved.record == corrected
    assert moved.due == date(2026, 10, 19)  # 10 (Sat, make-up), 12, 13, 14, 15, 16, 19
    (reschedule,) = entries(case_a, "deadline.reschedule")
    assert reschedule.payload["previous_due"] == "2026-10-15" and reschedule.payload["due"] == "2026-10-19"

    serve(org, case_a, "2026-10-12T09:30:00+08:00")
    done = row(case_a)
    assert done.state == DeadlineState.MET and done.met_at is not None
    assert len(entries(case_a, "deadline.met")) == 1

    # The party was present after all: the period does not apply; the row is dropped (ledgered).
    current = Record.objects.filter(record_type="penalty_decision", superseded_by__isnull=True).get()
    correct_record(
        actor=org.officer_a1,
        record=current,
        data=record_data("penalty_decision", decided_on="2026-10-09", party_absent=False),
        reason="当事人在场",
    )
    assert not Deadline.objects.filter(case=case_a, rule_id=RULE).exists()
    (dropped,) = entries(case_a, "deadline.drop")
    assert dropped.payload["rule_id"] == RULE
    assert verify(blobs=False).ok


def test_sv_1_2027_deadline_is_provisional_and_the_admin_is_warned(
    client: Client, org: Org, case_a: Case, today: Any
) -> None:
    today(date(2026, 11, 25))
    decide(org, case_a, "2027-02-01")
    deadline = row(case_a)
    # No official 2027 schedule: weekends only (2, 3, 4, 5, 8, 9, 10 February), marked provisional.
    assert (deadline.due, deadline.provisional) == (date(2027, 2, 10), True)

    login(client, org.officer_a1)
    page = client.get(reverse("cases:detail", args=[case_a.pk])).content.decode()
    assert 'data-state="due"' in page and ">暂定</span>" in page and "2027-02-10" in page
    login(client, org.sysadmin)
    assert BANNER in client.get(reverse("cases:dashboard")).content.decode()

    # Loading the 2027 schedule (any global 2027 override) makes it definitive and moves it.
    set_override(
        actor=org.sysadmin, agency=None, day=date(2027, 2, 8), is_workday=False, note="国办发明电（测试）春节"
    )
    deadline = row(case_a)
    assert (deadline.due, deadline.provisional) == (date(2027, 2, 11), False)
    (reschedule,) = entries(case_a, "deadline.reschedule")
    assert reschedule.actor_id == org.sysadmin.pk
    assert reschedule.payload["previous_provisional"] is True and reschedule.payload["provisional"] is False
    assert BANNER not in client.get(reverse("cases:dashboard")).content.decode()
    assert verify(blobs=False).ok


def test_calendar_override_moves_deadlines_of_that_agency_only(org: Org, case_a: Case, today: Any) -> None:
    other = create_agency(actor=None, name="另一县医疗保障局", short_name="另医保", policy_pack="baseline")
    dept = create_department(actor=None, agency=other, name="基金监管科")
    officers = [
        create_person(
            actor=None,
            username=f"o{i}",
            full_name=f"官员{i}",
            password="x" * 12,
            agency=other,
            department=dept,
            roles=["officer"],
            certificate_no=f"6409000000000{i}",
        )
        for i in (1, 2)
    ]
    from liuhen.cases.services import PartyInput, open_case

    other_case = open_case(
        actor=officers[0],
        department=dept,
        title="另案",
        case_type="penalty",
        procedure="general",
        source="ex_officio",
        handlers=officers,
        parties=[PartyInput(kind="person", name="王某", id_number="11010519491231002X")],
    )
    decide(org, case_a, "2026-09-30")
    create_record(
        actor=officers[0],
        case=other_case,
        record_type="penalty_decision",
        data=record_data("penalty_decision", decided_on="2026-09-30", party_absent=True),
    )
    assert row(case_a).due == row(other_case).due == date(2026, 10, 15)

    override = set_override(
        actor=org.sysadmin,
        agency=org.agency,
        day=date(2026, 10, 12),
        is_workday=False,
        note="本机关调休（测试）",
    )
    assert row(case_a).due == date(2026, 10, 16)
    assert row(other_case).due == date(2026, 10, 15)
    (moved,) = entries(case_a, "deadline.reschedule")
    assert moved.actor_id == org.sysadmin.pk
    assert (moved.payload["previous_due"], moved.payload["due"]) == ("2026-10-15", "2026-10-16")
    assert entries(other_case, "deadline.reschedule") == []

    withdraw_override(actor=org.sysadmin, override=override, note="撤销")
    assert row(case_a).due == date(2026, 10, 15)
    assert len(entries(case_a, "deadline.reschedule")) == 2
    assert CalendarOverride.objects.count() == 2  # the override and its withdrawal, both kept
    assert verify(blobs=False).ok


def test_branch_stops_running_deadlines(client: Client, org: Org, case_a: Case, today: Any) -> None:
    decide(org, case_a, "2026-09-30")
    take_branch(actor=org.officer_a1, case=case_a, branch="revoked", reason="撤销立案")
    deadline = row(case_a)
    assert deadline.stopped and deadline.state == DeadlineState.DUE  # kept as it was
    assert deadline_panel(org.officer_a1, date(2026, 10, 13)).soon == []
    login(client, org.officer_a1)
    page = client.get(reverse("cases:detail", args=[case_a.pk])).content.decode()
    assert "已停止计算" in page and "此前尚未届满的期限停止计算" in page


def test_dashboard_panel_overdue_first_then_due_soon_permission_scoped(
    client: Client, org: Org, case_a: Case, today: Any
) -> None:
    late_case = make_case(org, title="已逾期的案件")
    far_case = make_case(org, title="期限尚远的案件")
    decide(org, case_a, "2026-09-30")  # due 15 October
    decide(org, late_case, "2026-09-21")  # 22, 23, 24 (Mid-Autumn 25–27), 28, 29, 30, 8 Oct
    decide(org, far_case, "2026-10-12")  # due 21 October
    today(date(2026, 10, 13))
    panel = deadline_panel(org.officer_a1)
    assert [d.case_id for d in panel.overdue] == [late_case.pk]
    # Within 3 working days of Tue 13 October: up to Fri 16 October.
    assert panel.soon_until == date(2026, 10, 16)
    assert [d.case_id for d in panel.soon] == [case_a.pk]

    login(client, org.officer_a1)
    page = client.get(reverse("cases:dashboard")).content.decode()
    panel_html = page[page.index('id="deadline-panel"') : page.index("我承办的案件")]
    assert panel_html.index(late_case.number) < panel_html.index(case_a.number)
    assert far_case.number not in panel_html
    assert f"依据：{CITATION}" in panel_html and "2026-10-15" in panel_html
    assert reverse("cases:detail", args=[case_a.pk]) + "#deadlines" in panel_html

    # Another department's officer sees none of them; the agency head sees them all.
    outsider = deadline_panel(org.officer_b1)
    assert outsider.overdue == [] and outsider.soon == []
    login(client, org.officer_b1)
    assert case_a.number not in client.get(reverse("cases:dashboard")).content.decode()
    head = deadline_panel(org.agency_head)
    assert head.overdue_total == 1 and head.soon_total == 1


def test_case_page_lists_due_overdue_and_met_deadlines(
    client: Client, org: Org, case_a: Case, today: Any
) -> None:
    decide(org, case_a, "2026-09-30")
    login(client, org.officer_a2)
    url = reverse("cases:detail", args=[case_a.pk])
    assert 'data-state="due"' in client.get(url).content.decode()
    today(date(2026, 10, 16))  # before the daily refresh ran, a passed due date already shows overdue
    page = client.get(url).content.decode()
    assert 'data-state="overdue"' in page and "已逾期" in page
    serve(org, case_a, "2026-10-14T16:00:00+08:00")
    page = client.get(url).content.decode()
    assert 'data-state="met"' in page and "按期完成" in page and "完成于 2026-10-14 16:00" in page


def test_refresh_in_bulk_runs_a_constant_number_of_queries(org: Org, today: Any) -> None:
    cases = [make_case(org, title=f"案件{i}") for i in range(6)]
    for case in cases:
        decide(org, case, "2026-09-30")

    def count(qs: Any) -> int:
        with CaptureQueriesContext(connection) as ctx:
            result = refresh_deadlines_for(cases=qs, actor=None)
        assert result.ledgered == 0
        return len(ctx.captured_queries)

    two = count(Case.objects.filter(pk__in=[c.pk for c in cases[:2]]))
    six = count(Case.objects.filter(pk__in=[c.pk for c in cases]))
    assert six == two


def test_cli_deadlines_refresh(
    org: Org, case_a: Case, today: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    decide(org, case_a, "2026-09-30")
    today(date(2026, 10, 16))
    assert main(["deadlines", "--refresh"]) == 0
    out = capsys.readouterr().out
    assert "转为逾期 1" in out
    assert f"{case_a.number}\t已逾期\t2026-10-15\t{RULE}\t{CITATION}\t" in out
    assert row(case_a).state == DeadlineState.OVERDUE
    assert main(["deadlines", "--case", "无此案"]) == 2


def test_deadline_table_is_a_mutable_projection_not_protected() -> None:
    """Deadline rows change with the facts and the date (see policy/models.py); the calendar
    overrides they depend on are write-once and covered by the write-once test."""
    from liuhen.core.testing import PROTECTED_TABLES

    assert "policy_deadline" not in PROTECTED_TABLES
    assert "workdays_calendaroverride" in PROTECTED_TABLES
