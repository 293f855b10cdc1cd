"""Permission-scoped reads of records and their attachments (AC-1 work scope and grants, AC-3
confidentiality).

A person reaches a case's records through their own work scope (:func:`cases_visible_to`: their
department's cases, the cases they handle, agency-wide roles) — any action — or through an active
grant (:mod:`liuhen.access.grants`) for the action asked: ``view`` (record pages, inline
playback), ``copy`` (downloading an original), ``export`` (PDF / Word). Through a grant only
records of ordinary confidentiality are visible (AC-3)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from liuhen.access import grants
from liuhen.cases.models import Case
from liuhen.cases.selectors import cases_visible_to
from liuhen.org.models import Person, Role
from liuhen.records.models import Confidentiality, Record, RecordAttachment

# Who may see confidential content beyond the case's own handlers (AC-3, YC-13, WD-24).
_CONFIDENTIAL_ROLES: dict[str, tuple[str, ...]] = {
    Confidentiality.COMMERCIAL_SECRET: (
        Role.DEPARTMENT_HEAD,
        Role.AGENCY_HEAD,
        Role.LEGAL_REVIEWER,
        Role.AUDITOR,
    ),
    Confidentiality.PRIVACY: (Role.DEPARTMENT_HEAD, Role.AGENCY_HEAD, Role.LEGAL_REVIEWER, Role.AUDITOR),
    Confidentiality.STATE_SECRET: (Role.AGENCY_HEAD,),
}


def in_work_scope(person: Person, case: Case) -> bool:
    """The case is within the person's own work scope (no grant needed, AC-1)."""
    return cases_visible_to(person).filter(pk=case.pk).exists()


def case_access(person: Person, case: Case, action: str = "view", now: datetime | None = None) -> bool:
    """The person may ``action`` (view / copy / export) the case file: own work scope, or an active
    grant for that action."""
    return in_work_scope(person, case) or grants.allows(person, case, action, now)


def allowed_confidentiality(person: Person, case: Case) -> set[str]:
    allowed = {str(Confidentiality.NORMAL)}
    if not in_work_scope(person, case):
        return allowed  # reached through a grant: ordinary records only (AC-3)
    is_handler = case.handlers.filter(person=person).exists()
    for level, roles in _CONFIDENTIAL_ROLES.items():
        if is_handler or person.has_role(*roles):
            allowed.add(str(level))
    return allowed


def records_of_case(
    person: Person,
    case: Case,
    *,
    current_only: bool = True,
    action: str = "view",
    now: datetime | None = None,
) -> QuerySet[Record]:
    """Records of a case the person may ``action``; by default only current versions."""
    if not case_access(person, case, action, now):
        return Record.objects.none()
    qs = Record.objects.filter(case=case, confidentiality__in=allowed_confidentiality(person, case))
    if current_only:
        qs = qs.filter(~Exists(Record.objects.filter(supersedes=OuterRef("pk"))))
    return qs.select_related("created_by").prefetch_related("signers", "attachments__blob")


def get_record_for(person: Person, pk: int, *, action: str = "view", now: datetime | None = None) -> Record:
    record = Record.objects.select_related("case").filter(pk=pk).first()
    if record is None or record.case is None:
        raise Http404("记录不存在或无权查看。")
    visible = records_of_case(person, record.case, current_only=False, action=action, now=now)
    if not visible.filter(pk=pk).exists():
        raise Http404("记录不存在或无权查看。")
    return record


def versions_of(person: Person, record: Record) -> QuerySet[Record]:
    assert record.case is not None
    return (
        records_of_case(person, record.case, current_only=False)
        .filter(series=record.series)
        .order_by("version")
    )


def get_attachment_for(
    person: Person, pk: int, *, action: str = "view", now: datetime | None = None
) -> RecordAttachment:
    """The attachment if the person may ``action`` it (``copy`` for a download of the original)."""
    attachment = RecordAttachment.objects.select_related("record", "blob").filter(pk=pk).first()
    if attachment is None:
        raise Http404("文件不存在或无权查看。")
    try:
        get_record_for(person, attachment.record_id, action=action, now=now)
    except Http404:
        raise Http404("文件不存在或无权查看。") from None
    return attachment
