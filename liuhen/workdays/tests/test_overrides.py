"""Calendar overrides: services, selectors, ledger sealing and write-once storage (issue 3 point 5)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction

from liuhen.conftest import Org
from liuhen.core.immutability import drop_protection_sql
from liuhen.ledger.models import LedgerEntry
from liuhen.ledger.verify import verify
from liuhen.org.services import create_agency
from liuhen.workdays.calendar import Due
from liuhen.workdays.models import CalendarOverride
from liuhen.workdays.selectors import calendar_for, provisional_years_in_use
from liuhen.workdays.services import set_override, withdraw_override

TABLE = "workdays_calendaroverride"


def test_set_override_is_sealed_in_the_ledger(org: Org) -> None:
    row = set_override(
        actor=org.sysadmin, agency=None, day=date(2026, 10, 12), is_workday=False, note="测试：临时休息"
    )
    entry = LedgerEntry.objects.get(object_type="workdays.calendaroverride", object_id=str(row.pk))
    assert entry.action == "calendar_override.create"
    content = json.loads(entry.payload)["content"]
    assert content["day"] == "2026-10-12" and content["is_workday"] is False and content["agency"] is None
    report = verify(blobs=False)
    assert report.ok, [str(p) for p in report.problems]


def test_override_changes_the_agency_calendar(org: Org) -> None:
    start = date(2026, 9, 29)
    assert calendar_for(org.agency).add_working_days(start, 5) == Due(date(2026, 10, 12), False)
    set_override(actor=org.sysadmin, agency=None, day=date(2026, 10, 12), is_workday=False, note="全局")
    assert calendar_for(org.agency).add_working_days(start, 5) == Due(date(2026, 10, 13), False)
    assert calendar_for(None).add_working_days(start, 5).date == date(2026, 10, 13)


def test_agency_override_applies_to_that_agency_only_and_wins_over_global(org: Org) -> None:
    other = create_agency(actor=None, name="另一县医疗保障局", short_name="另医保", policy_pack="baseline")
    day = date(2026, 10, 12)
    set_override(actor=org.sysadmin, agency=None, day=day, is_workday=False, note="全局休息")
    set_override(actor=org.sysadmin, agency=org.agency, day=day, is_workday=True, note="本机关照常上班")
    assert calendar_for(org.agency).is_workday(day)
    assert not calendar_for(other).is_workday(day)


def test_withdrawal_keeps_history_and_restores_the_calendar(org: Org) -> None:
    day = date(2026, 10, 12)
    row = set_override(actor=org.sysadmin, agency=None, day=day, is_workday=False, note="临时")
    undo = withdraw_override(actor=org.sysadmin, override=row, note="录入有误")
    assert undo.withdraws == row and CalendarOverride.objects.count() == 2
    assert calendar_for(org.agency).is_workday(day)
    assert list(CalendarOverride.objects.active()) == []
    assert LedgerEntry.objects.filter(action="calendar_override.withdraw", object_id=str(undo.pk)).exists()
    with pytest.raises(ValidationError):
        withdraw_override(actor=org.sysadmin, override=row)
    with pytest.raises(ValidationError):
        withdraw_override(actor=org.sysadmin, override=undo)
    # After withdrawal the same day can be set again.
    set_override(actor=org.sysadmin, agency=None, day=day, is_workday=False, note="重新录入")
    assert not calendar_for(org.agency).is_workday(day)
    assert verify(blobs=False).ok


def test_duplicate_active_override_is_refused(org: Org) -> None:
    set_override(actor=org.sysadmin, agency=None, day=date(2026, 10, 12), is_workday=False, note="一")
    with pytest.raises(ValidationError) as exc:
        set_override(actor=org.sysadmin, agency=None, day=date(2026, 10, 12), is_workday=True, note="二")
    assert "请先撤销" in str(exc.value)


def test_only_system_admins_may_change_the_calendar(org: Org) -> None:
    with pytest.raises(PermissionDenied):
        set_override(actor=org.officer_a1, agency=None, day=date(2026, 10, 12), is_workday=False, note="x")
    other = create_agency(actor=None, name="另一县医疗保障局", short_name="另医保", policy_pack="baseline")
    with pytest.raises(PermissionDenied):
        set_override(actor=org.sysadmin, agency=other, day=date(2026, 10, 12), is_workday=False, note="x")
    row = set_override(actor=org.sysadmin, agency=None, day=date(2026, 10, 12), is_workday=False, note="x")
    with pytest.raises(PermissionDenied):
        withdraw_override(actor=org.agency_head, override=row)
    with pytest.raises(ValidationError):
        set_override(actor=org.sysadmin, agency=None, day=date(2026, 10, 13), is_workday=False, note="  ")


def test_2027_is_provisional_until_the_schedule_is_loaded(org: Org) -> None:
    today = date(2026, 11, 25)
    assert provisional_years_in_use(today) == [2027]
    assert provisional_years_in_use(date(2025, 3, 1)) == []
    due = calendar_for(org.agency).add_working_days(date(2027, 3, 1), 5)
    assert due == Due(date(2027, 3, 8), True)
    # An agency-only row does not load the State Council schedule.
    set_override(actor=org.sysadmin, agency=org.agency, day=date(2027, 3, 2), is_workday=True, note="本机关")
    assert provisional_years_in_use(today) == [2027]
    assert calendar_for(org.agency).add_working_days(date(2027, 3, 1), 5).provisional
    # New Year's Day 2027 entered for all agencies: the year counts as loaded.
    set_override(actor=org.sysadmin, agency=None, day=date(2027, 1, 1), is_workday=False, note="元旦")
    assert provisional_years_in_use(today) == []
    assert calendar_for(org.agency).add_working_days(date(2026, 12, 30), 2) == Due(date(2027, 1, 4), False)


@pytest.fixture
def two_rows(org: Org) -> Iterator[None]:
    row = set_override(actor=org.sysadmin, agency=None, day=date(2026, 10, 12), is_workday=False, note="x")
    withdraw_override(actor=org.sysadmin, override=row)
    yield


@pytest.mark.parametrize("sql", [f"UPDATE {TABLE} SET is_workday = TRUE", f"DELETE FROM {TABLE}"])
def test_rows_are_write_once(two_rows: None, sql: str) -> None:
    with pytest.raises(DatabaseError, match="write-once"), transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql)
    assert CalendarOverride.objects.count() == 2


def test_verify_names_an_override_edited_behind_the_application(two_rows: None) -> None:
    with transaction.atomic():
        with connection.cursor() as cur:
            for sql in drop_protection_sql(connection.vendor, TABLE):
                cur.execute(sql)
            cur.execute(f"UPDATE {TABLE} SET is_workday = TRUE WHERE withdraws_id IS NULL")
        first = CalendarOverride.objects.get(withdraws__isnull=True)
        problems = {(p.kind, p.item) for p in verify(blobs=False).problems}
        assert ("changed", f"workdays.calendaroverride:{first.pk}") in problems
        transaction.set_rollback(True)
