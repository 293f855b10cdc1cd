"""Writes for retention (RT-1..5): long-term preservation holds and their release, the record of an
offline copy, and disposal — request, two-person approval, execution with signed tombstones.

Every service validates first (Chinese messages), then writes its write-once row and its ledger
entry (with the row's sealed content) in one transaction. A disposal removes a file from the
storage only after the transaction holding its tombstone commits; nothing under a hold or used in
an open case can be requested or disposed, and the execution checks that again.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from liuhen.cases.models import Case
from liuhen.core.canonical import canonical_json, tagged
from liuhen.core.sealing import sealed_content
from liuhen.ledger import services as ledger
from liuhen.ledger import signing
from liuhen.org.models import Person
from liuhen.retention import selectors, tombstones
from liuhen.retention.config import retention_config_for
from liuhen.retention.models import (
    HOLD_REASON_ITEMS,
    ApprovalDecision,
    DisposalApproval,
    DisposalItem,
    DisposalRequest,
    HoldReason,
    HoldRelease,
    LegalHold,
    OfflineCopy,
    OfflineMedium,
    Tombstone,
)
from liuhen.retention.terms import Retention, Status, compute_retention
from liuhen.vault.models import Blob
from liuhen.vault.services import get_storage
from liuhen.vault.storage import BlobBusy

log = logging.getLogger(__name__)


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


# --- holds (RT-4) ------------------------------------------------------------------------------


def hold_citation(hold: LegalHold) -> str:
    config = retention_config_for(hold.agency.policy_pack)
    return f"{config.long_term_citation}{HOLD_REASON_ITEMS.get(hold.reason_kind, '')}"


def place_hold(
    *,
    actor: Person,
    reason_kind: str,
    reason: str,
    case: Case | None = None,
    blob: Blob | None = None,
    decision_ref: str = "",
    now: datetime | None = None,
) -> LegalHold:
    """Long-term preservation of a case's materials (or one stored item) for an RT-4 situation."""
    if (case is None) == (blob is None):
        raise ValidationError("请指定一个案件或一个文件。")
    errors: dict[str, list[str]] = {}
    if reason_kind not in HoldReason.values:
        errors["reason_kind"] = ["请选择长期保存的情形。"]
    if not reason.strip():
        errors["reason"] = ["请填写事由。"]
    if reason_kind == HoldReason.DECISION and not decision_ref.strip():
        errors["decision_ref"] = ["“其他重要情况”须经决定，请填写决定文号或记录。"]
    if errors:
        raise ValidationError(errors)
    agency = case.agency if case is not None else actor.agency
    if agency is None or not selectors.can_place_hold(actor, case, agency.pk):
        raise PermissionDenied("无权采取长期保存措施。")
    if blob is not None and not selectors.agency_blobs(agency).filter(pk=blob.pk).exists():
        raise ValidationError("该文件不属于本机关或已销毁。")
    with transaction.atomic():
        hold = LegalHold(
            agency=agency,
            case=case,
            blob=blob,
            reason_kind=reason_kind,
            reason=reason.strip(),
            decision_ref=decision_ref.strip(),
            placed_by=actor,
            placed_at=_now(now),
        )
        hold.save(force_insert=True)
        ledger.append(
            actor=actor,
            action="retention.hold",
            obj=hold,
            case_id=case.pk if case is not None else None,
            payload={"content": sealed_content(hold), "citation": hold_citation(hold)},
        )
    return hold


def release_hold(
    *, actor: Person, hold: LegalHold, decision_ref: str, reason: str, now: datetime | None = None
) -> HoldRelease:
    """Ends a hold — only by decision, with its reason (the head decides)."""
    if not selectors.can_release_hold(actor, hold):
        raise PermissionDenied("解除长期保存须由机关负责人决定。")
    errors: dict[str, list[str]] = {}
    if not decision_ref.strip():
        errors["decision_ref"] = ["请填写解除决定的文号或记录。"]
    if not reason.strip():
        errors["reason"] = ["请填写解除理由。"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = LegalHold.objects.select_for_update().get(pk=hold.pk)
        if HoldRelease.objects.filter(hold=locked).exists():
            raise ValidationError("该长期保存措施已解除。")
        release = HoldRelease(
            hold=locked,
            decision_ref=decision_ref.strip(),
            reason=reason.strip(),
            released_by=actor,
            released_at=_now(now),
        )
        release.save(force_insert=True)
        ledger.append(
            actor=actor,
            action="retention.release",
            obj=release,
            case_id=hold.case_id,
            payload={"content": sealed_content(release)},
        )
    return release


@dataclass(frozen=True)
class PackageInfo:
    name: str
    digest: str
    size: int | None


def _build_package(actor: Person, hold: LegalHold) -> PackageInfo:
    """The case package of the hold's case (``liuhen.exports``), written under
    ``LIUHEN_HOME/offline/`` for burning to disc or copying to removable media."""
    from liuhen.exports.services import build_case_package

    if hold.case is None:
        raise ValidationError("只有案件的长期保存可由系统生成案卷包；单个文件请填写包摘要。")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    out = Path(settings.LIUHEN_HOME) / "offline" / f"hold-{hold.pk}-case-{hold.case.pk}-{stamp}.zip"
    result = build_case_package(actor=actor, case=hold.case, out_path=out)
    return PackageInfo(name=os.fspath(result.path), digest=result.zip_sm3, size=result.size)


def record_offline_copy(
    *,
    actor: Person,
    hold: LegalHold,
    medium: str,
    label: str,
    package_digest: str = "",
    package_size: int | None = None,
    package_name: str = "",
    note: str = "",
    build: bool = False,
    now: datetime | None = None,
) -> OfflineCopy:
    """Record that an offline copy of the hold's materials was made (光盘 / 移动存储介质): the medium,
    its label, who made it and the digest of the package on it. With ``build`` the system writes
    the case package itself (``liuhen.exports``) and records its SM3; otherwise the digest of the
    package the operator wrote is given."""
    if not (selectors.can_place_hold(actor, hold.case, hold.agency_id)):
        raise PermissionDenied("无权登记离线副本。")
    errors: dict[str, list[str]] = {}
    if medium not in OfflineMedium.values:
        errors["medium"] = ["请选择介质。"]
    if not label.strip():
        errors["label"] = ["请填写介质标签（如光盘编号）。"]
    if not build and not package_digest.strip().startswith(("sm3:", "sha256:")):
        errors["package_digest"] = ["请填写包的摘要（sm3:… 或 sha256:…），或选择由系统生成案卷包。"]
    if errors:
        raise ValidationError(errors)
    if HoldRelease.objects.filter(hold=hold).exists():
        raise ValidationError("该长期保存措施已解除。")
    info = (
        _build_package(actor, hold)
        if build
        else PackageInfo(package_name.strip(), package_digest.strip(), package_size)
    )
    with transaction.atomic():
        copy = OfflineCopy(
            hold=hold,
            medium=medium,
            label=label.strip(),
            package_name=info.name,
            package_digest=info.digest,
            package_size=info.size,
            built_by_system=build,
            note=note.strip(),
            made_by=actor,
            made_at=_now(now),
        )
        copy.save(force_insert=True)
        ledger.append(
            actor=actor,
            action="retention.offline_copy",
            obj=copy,
            case_id=hold.case_id,
            payload={"content": sealed_content(copy)},
        )
    return copy


# --- disposal ----------------------------------------------------------------------------------


def _refusal(blob: Blob, retention: Retention, today: date) -> str | None:
    """Why ``blob`` may not be disposed of on ``today`` (Chinese), or ``None``."""
    name = f"文件 {blob.short_digest}"
    if retention.status == Status.HELD:
        return f"{name} 处于长期保存中，不得销毁：{retention.explanation}"
    if retention.status == Status.OPEN_CASE:
        return f"{name} 所在案件尚未办结，不得销毁：{retention.explanation}"
    if retention.status == Status.INDEFINITE:
        return f"{name} 无到期日，不得销毁：{retention.explanation}"
    if not retention.due(today):
        assert retention.expires_on is not None
        return f"{name} 保存期限至 {retention.expires_on.isoformat()} 尚未届满，不得销毁：{retention.explanation}"
    return None


def request_disposal(
    *,
    actor: Person,
    blobs: Sequence[Blob],
    reason: str,
    today: date | None = None,
    now: datetime | None = None,
) -> DisposalRequest:
    if not selectors.can_request_disposal(actor):
        raise PermissionDenied("只有档案管理员可以提出销毁申请。")
    assert actor.agency is not None
    if not blobs:
        raise ValidationError({"blobs": ["请选择要销毁的文件。"]})
    if not reason.strip():
        raise ValidationError({"reason": ["请填写申请说明。"]})
    today = today or timezone.localdate()
    agency = actor.agency
    config = retention_config_for(agency.policy_pack)
    mine = set(
        selectors.agency_blobs(agency).filter(pk__in=[b.pk for b in blobs]).values_list("pk", flat=True)
    )
    pending = set(selectors.pending_request_blob_ids(agency))
    facts = selectors.item_facts(blobs, agency)
    problems: list[str] = []
    decided: dict[int, Retention] = {}
    for blob in blobs:
        if blob.pk not in mine:
            problems.append(f"文件 {blob.short_digest} 不属于本机关或已销毁。")
            continue
        if blob.pk in pending:
            problems.append(f"文件 {blob.short_digest} 已在待审批的销毁申请中。")
            continue
        retention = compute_retention(facts[blob.pk], config)
        refusal = _refusal(blob, retention, today)
        if refusal:
            problems.append(refusal)
        decided[blob.pk] = retention
    if problems:
        raise ValidationError({"blobs": problems})
    with transaction.atomic():
        request = DisposalRequest(
            agency=agency, reason=reason.strip(), requested_by=actor, requested_at=_now(now)
        )
        request.save(force_insert=True)
        ledger.append(
            actor=actor,
            action="retention.dispose_request",
            obj=request,
            payload={"content": sealed_content(request)},
        )
        for blob in blobs:
            retention = decided[blob.pk]
            assert retention.expires_on is not None
            item = DisposalItem(
                request=request,
                blob=blob,
                expires_on=retention.expires_on,
                rule=retention.rule,
                explanation=retention.explanation,
            )
            item.save(force_insert=True)
            ledger.append(
                actor=actor,
                action="retention.dispose_item",
                obj=item,
                payload={"content": sealed_content(item)},
            )
    return request


def decide_disposal(
    *, actor: Person, request: DisposalRequest, decision: str, note: str = "", now: datetime | None = None
) -> DisposalApproval:
    """One authorised person's approval (or refusal). Two different approvers, neither the requester."""
    if actor.pk == request.requested_by_id:
        raise PermissionDenied("申请人不能审批自己的销毁申请。")
    if not selectors.can_approve_disposal(actor, request):
        raise PermissionDenied("无权审批销毁申请（须为档案管理员或机关负责人）。")
    if decision not in ApprovalDecision.values:
        raise ValidationError({"decision": ["请选择同意或不同意。"]})
    if decision == ApprovalDecision.REJECT and not note.strip():
        raise ValidationError({"note": ["不同意时请说明理由。"]})
    with transaction.atomic():
        locked = DisposalRequest.objects.select_for_update().get(pk=request.pk)
        state = selectors.request_state(locked)
        if state.status in ("executed", "rejected"):
            raise ValidationError(f"该销毁申请{state.label}，不能再审批。")
        if DisposalApproval.objects.filter(request=locked, approver=actor).exists():
            raise ValidationError("您已审批过该申请；两名审批人须为不同的人。")
        approval = DisposalApproval(
            request=locked, approver=actor, decision=decision, note=note.strip(), decided_at=_now(now)
        )
        approval.save(force_insert=True)
        ledger.append(
            actor=actor,
            action="retention.dispose_decide",
            obj=approval,
            payload={"content": sealed_content(approval)},
        )
    return approval


def _metadata(blob: Blob, item: DisposalItem, uses: Sequence[str], retention: Retention) -> str:
    from liuhen.av.models import MediaItem
    from liuhen.records.models import RecordAttachment

    attachments = [
        {
            "attachment": a.pk,
            "record": a.record_id,
            "record_type": a.record.record_type,
            "case": a.record.case.number if a.record.case else None,
            "filename": a.filename,
        }
        for a in RecordAttachment.objects.filter(blob=blob)
        .select_related("record", "record__case")
        .order_by("pk")
    ]
    av_items = [
        {
            "item": m.pk,
            "filename": m.filename,
            "kind": m.kind,
            "recorder_no": m.recorder_no,
            "recorded_at": m.recorded_at.isoformat() if m.recorded_at else None,
        }
        for m in MediaItem.objects.filter(blob=blob).order_by("pk")
    ]
    return canonical_json(
        {
            "uses": list(uses),
            "attachments": attachments,
            "av_items": av_items,
            "stored_at": ledger.iso_utc(blob.created_at),
            "expires_on": item.expires_on,
            "rule": retention.rule,
            "explanation": retention.explanation,
        }
    ).decode("utf-8")


def execute_disposal(
    *, actor: Person, request: DisposalRequest, today: date | None = None, now: datetime | None = None
) -> list[Tombstone]:
    """Dispose of an approved request's items: a signed tombstone per blob, then (after commit) the
    files leave the storage. Refused if anything is now under a hold, in an open case or not due."""
    if not selectors.can_execute_disposal(actor, request):
        raise PermissionDenied("无权执行销毁（须为档案管理员或机关负责人）。")
    today = today or timezone.localdate()
    agency = request.agency
    config = retention_config_for(agency.policy_pack)
    key = signing.load_or_create_key(settings.LIUHEN_KEYS_DIR)
    created: list[Tombstone] = []
    with transaction.atomic():
        locked = DisposalRequest.objects.select_for_update().get(pk=request.pk)
        state = selectors.request_state(locked)
        if state.status != "approved":
            raise ValidationError(f"该销毁申请{state.label}，不能执行（须经两名不同的审批人同意）。")
        items = list(locked.items.select_related("blob").order_by("pk"))
        blobs = [i.blob for i in items]
        facts = selectors.item_facts(blobs, agency)
        problems = []
        for blob in blobs:
            refusal = _refusal(blob, compute_retention(facts[blob.pk], config), today)
            if refusal:
                problems.append(refusal)
        if problems:
            raise ValidationError({"blobs": problems})
        approvals = list(locked.approvals.select_related("approver").order_by("pk"))
        approvals_text = tombstones.approvals_json(approvals)
        disposed_at = _now(now)
        for item in items:
            blob = item.blob
            retention = compute_retention(facts[blob.pk], config)
            tombstone = Tombstone(
                blob=blob,
                request=locked,
                sm3=blob.sm3,
                sha256=blob.sha256,
                size=blob.size,
                media_type=blob.media_type,
                storage_key=blob.storage_key,
                metadata=_metadata(blob, item, [u.label for u in facts[blob.pk].uses], retention),
                approvals=approvals_text,
                disposed_by=actor,
                disposed_at=disposed_at,
            )
            tombstones.sign(tombstone, key)
            tombstone.save(force_insert=True)
            ledger.append(
                actor=actor,
                action="blob.dispose",
                obj=tombstone,
                payload={
                    "content": sealed_content(tombstone),
                    "blob": blob.sm3,
                    "statement_sm3": tagged("sm3", tombstones.statement(tombstone)),
                },
            )
            created.append(tombstone)
        keys = [t.storage_key for t in created]
        transaction.on_commit(lambda: remove_files(keys))
    return created


def remove_files(keys: Sequence[str]) -> list[str]:
    """Remove disposed files from the storage; the keys that could not be removed now (an ingest
    of the same content in flight) are returned and logged — ``liuhen retention --finish`` retries."""
    storage = get_storage()
    left: list[str] = []
    for key in keys:
        try:
            storage.remove(key)
        except (BlobBusy, OSError) as exc:
            log.warning("disposal: could not remove %s: %s", key, exc)
            left.append(key)
    return left


def finish_disposals() -> tuple[int, list[str]]:
    """Remove the files of tombstoned blobs still in the storage (a removal interrupted by a crash
    or refused while busy). Returns (removed, still left)."""
    storage = get_storage()
    keys = [k for k in Tombstone.objects.values_list("storage_key", flat=True) if storage.exists(k)]
    left = remove_files(keys)
    return len(keys) - len(left), left


__all__ = [
    "decide_disposal",
    "execute_disposal",
    "finish_disposals",
    "place_hold",
    "record_offline_copy",
    "release_hold",
    "remove_files",
    "request_disposal",
]
