"""Issue #4 point 8: reviews by outcome type, average and late turnaround, per department,
exportable to Excel."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.test import Client
from openpyxl import load_workbook

from liuhen.ledger.models import LedgerEntry
from liuhen.review import services
from liuhen.review.statistics import HEADERS, review_statistics
from liuhen.review.testing import Bureau, case_in_review, reviewed

TZ = ZoneInfo("Asia/Shanghai")


def _at(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=TZ)


def _populate(hy: Bureau) -> None:
    # On time: received Tue 29 Sept, agreed Fri 9 Oct (3 working days).
    reviewed(
        hy,
        case_in_review(hy, fine_amount="25000", title="甲案"),
        submitted_at=_at(9, 29, 9),
        received_at=_at(9, 29),
        issued_at=_at(10, 9),
    )
    # Late: received Mon 14 Sept, "补充材料" on Mon 21 Sept (6 working days: Sunday 20 Sept is a
    # make-up working day in 2026).
    reviewed(
        hy,
        case_in_review(hy, fine_amount="30000", title="乙案"),
        opinion="supplement",
        submitted_at=_at(9, 14, 9),
        received_at=_at(9, 14),
        issued_at=_at(9, 21),
    )
    # Still in review, overdue by 30 Nov.
    submission = services.submit_for_review(
        actor=hy.officer,
        case=case_in_review(hy, fine_amount="40000", title="丙案"),
        place="基金监管科",
        submitted_at=_at(11, 2, 9),
    )
    services.register_receipt(
        actor=hy.reviewer, submission=submission, place="法制科", received_at=_at(11, 2)
    )


def test_statistics_by_outcome_turnaround_and_lateness(hy: Bureau) -> None:
    _populate(hy)
    stats = review_statistics(hy.head, 2026, today=date(2026, 11, 30))
    (line,) = stats.departments
    assert line.label == "基金监管科"
    assert (line.submitted, line.received, line.decided, line.open, line.overdue) == (3, 3, 2, 1, 1)
    assert line.outcomes["agree"] == 1 and line.outcomes["supplement"] == 1
    assert line.turnaround_days == [6, 3] and line.average_turnaround == Decimal("4.5")
    assert line.late == 1 and line.late_rate == Decimal("50.0")
    assert stats.total.submitted == 3
    assert review_statistics(hy.head, 2025).total.submitted == 0


def test_statistics_page_and_excel_export(hy: Bureau, client: Client) -> None:
    _populate(hy)
    client.force_login(hy.officer)
    assert client.get("/review/statistics/").status_code == 403
    assert client.get("/review/statistics.xlsx?year=2026").status_code == 403
    client.force_login(hy.reviewer)
    page = client.get("/review/statistics/?year=2026").content.decode()
    assert "2026年法制审核统计" in page and 'data-testid="total"' in page and "基金监管科" in page
    response = client.get("/review/statistics.xlsx?year=2026")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "海阳市医疗保障局2026年重大执法决定法制审核统计"
    assert list(rows[1]) == list(HEADERS)
    assert rows[2][0] == "基金监管科" and rows[2][1:4] == (3, 3, 2)
    assert rows[-1][0] == "合计"
    assert LedgerEntry.objects.filter(action="review.statistics.export", actor_id=hy.reviewer.pk).count() == 1
