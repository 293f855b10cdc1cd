"""AR-2 (YC 第十一条): the archive record holds the archive number, category, retention term and
the start and end dates of the action; the 卷内目录 lists the case's records with page counts;
the archivist accepts or returns (AR-1), the file is resubmitted after a return. Write-once,
ledgered, verified."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from liuhen.archives import services
from liuhen.archives.fileindex import document_pages
from liuhen.archives.models import ArchiveDecision, ArchiveRecord, Outcome
from liuhen.archives.terms import case_file_term, term_for
from liuhen.archives.testing import make_archivist
from liuhen.cases.models import Case, Procedure
from liuhen.conftest import Org, make_case
from liuhen.ledger.models import LedgerEntry
from liuhen.ledger.verify import verify
from liuhen.org.models import Person
from liuhen.records.models import Record


def test_ar_2_submission_has_number_category_retention_and_dates(
    org: Org, closed_case: Case, ended_on: date
) -> None:
    record = services.submit_archive(actor=org.officer_a1, case=closed_case)
    year = ended_on.year
    assert record.archive_no == f"测医保-{year}-XZCF-0001"  # no region code: the short name
    assert (record.category, record.category_name) == ("XZCF", "行政处罚")
    assert record.retention == "30y" and record.retention_label == "30年"
    assert record.action_started_on == timezone.localtime(closed_case.created_at).date()
    assert record.action_ended_on == ended_on
    assert record.action_end_event == "closing"
    assert record.compiled_by == org.officer_a1
    entry = LedgerEntry.objects.get(action="archive.submit", object_id=str(record.pk))
    assert entry.case_id == closed_case.pk
    assert record.archive_no in entry.payload


def test_ar_2_numbers_run_per_agency_and_year(org: Org, ended_on: date) -> None:
    from liuhen.archives.testing import close_case

    first = close_case(make_case(org), org.officer_a1, ended_on=ended_on, with_files=False)
    second = close_case(make_case(org, title="第二案"), org.officer_a1, ended_on=ended_on, with_files=False)
    last_year = close_case(
        make_case(org, title="上年终结案"),
        org.officer_a1,
        ended_on=date(ended_on.year - 1, 12, 30),
        with_files=False,
    )
    a = services.submit_archive(actor=org.officer_a1, case=first)
    b = services.submit_archive(actor=org.officer_a1, case=second)
    c = services.submit_archive(actor=org.officer_a1, case=last_year)
    assert (a.archive_seq, b.archive_seq) == (1, 2)
    assert b.archive_no.endswith("-0002")
    assert (c.archive_year, c.archive_seq) == (ended_on.year - 1, 1)


def test_ar_2_file_index_lists_records_in_order_with_page_counts(org: Org, closed_case: Case) -> None:
    record = services.submit_archive(actor=org.officer_a1, case=closed_case)
    entries = record.entries
    records = list(Record.objects.filter(case=closed_case).order_by("created_at", "pk"))
    assert [e["record_id"] for e in entries] == [r.pk for r in records]
    inspection, photos, report = entries
    # text record: its rendered 执法文书 + a two-page PDF scan + one photo
    doc = document_pages(records[0])
    assert inspection["document_pages"] == doc >= 1
    assert [(f["kind"], f["pages"]) for f in inspection["files"]] == [("pdf", 2), ("image", 1)]
    assert inspection["pages"] == doc + 3
    # media record: one page per image, no document of its own
    assert photos["document_pages"] == 0 and photos["pages"] == 2
    assert report["type_name"] == "结案报告" and report["pages"] >= 1
    # consecutive page ranges, total on the record
    assert inspection["first_page"] == 1
    assert photos["first_page"] == inspection["last_page"] + 1
    assert report["first_page"] == photos["last_page"] + 1
    assert record.page_count == report["last_page"] == sum(e["pages"] for e in entries)


def test_ar_2_retention_follows_pack_category_and_procedure(org: Org) -> None:
    assert term_for("baseline", "penalty", Procedure.GENERAL).label == "30年"
    assert term_for("baseline", "penalty", Procedure.SIMPLE).label == "10年"
    assert term_for("baseline", "licensing", Procedure.GENERAL).years is None  # 永久
    assert term_for("baseline", "licensing", Procedure.GENERAL).label == "永久"
    assert term_for("HY", "inspection", Procedure.GENERAL).years == 10
    case = make_case(org)
    derived = case_file_term(case)
    assert (derived.years, derived.recorded, derived.category) == (30, False, "XZCF")


def test_ar_2_case_file_term_reads_the_recorded_term(org: Org, closed_case: Case) -> None:
    record = services.submit_archive(actor=org.officer_a1, case=closed_case)
    term = case_file_term(closed_case)
    assert (term.code, term.years, term.label, term.recorded, term.archived) == (
        "30y",
        30,
        "30年",
        True,
        False,
    )
    services.decide_archive(actor=make_archivist(org.officer_a1), submission=record, accept=True)
    assert case_file_term(closed_case).archived


def test_ar_1_archivist_returns_with_reasons_then_accepts_resubmission(
    org: Org, closed_case: Case, archivist: Person
) -> None:
    first = services.submit_archive(actor=org.officer_a1, case=closed_case)
    with pytest.raises(ValidationError):  # one pending submission at a time
        services.submit_archive(actor=org.officer_a1, case=closed_case)
    with pytest.raises(ValidationError) as excinfo:
        services.decide_archive(actor=archivist, submission=first, accept=False, reasons=" ")
    assert "退回须写明理由。" in str(excinfo.value)
    with pytest.raises(PermissionDenied):  # only the archivist decides
        services.decide_archive(actor=org.head_a, submission=first, accept=True)
    returned = services.decide_archive(
        actor=archivist, submission=first, accept=False, reasons="缺少送达回证。"
    )
    assert returned.outcome == Outcome.RETURNED
    second = services.submit_archive(actor=org.officer_a2, case=closed_case, note="已补正")
    assert (second.attempt, second.supersedes_id, second.archive_no) == (2, first.pk, first.archive_no)
    with pytest.raises(ValidationError):  # the returned submission cannot be decided again
        services.decide_archive(actor=archivist, submission=first, accept=True)
    accepted = services.decide_archive(actor=archivist, submission=second, accept=True)
    assert accepted.outcome == Outcome.ACCEPTED
    with pytest.raises(ValidationError):  # archived: no further submission
        services.submit_archive(actor=org.officer_a1, case=closed_case)
    actions = list(
        LedgerEntry.objects.filter(action__startswith="archive.", case_id=closed_case.pk).values_list(
            "action", flat=True
        )
    )
    assert actions == ["archive.submit", "archive.return", "archive.submit", "archive.accept"]
    assert verify().ok


def test_ar_2_only_the_case_writers_submit(org: Org, closed_case: Case) -> None:
    with pytest.raises(PermissionDenied):
        services.submit_archive(actor=org.officer_b1, case=closed_case)
    assert not ArchiveRecord.objects.exists()


def test_ar_2_not_before_the_action_ends(org: Org) -> None:
    with pytest.raises(ValidationError) as excinfo:
        services.submit_archive(actor=org.officer_a1, case=make_case(org))
    assert "尚未终结" in str(excinfo.value)


def test_ar_2_archive_rows_are_write_once(org: Org, closed_case: Case, archivist: Person) -> None:
    record = services.submit_archive(actor=org.officer_a1, case=closed_case)
    services.decide_archive(actor=archivist, submission=record, accept=True)
    for table in ("archives_archiverecord", "archives_archivedecision"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET id = id")
    assert ArchiveDecision.objects.get().outcome == Outcome.ACCEPTED


def test_ar_2_verify_names_a_tampered_archive_record(org: Org, closed_case: Case) -> None:
    from liuhen.core.immutability import drop_protection_sql

    record = services.submit_archive(actor=org.officer_a1, case=closed_case)
    with connection.cursor() as cursor:
        for statement in drop_protection_sql(connection.vendor, "archives_archiverecord"):
            cursor.execute(statement)
        cursor.execute("UPDATE archives_archiverecord SET retention = '10y' WHERE id = %s", [record.pk])
    report = verify()
    assert ("changed", f"archives.archiverecord:{record.pk}") in [(p.kind, p.item) for p in report.problems]
