"""Reads for the rule engine: case snapshots built in bulk, the agency's packs and calendar, findings.

These are system reads (the engine sees the whole case file, whatever its confidentiality);
callers scope the *cases* they pass in (e.g. ``cases_visible_to``). ``snapshots_for`` runs a
constant number of queries per batch of cases, never one per case (checked by a test).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from liuhen.cases.models import Case
from liuhen.org.models import Agency, Person
from liuhen.policy.engine import (
    Calendar,
    WeekendCalendar,
    blocking_for_branch,
    blocking_for_transition,
    evaluate,
)
from liuhen.policy.findings import Finding
from liuhen.policy.loading import CASE_FIELDS, load_batch
from liuhen.policy.models import OPEN_STATES, Deadline, DeadlineState
from liuhen.policy.schema import Pack, packs_for
from liuhen.policy.snapshot import CaseSnapshot

BATCH_SIZE = 500


def calendar_of_agency(agency: Agency | None) -> Calendar:
    """The agency's working-day calendar (official schedule + overrides); weekends-only if the
    workdays module is not available."""
    try:
        from liuhen.workdays.selectors import calendar_for
    except ImportError:  # pragma: no cover - only while the workdays app is absent
        return WeekendCalendar()
    return calendar_for(agency)


def packs_of_agency(agency: Agency) -> tuple[Pack, ...]:
    """The baseline plus the agency's own pack."""
    return packs_for(agency.policy_pack)


def _batch(cases: list[dict[str, Any]], today: date) -> list[CaseSnapshot]:
    """One batch of snapshots (``policy.loading``: seven queries, no per-row Django work)."""
    return load_batch(cases, today)


_CASE_FIELDS = CASE_FIELDS


def snapshots_for(
    cases: QuerySet[Case], today: date | None = None, *, batch_size: int = BATCH_SIZE
) -> Iterator[CaseSnapshot]:
    """Snapshots of ``cases`` (in primary-key order), 7 queries per batch of ``batch_size`` cases."""
    today = today or timezone.localdate()
    rows = cases.order_by("pk").values(*_CASE_FIELDS)
    last = 0
    while True:
        chunk = list(rows.filter(pk__gt=last)[:batch_size])
        if not chunk:
            return
        yield from _batch(chunk, today)
        last = chunk[-1]["id"]


def snapshot_of(case: Case, today: date | None = None) -> CaseSnapshot:
    return next(snapshots_for(Case.objects.filter(pk=case.pk), today))


def findings_for(case: Case, today: date | None = None) -> list[Finding]:
    """Every finding for one case under its agency's packs and calendar."""
    return evaluate(snapshot_of(case, today), packs_of_agency(case.agency), calendar_of_agency(case.agency))


def findings_for_cases(
    cases: QuerySet[Case], today: date | None = None
) -> Iterator[tuple[CaseSnapshot, list[Finding]]]:
    """(snapshot, findings) for many cases, packs and calendar loaded once per agency."""
    agency_ids = set(cases.order_by().values_list("agency_id", flat=True).distinct())
    agencies = {a.pk: a for a in Agency.objects.filter(pk__in=agency_ids)}
    calendars: dict[int, Calendar] = {pk: calendar_of_agency(a) for pk, a in agencies.items()}
    case_agency = dict(cases.order_by().values_list("pk", "agency_id"))
    for snapshot in snapshots_for(cases, today):
        agency_id = case_agency[snapshot.id]
        packs = packs_of_agency(agencies[agency_id])
        yield snapshot, evaluate(snapshot, packs, calendars[agency_id])


def transition_blockers(case: Case, to_stage: str) -> list[Finding]:
    """Blocking findings that forbid moving ``case`` to ``to_stage`` (empty: allowed)."""
    return blocking_for_transition(
        snapshot_of(case), packs_of_agency(case.agency), calendar_of_agency(case.agency), to_stage
    )


def branch_blockers(case: Case, branch: str) -> list[Finding]:
    """Blocking findings that forbid ``case`` taking ``branch`` (empty: allowed)."""
    return blocking_for_branch(
        snapshot_of(case), packs_of_agency(case.agency), calendar_of_agency(case.agency), branch
    )


@dataclass(frozen=True)
class CaseCompliance:
    """What the case page shows: every finding, and per possible next step the findings that
    would refuse it (empty list: allowed)."""

    findings: list[Finding]
    stage_blockers: dict[str, list[Finding]]
    branch_blockers: dict[str, list[Finding]]


def compliance_of(
    case: Case, *, stages: Iterable[str] = (), branches: Iterable[str] = (), today: date | None = None
) -> CaseCompliance:
    """Findings and transition/branch blockers of ``case`` from one snapshot (one set of queries,
    however many buttons the page shows). The caller has checked that the person may see the case."""
    snapshot = snapshot_of(case, today)
    packs = packs_of_agency(case.agency)
    calendar = calendar_of_agency(case.agency)
    return CaseCompliance(
        findings=evaluate(snapshot, packs, calendar),
        stage_blockers={s: blocking_for_transition(snapshot, packs, calendar, s) for s in stages},
        branch_blockers={b: blocking_for_branch(snapshot, packs, calendar, b) for b in branches},
    )


# --- materialised deadlines (policy.models.Deadline) ---------------------------------------------

SOON_WORKING_DAYS = 3


def deadlines_of_case(person: Person, case: Case) -> QuerySet[Deadline]:
    """The deadline rows of ``case`` (none if ``person`` may not see it), earliest first."""
    from liuhen.cases.selectors import cases_visible_to

    return Deadline.objects.filter(case=case, case__in=cases_visible_to(person)).order_by("due", "pk")


@dataclass(frozen=True)
class DeadlinePanel:
    overdue: list[Deadline]
    soon: list[Deadline]
    soon_until: date
    overdue_total: int
    soon_total: int


def deadline_panel(person: Person, today: date | None = None, *, limit: int = 20) -> DeadlinePanel:
    """The dashboard's 期限 panel: running deadlines of the cases ``person`` may see (not those a
    branch stopped) — overdue first, then those due within ``SOON_WORKING_DAYS`` working days of
    the person's agency calendar. A row still marked due whose date has passed (the daily refresh has
    not run yet) counts as overdue."""
    from liuhen.cases.selectors import cases_visible_to

    today = today or timezone.localdate()
    until = calendar_of_agency(person.agency).add_working_days(today, SOON_WORKING_DAYS).date
    base = (
        Deadline.objects.filter(case__in=cases_visible_to(person), state__in=OPEN_STATES, stopped=False)
        .select_related("case")
        .order_by("due", "case_id", "pk")
    )
    overdue = base.filter(Q(state=DeadlineState.OVERDUE) | Q(due__lt=today))
    soon = base.filter(state=DeadlineState.DUE, due__gte=today, due__lte=until)
    return DeadlinePanel(
        overdue=list(overdue[:limit]),
        soon=list(soon[:limit]),
        soon_until=until,
        overdue_total=overdue.count(),
        soon_total=soon.count(),
    )


def blocking_message(findings: Iterable[Finding], action: str) -> str:
    """The Chinese refusal message, one clause per finding with its citation."""
    from liuhen.policy.engine import explain

    reasons = "；".join(explain(f) for f in findings)
    return f"{action}：{reasons}"


__all__ = [
    "BATCH_SIZE",
    "SOON_WORKING_DAYS",
    "CaseCompliance",
    "DeadlinePanel",
    "blocking_message",
    "branch_blockers",
    "calendar_of_agency",
    "compliance_of",
    "deadline_panel",
    "deadlines_of_case",
    "findings_for",
    "findings_for_cases",
    "packs_of_agency",
    "snapshot_of",
    "snapshots_for",
    "transition_blockers",
]
