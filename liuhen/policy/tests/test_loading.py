"""The bulk snapshot loader (``policy.loading``) against records written through the services:
only current versions (and their own signatures and files), current parties, aware times equal to
the stored ones — the same snapshot the engine would get from per-object reads (ED-1, AR-5)."""

from __future__ import annotations

import gc
import io

import pytest

from liuhen.cases.models import PartyKind, Stage
from liuhen.cases.services import PartyInput, change_stage, correct_party
from liuhen.conftest import SAMPLE_RESIDENT_ID, Org, make_case
from liuhen.policy.loading import aware, load_batch
from liuhen.policy.selectors import _CASE_FIELDS
from liuhen.records.models import Record, SignerRole
from liuhen.records.services import FileInput, SignerInput, correct_record, create_record, sign_record

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
    own = stored.attachments.get()
    assert [(a.media_type, a.size, a.created_at) for a in record.attachments] == [
        ("video/mp4", 9, own.created_at)
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
