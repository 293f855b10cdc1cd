"""Court-ready case export (AR-5): one zip that a court, a reconsideration body or a party can check
offline with ``liuhen-verify-package`` (package ``liuhen_verify``, no Django, no database).

``build_case_package`` writes:

- ``documents/``: each visible record version as its 执法文书 PDF (``liuhen.documents``);
- ``media/``: every attached file, byte for byte, once per content;
- ``ledger/``: the ledger entries concerning the case (header and payload, the exact bytes that were
  hashed), an RFC 6962 inclusion proof for each against a signed checkpoint, the checkpoint and the
  agency's SM2 public key;
- ``manifest.json``: every file above with size, SM3 and SHA-256, the case, the agency, when and by
  whom;
- ``receipt.pdf`` (交付回执): carries the manifest's SM3 (it cannot carry the digest of the zip it
  is in), and is written next to the zip as well.

The export is a ledger event (``case.export``) appended in the same transaction. Its payload lists
every document and media file with its digests, and the checkpoint signed in that transaction covers
it: a file swapped together with its manifest line still differs from the signed ledger.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from liuhen.cases.models import Case
from liuhen.core.canonical import canonical_json, new_hash, tagged
from liuhen.exports import package as pkg
from liuhen.exports import selectors
from liuhen.ledger import services as ledger
from liuhen.ledger import signing
from liuhen.ledger.hashing import HEADER_FIELDS, entry_hash, payload_digest
from liuhen.ledger.models import Checkpoint, LedgerEntry
from liuhen.org.models import Person
from liuhen.records.models import Record
from liuhen.vault.models import Blob
from liuhen.vault.services import get_storage

ACTION = "case.export"


class ExportError(RuntimeError):
    """The package cannot be built honestly (e.g. the stored data no longer matches its ledger)."""


@dataclass(frozen=True)
class PackageResult:
    path: Path
    receipt_path: Path
    manifest_digest: str
    zip_sm3: str
    zip_sha256: str
    size: int
    files: int
    documents: int
    media: int
    entries: int
    withheld_records: int
    entry: LedgerEntry
    checkpoint: Checkpoint


@dataclass(frozen=True)
class _Document:
    record: Record
    path: str
    digest: str
    creation_seq: int | None


@dataclass
class _Media:
    blob: Blob
    path: str
    ingest_seq: int | None
    attachments: list[dict[str, Any]]


def receipt_path_for(out_path: Path) -> Path:
    """Where the delivery receipt goes beside the zip: ``<name>.receipt.pdf``."""
    return out_path.with_name(f"{out_path.stem}.receipt.pdf")


def _file_digests(path: Path) -> tuple[str, str, int]:
    sm3, sha256, size = new_hash("sm3"), new_hash("sha256"), 0
    with path.open("rb") as fh:
        while chunk := fh.read(pkg.CHUNK):
            sm3.update(chunk)
            sha256.update(chunk)
            size += len(chunk)
    return f"sm3:{sm3.hexdigest()}", f"sha256:{sha256.hexdigest()}", size


def _render_document(record: Record, watermark: str) -> tuple[bytes, str]:
    from liuhen.documents.content import build_document
    from liuhen.documents.pdf import render_pdf_content  # WeasyPrint loads Pango: only on demand

    content = build_document(record)
    return render_pdf_content(content, watermark=watermark), content.digest


def _write_documents(writer: pkg.PackageWriter, records: list[Record], watermark: str) -> list[_Document]:
    seqs = selectors.creation_seqs(
        "records.record", [r.pk for r in records], selectors.RECORD_CREATION_ACTIONS
    )
    documents = []
    for record in records:
        data, digest = _render_document(record, watermark)
        path = pkg.document_path(record.pk, record.version)
        writer.add_bytes(path, data, kind="document")
        documents.append(_Document(record, path, digest, seqs.get(record.pk)))
    return documents


def _write_media(writer: pkg.PackageWriter, records: list[Record]) -> list[_Media]:
    attachments = list(selectors.attachments_of(records))
    attach_seqs = selectors.creation_seqs(
        "records.recordattachment", [a.pk for a in attachments], ("record.attach",)
    )
    ingest_seqs = selectors.creation_seqs("vault.blob", {a.blob_id for a in attachments}, ("blob.ingest",))
    by_blob: dict[int, _Media] = {}
    storage = get_storage()
    for attachment in attachments:
        blob = attachment.blob
        media = by_blob.get(blob.pk)
        if media is None:
            path = pkg.media_path(blob.sm3, attachment.filename)
            try:
                with storage.open(blob.storage_key) as fh:
                    packed = writer.add_stream(path, fh, kind="media")
            except FileNotFoundError as exc:
                raise ExportError(
                    f"证据文件缺失：{blob.sm3}（{attachment.filename}），请先运行 liuhen verify。"
                ) from exc
            if (packed.sm3, packed.sha256, packed.size) != (blob.sm3, blob.sha256, blob.size):
                raise ExportError(
                    f"证据文件与登记的摘要不符：{blob.sm3}（{attachment.filename}），请先运行 liuhen verify。"
                )
            media = by_blob[blob.pk] = _Media(blob, path, ingest_seqs.get(blob.pk), [])
        media.attachments.append(
            {
                "attachment_id": attachment.pk,
                "record_id": attachment.record_id,
                "filename": attachment.filename,
                "caption": attachment.caption,
                "ledger_seq": attach_seqs.get(attachment.pk),
            }
        )
    return list(by_blob.values())


def _checked_bytes(entry: LedgerEntry) -> tuple[bytes, bytes]:
    """The header and payload exactly as hashed; refuses an entry that no longer matches its hash."""
    header = ledger.header_of(entry)
    header_bytes = canonical_json({name: header[name] for name in HEADER_FIELDS})
    if entry_hash(header) != entry.entry_hash or payload_digest(entry.payload) != entry.payload_digest:
        raise ExportError(f"账本条目 #{entry.seq} 与其哈希不符，不能导出。请先运行 liuhen verify。")
    return header_bytes, entry.payload.encode("utf-8")


def _entries_before_export(case: Case, media: list[_Media]) -> list[LedgerEntry]:
    blob_ids = [m.blob.pk for m in media]
    av_items = selectors.av_items_of(case.agency_id, blob_ids)
    return list(
        selectors.entries_for_package(case=case, blob_ids=blob_ids, av_item_ids=[i.pk for i in av_items])
    )


def _write_ledger(
    writer: pkg.PackageWriter,
    *,
    entries: list[LedgerEntry],
    checkpoint: Checkpoint,
    media: list[_Media],
    visible_record_ids: set[int],
) -> list[dict[str, Any]]:
    blob_ids = [m.blob.pk for m in media]
    record_of = selectors.record_ids_of_entries(entries)
    packaged_blobs = {str(pk) for pk in blob_ids}
    listed: list[dict[str, Any]] = []
    for entry in entries:
        header_bytes, payload_bytes = _checked_bytes(entry)
        withheld = (entry.seq in record_of and record_of[entry.seq] not in visible_record_ids) or (
            entry.object_type == "vault.blob" and entry.object_id not in packaged_blobs
        )
        header_path, payload_path = pkg.entry_paths(entry.seq)
        writer.add_bytes(header_path, header_bytes, kind="ledger")
        if not withheld:
            writer.add_bytes(payload_path, payload_bytes, kind="ledger")
        listed.append(
            {
                "seq": entry.seq,
                "action": entry.action,
                "object_type": entry.object_type,
                "object_id": entry.object_id,
                "header": header_path,
                "payload": None if withheld else payload_path,
            }
        )
    leaves = selectors.all_entry_hashes(checkpoint.tree_size)
    if len(leaves) != checkpoint.tree_size:
        raise ExportError("账本条目数少于检查点覆盖的条目数，请先运行 liuhen verify。")
    paths = pkg.inclusion_proofs(leaves, [e.seq - 1 for e in entries])
    proofs = {
        "tree_size": checkpoint.tree_size,
        "root_hash": checkpoint.root_hash,
        "hash": "sm3",
        "leaf": "SM3(0x00 || header bytes)",
        "node": "SM3(0x01 || left || right)",
        "proofs": [
            {
                "seq": entry.seq,
                "leaf_index": entry.seq - 1,
                "leaf_hash": entry.entry_hash,
                "path": [node.hex() for node in paths[entry.seq - 1]],
            }
            for entry in entries
        ],
    }
    writer.add_bytes(pkg.PROOFS, _pretty(proofs), kind="ledger")
    return listed


def _checkpoint_json(checkpoint: Checkpoint) -> dict[str, Any]:
    created_at = ledger.iso_utc(checkpoint.created_at)
    message = signing.checkpoint_message(
        checkpoint.origin, checkpoint.tree_size, bytes.fromhex(checkpoint.root_hash), created_at
    )
    return {
        "format": signing.CHECKPOINT_HEADER,
        "origin": checkpoint.origin,
        "tree_size": checkpoint.tree_size,
        "root_hash": checkpoint.root_hash,
        "created_at": created_at,
        "algorithm": checkpoint.algorithm,
        "key_id": checkpoint.key_id,
        "public_key": checkpoint.public_key,
        "signature": checkpoint.signature,
        "signed_message": message.decode("utf-8"),
    }


def _agency_public_key(checkpoint: Checkpoint) -> bytes:
    key = signing.load_public_key(Path(settings.LIUHEN_KEYS_DIR) / signing.PUBLIC_KEY_FILE)
    if key.hex() != checkpoint.public_key:
        raise ExportError("检查点不是用本机关当前公钥签名的，请先运行 liuhen verify。")
    return key


def _pretty(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, sort_keys=True, indent=2) + "\n").encode("utf-8")


def _readme(case: Case) -> bytes:
    text = f"""留痕 案卷导出包 / Liuhen case package ({pkg.FORMAT})

案件 Case: {case.number} {case.title}
机关 Agency: {case.agency.name}

内容 Contents
  manifest.json            文件清单：每个文件的大小、SM3、SHA-256 / every file with size, SM3, SHA-256
  receipt.pdf              交付回执（载明清单的 SM3 摘要）/ delivery receipt (carries the manifest's SM3)
  documents/               执法文书 PDF / the records as documents
  media/                   原始证据文件（逐字节）/ original evidence files, byte for byte
  ledger/entries/          账本条目（被哈希的原始字节）/ ledger entries, the exact bytes hashed
  ledger/proofs.json       RFC 6962 包含性证明 / inclusion proofs
  ledger/checkpoint.json   SM2 签名的检查点 / the SM2-signed checkpoint
  ledger/agency-sm2.pub    机关 SM2 公钥 / the agency's SM2 public key

校验 How to verify (offline, Python 3.11 + gmalglib):
  liuhen-verify-package <package.zip> --manifest-digest <回执上的清单摘要>
  or: python -m liuhen_verify.cli <package.zip>
输出 OK 即完整无篡改；否则逐项列出问题。/ Prints OK, or names each problem.
请另行向机关核实公钥指纹（key id）。/ Check the key id with the agency through another channel.
"""
    return text.encode("utf-8")


@contextmanager
def _partial(path: Path) -> Iterator[Path]:
    """A temporary file beside ``path``, removed unless it was renamed into place."""
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
    finally:
        tmp.unlink(missing_ok=True)


def build_case_package(*, actor: Person, case: Case, out_path: str | os.PathLike[str]) -> PackageResult:
    """Write the case package to ``out_path`` (and its receipt beside it); append ``case.export``
    and sign a checkpoint covering it, in one transaction with the package being put in place."""
    if not selectors.may_export(actor, case):
        raise PermissionDenied("无权导出该案件。")
    target = Path(out_path)
    if target.suffix.lower() != ".zip":
        raise ExportError("导出文件名应以 .zip 结尾。")
    target.parent.mkdir(parents=True, exist_ok=True)
    receipt_target = receipt_path_for(target)
    generated_at = timezone.now()
    records = list(selectors.records_for_export(actor, case))
    withheld = selectors.withheld_record_count(actor, case)
    with _partial(target) as tmp, _partial(receipt_target) as receipt_tmp, tmp.open("wb") as fh:
        writer = pkg.PackageWriter(fh, timezone.localtime(generated_at))
        # Reading and rendering happen before the transaction: on SQLite a write transaction
        # holds the database lock from its start.
        placed = False
        try:
            # Who exported it and when, on every page (AC-3); the content digest stays the record's.
            from liuhen.documents.pdf import watermark_text  # loads WeasyPrint: only on demand

            mark = watermark_text(actor.ledger_label(), generated_at, purpose="导出")
            documents = _write_documents(writer, records, mark)
            media = _write_media(writer, records)
            # durable: leaving the block is the commit, so the package is put in place only
            # with its ledger entry (no export without a trace, AC-4).
            with transaction.atomic(durable=True):
                entry, checkpoint, listed, manifest_digest, receipt = _seal(
                    writer,
                    actor=actor,
                    case=case,
                    generated_at=generated_at,
                    documents=documents,
                    media=media,
                    visible_record_ids={r.pk for r in records},
                    withheld=withheld,
                )
                writer.close()
                fh.flush()
                os.fsync(fh.fileno())
                receipt_tmp.write_bytes(receipt)
                # Put in place as the last step of the transaction (removed again if the
                # commit fails).
                os.replace(receipt_tmp, receipt_target)
                os.replace(tmp, target)
                placed = True
        except BaseException:
            writer.discard()
            if placed:
                target.unlink(missing_ok=True)
                receipt_target.unlink(missing_ok=True)
            raise
    zip_sm3, zip_sha256, size = _file_digests(target)
    return PackageResult(
        path=target,
        receipt_path=receipt_target,
        manifest_digest=manifest_digest,
        zip_sm3=zip_sm3,
        zip_sha256=zip_sha256,
        size=size,
        files=len(writer.files) + 2,
        documents=len(documents),
        media=len(media),
        entries=len(listed),
        withheld_records=withheld,
        entry=entry,
        checkpoint=checkpoint,
    )


def _seal(
    writer: pkg.PackageWriter,
    *,
    actor: Person,
    case: Case,
    generated_at: datetime,
    documents: list[_Document],
    media: list[_Media],
    visible_record_ids: set[int],
    withheld: int,
) -> tuple[LedgerEntry, Checkpoint, list[dict[str, Any]], str, bytes]:
    """Inside the transaction: the ``case.export`` entry (listing every document and media file with
    its digests), a checkpoint covering it, the ledger part, the manifest and the receipt."""
    content = sorted((f.as_digest_line() for f in writer.files), key=lambda line: line["path"])
    entries = _entries_before_export(case, media)
    entry = ledger.append(
        actor=actor,
        action=ACTION,
        obj=case,
        case_id=case.pk,
        payload={
            "format": pkg.FORMAT,
            "case_number": case.number,
            "generated_at": ledger.iso_utc(generated_at),
            "files": content,
            # The entries the package holds besides this one: removing one from it is named too.
            "ledger_seqs": [e.seq for e in entries],
            "documents": len(documents),
            "media": len(media),
            "withheld_records": withheld,
        },
    )
    checkpoint = ledger.make_checkpoint().checkpoint
    if checkpoint is None or checkpoint.tree_size < entry.seq:
        raise ExportError("无法生成覆盖本次导出的检查点。")
    entries.append(LedgerEntry.objects.get(seq=entry.seq))
    listed = _write_ledger(
        writer, entries=entries, checkpoint=checkpoint, media=media, visible_record_ids=visible_record_ids
    )
    writer.add_bytes(pkg.CHECKPOINT, _pretty(_checkpoint_json(checkpoint)), kind="ledger")
    public_key = _agency_public_key(checkpoint)
    writer.add_bytes(pkg.PUBLIC_KEY, (public_key.hex() + "\n").encode("ascii"), kind="key")
    writer.add_bytes(pkg.README, _readme(case), kind="readme")
    manifest = _manifest(
        actor=actor,
        case=case,
        generated_at=generated_at,
        writer=writer,
        documents=documents,
        media=media,
        entries=listed,
        export_seq=entry.seq,
        checkpoint=checkpoint,
        withheld=withheld,
    )
    manifest_bytes = _pretty(manifest)
    manifest_digest = tagged("sm3", manifest_bytes)
    writer.add_bytes(pkg.MANIFEST, manifest_bytes, kind="manifest", listed=False)
    from liuhen.exports.receipt import render_receipt

    receipt = render_receipt(
        manifest=manifest,
        manifest_digest=manifest_digest,
        manifest_sha256=tagged("sha256", manifest_bytes),
        case=case,
        actor=actor,
        generated_at=generated_at,
        checkpoint=checkpoint,
    )
    writer.add_bytes(pkg.RECEIPT, receipt, kind="receipt", listed=False)
    return entry, checkpoint, listed, manifest_digest, receipt


def _manifest(
    *,
    actor: Person,
    case: Case,
    generated_at: datetime,
    writer: pkg.PackageWriter,
    documents: list[_Document],
    media: list[_Media],
    entries: list[dict[str, Any]],
    export_seq: int,
    checkpoint: Checkpoint,
    withheld: int,
) -> dict[str, Any]:
    return {
        "format": pkg.FORMAT,
        "generated_at": ledger.iso_utc(generated_at),
        "generated_by": {"id": actor.pk, "label": actor.ledger_label()},
        "case": {
            "id": case.pk,
            "number": case.number,
            "title": case.title,
            "case_type": case.case_type,
            "stage": case.stage,
            "branch": case.branch,
        },
        "agency": {"id": case.agency_id, "name": case.agency.name, "short_name": case.agency.short_name},
        "algorithms": {
            "file_digests": ["sm3", "sha256"],
            "ledger_leaf": "SM3(0x00 || header bytes) (RFC 6962 with SM3)",
            "ledger_node": "SM3(0x01 || left || right)",
            "checkpoint_signature": "SM2 with SM3 (GM/T 0003, default user id), r||s hex",
        },
        "files": sorted((f.as_manifest() for f in writer.files), key=lambda line: line["path"]),
        "documents": [
            {
                "path": d.path,
                "record_id": d.record.pk,
                "version": d.record.version,
                "record_type": d.record.record_type,
                "title": d.record.title,
                "confidentiality": d.record.confidentiality,
                "document_digest": d.digest,
                "ledger_seq": d.creation_seq,
            }
            for d in documents
        ],
        "media": [
            {
                "path": m.path,
                "blob_id": m.blob.pk,
                "sm3": m.blob.sm3,
                "media_type": m.blob.media_type,
                "ingest_seq": m.ingest_seq,
                "attachments": m.attachments,
            }
            for m in media
        ],
        "ledger": {
            "export_seq": export_seq,
            "checkpoint": pkg.CHECKPOINT,
            "proofs": pkg.PROOFS,
            "public_key": pkg.PUBLIC_KEY,
            "tree_size": checkpoint.tree_size,
            "root_hash": checkpoint.root_hash,
            "key_id": checkpoint.key_id,
            "entries": entries,
        },
        "withheld_records": withheld,
        "receipt": pkg.RECEIPT,
    }
