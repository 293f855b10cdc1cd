"""Permission-scoped reads of cases. Views and the API only reach cases through here."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from liuhen.cases.models import Case
from liuhen.org.models import Department, Person, Role

# Roles that oversee every case of their agency (legal review, head, audit, archive).
AGENCY_WIDE_ROLES = (Role.AGENCY_HEAD, Role.LEGAL_REVIEWER, Role.AUDITOR, Role.ARCHIVIST)


def cases_visible_to(person: Person) -> QuerySet[Case]:
    """An officer sees the cases of their department and those they handle; heads of department
    their department's; agency-wide roles all cases of their agency (AC-1 work need)."""
    if not person.is_authenticated or not person.is_active or person.agency_id is None:
        return Case.objects.none()
    base = Case.objects.filter(agency_id=person.agency_id)
    if person.has_role(*AGENCY_WIDE_ROLES):
        return base
    scope = Q(handlers__person=person)
    if person.department_id is not None and person.has_role(Role.OFFICER, Role.DEPARTMENT_HEAD):
        scope |= Q(department_id=person.department_id)
    return base.filter(scope).distinct()


def get_case_for(person: Person, pk: int) -> Case:
    """The case if ``person`` may see it — in their work scope, or through an active access grant
    (AC-1, :mod:`liuhen.access.grants`) — else 404 (no hint that it exists)."""
    try:
        return cases_visible_to(person).select_related("agency", "department").get(pk=pk)
    except Case.DoesNotExist:
        from liuhen.access.grants import granted_case_ids  # the access app imports this module

        if pk in granted_case_ids(person):
            return Case.objects.select_related("agency", "department").get(pk=pk)
        raise Http404("案件不存在或无权查看。") from None


def can_write_case(person: Person, case: Case) -> bool:
    """Handlers record in their case; the head of its department may too."""
    if case.handlers.filter(person=person).exists():
        return True
    return person.has_role(Role.DEPARTMENT_HEAD) and person.department_id == case.department_id


def search_cases(
    person: Person,
    *,
    query: str = "",
    stage: str = "",
    case_type: str = "",
    department_id: int | None = None,
    mine: bool = False,
) -> QuerySet[Case]:
    qs = cases_visible_to(person).select_related("department")
    if query:
        qs = qs.filter(
            Q(number__icontains=query) | Q(title__icontains=query) | Q(parties__name__icontains=query)
        )
    if stage:
        qs = qs.filter(stage=stage)
    if case_type:
        qs = qs.filter(case_type=case_type)
    if department_id:
        qs = qs.filter(department_id=department_id)
    if mine:
        qs = qs.filter(handlers__person=person)
    return qs.distinct().order_by("-created_at", "-pk")


def departments_open_to(person: Person) -> QuerySet[Department]:
    """Departments the person may open a case in: their own (officers, heads); any of the
    agency for the agency head."""
    if not person.is_authenticated or not person.is_active or person.agency_id is None:
        return Department.objects.none()
    qs = Department.objects.filter(agency_id=person.agency_id).order_by("pk")
    if person.has_role(Role.AGENCY_HEAD):
        return qs
    if person.department_id is not None and person.has_role(Role.OFFICER, Role.DEPARTMENT_HEAD):
        return qs.filter(pk=person.department_id)
    return qs.none()
