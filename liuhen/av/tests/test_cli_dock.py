"""Acceptance of issue 5 point 1/2 through the real command line on a real SQLite file (AV-8, AV-9,
EQ-5): a generated dock folder — files named like two recorders' (one in the serial-in-name scheme,
one in a device folder), with their checkouts in the log — imports, attributes each file to the
right officer, re-imports nothing, and survives being killed (SIGKILL) halfway and restarted. The
folder also holds a duplicate, a zero-byte file, a corrupt "video" (kept as an opaque blob), a
recording whose embedded time disagrees with its name, and one made outside any checkout."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from liuhen.av.testing import make_recording

pytestmark = pytest.mark.slow

CHILD = Path(__file__).with_name("dock_child.py")
TZ = ZoneInfo("Asia/Shanghai")
BIG = 48 * 1024 * 1024  # a file large enough to be caught mid-read now and then


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIUHEN_")}
    env["LIUHEN_HOME"] = str(home)
    return env


def _child(home: Path, mode: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, str(CHILD), mode], env=_env(home), capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _liuhen(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "liuhen.cli", *args],
        env=_env(home),
        capture_output=True,
        text=True,
        timeout=600,
    )


def _stamp(moment: datetime) -> str:
    return moment.astimezone(TZ).strftime("%Y%m%d%H%M%S")


def _build_dock(root: Path, t0: datetime) -> dict[str, str]:
    """The dock folder; returns file name → the officer it belongs to (None: unattributed)."""
    expected: dict[str, Any] = {}
    cache = root.parent / "clip.mp4"
    make_recording(cache, seconds=1)
    # Recorder 1 (张伟, a1): serial and start time in the name.
    for n in range(1, 7):
        name = f"DSJ-64032300001_{_stamp(t0 + timedelta(minutes=n))}_{n:04d}.MP4"
        if n == 4:  # a big corrupt "video": kept as an opaque blob
            with open(root / name, "wb") as fh:
                fh.write(b"\x00\x00\x00\x18ftypmp42" + os.urandom(BIG))
        elif n == 5:  # embedded time 10 minutes off the name's
            make_recording(root / name, seconds=1, creation_time=t0 + timedelta(minutes=n + 10))
        else:
            make_recording(root / name, seconds=1 + n / 10, location="+39.9042+116.4074/")
        expected[name] = "a1"
    # Recorder 2 (王芳, a2): device folder, time in the name, a JSON sidecar with GPS.
    folder = root / "DSJ-64032300002" / "100MEDIA"
    folder.mkdir(parents=True)
    for n in range(1, 4):
        moment = (t0 + timedelta(minutes=n)).astimezone(TZ)
        name = f"{moment:%Y%m%d_%H%M%S}_A{n:04d}.mp4"
        make_recording(folder / name, seconds=1 + n / 7)
        expected[name] = "a2"
    (folder / f"{(t0 + timedelta(minutes=1)).astimezone(TZ):%Y%m%d_%H%M%S}_A0001.json").write_text(
        json.dumps({"DeviceID": "DSJ-64032300002", "GPS": {"lat": 38.5, "lon": 106.2}}), encoding="utf-8"
    )
    # A recording made two hours before any checkout (EQ-5), a duplicate copy, a zero-byte file.
    early = f"DSJ-64032300001_{_stamp(t0 - timedelta(hours=2))}_0099.MP4"
    make_recording(root / early, seconds=1.5)
    expected[early] = None
    shutil.copy(
        root / f"DSJ-64032300001_{_stamp(t0 + timedelta(minutes=1))}_0001.MP4", root / "copy_of_0001.MP4"
    )
    (root / "DSJ-64032300001_20261120093015_0100.MP4").write_bytes(b"")
    cache.unlink()
    return expected


BATCH = 3  # files committed per transaction in the killed run (the default, 64, would be one batch)


def _import_until_killed(home: Path, dock: Path, after: int) -> int:
    """Start the import, SIGKILL it once ``after`` files are in (mid-file when possible)."""
    child = subprocess.Popen(
        [sys.executable, "-m", "liuhen.cli", "ingest", "--dock", str(dock)],
        env={**_env(home), "LIUHEN_AV_DOCK_BATCH_FILES": str(BATCH)},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert child.stdout is not None
    imported = 0
    for line in child.stdout:
        if line.startswith("已导入 imported"):
            imported += 1
            if imported >= after:
                break
    tmp = home / "vault" / "tmp"
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and child.poll() is None:  # catch the big file mid-read
        if tmp.is_dir() and any(p.stat().st_size > 0 for p in tmp.iterdir()):
            break
        time.sleep(0.01)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    return imported


def test_av_8_dock_import_killed_and_resumed_attributes_each_file(tmp_path: Path) -> None:
    home = tmp_path / "home"
    t0 = datetime.fromisoformat(_child(home, "setup")["checked_out_at"]) + timedelta(seconds=5)
    dock = tmp_path / "dock"
    dock.mkdir()
    expected = _build_dock(dock, t0)

    printed = _import_until_killed(home, dock, after=3)
    halfway = _child(home, "check")
    # Lines are printed once their batch committed; a batch commits whole or not at all, and each
    # item with its source: no half item, no half batch.
    assert printed <= halfway["item_count"] < len(expected)
    assert halfway["item_count"] % BATCH == 0 and halfway["sources"] == halfway["item_count"]

    rerun = _liuhen(home, "ingest", "--dock", str(dock))
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert "新导入 imported" in rerun.stdout and "剩余 ETA" in rerun.stderr  # summary; progress bar
    result = _child(home, "check")
    assert result["pending"] == 0
    items = result["items"]
    assert set(items) == set(expected)  # nothing missing, the copy and the empty file are not items
    for name, officer in expected.items():
        assert items[name]["officer"] == officer, (name, items[name])
    early = next(n for n, o in expected.items() if o is None)
    assert items[early]["status"] == "unattributed" and "outside_checkout" in items[early]["flags"]
    corrupt = next(n for n in items if n.endswith("_0004.MP4"))
    assert items[corrupt]["size"] == BIG + 12 and "无法解析" in items[corrupt]["metadata_error"]
    mismatched = next(n for n in items if n.endswith("_0005.MP4"))
    assert "time_mismatch" in items[mismatched]["flags"]
    assert all(i["recorder_no"] in ("DSJ-64032300001", "DSJ-64032300002") for i in items.values())
    # The copy sorts last, so it is always seen by the rerun; the empty file is reported each run.
    assert "空文件 zero-byte" in rerun.stdout and "重复内容 duplicate" in rerun.stdout

    # A third run imports nothing and writes nothing.
    again = _liuhen(home, "ingest", "--dock", str(dock))
    assert again.returncode == 0, again.stderr
    assert "新导入 imported：0" in again.stdout
    after = _child(home, "check")
    assert (after["item_count"], after["sources"], after["blobs"]) == (
        result["item_count"],
        result["sources"],
        result["blobs"],
    )
    assert after["sources"] == len(expected) + 1  # + the duplicate copy
    on_disk = [p for p in (home / "vault" / "blobs").rglob("*") if p.is_file()]
    assert len(on_disk) == after["blobs"]  # no orphan blob left by the killed batch
    verify = _liuhen(home, "verify")
    assert verify.returncode == 0, verify.stdout


def test_av_8_cli_rejects_mixed_arguments(tmp_path: Path) -> None:
    home = tmp_path / "home"
    done = _liuhen(home, "ingest", "--dock", str(tmp_path), "--case", "X")
    assert done.returncode == 2 and "--dock" in done.stderr
    done = _liuhen(home, "ingest", "a.mp4")
    assert done.returncode == 2 and "--case" in done.stderr
    done = _liuhen(home, "ingest", "--dock", str(tmp_path / "missing"))
    assert done.returncode == 2 and "目录不存在" in done.stderr
