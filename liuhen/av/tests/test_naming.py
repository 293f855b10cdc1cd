"""AV-8: the recorder number and the time of use are read from the recorders' own file-naming
schemes, device folders and sidecars (the keys the files are classified by)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from liuhen.av.naming import (
    folder_serial,
    normalise_serial,
    parse_file_name,
    parse_location,
    parse_sidecar,
    parse_time,
)

TZ = ZoneInfo("Asia/Shanghai")
T = datetime(2026, 11, 20, 9, 30, 15, tzinfo=TZ)


@pytest.mark.parametrize(
    ("name", "serial", "officer"),
    [
        ("DSJ-64032300001_20261120093015_0001.MP4", "DSJ-64032300001", ""),
        ("dsj-64032300001_20261120093015_0001.mp4", "DSJ-64032300001", ""),
        ("DSJ64032300001_000123_20261120093015.mp4", "DSJ64032300001", "000123"),
        ("20261120_093015_A0001.mp4", "", ""),
        ("REC_20261120-093015.MOV", "", ""),
        ("VID_20261120_093015.mp4", "", ""),
        ("IMG_20261120_093015.jpg", "", ""),
        ("2026-11-20 09.30.15.mp4", "", ""),
        ("64032300001_20261120093015.wav", "64032300001", ""),
    ],
)
def test_av_8_file_name_schemes(name: str, serial: str, officer: str) -> None:
    info = parse_file_name(name, TZ)
    assert info.recorded_at == T
    assert info.serial == serial
    assert info.officer_no == officer


def test_av_8_names_without_a_time() -> None:
    assert parse_file_name("MOV_0001.MP4", TZ).recorded_at is None
    assert parse_file_name("MOV_0001.MP4", TZ).serial == ""  # a sequence number is not a serial
    assert parse_file_name("DSJ-64032300001_0001.MP4", TZ).serial == "DSJ-64032300001"
    assert parse_file_name("20261399_093015.mp4", TZ).recorded_at is None  # not a date


def test_av_8_device_folder() -> None:
    assert folder_serial(["100MEDIA", "DSJ-64032300002", "dock"]) == "DSJ-64032300002"
    assert folder_serial(["DCIM", "20261120", "export"]) == ""
    assert folder_serial(["Record", "ZFJLY01"], registered=frozenset({"ZFJLY01"})) == "ZFJLY01"
    assert normalise_serial(" dsj 0001 ") == "DSJ0001"


def test_av_8_sidecar_json_xml_txt() -> None:
    data = json.dumps({"Device": {"DeviceID": "dsj-64032300001", "StartTime": "2026-11-20 09:30:15"},
                       "GPS": {"Latitude": "38.4872", "Longitude": "106.2309"}, "PoliceNo": "000123"})  # fmt: skip
    side = parse_sidecar("x.json", data.encode(), TZ)
    assert (side.serial, side.recorded_at, side.officer_no) == ("DSJ-64032300001", T, "000123")
    assert (side.latitude, side.longitude) == ("38.487200", "106.230900")

    xml = (
        '<?xml version="1.0" encoding="UTF-8"?><Record xmlns="urn:x"><Info SerialNumber="DSJ-1234567"/>'
        "<BeginTime>2026-11-20T01:30:15Z</BeginTime><Location>+38.4872+106.2309/</Location></Record>"
    )
    side = parse_sidecar("x.XML", xml.encode(), TZ)
    assert side.serial == "DSJ-1234567" and side.recorded_at == T.astimezone(UTC)
    assert (side.latitude, side.longitude) == ("38.487200", "106.230900")

    text = "设备编号：DSJ-7654321\n开始时间=2026/11/20 09:30:15\n纬度: 38.5\n经度: 106.2\n警号：012345\n"
    side = parse_sidecar("x.txt", text.encode("gb18030"), TZ)
    assert (side.serial, side.recorded_at, side.officer_no) == ("DSJ-7654321", T, "012345")
    assert (side.latitude, side.longitude) == ("38.500000", "106.200000")


def test_av_8_bad_sidecars_say_nothing() -> None:
    assert parse_sidecar("x.json", b"{not json", TZ).serial == ""
    assert parse_sidecar("x.xml", b"<a><b></a>", TZ).recorded_at is None
    side = parse_sidecar("x.json", json.dumps({"lat": 123, "lon": 500, "time": "yesterday"}).encode(), TZ)
    assert (side.latitude, side.longitude, side.recorded_at) == ("", "", None)


def test_times_and_places() -> None:
    assert parse_time("20261120093015", TZ) == T
    assert parse_time(str(int(T.timestamp())), TZ) == T
    assert parse_time(str(int(T.timestamp()) * 1000), TZ) == T
    assert parse_time("2026-11-20T09:30:15+08:00", TZ) == T
    assert parse_time("not a time", TZ) is None
    assert parse_location("+39.9042+116.4074+50.0/") == ("39.904200", "116.407400")
    assert parse_location("-33.8688+151.2093/") == ("-33.868800", "151.209300")
    assert parse_location("39.9,116.4") == ("39.900000", "116.400000")
    assert parse_location("S33.8,E151.2") == ("-33.800000", "151.200000")
    assert parse_location("nowhere") == ("", "")
