"""Reads for case-file archiving (AR-1..4): when a case's action ended, the compile deadline, the
archive state of a case, the overdue list, the archivist's queue, the year-end check and the named
custodians. Scoped like ``cases.selectors``: what a person may not see does not exist (404).

When the action ends (``action_ends``):

- a case that took a branch (不予立案, 移送管辖, 移送公安, 撤销) ended on the day it took it;
- a case that reached 结案归档 ended on its 结案报告's 执行终结日期 (``closing_report.
  action_ended_on``, the current version) or, without one, on the day it entered 结案归档.

The compile deadline (``compile_due``): the pack's ``deadline_days`` calendar days after that day
(a last day on a rest day moves to the next working day, as for every calendar period), and, when
the pack has ``year_end = true`` (BX 第十七条), no later than 31 December of that year.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from liuhen.archives.config import ArchiveConfig, archive_config_for
from liuhen.archives.models import ArchiveDecision, ArchiveRecord, CustodianDesignation, Outcome
from liuhen.cases.models import Branch, Case, Stage, StageChange
from liuhen.cases.selectors import can_write_case, cases_visible_to
from liuhen.org.models import Agency, Department, Person, Role
from liuhen.workdays.calendar import WorkdayCalendar

END_LABELS: dict[str, str] = {"closing": "结案", **{b: str(Branch(b).label) for b in Branch.values if b}}


class State:
    """The archive state of a case (derived, never stored)."""

    NOT_ENDED = "not_ended"
    TO_COMPILE = "to_compile"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    ACCEPTED = "accepted"

    LABELS: dict[str, str] = {
        "not_ended": "执法行为未终结",
        "to_compile": "待立卷",
        "submitted": "已报送待审核",
        "returned": "已退回待重新报送",
        "accepted": "已归档",
    }


@dataclass(frozen=True)
class ActionEnd:
    ended_on: date
    event: str  # "closing" or a Branch value

    @property
    def label(self) -> str:
        return END_LABELS.get(self.event, self.event)


@dataclass(frozen=True)
class ArchiveStatus:
    case: Case
    end: ActionEnd | None
    due: date | None
    citation: str
    state: str
    latest: ArchiveRecord | None
    decision: ArchiveDecision | None
    today: date

    @property
    def state_label(self) -> str:
        return State.LABELS[self.state]

    @property
    def overdue(self) -> bool:
        """Nothing delivered (or it came back) and the deadline has passed."""
        return (
            self.state in (State.TO_COMPILE, State.RETURNED)
            and self.due is not None
            and self.today > self.due
        )

    @property
    def late(self) -> bool:
        """Delivered (pending or accepted) after the deadline."""
        if self.latest is None or self.due is None or self.state not in (State.SUBMITTED, State.ACCEPTED):
            return False
        return timezone.localtime(self.latest.submitted_at).date() > self.due

    @property
    def days_left(self) -> int | None:
        return None if self.due is None else (self.due - self.today).days


# --- who may do what ---------------------------------------------------------------------------


def _active_in(person: Person, agency_id: int) -> bool:
    return bool(person.is_authenticated and person.is_active and person.agency_id == agency_id)


def is_archivist(person: Person, agency_id: int) -> bool:
    return _active_in(person, agency_id) and person.has_role(Role.ARCHIVIST)


def can_compile(person: Person, case: Case) -> bool:
    """The case's handlers, the head of its department, and the unit's named custodian compile the
    file (谁执法、谁录入、谁负责)."""
    if not _active_in(person, case.agency_id):
        return False
    if can_write_case(person, case):
        return True
    custodian = custodian_of(case.agency, case.department)
    return custodian is not None and custodian.person_id == person.pk


def can_designate(person: Person, agency: Agency, department: Department | None) -> bool:
    """The agency head (or a system administrator) names custodians; a department head for their
    own department."""
    if not _active_in(person, agency.pk):
        return False
    if person.has_role(Role.AGENCY_HEAD, Role.SYSTEM_ADMIN):
        return True
    return (
        department is not None
        and person.has_role(Role.DEPARTMENT_HEAD)
        and person.department_id == department.pk
    )


# --- custodians (AR-4) -------------------------------------------------------------------------


def custodian_of(agency: Agency, department: Department | None) -> CustodianDesignation | None:
    """The current custodian of the department's case files, else the agency-wide one."""
    rows = CustodianDesignation.objects.filter(agency=agency).select_related("person", "department")
    if department is not None:
        own = rows.filter(department=department).order_by("-designated_at", "-pk").first()
        if own is not None:
            return own
    return rows.filter(department__isnull=True).order_by("-designated_at", "-pk").first()


def custodians(agency_id: int | None) -> list[tuple[Department | None, CustodianDesignation | None]]:
    """Every unit of the agency (the agency itself first) with its current custodian."""
    if agency_id is None:
        return []
    latest: dict[int | None, CustodianDesignation] = {}
    for row in (
        CustodianDesignation.objects.filter(agency_id=agency_id)
        .select_related("person", "designated_by")
        .order_by("designated_at", "pk")
    ):
        latest[row.department_id] = row
    units: list[tuple[Department | None, CustodianDesignation | None]] = [(None, latest.get(None))]
    for department in Department.objects.filter(agency_id=agency_id).order_by("pk"):
        units.append((department, latest.get(department.pk)))
    return units


# --- action end and deadline -------------------------------------------------------------------


def _ended_candidates(qs: QuerySet[Case]) -> QuerySet[Case]:
    return qs.filter(Q(stage__in=[Stage.CLOSING, Stage.FOLLOWUP]) | ~Q(branch=""))


def action_ends(cases: Sequence[Case]) -> dict[int, ActionEnd]:
    """When each case's enforcement action ended (two queries for any number of cases)."""
    from liuhen.records.models import Record

    ids = [c.pk for c in cases]
    if not ids:
        return {}
    closing_day: dict[int, date] = {}
    branch_day: dict[int, tuple[date, str]] = {}
    changes = (
        StageChange.objects.filter(case_id__in=ids)
        .filter(Q(to_stage=Stage.CLOSING, branch="") | ~Q(branch=""))
        .order_by("changed_at", "pk")
        .values_list("case_id", "to_stage", "branch", "changed_at")
    )
    for case_id, to_stage, branch, changed_at in changes:
        day = timezone.localtime(changed_at).date()
        if branch:
            branch_day.setdefault(case_id, (day, branch))
        elif to_stage == Stage.CLOSING:
            closing_day.setdefault(case_id, day)
    reported: dict[int, date] = {}
    newer = Record.objects.filter(supersedes=OuterRef("pk"))
    reports = (
        Record.objects.filter(case_id__in=ids, record_type="closing_report")
        .filter(~Exists(newer))
        .order_by("created_at", "pk")
        .values_list("case_id", "data")
    )
    for case_id, data in reports:
        value = json.loads(data).get("action_ended_on")
        if isinstance(value, str):
            try:
                reported[case_id] = date.fromisoformat(value[:10])
            except ValueError:
                continue
    ends: dict[int, ActionEnd] = {}
    for case in cases:
        if case.pk in branch_day:
            day, branch = branch_day[case.pk]
            ends[case.pk] = ActionEnd(day, branch)
        elif case.pk in closing_day or case.pk in reported:
            ends[case.pk] = ActionEnd(reported.get(case.pk) or closing_day[case.pk], "closing")
    return ends


def action_end(case: Case) -> ActionEnd | None:
    return action_ends([case]).get(case.pk)


def action_start(case: Case) -> date:
    """The action started when the case was opened (立案/建案)."""
    return timezone.localtime(case.created_at).date()


def config_for(case: Case) -> ArchiveConfig:
    return archive_config_for(case.agency.policy_pack)


def compile_due(
    agency: Agency, config: ArchiveConfig, ended_on: date, calendar: WorkdayCalendar | None = None
) -> tuple[date, str]:
    """The last day to compile and submit the file, and the article it comes from."""
    from liuhen.workdays.selectors import calendar_for

    calendar = calendar or calendar_for(agency)
    due = calendar.add_calendar_days(ended_on, config.deadline_days).date
    citation = config.deadline_citation
    year_end = date(ended_on.year, 12, 31)
    if config.year_end and year_end < due:
        return year_end, config.year_end_citation or citation
    return due, citation


# --- status ------------------------------------------------------------------------------------


def statuses(cases: Sequence[Case], *, today: date | None = None) -> list[ArchiveStatus]:
    """The archive status of each case, in the given order (a few queries for the whole list)."""
    today = today or timezone.localdate()
    ends = action_ends(cases)
    latest: dict[int, ArchiveRecord] = {}
    for submission in (
        ArchiveRecord.objects.filter(case_id__in=[c.pk for c in cases])
        .select_related("compiled_by", "custodian")
        .order_by("attempt")
    ):
        latest[submission.case_id] = submission
    decisions = {
        d.submission_id: d
        for d in ArchiveDecision.objects.filter(
            submission_id__in=[r.pk for r in latest.values()]
        ).select_related("decided_by")
    }
    calendars: dict[int, WorkdayCalendar] = {}
    result: list[ArchiveStatus] = []
    for case in cases:
        end = ends.get(case.pk)
        row = latest.get(case.pk)
        decision = decisions.get(row.pk) if row is not None else None
        due: date | None = None
        citation = ""
        if end is not None:
            if case.agency_id not in calendars:
                from liuhen.workdays.selectors import calendar_for

                calendars[case.agency_id] = calendar_for(case.agency)
            due, citation = compile_due(
                case.agency, config_for(case), end.ended_on, calendars[case.agency_id]
            )
        if end is None and row is None:
            state = State.NOT_ENDED
        elif row is None:
            state = State.TO_COMPILE
        elif decision is None:
            state = State.SUBMITTED
        elif decision.outcome == Outcome.ACCEPTED:
            state = State.ACCEPTED
        else:
            state = State.RETURNED
        result.append(ArchiveStatus(case, end, due, citation, state, row, decision, today))
    return result


def status_of(case: Case, *, today: date | None = None) -> ArchiveStatus:
    return statuses([case], today=today)[0]


def _accepted() -> Exists:
    return Exists(ArchiveDecision.objects.filter(submission__case=OuterRef("pk"), outcome=Outcome.ACCEPTED))


def unarchived(person: Person, *, today: date | None = None) -> list[ArchiveStatus]:
    """Visible cases whose action ended and whose file is not archived yet, most urgent first."""
    cases = list(
        _ended_candidates(cases_visible_to(person))
        .filter(~_accepted())
        .select_related("agency", "department")
        .order_by("pk")
    )
    rows = [s for s in statuses(cases, today=today) if s.end is not None or s.latest is not None]
    return sorted(rows, key=lambda s: (s.due or date.max, s.case.pk))


def overdue(person: Person, *, today: date | None = None) -> list[ArchiveStatus]:
    """AR-1: visible cases whose file should have been compiled and was not (or came back)."""
    return [s for s in unarchived(person, today=today) if s.overdue]


def year_end_check(person: Person, year: int, *, today: date | None = None) -> list[ArchiveStatus]:
    """AR-3: visible cases whose action ended in ``year`` and whose file is not archived: not yet
    compiled, returned and not resubmitted, or submitted and still awaiting the archivist."""
    return [s for s in unarchived(person, today=today) if s.end is not None and s.end.ended_on.year == year]


def pending_review(person: Person) -> QuerySet[ArchiveRecord]:
    """Submissions awaiting a decision, of the cases the person may see (the archivist's queue)."""
    return (
        ArchiveRecord.objects.filter(case__in=cases_visible_to(person))
        .filter(~Exists(ArchiveDecision.objects.filter(submission=OuterRef("pk"))))
        .select_related("case", "compiled_by")
        .order_by("submitted_at", "pk")
    )


def register(person: Person, *, year: int | None = None) -> QuerySet[ArchiveRecord]:
    """The accepted archive records (档案登记簿) of the visible cases, by archive number."""
    qs = ArchiveRecord.objects.filter(case__in=cases_visible_to(person), decision__outcome=Outcome.ACCEPTED)
    if year is not None:
        qs = qs.filter(archive_year=year)
    return qs.select_related("case", "compiled_by", "decision", "decision__decided_by").order_by(
        "archive_year", "archive_seq"
    )


def get_submission_for(person: Person, pk: int) -> ArchiveRecord:
    try:
        return (
            ArchiveRecord.objects.filter(case__in=cases_visible_to(person))
            .select_related("case", "case__agency", "case__department", "compiled_by", "custodian")
            .get(pk=pk)
        )
    except ArchiveRecord.DoesNotExist:
        raise Http404("归档记录不存在或无权查看。") from None


def submissions_of(case: Case) -> list[ArchiveRecord]:
    """Every submission of a (visible) case with its decision, oldest first."""
    return list(
        ArchiveRecord.objects.filter(case=case)
        .select_related("compiled_by", "custodian")
        .prefetch_related("decision__decided_by")
        .order_by("attempt")
    )


def decision_of(submission: ArchiveRecord) -> ArchiveDecision | None:
    return ArchiveDecision.objects.filter(submission=submission).select_related("decided_by").first()


def years_of(person: Person) -> list[int]:
    """Years offered on the year-end page: this year and the years of visible cases."""
    years = set(cases_visible_to(person).values_list("year", flat=True).distinct())
    years.add(timezone.localdate().year)
    return sorted(years, reverse=True)


def summary(rows: Iterable[ArchiveStatus]) -> dict[str, Any]:
    counts: dict[str, int] = {}
    overdue_count = 0
    for row in rows:
        counts[row.state] = counts.get(row.state, 0) + 1
        overdue_count += row.overdue
    return {"counts": counts, "overdue": overdue_count}


__all__ = [
    "ActionEnd",
    "ArchiveStatus",
    "State",
    "action_end",
    "action_ends",
    "action_start",
    "can_compile",
    "can_designate",
    "compile_due",
    "custodian_of",
    "custodians",
    "get_submission_for",
    "is_archivist",
    "overdue",
    "pending_review",
    "register",
    "status_of",
    "statuses",
    "submissions_of",
    "unarchived",
    "year_end_check",
]
