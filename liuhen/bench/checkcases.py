"""The compliance-check benchmark: N generated cases checked in one pass, against a plain SELECT.

``python -m liuhen.bench.checkcases --cases N`` runs in a throwaway ``LIUHEN_HOME`` (the bench
sets it to a directory under its workdir; nothing here touches the user's data): it migrates a
fresh SQLite database, creates one agency per regime (YC, HY, PL, WD, BX) through the services,
then bulk-inserts the cases directly into the model tables — about 30 records each (filing,
inspection, inquiries, AV, notices, review, decision, service, closing), with signatures,
attachments, stage history and deliberate gaps so the packs have something to find. This is
benchmark data, not demo data: it bypasses the services and the ledger (``liuhen verify`` would
call every row untracked). The rows go in with one ``executemany`` per table, built from the
models' own column lists: ``QuerySet.bulk_create`` spends about 200 µs per row preparing SQL,
which would make a 10,000-case fixture (a million rows) take minutes before anything is measured.

Then, in the same process and the same run, it measures:

- baseline: ``SELECT`` of the same record rows (the columns the snapshots read), and the same
  plus parsing each record's JSON — the floor any check must pay to look at the content;
- the check itself: ``policy.audit.check_cases`` over every case — what ``liuhen check --all``
  runs: snapshots built in batches, every pack rule evaluated — in-process and with its worker
  processes, with the number of SQL queries issued (in every process).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import time
import timeit
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

TARGET_SECONDS = 5.0
PACK_CODES = ("YC", "HY", "PL", "WD", "BX")
CST = ZoneInfo("Asia/Shanghai")
# Stages a generated case reaches, with their weights (a year's caseload: most cases closed).
STAGE_WEIGHTS = (("investigation", 10), ("review", 15), ("service", 15), ("closing", 60))
_STAGES = ("initiation", "investigation", "review", "service", "closing")
_ARCHIVED = 70  # days after opening a generated case is archived
FLUSH_EVERY = 1000  # cases generated between two bulk inserts


@dataclass(frozen=True)
class Generated:
    cases: int
    records: int
    signers: int
    attachments: int
    seconds: float


@dataclass(frozen=True)
class CheckResult:
    cases: int
    findings: int
    blocking: int
    queries: int
    seconds: float
    cpu_seconds: float = 0.0  # of this process (workers' time not included)
    workers: int = 1


# --- the generated case file ----------------------------------------------------------------------


def _iso(moment: datetime) -> str:
    return moment.astimezone(CST).replace(microsecond=0).isoformat()


def _day(moment: datetime) -> str:
    return moment.astimezone(CST).date().isoformat()


@dataclass(frozen=True)
class _Spec:
    record_type: str
    stage: str
    offset_days: float
    data: Callable[[random.Random, datetime], dict[str, Any]]
    signers: tuple[str, ...] = ()
    media: str = ""  # attachment media type


def _people(rng: random.Random, n: int) -> list[dict[str, str]]:
    return [
        {"name": f"执法员{rng.randint(1, 99)}", "number": f"NX{rng.randint(1, 999999):06d}"} for _ in range(n)
    ]


def _gap(rng: random.Random, value: Any, rate: float = 0.08) -> Any:
    """``value``, or (now and then) nothing: the gaps the check should find."""
    return None if rng.random() < rate else value


_SCENARIOS = {
    "video": ("must_check", "preservation", "inquiry", "purpose"),
    "photo": ("landmark", "must_check", "preservation"),
    "audio": ("inquiry",),
}


def _av(kind: str) -> Callable[[random.Random, datetime], dict[str, Any]]:
    def data(rng: random.Random, at: datetime) -> dict[str, Any]:
        recorded = at - timedelta(hours=rng.choice((1, 2, 5, 30)))  # now and then uploaded late
        out: dict[str, Any] = {
            "description": f"{kind}：现场检查",
            "recorded_at": _iso(recorded),
            "device_no": _gap(rng, f"ZFJLY-{rng.randint(1, 20):02d}"),
            "recorded_by": "执法员1",
            "location": "当事人经营场所",
            "used_as_evidence": rng.random() < 0.5,
            "retention": rng.choice(("case_file", "case_file", "litigation", "six_months")),
        }
        if kind == "video":
            out["continuous"] = rng.random() < 0.9
        # AV-1 / AV-4: the activity it records and what was said at its start (now and then missing).
        out["scenario"] = _gap(rng, rng.choice(_SCENARIOS[kind]))
        if kind != "photo":
            out["opening_statement"] = _gap(rng, ["time", "place", "officers", "action", "recording_notice"])
        return {k: v for k, v in out.items() if v is not None}

    return data


def _plain(**fields: Any) -> Callable[[random.Random, datetime], dict[str, Any]]:
    def data(rng: random.Random, at: datetime) -> dict[str, Any]:
        out = {k: (v(rng, at) if callable(v) else v) for k, v in fields.items()}
        return {k: v for k, v in out.items() if v is not None}

    return data


def _template() -> list[_Spec]:
    """About 30 records from filing to archive; offsets in days after the case was opened."""
    specs = [
        _Spec(
            "complaint_registration",
            "initiation",
            0,
            _plain(
                received_at=lambda r, a: _iso(a),
                channel="phone",
                identity="named",
                complainant="王某",
                respondent="某药店",
                content="串换药品",
                acceptance="accepted",
                complex_case=lambda r, a: r.random() < 0.05,
            ),
            ("officer",),
        ),
        _Spec(
            "filing_approval",
            "initiation",
            1,
            _plain(
                source="complaint",
                received_on=lambda r, a: _day(a),
                party="某药店",
                facts="串换药品",
                handler_opinion="建议立案",
                department_opinion=lambda r, a: _gap(r, "同意"),
                head_opinion="同意",
                approved_on=lambda r, a: _day(a),
                decision="file",
            ),
            ("officer", "head"),
        ),
        _Spec(
            "site_inspection",
            "investigation",
            3,
            _plain(
                started_at=lambda r, a: _iso(a),
                ended_at=lambda r, a: _iso(a + timedelta(hours=2)),
                place="某药店",
                inspectors=lambda r, a: _people(r, 2),
                party="某药店",
                party_details="负责人王某",
                party_present="present",
                notice_to_party="电话通知",
                certificate_shown=lambda r, a: r.random() > 0.03,
                rights_told=True,
                findings="发现串换药品",
                party_signature="signed",
            ),
            ("officer", "party"),
        ),
    ]
    specs += [_Spec("video", "investigation", 3 + i * 0.1, _av("video"), (), "video/mp4") for i in range(4)]
    specs += [_Spec("photo", "investigation", 3 + i * 0.1, _av("photo"), (), "image/jpeg") for i in range(5)]
    specs += [_Spec("audio", "investigation", 4 + i * 0.1, _av("audio"), (), "audio/mpeg") for i in range(2)]
    specs += [
        _Spec(
            "inquiry",
            "investigation",
            4 + i,
            _plain(
                started_at=lambda r, a: _iso(a),
                ended_at=lambda r, a: _iso(a + timedelta(hours=1)),
                place="询问室",
                inquirers=lambda r, a: _people(r, 2),
                interviewee="王某",
                interviewee_id="130600199001011234",
                interviewee_details=lambda r, a: _gap(r, "负责人"),
                relation="party",
                certificate_shown=True,
                rights_told=True,
                transcript="问：……答：……",
                confirmation="self_read",
                signature="signed",
            ),
            ("officer", "interviewee"),
        )
        for i in range(3)
    ]
    specs += [
        _Spec("evidence_preservation_notice", "investigation", 5, _plain(
            document_no="罚保〔2026〕1号", party="某药店", reason="证据可能灭失", legal_basis="行政处罚法第五十六条",
            items=["进销存账册"], storage_place="本局", storage_method="removed",
            preserved_at=lambda r, a: _iso(a), handle_by=lambda r, a: _day(a + timedelta(days=r.choice((7, 9, 12)))),
        ), ("officer", "party")),
        _Spec("av_consent", "investigation", 3, _plain(
            told_at=lambda r, a: _iso(a), party="某药店", activity="现场检查", party_told=True, secrets=["none"],
            consent="not_applicable",
        ), ("officer", "party")),
        _Spec("document_scan", "investigation", 6, _plain(description="处方复印件", pages=3), (), "application/pdf"),
        _Spec("document_scan", "investigation", 6.1, _plain(description="销售票据", pages=2), (), "image/jpeg"),
        _Spec("investigation_report", "review", 20, _plain(
            party="某药店", party_kind="organisation", facts="串换药品", evidence=["处方", "票据"],
            violated_provisions="条例第三十八条", penalty_basis="条例第三十八条", discretion_benchmark="一般",
            recommendation="penalty", proposed_penalty_kinds=["fine"], fine_amount=lambda r, a: f"{r.choice((800, 5000, 25000))}.00",
            handler_opinion="建议罚款", department_opinion=lambda r, a: _gap(r, "同意"), reported_on=lambda r, a: _day(a),
        ), ("officer", "head")),
        _Spec("advance_notice", "review", 22, _plain(
            document_no="告〔2026〕1号", party="某药店", facts="串换药品", evidence=["处方"], legal_basis="条例第三十八条",
            proposed_decision="罚款", proposed_amount=lambda r, a: f"{r.choice((800, 5000, 25000))}.00",
            rights=["statement", "defence", "hearing"], channel="书面", deadline_days=5, issued_on=lambda r, a: _day(a),
        ), ("officer", "recipient"), "video/mp4"),
        _Spec("waiver_record", "review", 28, _plain(
            party="某药店", waived_rights=["statement", "defence"], form="written", waived_on=lambda r, a: _day(a),
        ), ("officer", "party")),
        _Spec("legal_review_opinion", "review", 30, _plain(
            received_on=lambda r, a: _day(a - timedelta(days=4)), reviewers=lambda r, a: _people(r, 1),
            review_items=["facts", "law", "discretion"], opinion_type="agree", opinion="同意",
            issued_on=lambda r, a: _day(a),
        ), ("reviewer",)),
        _Spec("collective_discussion", "review", 31, _plain(
            held_at=lambda r, a: _iso(a), place="会议室", host="局长", recorder="王某",
            attendees=lambda r, a: _people(r, 3), case_report="……", statements="……", conclusion="同意处罚",
            decision="penalty",
        ), ("attendee", "attendee", "attendee"), "audio/mpeg"),
        _Spec("penalty_decision", "review", 32, _plain(
            document_no="罚〔2026〕1号", party="某药店", party_details="统一社会信用代码……", party_kind="organisation",
            facts="串换药品", evidence=["处方"], violated_provisions="条例第三十八条", penalty_basis="条例第三十八条",
            statement_handling="放弃陈述申辩", penalty_kinds=["fine"], fine_amount=lambda r, a: f"{r.choice((800, 5000, 25000))}.00",
            payment="十五日内缴纳", payment_days=15, reconsideration_body="市人民政府", reconsideration_days=60,
            court="县人民法院", litigation_months=6, decided_on=lambda r, a: _day(a),
            party_absent=lambda r, a: r.random() < 0.3,
        ), ("head",)),
        _Spec("service_receipt", "service", 36, _plain(
            document_name="行政处罚决定书", document_no="罚〔2026〕1号", method=lambda r, a: r.choice(("direct", "direct", "mail", "lodged")),
            recipient="某药店", signed_by="王某", served_at=lambda r, a: _iso(a), place="某药店",
            servers=lambda r, a: _people(r, 2), reason="拒收", refusal_note="拒收", tracking_no="EMS1",
        ), ("server", "recipient")),
        _Spec("disclosure_record", "service", 38, _plain(
            decision_no="罚〔2026〕1号", case_name="某药店串换药品案", party="某药店", facts="串换药品", penalty="罚款",
            agency="医疗保障局", decided_on=lambda r, a: _day(a - timedelta(days=6)), channels=["portal"],
            confidentiality_reviewed=True, published_on=lambda r, a: _day(a),
        ), ("officer", "reviewer")),
        _Spec("performance_record", "service", 45, _plain(
            decision_no="罚〔2026〕1号", performance="full", paid_amount="5000.00", recorded_on=lambda r, a: _day(a),
        ), ("officer",)),
        _Spec("closing_report", "closing", 50, _plain(
            summary="已履行", outcome="performed", performance="已缴纳罚款", action_ended_on=lambda r, a: _day(a),
            handler_opinion="建议结案", reported_on=lambda r, a: _day(a),
        ), ("officer", "head")),
        _Spec("archive_registration", "closing", _ARCHIVED, _plain(
            archive_no="2026-罚-1", category="行政处罚", volume_no="1", page_count=86, retention="30y",
            action_started_on=lambda r, a: _day(a - timedelta(days=_ARCHIVED)),
            action_ended_on=lambda r, a: _day(a - timedelta(days=20)), archivist=lambda r, a: _gap(r, "档案员"),
            archived_on=lambda r, a: _day(a),
        ), ("officer",)),
        _Spec("file_index", "closing", 70, _plain(
            entries=["立案审批表", "现场笔录", "询问笔录"], page_count=86, compiled_by="档案员", compiled_on=lambda r, a: _day(a),
        ), ("officer",)),
    ]  # fmt: skip
    return specs


# --- writing it -----------------------------------------------------------------------------------


def _staff() -> list[tuple[Any, Any, list[Any]]]:
    """(agency, department, two officers) per regime, through the services."""
    from django.test.utils import override_settings

    from liuhen.org.models import Agency, Role
    from liuhen.org.services import create_agency, create_department, create_person

    out = []
    # A bench fixture: cheap password hashing (the hasher is not what is measured).
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        for index, code in enumerate(PACK_CODES):
            short = f"基准{code}"
            agency = Agency.objects.filter(short_name=short).first()
            if agency is None:
                agency = create_agency(
                    actor=None, name=f"基准测试{code}医疗保障局", short_name=short, policy_pack=code
                )
            dept = create_department(actor=None, agency=agency, name=f"基金监管科{uuid.uuid4().hex[:6]}")
            officers = [
                create_person(
                    actor=None,
                    username=f"bench-{code.lower()}-{uuid.uuid4().hex[:8]}",
                    full_name=f"测试员{code}{i}",
                    password="bench-password",
                    agency=agency,
                    department=dept,
                    roles=[Role.OFFICER],
                    certificate_no=f"33{index:02d}{i:04d}{uuid.uuid4().int % 10**6:06d}",
                )
                for i in (1, 2)
            ]
            out.append((agency, dept, officers))
    return out


def _utc(moment: datetime) -> str:
    """How Django stores an aware datetime in SQLite (naive UTC text)."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ")


class _Table:
    """Rows for one model table, inserted with a single executemany."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        # (attname, name, default) per column; a row gives attnames (foreign keys as ``*_id``).
        self.columns = [(f.attname, f.name, f.get_default()) for f in self.fields]
        self.rows: list[tuple[Any, ...]] = []
        self.inserted = 0
        self.next_id = 0

    def add(self, **values: Any) -> int:
        """One row; columns not given take their default ("" or NULL); returns the primary key."""
        self.next_id += 1
        values.setdefault("id", self.next_id)
        row = []
        for attname, name, default in self.columns:
            value = values.get(attname, default) if attname in values or name not in values else values[name]
            if isinstance(value, datetime):
                value = _utc(value)
            elif isinstance(value, uuid.UUID):
                value = value.hex
            row.append(value)
        self.rows.append(tuple(row))
        return int(values["id"])

    def insert(self, cursor: Any) -> None:
        """Write the pending rows (and forget them: memory stays bounded)."""
        if not self.rows:
            return
        table = self.model._meta.db_table
        columns = ", ".join(f'"{f.column}"' for f in self.fields)
        marks = ", ".join(["%s"] * len(self.fields))
        cursor.executemany(f'INSERT INTO "{table}" ({columns}) VALUES ({marks})', self.rows)
        self.inserted += len(self.rows)
        self.rows = []


def generate(n_cases: int, *, seed: int = 20260302) -> Generated:
    """Write ``n_cases`` cases (spread over the five regimes), bulk-inserted table by table."""
    from django.db import transaction
    from django.db.models import Max

    from liuhen.cases.models import Case, CaseHandler, Party, StageChange
    from liuhen.records.models import Record, RecordAttachment, RecordSigner
    from liuhen.vault.models import Blob

    started = time.perf_counter()
    rng = random.Random(seed)
    staff = _staff()
    specs = _template()
    stages = [stage for stage, weight in STAGE_WEIGHTS for _ in range(weight)]
    tables = {
        model: _Table(model)
        for model in (Blob, Case, CaseHandler, Party, StageChange, Record, RecordSigner, RecordAttachment)
    }
    for model, table in tables.items():
        table.next_id = model.objects.aggregate(top=Max("pk"))["top"] or 0
    cases, records, signers, attachments = (tables[m] for m in (Case, Record, RecordSigner, RecordAttachment))
    base = datetime(2026, 1, 5, 9, 0, tzinfo=CST)
    with transaction.atomic():
        for n in range(n_cases):
            if n and n % FLUSH_EVERY == 0:
                _flush(tables.values())
            agency, dept, officers = staff[n % len(staff)]
            lead = officers[0].pk
            opened = base + timedelta(days=rng.randrange(0, 200), hours=rng.randrange(0, 8))
            stage = rng.choice(stages)
            pk = cases.next_id + 1
            cases.add(
                agency_id=agency.pk, department_id=dept.pk, number=f"{agency.short_name}罚〔2026〕{pk}号",
                year=2026, sequence=pk, title=f"基准案件{pk}", case_type="penalty", procedure="general",
                source="complaint", summary="", stage=stage, branch="", created_by_id=lead, created_at=opened,
            )  # fmt: skip
            for i, officer in enumerate(officers):
                tables[CaseHandler].add(
                    case_id=pk, person_id=officer.pk, is_lead=i == 0, certificate_no=officer.certificate_no,
                    created_at=opened,
                )  # fmt: skip
            tables[Party].add(
                case_id=pk, kind="organisation", name="某药店", created_by_id=lead, created_at=opened
            )
            reached = _STAGES.index(stage)
            history = tables[StageChange]
            history.add(
                case_id=pk, from_stage="", to_stage="initiation", reason="", actor_id=lead, changed_at=opened
            )
            for step in range(1, reached + 1):
                history.add(
                    case_id=pk, from_stage=_STAGES[step - 1], to_stage=_STAGES[step], reason="", actor_id=lead,
                    changed_at=opened + timedelta(days=(2, 12, 34, 48)[step - 1]),
                )  # fmt: skip
            for spec in specs:
                if _STAGES.index(spec.stage) > reached:
                    continue
                at = opened + timedelta(days=spec.offset_days, hours=rng.random())
                content = json.dumps(
                    spec.data(rng, at), ensure_ascii=False, sort_keys=True, separators=(",", ":")
                )
                rid = records.next_id + 1
                records.add(
                    case_id=pk, record_type=spec.record_type, series=uuid.UUID(int=rid), version=1, stage=spec.stage,
                    title=spec.record_type, data=content, correction_reason="", created_by_id=lead, created_at=at,
                )  # fmt: skip
                for role in spec.signers:
                    if rng.random() < 0.04:
                        continue  # a missing signature now and then
                    signers.add(
                        record_id=rid, role=role, name="签名人", signed_at=at, refused=False, note="",
                        created_by_id=lead, created_at=at,
                    )  # fmt: skip
                if spec.media:
                    # Each file its own content, stored when it was uploaded (the upload time the
                    # AV rules read is the blob's: now and then 30 hours after the recording).
                    uploaded = at + timedelta(hours=rng.choice((0, 0, 0, 30)))
                    digest = uuid.uuid4().hex
                    blob_id = tables[Blob].add(
                        sm3=f"sm3:{digest}{digest}", sha256=f"sha256:{digest}{digest}", size=1 << 20,
                        media_type=spec.media, storage_key=f"bench/{digest}", created_at=uploaded,
                    )  # fmt: skip
                    attachments.add(
                        record_id=rid, blob_id=blob_id, filename=f"{rid}.bin", caption="",
                        created_by_id=lead, created_at=uploaded,
                    )  # fmt: skip
        _flush(tables.values())
    return Generated(
        n_cases, records.inserted, signers.inserted, attachments.inserted, time.perf_counter() - started
    )


def _flush(tables: Iterable[_Table]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for table in tables:
            table.insert(cursor)


# --- measuring ------------------------------------------------------------------------------------


_SELECT = "SELECT id, case_id, record_type, stage, created_at, data, version FROM records_record"


def select_records() -> tuple[float, int]:
    """Baseline: a plain SELECT of every record row (the columns the check reads), streamed."""
    from django.db import connection

    started = time.perf_counter()
    rows = 0
    with connection.cursor() as cursor:
        cursor.execute(_SELECT)
        for _ in cursor:
            rows += 1
    return time.perf_counter() - started, rows


def select_and_parse_records() -> float:
    """Baseline 2: the same SELECT plus parsing each record's JSON content."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(_SELECT)
        for row in cursor:
            json.loads(row[5])
    return time.perf_counter() - started


def run_check(workers: int | None = None) -> CheckResult:
    """``policy.audit.check_cases`` over every case (what ``liuhen check --all`` runs), with the SQL
    statements it issued in every process; ``workers`` as there (None: its default, 1: in-process)."""
    from liuhen.cases.models import Case
    from liuhen.policy.audit import AuditStats, check_cases

    stats = AuditStats()
    cases = findings = blocking = 0
    started, cpu = time.perf_counter(), time.process_time()
    for item in check_cases(Case.objects.all(), workers=workers, stats=stats):
        cases += 1
        findings += len(item.findings)
        blocking += sum(1 for f in item.findings if f.blocking)
    return CheckResult(
        cases, findings, blocking, stats.queries, time.perf_counter() - started, time.process_time() - cpu,
        stats.workers,
    )  # fmt: skip


def query_budget(cases: int) -> int:
    """What "no per-case queries" allows: a constant number per batch of cases, plus setup."""
    from liuhen.policy.selectors import BATCH_SIZE

    return 10 + 20 * math.ceil(max(cases, 1) / BATCH_SIZE)


def _line(label: str, result: CheckResult) -> str:
    rate = result.cases / result.seconds if result.seconds else 0
    return (
        f"  {label:<38} {result.seconds:8.2f} s  {rate:8.0f} cases/s  queries {result.queries}  "
        f"findings {result.findings} ({result.blocking} blocking)"
    )


def cpu_reference() -> str:
    """A one-line speed reference for reading the numbers across machines."""
    best = min(timeit.repeat("sum(range(10**6))", number=1, repeat=5))
    return f"sum(range(10**6)) {best * 1000:.0f} ms (a current desktop core: about 10–15 ms)"


def report(
    generated: Generated,
    serial: CheckResult,
    parallel: CheckResult,
    select_s: float,
    parse_s: float,
    runs: int,
) -> bool:
    per_case = generated.records / max(generated.cases, 1)
    budget = query_budget(serial.cases)
    best = min(serial, parallel, key=lambda r: r.seconds)
    print(
        f"\n== 合规检查 compliance check: {serial.cases} cases, {generated.records} records "
        f"({per_case:.1f}/case), {generated.signers} signatures, {generated.attachments} attachments =="
    )
    print(f"  fixture (bulk insert, not measured)    {generated.seconds:8.2f} s")
    print(f"  SELECT all records (baseline)          {select_s:8.2f} s")
    print(f"  SELECT + JSON parse (baseline)         {parse_s:8.2f} s")
    print(_line("liuhen check, in-process", serial) + f"  CPU {serial.cpu_seconds:.2f} s")
    print(_line(f"liuhen check, {parallel.workers} worker processes", parallel))
    print(f"  best of {runs} runs each, interleaved; {os.cpu_count()} CPUs; {cpu_reference()}")
    print(f"  ratio check / SELECT: {best.seconds / select_s if select_s else 0:.2f}×")
    print(f"  ratio check / SELECT + parse: {best.seconds / parse_s if parse_s else 0:.2f}×")
    print(f"  ratio in-process check / SELECT: {serial.seconds / select_s if select_s else 0:.2f}×")
    print(
        f"  ratio {parallel.workers}-worker check / SELECT: {parallel.seconds / select_s if select_s else 0:.2f}×"
    )
    same = (serial.cases, serial.findings, serial.blocking) == (
        parallel.cases,
        parallel.findings,
        parallel.blocking,
    )
    ok_time = best.seconds < TARGET_SECONDS
    ok_queries = serial.queries <= budget and parallel.queries <= budget and serial.cases == generated.cases
    print(f"  check < {TARGET_SECONDS:.0f} s: {'PASS' if ok_time else 'FAIL'} ({best.seconds:.2f} s)")
    print(f"  no per-case queries ({serial.queries} ≤ {budget}): {'PASS' if ok_queries else 'FAIL'}")
    print(f"  same findings in-process and in parallel: {'PASS' if same else 'FAIL'}")
    return ok_time and ok_queries and same


def measure_all(n_cases: int, runs: int = 3, workers: int | None = None) -> bool:
    generated = generate(n_cases)
    serial: CheckResult | None = None
    parallel: CheckResult | None = None
    select_s = parse_s = math.inf
    for _ in range(runs):
        select_s = min(select_s, select_records()[0])
        parse_s = min(parse_s, select_and_parse_records())
        result = run_check(workers=1)
        serial = result if serial is None or result.seconds < serial.seconds else serial
        result = run_check(workers=workers)
        parallel = result if parallel is None or result.seconds < parallel.seconds else parallel
    assert serial is not None and parallel is not None
    return report(generated, serial, parallel, select_s, parse_s, runs)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m liuhen.bench.checkcases")
    parser.add_argument("--cases", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=None, help="default: one per CPU (at most 8)")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liuhen.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    ok = measure_all(args.cases, args.runs, args.workers)
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
