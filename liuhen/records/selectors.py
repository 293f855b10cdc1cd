"""Permission-scoped reads of records and their attachments (AC-3 confidentiality)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

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


def allowed_confidentiality(person: Person, case: Case) -> set[str]:
    allowed = {str(Confidentiality.NORMAL)}
    is_handler = case.handlers.filter(person=person).exists()
    for level, roles in _CONFIDENTIAL_ROLES.items():
        if is_handler or person.has_role(*roles):
            allowed.add(str(level))
    return allowed


def records_of_case(person: Person, case: Case, *, current_only: bool = True) -> QuerySet[Record]:
    """Records of a case the person may see; by default only current versions."""
    if not cases_visible_to(person).filter(pk=case.pk).exists():
        return Record.objects.none()
    qs = Record.objects.filter(case=case, confidentiality__in=allowed_confidentiality(person, case))
    if current_only:
        qs = qs.filter(~Exists(Record.objects.filter(supersedes=OuterRef("pk"))))
    return qs.select_related("created_by").prefetch_related("signers", "attachments__blob")


def get_record_for(person: Person, pk: int) -> Record:
    record = Record.objects.select_related("case").filter(pk=pk).first()
    if record is None or record.case is None:
        raise Http404("记录不存在或无权查看。")
    if not records_of_case(person, record.case, current_only=False).filter(pk=pk).exists():
        raise Http404("记录不存在或无权查看。")
    return record


def versions_of(person: Person, record: Record) -> QuerySet[Record]:
    assert record.case is not None
    return (
        records_of_case(person, record.case, current_only=False)
        .filter(series=record.series)
        .order_by("version")
    )


def get_attachment_for(person: Person, pk: int) -> RecordAttachment:
    attachment = RecordAttachment.objects.select_related("record", "blob").filter(pk=pk).first()
    if attachment is None:
        raise Http404("文件不存在或无权查看。")
    get_record_for(person, attachment.record_id)
    return attachment
