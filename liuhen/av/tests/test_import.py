"""Dock import (issue 5 point 1; AV-8, AV-9, EQ-5), in-process: items keyed by recorder serial and
time from names, device folders, sidecars, the media itself or ``--device``; idempotent; duplicates
stored once; zero-byte files skipped; corrupt files kept as opaque blobs; the time-disagreement and
outside-checkout flags; every write sealed in the ledger so ``verify`` passes."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.test import TestCase
from django.utils import timezone

from liuhen.av import selectors, services
from liuhen.av.models import ClaimSource, MediaItem, MediaKind, MediaSource
from liuhen.av.naming import Claim
from liuhen.av.progress import Progress
from liuhen.av.tests.conftest import Av
from liuhen.demo.media import make_jpeg
from liuhen.equipment import services as equipment
from liuhen.equipment.models import ReturnCondition
from liuhen.equipment.testing import GOOD_CHECK
from liuhen.ledger.models import LedgerEntry
from liuhen.ledger.verify import verify
from liuhen.vault.models import Blob
from liuhen.vault.services import get_storage

pytestmark = pytest.mark.django_db


def _state(item: MediaItem) -> selectors.ItemState:
    return selectors.state_of(selectors.with_state(MediaItem.objects.filter(pk=item.pk)).get())


def test_av_8_import_recognises_serial_time_and_officer(av: Av) -> None:
    named = av.name(1)
    av.video(named, seconds=1, location="+38.4872+106.2309/")
    moment = timezone.localtime(av.at(2))
    in_folder = f"DSJ-64032300002/100MEDIA/{moment:%Y%m%d_%H%M%S}_A0001.mp4"
    av.video(in_folder, seconds=1)
    sidecar_video = f"{timezone.localtime(av.at(3)):%Y%m%d_%H%M%S}_A0002.mp4"
    av.video(sidecar_video, seconds=1)
    (av.dock / sidecar_video.replace(".mp4", ".json")).write_text(
        json.dumps({"DeviceID": "DSJ-64032300001", "GPS": "38.5,106.2", "PoliceNo": "000123"}),
        encoding="utf-8",
    )
    report = av.run()
    assert len(report.imported) == 3 and not report.failed

    item = av.item(named)
    assert (item.recorder_no, item.recorder_source) == ("DSJ-64032300001", ClaimSource.FILENAME)
    assert item.recorded_at == av.at(1).replace(microsecond=0)
    assert (item.time_source, item.kind) == (ClaimSource.FILENAME, MediaKind.VIDEO)
    assert (item.latitude, item.longitude, item.location_source) == ("38.487200", "106.230900", "metadata")
    assert item.duration_ms and item.width == 320 and item.audio_codec == "aac"
    assert _state(item).officer == av.org.officer_a1 and _state(item).status == "pending"

    folder_item = av.item(Path(in_folder).name)
    assert (folder_item.recorder_no, folder_item.recorder_source) == ("DSJ-64032300002", ClaimSource.FOLDER)
    assert _state(folder_item).status == "unattributed"  # recorder 2 was never checked out
    assert "outside_checkout" in _state(folder_item).flags

    side = av.item(sidecar_video)
    assert (side.recorder_no, side.recorder_source, side.officer_no) == (
        "DSJ-64032300001",
        "sidecar",
        "000123",
    )
    assert (side.latitude, side.location_source, side.sidecar_filename) == (
        "38.500000",
        "sidecar",
        sidecar_video[:-4] + ".json",
    )
    assert side.sidecar is not None and not MediaItem.objects.filter(filename__endswith=".json").exists()

    assert LedgerEntry.objects.filter(action="av.import").count() == 3
    assert LedgerEntry.objects.filter(action="av.source").count() == 3
    assert verify().ok


def test_av_8_fallbacks_media_metadata_then_device_option(av: Av) -> None:
    make_jpeg(av.dock / "IMG_0001.jpg", "现场", 1, taken_at=timezone.localtime(av.at(4)).replace(tzinfo=None))
    av.video("REC_0002.MP4", seconds=1, creation_time=av.at(5))
    av.run(device="dsj-64032300001")
    photo = av.item("IMG_0001.jpg")
    assert (photo.kind, photo.time_source, photo.recorder_source) == ("image", "metadata", "option")
    assert photo.recorded_at == av.at(4).replace(microsecond=0)
    assert (photo.make, photo.model_name) == ("Liuhen Demo", "DSJ-V9")
    video = av.item("REC_0002.MP4")
    assert (video.time_source, video.recorder_no) == ("metadata", "DSJ-64032300001")
    assert video.time_offset_seconds is None  # nothing claimed, nothing to disagree with
    assert _state(video).officer == av.org.officer_a1


def test_av_8_second_run_imports_nothing(av: Av) -> None:
    for n in range(3):
        av.video(av.name(n + 1, seq=n + 1), seconds=1)
    first = av.run()
    assert len(first.imported) == 3
    entries = LedgerEntry.objects.count()
    second = av.run()
    assert (len(second.imported), len(second.already)) == (0, 3)
    assert LedgerEntry.objects.count() == entries
    # Touched (a new mtime, same content): read again, recognised by digest and path, nothing written.
    path = av.dock / av.name(1, seq=1)
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    third = av.run()
    assert (len(third.imported), len(third.already)) == (0, 3)
    assert LedgerEntry.objects.count() == entries
    assert "已导入过 already" in av.out.getvalue()


def test_av_9_duplicate_content_is_stored_once(av: Av) -> None:
    original = av.video(av.name(1), seconds=1)
    (av.dock / "backup").mkdir()
    (av.dock / "backup" / "copy.MP4").write_bytes(original.read_bytes())
    report = av.run()
    assert len(report.imported) == 1 and report.duplicates == [("backup/copy.MP4", original.name)]
    assert MediaItem.objects.count() == 1 and Blob.objects.count() == 1
    sources = MediaSource.objects.order_by("pk")
    assert [s.duplicate for s in sources] == [False, True]
    assert sorted(av.run().already) == sorted([original.name, "backup/copy.MP4"])
    assert MediaSource.objects.count() == 2  # the rerun recorded nothing new


def test_av_9_zero_byte_file_is_reported_and_skipped(av: Av) -> None:
    (av.dock / av.name(1)).write_bytes(b"")
    report = av.run()
    assert report.zero_byte == [av.name(1)] and not report.imported
    assert not MediaItem.objects.exists() and not Blob.objects.exists()
    assert "空文件 zero-byte" in av.out.getvalue()
    with pytest.raises(ValidationError, match="空文件"):
        services.import_file(
            actor=None,
            agency=av.org.agency,
            file=services.DockFile(dock="d", path="x.mp4", absolute=av.dock / "x", size=0, mtime_ns=0),
            claim=Claim(),
        )


def test_av_9_corrupt_media_is_kept_as_an_opaque_blob(av: Av) -> None:
    content = b"\x00\x00\x00\x18ftypmp42" + os.urandom(4096)
    (av.dock / av.name(1)).write_bytes(content)
    (av.dock / "readme.bin").write_bytes(b"\x01\x02\x03")
    report = av.run()
    assert len(report.imported) == 2 and len(report.unreadable) == 2 and not report.failed
    item = av.item(av.name(1))
    assert "录像文件已损坏" in item.metadata_error and item.kind == MediaKind.VIDEO
    assert "unreadable" in _state(item).flags
    with get_storage().open(item.blob.storage_key) as fh:
        assert fh.read() == content  # stored byte for byte
    assert _state(item).officer == av.org.officer_a1  # still attributed by name and checkout
    assert "不支持的文件类型" in av.item("readme.bin").metadata_error
    assert verify().ok


def test_av_8_time_disagreement_is_flagged(av: Av, settings: object) -> None:
    av.video(av.name(1, seq=1), seconds=1, creation_time=av.at(1) + timedelta(minutes=10))
    av.video(av.name(2, seq=2), seconds=1, creation_time=av.at(2) + timedelta(seconds=30))
    av.run()
    off, close = av.item(av.name(1, seq=1)), av.item(av.name(2, seq=2))
    assert off.time_offset_seconds == 600 and "time_mismatch" in _state(off).flags
    assert close.time_offset_seconds == 30 and "time_mismatch" not in _state(close).flags
    assert off.recorded_at == av.at(1).replace(microsecond=0)  # the claimed time stays the start time
    settings.LIUHEN_AV_TIME_TOLERANCE_SECONDS = 10  # type: ignore[attr-defined]
    assert "time_mismatch" in _state(close).flags
    flagged = selectors.search_items(av.org.auditor, flag="time_mismatch")
    assert {i.pk for i in flagged} == {off.pk, close.pk}


def test_eq_5_recording_outside_any_checkout_is_flagged_and_listed(av: Av) -> None:
    equipment.return_device(
        actor=av.admin, checkout=av.checkout, condition=ReturnCondition.GOOD, at=av.at(30)
    )
    inside = av.name(29, seq=1)
    av.video(inside, seconds=1)
    after = av.name(31, seq=2)  # after the return
    av.video(after, seconds=1)
    av.video("DSJ-99999999999_20261120093015_0003.MP4", seconds=1)  # not in the register
    av.run()
    assert _state(av.item(inside)).officer == av.org.officer_a1
    outside = _state(av.item(after))
    assert outside.status == "unattributed" and "outside_checkout" in outside.flags
    assert "无领用登记" in outside.reason
    unknown = _state(av.item("DSJ-99999999999_20261120093015_0003.MP4"))
    assert "未在装备台账登记" in unknown.reason and "outside_checkout" not in unknown.flags
    listed = {i.filename for i in selectors.unattributed_for(av.admin)}
    assert listed == {after, "DSJ-99999999999_20261120093015_0003.MP4"}


def test_av_8_checkout_entered_later_attributes_earlier_imports(av: Av) -> None:
    serial = av.recorder2.serial_no
    av.video(av.name(10, serial=serial), seconds=1)
    av.run()
    item = av.item(av.name(10, serial=serial))
    assert _state(item).status == "unattributed"
    equipment.check_and_check_out(  # entered afterwards, with the real handover time
        actor=av.admin,
        device=av.recorder2,
        holder=av.org.officer_a2,
        check=GOOD_CHECK,
        purpose="询问",
        at=av.at(5),
    )
    assert _state(item).officer == av.org.officer_a2  # derived from the log, nothing rewritten


def test_av_9_file_changing_during_import_is_refused(av: Av) -> None:
    path = av.video(av.name(1), seconds=1)
    file = services.DockFile(
        dock=str(av.dock), path=path.name, absolute=path, size=path.stat().st_size - 1, mtime_ns=1
    )
    with TestCase.captureOnCommitCallbacks(execute=True), pytest.raises(ValidationError, match="发生变化"):
        services.import_file(actor=None, agency=av.org.agency, file=file, claim=Claim())
    assert not MediaItem.objects.exists() and not Blob.objects.exists()
    assert not list((Path(get_storage().root) / "blobs").rglob("*.*"))  # type: ignore[attr-defined]


def test_watch_waits_for_a_file_still_being_copied(av: Av) -> None:
    source = av.video("staging/clip.mp4", seconds=1).read_bytes()
    (av.dock / "staging" / "clip.mp4").unlink()
    target = av.dock / av.name(1)
    target.write_bytes(source[:1000])  # the copy has begun
    polls: list[int] = []

    def sleep(_: float) -> None:
        polls.append(MediaItem.objects.count())
        if len(polls) == 1:
            with open(target, "ab") as fh:  # the copy goes on between the polls
                fh.write(source[1000:])

    with TestCase.captureOnCommitCallbacks(execute=True):
        av.importer().watch(interval=0, stop=lambda: len(polls) >= 4, sleep=sleep)
    assert polls[:2] == [0, 0]  # never imported while growing, nor before it was seen twice unchanged
    item = MediaItem.objects.get()
    assert item.blob.size == len(source) and not item.metadata_error


def test_progress_bar_shows_rate_and_eta() -> None:
    clock = iter([0.0, 0.0, 2.0, 2.0, 2.0, 4.0, 4.0])
    lines: list[str] = []

    class Stream:
        def write(self, text: str) -> None:
            lines.append(text)

        def flush(self) -> None:
            pass

    progress = Progress(
        total_bytes=4 * 1024 * 1024, total_files=2, stream=Stream(), clock=lambda: next(clock)
    )  # type: ignore[arg-type]
    progress.start_file("a.mp4")
    progress.advance(2 * 1024 * 1024)
    progress.finish_file()
    text = "".join(lines)
    assert "50.0%" in text and "1.0 MiB/s" in text and "剩余 ETA 00:02" in text and "文件 1/2" in text
