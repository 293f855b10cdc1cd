"""Verify a Liuhen case package: every file against the manifest, every ledger entry against the
signed checkpoint, and the files against what the ledger recorded.

Nothing in the package is trusted on its own say-so:

1. ``manifest.json`` — each listed file present, with the listed size, SM3 and SHA-256; no file
   that is not listed (except the manifest and ``receipt.pdf``); optionally the manifest's SM3
   equal to the one printed on the paper receipt; ``receipt.pdf`` carries the manifest's SM3.
2. ``ledger/checkpoint.json`` — SM2 signature over the checkpoint message with the package's
   public key (and, if given, a key obtained from the agency through another channel).
3. ``ledger/entries`` — each header hashed as an RFC 6962 leaf and its inclusion proof checked
   against the signed root; each payload against the digest in its header; consecutive entries
   against their ``prev_hash`` links.
4. Cross-checks — each media file against the digests its ``blob.ingest`` entry recorded when it
   entered the vault; each document and media file against the ``case.export`` entry (signed by the
   same checkpoint), so a file swapped together with its manifest line is still named; each
   document's digest against its record's sealed content in the ledger.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from liuhen_verify import FORMAT
from liuhen_verify.crypto import (
    SIGNATURE_ALGORITHM,
    canonical_json,
    checkpoint_message,
    key_id_of,
    leaf_hash,
    new_sm3,
    sm2_verify,
    sm3,
    verify_inclusion,
)

MANIFEST = "manifest.json"
RECEIPT = "receipt.pdf"
UNLISTED = (MANIFEST, RECEIPT)
CONTENT_KINDS = ("document", "media")
CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Problem:
    kind: (
        str  # missing | changed | extra | manifest | ledger | proof | signature | key | checkpoint | receipt
    )
    item: str
    detail: str

    def __str__(self) -> str:
        return f"[{self.kind}] {self.item}: {self.detail}"


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    info: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, kind: str, item: str, detail: str) -> None:
        problem = Problem(kind, item, detail)
        if problem not in self.problems:
            self.problems.append(problem)


class PackageError(Exception):
    """The package cannot be read at all."""


class _Source:
    """The package as a zip file or as the directory it was extracted to."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.zip: zipfile.ZipFile | None = None
        self.duplicates: list[str] = []
        if path.is_dir():
            self._names = sorted(
                p.relative_to(path).as_posix() for p in path.rglob("*") if p.is_file() or p.is_symlink()
            )
        else:
            try:
                self.zip = zipfile.ZipFile(path)
            except (OSError, zipfile.BadZipFile) as exc:
                raise PackageError(f"无法读取导出包 cannot read the package: {exc}") from exc
            names = [i.filename for i in self.zip.infolist() if not i.is_dir()]
            seen: set[str] = set()
            for name in names:
                if name in seen:
                    self.duplicates.append(name)
                seen.add(name)
            self._names = sorted(seen)

    def names(self) -> list[str]:
        return self._names

    @contextmanager
    def open(self, name: str) -> Iterator[IO[bytes]]:
        if self.zip is not None:
            with self.zip.open(name) as fh:
                yield fh
        else:
            target = self.path / name
            if target.is_symlink():
                raise OSError(f"symbolic link refused: {name}")
            with target.open("rb") as fh:
                yield fh

    def read(self, name: str) -> bytes:
        with self.open(name) as fh:
            return fh.read()

    def close(self) -> None:
        if self.zip is not None:
            self.zip.close()


@dataclass(frozen=True)
class _Digests:
    size: int
    sm3: str
    sha256: str


def _digests(source: _Source, name: str) -> _Digests:
    h_sm3, h_sha256, size = new_sm3(), hashlib.sha256(), 0
    with source.open(name) as fh:
        while chunk := fh.read(CHUNK):
            h_sm3.update(chunk)
            h_sha256.update(chunk)
            size += len(chunk)
    return _Digests(size, f"sm3:{h_sm3.hexdigest()}", f"sha256:{h_sha256.hexdigest()}")


def _differences(actual: _Digests, expected: dict[str, Any]) -> list[str]:
    diffs = []
    if actual.size != expected.get("size"):
        diffs.append(f"size {actual.size} ≠ {expected.get('size')}")
    if actual.sm3 != expected.get("sm3"):
        diffs.append("SM3")
    if actual.sha256 != expected.get("sha256"):
        diffs.append("SHA-256")
    return diffs


_STREAM = re.compile(rb"stream\r?\n")


def pdf_mentions(data: bytes, text: str) -> bool:
    """Whether ``text`` (ASCII) is in the PDF, raw or inside a Flate-compressed stream (where the
    document information dictionary and its keywords usually are)."""
    needle = text.encode("ascii")
    if needle in data:
        return True
    for match in _STREAM.finditer(data):
        end = data.find(b"endstream", match.end())
        if end < 0:
            break
        try:
            inflated = zlib.decompressobj().decompress(data[match.end() : end])
        except zlib.error:
            continue
        if needle in inflated:
            return True
    return False


def _json(source: _Source, name: str, report: Report, kind: str) -> Any:
    try:
        return json.loads(source.read(name).decode("utf-8"))
    except KeyError:
        report.add("missing", name, "文件缺失 file missing")
    except FileNotFoundError:
        report.add("missing", name, "文件缺失 file missing")
    except (ValueError, OSError) as exc:
        report.add(kind, name, f"无法解析 unreadable: {exc}")
    return None


def _hex(value: Any) -> bytes | None:
    try:
        return bytes.fromhex(str(value))
    except ValueError:
        return None


def load_public_key(text: str) -> bytes | None:
    """An uncompressed SM2 public key in hex (65 bytes, 04…), as in ``agency-sm2.pub``."""
    key = _hex(text.strip())
    if key is None or len(key) != 65 or key[0] != 4:
        return None
    return key


@dataclass
class _Entry:
    seq: int
    header: dict[str, Any]
    leaf: bytes
    payload: dict[str, Any] | None


class _Verifier:
    def __init__(self, source: _Source, report: Report) -> None:
        self.source = source
        self.report = report
        self.names = set(source.names())
        self.actual: dict[str, _Digests] = {}
        self.entries: dict[int, _Entry] = {}

    # --- 1. files against the manifest ---------------------------------------------------------

    def files(self, manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
        listed: dict[str, dict[str, Any]] = {}
        for line in manifest.get("files") or []:
            path = str(line.get("path", ""))
            if path in listed or path in UNLISTED:
                self.report.add("manifest", path, "清单中重复或不应列出的文件 listed twice or not listable")
            listed[path] = line
        for name in self.source.duplicates:
            self.report.add("extra", name, "压缩包中同名文件重复 duplicate name in the zip")
        for path, line in listed.items():
            if path not in self.names:
                self.report.add("missing", path, "文件缺失 file listed in the manifest is missing")
                continue
            self.actual[path] = actual = _digests(self.source, path)
            diffs = _differences(actual, line)
            if diffs:
                self.report.add(
                    "changed", path, f"与清单不符 does not match the manifest ({', '.join(diffs)})"
                )
        for name in sorted(self.names - set(listed) - set(UNLISTED)):
            self.report.add("extra", name, "清单未列出的文件 file not in the manifest")
        return listed

    def receipt(self, manifest_digest: str) -> None:
        if RECEIPT not in self.names:
            self.report.add("missing", RECEIPT, "交付回执缺失 delivery receipt missing")
            return
        if not pdf_mentions(self.source.read(RECEIPT), manifest_digest):
            self.report.add(
                "receipt", RECEIPT, "回执未载明本清单的摘要 the receipt does not name this manifest's SM3"
            )

    # --- 2. key and checkpoint -----------------------------------------------------------------

    def checkpoint(self, manifest: dict[str, Any], trusted_key: bytes | None) -> dict[str, Any] | None:
        ledger = manifest.get("ledger") or {}
        key_path = str(ledger.get("public_key", "ledger/agency-sm2.pub"))
        cp_path = str(ledger.get("checkpoint", "ledger/checkpoint.json"))
        public_key = None
        if key_path in self.names:
            public_key = load_public_key(self.source.read(key_path).decode("ascii", "replace"))
            if public_key is None:
                self.report.add("key", key_path, "不是有效的 SM2 公钥 not an SM2 public key")
        else:
            self.report.add("missing", key_path, "机关公钥缺失 agency public key missing")
        if public_key is not None:
            self.report.info["key_id"] = key_id_of(public_key)
        if trusted_key is not None and public_key is not None and public_key != trusted_key:
            self.report.add(
                "key",
                key_path,
                "与另行取得的机关公钥不同 not the agency key obtained through another channel",
            )
        cp = _json(self.source, cp_path, self.report, "checkpoint")
        if not isinstance(cp, dict):
            return None
        item = f"checkpoint@{cp.get('tree_size')}"
        cp_key = _hex(cp.get("public_key", ""))
        if public_key is not None and cp_key != public_key:
            self.report.add(
                "key", item, f"检查点记载的公钥与 {key_path} 不同 checkpoint names another public key"
            )
        if cp_key is not None and cp.get("key_id") != key_id_of(cp_key):
            self.report.add("checkpoint", item, "密钥标识与公钥不符 key id does not match the public key")
        root = _hex(cp.get("root_hash", ""))
        signature = _hex(cp.get("signature", ""))
        try:
            tree_size = int(cp["tree_size"])
            message = checkpoint_message(str(cp["origin"]), tree_size, root or b"", str(cp["created_at"]))
        except (KeyError, TypeError, ValueError):
            self.report.add("checkpoint", item, "检查点字段不全 checkpoint fields missing")
            return None
        if "signed_message" in cp and str(cp["signed_message"]).encode("utf-8") != message:
            self.report.add(
                "checkpoint", item, "所附签名原文与字段不符 signed_message does not match the fields"
            )
        if root is None or len(root) != 32:
            self.report.add("checkpoint", item, "根哈希无效 root hash invalid")
        verify_key = trusted_key or public_key
        if (
            cp.get("algorithm") != SIGNATURE_ALGORITHM
            or verify_key is None
            or signature is None
            or not sm2_verify(verify_key, message, signature)
        ):
            self.report.add("signature", item, "检查点签名无效 bad checkpoint signature")
        self.report.info["checkpoint"] = f"{tree_size} {cp.get('root_hash')}"
        return {"tree_size": tree_size, "root": root or b""}

    # --- 3. ledger entries ---------------------------------------------------------------------

    def ledger(self, manifest: dict[str, Any], checkpoint: dict[str, Any] | None) -> None:
        ledger = manifest.get("ledger") or {}
        proofs_path = str(ledger.get("proofs", "ledger/proofs.json"))
        proofs_doc = _json(self.source, proofs_path, self.report, "proof")
        proofs: dict[int, dict[str, Any]] = {}
        if isinstance(proofs_doc, dict):
            for proof in proofs_doc.get("proofs") or []:
                if isinstance(proof, dict) and isinstance(proof.get("seq"), int):
                    proofs[proof["seq"]] = proof
            if checkpoint is not None and (
                proofs_doc.get("tree_size") != checkpoint["tree_size"]
                or _hex(proofs_doc.get("root_hash", "")) != checkpoint["root"]
            ):
                self.report.add(
                    "checkpoint",
                    proofs_path,
                    "证明所用的树与检查点不同 proofs are for another tree than the checkpoint",
                )
        for listing in ledger.get("entries") or []:
            self._entry(listing, proofs, checkpoint)
        for seq, entry in self.entries.items():
            previous = self.entries.get(seq - 1)
            if previous is not None and entry.header.get("prev_hash") != previous.leaf.hex():
                self.report.add("ledger", f"ledger#{seq}", "与前一条目的哈希链断开 prev_hash does not link")

    def _entry(
        self, listing: dict[str, Any], proofs: dict[int, dict[str, Any]], checkpoint: dict[str, Any] | None
    ) -> None:
        seq = listing.get("seq")
        item = f"ledger#{seq}"
        header_path = str(listing.get("header", ""))
        if not isinstance(seq, int) or header_path not in self.names:
            self.report.add("proof", item, "条目缺失，无法证明 entry missing, cannot be proven")
            return
        header_bytes = self.source.read(header_path)
        leaf = leaf_hash(header_bytes)
        try:
            header = json.loads(header_bytes.decode("utf-8"))
        except ValueError:
            self.report.add("ledger", item, "条目头无法解析 header unreadable")
            return
        if not isinstance(header, dict) or canonical_json(header) != header_bytes:
            self.report.add("ledger", item, "条目头不是规范 JSON header is not canonical JSON")
            header = header if isinstance(header, dict) else {}
        if header.get("seq") != seq:
            self.report.add("manifest", item, "清单中的序号与条目不符 seq differs from the entry")
        for name in ("action", "object_type", "object_id"):
            if name in listing and header.get(name) != listing[name]:
                self.report.add("manifest", item, f"清单中的 {name} 与条目不符 {name} differs from the entry")
        proof = proofs.get(seq)
        path = [_hex(node) for node in (proof or {}).get("path", [])]
        if (
            checkpoint is None
            or proof is None
            or proof.get("leaf_index") != seq - 1
            or any(node is None or len(node) != 32 for node in path)
            or not verify_inclusion(leaf, seq - 1, checkpoint["tree_size"], path, checkpoint["root"])  # type: ignore[arg-type]
        ):
            self.report.add(
                "proof", item, "不在签名检查点中（包含性证明不成立）not in the signed checkpoint (bad proof)"
            )
        payload: dict[str, Any] | None = None
        payload_path = listing.get("payload")
        if payload_path:
            if payload_path not in self.names:
                self.report.add("missing", str(payload_path), "条目载荷缺失 entry payload missing")
            else:
                payload_bytes = self.source.read(str(payload_path))
                if f"sm3:{sm3(payload_bytes).hex()}" != header.get("payload_digest"):
                    self.report.add(
                        "ledger", item, "载荷与条目头中的摘要不符 payload does not match its digest"
                    )
                else:
                    try:
                        loaded = json.loads(payload_bytes.decode("utf-8"))
                    except ValueError:
                        loaded = None
                    payload = loaded if isinstance(loaded, dict) else None
        self.entries[seq] = _Entry(seq, header, leaf, payload)

    # --- 4. files against the ledger -----------------------------------------------------------

    def _entry_with_payload(self, seq: Any, what: str, item: str) -> tuple[_Entry, dict[str, Any]] | None:
        entry = self.entries.get(seq) if isinstance(seq, int) else None
        if entry is None or entry.payload is None:
            self.report.add(
                "ledger", item, f"缺少可核对的账本条目 no verifiable {what} ledger entry (#{seq})"
            )
            return None
        return entry, entry.payload

    def export_entry(self, manifest: dict[str, Any], listed: dict[str, dict[str, Any]]) -> None:
        seq = (manifest.get("ledger") or {}).get("export_seq")
        found = self._entry_with_payload(seq, "case.export", f"ledger#{seq}")
        if found is None:
            return
        entry, payload = found
        if entry.header.get("action") != "case.export" or payload.get("format") != FORMAT:
            self.report.add(
                "manifest", f"ledger#{seq}", "不是本导出包的导出条目 not this package's export entry"
            )
            return
        case_number = (manifest.get("case") or {}).get("number")
        if payload.get("case_number") != case_number:
            self.report.add(
                "manifest",
                MANIFEST,
                "清单中的案件编号与导出条目不符 case number differs from the export entry",
            )
        signed_seqs = payload.get("ledger_seqs")
        if isinstance(signed_seqs, list):
            expected: set[int] = {s for s in signed_seqs if isinstance(s, int)} | {entry.seq}
            listed_seqs: set[int] = {
                e["seq"]
                for e in (manifest.get("ledger") or {}).get("entries") or []
                if isinstance(e.get("seq"), int)
            }
            for missing in sorted(expected - listed_seqs):
                self.report.add(
                    "missing",
                    f"ledger#{missing}",
                    f"导出条目 #{seq} 列有此账本条目 entry of the signed export entry is missing",
                )
            for extra in sorted(listed_seqs - expected):
                self.report.add(
                    "extra",
                    f"ledger#{extra}",
                    f"导出条目 #{seq} 未列出此账本条目 entry not in the signed export entry",
                )
        else:
            self.report.add(
                "ledger", f"ledger#{seq}", "导出条目未列出账本条目 export entry lists no ledger entries"
            )
        signed = {
            str(line.get("path")): line for line in payload.get("files") or [] if isinstance(line, dict)
        }
        for path, line in signed.items():
            actual = self.actual.get(path)
            if path not in self.names:
                self.report.add(
                    "missing",
                    path,
                    f"文件缺失（导出条目 #{seq} 列有此文件）file in the signed export entry is missing",
                )
            elif actual is None:
                self.report.add(
                    "manifest",
                    path,
                    f"清单漏列导出条目 #{seq} 中的文件 manifest omits a file of the export entry",
                )
            elif _differences(actual, line):
                self.report.add(
                    "changed", path, f"与签名账本的导出条目 #{seq} 不符 differs from the signed export entry"
                )
        for path, line in listed.items():
            if line.get("kind") in CONTENT_KINDS and path not in signed:
                self.report.add(
                    "extra", path, f"导出条目 #{seq} 未列出此文件 file not in the signed export entry"
                )

    def media(self, manifest: dict[str, Any]) -> None:
        for media in manifest.get("media") or []:
            path = str(media.get("path", ""))
            found = self._entry_with_payload(media.get("ingest_seq"), "blob.ingest", path)
            actual = self.actual.get(path)
            if found is not None:
                entry, payload = found
                content = payload.get("content") or {}
                if entry.header.get("action") != "blob.ingest" or entry.header.get("object_id") != str(
                    media.get("blob_id")
                ):
                    self.report.add("manifest", path, "入库条目不是此文件的 ingest entry is not this file's")
                elif actual is not None and (
                    content.get("sm3") != actual.sm3
                    or content.get("sha256") != actual.sha256
                    or content.get("size") != actual.size
                ):
                    self.report.add(
                        "changed",
                        path,
                        f"与入库时账本记录的摘要不符 differs from the digests recorded at ingest (ledger#{media['ingest_seq']})",
                    )
            for attachment in media.get("attachments") or []:
                att = self._entry_with_payload(attachment.get("ledger_seq"), "record.attach", path)
                content = (att[1] if att else {}).get("content") or {}
                if att is not None and (
                    content.get("blob") != media.get("blob_id")
                    or content.get("record") != attachment.get("record_id")
                    or content.get("filename") != attachment.get("filename")
                ):
                    self.report.add(
                        "manifest",
                        path,
                        f"附件说明与账本条目 #{attachment.get('ledger_seq')} 不符 attachment differs from the ledger",
                    )

    def documents(self, manifest: dict[str, Any]) -> None:
        for doc in manifest.get("documents") or []:
            path = str(doc.get("path", ""))
            found = self._entry_with_payload(doc.get("ledger_seq"), "record", path)
            if found is None:
                continue
            entry, payload = found
            digest = f"sm3:{sm3(canonical_json(payload.get('content'))).hex()}"
            if entry.header.get("object_type") != "records.record" or entry.header.get("object_id") != str(
                doc.get("record_id")
            ):
                self.report.add("manifest", path, "记录条目不是此文书的 record entry is not this document's")
            elif digest != doc.get("document_digest"):
                self.report.add(
                    "manifest",
                    path,
                    f"文书摘要与账本记录 #{doc['ledger_seq']} 不符 document digest differs from the ledger",
                )


def verify_package(
    path: str | os.PathLike[str], *, manifest_digest: str | None = None, trusted_key: bytes | None = None
) -> Report:
    """Check the package at ``path`` (zip, or the directory it was extracted to)."""
    report = Report()
    source = _Source(Path(path))
    try:
        if MANIFEST not in source.names():
            report.add("missing", MANIFEST, "清单缺失 manifest missing")
            return report
        manifest_bytes = source.read(MANIFEST)
        digest = f"sm3:{sm3(manifest_bytes).hex()}"
        report.info["manifest"] = digest
        if manifest_digest is not None and manifest_digest.strip().lower() != digest:
            report.add(
                "manifest", MANIFEST, "清单摘要与回执上的不同 manifest digest differs from the receipt"
            )
        try:
            manifest = json.loads(manifest_bytes.decode("utf-8"))
        except ValueError as exc:
            report.add("manifest", MANIFEST, f"清单无法解析 manifest unreadable: {exc}")
            return report
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            report.add("manifest", MANIFEST, f"不是 {FORMAT} 格式 not a {FORMAT} manifest")
            return report
        case = manifest.get("case") or {}
        report.info["case"] = f"{case.get('number', '')} {case.get('title', '')}".strip()
        report.info["agency"] = str((manifest.get("agency") or {}).get("name", ""))
        generated_by = (manifest.get("generated_by") or {}).get("label", "")
        report.info["generated"] = f"{manifest.get('generated_at', '')} {generated_by}".strip()
        verifier = _Verifier(source, report)
        listed = verifier.files(manifest)
        verifier.receipt(digest)
        checkpoint = verifier.checkpoint(manifest, trusted_key)
        verifier.ledger(manifest, checkpoint)
        verifier.export_entry(manifest, listed)
        verifier.media(manifest)
        verifier.documents(manifest)
        report.info["files"] = str(len(listed))
        report.info["entries"] = str(len(verifier.entries))
    finally:
        source.close()
    return report
