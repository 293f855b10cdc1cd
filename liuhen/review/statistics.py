"""The legal office's statistics (issue #4 point 8; ED-1: summary data and statistical tables from
the recorded steps): review rounds of a year by department — outcome types, turnaround in working
days, late and overdue reviews — and the same table as an Excel workbook (openpyxl).

Reads only (the caller scopes who may see them: :func:`liuhen.review.selectors.sees_workspace`);
the Excel export is ledgered by :func:`liuhen.review.services.export_statistics`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from liuhen.cases.selectors import cases_visible_to
from liuhen.org.models import Person
from liuhen.review.models import OpinionType, Submission
from liuhen.review.selectors import ReviewRow, _rows, _submissions
from liuhen.workdays.calendar import WorkdayCalendar
from liuhen.workdays.selectors import calendar_for

OUTCOMES: tuple[tuple[str, str], ...] = tuple((str(v), str(label)) for v, label in OpinionType.choices)


@dataclass
class Line:
    """One department (or the total)."""

    label: str
    submitted: int = 0
    received: int = 0
    decided: int = 0
    outcomes: dict[str, int] = field(default_factory=lambda: {code: 0 for code, _ in OUTCOMES})
    extended: int = 0
    late: int = 0
    open: int = 0
    overdue: int = 0
    turnaround_days: list[int] = field(default_factory=list)

    @property
    def average_turnaround(self) -> Decimal | None:
        """Mean working days from receipt to opinion, one decimal."""
        if not self.turnaround_days:
            return None
        mean = Decimal(sum(self.turnaround_days)) / len(self.turnaround_days)
        return mean.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def late_rate(self) -> Decimal | None:
        if not self.decided:
            return None
        return (Decimal(self.late * 100) / self.decided).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    def add(self, row: ReviewRow, working_days: int | None) -> None:
        self.submitted += 1
        if row.receipt is None:
            return
        self.received += 1
        if row.extension_days:
            self.extended += 1
        opinion = row.opinion
        if opinion is None:
            self.open += 1
            self.overdue += int(row.overdue)
            return
        self.decided += 1
        self.outcomes[opinion.opinion_type] = self.outcomes.get(opinion.opinion_type, 0) + 1
        self.late += int(row.late)
        if working_days is not None:
            self.turnaround_days.append(working_days)


@dataclass(frozen=True)
class Statistics:
    year: int
    departments: list[Line]
    total: Line


def _working_days_between(calendar: WorkdayCalendar, start: date, end: date) -> int:
    """Working days in (start, end] — the count the review period uses (HY-FS 第六条)."""
    days = 0
    current = start
    while current < end:
        current += timedelta(days=1)
        days += int(calendar.is_workday(current))
    return days


def review_statistics(person: Person, year: int, *, today: date | None = None) -> Statistics:
    """Review rounds submitted in ``year`` in the cases ``person`` may see, by department."""
    today = today or timezone.localdate()
    submissions = [
        s for s in _submissions(cases_visible_to(person)) if timezone.localtime(s.submitted_at).year == year
    ]
    rows = _rows(submissions, today)
    calendars: dict[int, WorkdayCalendar] = {}
    by_department: dict[int, Line] = {}
    total = Line(label="合计")
    for row in rows:
        case = row.case
        line = by_department.setdefault(case.department_id, Line(label=case.department.name))
        days: int | None = None
        receipt, opinion = row.receipt, row.opinion
        if receipt is not None and opinion is not None:
            if case.agency_id not in calendars:
                calendars[case.agency_id] = calendar_for(case.agency)
            days = _working_days_between(
                calendars[case.agency_id],
                timezone.localdate(receipt.received_at),
                timezone.localdate(opinion.issued_at),
            )
        line.add(row, days)
        total.add(row, days)
    departments = sorted(by_department.values(), key=lambda line: line.label)
    return Statistics(year=year, departments=departments, total=total)


HEADERS = (
    "承办科室（单位）",
    "送审",
    "收案",
    "已出具意见",
    *(label for _, label in OUTCOMES),
    "延长期限",
    "逾期出具",
    "逾期率（%）",
    "平均审核用时（工作日）",
    "审核中",
    "审核中已逾期",
)


def line_values(line: Line) -> list[object]:
    return [
        line.label,
        line.submitted,
        line.received,
        line.decided,
        *(line.outcomes.get(code, 0) for code, _ in OUTCOMES),
        line.extended,
        line.late,
        float(line.late_rate) if line.late_rate is not None else None,
        float(line.average_turnaround) if line.average_turnaround is not None else None,
        line.open,
        line.overdue,
    ]


def workbook(stats: Statistics, agency_name: str) -> bytes:
    """The table as an .xlsx workbook (one sheet, a title row, the header, one row per department
    and the total)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = f"{stats.year}年法制审核"
    sheet.append([f"{agency_name}{stats.year}年重大执法决定法制审核统计"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(list(HEADERS))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for line in stats.departments:
        sheet.append(line_values(line))
    sheet.append(line_values(stats.total))
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 22
    for index in range(2, len(HEADERS) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 12
    sheet.freeze_panes = "B3"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def years_with_reviews(person: Person) -> list[int]:
    years = {
        timezone.localtime(at).year
        for at in Submission.objects.filter(case__in=cases_visible_to(person)).values_list(
            "submitted_at", flat=True
        )
    }
    years.add(timezone.localdate().year)
    return sorted(years, reverse=True)


__all__ = [
    "HEADERS",
    "OUTCOMES",
    "Line",
    "Statistics",
    "line_values",
    "review_statistics",
    "workbook",
    "years_with_reviews",
]
