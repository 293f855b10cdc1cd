"""The case package format (AR-5) and the pure pieces that write it: paths, a hashing zip writer and
RFC 6962 inclusion proofs for many leaves in one pass. No Django here.

The layout is documented in ``docs/export.md``; ``liuhen_verify`` (the stand-alone verifier) reads
it with its own code and must agree with the constants below.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from liuhen.core.canonical import new_hash
from liuhen.ledger.merkle import node_hash

FORMAT = "liuhen-case-package/v1"
MANIFEST = "manifest.json"
RECEIPT = "receipt.pdf"
README = "README.txt"
DOCUMENTS_DIR = "documents/"
MEDIA_DIR = "media/"
LEDGER_DIR = "ledger/"
ENTRIES_DIR = "ledger/entries/"
PROOFS = "ledger/proofs.json"
CHECKPOINT = "ledger/checkpoint.json"
PUBLIC_KEY = "ledger/agency-sm2.pub"

CHUNK = 1024 * 1024
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def document_path(record_id: int, version: int) -> str:
    return f"{DOCUMENTS_DIR}r{record_id:06d}-v{version}.pdf"


def media_path(sm3_digest: str, filename: str) -> str:
    """``media/<first 16 hex of SM3>-<ASCII-safe name>``: one file per content, portable names (the
    original file names are in the manifest)."""
    hexdigest = sm3_digest.partition(":")[2] or sm3_digest
    stem, dot, ext = filename.rpartition(".")
    if not dot:
        stem, ext = filename, ""
    stem = _UNSAFE.sub("_", stem).strip("._-")[:60] or "file"
    ext = _UNSAFE.sub("", ext)[:10]
    return f"{MEDIA_DIR}{hexdigest[:16]}-{stem}{'.' + ext if ext else ''}"


def entry_paths(seq: int) -> tuple[str, str]:
    """(header, payload) paths of a ledger entry: the exact bytes that were hashed."""
    stem = f"{ENTRIES_DIR}{seq:010d}"
    return f"{stem}.header.json", f"{stem}.payload.json"


@dataclass(frozen=True)
class PackedFile:
    path: str
    size: int
    sm3: str
    sha256: str
    kind: str

    def as_manifest(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "size": self.size,
            "sm3": self.sm3,
            "sha256": self.sha256,
            "kind": self.kind,
        }

    def as_digest_line(self) -> dict[str, Any]:
        return {"path": self.path, "size": self.size, "sm3": self.sm3, "sha256": self.sha256}


class PackageWriter:
    """Writes files into the zip and remembers each one's size, SM3 and SHA-256."""

    def __init__(self, target: IO[bytes], when: datetime) -> None:
        self.zip = zipfile.ZipFile(target, "w", allowZip64=True)
        self.date_time = when.timetuple()[:6]
        self.files: list[PackedFile] = []

    def _info(self, path: str, compress: bool) -> zipfile.ZipInfo:
        if path in {f.path for f in self.files}:
            raise ValueError(f"duplicate path in package: {path}")
        info = zipfile.ZipInfo(path, date_time=self.date_time)
        info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
        info.external_attr = 0o644 << 16
        return info

    def add_bytes(self, path: str, data: bytes, *, kind: str, listed: bool = True) -> PackedFile:
        info = self._info(path, compress=True)
        self.zip.writestr(info, data)
        packed = PackedFile(
            path=path,
            size=len(data),
            sm3="sm3:" + hashlib.new("sm3", data).hexdigest(),
            sha256="sha256:" + hashlib.sha256(data).hexdigest(),
            kind=kind,
        )
        if listed:
            self.files.append(packed)
        return packed

    def add_stream(self, path: str, source: IO[bytes], *, kind: str, compress: bool = False) -> PackedFile:
        """Copy ``source`` byte for byte (stored, not recompressed: media are compressed already)."""
        info = self._info(path, compress=compress)
        sm3, sha256, size = new_hash("sm3"), new_hash("sha256"), 0
        with self.zip.open(info, "w", force_zip64=True) as out:
            while chunk := source.read(CHUNK):
                sm3.update(chunk)
                sha256.update(chunk)
                out.write(chunk)
                size += len(chunk)
        packed = PackedFile(path, size, f"sm3:{sm3.hexdigest()}", f"sha256:{sha256.hexdigest()}", kind)
        self.files.append(packed)
        return packed

    def close(self) -> None:
        self.zip.close()

    def discard(self) -> None:
        """After a failure: release the zip (its file is removed by the caller)."""
        with contextlib.suppress(OSError, ValueError):
            self.zip.close()


def inclusion_proofs(leaves: Sequence[bytes], indices: Iterable[int]) -> dict[int, list[bytes]]:
    """RFC 6962 PATH(m, D[n]) for every ``m`` in ``indices`` in one pass over the tree's levels.

    Pairing left to right and carrying an odd last node up unchanged builds the same tree as RFC
    6962's split at the largest power of two (see ``liuhen.ledger.merkle.root``); a node's sibling on
    each level, bottom up, is then the audit path in RFC order. One level is kept in memory at a time.
    """
    positions = {index: index for index in indices}
    for index in positions:
        if not 0 <= index < len(leaves):
            raise IndexError(f"leaf {index} outside a tree of size {len(leaves)}")
    proofs: dict[int, list[bytes]] = {index: [] for index in positions}
    level: Sequence[bytes] = leaves
    while len(level) > 1:
        for index, pos in positions.items():
            sibling = pos ^ 1
            if sibling < len(level):
                proofs[index].append(level[sibling])
        upper = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            upper.append(level[-1])
        level = upper
        positions = {index: pos >> 1 for index, pos in positions.items()}
    return proofs
