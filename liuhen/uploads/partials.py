"""The bytes of uploads in progress and the digest state over them (no database access here).

Partial files live in ``<LIUHEN_VAULT_DIR>/uploads/<upload id>.part``: on the vault's filesystem,
so completion hard-links the finished file into ``blobs/`` (no second copy), and outside
``tmp/``, which the vault's start-up recovery empties.

**Digest state.** SM3 and SHA-256 are computed as the bytes arrive, so completion needs no
second read. ``hashlib`` objects cannot be pickled or stored, so the state lives in the memory of
the process that received the bytes (:data:`_states`, keyed by upload id and valid only for the
exact offset it has reached). A request that finds no state for the stored offset — the server
restarted, or another worker process took this request — re-hashes the partial file from disk up
to the offset once (at disk/SM3 speed, about 175 MB/s here) and carries on from there. The
browser keeps one connection alive for consecutive chunks, and gunicorn keeps a connection in one
worker, so in practice that re-read happens after a restart or a reconnect, not per chunk.

**Consistency.** The database's ``offset`` is the truth; the file may be longer after a crash
(bytes written but never acknowledged) and is cut back to the offset before more is appended.
Bytes are fsynced before the offset that covers them is stored, so an acknowledged offset always
has its bytes on disk. An exclusive ``flock`` on the partial file serialises writers across
threads and processes; a second writer gets :class:`PartialBusy` (HTTP 423).
"""

from __future__ import annotations

import base64
import binascii
import fcntl
import hashlib
import logging
import os
import queue
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings

logger = logging.getLogger(__name__)

READ_SIZE = 4 * 1024 * 1024
# Bytes written are fdatasync'ed (and, without a chunk checksum, acknowledged) this often while a
# long request streams in, so a server crash mid-request loses at most this much.
SYNC_EVERY = 64 * 1024 * 1024
MAX_CACHED_STATES = 128
# tus checksum extension: the algorithms a client may name in Upload-Checksum (SHA-1 is required).
CHECKSUM_ALGORITHMS = ("sha1", "md5", "sha256", "sha512", "sm3")


class Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


class PartialBusy(Exception):
    """Another request is writing this upload right now."""


class ChunkChecksumMismatch(Exception):
    """The chunk's bytes do not match its Upload-Checksum; nothing of it was kept."""


class ChunkIncomplete(Exception):
    """The connection ended before a checksummed chunk was complete; nothing of it was kept."""


def uploads_dir() -> Path:
    path = Path(settings.LIUHEN_VAULT_DIR) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def partial_path(upload_id: object) -> Path:
    return uploads_dir() / f"{upload_id}.part"


def create_partial(upload_id: object) -> Path:
    path = partial_path(upload_id)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    os.close(fd)
    return path


def remove_partial(upload_id: object) -> None:
    partial_path(upload_id).unlink(missing_ok=True)
    drop_state(upload_id)


# -- digest state -------------------------------------------------------------------------------
@dataclass
class HashState:
    offset: int
    sm3: Any  # hashlib objects (no public type)
    sha256: Any

    @classmethod
    def empty(cls) -> HashState:
        return cls(0, hashlib.new("sm3"), hashlib.sha256())

    def update(self, data: bytes | memoryview) -> None:
        self.sm3.update(data)
        self.sha256.update(data)
        self.offset += len(data)

    def copy(self) -> HashState:
        return HashState(self.offset, self.sm3.copy(), self.sha256.copy())

    @property
    def digests(self) -> tuple[str, str]:
        return f"sm3:{self.sm3.hexdigest()}", f"sha256:{self.sha256.hexdigest()}"


_states: OrderedDict[str, HashState] = OrderedDict()
_states_lock = threading.Lock()
# Counts re-hashes from disk (tests and the docs' claim that a restart costs one re-read).
rehash_count = 0


def _take_state(upload_id: object, offset: int) -> HashState | None:
    with _states_lock:
        state = _states.pop(str(upload_id), None)
    return state if state is not None and state.offset == offset else None


def put_state(upload_id: object, state: HashState) -> None:
    with _states_lock:
        _states[str(upload_id)] = state
        _states.move_to_end(str(upload_id))
        while len(_states) > MAX_CACHED_STATES:
            _states.popitem(last=False)


def drop_state(upload_id: object) -> None:
    with _states_lock:
        _states.pop(str(upload_id), None)


def state_for(upload_id: object, fd: int, offset: int) -> HashState:
    """The digest state over the first ``offset`` bytes: from memory, else re-read from disk."""
    global rehash_count
    state = _take_state(upload_id, offset)
    if state is not None:
        return state
    rehash_count += 1
    state = HashState.empty()
    position = 0
    while position < offset:
        data = os.pread(fd, min(8 * READ_SIZE, offset - position), position)
        if not data:
            raise OSError(f"partial upload {upload_id} is shorter than its offset {offset}")
        state.update(data)
        position += len(data)
    logger.info("upload %s: digest state rebuilt from the partial file (%d bytes)", upload_id, offset)
    return state


# -- writing --------------------------------------------------------------------------------------
@contextmanager
def locked_partial(upload_id: object) -> Iterator[int]:
    """The partial file open for writing under an exclusive lock (non-blocking: PartialBusy)."""
    fd = os.open(partial_path(upload_id), os.O_RDWR)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PartialBusy(str(upload_id)) from None
        yield fd
    finally:
        os.close(fd)


def parse_checksum(header: str) -> tuple[str, bytes]:
    """``Upload-Checksum: <algorithm> <base64 digest>`` → (algorithm, digest bytes)."""
    algorithm, _, encoded = header.strip().partition(" ")
    algorithm = algorithm.lower()
    if algorithm not in CHECKSUM_ALGORITHMS:
        raise ValueError(f"unsupported checksum algorithm {algorithm!r}")
    try:
        digest = base64.b64decode(encoded.strip(), validate=True)
    except binascii.Error:
        raise ValueError("checksum is not valid base64") from None
    if len(digest) != hashlib.new(algorithm).digest_size:
        raise ValueError("checksum has the wrong length for its algorithm")
    return algorithm, digest


class _Sm3Worker:
    """SM3 (the slow one, ~175 MB/s here) runs in its own thread while the request thread reads,
    writes and updates SHA-256; hashlib releases the GIL on large buffers, so they overlap."""

    def __init__(self, sm3: Any) -> None:
        self._sm3 = sm3
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=4)
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (data := self._queue.get()) is not None:
            if self.error is None:
                try:
                    self._sm3.update(data)
                except BaseException as exc:  # re-raised by finish()
                    self.error = exc

    def put(self, data: bytes) -> None:
        self._queue.put(data)

    def finish(self) -> None:
        self._queue.put(None)
        self._thread.join()
        if self.error is not None:
            raise self.error


@dataclass
class Received:
    offset: int  # the new offset (bytes durably on disk and hashed)
    complete: bool  # the request body arrived whole
    state: HashState


def append(
    *,
    upload_id: object,
    fd: int,
    offset: int,
    stream: Readable,
    expected: int,
    checksum: tuple[str, bytes] | None,
    on_progress: Callable[[int], None],
) -> Received:
    """Append up to ``expected`` bytes of ``stream`` at ``offset`` (the stored offset; the file is
    cut back to it first). Without a checksum, whatever arrives before the connection drops is
    kept; with one, the chunk is kept only if it is complete and matches (else the file and the
    digest state are put back and ChunkChecksumMismatch / ChunkIncomplete is raised).
    ``on_progress(offset)`` is called after each fdatasync on a long stream (no checksum only)."""
    state = state_for(upload_id, fd, offset)
    before = state.copy() if checksum is not None else None
    chunk_hash = hashlib.new(checksum[0]) if checksum is not None else None
    os.ftruncate(fd, offset)
    position = offset
    remaining = expected
    unsynced = 0
    complete = True
    sm3 = _Sm3Worker(state.sm3)
    try:
        try:
            while remaining > 0:
                try:
                    data = stream.read(min(READ_SIZE, remaining))
                except OSError:  # client went away (gunicorn NoMoreData, UnreadablePostError, …)
                    data = b""
                if not data:
                    complete = False
                    break
                view = memoryview(data)
                while view:
                    view = view[os.pwrite(fd, view, position + (len(data) - len(view))) :]
                sm3.put(data)
                state.sha256.update(data)
                if chunk_hash is not None:
                    chunk_hash.update(data)
                position += len(data)
                remaining -= len(data)
                unsynced += len(data)
                if unsynced >= SYNC_EVERY and checksum is None:
                    os.fdatasync(fd)
                    unsynced = 0
                    on_progress(position)
        finally:
            sm3.finish()
            state.offset = position
        if checksum is not None:
            assert before is not None and chunk_hash is not None
            if not complete:
                raise ChunkIncomplete(str(upload_id))
            if chunk_hash.digest() != checksum[1]:
                raise ChunkChecksumMismatch(str(upload_id))
        os.fsync(fd)
    except BaseException:
        # Keep what is consistent: nothing of a checksummed chunk; otherwise the bytes written and
        # hashed before the failure (the digest state is rebuilt from disk next time if needed).
        drop_state(upload_id)
        keep = offset if checksum is not None else position
        os.ftruncate(fd, keep)
        if before is not None:
            put_state(upload_id, before)
        raise
    put_state(upload_id, state)
    return Received(offset=position, complete=complete, state=state)
