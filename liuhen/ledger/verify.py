"""``liuhen verify``: recompute everything and name every changed, missing or untracked item.

Nothing stored is trusted: not a flag, not a head pointer, not a checkpoint's own claim. Steps:
1. the hash chain: gap-free sequence, payload digests, entry hashes, prev-hash links;
2. every checkpoint: Merkle root of its prefix (streamed), SM2 signature, and that it was signed
   by the agency key on disk (so an attacker cannot re-sign with a key of their own);
3. every sealed row (records, signers, attachments, blobs, parties, …) against the content its
   ledger entry recorded, plus rows with no entry and entries whose row is gone;
4. every case's stage/branch against its write-once stage history, and every recording device's
   status/department against its write-once equipment events;
5. every blob file: present, digests and size recomputed; every vault file must be a known blob.
   A blob disposed of under retention (``liuhen.retention``) may be absent only when its tombstone
   is valid: signed by the agency key, describing the blob, with two approvals by different people
   other than the requester; any other absence is ``missing``, a bad tombstone is ``tombstone``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db.models import Model

from liuhen.cases.models import Case, StageChange
from liuhen.core.canonical import canonical_json, tagged
from liuhen.core.sealing import sealed_content, sealed_models
from liuhen.ledger import signing
from liuhen.ledger.hashing import GENESIS_PREV_HASH, MerkleFrontier, entry_hash, payload_digest
from liuhen.ledger.models import Checkpoint, LedgerEntry
from liuhen.ledger.services import header_of, iso_utc
from liuhen.vault.models import Blob
from liuhen.vault.services import get_storage


@dataclass(frozen=True)
class Problem:
    kind: str  # changed | missing | untracked | chain | checkpoint | signature | stage | state | pending | tombstone
    item: str  # e.g. "ledger#12", "records.record:5", "blob sm3:…", "file sm3/ab/cd/…"
    detail: str

    def __str__(self) -> str:
        return f"[{self.kind}] {self.item}: {self.detail}"


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    entries: int = 0
    checkpoints: int = 0
    rows: int = 0
    blobs: int = 0
    uncovered_entries: int = 0
    disposed: int = 0  # blobs absent under a valid tombstone (retention disposal)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, kind: str, item: str, detail: str) -> None:
        self.problems.append(Problem(kind, item, detail))


def _content_key(content: object) -> str:
    return tagged("sm3", canonical_json(content))


def _check_chain(report: Report, sealed: dict[tuple[str, str], str]) -> list[bytes]:
    expected_seq, prev = 1, GENESIS_PREV_HASH
    leaves: list[bytes] = []
    for entry in LedgerEntry.objects.order_by("seq").iterator(chunk_size=2000):
        item = f"ledger#{entry.seq}"
        if entry.seq != expected_seq:
            missing = (
                f"#{expected_seq}" if entry.seq == expected_seq + 1 else f"#{expected_seq}–#{entry.seq - 1}"
            )
            report.add(
                "missing", f"ledger{missing}", "账本条目缺失（序号不连续） ledger entries missing (gap)"
            )
        if payload_digest(entry.payload) != entry.payload_digest:
            report.add("changed", item, "载荷与摘要不符 payload does not match its digest")
        computed = entry_hash(header_of(entry))
        if computed != entry.entry_hash:
            report.add("changed", item, "条目哈希不符 entry hash does not match its fields")
        if entry.prev_hash != prev:
            report.add("chain", item, "与前一条目的哈希链断开 prev_hash does not link to the previous entry")
        try:
            payload = json.loads(entry.payload)
        except ValueError:
            payload = {}
        if isinstance(payload, dict) and "content" in payload:
            sealed[(entry.object_type, entry.object_id)] = _content_key(payload["content"])
        # The recomputed hash, not the stored one: a checkpoint must match what the rows say now.
        leaves.append(bytes.fromhex(computed))
        prev, expected_seq = entry.entry_hash, entry.seq + 1
        report.entries += 1
    return leaves


def _agency_public_key(report: Report) -> bytes | None:
    path = Path(settings.LIUHEN_KEYS_DIR) / "agency-sm2.pub"
    try:
        return signing.load_public_key(path)
    except (OSError, ValueError) as exc:
        report.add("missing", str(path), f"机关公钥无法读取 agency public key unreadable: {exc}")
        return None


def _check_checkpoints(report: Report, leaves: list[bytes]) -> None:
    checkpoints = list(Checkpoint.objects.order_by("tree_size"))
    report.checkpoints = len(checkpoints)
    public_key = _agency_public_key(report) if checkpoints else None
    frontier = MerkleFrontier()
    for cp in checkpoints:
        item = f"checkpoint@{cp.tree_size}"
        if cp.tree_size > len(leaves):
            report.add(
                "missing",
                item,
                f"检查点覆盖 {cp.tree_size} 条，账本仅有 {len(leaves)} 条 ledger truncated below a signed checkpoint",
            )
            continue
        while frontier.size < cp.tree_size:
            frontier.add(leaves[frontier.size])
        if frontier.root().hex() != cp.root_hash:
            report.add("checkpoint", item, "默克尔根与账本不符 Merkle root does not match the ledger")
        try:
            root_bytes = bytes.fromhex(cp.root_hash)
            cp_key = bytes.fromhex(cp.public_key)
            signature = bytes.fromhex(cp.signature)
        except ValueError:
            root_bytes, cp_key, signature = b"", b"", b""
        message = signing.checkpoint_message(cp.origin, cp.tree_size, root_bytes, iso_utc(cp.created_at))
        if not signing.verify_signature(cp_key, message, signature, cp.algorithm):
            report.add("signature", item, "签名无效 bad signature")
        elif public_key is not None and cp_key != public_key:
            report.add("signature", item, "签名密钥不是本机关密钥 signed by a key other than the agency key")
        if cp.key_id != signing.key_id_of(cp_key):
            report.add("checkpoint", item, "密钥标识与公钥不符 key id does not match the public key")
    last = checkpoints[-1].tree_size if checkpoints else 0
    report.uncovered_entries = max(0, len(leaves) - last)


def _check_sealed_rows(report: Report, sealed: dict[tuple[str, str], str]) -> None:
    for model in sealed_models():
        label = model._meta.label_lower
        seen: set[str] = set()
        for obj_pk, obj in _rows_of(model, report):
            key = (label, obj_pk)
            seen.add(obj_pk)
            report.rows += 1
            if obj is None:
                continue
            recorded = sealed.get(key)
            if recorded is None:
                report.add("untracked", f"{label}:{obj_pk}", "数据行没有账本记录 row has no ledger entry")
            elif recorded != _content_key(sealed_content(obj)):
                report.add(
                    "changed",
                    f"{label}:{obj_pk}",
                    "数据行与账本记录的内容不符 row differs from its ledger entry",
                )
        for object_type, object_id in sealed:
            if object_type == label and object_id not in seen:
                report.add(
                    "missing",
                    f"{label}:{object_id}",
                    "账本记录的数据行不存在 row recorded in the ledger is gone",
                )


def _rows_of(model: type[Model], report: Report) -> Iterator[tuple[str, Model | None]]:
    """Every row of a sealed model, in batches; a row the ORM cannot even load (a value changed
    to something of the wrong type) is reported by primary key instead of crashing the run."""
    label = model._meta.label_lower
    pks = list(model._default_manager.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(pks), 1000):
        batch = pks[start : start + 1000]
        try:
            loaded = {obj.pk: obj for obj in model._default_manager.filter(pk__in=batch)}
        except Exception:
            loaded = {}
            for pk in batch:
                try:
                    loaded[pk] = model._default_manager.get(pk=pk)
                except Exception as exc:
                    report.add("changed", f"{label}:{pk}", f"数据行无法读取 row unreadable: {exc}")
        for pk in batch:
            yield str(pk), loaded.get(pk)


def _check_stages(report: Report) -> None:
    derived: dict[int, tuple[str, str]] = {}
    for change in StageChange.objects.order_by("changed_at", "pk").iterator(chunk_size=2000):
        stage, branch = derived.get(change.case_id, ("", ""))
        derived[change.case_id] = (change.to_stage, change.branch or branch)
    for case_id, stage, branch in Case.objects.values_list("pk", "stage", "branch").iterator(chunk_size=2000):
        expected = derived.get(case_id)
        if expected is None:
            report.add("untracked", f"cases.case:{case_id}", "案件没有阶段记录 case has no stage history")
        elif (stage, branch) != expected:
            report.add(
                "stage",
                f"cases.case:{case_id}",
                f"当前阶段 {stage or '-'}/{branch or '-'} 与阶段记录 {expected[0]}/{expected[1] or '-'} 不符",
            )


def _check_devices(report: Report) -> None:
    from liuhen.equipment.models import Device
    from liuhen.equipment.selectors import replay_device

    for device in Device.objects.order_by("pk").iterator(chunk_size=500):
        item = f"equipment.device:{device.pk}"
        try:
            status, department = replay_device(device)
        except (ValueError, TypeError) as error:  # an event row altered into nonsense
            report.add("state", item, f"设备事件记录无法重放 device events cannot be replayed: {error}")
            continue
        if (status, department) != (device.status, device.department_id):
            report.add(
                "state",
                item,
                f"设备状态 {device.status}/{device.department_id or '-'} 与设备事件记录 "
                f"{status}/{department or '-'} 不符 device status does not match its event history",
            )


def _check_tombstones(report: Report) -> set[int]:
    """Every disposal tombstone; returns the ids of blobs whose absence a valid tombstone explains."""
    from liuhen.retention.models import Tombstone
    from liuhen.retention.tombstones import check_all

    if not Tombstone.objects.exists():
        return set()
    path = Path(settings.LIUHEN_KEYS_DIR) / "agency-sm2.pub"
    try:
        public_key: bytes | None = signing.load_public_key(path)
    except (OSError, ValueError):
        public_key = None  # _check_checkpoints names the unreadable key; the signature still must verify
    valid: set[int] = set()
    for blob_id, item, problems in check_all(public_key):
        for detail in problems:
            report.add("tombstone", item, detail)
        if not problems:
            valid.add(blob_id)
    return valid


def _check_blobs(report: Report, progress: Callable[[str], None] | None, disposed: set[int]) -> None:
    storage = get_storage()
    known: set[str] = set()
    for blob in Blob.objects.order_by("pk").iterator(chunk_size=2000):
        known.add(blob.storage_key)
        report.blobs += 1
        item = f"blob {blob.sm3}"
        if blob.pk in disposed:
            report.disposed += 1
            if storage.exists(blob.storage_key):
                report.add(
                    "pending",
                    item,
                    "已销毁的文件仍在证据库（运行 liuhen retention --finish） disposed file still stored",
                )
            continue
        if not storage.exists(blob.storage_key):
            report.add("missing", item, f"证据文件缺失 file missing: {blob.storage_key}")
            continue
        if progress is not None:
            progress(blob.sm3)
        sm3_digest, sha256_digest, size = storage.digest_file(blob.storage_key)
        if (sm3_digest, sha256_digest, size) != (blob.sm3, blob.sha256, blob.size):
            report.add("changed", item, "证据文件内容与摘要不符 file content does not match its digests")
    for key in storage.iter_keys():
        if key not in known:
            report.add("untracked", f"file {key}", "证据库中有未登记的文件 unknown file in the vault")
    for digest in storage.pending_digests():
        report.add(
            "pending",
            f"blob {digest}",
            "未完成的写入（重启服务将清理） unfinished ingest; restart to clean up",
        )


def verify(*, blobs: bool = True, progress: Callable[[str], None] | None = None) -> Report:
    report = Report()
    sealed: dict[tuple[str, str], str] = {}
    leaves = _check_chain(report, sealed)
    _check_checkpoints(report, leaves)
    _check_sealed_rows(report, sealed)
    _check_stages(report)
    _check_devices(report)
    disposed = _check_tombstones(report)
    if blobs:
        _check_blobs(report, progress, disposed)
    return report


def iter_lines(report: Report) -> Iterator[str]:
    yield from (str(p) for p in report.problems)
