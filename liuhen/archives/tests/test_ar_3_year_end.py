"""AR-3 (BX 第十七条 案卷每年底都要统一归档): the year-end check lists the cases of a year whose
action ended and whose file is not archived — not yet compiled, returned and not resubmitted, or
awaiting the archivist."""

from __future__ import annotations

from datetime import date

from django.test import Client

from liuhen.archives import selectors, services
from liuhen.archives.selectors import State
from liuhen.archives.testing import close_case, old_case
from liuhen.conftest import Org, login
from liuhen.org.models import Person


def test_ar_3_year_end_lists_unarchived_cases_of_the_year(
    org: Org, archivist: Person, client: Client
) -> None:
    def closed(title: str, ended: date):  # type: ignore[no-untyped-def]
        return close_case(
            old_case(org, opened_on=date(2025, 3, 1), title=title),
            org.officer_a1,
            ended_on=ended,
            with_files=False,
        )

    never = closed("未立卷案", date(2025, 11, 3))
    returned = closed("退回未重报案", date(2025, 12, 1))
    resubmitted = closed("已重报案", date(2025, 10, 9))
    archived = closed("已归档案", date(2025, 9, 1))
    other_year = closed("次年终结案", date(2026, 1, 5))
    first = services.submit_archive(actor=org.officer_a1, case=returned)
    services.decide_archive(actor=archivist, submission=first, accept=False, reasons="缺目录。")
    r1 = services.submit_archive(actor=org.officer_a1, case=resubmitted)
    services.decide_archive(actor=archivist, submission=r1, accept=False, reasons="缺目录。")
    services.submit_archive(actor=org.officer_a1, case=resubmitted)
    done = services.submit_archive(actor=org.officer_a1, case=archived)
    services.decide_archive(actor=archivist, submission=done, accept=True)

    rows = selectors.year_end_check(org.agency_head, 2025)
    by_case = {row.case.pk: row.state for row in rows}
    assert by_case == {
        never.pk: State.TO_COMPILE,
        returned.pk: State.RETURNED,
        resubmitted.pk: State.SUBMITTED,
    }
    assert other_year.pk not in by_case and archived.pk not in by_case
    assert all(row.overdue for row in rows if row.state != State.SUBMITTED)  # all long past due

    page = login(client, org.agency_head).get("/archives/year-end/?year=2025").content.decode()
    assert "2025 年度年底归档检查" in page
    for case in (never, returned, resubmitted):
        assert case.number in page
    assert archived.number not in page and other_year.number not in page
    register = client.get("/archives/register/?year=2025").content.decode()
    assert done.archive_no in register


def test_ar_3_year_end_is_scoped_to_what_the_person_sees(org: Org) -> None:
    case = close_case(
        old_case(org, opened_on=date(2025, 3, 1), dept="b"),
        org.officer_b1,
        ended_on=date(2025, 5, 5),
        with_files=False,
    )
    assert [r.case.pk for r in selectors.year_end_check(org.officer_b1, 2025)] == [case.pk]
    assert selectors.year_end_check(org.officer_a1, 2025) == []
