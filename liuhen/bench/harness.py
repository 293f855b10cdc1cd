"""Measuring child processes: wall time and peak RSS (from wait4, so no sampling gaps)."""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Measurement:
    label: str
    seconds: float
    peak_rss_mib: float
    returncode: int
    stdout: str

    def check(self) -> Measurement:
        if self.returncode != 0:
            raise RuntimeError(f"{self.label} failed ({self.returncode}):\n{self.stdout}")
        return self


def measure(label: str, argv: Sequence[str], *, env: Mapping[str, str] | None = None) -> Measurement:
    """Run a command; its peak RSS is what a ``liuhen`` child reports of its own image (see
    ``LIUHEN_PEAK_RSS_FILE`` in the CLI), else wait4's ru_maxrss, which is only an upper bound:
    on Linux it includes the memory the child inherited from this process before exec."""
    child_env = dict(env if env is not None else os.environ)
    with tempfile.NamedTemporaryFile(prefix="liuhen-rss-", delete=False) as report:
        child_env["LIUHEN_PEAK_RSS_FILE"] = report.name
    try:
        started = time.perf_counter()
        proc = subprocess.Popen(list(argv), env=child_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        assert proc.stdout is not None
        output = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        reported = Path(report.name).read_text(encoding="ascii").strip()
    finally:
        os.unlink(report.name)
    peak_kib = int(reported) if reported else usage.ru_maxrss  # both in KiB
    return Measurement(label, seconds, peak_kib / 1024, proc.returncode, output.decode("utf-8", "replace"))


def drop_file_cache(path: str) -> None:
    """Ask the kernel to forget a file's cached pages, so each contender reads it cold."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def sequential(label: str, steps: Sequence[Measurement]) -> Measurement:
    return Measurement(
        label,
        sum(s.seconds for s in steps),
        max(s.peak_rss_mib for s in steps),
        max(abs(s.returncode) for s in steps),
        "".join(s.stdout for s in steps),
    )
