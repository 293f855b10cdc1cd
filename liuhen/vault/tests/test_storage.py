"""The filesystem blob store on its own (AV-9, AC-4: originals never altered, nothing lost): streaming digests, dedup, abort, recovery."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import pytest

from liuhen.vault import storage as storage_module
from liuhen.vault.storage import BlobTooLarge, FileSystemStorage


def _digests(data: bytes) -> tuple[str, str]:
    return f"sm3:{hashlib.new('sm3', data).hexdigest()}", f"sha256:{hashlib.sha256(data).hexdigest()}"


@pytest.fixture
def store(tmp_path: Path) -> FileSystemStorage:
    return FileSystemStorage(tmp_path / "vault")


@pytest.mark.parametrize("size", [0, 1, storage_module.CHUNK_SIZE - 1, storage_module.CHUNK_SIZE * 2 + 17])
def test_stage_computes_both_digests_in_one_pass(store: FileSystemStorage, size: int) -> None:
    data = os.urandom(size)
    staged = store.stage(io.BytesIO(data))
    assert (staged.sm3, staged.sha256) == _digests(data)
    assert staged.size == size and not staged.existed
    assert store.path(staged.key).read_bytes() == data
    assert store.pending_digests() == [staged.sm3]
    store.settle(staged)
    assert store.pending_digests() == []
    assert store.digest_file(staged.key) == (*_digests(data), size)
    assert list(store.iter_keys()) == [staged.key]
    assert list(store.tmp_dir.iterdir()) == []


def test_duplicate_content_is_stored_once(store: FileSystemStorage, tmp_path: Path) -> None:
    source = tmp_path / "a.bin"
    source.write_bytes(b"same bytes")
    first = store.stage(source)
    store.settle(first)
    second = store.stage(io.BytesIO(b"same bytes"))
    assert second.existed and second.key == first.key
    store.abort(second)  # aborting the duplicate keeps the committed original
    assert store.exists(first.key)
    assert len(list(store.iter_keys())) == 1


def test_abort_removes_new_file(store: FileSystemStorage) -> None:
    staged = store.stage(io.BytesIO(b"never committed"))
    store.abort(staged)
    assert not store.exists(staged.key) and store.pending_digests() == []


def test_too_large_leaves_nothing(store: FileSystemStorage) -> None:
    with pytest.raises(BlobTooLarge):
        store.stage(io.BytesIO(b"x" * (storage_module.CHUNK_SIZE + 10)), max_bytes=storage_module.CHUNK_SIZE)
    assert list(store.tmp_dir.iterdir()) == [] and list(store.iter_keys()) == []
    assert store.pending_digests() == []


def test_read_error_mid_stream_leaves_nothing(store: FileSystemStorage) -> None:
    class Broken(io.RawIOBase):
        calls = 0

        def read(self, size: int = -1) -> bytes:
            self.calls += 1
            if self.calls > 2:
                raise OSError("connection reset")
            return b"y" * storage_module.CHUNK_SIZE

    with pytest.raises(OSError, match="connection reset"):
        store.stage(Broken())  # type: ignore[arg-type]
    assert list(store.tmp_dir.iterdir()) == [] and list(store.iter_keys()) == []


def test_recover_removes_uncommitted_and_temp(store: FileSystemStorage) -> None:
    committed = store.stage(io.BytesIO(b"committed"))
    orphan = store.stage(io.BytesIO(b"orphan"))
    (store.tmp_dir / "leftover.part").write_bytes(b"half")
    for staged in (committed, orphan):  # the process died: the kernel drops its locks
        store._release(staged.marker)
    report = store.recover(lambda digest: digest == committed.sm3)
    assert report.removed_temp == 1 and report.removed_files == 1 and report.kept_files == 1
    assert store.exists(committed.key) and not store.exists(orphan.key)
    assert store.pending_digests() == []


def test_keys_cannot_escape_the_root(store: FileSystemStorage) -> None:
    with pytest.raises(ValueError):
        store.path("../../etc/passwd")


def test_recover_leaves_another_process_ingest_alone(tmp_path: Path) -> None:
    """`liuhen ingest` starting while the server is mid-upload must not delete that upload."""
    server = FileSystemStorage(tmp_path / "vault")
    in_flight = server.stage(io.BytesIO(b"upload whose row is about to commit"))
    other_process = FileSystemStorage(tmp_path / "vault")
    report = other_process.recover(lambda digest: False)
    assert report.skipped_busy and server.exists(in_flight.key)
    server.settle(in_flight)
    report = other_process.recover(lambda digest: digest == in_flight.sm3)
    assert not report.skipped_busy and server.exists(in_flight.key)
