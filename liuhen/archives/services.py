"""Writes for case-file archiving (AR-1..4): submit a compiled case file, the archivist's accept or
return, resubmission after a return, and naming a unit's custodian. Each write and its ledger
entry commit together (``ledger.append`` in the same transaction).

Ledger actions: ``archive.submit`` (content of the ``ArchiveRecord`` incl. the 卷内目录),
``archive.accept`` / ``archive.return`` (the ``ArchiveDecision``), ``archive.custodian`` (the
``CustodianDesignation``).
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from liuhen.archives import selectors
from liuhen.archives.fileindex import build_file_index, current_records, total_pages
from liuhen.archives.models import (
    ArchiveDecision,
    ArchiveNumberCounter,
    ArchiveRecord,
    CustodianDesignation,
    Outcome,
)
from liuhen.archives.terms import term_for
from liuhen.cases.models import Case
from liuhen.core.canonical import canonical_json
from liuhen.core.sealing import sealed_content
from liuhen.ledger import services as ledger
from liuhen.org.models import Agency, Department, Person


def agency_code(agency: Agency) -> str:
    """``{agency_code}`` in archive numbers: the region code (行政区划代码), else the short name."""
    return agency.region_code or agency.short_name


def format_archive_number(agency: Agency, pattern: str, *, year: int, category: str, seq: int) -> str:
    return pattern.format(
        agency_code=agency_code(agency),
        short=agency.short_name,
        region=agency.region_code,
        year=year,
        category=category,
        seq=seq,
    )


def _next_archive_seq(agency: Agency, year: int) -> int:
    counter, _ = ArchiveNumberCounter.objects.select_for_update().get_or_create(agency=agency, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def _current_versions(case: Case) -> list[tuple[int, int]]:
    return [(r.pk, r.version) for r in current_records(case)]


def submit_archive(
    *,
    actor: Person,
    case: Case,
    note: str = "",
    submitted_at: datetime | None = None,
) -> ArchiveRecord:
    """Compile the case file (卷内目录 with page counts, number, category, retention, action dates)
    and submit it to the archive. A first submission draws the next archive number of the agency
    and year; a resubmission after a return keeps it and supersedes the returned submission."""
    if not selectors.can_compile(actor, case):
        raise PermissionDenied("只有本案承办人员、科室负责人或本单位归档责任人可以报送归档。")
    end = selectors.action_end(case)
    if end is None:
        raise ValidationError("执法行为尚未终结（结案或撤销、移送等），不能立卷归档。")
    now = submitted_at or timezone.now()
    config = selectors.config_for(case)
    # Rendering every record to count its pages takes a while: done before the write transaction
    # (which holds the database write lock on SQLite), and redone inside only if the case's current
    # records changed in between.
    entries = build_file_index(case)
    with transaction.atomic():
        locked = Case.objects.select_for_update().select_related("agency", "department").get(pk=case.pk)
        previous = ArchiveRecord.objects.filter(case=locked).order_by("-attempt").first()
        if previous is not None:
            decision = selectors.decision_of(previous)
            if decision is None:
                raise ValidationError("本案已报送归档，正在等待档案管理员审核。")
            if decision.outcome == Outcome.ACCEPTED:
                raise ValidationError(f"本案已归档（档号 {previous.archive_no}）。")
        term = term_for(locked.agency.policy_pack, locked.case_type, locked.procedure)
        started = selectors.action_start(locked)
        due, citation = selectors.compile_due(locked.agency, config, end.ended_on)
        if previous is not None:
            year, seq, number = previous.archive_year, previous.archive_seq, previous.archive_no
        else:
            year = end.ended_on.year
            seq = _next_archive_seq(locked.agency, year)
            number = format_archive_number(
                locked.agency, config.number_pattern, year=year, category=term.category, seq=seq
            )
        if [(e["record_id"], e["version"]) for e in entries] != _current_versions(locked):
            entries = build_file_index(locked)
        if not entries:
            raise ValidationError("案件中没有任何记录，无法编制卷内目录。")
        custodian = selectors.custodian_of(locked.agency, locked.department)
        record = ArchiveRecord.objects.create(
            case=locked,
            agency=locked.agency,
            attempt=previous.attempt + 1 if previous is not None else 1,
            supersedes=previous,
            archive_no=number,
            archive_year=year,
            archive_seq=seq,
            category=term.category,
            category_name=term.category_name,
            retention=term.code,
            action_started_on=started,
            action_ended_on=end.ended_on,
            action_end_event=end.event,
            due_on=due,
            deadline_citation=citation,
            file_index=canonical_json(entries).decode("utf-8"),
            page_count=total_pages(entries),
            custodian=custodian.person if custodian is not None else None,
            note=note.strip(),
            compiled_by=actor,
            submitted_at=now,
        )
        ledger.append(
            actor=actor,
            action="archive.submit",
            obj=record,
            case_id=locked.pk,
            payload={"content": sealed_content(record), "late": timezone.localtime(now).date() > due},
        )
    return record


def decide_archive(
    *,
    actor: Person,
    submission: ArchiveRecord,
    accept: bool,
    reasons: str = "",
    decided_at: datetime | None = None,
) -> ArchiveDecision:
    """The archivist accepts the submitted file into the archive, or returns it with reasons."""
    if not selectors.is_archivist(actor, submission.agency_id):
        raise PermissionDenied("只有本机关的档案管理员可以审核归档。")
    reasons = reasons.strip()
    if not accept and not reasons:
        raise ValidationError({"reasons": ["退回须写明理由。"]})
    with transaction.atomic():
        locked = ArchiveRecord.objects.select_for_update().get(pk=submission.pk)
        if ArchiveDecision.objects.filter(submission=locked).exists():
            raise ValidationError("该次报送已审核。")
        if ArchiveRecord.objects.filter(supersedes=locked).exists():
            raise ValidationError("该次报送已被重新报送取代。")
        decision = ArchiveDecision.objects.create(
            submission=locked,
            outcome=Outcome.ACCEPTED if accept else Outcome.RETURNED,
            reasons=reasons,
            decided_by=actor,
            decided_at=decided_at or timezone.now(),
        )
        ledger.append(
            actor=actor,
            action="archive.accept" if accept else "archive.return",
            obj=decision,
            case_id=locked.case_id,
            payload={"content": sealed_content(decision), "archive_no": locked.archive_no},
        )
    return decision


def designate_custodian(
    *,
    actor: Person,
    agency: Agency,
    person: Person,
    department: Department | None = None,
    note: str = "",
    designated_at: datetime | None = None,
) -> CustodianDesignation:
    """Name the custodian (专人) of a department's case files, or of the whole agency (AR-4)."""
    if not selectors.can_designate(actor, agency, department):
        raise PermissionDenied("只有机关负责人（或本科室负责人）可以指定归档责任人。")
    if department is not None and department.agency_id != agency.pk:
        raise ValidationError({"department": ["科室不属于本机关。"]})
    if person.agency_id != agency.pk or not person.is_active:
        raise ValidationError({"person": ["归档责任人须为本机关在职人员。"]})
    with transaction.atomic():
        row = CustodianDesignation.objects.create(
            agency=agency,
            department=department,
            person=person,
            note=note.strip(),
            designated_by=actor,
            designated_at=designated_at or timezone.now(),
        )
        ledger.append(
            actor=actor, action="archive.custodian", obj=row, payload={"content": sealed_content(row)}
        )
    return row


__all__ = ["agency_code", "decide_archive", "designate_custodian", "format_archive_number", "submit_archive"]
