"""Signed tombstones of disposed blobs, and the check ``liuhen verify`` runs on each.

The signature is SM2 with the agency key over :func:`statement`: the tombstone's fields as
canonical JSON (digests, size, media type, storage key, metadata, approvals, who and when). A
tombstone is valid only when the signature verifies with the agency key, it describes its blob row
exactly, the blob is an item of its request, and the approvals it lists are the request's approval
rows: at least two approving people, all different, none of them the requester, and nobody refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from liuhen.core.canonical import canonical_json
from liuhen.ledger import signing
from liuhen.ledger.services import iso_utc
from liuhen.retention.models import ApprovalDecision, DisposalApproval, DisposalItem, Tombstone
from liuhen.vault.models import Blob

STATEMENT_HEADER = "liuhen-tombstone/v1"
REQUIRED_APPROVALS = 2


def statement(tombstone: Tombstone) -> bytes:
    """The bytes the agency key signs."""
    return canonical_json(
        {
            "format": STATEMENT_HEADER,
            "blob": tombstone.blob_id,
            "request": tombstone.request_id,
            "sm3": tombstone.sm3,
            "sha256": tombstone.sha256,
            "size": tombstone.size,
            "media_type": tombstone.media_type,
            "storage_key": tombstone.storage_key,
            "metadata": tombstone.metadata,
            "approvals": tombstone.approvals,
            "disposed_by": tombstone.disposed_by_id,
            "disposed_at": iso_utc(tombstone.disposed_at),
        }
    )


def approval_entry(approval: DisposalApproval) -> dict[str, Any]:
    return {
        "approval": approval.pk,
        "approver": approval.approver_id,
        "label": approval.approver.ledger_label(),
        "decision": approval.decision,
        "decided_at": iso_utc(approval.decided_at),
    }


def approvals_json(approvals: list[DisposalApproval]) -> str:
    return canonical_json([approval_entry(a) for a in approvals]).decode("utf-8")


def sign(tombstone: Tombstone, key: signing.AgencyKey) -> None:
    tombstone.algorithm = key.algorithm
    tombstone.key_id = key.key_id
    tombstone.public_key = key.public_key.hex()
    tombstone.signature = key.sign(statement(tombstone)).hex()


def approval_problems(
    listed: list[dict[str, Any]], rows: list[DisposalApproval], requester_id: int | None
) -> list[str]:
    """Why the approvals do not authorise a disposal (empty: they do)."""
    problems: list[str] = []
    refused = [r for r in rows if r.decision != ApprovalDecision.APPROVE]
    if refused:
        problems.append("销毁申请有不同意的审批意见 a reviewer refused the disposal")
    approving: set[int | None] = {r.approver_id for r in rows if r.decision == ApprovalDecision.APPROVE}
    approving.discard(requester_id)
    if len(approving) < REQUIRED_APPROVALS:
        problems.append(
            f"同意销毁的审批人不足 {REQUIRED_APPROVALS} 人（不含申请人） fewer than two approvals by people other "
            "than the requester"
        )
    by_pk = {r.pk: r for r in rows}
    listed_people: set[Any] = set()
    for entry in listed:
        pk = entry.get("approval") if isinstance(entry, dict) else None
        row = by_pk.get(pk) if isinstance(pk, int) else None
        if row is None or approval_entry(row) != {**entry, "label": row.approver.ledger_label()}:
            problems.append("凭证所列审批与审批记录不符 listed approval does not match the approval rows")
            break
        listed_people.add(row.approver_id)
    listed_people.discard(requester_id)
    if len(listed_people) < REQUIRED_APPROVALS:
        problems.append("凭证所列同意销毁的审批人不足两人 the tombstone lists fewer than two approvals")
    return problems


def tombstone_problems(tombstone: Tombstone, blob: Blob, agency_public_key: bytes | None) -> list[str]:
    problems: list[str] = []
    try:
        public_key = bytes.fromhex(tombstone.public_key)
        signature = bytes.fromhex(tombstone.signature)
    except ValueError:
        public_key, signature = b"", b""
    if not signing.verify_signature(public_key, statement(tombstone), signature, tombstone.algorithm):
        problems.append("销毁凭证签名无效 bad tombstone signature")
    elif agency_public_key is not None and public_key != agency_public_key:
        problems.append("销毁凭证不是本机关密钥签名 tombstone signed by a key other than the agency key")
    described = (tombstone.sm3, tombstone.sha256, tombstone.size, tombstone.media_type, tombstone.storage_key)
    if described != (blob.sm3, blob.sha256, blob.size, blob.media_type, blob.storage_key):
        problems.append("销毁凭证与证据文件记录不符 tombstone does not describe its blob")
    if not DisposalItem.objects.filter(request_id=tombstone.request_id, blob_id=blob.pk).exists():
        problems.append("文件不在所引用的销毁申请中 blob is not an item of the disposal request")
    try:
        listed = tombstone.approval_list
    except ValueError:
        listed = []
    if not isinstance(listed, list):
        listed = []
    rows = list(
        DisposalApproval.objects.filter(request_id=tombstone.request_id)
        .select_related("approver")
        .order_by("pk")
    )
    problems.extend(approval_problems(listed, rows, tombstone.request.requested_by_id))
    for row in rows:
        if row.decided_at > tombstone.disposed_at:
            problems.append("审批晚于销毁 an approval is dated after the disposal")
            break
    return problems


def check_all(agency_public_key: bytes | None) -> Iterator[tuple[int, str, list[str]]]:
    """``(blob id, item name, problems)`` for every tombstone."""
    for tombstone in (
        Tombstone.objects.select_related("blob", "request").order_by("pk").iterator(chunk_size=500)
    ):
        yield (
            tombstone.blob_id,
            f"blob {tombstone.blob.sm3}",
            tombstone_problems(tombstone, tombstone.blob, agency_public_key),
        )


__all__ = ["REQUIRED_APPROVALS", "approval_problems", "check_all", "sign", "statement", "tombstone_problems"]
