"""The compliance-check benchmark (issue #3 point 8): the generated cases, the check over them
without per-case queries, and the report ``liuhen bench`` prints."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from liuhen.bench.checkcases import (
    CheckResult,
    Generated,
    generate,
    query_budget,
    report,
    run_check,
    select_records,
)
from liuhen.cases.models import Case
from liuhen.org.models import Person
from liuhen.policy import audit
from liuhen.policy.audit import AuditStats, check_cases, default_workers
from liuhen.policy.selectors import findings_for_cases
from liuhen.records.models import Record
from liuhen.workdays.models import CalendarOverride


@pytest.mark.django_db
def test_generated_cases_are_checked_with_a_constant_number_of_queries() -> None:
    generated = generate(25)
    assert generated.cases == 25 and Case.objects.count() == 25
    assert 20 <= generated.records / generated.cases <= 40  # "about 30 records each"
    assert Record.objects.count() == generated.records and generated.signers and generated.attachments
    assert set(Case.objects.values_list("agency__policy_pack", flat=True)) == {"YC", "HY", "PL", "WD", "BX"}
    seconds, rows = select_records()
    assert rows == generated.records and seconds >= 0
    result = run_check(workers=1)
    assert result.cases == 25 and result.workers == 1
    assert 0 < result.queries <= query_budget(25)
    assert result.findings > 0  # the generator leaves gaps the packs find
    # The same findings as the plain selector, in the same order.
    expected = [(snap.number, found) for snap, found in findings_for_cases(Case.objects.all())]
    assert [(c.number, c.findings) for c in check_cases(Case.objects.all(), workers=1)] == expected


@pytest.mark.django_db
def test_queries_do_not_grow_with_the_number_of_cases() -> None:
    generate(10)
    few = AuditStats()
    list(check_cases(Case.objects.all(), workers=1, stats=few))
    generate(40)
    many = AuditStats()
    list(check_cases(Case.objects.all(), workers=1, stats=many))
    assert many.queries == few.queries  # one batch either way: no per-case queries


@pytest.mark.django_db
def test_inside_a_transaction_or_in_memory_the_check_stays_in_process() -> None:
    assert default_workers(100000) == 1  # the test database is in memory, inside a transaction
    stats = AuditStats()
    assert list(check_cases(Case.objects.none(), workers=4, stats=stats)) == []
    assert stats.workers == 1


def test_report_lines(capsys: pytest.CaptureFixture[str]) -> None:
    generated = Generated(cases=10000, records=305000, signers=298000, attachments=148000, seconds=60.0)
    serial = CheckResult(10000, 41000, 4800, 150, 9.0, 8.5, 1)
    parallel = CheckResult(10000, 41000, 4800, 150, 4.0, 0.2, 4)
    assert report(generated, serial, parallel, 2.0, 4.0, 3)
    out = capsys.readouterr().out
    assert "10000 cases, 305000 records (30.5/case)" in out
    assert re.search(r"liuhen check, 4 worker processes\s+4\.00 s\s+2500 cases/s\s+queries 150", out)
    assert "ratio check / SELECT: 2.00×" in out and "check < 5 s: PASS (4.00 s)" in out
    assert "ratio in-process check / SELECT: 4.50×" in out and "ratio 4-worker check / SELECT: 2.00×" in out
    assert "no per-case queries (150 ≤ 410): PASS" in out
    slow = CheckResult(10000, 41000, 4800, 150, 6.0, 0.2, 4)
    assert not report(generated, serial, slow, 2.0, 4.0, 3)
    assert "check < 5 s: FAIL" in capsys.readouterr().out
    differing = CheckResult(10000, 40999, 4800, 150, 4.0, 0.2, 4)
    assert not report(generated, serial, differing, 2.0, 4.0, 3)


@pytest.mark.slow
def test_parallel_check_in_a_throwaway_home_matches_in_process(tmp_path: Path) -> None:
    """In a real (file) database the worker processes find exactly what the in-process check finds;
    the run stays in its own LIUHEN_HOME."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIUHEN_")}
    env["LIUHEN_HOME"] = str(tmp_path / "home")
    done = subprocess.run(
        [sys.executable, "-m", "liuhen.bench.checkcases", "--cases", "1200", "--runs", "1", "--workers", "2"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode in (0, 1), done.stderr
    assert "liuhen check, 2 worker processes" in done.stdout
    assert "same findings in-process and in parallel: PASS" in done.stdout
    assert "no per-case queries" in done.stdout and ": PASS" in done.stdout
    assert (tmp_path / "home" / "liuhen.sqlite3").exists()


@pytest.mark.django_db
def test_a_check_run_reads_packs_and_calendars_once_and_each_run_afresh(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Per run (not per batch) each agency's packs and calendar: batches cost the same constant
    number of queries; the next run sees a calendar override made in between."""
    generate(10)
    agencies = Case.objects.values("agency_id").distinct().count()
    monkeypatch.setattr(audit, "BATCH_SIZE", 3)
    stats = AuditStats()
    today = date(2026, 11, 30)
    with CaptureQueriesContext(connection) as queries:
        first = {
            (item.case_id, f.rule_id, f.record_id): f.due
            for item in check_cases(Case.objects.all(), today, workers=1, stats=stats)
            for f in item.findings
        }
    assert stats.batches == [3, 3, 3, 1] and stats.queries == len(queries)
    tables = [q["sql"].split(" FROM ", 1)[1].split()[0].strip('"') for q in queries.captured_queries]
    assert tables.count("workdays_calendaroverride") == agencies  # one calendar per agency and run
    for table in ("cases_case", "records_record", "records_recordattachment", "cases_party"):
        assert tables.count(table) == (4 if table != "cases_case" else 5)  # the ids, then per batch
    key, due = next((k, d) for k, d in sorted(first.items()) if k[1] == "BL-56-preservation-7-days" and d)
    assert due is not None
    CalendarOverride.objects.create(
        agency=None,
        day=due,
        is_workday=False,
        note="测试：调休",
        created_by=Person.objects.first(),
        created_at=timezone.now(),
    )
    later = {
        (item.case_id, f.rule_id, f.record_id): f.due
        for item in check_cases(Case.objects.all(), today, workers=1)
        for f in item.findings
    }
    # The due day became a rest day: the period ends on a later working day (met in time now, or
    # still late with the later date).
    moved = later.get(key)
    assert moved is None or moved > due
    assert later != first
