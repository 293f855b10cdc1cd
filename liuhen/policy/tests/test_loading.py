"""The bulk snapshot loader (``policy.loading``) against records written through the services:
only current versions (and their own signatures and files), current parties, aware times equal to
the stored ones — the same snapshot the engine would get from per-object reads (ED-1, AR-5)."""

from __future__ import annotations

import gc
import io
import json
import pickle
from dataclasses import replace
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from liuhen.bench.checkcases import generate
from liuhen.cases.models import Case, PartyKind, Stage
from liuhen.cases.services import PartyInput, change_stage, correct_party
from liuhen.conftest import SAMPLE_RESIDENT_ID, Org, make_case
from liuhen.policy.engine import evaluate, signed_record_types
from liuhen.policy.loading import LoadedRecord, _parsed, aware, id_set, load_batch
from liuhen.policy.schema import packs_for
from liuhen.policy.selectors import _CASE_FIELDS
from liuhen.policy.snapshot import AttachmentSnap, RecordSnap, SignerSnap
from liuhen.policy.tests.engine_snaps import T0
from liuhen.records.models import Record, SignerRole
from liuhen.records.services import FileInput, SignerInput, correct_record, create_record, sign_record
from liuhen.workdays.calendar import WorkdayCalendar

pytestmark = pytest.mark.django_db


def test_current_versions_signers_files_parties_and_times(org: Org) -> None:
    case = make_case(org)
    case = change_stage(actor=org.officer_a1, case=case, to_stage=Stage.INVESTIGATION, reason="推进")
    first = create_record(
        actor=org.officer_a1,
        case=case,
        record_type="video",
        data={"description": "现场检查录像"},
        files=[FileInput(source=io.BytesIO(b"mp4-bytes"), filename="a.mp4", media_type="video/mp4")],
        signers=[],
    )
    sign_record(actor=org.officer_a1, record=first, signer=SignerInput(role=SignerRole.OFFICER, name="甲"))
    second = correct_record(
        actor=org.officer_a1, record=first, data={"description": "更正说明"}, reason="更正"
    )
    sign_record(
        actor=org.officer_a1,
        record=second,
        signer=SignerInput(role=SignerRole.WITNESS, name="乙", refused=True),
    )
    (party,) = case.parties.all()
    correct_party(
        actor=org.officer_a1,
        party=party,
        data=PartyInput(kind=PartyKind.PERSON, name="张三", id_number=SAMPLE_RESIDENT_ID),
    )
    row = type(case).objects.filter(pk=case.pk).values(*_CASE_FIELDS).get()
    (snap,) = load_batch([row], case.created_at.date())

    (record,) = snap.records
    stored = Record.objects.get(pk=second.pk)
    assert record.id == second.id and record.version == 2 and record.data == {"description": "更正说明"}
    assert record.created_at == stored.created_at and record.created_at.tzinfo is not None
    assert [(s.role, s.refused) for s in record.signers] == [("witness", True)]
    assert all(s.signed_at is not None and s.signed_at.tzinfo is not None for s in record.signers)
    # The correction's own attachment rows only (the service carries the file over), not the old one's.
    # A file's upload time is when its content reached the vault (the blob), not when this
    # version's attachment row was written (AV-7).
    own = stored.attachments.select_related("blob").get()
    assert [(a.media_type, a.size, a.created_at) for a in record.attachments] == [
        ("video/mp4", 9, own.blob.created_at)
    ]
    assert [(p.kind, p.name) for p in snap.parties] == [("person", "张三")]
    assert [e.to_stage for e in snap.stage_history] == ["initiation", "investigation"]
    assert snap.stage_history[-1].at == case.stage_changes.order_by("pk").last().changed_at  # type: ignore[union-attr]


def test_load_batch_restores_the_garbage_collector() -> None:
    assert gc.isenabled()
    load_batch([], None)  # type: ignore[arg-type]
    assert gc.isenabled()
    gc.disable()
    try:
        load_batch([], None)  # type: ignore[arg-type]
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("2026-03-02 01:00:00", "2026-03-02T01:00:00+00:00"),
        ("2026-03-02 01:00:00.123456", "2026-03-02T01:00:00.123456+00:00"),
        ("garbage", "1970-01-01T00:00:00+00:00"),
    ],
)
def test_aware_reads_sqlite_text_as_utc(raw: str, iso: str) -> None:
    assert aware(raw).isoformat() == iso


# --- lazily built records (policy.loading.LoadedRecord) -------------------------------------------


def _eager(case_id: int) -> list[RecordSnap]:
    """The case's current records read object by object through the ORM: what a plain, eager
    load gives (every signature, every file)."""
    records = Record.objects.filter(case_id=case_id).order_by("created_at", "pk")
    superseded = set(records.exclude(supersedes=None).values_list("supersedes_id", flat=True))
    out = []
    for record in records:
        if record.pk in superseded:
            continue
        signers = tuple(SignerSnap(s.role, s.refused, s.signed_at) for s in record.signers.order_by("pk"))
        attachments = tuple(
            AttachmentSnap(a.blob.media_type, a.blob.size, a.blob.created_at)
            for a in record.attachments.select_related("blob").order_by("pk")
        )
        out.append(
            RecordSnap(
                record.pk,
                record.record_type,
                record.stage,
                record.created_at,
                json.loads(record.data),
                record.version,
                signers,
                attachments,
            )
        )
    return out


def test_lazy_records_equal_an_eager_read_and_the_findings_too() -> None:
    """Generated cases of every regime (records out of primary-key order, signatures, files): each
    record built on first read equals the eager read; signatures of the types the packs read come
    with the batch (no query), others on demand (one query); the findings are the same."""
    generate(10)
    today = date(2026, 11, 30)
    rows = list(Case.objects.order_by("pk").values(*_CASE_FIELDS))
    with CaptureQueriesContext(connection) as loading:
        snapshots = load_batch(rows, today)
    # records, signatures, files, stage history, handlers, parties — and, as the generated cases
    # have audio-visual files, what the imported items and the declarations say of them.
    assert len(loading) == 8
    # Signatures come with the batch for the types some case's packs read.
    fetched = frozenset().union(*(signed_record_types(packs_for(row["agency__policy_pack"])) for row in rows))
    assert "penalty_decision" in fetched and "photo" not in fetched
    for row, snap in zip(rows, snapshots, strict=True):
        packs = packs_for(row["agency__policy_pack"])
        signed = signed_record_types(packs)
        assert signed <= fetched
        eager = _eager(snap.id)
        assert [r.id for r in snap.records] == [r.id for r in eager]
        assert all(isinstance(r, LoadedRecord) for r in snap.records)
        with CaptureQueriesContext(connection) as reads:
            for loaded, expected in zip(snap.records, eager, strict=True):
                assert (loaded.record_type, loaded.stage, loaded.version) == (
                    expected.record_type,
                    expected.stage,
                    expected.version,
                )
                assert loaded.created_at == expected.created_at and loaded.created_at.tzinfo is not None
                assert loaded.data == expected.data and loaded.attachments == expected.attachments
                if loaded.record_type in fetched:
                    assert loaded.signers == expected.signers
        assert len(reads) == 0
        with CaptureQueriesContext(connection) as on_demand:
            others = [r for r in snap.records if r.record_type not in fetched]
            for loaded, expected in zip(snap.records, eager, strict=True):
                assert loaded.signers == expected.signers
        assert len(on_demand) == len(others)
        eager_snap = replace(snap, records=tuple(eager))
        calendar = WorkdayCalendar()
        assert evaluate(snap, packs, calendar) == evaluate(eager_snap, packs, calendar)


def test_a_loaded_record_behaves_as_a_record_snapshot() -> None:
    generate(1)
    row = Case.objects.order_by("pk").values(*_CASE_FIELDS).first()
    assert row is not None
    (snap,) = load_batch([row], date(2026, 11, 30))
    record = snap.records[0]
    copy = replace(record, stage="review")
    assert copy.stage == "review" and copy.data == record.data and copy.id == record.id
    assert replace(record) == record
    assert pickle.loads(pickle.dumps(record)) == record
    assert pickle.loads(pickle.dumps(snap.records[-1])).signers == snap.records[-1].signers


@pytest.mark.parametrize(
    ("raw", "data"),
    [
        (b'{"a": 1, "b": "\\u4e2d"}', {"a": 1, "b": "中"}),
        ('{"a": [1, {"b": null}]}', {"a": [1, {"b": None}]}),
        (b' {"a": 1}\n', {"a": 1}),  # surrounding whitespace: as json.loads
        ('{"a": 1} {"b": 2}', {}),  # extra data
        (b"[1, 2]", {}),  # not an object
        (b"null", {}),
        (b"", {}),
        (b"\xff\xfe{", {}),  # not UTF-8
        (None, {}),
        (12, {}),
    ],
)
def test_stored_content_parses_as_json_loads_would(raw: object, data: dict[str, object]) -> None:
    assert _parsed({"_raw": (None, raw, None, None)}) == data


@pytest.mark.parametrize(
    ("raw", "field", "may"),
    [
        (b'{"complex_case": true}', "complex_case", True),
        (b'{"other": 1}', "complex_case", False),
        ('{"other": 1}', "complex_case", False),
        (b'{"complex\\u005fcase": true}', "complex_case", True),  # an escaped key: cannot tell
        (b'{"other": 1}', "with space", True),  # a key that could be written other ways
        (b"not json", "complex_case", False),
        (None, "complex_case", True),
    ],
)
def test_may_hold_is_false_only_when_the_key_is_certainly_absent(raw: object, field: str, may: bool) -> None:
    record = object.__new__(LoadedRecord)
    object.__setattr__(
        record,
        "__dict__",
        {"id": 1, "record_type": "x", "stage": "", "version": 1, "_raw": (None, raw, None, None)},
    )
    assert record.may_hold(field) is may
    data = record.data
    assert may or field not in data  # never False for a key that is there
    assert record.may_hold(field) is (field in data)  # once parsed: exact
    assert RecordSnap(1, "x", "", T0, {}).may_hold(field)  # a hand-built record: always True


def test_id_set_selects_those_cases() -> None:
    generate(3)
    first, *_, last = Case.objects.order_by("pk").values_list("pk", flat=True)
    chosen = Case.objects.filter(pk__in=id_set([first, last])).order_by("pk")
    assert list(chosen.values_list("pk", flat=True)) == [first, last]
    assert not Case.objects.filter(pk__in=id_set([])).exists()
