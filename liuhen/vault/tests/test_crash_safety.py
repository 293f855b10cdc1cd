"""A child process killed at any point of an ingest leaves no half record and no orphan blob."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

CHILD = Path(__file__).with_name("crash_child.py")

pytestmark = pytest.mark.slow


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "LIUHEN_DATABASE_URL"}
    env["LIUHEN_HOME"] = str(home)
    return env


def _run(home: Path, mode: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(CHILD), mode], env=_env(home), capture_output=True, text=True, timeout=120
    )


def _check(home: Path) -> dict[str, Any]:
    done = _run(home, "check")
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.fixture
def home(tmp_path: Path) -> Path:
    done = _run(tmp_path, "setup")
    assert done.returncode == 0, done.stderr
    return tmp_path


def test_killed_mid_stream(home: Path) -> None:
    child = subprocess.Popen([sys.executable, str(CHILD), "stream"], env=_env(home))
    tmp_dir = home / "vault" / "tmp"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if tmp_dir.is_dir() and any(p.stat().st_size > 0 for p in tmp_dir.iterdir()):
            break
        time.sleep(0.05)
    else:
        child.kill()
        pytest.fail("the child never started writing")
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    result = _check(home)
    assert result["records"] == 0 and result["attachments"] == 0 and result["blobs"] == 0
    assert result["files"] == [] and result["pending"] == []
    assert not any((home / "vault" / "tmp").iterdir()), "temp files cleaned at the next start"
    assert result["after_ok"], result["problems"]


def test_killed_after_file_is_in_place_before_commit(home: Path) -> None:
    done = _run(home, "before-commit")
    assert done.returncode == -signal.SIGKILL
    result = _check(home)
    assert not result["before_ok"], "verify flags the uncommitted file before recovery"
    assert result["records"] == 0 and result["blobs"] == 0
    assert result["files"] == [] and result["pending"] == []
    assert result["after_ok"], result["problems"]


def test_killed_after_commit_keeps_the_committed_blob(home: Path) -> None:
    done = _run(home, "after-commit")
    assert done.returncode == -signal.SIGKILL
    result = _check(home)
    assert result["records"] == 1 and result["attachments"] == 1 and result["blobs"] == 1
    assert len(result["files"]) == 1 and result["pending"] == []
    assert result["after_ok"], result["problems"]
