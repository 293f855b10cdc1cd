"""What a recorder's file says about itself: serial number, start time, officer number and place,
read from the file name, the device folder it sits in, or a sidecar of the same stem.

Pure functions (no Django, no database): :mod:`liuhen.av.dock` applies them and adds what only
the database knows (registered serials). Times without a zone are local (``tz``).

File-naming schemes recognised (case-insensitive), e.g.::

    DSJ-64032300001_20261120093015_0001.MP4     serial _ yyyymmddHHMMSS _ sequence
    DSJ64032300001_000123_20261120093015.mp4    serial _ officer number _ timestamp
    DSJ-64032300001/20261120_093015_A0001.mp4   timestamp in the name, serial = device folder
    REC_20261120-093015.MOV, VID_20261120_093015.mp4, IMG_20261120_093015.jpg
    2026-11-20 09.30.15.mp4

A sidecar ``<stem>.xml`` / ``.json`` / ``.txt`` beside the media may carry the device id, the
start time, the officer number and GPS under common keys (English or Chinese, see the ``*_KEYS``).
"""

from __future__ import annotations

import contextlib
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from pathlib import PurePath

SIDECAR_SUFFIXES = (".xml", ".json", ".txt")
SIDECAR_MAX_BYTES = 1024 * 1024

# Leading words of file names that are not a device serial.
GENERIC_WORDS = frozenset(
    {
        "REC", "RECORD", "VID", "VIDEO", "IMG", "IMAGE", "PIC", "PHOTO", "MOV", "MVI", "AUD", "AUDIO",
        "SND", "SOUND", "VOICE", "DSC", "DSCN", "DCIM", "PXL", "MVIMG", "FILE", "CAPTURE", "EVENT",
        "EMER", "EMG", "IMP", "NOR", "NORMAL", "LOCK", "ALARM", "WAV", "MP4", "JPG", "CH", "CAM",
    }
)  # fmt: skip

_TIMESTAMP = re.compile(
    r"(?<!\d)(?P<y>20\d\d)[-_.]?(?P<mo>[01]\d)[-_.]?(?P<d>[0-3]\d)[-_.T ]?"
    r"(?P<h>[0-2]\d)[-_.:]?(?P<mi>[0-5]\d)[-_.:]?(?P<s>[0-5]\d)(?!\d)"
)
# A device serial written as a folder name: letters first, then at least four digits.
_FOLDER_SERIAL = re.compile(r"[A-Z]{1,10}[-_]?[A-Z0-9]*\d{4,}[A-Z0-9]*")
_ISO6709 = re.compile(
    r"^\s*(?P<lat>[+-]\d+(?:\.\d+)?)(?P<lon>[+-]\d+(?:\.\d+)?)(?:[+-]\d+(?:\.\d+)?)?(?:CRS[^/]*)?/?\s*$"
)


def normalise_serial(serial: str) -> str:
    """As the equipment registry stores serials: no whitespace, upper case."""
    return "".join(serial.split()).upper()


@dataclass(frozen=True)
class Claim:
    """What the names and sidecar say. Empty strings / ``None`` where they say nothing."""

    serial: str = ""
    serial_source: str = ""  # ClaimSource value
    recorded_at: datetime | None = None
    time_source: str = ""
    officer_no: str = ""
    latitude: str = ""
    longitude: str = ""
    location_source: str = ""


@dataclass(frozen=True)
class NameInfo:
    serial: str = ""
    recorded_at: datetime | None = None
    officer_no: str = ""


def _aware(value: datetime, tz: tzinfo) -> datetime:
    return value.replace(tzinfo=tz) if value.tzinfo is None else value


def _moment(match: re.Match[str]) -> datetime | None:
    y, mo, d, h, mi, s = (int(match.group(k)) for k in ("y", "mo", "d", "h", "mi", "s"))
    try:
        return datetime(y, mo, d, h, mi, s)
    except ValueError:
        return None


def parse_file_name(name: str, tz: tzinfo) -> NameInfo:
    """Serial, start time and officer number from a recorder's file name (see the module doc)."""
    stem = PurePath(name).stem
    for match in _TIMESTAMP.finditer(stem):
        moment = _moment(match)
        if moment is None:
            continue
        serial, officer = _serial_from_prefix(stem[: match.start()])
        return NameInfo(serial=serial, recorded_at=_aware(moment, tz), officer_no=officer)
    serial, officer = _serial_from_prefix(stem)
    return NameInfo(serial=serial if _FOLDER_SERIAL.fullmatch(serial) else "", officer_no=officer)


def _serial_from_prefix(prefix: str) -> tuple[str, str]:
    tokens = [t for t in re.split(r"[_\s]+", prefix.strip(" _-.")) if t]
    tokens = [t for t in tokens if t.upper() not in GENERIC_WORDS and re.search(r"[0-9A-Za-z]", t)]
    serial, officer = "", ""
    for token in tokens:
        if not serial:
            has_digit = any(ch.isdigit() for ch in token)
            if len(token) >= 4 and has_digit and (any(ch.isalpha() for ch in token) or len(token) >= 5):
                serial = normalise_serial(token.strip("-."))
        elif not officer and token.isdigit() and 4 <= len(token) <= 20:
            officer = token
    return serial, officer


def folder_serial(parts: Iterable[str], registered: frozenset[str] = frozenset()) -> str:
    """The first folder name (nearest first) that is a registered serial, or looks like one."""
    names = list(parts)
    for name in names:
        if normalise_serial(name) in registered:
            return normalise_serial(name)
    for name in names:
        candidate = normalise_serial(name)
        if candidate not in GENERIC_WORDS and _FOLDER_SERIAL.fullmatch(candidate):
            return candidate
    return ""


# --- sidecars ----------------------------------------------------------------------------------

SERIAL_KEYS = frozenset(
    {
        "deviceid", "deviceno", "devicesn", "deviceserial", "deviceserialno", "devicenumber", "serial",
        "serialno", "serialnumber", "sn", "recorderno", "recorderid", "recorderserial", "cameraid",
        "cameraserial", "cameraserialnumber", "bodyserialnumber", "dsjbh", "设备编号", "设备号",
        "设备序列号", "记录仪编号", "执法记录仪编号", "序列号",
    }
)  # fmt: skip
TIME_KEYS = frozenset(
    {
        "starttime", "begintime", "recordedat", "recordtime", "recordingtime", "recordstarttime",
        "startdatetime", "createtime", "createdat", "creationtime", "shoottime", "datetimeoriginal",
        "datetime", "time", "timestamp", "开始时间", "录制时间", "录像时间", "拍摄时间", "记录时间",
        "开始录制时间", "录制开始时间",
    }
)  # fmt: skip
LAT_KEYS = frozenset({"latitude", "lat", "gpslatitude", "纬度"})
LON_KEYS = frozenset({"longitude", "lon", "lng", "long", "gpslongitude", "经度"})
GPS_KEYS = frozenset({"gps", "location", "position", "iso6709", "coordinates", "坐标", "位置", "定位"})
OFFICER_KEYS = frozenset(
    {
        "officerno", "officerid", "policeno", "policeid", "badge", "badgeno", "badgenumber", "jh",
        "jybh", "certificateno", "userid", "警号", "执法证号", "警员编号", "人员编号", "执法人员编号",
    }
)  # fmt: skip


def _key(name: str) -> str:
    name = name.rsplit("}", 1)[-1]  # XML namespace
    return "".join(ch for ch in name.lower() if ch.isalnum())


@dataclass(frozen=True)
class SidecarInfo:
    serial: str = ""
    recorded_at: datetime | None = None
    officer_no: str = ""
    latitude: str = ""
    longitude: str = ""


def _pairs_json(value: object, depth: int = 0) -> Iterator[tuple[str, str]]:
    if depth > 4:
        return
    if isinstance(value, dict):
        for k, v in value.items():
            if isinstance(v, dict | list):
                yield from _pairs_json(v, depth + 1)
            elif v is not None:
                yield str(k), str(v)
    elif isinstance(value, list):
        for v in value[:50]:
            yield from _pairs_json(v, depth + 1)


def _pairs_xml(text: str) -> Iterator[tuple[str, str]]:
    root = ET.fromstring(text)
    for element in root.iter():
        yield from element.attrib.items()
        if element.text and element.text.strip() and len(element) == 0:
            yield element.tag, element.text.strip()


def _pairs_text(text: str) -> Iterator[tuple[str, str]]:
    for line in text.splitlines():
        match = re.match(r"^\s*([^=:：]+?)\s*[=:：]\s*(.+?)\s*$", line)
        if match:
            yield match.group(1), match.group(2)


def parse_time(value: str, tz: tzinfo) -> datetime | None:
    """ISO 8601, ``2026/11/20 09:30:15``, ``20261120093015``, Unix seconds or milliseconds."""
    text = value.strip()
    if re.fullmatch(r"\d{10}|\d{13}", text):
        seconds = int(text) / (1000 if len(text) == 13 else 1)
        try:
            return datetime.fromtimestamp(seconds, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    match = _TIMESTAMP.fullmatch(text) if re.fullmatch(r"[\d\-_.:T ]+", text) else None
    if match:
        moment = _moment(match)
        return _aware(moment, tz) if moment is not None else None
    try:
        parsed = datetime.fromisoformat(text.replace("/", "-"))
    except ValueError:
        return None
    return _aware(parsed, tz)


def _coordinate(value: str, limit: int) -> str:
    text = value.strip().upper()
    sign = -1 if text[:1] in "SW" or text[-1:] in "SW" else 1
    text = text.strip("NSEW ")
    try:
        number = Decimal(text) * sign
    except InvalidOperation:
        return ""
    if not number.is_finite() or abs(number) > limit:
        return ""
    return f"{number:.6f}"


def parse_location(value: str) -> tuple[str, str]:
    """``lat,lon`` or ISO 6709 (``+39.9042+116.4074/``) → normalised decimal degrees."""
    match = _ISO6709.match(value)
    if match:
        lat, lon = _coordinate(match.group("lat"), 90), _coordinate(match.group("lon"), 180)
        return (lat, lon) if lat and lon else ("", "")
    parts = re.split(r"[,，;\s]+", value.strip())
    if len(parts) == 2:
        lat, lon = _coordinate(parts[0], 90), _coordinate(parts[1], 180)
        return (lat, lon) if lat and lon else ("", "")
    return "", ""


def parse_sidecar(name: str, content: bytes, tz: tzinfo) -> SidecarInfo:
    """Device id, time, officer number and GPS from a sidecar's content (nothing if unreadable)."""
    text = content[:SIDECAR_MAX_BYTES].decode("utf-8-sig", errors="replace")
    if "\ufffd" in text:
        with contextlib.suppress(UnicodeDecodeError):
            text = content[:SIDECAR_MAX_BYTES].decode("gb18030")
    suffix = PurePath(name).suffix.lower()
    try:
        if suffix == ".json":
            pairs = list(_pairs_json(json.loads(text)))
        elif suffix == ".xml":
            pairs = list(_pairs_xml(text))
        else:
            pairs = list(_pairs_text(text))
    except (ValueError, ET.ParseError):
        return SidecarInfo()
    serial = officer = lat = lon = ""
    when: datetime | None = None
    for raw_key, value in pairs:
        key, value = _key(raw_key), value.strip()
        if not value:
            continue
        if key in SERIAL_KEYS and not serial:
            serial = normalise_serial(value)[:64]
        elif key in TIME_KEYS and when is None:
            when = parse_time(value, tz)
        elif key in OFFICER_KEYS and not officer:
            officer = value[:32]
        elif key in LAT_KEYS and not lat:
            lat = _coordinate(value, 90)
        elif key in LON_KEYS and not lon:
            lon = _coordinate(value, 180)
        elif key in GPS_KEYS and not (lat and lon):
            lat, lon = parse_location(value)
    if not (lat and lon):
        lat = lon = ""
    return SidecarInfo(serial=serial, recorded_at=when, officer_no=officer, latitude=lat, longitude=lon)
