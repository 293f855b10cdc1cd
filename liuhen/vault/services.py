"""Writes to the evidence vault: ingest (stream → storage → row + ledger in one transaction)."""

from __future__ import annotations

import mimetypes
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from typing import BinaryIO

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from liuhen.core.sealing import sealed_content
from liuhen.ledger import services as ledger
from liuhen.org.models import Person
from liuhen.vault.models import Blob
from liuhen.vault.storage import BlobStorage, FileSystemStorage, HashedFile, RecoveryReport, StagedBlob

_staged_in_scope: ContextVar[list[StagedBlob] | None] = ContextVar("staged_in_scope", default=None)


@cache
def get_storage() -> BlobStorage:
    if settings.LIUHEN_STORAGE != "fs":
        raise RuntimeError(f"LIUHEN_STORAGE={settings.LIUHEN_STORAGE!r} is not supported yet (use 'fs')")
    return FileSystemStorage(settings.LIUHEN_VAULT_DIR)


def guess_media_type(filename: str) -> str:
    media_type, _ = mimetypes.guess_type(filename)
    return media_type or "application/octet-stream"


def ingest(
    *,
    actor: Person | None,
    source: BinaryIO | str | os.PathLike[str] | HashedFile,
    filename: str,
    media_type: str | None = None,
    case_id: int | None = None,
) -> Blob:
    """Store content once, by digest. The file is durable and in place before its row commits;
    if the transaction fails the staged file is removed again, and a crash in between is undone
    by :func:`recover` at the next start (the pending marker says the row may not exist).
    A :class:`HashedFile` (a finished resumable upload) is hard-linked in, not read again."""
    storage = get_storage()
    staged = storage.stage(source, max_bytes=settings.LIUHEN_MAX_UPLOAD_BYTES)
    scope = _staged_in_scope.get()
    if scope is not None:
        scope.append(staged)
    try:
        with transaction.atomic():
            blob = Blob.objects.filter(sm3=staged.sm3).first()
            if blob is None:
                blob = Blob(
                    sm3=staged.sm3,
                    sha256=staged.sha256,
                    size=staged.size,
                    media_type=media_type or guess_media_type(filename),
                    storage_key=staged.key,
                    created_by=actor,
                    created_at=timezone.now(),
                )
                blob.save(force_insert=True)
                ledger.append(
                    actor=actor,
                    action="blob.ingest",
                    obj=blob,
                    case_id=case_id,
                    payload={"content": sealed_content(blob), "filename": filename},
                )
            # Runs when the outermost transaction commits; dropped if it rolls back, in which
            # case the marker stays and atomic_with_blobs() or the next recover() removes the file.
            transaction.on_commit(lambda: storage.settle(staged))
    except BaseException:
        _discard([staged])
        raise
    return blob


def _discard(staged: list[StagedBlob]) -> None:
    storage = get_storage()
    for item in staged:
        # Keep the file if a committed row uses it (duplicate content ingested concurrently).
        if Blob.objects.filter(sm3=item.sm3).exists():
            storage.settle(item)
        else:
            storage.abort(item)


@contextmanager
def atomic_with_blobs() -> Iterator[None]:
    """A transaction that may ingest blobs: if it fails, the files it staged are removed at once,
    so a failed upload leaves neither a half record nor an orphan blob. Nested inside another, its
    files are handed to the outer one on success: the outer transaction can still roll back."""
    parent = _staged_in_scope.get()
    staged: list[StagedBlob] = []
    token = _staged_in_scope.set(staged)
    try:
        with transaction.atomic():
            yield
    except BaseException:
        _discard(staged)
        raise
    else:
        if parent is not None:
            parent.extend(staged)
    finally:
        _staged_in_scope.reset(token)


def recover() -> RecoveryReport:
    """Start-up clean-up: temp files and files of ingests whose row never committed."""
    return get_storage().recover(lambda sm3: Blob.objects.filter(sm3=sm3).exists())
