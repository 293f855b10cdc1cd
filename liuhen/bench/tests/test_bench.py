"""`liuhen bench` runs end to end on a small size (the numbers themselves are for humans)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from liuhen.bench.run import run_benchmarks

pytestmark = pytest.mark.slow


def test_bench_reports_ratios_and_peak_rss(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = run_benchmarks(
        size_mib=16, dock_files=5, workdir=tmp_path, check_cases=30, check_runs=1, dock_file_kib=256
    )
    out = capsys.readouterr().out
    assert status in (0, 1)
    assert re.search(r"ratio command / openssl sm3:\s+\d+\.\d\d×", out)
    assert re.search(r"ratio command / by-hand baseline:\s+\d+\.\d\d×", out)
    # The dock import through `liuhen ingest --dock`, and its time outside hashing and writing.
    assert "dock import: 5 files × ~256 KiB" in out
    assert re.search(r"liuhen ingest --dock \(command\)\s+\d+\.\d\d s .*\(imported 5\)", out)
    assert re.search(r"hashing\+writing inside the run\s+\d+\.\d\d s", out)
    assert re.search(
        r"outside hashing\+writing: \d+\.\d\d s = \d+\.\d % of the command \(target < 20 %\); "
        r"\d+\.\d % of the import loop without process start-up; \d+\.\d ms a file",
        out,
    )
    assert re.search(r"share outside hashing\+writing < 20 %: (PASS|FAIL)", out)
    # The compliance check of generated cases, with its time, rate, queries and ratio.
    assert "合规检查 compliance check: 30 cases" in out
    assert re.search(r"liuhen check, in-process\s+\d+\.\d\d s\s+\d+ cases/s\s+queries \d+", out)
    assert re.search(r"ratio check / SELECT: \d+\.\d\d×", out)
    assert re.search(r"no per-case queries \(\d+ ≤ \d+\): PASS", out)
    rss = [float(m) for m in re.findall(r"peak RSS ([0-9.]+) MiB", out)]
    assert len(rss) == 3 and all(0 < value < 150 for value in rss[:2])
    assert list(tmp_path.iterdir()) == [] or all(not any(p.iterdir()) for p in tmp_path.iterdir())
