"""Issue 5 point 4 (AV-8, AV-9): duration, creation time, codecs, resolution and GPS from PyAV;
EXIF time, make/model, body serial and GPS from Pillow; a corrupt or unsupported file gives a clear
error instead of failing the import."""

from __future__ import annotations

from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PIL import ExifTags, Image

from liuhen.av.metadata import MediaMetadata, extract
from liuhen.av.testing import make_recording
from liuhen.demo.media import make_jpeg

TZ = ZoneInfo("Asia/Shanghai")


def _read(path: Path, media_type: str) -> MediaMetadata:
    with open(path, "rb") as fh:
        return extract(fh, media_type=media_type, filename=path.name, tz=TZ)


def test_video_metadata(tmp_path: Path) -> None:
    when = datetime(2026, 11, 20, 1, 30, 15, tzinfo=UTC)
    path = make_recording(tmp_path / "v.mp4", seconds=2, creation_time=when, location="+38.4872+106.2309/")
    meta = _read(path, "video/mp4")
    assert meta.error == ""
    assert meta.kind == "video"
    assert 1900 <= meta.duration_ms <= 2200
    assert (meta.width, meta.height) == (320, 240)
    assert meta.video_codec in ("h264", "mpeg4") and meta.audio_codec == "aac"
    assert meta.created_at == when
    assert (meta.latitude, meta.longitude) == ("38.487200", "106.230900")
    assert "mp4" in meta.container


def test_audio_metadata(tmp_path: Path) -> None:
    path = make_recording(tmp_path / "a.m4a", seconds=1.5, audio_only=True)
    meta = _read(path, "audio/mp4")
    assert (meta.kind, meta.audio_codec, meta.video_codec, meta.error) == ("audio", "aac", "", "")
    assert 1400 <= meta.duration_ms <= 1700
    assert meta.created_at is None


def test_photo_exif(tmp_path: Path) -> None:
    path = make_jpeg(
        tmp_path / "p.jpg", "现场", 1, taken_at=datetime(2026, 11, 20, 9, 30, 15), model="DSJ-V9"
    )
    with Image.open(path) as image:
        exif = image.getexif()
        exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.BodySerialNumber] = "DSJ-64032300001"
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
        gps[1], gps[2] = "N", (Fraction(38), Fraction(29), Fraction(1392, 100))
        gps[3], gps[4] = "E", (Fraction(106), Fraction(13), Fraction(5124, 100))
        image.save(tmp_path / "gps.jpg", exif=exif)
    meta = _read(tmp_path / "gps.jpg", "image/jpeg")
    assert meta.error == "" and meta.kind == "image"
    assert meta.created_at == datetime(2026, 11, 20, 9, 30, 15, tzinfo=TZ)
    assert (meta.make, meta.model, meta.serial) == ("Liuhen Demo", "DSJ-V9", "DSJ-64032300001")
    assert (meta.width, meta.height) == (640, 480)
    assert meta.latitude.startswith("38.4872") and meta.longitude.startswith("106.2309")


@pytest.mark.parametrize(
    ("name", "media_type", "content", "expected"),
    [
        ("bad.mp4", "video/mp4", b"\x00\x00\x00\x18ftypmp42" + b"garbage" * 500, "录像文件已损坏"),
        ("bad.m4a", "audio/mp4", b"not audio at all" * 100, "录音文件已损坏"),
        ("bad.jpg", "image/jpeg", b"photo bytes" * 50, "照片文件已损坏"),
        ("notes.docx", "application/msword", b"PK\x03\x04", "不支持的文件类型"),
    ],
)
def test_av_9_corrupt_or_unsupported_gives_a_clear_error(
    tmp_path: Path, name: str, media_type: str, content: bytes, expected: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    meta = _read(path, media_type)
    assert expected in meta.error and "已按原样保存" in meta.error
    assert str(tmp_path) not in meta.error and name not in meta.error


def test_av_9_truncated_files_are_caught(tmp_path: Path) -> None:
    video = make_recording(tmp_path / "v.mp4", seconds=1)
    data = video.read_bytes()
    (tmp_path / "cut.mp4").write_bytes(data[: len(data) // 2])
    assert "录像文件已损坏" in _read(tmp_path / "cut.mp4", "video/mp4").error
    photo = make_jpeg(tmp_path / "p.jpg", "x", 2).read_bytes()
    (tmp_path / "cut.jpg").write_bytes(photo[: len(photo) // 3])
    assert "照片文件已损坏" in _read(tmp_path / "cut.jpg", "image/jpeg").error


def test_av_9_truncated_photo_caught_even_after_weasyprint_import(tmp_path: Path) -> None:
    """WeasyPrint (imported by liuhen.documents) turns on Pillow's LOAD_TRUNCATED_IMAGES globally."""
    import weasyprint  # noqa: F401
    from PIL import ImageFile

    assert ImageFile.LOAD_TRUNCATED_IMAGES
    photo = make_jpeg(tmp_path / "p.jpg", "x", 2).read_bytes()
    (tmp_path / "cut.jpg").write_bytes(photo[: len(photo) // 3])
    assert "照片文件已损坏" in _read(tmp_path / "cut.jpg", "image/jpeg").error
    assert ImageFile.LOAD_TRUNCATED_IMAGES  # left as WeasyPrint wants it
