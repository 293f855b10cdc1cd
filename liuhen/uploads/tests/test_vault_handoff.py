"""Handing a finished upload to the vault by hard link (AV-9: the stored original is the received
bytes, not a copy; no orphan file when the transaction fails)."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import pytest

from liuhen.vault.models import Blob
from liuhen.vault.services import atomic_with_blobs, get_storage, ingest
from liuhen.vault.storage import FileSystemStorage, HashedFile


def _hashed(path: Path, data: bytes) -> HashedFile:
    path.write_bytes(data)
    return HashedFile(
        path=str(path),
        sm3="sm3:" + hashlib.new("sm3", data).hexdigest(),
        sha256="sha256:" + hashlib.sha256(data).hexdigest(),
        size=len(data),
    )


def test_stage_hashed_links_without_copying_and_abort_keeps_the_source(tmp_path: Path) -> None:
    store = FileSystemStorage(tmp_path / "vault")
    (store.root / "uploads").mkdir()
    source = store.root / "uploads" / "u.part"
    hashed = _hashed(source, os.urandom(5000))
    staged = store.stage(hashed)
    assert not staged.existed and staged.sm3 == hashed.sm3
    assert os.stat(store.path(staged.key)).st_ino == os.stat(source).st_ino  # same bytes, no copy
    assert store.pending_digests() == [hashed.sm3]
    store.abort(staged)
    assert not store.exists(staged.key) and source.exists()
    again = store.stage(hashed)
    store.settle(again)
    assert store.digest_file(again.key) == (hashed.sm3, hashed.sha256, hashed.size)


def test_stage_hashed_refuses_a_wrong_size_or_a_file_outside_the_vault(tmp_path: Path) -> None:
    store = FileSystemStorage(tmp_path / "vault")
    (store.root / "uploads").mkdir()
    hashed = _hashed(store.root / "uploads" / "u.part", b"abc")
    with pytest.raises(ValueError, match="size"):
        store.stage(HashedFile(path=hashed.path, sm3=hashed.sm3, sha256=hashed.sha256, size=4))
    outside = _hashed(tmp_path / "elsewhere.bin", b"abc")
    with pytest.raises(ValueError, match="storage root"):
        store.stage(outside)
    assert list(store.iter_keys()) == [] and store.pending_digests() == []


def test_nested_blob_scope_discards_its_files_when_the_outer_transaction_fails(db: None) -> None:
    """A file staged in an inner atomic_with_blobs that succeeded is still removed when the
    outer one rolls back (records.attach_files nests one inside the upload's completion)."""
    storage = get_storage()

    class Boom(Exception):
        pass

    with pytest.raises(Boom), atomic_with_blobs():
        with atomic_with_blobs():
            blob = ingest(actor=None, source=io.BytesIO(b"inner content"), filename="x.bin")
        assert storage.exists(blob.storage_key)
        raise Boom
    assert not Blob.objects.exists()
    assert list(storage.iter_keys()) == [] and storage.pending_digests() == []
