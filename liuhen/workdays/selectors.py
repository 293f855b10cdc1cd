"""Reads for the working-day calendar: the calendar an agency's deadlines use, and which years
are still computed provisionally (weekends only)."""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet

from liuhen.org.models import Agency, Person, Role
from liuhen.workdays.calendar import WorkdayCalendar, has_official_data
from liuhen.workdays.models import CalendarOverride


def can_manage_calendar(person: Person) -> bool:
    """System administrators (and superusers) maintain the overrides."""
    if not person.is_authenticated or not person.is_active:
        return False
    return bool(person.is_superuser) or person.has_role(Role.SYSTEM_ADMIN)


def overrides_visible_to(person: Person) -> QuerySet[CalendarOverride]:
    """Every row (withdrawals included) a calendar manager may see: global ones and their agency's;
    a superuser sees all."""
    if not can_manage_calendar(person):
        return CalendarOverride.objects.none()
    qs = CalendarOverride.objects.select_related("agency", "created_by", "withdraws")
    if person.is_superuser:
        return qs
    return qs.filter(Q(agency__isnull=True) | Q(agency_id=person.agency_id))


def calendar_for(agency: Agency | None) -> WorkdayCalendar:
    """The calendar for ``agency``: official data, then global overrides, then the agency's own
    (an agency override wins over a global one on the same day). Withdrawn overrides are ignored.

    A year without official data counts as loaded (not provisional) once it has a global override
    row: the State Council schedule is entered for all agencies at once."""
    scope = Q(agency__isnull=True)
    if agency is not None:
        scope |= Q(agency=agency)
    rows = CalendarOverride.objects.active().filter(scope).values_list("agency_id", "day", "is_workday")
    merged: dict[date, bool] = {}
    agency_own: dict[date, bool] = {}
    loaded: set[int] = set()
    for agency_id, day, working in rows:
        if agency_id is None:
            merged[day] = working
            loaded.add(day.year)
        else:
            agency_own[day] = working
    merged.update(agency_own)
    return WorkdayCalendar(merged, loaded_years=loaded)


def provisional_years_in_use(today: date) -> list[int]:
    """Of this year and next, those without official data and without any global override row —
    deadlines falling there are computed weekends-only; the admins are warned to load the
    schedule."""
    candidates = [y for y in (today.year, today.year + 1) if not has_official_data(y)]
    if not candidates:
        return []
    loaded = set(
        CalendarOverride.objects.active()
        .filter(agency__isnull=True, day__year__in=candidates)
        .values_list("day__year", flat=True)
    )
    return [y for y in candidates if y not in loaded]
