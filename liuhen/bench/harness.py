"""Measuring child processes: wall time and peak RSS (from wait4, so no sampling gaps)."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


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
    started = time.perf_counter()
    proc = subprocess.Popen(
        list(argv),
        env=dict(env) if env is not None else None,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    assert proc.stdout is not None
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    # ru_maxrss is in KiB on Linux.
    return Measurement(
        label, seconds, usage.ru_maxrss / 1024, proc.returncode, output.decode("utf-8", "replace")
    )


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
