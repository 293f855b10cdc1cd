"""A small progress bar for the dock import (stderr): bytes done, bytes/s, ETA, current file.

On a terminal it redraws one line (at most a few times a second); otherwise (a log file, a pipe)
it writes one line per finished file, so the log shows progress without carriage returns.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import BinaryIO, TextIO

_UNITS = ("B", "KiB", "MiB", "GiB", "TiB")


def human_bytes(value: float) -> str:
    for unit in _UNITS:
        if abs(value) < 1024 or unit == _UNITS[-1]:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TiB"  # pragma: no cover


def human_duration(seconds: float) -> str:
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


class Progress:
    def __init__(
        self,
        *,
        total_bytes: int,
        total_files: int,
        stream: TextIO,
        clock: Callable[[], float] = time.monotonic,
        width: int = 24,
    ) -> None:
        self.total_bytes = total_bytes
        self.total_files = total_files
        self.stream = stream
        self.clock = clock
        self.width = width
        self.done_bytes = 0
        self.done_files = 0
        self.current = ""
        self.started = clock()
        self._last_draw = 0.0
        self.tty = bool(getattr(stream, "isatty", lambda: False)())

    # -- numbers ----------------------------------------------------------------------------------
    @property
    def elapsed(self) -> float:
        return max(self.clock() - self.started, 1e-9)

    @property
    def rate(self) -> float:
        return self.done_bytes / self.elapsed

    @property
    def eta(self) -> float | None:
        remaining = max(self.total_bytes - self.done_bytes, 0)
        if not remaining:
            return 0.0
        return remaining / self.rate if self.rate > 0 else None

    def line(self) -> str:
        fraction = self.done_bytes / self.total_bytes if self.total_bytes else 1.0
        fraction = min(max(fraction, 0.0), 1.0)
        filled = int(fraction * self.width)
        bar = "#" * filled + "." * (self.width - filled)
        eta = self.eta
        eta_text = human_duration(eta) if eta is not None else "--:--"
        return (
            f"[{bar}] {fraction * 100:5.1f}%  {human_bytes(self.done_bytes)}/{human_bytes(self.total_bytes)}"
            f"  {human_bytes(self.rate)}/s  剩余 ETA {eta_text}"
            f"  文件 {self.done_files}/{self.total_files}" + (f"  {self.current}" if self.current else "")
        )

    # -- events ---------------------------------------------------------------------------------
    def start_file(self, name: str) -> None:
        self.current = name
        self._draw(force=True)

    def advance(self, nbytes: int) -> None:
        self.done_bytes += nbytes
        self._draw()

    def finish_file(self, unread: int = 0) -> None:
        """A file is done; ``unread`` bytes of it were not read (it failed or was skipped)."""
        self.done_bytes += unread
        self.done_files += 1
        if self.tty:
            self._draw(force=True)
        else:
            print(self.line(), file=self.stream, flush=True)

    def close(self) -> None:
        self.current = ""
        if self.tty:
            self._draw(force=True)
            print(file=self.stream, flush=True)

    def _draw(self, force: bool = False) -> None:
        if not self.tty:
            return
        now = self.clock()
        if not force and now - self._last_draw < 0.2:
            return
        self._last_draw = now
        print("\r" + self.line() + "\x1b[K", end="", file=self.stream, flush=True)


class ProgressReader:
    """Wraps a binary file: every read is reported to ``progress``."""

    def __init__(self, raw: BinaryIO, progress: Progress) -> None:
        self.raw = raw
        self.progress = progress
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.count += len(data)
        self.progress.advance(len(data))
        return data
