"""Retention through the services and the database (RT-1..4): the disposal list, long-term
preservation holds, two-person approval, signed tombstones and what ``verify`` says about them.
Time travels through the ``today`` arguments; nothing sleeps."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from liuhen import cli
from liuhen.av.models import MediaItem
from liuhen.cases.models import Case
from liuhen.cases.services import take_branch
from liuhen.conftest import Org
from liuhen.core.immutability import drop_protection_sql
from liuhen.core.testing import record_data
from liuhen.ledger import signing
from liuhen.ledger.models import LedgerEntry
from liuhen.ledger.services import make_checkpoint
from liuhen.ledger.verify import verify
from liuhen.records.services import FileInput, create_record
from liuhen.retention import selectors, services, tombstones
from liuhen.retention.models import (
    ApprovalDecision,
    DisposalApproval,
    HoldReason,
    LegalHold,
    OfflineMedium,
    Tombstone,
)
from liuhen.retention.terms import add_months
from liuhen.retention.tests.conftest import Office
from liuhen.vault.models import Blob
from liuhen.vault.services import get_storage

MakeItem = Callable[..., MediaItem]


def later(months: int) -> date:
    return add_months(timezone.localdate(), months)


def due_ids(org: Org, today: date) -> set[int]:
    return {d.blob.pk for d in selectors.due_for_disposal(org.agency, today=today)}


def dispose(office: Office, blobs: list[Blob], today: date, callbacks: Callable[..., Any]) -> list[Tombstone]:
    request = services.request_disposal(
        actor=office.archivist, blobs=blobs, reason="保存期限届满", today=today
    )
    services.decide_disposal(actor=office.archivist2, request=request, decision=ApprovalDecision.APPROVE)
    services.decide_disposal(actor=office.head, request=request, decision=ApprovalDecision.APPROVE)
    with callbacks(execute=True):
        return services.execute_disposal(actor=office.archivist, request=request, today=today)


def revoked_case_with_video(org: Org, case: Case, callbacks: Callable[..., Any], *, evidence: bool) -> Blob:
    with callbacks(execute=True):
        record = create_record(
            actor=org.officer_a1,
            case=case,
            record_type="video",
            data=record_data("video", used_as_evidence=evidence),
            files=[FileInput(source=_bytes(f"case video {case.pk} {evidence}"), filename="现场.mp4")],
        )
    take_branch(actor=org.officer_a1, case=case, branch="revoked", reason="撤销立案")
    return record.attachments.get().blob


def _bytes(text: str) -> Any:
    import io

    return io.BytesIO(text.encode() * 40)


# --- RT-1 / RT-4: the disposal list ---------------------------------------------------------------


def test_rt_1_routine_av_past_six_months_is_due_and_a_held_one_is_not(
    org: Org, office: Office, make_av_item: MakeItem
) -> None:
    routine, held = make_av_item(), make_av_item()
    services.place_hold(
        actor=office.head,
        blob=held.blob,
        reason_kind=HoldReason.MASS_INCIDENT,
        reason="处置群体性事件现场录像",
    )
    assert due_ids(org, later(5)) == set()
    assert due_ids(org, later(7)) == {routine.blob.pk}
    [item] = selectors.due_for_disposal(org.agency, today=later(7))
    assert item.retention.rule == "RT-1" and "不少于 6 个月" in item.retention.explanation
    held_retention = selectors.retention_of(held.blob, org.agency)
    assert held_retention.status == "held" and "群体性事件" in held_retention.explanation


def test_rt_4_case_hold_keeps_the_case_av_until_released_by_decision(
    org: Org, office: Office, case_a: Case, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    blob = revoked_case_with_video(org, case_a, django_capture_on_commit_callbacks, evidence=False)
    assert due_ids(org, later(7)) == {blob.pk}  # not evidence, no decision: RT-1 only
    hold = services.place_hold(
        actor=org.officer_a1, case=case_a, reason_kind=HoldReason.COMPLAINT, reason="当事人对现场执法投诉"
    )
    assert due_ids(org, later(7)) == set()
    with pytest.raises(PermissionDenied):
        services.release_hold(actor=org.officer_a1, hold=hold, decision_ref="决定1号", reason="投诉已处理")
    with pytest.raises(ValidationError) as missing:
        services.release_hold(actor=office.head, hold=hold, decision_ref="", reason="")
    assert set(missing.value.message_dict) == {"decision_ref", "reason"}
    services.release_hold(
        actor=office.head, hold=hold, decision_ref="测医保决〔2026〕3号", reason="投诉已办结"
    )
    assert due_ids(org, later(7)) == {blob.pk}
    with pytest.raises(ValidationError):
        services.release_hold(actor=office.head, hold=hold, decision_ref="再次", reason="再次")
    actions = list(
        LedgerEntry.objects.filter(action__startswith="retention.").values_list("action", flat=True)
    )
    assert actions == ["retention.hold", "retention.release"]
    assert verify(blobs=False).ok


def test_rt_2_evidence_av_in_a_closed_case_waits_for_the_case_file(
    org: Org, office: Office, case_a: Case, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    blob = revoked_case_with_video(org, case_a, django_capture_on_commit_callbacks, evidence=True)
    retention = selectors.retention_of(blob, org.agency)
    assert retention.rule == "RT-2" and retention.status == "indefinite"
    assert due_ids(org, later(120)) == set()


def test_rt_4_other_important_situation_needs_a_decision_and_hold_rows_are_write_once(
    org: Org, office: Office, make_av_item: MakeItem
) -> None:
    item = make_av_item()
    with pytest.raises(ValidationError) as error:
        services.place_hold(actor=office.head, blob=item.blob, reason_kind=HoldReason.DECISION, reason="重要")
    assert "decision_ref" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.place_hold(
            actor=org.officer_b1, blob=item.blob, reason_kind=HoldReason.ASSAULT, reason="殴打"
        )
    hold = services.place_hold(
        actor=office.archivist,
        blob=item.blob,
        reason_kind=HoldReason.DECISION,
        reason="领导批示长期保存",
        decision_ref="局长办公会纪要第5期",
    )
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        LegalHold.objects.filter(pk=hold.pk).update(reason="改")
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        LegalHold.objects.filter(pk=hold.pk).delete()


def test_rt_4_offline_copy_is_recorded_with_its_digest(
    org: Org, office: Office, make_av_item: MakeItem
) -> None:
    item = make_av_item()
    hold = services.place_hold(
        actor=office.head, blob=item.blob, reason_kind=HoldReason.OBSTRUCTION, reason="当事人阻碍检查"
    )
    with pytest.raises(ValidationError) as error:
        services.record_offline_copy(actor=office.archivist, hold=hold, medium="optical_disc", label="")
    assert {"label", "package_digest"} <= set(error.value.message_dict)
    copy = services.record_offline_copy(
        actor=office.archivist,
        hold=hold,
        medium=OfflineMedium.OPTICAL_DISC,
        label="光盘 2026-001",
        package_digest=item.blob.sm3,
        package_size=item.blob.size,
        package_name="DSJ-0001.mp4",
    )
    assert copy.built_by_system is False and copy.made_by == office.archivist
    entry = LedgerEntry.objects.get(action="retention.offline_copy")
    assert item.blob.sm3 in entry.payload
    assert verify(blobs=False).ok


# --- disposal ------------------------------------------------------------------------------------


def test_rt_1_disposal_with_two_approvals_keeps_verify_green_and_a_hand_deletion_turns_it_red(
    org: Org, office: Office, make_av_item: MakeItem, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    disposed, kept = make_av_item(), make_av_item()
    storage = get_storage()
    today = later(7)
    [tombstone] = dispose(office, [disposed.blob], today, django_capture_on_commit_callbacks)
    assert not storage.exists(disposed.blob.storage_key)
    assert (tombstone.sm3, tombstone.size, tombstone.media_type) == (
        disposed.blob.sm3,
        disposed.blob.size,
        disposed.blob.media_type,
    )
    assert [a["approver"] for a in tombstone.approval_list] == [office.archivist2.pk, office.head.pk]
    assert tombstone.meta["rule"] == "RT-1" and tombstone.meta["av_items"][0]["filename"]
    assert Blob.objects.filter(pk=disposed.blob.pk).exists()  # the row is a fact and stays
    assert LedgerEntry.objects.filter(action="blob.dispose", object_id=str(tombstone.pk)).exists()
    make_checkpoint()
    report = verify()
    assert report.ok, report.problems
    assert report.disposed == 1
    assert cli.main(["verify"]) == 0
    assert due_ids(org, today) == {kept.blob.pk}  # disposed items leave the list

    storage.path(kept.blob.storage_key).unlink()  # removed by hand: no approval, no tombstone
    report = verify()
    assert [(p.kind, p.item) for p in report.problems] == [("missing", f"blob {kept.blob.sm3}")]
    assert cli.main(["verify"]) == 1


def test_rt_1_two_different_approvers_neither_the_requester(
    org: Org, office: Office, make_av_item: MakeItem, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    item = make_av_item()
    today = later(7)
    with pytest.raises(PermissionDenied):
        services.request_disposal(actor=office.head, blobs=[item.blob], reason="到期", today=today)
    request = services.request_disposal(actor=office.archivist, blobs=[item.blob], reason="到期", today=today)
    with pytest.raises(ValidationError):  # already in a pending request
        services.request_disposal(actor=office.archivist2, blobs=[item.blob], reason="到期", today=today)
    with pytest.raises(PermissionDenied, match="申请人不能审批"):
        services.decide_disposal(actor=office.archivist, request=request, decision=ApprovalDecision.APPROVE)
    with pytest.raises(PermissionDenied):
        services.decide_disposal(actor=org.officer_a1, request=request, decision=ApprovalDecision.APPROVE)
    services.decide_disposal(actor=office.archivist2, request=request, decision=ApprovalDecision.APPROVE)
    with pytest.raises(ValidationError, match="不同的人"):
        services.decide_disposal(actor=office.archivist2, request=request, decision=ApprovalDecision.APPROVE)
    with pytest.raises(ValidationError, match="两名不同的审批人"):
        services.execute_disposal(actor=office.archivist, request=request, today=today)
    assert get_storage().exists(item.blob.storage_key)
    assert selectors.request_state(request).status == "pending"
    services.decide_disposal(
        actor=office.head, request=request, decision=ApprovalDecision.REJECT, note="仍需保留"
    )
    assert selectors.request_state(request).status == "rejected"
    with pytest.raises(ValidationError):
        services.execute_disposal(actor=office.archivist, request=request, today=today)
    assert get_storage().exists(item.blob.storage_key)
    assert not Tombstone.objects.exists()


def test_rt_4_nothing_under_a_hold_or_in_an_open_case_can_be_disposed(
    org: Org,
    office: Office,
    case_a: Case,
    make_av_item: MakeItem,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    today = later(7)
    held = make_av_item()
    services.place_hold(
        actor=office.head, blob=held.blob, reason_kind=HoldReason.PETITION, reason="当事人上访"
    )
    with pytest.raises(ValidationError) as error:
        services.request_disposal(actor=office.archivist, blobs=[held.blob], reason="到期", today=today)
    assert "长期保存中，不得销毁" in str(error.value)
    with django_capture_on_commit_callbacks(execute=True):
        record = create_record(
            actor=org.officer_a1,
            case=case_a,
            record_type="video",
            data=record_data("video", used_as_evidence=False),
            files=[FileInput(source=_bytes("open case video"), filename="询问.mp4")],
        )
    in_open_case = record.attachments.get().blob
    with pytest.raises(ValidationError) as error:
        services.request_disposal(actor=office.archivist, blobs=[in_open_case], reason="到期", today=today)
    assert "尚未办结，不得销毁" in str(error.value)
    with pytest.raises(ValidationError, match="尚未届满"):
        services.request_disposal(
            actor=office.archivist, blobs=[make_av_item().blob], reason="到期", today=later(2)
        )

    # A hold placed after the approvals still stops the execution.
    late = make_av_item()
    request = services.request_disposal(actor=office.archivist, blobs=[late.blob], reason="到期", today=today)
    services.decide_disposal(actor=office.archivist2, request=request, decision=ApprovalDecision.APPROVE)
    services.decide_disposal(actor=office.head, request=request, decision=ApprovalDecision.APPROVE)
    services.place_hold(
        actor=office.head, blob=late.blob, reason_kind=HoldReason.OBJECTION, reason="当事人提出异议"
    )
    with pytest.raises(ValidationError, match="长期保存中"):
        services.execute_disposal(actor=office.archivist, request=request, today=today)
    assert get_storage().exists(late.blob.storage_key)
    assert verify().ok


def test_rt_1_verify_rejects_a_tombstone_without_two_approvals(
    org: Org, office: Office, make_av_item: MakeItem, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    item = make_av_item()
    [tombstone] = dispose(office, [item.blob], later(7), django_capture_on_commit_callbacks)
    assert verify().ok
    approval = DisposalApproval.objects.filter(request=tombstone.request).order_by("pk").last()
    assert approval is not None
    with connection.cursor() as cursor:  # an attacker removes one approval behind the application
        for sql in drop_protection_sql(connection.vendor, "retention_disposalapproval"):
            cursor.execute(sql)
        cursor.execute("DELETE FROM retention_disposalapproval WHERE id = %s", [approval.pk])
    report = verify()
    kinds = {(p.kind, p.item) for p in report.problems}
    assert ("tombstone", f"blob {item.blob.sm3}") in kinds
    assert ("missing", f"blob {item.blob.sm3}") in kinds  # the absence is no longer explained
    assert ("missing", f"retention.disposalapproval:{approval.pk}") in kinds


def test_rt_1_verify_rejects_a_tombstone_signed_with_another_key(
    org: Org,
    office: Office,
    make_av_item: MakeItem,
    django_capture_on_commit_callbacks: Callable[..., Any],
    tmp_path: Path,
) -> None:
    item = make_av_item()
    [tombstone] = dispose(office, [item.blob], later(7), django_capture_on_commit_callbacks)
    agency_key = signing.load_public_key(Path(settings.LIUHEN_KEYS_DIR) / "agency-sm2.pub")
    assert tombstones.tombstone_problems(tombstone, item.blob, agency_key) == []
    tombstones.sign(tombstone, signing.load_or_create_key(tmp_path / "attacker"))
    problems = tombstones.tombstone_problems(tombstone, item.blob, agency_key)
    assert any("other than the agency key" in p for p in problems)
    tombstone.size += 1  # and a tombstone that no longer describes its blob
    assert any(
        "does not describe its blob" in p for p in tombstones.tombstone_problems(tombstone, item.blob, None)
    )


def test_rt_1_cli_lists_what_is_due(
    org: Org, office: Office, make_av_item: MakeItem, capsys: pytest.CaptureFixture[str]
) -> None:
    item = make_av_item()
    assert cli.main(["retention", "--due", "--today", later(7).isoformat()]) == 0
    out = capsys.readouterr().out
    assert item.blob.sm3 in out and "RT-1" in out and "到期 1 项" in out
    assert cli.main(["retention", "--due", "--today", later(1).isoformat()]) == 0
    assert "到期 0 项" in capsys.readouterr().out


def test_rt_4_offline_copy_built_as_a_case_package(
    org: Org, office: Office, case_a: Case, settings: Any, tmp_path: Path
) -> None:
    """With ``build`` the system writes the case package (liuhen.exports) and records its SM3."""
    from liuhen.core.canonical import new_hash

    settings.LIUHEN_HOME = tmp_path / "home"
    hold = services.place_hold(
        actor=org.officer_a1, case=case_a, reason_kind=HoldReason.OBSTRUCTION, reason="当事人拒绝检查"
    )
    copy = services.record_offline_copy(
        actor=org.officer_a1, hold=hold, medium=OfflineMedium.OPTICAL_DISC, label="光盘 2026-002", build=True
    )
    package = Path(copy.package_name)
    assert copy.built_by_system and package.is_file() and package.parent == tmp_path / "home" / "offline"
    digest = new_hash("sm3")
    digest.update(package.read_bytes())
    assert copy.package_digest == f"sm3:{digest.hexdigest()}" and copy.package_size == package.stat().st_size
    assert LedgerEntry.objects.filter(action="case.export", case_id=case_a.pk).exists()
    assert verify(blobs=False).ok


@pytest.mark.parametrize("verb", ["UPDATE", "DELETE"])
def test_rt_4_every_retention_table_is_write_once(org: Org, case_a: Case, verb: str) -> None:
    """Holds, releases, copies, requests, items, approvals and tombstones refuse direct SQL (AC-4)."""
    from liuhen.retention.testing import RETENTION_TABLES, populate_retention

    populate_retention(org, case_a)
    make_checkpoint()
    assert verify().ok
    for table, column in RETENTION_TABLES.items():
        sql = f"UPDATE {table} SET {column} = {column}" if verb == "UPDATE" else f"DELETE FROM {table}"
        with (
            pytest.raises(DatabaseError, match="write-once"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
