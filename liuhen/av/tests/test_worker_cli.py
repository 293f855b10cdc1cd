"""The background worker through the real command line on a real SQLite file (issue 5 point 5):
``liuhen ingest --dock`` queues the derivatives in the import's transaction, ``liuhen worker --batch``
makes them (a playback copy only for the MPEG-2 original, posters, a failed derivative for a
corrupt file) and exits; the worker ``liuhen serve`` starts runs queued tasks and stops with it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from liuhen.av.testing import make_ffmpeg_media, make_recording
from liuhen.av.tests.test_cli_dock import TZ, _child, _env, _liuhen

pytestmark = pytest.mark.slow


def _dock(root: Path, t0: datetime) -> dict[str, str]:
    stamp = (t0 + timedelta(minutes=1)).astimezone(TZ).strftime("%Y%m%d%H%M%S")
    names = {
        "mpeg2": f"DSJ-64032300001_{stamp}_0001.mpg",
        "h264": f"DSJ-64032300001_{stamp}_0002.MP4",
        "corrupt": f"DSJ-64032300001_{stamp}_0003.MP4",
    }
    make_ffmpeg_media(root / names["mpeg2"], seconds=1)
    make_recording(root / names["h264"], seconds=1)
    (root / names["corrupt"]).write_bytes(b"\x00\x00\x00\x18ftypmp42" + os.urandom(20000))
    return names


def test_av_9_worker_makes_derivatives_after_a_dock_import(tmp_path: Path) -> None:
    home = tmp_path / "home"
    t0 = datetime.fromisoformat(_child(home, "setup")["checked_out_at"]) + timedelta(seconds=5)
    dock = tmp_path / "dock"
    dock.mkdir()
    names = _dock(dock, t0)
    done = _liuhen(home, "ingest", "--dock", str(dock))
    assert done.returncode == 0, done.stdout + done.stderr
    queued = _child(home, "derivatives")
    assert queued["derivatives"] == [] and queued["tasks"] == ["READY"]

    worker = _liuhen(home, "worker", "--batch")
    assert worker.returncode == 0, worker.stdout + worker.stderr
    result = _child(home, "derivatives")
    assert result["tasks"] == ["SUCCESSFUL"]  # a corrupt original fails its derivative, not the task
    made = {(d["item"], d["kind"]): d for d in result["derivatives"]}
    assert set(made) == {
        (names["mpeg2"], "playback"),
        (names["mpeg2"], "poster"),
        (names["h264"], "poster"),
        (names["corrupt"], "playback"),
        (names["corrupt"], "poster"),
    }
    assert made[(names["mpeg2"], "playback")]["media_type"] == "video/mp4"
    assert made[(names["h264"], "poster")]["media_type"] == "image/jpeg"
    assert made[(names["corrupt"], "playback")]["status"] == "failed"
    assert made[(names["corrupt"], "playback")]["error"]
    assert _liuhen(home, "verify").returncode == 0

    # Nothing left to do: a second worker run changes nothing.
    again = _liuhen(home, "worker", "--batch")
    assert again.returncode == 0 and "补排派生文件任务 0 项" in again.stdout
    assert len(_child(home, "derivatives")["derivatives"]) == 5


def test_av_9_serve_worker_process_runs_tasks_and_stops(tmp_path: Path) -> None:
    home = tmp_path / "home"
    t0 = datetime.fromisoformat(_child(home, "setup")["checked_out_at"]) + timedelta(seconds=5)
    dock = tmp_path / "dock"
    dock.mkdir()
    make_ffmpeg_media(dock / f"DSJ-64032300001_{t0.astimezone(TZ):%Y%m%d%H%M%S}_0001.mpg", seconds=1)
    assert _liuhen(home, "ingest", "--dock", str(dock)).returncode == 0
    # What `liuhen serve` does around gunicorn (liuhen.av.worker), in a child with this home.
    code = (
        "import os, sys, time, django; os.environ['DJANGO_SETTINGS_MODULE']='liuhen.settings'; django.setup()\n"
        "from liuhen.av.worker import start_worker_process, stop_worker_process\n"
        "from liuhen.av.models import Derivative\n"
        "p = start_worker_process(); deadline = time.monotonic() + 120\n"
        "while Derivative.objects.count() < 2 and time.monotonic() < deadline: time.sleep(0.5)\n"
        "stop_worker_process(p); print(Derivative.objects.count(), p.returncode)\n"
    )
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", code], env=_env(home), capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    count, returncode = done.stdout.split()[-2:]
    assert count == "2" and returncode == "0"  # stopped cleanly by SIGTERM
    assert time.monotonic() - started < 150
