"""What the browser tests share: a real ``liuhen serve`` in a fresh LIUHEN_HOME and Debian's Chromium.

Not Django's live_server: its flush between tests is refused by the write-once triggers. Chromium
is /usr/bin/chromium (installed by ``scripts/bootstrap.sh``); no ``playwright install``. The
Playwright instance is opened per test module (not pytest-playwright's session fixture), so its
event loop is gone again before the Django database tests of other modules run.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def liuhen_command() -> str:
    """The ``liuhen`` script of the running interpreter's environment."""
    candidate = Path(sys.executable).parent / "liuhen"
    return str(candidate) if candidate.exists() else (shutil.which("liuhen") or "liuhen")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(port: int, proc: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"liuhen serve exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"liuhen serve did not listen on {port} within {timeout}s")


def home_env(home: Path) -> dict[str, str]:
    """This process's environment without any LIUHEN_* or Django settings, pointed at ``home``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIUHEN_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["LIUHEN_HOME"] = str(home)
    return env


def prepare(home: Path, argv: Sequence[str], *, timeout: float = 600) -> str:
    """Run a set-up command (``liuhen demo``, a script making test data) in ``home``; its stdout.

    A script given as ``[sys.executable, "-c", SOURCE]`` runs with Django's settings module set."""
    env = home_env(home)
    if len(argv) > 1 and argv[1] == "-c":
        env["DJANGO_SETTINGS_MODULE"] = "liuhen.settings"
    done = subprocess.run(list(argv), env=env, capture_output=True, timeout=timeout, check=False)
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-3000:]
    return done.stdout.decode()


@contextmanager
def serving(home: Path, *, start_timeout: float = 120) -> Iterator[str]:
    """``liuhen serve`` on a free port in ``home``; yields its base URL, stops it afterwards."""
    port = free_port()
    with (home / "serve.log").open("wb") as log:
        proc = subprocess.Popen(
            [liuhen_command(), "serve", "--addr", f"127.0.0.1:{port}"],
            env=home_env(home),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for_port(port, proc, timeout=start_timeout)
            yield f"http://127.0.0.1:{port}"
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@contextmanager
def chromium_browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
