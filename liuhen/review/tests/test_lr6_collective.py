"""LR-6 (HY-FS 第十条): objection → re-review → collective study, with DC-3 / DC-5 collective
discussion records (attendees, each speaker, conclusion, every signature, designated room, AV)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase
from django.utils import timezone

from liuhen.cases.models import Case, Stage
from liuhen.cases.services import change_stage
from liuhen.core.testing import record_data
from liuhen.ledger.models import LedgerEntry
from liuhen.records.models import Record, SignerRole
from liuhen.records.services import FileInput, SignerInput, create_record
from liuhen.review import selectors, services
from liuhen.review.models import CollectiveDecision, ObjectionRequest, ReReview
from liuhen.review.testing import (
    Bureau,
    attendees,
    designated_room,
    hold,
    make_decision,
    reviewed,
    speeches,
    to_collective,
    video_file,
)
from liuhen.vault.services import get_storage


def _objected_twice(b: Bureau, case: Case) -> tuple[Record, object]:
    reviewed(b, case, opinion="investigate")
    first = selectors.latest_opinion(case)
    assert first is not None
    objection = services.object_to_opinion(actor=b.officer, opinion_record=first, reason="证据已充分。")
    services.re_review(actor=b.reviewer, objection=objection, opinion_type="investigate", text="维持。")
    second = selectors.latest_opinion(case)
    assert second is not None
    again = services.object_to_opinion(actor=b.officer, opinion_record=second, reason="仍有异议。")
    return second, again


def test_lr_6_investigate_then_re_review_then_collective_overrides_end_to_end(
    hy: Bureau, major_case: Case
) -> None:
    """Acceptance: an "investigate further" opinion sends the case back to investigation; a
    re-review and then a collective discussion can override, with all signatures recorded."""
    reviewed(hy, major_case, opinion="investigate")
    major_case.refresh_from_db()
    assert major_case.stage == Stage.INVESTIGATION
    gate = selectors.decision_gate(major_case)
    assert not gate.allowed and "补充调查" in gate.message and "集体研究" in gate.message

    # The department objects: a re-review is asked for (HY-FS 第十条第一句).
    first = selectors.latest_opinion(major_case)
    assert first is not None
    objection = services.object_to_opinion(actor=hy.officer, opinion_record=first, reason="证据已充分。")
    assert objection.request == ObjectionRequest.RE_REVIEW
    assert selectors.disagreement_of(major_case).next_action == "re_review"

    # The legal office re-reviews: a new opinion record, signed, marked 重新审核; still disagreeing.
    rr = services.re_review(
        actor=hy.reviewer, objection=objection, opinion_type="investigate", text="涉案金额依据不足，维持。"
    )
    assert rr.record.fields["review_kind"] == "re_review"
    assert rr.record.fields["objection"] == "证据已充分。"
    assert rr.record.signers.filter(role=SignerRole.REVIEWER, person=hy.reviewer).exists()
    assert selectors.latest_opinion(major_case) == rr.record
    assert not selectors.decision_gate(major_case).allowed

    # Still disagreeing: collective study (HY-FS 第十条第二句).
    again = services.object_to_opinion(actor=hy.officer, opinion_record=rr.record, reason="仍有异议。")
    assert again.request == ObjectionRequest.COLLECTIVE
    assert selectors.disagreement_of(major_case).next_action == "collective"
    decision = hold(hy, again)

    record = decision.record
    data = record.fields
    names = [a.name for a in attendees(hy)]
    assert [a["name"] for a in data["attendees"]] == names
    for speech in speeches(hy):
        assert f"{speech.speaker}：{speech.statement}" in data["statements"]
    assert data["conclusion"].startswith("经集体研究") and data["decision"] == "penalty"
    assert data["designated_room"] is True and data["place"] == decision.room.name
    signed = [s.name for s in record.signers.filter(role=SignerRole.ATTENDEE, refused=False)]
    assert sorted(signed) == sorted(names)  # every attendee signed
    assert record.signers.filter(person=hy.head, role=SignerRole.ATTENDEE).exists()
    assert decision.av_attachment.record_id == record.pk
    assert decision.av_attachment.blob.media_type == "video/mp4"
    assert LedgerEntry.objects.filter(action="review.collective").exists()

    gate = selectors.decision_gate(major_case)
    assert gate.allowed and gate.override == record and "集体研究" in gate.message
    assert selectors.disagreement_of(major_case).next_action == ""
    # The department takes the case back to 审查决定 and decides.
    change_stage(actor=hy.officer, case=major_case, to_stage=Stage.REVIEW, reason="经集体研究决定作出处罚。")
    make_decision(hy, major_case, fine_amount="25000")


def test_lr_6_a_re_review_that_agrees_opens_the_decision(hy: Bureau, major_case: Case) -> None:
    reviewed(hy, major_case, opinion="correct_law")
    first = selectors.latest_opinion(major_case)
    assert first is not None
    objection = services.object_to_opinion(actor=hy.officer, opinion_record=first, reason="法律适用无误。")
    with pytest.raises(ValidationError, match="重大执法决定"):
        make_decision(hy, major_case, fine_amount="25000")
    services.re_review(
        actor=hy.reviewer, objection=objection, opinion_type="agree", text="经重新审核，同意。"
    )
    assert selectors.decision_gate(major_case).allowed
    make_decision(hy, major_case, fine_amount="25000")


def test_lr_6_objection_rules(hy: Bureau, major_case: Case) -> None:
    reviewed(hy, major_case, opinion="agree")
    agree = selectors.latest_opinion(major_case)
    assert agree is not None
    with pytest.raises(ValidationError, match="无需提出异议"):
        services.object_to_opinion(actor=hy.officer, opinion_record=agree, reason="x")


def test_lr_6_who_may_object_and_re_review(hy: Bureau, major_case: Case) -> None:
    reviewed(hy, major_case, opinion="supplement")
    first = selectors.latest_opinion(major_case)
    assert first is not None
    with pytest.raises(PermissionDenied):
        services.object_to_opinion(actor=hy.outsider, opinion_record=first, reason="x")
    with pytest.raises(ValidationError, match="写明"):
        services.object_to_opinion(actor=hy.officer, opinion_record=first, reason=" ")
    objection = services.object_to_opinion(actor=hy.officer, opinion_record=first, reason="材料已齐全。")
    with pytest.raises(ValidationError, match="已对该审核意见"):
        services.object_to_opinion(actor=hy.officer2, opinion_record=first, reason="再次")
    with pytest.raises(PermissionDenied):
        services.re_review(actor=hy.officer, objection=objection, opinion_type="agree", text="同意")
    # Collective study straight after the first opinion is not what HY-FS 第十条 allows.
    with pytest.raises(ValidationError, match="重新审核"):
        hold(hy, objection)
    services.re_review(actor=hy.reviewer, objection=objection, opinion_type="supplement", text="仍缺材料。")
    with pytest.raises(ValidationError, match="已重新审核"):
        services.re_review(actor=hy.reviewer, objection=objection, opinion_type="agree", text="同意")
    assert ReReview.objects.count() == 1


def test_lr_6_a_collective_study_that_does_not_decide_the_penalty_keeps_it_blocked(
    hy: Bureau, major_case: Case
) -> None:
    reviewed(hy, major_case, opinion="investigate")
    to_collective(hy, major_case, decision="further_investigation")
    assert not selectors.decision_gate(major_case).allowed


def test_lr_6_a_plain_collective_discussion_record_does_not_override(hy: Bureau, major_case: Case) -> None:
    """Only the LR-6 procedure (re-review first) overrides; a record typed in does not."""
    reviewed(hy, major_case, opinion="correct_law")
    create_record(
        actor=hy.officer,
        case=major_case,
        record_type="collective_discussion",
        data=record_data("collective_discussion", decision="penalty", conclusion="维持原处理意见。"),
        signers=[
            SignerInput(role="attendee", name="杨局长", person=hy.head),
            *(SignerInput(role="attendee", name=n) for n in ("孙凯", "于法")),
        ],
    )
    assert not selectors.decision_gate(major_case).allowed


def test_lr_6_override_needs_every_signature_on_the_current_version(hy: Bureau, major_case: Case) -> None:
    """A later version of the discussion record without the attendees' signatures no longer overrides."""
    from liuhen.records.services import correct_record

    reviewed(hy, major_case, opinion="investigate")
    decision = to_collective(hy, major_case)
    assert selectors.decision_gate(major_case).allowed
    with TestCase.captureOnCommitCallbacks(execute=True):
        correct_record(
            actor=hy.head,
            record=decision.record,
            data={**decision.record.fields, "conclusion": "更正：决定罚款25000元。"},
            reason="更正笔误",
        )
    assert not selectors.decision_gate(major_case).allowed


def test_dc_3_collective_discussion_lists_attendees_and_speakers(hy: Bureau, major_case: Case) -> None:
    _, objection = _objected_twice(hy, major_case)
    with pytest.raises(ValidationError) as err:
        hold(hy, objection, speeches=[services.Speech("路人甲", "我有意见。")])
    assert "发言人不在参加人员中" in str(err.value)
    with pytest.raises(ValidationError, match="不少于三人"):
        hold(hy, objection, attendees=attendees(hy)[:2])
    no_head = [a for a in attendees(hy) if a.person != hy.head]
    with pytest.raises(ValidationError, match="机关负责人"):
        hold(hy, objection, attendees=no_head, host=no_head[0].name)
    with pytest.raises(ValidationError, match="发言"):
        hold(hy, objection, speeches=[])
    with pytest.raises(ValidationError, match="讨论结论"):
        hold(hy, objection, conclusion=" ")
    assert not CollectiveDecision.objects.exists()


def test_dc_5_collective_discussion_in_a_designated_room(hy: Bureau, major_case: Case) -> None:
    _, objection = _objected_twice(hy, major_case)
    room = designated_room(hy, "二楼小会议室")
    services.designate_room(actor=hy.head, name="二楼小会议室", withdrawn=True)
    with pytest.raises(ValidationError, match="指定的场所"):
        hold(hy, objection, room=room)
    with pytest.raises(PermissionDenied):
        services.designate_room(actor=hy.officer, name="办公室")
    decision = hold(hy, objection)
    assert decision.room.name == "三楼合议室"


def test_dc_5_collective_discussion_needs_av_that_exists(hy: Bureau, major_case: Case) -> None:
    _, objection = _objected_twice(hy, major_case)
    with pytest.raises(ValidationError, match="全程录音录像"):
        hold(hy, objection, av_files=[])
    with pytest.raises(ValidationError, match="不是可用的录像或录音"):
        hold(hy, objection, av_files=[FileInput(source=io.BytesIO(b"minutes"), filename="纪要.txt")])
    now = timezone.now()

    def av_record(content: bytes, start_offset: int, end_offset: int) -> Record:
        with TestCase.captureOnCommitCallbacks(execute=True):
            return create_record(
                actor=hy.officer,
                case=major_case,
                record_type="video",
                data=record_data(
                    "video",
                    description="集体讨论全程录像",
                    recorded_at=(now + timedelta(minutes=start_offset)).isoformat(),
                    ended_at=(now + timedelta(minutes=end_offset)).isoformat(),
                ),
                files=[video_file("讨论录像.mp4", content)],
            )

    early = av_record(b"an earlier recording " * 40, -120, -60)
    with pytest.raises(ValidationError, match="未覆盖"):
        hold(hy, objection, av_record=early)
    covering = av_record(b"the deliberation itself " * 40, -30, 30)
    blob = covering.attachments.get().blob
    path = get_storage().path(blob.storage_key)  # type: ignore[attr-defined]
    saved = path.read_bytes()
    path.unlink()  # the file is gone from the vault: the AV does not exist
    try:
        with pytest.raises(ValidationError, match="文件缺失"):
            hold(hy, objection, av_record=covering)
    finally:
        path.write_bytes(saved)
    decision = hold(hy, objection, av_record=covering)
    assert decision.av_attachment.blob == blob
    assert blob.sm3 in decision.record.fields["av_reference"]


def test_lr_6_the_retained_materials_hold_the_re_review_and_the_collective_record(
    hy: Bureau, major_case: Case
) -> None:
    from liuhen.review.bundle import build_bundle

    submission, _ = reviewed(hy, major_case, opinion="investigate")
    decision = to_collective(hy, major_case)
    bundle = build_bundle(hy.reviewer, submission, render=lambda record: f"PDF {record.pk}".encode())
    names = [f["name"] for f in bundle.files]
    assert "03_法制审核意见书.pdf" in names
    assert "03_法制审核意见书_重新审核_1.pdf" in names
    assert "03_集体讨论记录_2.pdf" in names
    collective = next(f for f in bundle.files if f["name"] == "03_集体讨论记录_2.pdf")
    assert collective["record_id"] == decision.record_id
