"""Test helpers for audio-visual items (importable from other apps' tests, e.g. ``core.testing``):
real small recordings with the metadata a body camera writes, files in codecs browsers do not play,
and one row in every av table."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from liuhen.av import services
from liuhen.av.models import MediaItem
from liuhen.av.naming import Claim
from liuhen.vault.services import get_storage

if TYPE_CHECKING:
    from liuhen.conftest import Org
    from liuhen.records.models import Record


def make_recording(
    path: str | Path,
    *,
    seconds: float = 1,
    creation_time: datetime | None = None,
    location: str = "",
    audio_only: bool = False,
) -> Path:
    """A small real MP4 (H.264 + AAC, or an AAC-only ``.m4a``) with the container tags a recorder
    writes: ``creation_time`` (UTC) and ``location`` (ISO 6709)."""
    import av

    from liuhen.demo.media import make_audio, make_video

    target = Path(path)
    plain = target.with_name(target.stem + ".plain" + target.suffix)
    # The file name is drawn into the frames (or sets the tone): every recording has its own bytes.
    if audio_only:
        make_audio(plain, seconds, freq=300 + sum(target.name.encode()) % 500)
    else:
        make_video(plain, seconds, text=target.stem[-30:])
    with av.open(str(plain)) as src, av.open(str(target), mode="w", format="mp4") as dst:
        if creation_time is not None:
            dst.metadata["creation_time"] = creation_time.astimezone(UTC).strftime(
                "%Y-%m-%dT%H:%M:%S.000000Z"
            )
        if location:
            dst.metadata["location"] = location
        streams = {s.index: dst.add_stream_from_template(s) for s in src.streams}
        for packet in src.demux():
            if packet.dts is None:
                continue
            packet.stream = streams[packet.stream.index]
            dst.mux(packet)
    plain.unlink()
    return target


def populate_av(org: Org, record: Record) -> MediaItem:
    """One row in every av table: an item imported from a dock (the same content as ``record``'s
    attachment, so the vault still holds one blob), a duplicate source, a reassignment by the
    department head and the officer's confirmation attaching it to ``record``. Expects the device
    ``DSJ-POP-0001`` of :func:`liuhen.equipment.testing.populate_equipment` (department A)."""
    attachment = record.attachments.select_related("blob").get()
    with get_storage().open(attachment.blob.storage_key) as fh:
        content = fh.read()

    def dock_file(path: str) -> services.DockFile:
        return services.DockFile(
            dock="/media/recorder",
            path=path,
            absolute=Path("/media/recorder") / path,
            size=len(content),
            mtime_ns=1,
        )

    claim = Claim(serial="DSJ-POP-0001", serial_source="filename", officer_no="000123")
    imported = services.import_file(
        actor=None, agency=org.agency, file=dock_file("DCIM/p.jpg"), claim=claim, reader=io.BytesIO(content)
    )
    services.import_file(
        actor=None,
        agency=org.agency,
        file=dock_file("DCIM/copy.jpg"),
        claim=claim,
        reader=io.BytesIO(content),
    )
    item = imported.item
    services.reassign_item(
        actor=org.head_a, item=item, officer=org.officer_a1, reason="该记录仪当日由张伟使用"
    )
    services.confirm_item(actor=org.officer_a1, item=item, case=record.case, record=record)  # type: ignore[arg-type]
    # A derivative row: the content is no real photo, so its poster is a failed derivative (Pillow).
    from liuhen.av.derivatives import produce_all

    produce_all(item.pk, task_id="populate")
    # A declaration row (AV-3/AV-4/AV-7): the officer states the opening statement was made.
    from liuhen.av import flags

    flags.declare(actor=org.officer_a1, blob=item.blob, opening_statement=list(flags.OPENING_ITEMS)[:1])
    return item


def make_ffmpeg_media(
    path: str | Path,
    *,
    seconds: float = 1,
    video_codec: str | None = "mpeg2video",
    audio_codec: str | None = "mp2",
    container: str | None = None,
) -> Path:
    """A small real file in codecs browsers do not play (default: MPEG-2 video + MP2 audio in an
    MPEG program stream), made by the Debian ``ffmpeg`` from its test sources."""
    import subprocess

    target = Path(path)
    args = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y"]
    if video_codec:
        args += ["-f", "lavfi", "-i", f"testsrc=size=320x240:rate=25:duration={seconds}"]
    if audio_codec:
        args += ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}"]
    if video_codec:
        args += ["-c:v", video_codec]
    if audio_codec:
        args += ["-c:a", audio_codec]
    if container:
        args += ["-f", container]
    subprocess.run([*args, str(target)], check=True, capture_output=True, timeout=120)
    return target
