"""``liuhen bench``: the vault's speed and memory, as ratios against baselines run the same moment.

1. Large ingest: ``liuhen ingest`` of one big file versus ``openssl dgst -sm3`` of the same file
   (the physical floor: SM3 is slower than the disk here) and the by-hand baseline
   ``cp`` + ``openssl dgst -sm3`` + ``openssl dgst -sha256``. Peak RSS of the ingest process.
2. Many small files (a body-camera dock): ``liuhen ingest`` of N files in one call versus
   ``cp`` + both digests of the same files.
3. Compliance check: N generated cases (~30 records each) checked against the policy packs,
   versus a plain SELECT of the same record rows (``liuhen.bench.checkcases``, in a child process
   with its own throwaway ``LIUHEN_HOME`` under the workdir).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from liuhen.bench.harness import Measurement, drop_file_cache, measure, sequential

RSS_LIMIT_MIB = 150
TARGET_RATIO = 1.1
RUNS = 3


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIUHEN_")}
    env["LIUHEN_HOME"] = str(home)
    env["LIUHEN_MAX_UPLOAD_BYTES"] = str(1 << 40)
    return env


def _liuhen() -> list[str]:
    return [sys.executable, "-m", "liuhen.cli"]


def _make_file(path: Path, size_mib: int) -> None:
    """Incompressible content, written in chunks (memory stays small)."""
    chunk = 8 * 1024 * 1024
    remaining = size_mib * 1024 * 1024
    with open(path, "wb") as fh:
        while remaining:
            n = min(chunk, remaining)
            fh.write(os.urandom(n))
            remaining -= n


def _prepare_home(home: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "liuhen.bench.fixture"],
        env=_env(home),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    return done.stdout.strip().splitlines()[-1]


def _ratio(a: Measurement, b: Measurement) -> str:
    return f"{a.seconds / b.seconds:.2f}×" if b.seconds else "n/a"


def _hand_baseline(files: list[Path], dest: Path) -> Measurement:
    steps: list[Measurement] = []
    dest.mkdir(parents=True, exist_ok=True)
    copies = [dest / f.name for f in files]
    steps.append(measure("cp", ["cp", *map(str, files), str(dest)]).check())
    steps.append(measure("sm3", ["openssl", "dgst", "-sm3", *map(str, copies)]).check())
    steps.append(measure("sha256", ["openssl", "dgst", "-sha256", *map(str, copies)]).check())
    shutil.rmtree(dest)
    return sequential("cp + openssl sm3 + openssl sha256", steps)


def _inner_seconds(output: str) -> float:
    return sum(float(s) for s in re.findall(r"用时 ([0-9.]+) 秒", output))


def bench_large(work: Path, size_mib: int) -> bool:
    source = work / "large-evidence.mp4"
    _make_file(source, size_mib)
    results: dict[str, Measurement] = {}
    # Interleave the contenders and keep each one's best run: this machine's neighbours make
    # single runs vary by ±20 %, and the best run is the least disturbed one.
    for run in range(RUNS):
        home = work / f"home-large-{run}"
        case_number = _prepare_home(home)  # a fresh vault, or the bytes would be a duplicate
        drop_file_cache(str(source))
        sm3 = measure("openssl dgst -sm3", ["openssl", "dgst", "-sm3", str(source)]).check()
        drop_file_cache(str(source))
        hand = _hand_baseline([source], work / f"hand-{run}")
        drop_file_cache(str(source))
        ingest = measure(
            "liuhen ingest", [*_liuhen(), "ingest", str(source), "--case", case_number], env=_env(home)
        ).check()
        for m in (sm3, hand, ingest):
            if m.label not in results or m.seconds < results[m.label].seconds:
                results[m.label] = m
        shutil.rmtree(home)
    sm3, hand, ingest = (
        results["openssl dgst -sm3"],
        results["cp + openssl sm3 + openssl sha256"],
        results["liuhen ingest"],
    )
    inner = _inner_seconds(ingest.stdout)
    mib = size_mib
    print(f"\n== 大文件导入 large ingest: {mib} MiB ==")
    print(f"  openssl dgst -sm3            {sm3.seconds:8.2f} s  {mib / sm3.seconds:7.1f} MiB/s")
    print(f"  cp + sm3 + sha256 (by hand)  {hand.seconds:8.2f} s  {mib / hand.seconds:7.1f} MiB/s")
    print(
        f"  liuhen ingest (command)      {ingest.seconds:8.2f} s  {mib / ingest.seconds:7.1f} MiB/s"
        f"  peak RSS {ingest.peak_rss_mib:.1f} MiB"
    )
    print(f"  liuhen ingest (vault+commit) {inner:8.2f} s  {mib / inner:7.1f} MiB/s" if inner else "")
    print(f"  ratio command / openssl sm3:      {_ratio(ingest, sm3)}   (target ≤ {TARGET_RATIO}×)")
    if inner:
        print(f"  ratio vault+commit / openssl sm3: {inner / sm3.seconds:.2f}×")
    print(f"  ratio command / by-hand baseline: {_ratio(ingest, hand)}")
    ok_rss = ingest.peak_rss_mib < RSS_LIMIT_MIB
    ok_speed = ingest.seconds <= TARGET_RATIO * sm3.seconds
    print(f"  peak RSS < {RSS_LIMIT_MIB} MiB: {'PASS' if ok_rss else 'FAIL'}")
    print(f"  command within {TARGET_RATIO}× of openssl sm3: {'PASS' if ok_speed else 'FAIL'}")
    source.unlink()
    return ok_rss and ok_speed


def bench_dock(work: Path, count: int) -> bool:
    dock = work / "dock"
    dock.mkdir()
    files = []
    for i in range(count):
        path = dock / f"DCIM_{i:05d}.jpg"
        path.write_bytes(os.urandom(256 * 1024 + i))
        files.append(path)
    total_mib = sum(f.stat().st_size for f in files) / 1024 / 1024
    case_number = _prepare_home(work / "home-dock")
    hand = _hand_baseline(files, work / "hand-dock")
    ingest = measure(
        "liuhen ingest (dock)",
        [*_liuhen(), "ingest", *map(str, files), "--case", case_number],
        env=_env(work / "home-dock"),
    ).check()
    print(f"\n== 执法记录仪批量导入 dock ingest: {count} files, {total_mib:.0f} MiB ==")
    print(f"  cp + sm3 + sha256 (by hand)  {hand.seconds:8.2f} s  {count / hand.seconds:8.1f} files/s")
    print(
        f"  liuhen ingest                {ingest.seconds:8.2f} s  {count / ingest.seconds:8.1f} files/s"
        f"  peak RSS {ingest.peak_rss_mib:.1f} MiB"
    )
    print(
        f"  ratio liuhen / by-hand: {_ratio(ingest, hand)} (each file is a record, a ledger entry and fsyncs)"
    )
    return ingest.peak_rss_mib < RSS_LIMIT_MIB


def bench_check(work: Path, cases: int, runs: int = 3) -> bool:
    """The compliance check of ``cases`` generated cases, in a child process (peak RSS too)."""
    home = work / "home-check"
    home.mkdir()
    result = measure(
        "liuhen check (bench)",
        [sys.executable, "-m", "liuhen.bench.checkcases", "--cases", str(cases), "--runs", str(runs)],
        env=_env(home),
    )
    print(result.stdout.rstrip())
    print(f"  peak RSS {result.peak_rss_mib:.1f} MiB")
    shutil.rmtree(home, ignore_errors=True)
    if result.returncode not in (0, 1):
        raise RuntimeError(f"{result.label} failed ({result.returncode}):\n{result.stdout}")
    return result.returncode == 0


def run_benchmarks(
    *, size_mib: int, dock_files: int, workdir: Path | None, check_cases: int = 10000, check_runs: int = 3
) -> int:
    base = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="liuhen-bench-"))
    base.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=base))
    try:
        ok = True
        if size_mib:
            ok &= bench_large(work, size_mib)
        if dock_files:
            ok &= bench_dock(work, dock_files)
        if check_cases:
            ok &= bench_check(work, check_cases, check_runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("\n基准结果 " + ("PASS" if ok else "FAIL"))
    return 0 if ok else 1
