"""Content-addressed blob storage. Pure (no Django): the vault service and the verifier use it.

Layout of the filesystem backend under its root::

    blobs/sm3/ab/cd/<sm3 hex>   the content, named by its SM3 digest, never rewritten
    tmp/<random>.part           an ingest in progress (removed by recover() after a crash)
    pending/<sm3 hex>.<random>  "this file may not have a committed row yet"

A file reaches ``blobs/`` only after it is complete and fsynced, and only after its pending
marker is durable; the marker goes when the row commits (settle) or the ingest fails (abort).
So after a crash at any point, recover() can tell files whose row never committed and delete them.

A finished resumable upload (``liuhen.uploads``) is already on this filesystem with its digests
computed as its chunks arrived: ``stage(HashedFile(...))`` hard-links it into ``blobs/`` instead of
reading and copying it again (same marker protocol; the upload's own file stays until its row
commits, so a failed commit loses nothing).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import queue
import secrets
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Protocol

CHUNK_SIZE = 8 * 1024 * 1024
# Flush written data every so often so the final fsync does not wait for gigabytes at once.
SYNC_EVERY = 64 * 1024 * 1024


class BlobBusy(RuntimeError):
    """The content is being ingested again right now: it cannot be removed at this moment."""


class BlobTooLarge(ValueError):
    def __init__(self, max_bytes: int) -> None:
        super().__init__(f"文件超过大小上限 {max_bytes} 字节 / file larger than {max_bytes} bytes")
        self.max_bytes = max_bytes


@dataclass(frozen=True)
class StagedBlob:
    """A file durably in place whose database row is not committed yet."""

    sm3: str  # "sm3:<hex>"
    sha256: str  # "sha256:<hex>"
    size: int
    key: str
    existed: bool  # the same content was already stored
    marker: str = ""


@dataclass(frozen=True)
class HashedFile:
    """A complete file inside the storage root (same filesystem) whose digests were computed as it
    was written. Staged by hard link: no second read, no second copy."""

    path: str
    sm3: str  # "sm3:<hex>"
    sha256: str  # "sha256:<hex>"
    size: int


@dataclass
class RecoveryReport:
    removed_files: int = 0
    removed_temp: int = 0
    kept_files: int = 0
    skipped_busy: bool = False  # another process is ingesting right now: nothing was touched
    removed_keys: list[str] = field(default_factory=list)


class BlobStorage(Protocol):
    def stage(
        self, source: BinaryIO | str | os.PathLike[str] | HashedFile, *, max_bytes: int | None = None
    ) -> StagedBlob: ...
    def settle(self, staged: StagedBlob) -> None: ...
    def abort(self, staged: StagedBlob) -> None: ...
    def recover(self, is_committed: Callable[[str], bool]) -> RecoveryReport: ...
    def pending_digests(self) -> list[str]: ...
    def open(self, key: str) -> BinaryIO: ...
    def exists(self, key: str) -> bool: ...
    def size(self, key: str) -> int: ...
    def iter_keys(self) -> Iterator[str]: ...
    def digest_file(self, key: str) -> tuple[str, str, int]: ...
    def key_for(self, sm3: str) -> str: ...
    def remove(self, key: str) -> bool: ...


def _hex(digest: str) -> str:
    return digest.split(":", 1)[1] if ":" in digest else digest


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class _Worker:
    """A thread consuming chunks in order. hashlib releases the GIL on large buffers, so the
    SM3 thread and the SHA-256 + write thread run truly in parallel with the reader."""

    def __init__(self, work: Callable[[bytes], None]) -> None:
        self._work = work
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (chunk := self._queue.get()) is not None:
            if self.error is None:
                try:
                    self._work(chunk)
                except BaseException as exc:  # re-raised in the reader thread
                    self.error = exc

    def put(self, chunk: bytes) -> None:
        self._queue.put(chunk)

    def finish(self) -> None:
        self._queue.put(None)
        self._thread.join()
        if self.error is not None:
            raise self.error


class FileSystemStorage:
    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self.blobs_dir = self.root / "blobs"
        self.tmp_dir = self.root / "tmp"
        self.pending_dir = self.root / "pending"
        for directory in (self.blobs_dir, self.tmp_dir, self.pending_dir):
            directory.mkdir(parents=True, exist_ok=True)
        self.lock_path = self.root / "ingest.lock"
        # Every ingest holds a shared lock from its first byte until its row commits or fails;
        # recover() needs the exclusive lock, so it never removes another process's work.
        # The kernel drops the locks of a killed process, which is what lets recovery run.
        self._held: dict[str, int] = {}

    def _lock(self, mode: int) -> int:
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o640)
        try:
            fcntl.flock(fd, mode)
        except BaseException:
            os.close(fd)
            raise
        return fd

    def _release(self, marker: str) -> None:
        fd = self._held.pop(marker, None)
        if fd is not None:
            os.close(fd)

    # -- naming -------------------------------------------------------------------------------
    def key_for(self, sm3: str) -> str:
        hexdigest = _hex(sm3)
        return f"sm3/{hexdigest[:2]}/{hexdigest[2:4]}/{hexdigest}"

    def path(self, key: str) -> Path:
        if ".." in key.split("/") or key.startswith("/"):
            raise ValueError(f"bad storage key: {key!r}")
        return self.blobs_dir / key

    # -- ingest -------------------------------------------------------------------------------
    def stage(
        self, source: BinaryIO | str | os.PathLike[str] | HashedFile, *, max_bytes: int | None = None
    ) -> StagedBlob:
        lock = self._lock(fcntl.LOCK_SH)
        try:
            if isinstance(source, HashedFile):
                staged = self._stage_hashed(source, max_bytes)
            elif isinstance(source, str | os.PathLike):
                with open(source, "rb") as fh:
                    staged = self._stage_stream(fh, max_bytes)
            else:
                staged = self._stage_stream(source, max_bytes)
        except BaseException:
            os.close(lock)
            raise
        self._held[staged.marker] = lock
        return staged

    def _stage_stream(self, stream: BinaryIO, max_bytes: int | None) -> StagedBlob:
        tmp_path = self.tmp_dir / f"{secrets.token_hex(16)}.part"
        sm3 = hashlib.new("sm3")
        sha256 = hashlib.sha256()
        size = 0
        fd = os.open(tmp_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
        unsynced = 0

        def write(chunk: bytes) -> None:
            nonlocal unsynced
            sha256.update(chunk)
            view = memoryview(chunk)
            while view:
                view = view[os.write(fd, view) :]
            unsynced += len(chunk)
            if unsynced >= SYNC_EVERY:
                os.fdatasync(fd)
                unsynced = 0

        try:
            hasher, writer = _Worker(sm3.update), _Worker(write)
            try:
                while chunk := stream.read(CHUNK_SIZE):
                    size += len(chunk)
                    if max_bytes is not None and size > max_bytes:
                        raise BlobTooLarge(max_bytes)
                    if hasher.error or writer.error:
                        break  # finish() re-raises it
                    hasher.put(chunk)
                    writer.put(chunk)
            finally:
                hasher.finish()
                writer.finish()
            os.fsync(fd)
        except BaseException:
            os.close(fd)
            tmp_path.unlink(missing_ok=True)
            raise
        os.close(fd)
        digest = f"sm3:{sm3.hexdigest()}"
        try:
            return self._place(tmp_path, digest, f"sha256:{sha256.hexdigest()}", size, link=False)
        finally:
            tmp_path.unlink(missing_ok=True)

    def _stage_hashed(self, source: HashedFile, max_bytes: int | None) -> StagedBlob:
        path = Path(source.path)
        if max_bytes is not None and source.size > max_bytes:
            raise BlobTooLarge(max_bytes)
        if path.stat().st_size != source.size:
            raise ValueError(f"{path}: size {path.stat().st_size} differs from the declared {source.size}")
        if path.resolve().parent.parent != self.root.resolve():
            raise ValueError(
                f"{path}: a hashed file must live in a directory directly under the storage root"
            )
        return self._place(path, source.sm3, source.sha256, source.size, link=True)

    def _place(self, source: Path, digest: str, sha256: str, size: int, *, link: bool) -> StagedBlob:
        """Put a complete file under ``blobs/`` by its digest: rename it (or hard-link it, leaving
        ``source`` in place) unless that content is already stored."""
        key = self.key_for(digest)
        final = self.path(key)
        marker = self.pending_dir / f"{_hex(digest)}.{secrets.token_hex(8)}"
        try:
            # The marker must be durable before the file can appear under blobs/.
            with open(marker, "wb") as fh:
                os.fsync(fh.fileno())
            _fsync_dir(self.pending_dir)
            final.parent.mkdir(parents=True, exist_ok=True)
            existed = final.exists()
            if not existed:
                if link:
                    os.link(source, final)
                else:
                    os.replace(source, final)
                _fsync_dir(final.parent)
        except BaseException:
            marker.unlink(missing_ok=True)
            raise
        return StagedBlob(sm3=digest, sha256=sha256, size=size, key=key, existed=existed, marker=marker.name)

    def settle(self, staged: StagedBlob) -> None:
        """The row committed: the file is permanent."""
        (self.pending_dir / staged.marker).unlink(missing_ok=True)
        self._release(staged.marker)

    def abort(self, staged: StagedBlob) -> None:
        """The row did not commit: remove the file unless it was there before or another
        ingest of the same content is still in flight."""
        (self.pending_dir / staged.marker).unlink(missing_ok=True)
        if not staged.existed and not self._has_markers(_hex(staged.sm3)):
            self.path(staged.key).unlink(missing_ok=True)
        self._release(staged.marker)

    def _has_markers(self, hexdigest: str) -> bool:
        return any(self.pending_dir.glob(f"{hexdigest}.*"))

    def recover(self, is_committed: Callable[[str], bool]) -> RecoveryReport:
        """Run at start-up: finish what a crash left half-done. Skipped (``skipped_busy``) while
        another process is in the middle of an ingest; its leftovers wait for the next start."""
        report = RecoveryReport()
        try:
            lock = self._lock(fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            report.skipped_busy = True
            return report
        try:
            self._recover_locked(is_committed, report)
        finally:
            os.close(lock)
        return report

    def _recover_locked(self, is_committed: Callable[[str], bool], report: RecoveryReport) -> None:
        for tmp in self.tmp_dir.iterdir():
            tmp.unlink(missing_ok=True)
            report.removed_temp += 1
        for marker in sorted(self.pending_dir.iterdir()):
            hexdigest = marker.name.split(".", 1)[0]
            digest = f"sm3:{hexdigest}"
            key = self.key_for(digest)
            if is_committed(digest):
                report.kept_files += 1
            elif self.path(key).exists():
                self.path(key).unlink()
                report.removed_files += 1
                report.removed_keys.append(key)
            marker.unlink(missing_ok=True)

    def pending_digests(self) -> list[str]:
        return sorted({f"sm3:{m.name.split('.', 1)[0]}" for m in self.pending_dir.iterdir()})

    # -- disposal -----------------------------------------------------------------------------
    def remove(self, key: str) -> bool:
        """Delete a stored file for good: only for a disposal whose tombstone has committed
        (``liuhen.retention``). ``False`` when it was already gone. Refuses (:class:`BlobBusy`) while
        an ingest of the same content is in flight, whose row would then point at nothing."""
        path = self.path(key)
        if self._has_markers(path.name):
            raise BlobBusy(f"{key}: 同一内容正在导入，暂不能删除 / an ingest of this content is in flight")
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        _fsync_dir(path.parent)
        return True

    # -- reading ------------------------------------------------------------------------------
    def open(self, key: str) -> BinaryIO:
        return open(self.path(key), "rb")

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def size(self, key: str) -> int:
        return self.path(key).stat().st_size

    def iter_keys(self) -> Iterator[str]:
        for path in sorted(self.blobs_dir.rglob("*")):
            if path.is_file():
                yield path.relative_to(self.blobs_dir).as_posix()

    def digest_file(self, key: str) -> tuple[str, str, int]:
        """Recompute both digests from the bytes on disk (verify never trusts a stored flag)."""
        sm3, sha256, size = hashlib.new("sm3"), hashlib.sha256(), 0
        with self.open(key) as fh:
            hasher = _Worker(sm3.update)
            try:
                while chunk := fh.read(CHUNK_SIZE):
                    hasher.put(chunk)
                    sha256.update(chunk)
                    size += len(chunk)
            finally:
                hasher.finish()
        return f"sm3:{sm3.hexdigest()}", f"sha256:{sha256.hexdigest()}", size
