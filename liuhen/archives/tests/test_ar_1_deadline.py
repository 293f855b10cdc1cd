"""AR-1 (HY-JL 第十四条, WD 第二十三条): the case file is compiled and filed within 30 days after the
action ends; the period comes from the agency's ``[archive]`` pack table; overdue files are listed
(archive overview, dashboard, API)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from liuhen.archives import selectors, services
from liuhen.archives.config import ArchiveConfigError, archive_config_for, merge, parse_archive_table
from liuhen.archives.selectors import State, compile_due
from liuhen.archives.testing import close_case
from liuhen.cases.models import Case
from liuhen.cases.services import take_branch
from liuhen.conftest import Org, login, make_case
from liuhen.org.models import Person
from liuhen.org.services import create_agency
from liuhen.workdays.calendar import WorkdayCalendar


def test_ar_1_packs_define_the_period() -> None:
    assert archive_config_for("HY").deadline_days == 30
    assert archive_config_for("HY").deadline_citation == "HY-JL 第十四条"
    assert archive_config_for("WD").deadline_citation == "WD 第二十三条"
    assert archive_config_for("BX").year_end is True
    assert archive_config_for("YC").deadline_days == 30  # the baseline default


def test_ar_1_a_later_pack_overrides_the_period_and_categories() -> None:
    path = Path("x.toml")
    base = parse_archive_table(
        path,
        {
            "deadline_days": 30,
            "category": [
                {
                    "code": "A",
                    "name": "甲",
                    "case_types": list(("inspection", "penalty")),
                    "retention": "30y",
                },
                {
                    "code": "B",
                    "name": "乙",
                    "case_types": ["coercion", "benefit", "licensing"],
                    "retention": "10y",
                },
            ],
        },
    )
    own = parse_archive_table(
        path,
        {
            "deadline_days": 15,
            "category": [
                {"code": "A", "name": "甲", "case_types": ["penalty", "inspection"], "retention": "permanent"}
            ],
        },
    )
    config = merge([("base", base), ("own", own)])
    assert config.deadline_days == 15
    assert config.category_for("penalty").retention == "permanent"
    assert config.category_for("benefit").code == "B"


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"deadline_days": 0}, "deadline_days 应为正整数"),
        ({"number_pattern": "{year}-{category}"}, "必须包含 {seq}"),
        ({"number_pattern": "{year}-{nope}-{seq}"}, "只能使用"),
        (
            {"category": [{"code": "X", "name": "x", "case_types": ["penalty"], "retention": "5y"}]},
            "retention '5y' 无效",
        ),
        (
            {"category": [{"code": "X", "name": "x", "case_types": ["fishing"], "retention": "10y"}]},
            "case_types",
        ),
        ({"deadline": 30}, "未知的键 deadline"),
    ],
)
def test_ar_1_a_malformed_archive_table_is_refused(table: dict[str, object], message: str) -> None:
    with pytest.raises(ArchiveConfigError) as excinfo:
        parse_archive_table(Path("bad.toml"), table)
    assert message in str(excinfo.value)
    assert "bad.toml" in str(excinfo.value)


def test_ar_1_due_is_30_calendar_days_moved_past_rest_days(db: None) -> None:
    config = archive_config_for("HY")
    agency = create_agency(actor=None, name="海阳市医疗保障局", short_name="海医保", policy_pack="HY")
    # 2026-09-01 + 30 days = 2026-10-01, National Day holiday: moves to the first working day after it.
    due, citation = compile_due(agency, config, date(2026, 9, 1))
    assert due == WorkdayCalendar().add_calendar_days(date(2026, 9, 1), 30).date
    assert due > date(2026, 10, 1) and citation == "HY-JL 第十四条"
    # An ordinary case: exactly 30 days.
    assert compile_due(agency, config, date(2026, 3, 2))[0] == date(2026, 4, 1)


def test_ar_1_bx_files_at_year_end_at_the_latest(db: None) -> None:
    agency = create_agency(actor=None, name="本溪市卫生健康委员会", short_name="本卫健", policy_pack="BX")
    due, citation = compile_due(agency, archive_config_for("BX"), date(2026, 12, 20))
    assert (due, citation) == (date(2026, 12, 31), "BX 第十七条")
    assert compile_due(agency, archive_config_for("BX"), date(2026, 6, 1))[0] == date(2026, 7, 1)


def test_ar_1_the_action_ends_with_the_closing_report_or_a_branch(org: Org) -> None:
    ended = timezone.localdate() - timedelta(days=3)
    closed = close_case(make_case(org), org.officer_a1, ended_on=ended, with_files=False)
    revoked = take_branch(
        actor=org.officer_a1, case=make_case(org, title="撤销案"), branch="revoked", reason="撤销立案"
    )
    running = make_case(org, title="在办案件")
    ends = selectors.action_ends([closed, revoked, running])
    assert (ends[closed.pk].ended_on, ends[closed.pk].event) == (ended, "closing")
    assert (ends[revoked.pk].ended_on, ends[revoked.pk].label) == (timezone.localdate(), "撤销")
    assert running.pk not in ends
    assert selectors.status_of(running).state == State.NOT_ENDED


def test_ar_1_overdue_when_not_filed_within_30_days(org: Org, archivist: Person, client: Client) -> None:
    old = close_case(
        make_case(org), org.officer_a1, ended_on=timezone.localdate() - timedelta(days=45), with_files=False
    )
    fresh = close_case(
        make_case(org, title="新结案件"),
        org.officer_a1,
        ended_on=timezone.localdate() - timedelta(days=2),
        with_files=False,
    )
    status = selectors.status_of(old)
    assert status.state == State.TO_COMPILE and status.overdue
    assert not selectors.status_of(fresh).overdue
    assert [s.case.pk for s in selectors.overdue(org.officer_a1)] == [old.pk]
    assert selectors.overdue(org.officer_b1) == []  # another department's officer does not see it
    page = login(client, org.officer_a1).get("/").content.decode()
    assert "逾期未归档的案卷" in page and old.number in page
    overview = client.get("/archives/").content.decode()
    assert old.number in overview
    # filed late: no longer overdue, but marked late
    record = services.submit_archive(actor=org.officer_a1, case=old)
    status = selectors.status_of(old)
    assert status.state == State.SUBMITTED and not status.overdue and status.late
    assert record.due_on == status.due
    # returned after the deadline: overdue again until resubmitted
    services.decide_archive(actor=archivist, submission=record, accept=False, reasons="页码有误。")
    assert selectors.status_of(old).overdue


def test_ar_1_filed_on_time_is_not_late(org: Org, closed_case: Case, archivist: Person) -> None:
    record = services.submit_archive(actor=org.officer_a1, case=closed_case)
    services.decide_archive(actor=archivist, submission=record, accept=True)
    status = selectors.status_of(closed_case)
    assert status.state == State.ACCEPTED and not status.late and not status.overdue
    assert timezone.localdate() <= record.due_on


@pytest.mark.parametrize("pack", ["baseline", "YC", "HY", "PL", "WD", "BX"])
def test_ar_1_every_shipped_pack_gives_a_period_and_a_category_per_case_type(pack: str) -> None:
    from liuhen.archives.config import CASE_TYPES

    config = archive_config_for(pack)
    assert config.deadline_days == 30 and "{seq" in config.number_pattern
    for case_type in CASE_TYPES:
        assert config.category_for(case_type).retention in ("permanent", "30y", "10y")
