"""Derivatives (issue 5 point 5; AV-9): a browser-playable H.264/AAC copy only when the original is
not playable in a browser, a JPEG poster for video and photos, each a new vault blob linked to the
original by a write-once row sealed in the ledger; a corrupt original ends as a failed derivative
with the error; the original's bytes are never touched. Real files (ffmpeg / PyAV / Pillow)."""

from __future__ import annotations

from pathlib import Path

import av as pyav
import pytest
from django.db import DatabaseError, connection, transaction
from django.test import TestCase
from django_tasks_db.models import DBTaskResult
from PIL import Image

from liuhen.av import derivatives, services
from liuhen.av.models import Derivative, DerivativeKind, DerivativeStatus, MediaItem
from liuhen.av.naming import Claim
from liuhen.av.tasks import make_derivatives
from liuhen.av.testing import make_ffmpeg_media, make_recording
from liuhen.av.tests.conftest import Av
from liuhen.av.worker import queued_item_ids
from liuhen.demo.media import make_jpeg
from liuhen.ledger.models import LedgerEntry
from liuhen.ledger.verify import verify
from liuhen.vault.services import get_storage

pytestmark = pytest.mark.django_db


def _import(av: Av, path: Path) -> MediaItem:
    """One file through the dock importer (the real code path), its on-commit hooks run."""
    report = av.run()
    assert not report.failed, report.failed
    return MediaItem.objects.select_related("blob").get(filename=path.name)


def _produce(item: MediaItem) -> list[derivatives.Outcome]:
    with TestCase.captureOnCommitCallbacks(execute=True):
        return derivatives.produce_all(item.pk, task_id="test")


def _digest_on_disk(item: MediaItem) -> tuple[str, str, int]:
    return get_storage().digest_file(item.blob.storage_key)


def test_av_9_mpeg2_original_gets_h264_aac_playback_copy_and_poster(av: Av) -> None:
    path = make_ffmpeg_media(av.dock / av.name(1, ext="mpg"), seconds=1.5)
    item = _import(av, path)
    assert (item.container, item.video_codec, item.audio_codec) == ("mpeg", "mpeg2video", "mp2")
    assert not derivatives.browser_playable(item)
    assert derivatives.needed_kinds(item) == [DerivativeKind.PLAYBACK, DerivativeKind.POSTER]
    before = _digest_on_disk(item)

    outcomes = _produce(item)

    assert [(o.kind, o.status) for o in outcomes] == [("playback", "done"), ("poster", "done")]
    playback = Derivative.objects.select_related("blob").get(item=item, kind=DerivativeKind.PLAYBACK)
    assert playback.status == DerivativeStatus.DONE and playback.source_id == item.blob_id
    assert playback.blob is not None and playback.blob_id != item.blob_id
    assert playback.blob.media_type == "video/mp4" and "libx264" in playback.tool
    with get_storage().open(playback.blob.storage_key) as fh, pyav.open(fh) as container:
        assert container.streams.video[0].codec_context.name == "h264"
        assert container.streams.audio[0].codec_context.name == "aac"
        assert float(container.duration or 0) / 1_000_000 == pytest.approx(1.5, abs=0.2)
    poster = Derivative.objects.select_related("blob").get(item=item, kind=DerivativeKind.POSTER)
    assert poster.blob is not None and poster.blob.media_type == "image/jpeg"
    with get_storage().open(poster.blob.storage_key) as fh, Image.open(fh) as image:
        assert image.format == "JPEG" and image.size == (320, 240)
    # The original is byte for byte what was imported, and everything is sealed.
    assert _digest_on_disk(item) == before == (item.blob.sm3, item.blob.sha256, item.blob.size)
    entries = LedgerEntry.objects.filter(action="av.derive", object_type="av.derivative")
    assert entries.count() == 2
    assert verify(blobs=True).ok
    # Run again: nothing new.
    assert {o.status for o in _produce(item)} == {"skipped"}
    assert Derivative.objects.filter(item=item).count() == 2


def test_av_9_h264_aac_mp4_gets_no_playback_copy_only_a_poster(av: Av) -> None:
    path = av.video(av.name(2), seconds=1)
    item = _import(av, path)
    assert (item.video_codec, item.audio_codec, item.blob.media_type) == ("h264", "aac", "video/mp4")
    assert derivatives.browser_playable(item)
    outcomes = _produce(item)
    assert [(o.kind, o.status) for o in outcomes] == [("poster", "done")]
    assert not Derivative.objects.filter(item=item, kind=DerivativeKind.PLAYBACK).exists()


def test_av_9_audio_and_photos(av: Av) -> None:
    mp2 = make_ffmpeg_media(av.dock / av.name(3, ext="mp2"), video_codec=None)
    m4a = make_recording(av.dock / av.name(4, ext="m4a"), audio_only=True)
    photo = make_jpeg(av.dock / av.name(5, ext="jpg"), "现场照片", 5)
    sound_mp4 = make_recording(av.dock / av.name(6), audio_only=True)  # a ".MP4" holding only AAC
    av.run()
    items = {i.filename: i for i in MediaItem.objects.select_related("blob")}
    assert items[sound_mp4.name].kind == "video" and derivatives.needed_kinds(items[sound_mp4.name]) == []
    assert derivatives.needed_kinds(items[mp2.name]) == [DerivativeKind.PLAYBACK]
    assert derivatives.needed_kinds(items[m4a.name]) == []  # AAC in MP4 plays as it is
    assert derivatives.needed_kinds(items[photo.name]) == [DerivativeKind.POSTER]
    [audio] = _produce(items[mp2.name])
    copy = Derivative.objects.select_related("blob").get(pk=audio.derivative_id)
    assert copy.blob is not None and copy.blob.media_type == "audio/mp4"
    with get_storage().open(copy.blob.storage_key) as fh, pyav.open(fh) as container:
        assert not container.streams.video and container.streams.audio[0].codec_context.name == "aac"
    [thumb] = _produce(items[photo.name])
    assert thumb.status == "done"
    assert _produce(items[m4a.name]) == []


def test_av_9_corrupt_original_is_a_failed_derivative_with_the_error(av: Av) -> None:
    path = av.dock / av.name(6)
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 400)
    item = _import(av, path)
    assert item.metadata_error  # kept as an opaque blob at import
    outcomes = _produce(item)  # does not raise
    assert [(o.kind, o.status) for o in outcomes] == [("playback", "failed"), ("poster", "failed")]
    for row in Derivative.objects.filter(item=item):
        assert row.blob is None and "ffmpeg 退出码" in row.error and str(get_storage().root) not in row.error
    entry = LedgerEntry.objects.filter(action="av.derive").last()
    assert entry is not None and '"status":"failed"' in entry.payload
    # A failed derivative is not retried by the next run, only on request.
    assert {o.status for o in _produce(item)} == {"skipped"}
    with TestCase.captureOnCommitCallbacks(execute=True):
        again = derivatives.produce_all(item.pk, retry_failed=True)
    assert {o.status for o in again} == {"failed"}
    assert Derivative.objects.filter(item=item).count() == 4
    assert verify(blobs=False).ok


def test_av_9_import_queues_one_task_in_the_same_transaction(av: Av) -> None:
    first = make_ffmpeg_media(av.dock / av.name(7, ext="mpg"))
    second = av.video(av.name(8), seconds=1)
    (av.dock / "notes.bin").write_bytes(b"not media at all")
    av.run()
    tasks = DBTaskResult.objects.filter(task_path=make_derivatives.module_path)
    assert tasks.count() == 1  # one task per committed batch
    ids = set(MediaItem.objects.filter(filename__in=[first.name, second.name]).values_list("pk", flat=True))
    assert queued_item_ids() == ids  # the .bin file needs nothing
    # Items imported without a task (e.g. before the worker existed) are found and queued once.
    assert derivatives.enqueue_missing(skip=queued_item_ids()) == 0
    other = make_ffmpeg_media(av.dock.parent / "other.mpg", seconds=2)
    with TestCase.captureOnCommitCallbacks(execute=True):
        result = services.import_file(
            actor=None,
            agency=av.org.agency,
            file=services.DockFile(
                dock="/x", path="other.mpg", absolute=other, size=other.stat().st_size, mtime_ns=1
            ),
            claim=Claim(),
            queue_derivatives=False,
        )
    assert result.outcome == services.Outcome.IMPORTED and result.item.pk not in queued_item_ids()
    assert derivatives.enqueue_missing(skip=queued_item_ids()) == 1
    assert result.item.pk in queued_item_ids()
    assert derivatives.enqueue_missing(skip=queued_item_ids()) == 0


def test_av_9_derivative_rows_are_write_once(av: Av) -> None:
    item = _import(av, make_ffmpeg_media(av.dock / av.name(9, ext="mpg")))
    _produce(item)
    for sql in ("UPDATE av_derivative SET error = 'x'", "DELETE FROM av_derivative"):
        with (
            pytest.raises(DatabaseError, match="write-once"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
