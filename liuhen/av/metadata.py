"""What a media file says about itself (AV point 4): PyAV for video and audio (duration, creation
time, codecs, resolution, GPS tags), Pillow/EXIF for photos (DateTimeOriginal, Make/Model, body
serial, GPS).

Pure (no Django). Never raises for a bad file: an unsupported or corrupt file comes back with
``error`` set (a Chinese message for the officer) and is stored as it is, never dropped.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from fractions import Fraction
from typing import IO, Any

from liuhen.av.naming import parse_location

MAX_TAGS = 60
MAX_TAG_LENGTH = 200
# Packets to demux while looking for one decodable frame (a corrupt file is caught here).
DECODE_PROBE_PACKETS = 200

_LOCATION_KEYS = (
    "com.apple.quicktime.location.iso6709",
    "location",
    "location-eng",
    "com.android.capture.location",
)


@dataclass
class MediaMetadata:
    kind: str = "other"  # MediaKind value
    duration_ms: int | None = None
    width: int | None = None
    height: int | None = None
    container: str = ""
    video_codec: str = ""
    audio_codec: str = ""
    created_at: datetime | None = None
    latitude: str = ""
    longitude: str = ""
    make: str = ""
    model: str = ""
    serial: str = ""
    tags: dict[str, Any] = field(default_factory=dict)
    error: str = ""


def _clip(value: object, length: int = MAX_TAG_LENGTH) -> str:
    return str(value).replace("\x00", "").strip()[:length]


def _short_error(exc: BaseException) -> str:
    """The reader's complaint without file names or paths (the vault path is nobody's business)."""
    reason = getattr(exc, "strerror", None) or str(exc)
    reason = re.sub(r"<[^>]*>|'[^']*'|\"[^\"]*\"", "", str(reason)).strip(" :")
    return _clip(f"{type(exc).__name__}: {reason}" if reason else type(exc).__name__, 300)


def _media_time(value: str, tz: tzinfo) -> datetime | None:
    """``creation_time`` as containers write it (``2026-11-20T01:30:15.000000Z``), or EXIF's
    ``2026:11:20 09:30:15`` (local unless an offset is given)."""
    text = value.strip().replace("\x00", "")
    match = re.fullmatch(r"(\d{4}):(\d\d):(\d\d)[ T](\d\d):(\d\d):(\d\d)(?:\.\d+)?", text)
    if match:
        y, mo, d, h, mi, s = (int(g) for g in match.groups())
        try:
            return datetime(y, mo, d, h, mi, s, tzinfo=tz)
        except ValueError:
            return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.year < 1990:  # 1904/1970 epochs written by devices without a clock
        return None
    return parsed.replace(tzinfo=tz) if parsed.tzinfo is None else parsed


def extract(fh: IO[bytes], *, media_type: str, filename: str, tz: tzinfo) -> MediaMetadata:
    """Read the metadata of an open file. ``media_type`` decides the reader: images go to
    Pillow, audio and video to PyAV; anything else is reported as unsupported."""
    if media_type.startswith("image/"):
        return _extract_image(fh, tz)
    if media_type.startswith(("video/", "audio/")):
        return _extract_av(fh, media_type, tz)
    return MediaMetadata(error=f"不支持的文件类型（{media_type}），已按原样保存，未解析元数据。")


# --- audio and video (PyAV) --------------------------------------------------------------------


def _is_cover_art(stream: Any) -> bool:
    import av

    disposition = getattr(stream, "disposition", None)
    flag = getattr(getattr(av.stream, "Disposition", None), "attached_pic", None)
    try:
        return bool(disposition is not None and flag is not None and disposition & flag)
    except TypeError:
        return False


def _extract_av(fh: IO[bytes], media_type: str, tz: tzinfo) -> MediaMetadata:
    import av

    meta = MediaMetadata()
    try:
        with av.open(fh, mode="r", metadata_errors="ignore") as container:
            meta.container = _clip(container.format.name, 64)
            tags: dict[str, Any] = {
                k.lower(): _clip(v) for k, v in list(container.metadata.items())[:MAX_TAGS]
            }
            videos = [s for s in container.streams.video if not _is_cover_art(s)]
            audios = list(container.streams.audio)
            streams: list[dict[str, Any]] = []
            for stream in container.streams:
                ctx: Any = stream.codec_context
                entry: dict[str, Any] = {
                    "type": stream.type,
                    "codec": _clip(getattr(ctx, "name", "") or "", 32),
                }
                if stream.type == "video":
                    entry.update(width=ctx.width, height=ctx.height)
                    if stream.average_rate:
                        entry["fps"] = str(Fraction(stream.average_rate).limit_denominator(1001))
                elif stream.type == "audio":
                    entry.update(sample_rate=ctx.sample_rate, channels=ctx.channels)
                for k, v in list(stream.metadata.items())[:10]:
                    entry.setdefault("tags", {})[k.lower()] = _clip(v)
                streams.append(entry)
            if videos:
                meta.kind = "video"
                ctx = videos[0].codec_context
                meta.video_codec = _clip(ctx.name, 32)
                meta.width, meta.height = ctx.width or None, ctx.height or None
            elif audios:
                meta.kind = "audio"
            else:
                meta.error = "文件中没有音视频流，无法作为录音录像解析，已按原样保存。"
            if audios:
                meta.audio_codec = _clip(audios[0].codec_context.name, 32)
            meta.duration_ms = _duration_ms(container, videos or audios)
            meta.created_at = _creation_time(tags, streams, tz)
            location = next((tags[k] for k in _LOCATION_KEYS if tags.get(k)), "")
            if location:
                meta.latitude, meta.longitude = parse_location(location)
            meta.make = _clip(tags.get("com.apple.quicktime.make") or tags.get("make") or "", 64)
            meta.model = _clip(tags.get("com.apple.quicktime.model") or tags.get("model") or "", 64)
            meta.serial = next((_clip(v, 64) for k, v in tags.items() if "serial" in k and v), "")
            meta.tags = {"format": meta.container, "tags": tags, "streams": streams}
            if not meta.error:
                _probe_decode(container, videos[0] if videos else audios[0])
    except Exception as exc:  # an untrusted file: whatever FFmpeg says, the file is kept
        kind = "录像" if media_type.startswith("video/") else "录音"
        meta.kind = "other"
        meta.error = f"{kind}文件已损坏或格式不受支持，无法解析（{_short_error(exc)}），已按原样保存。"
    return meta


def _duration_ms(container: Any, streams: list[Any]) -> int | None:
    if container.duration is not None and container.duration > 0:
        return int(container.duration // 1000)  # AV_TIME_BASE is microseconds
    for stream in streams:
        if stream.duration and stream.time_base:
            return int(stream.duration * stream.time_base * 1000)
    return None


def _creation_time(tags: dict[str, Any], streams: list[dict[str, Any]], tz: tzinfo) -> datetime | None:
    candidates = [
        tags.get("com.apple.quicktime.creationdate"),
        tags.get("creation_time"),
        tags.get("date"),
        *(s.get("tags", {}).get("creation_time") for s in streams),
    ]
    for value in candidates:
        if value:
            moment = _media_time(str(value), tz)
            if moment is not None:
                return moment
    return None


def _probe_decode(container: Any, stream: Any) -> None:
    """Decode one frame: a file whose header is fine but whose data is not fails here."""
    for count, packet in enumerate(container.demux(stream)):
        if count >= DECODE_PROBE_PACKETS:
            break
        if packet.size == 0:
            continue
        if packet.decode():
            return
    raise ValueError("no decodable frame")


# --- photos (Pillow, EXIF) ---------------------------------------------------------------------


def _ratio(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError, ZeroDivisionError):
        return float("nan")


def _gps(ifd: Any) -> tuple[str, str]:
    try:
        lat, lat_ref, lon, lon_ref = ifd.get(2), ifd.get(1, "N"), ifd.get(4), ifd.get(3, "E")
        if not lat or not lon:
            return "", ""

        def degrees(dms: Any) -> float:
            d, m, s = [*list(dms), 0, 0, 0][:3]
            return _ratio(d) + _ratio(m) / 60 + _ratio(s) / 3600

        text = f"{degrees(lat):.6f}{_clip(lat_ref, 1)},{degrees(lon):.6f}{_clip(lon_ref, 1)}"
        return parse_location(text)
    except Exception:  # odd EXIF from an untrusted device: no position rather than no import
        return "", ""


_STRICT_DECODE = threading.Lock()


def _load_strictly(image: Any) -> None:
    """Decode every pixel, failing on a truncated file. WeasyPrint sets Pillow's process-wide
    ``LOAD_TRUNCATED_IMAGES`` when it is imported (liuhen.documents), which would let a cut photo
    load silently; hold it off for this decode."""
    from PIL import ImageFile

    with _STRICT_DECODE:
        saved = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            image.load()
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = saved


def _extract_image(fh: IO[bytes], tz: tzinfo) -> MediaMetadata:
    from PIL import ExifTags, Image

    meta = MediaMetadata()
    try:
        with Image.open(fh) as image:
            meta.container = _clip(image.format or "", 64)
            meta.width, meta.height = image.size
            exif = image.getexif()
            sub = exif.get_ifd(ExifTags.IFD.Exif)
            gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
            _load_strictly(image)  # decode: a truncated or corrupt photo fails here
        meta.kind = "image"
        base = {ExifTags.TAGS.get(k, str(k)): _clip(v) for k, v in exif.items() if not isinstance(v, bytes)}
        details = {ExifTags.TAGS.get(k, str(k)): _clip(v) for k, v in sub.items() if not isinstance(v, bytes)}
        meta.make = _clip(base.get("Make", ""), 64)
        meta.model = _clip(base.get("Model", ""), 64)
        meta.serial = _clip(details.get("BodySerialNumber") or base.get("BodySerialNumber") or "", 64)
        stamp = details.get("DateTimeOriginal") or details.get("DateTimeDigitized") or base.get("DateTime")
        if stamp:
            offset = details.get("OffsetTimeOriginal") or details.get("OffsetTime") or ""
            moment = _media_time(stamp, tz)
            if moment is not None and re.fullmatch(r"[+-]\d\d:\d\d", offset):
                moment = datetime.fromisoformat(moment.replace(tzinfo=None).isoformat() + offset)
            meta.created_at = moment
        if gps:
            meta.latitude, meta.longitude = _gps(gps)
        tags = dict(list({**base, **details}.items())[:MAX_TAGS])
        meta.tags = {"format": meta.container, "exif": tags, "width": meta.width, "height": meta.height}
    except Exception as exc:  # an untrusted file: whatever Pillow says, the file is kept
        meta.kind = "other"
        meta.error = f"照片文件已损坏或格式不受支持，无法解析（{_short_error(exc)}），已按原样保存。"
    return meta


def as_utc(value: datetime | None) -> datetime | None:
    return value.astimezone(UTC) if value is not None else None
