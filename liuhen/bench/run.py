"""``liuhen bench``: the vault's speed and memory, as ratios against baselines run the same moment.

1. Large ingest: ``liuhen ingest`` of one big file versus ``openssl dgst -sm3`` of the same file
   (the physical floor: SM3 is slower than the disk here) and the by-hand baseline
   ``cp`` + ``openssl dgst -sm3`` + ``openssl dgst -sha256``. Peak RSS of the ingest process.
2. A body-camera dock of N small files: ``liuhen ingest --dock`` (the real import path), and the
   share of its wall time spent outside hashing and writing (timed inside the run; target < 20 %),
   beside ``cp`` + ``sync`` + both digests of the same files by hand.
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


DOCK_TARGET_OUTSIDE = 0.20
_DOCK_SUMMARY = re.compile(r"用时 elapsed: ([0-9.]+) s；其中读取、摘要与写入 hashing\+writing: ([0-9.]+) s")


def _make_dock(dock: Path, count: int, file_kib: int) -> list[Path]:
    """Files named like one recorder's (serial + start time), random (incompressible) content of
    ``file_kib`` ± 25 % each. The content is no valid photo, so media parsing fails fast and the file
    is kept as an opaque blob: the benchmark measures the import's own cost, not a decoder's."""
    folder = dock / "DCIM"
    folder.mkdir(parents=True)
    files = []
    for i in range(count):
        size = file_kib * 1024 * (75 + (i * 37) % 51) // 100 + i
        path = (
            folder / f"DSJ-64032300001_20261120{9 + i // 3600:02d}{i // 60 % 60:02d}{i % 60:02d}_{i:04d}.JPG"
        )
        with open(path, "wb") as fh:
            fh.write(os.urandom(size))
        files.append(path)
    return files


def _synced_baseline(files: list[Path], dest: Path) -> Measurement:
    """The same work by hand, durably: ``cp`` + ``sync`` + ``openssl dgst -sm3`` + ``-sha256``."""
    dest.mkdir(parents=True, exist_ok=True)
    copies = [dest / f.name for f in files]
    steps = [
        measure("cp", ["cp", *map(str, files), str(dest)]).check(),
        measure("sync", ["sync"]).check(),
        measure("sm3", ["openssl", "dgst", "-sm3", *map(str, copies)]).check(),
        measure("sha256", ["openssl", "dgst", "-sha256", *map(str, copies)]).check(),
    ]
    shutil.rmtree(dest)
    return sequential("cp + sync + openssl sm3 + openssl sha256", steps)


def bench_dock(work: Path, count: int, file_kib: int = 4096) -> bool:
    """``liuhen ingest --dock`` of ``count`` files: the share of its time spent outside hashing and
    writing. Hashing and writing are timed inside the run (the importer's own counters: the wall
    time of reading each file, SM3 in one thread while SHA-256 and the write to the vault's tmp/ run
    in the other, and the fdatasync), and compared with the command's wall time measured here, from
    process start to exit; everything else (Python and Django start-up, scanning, database rows,
    ledger entries, the vault's marker/link fsyncs, media parsing, output) is "outside"."""
    dock = work / "dock"
    files = _make_dock(dock, count, file_kib)
    total_mib = sum(f.stat().st_size for f in files) / 1024 / 1024
    home = work / "home-dock"
    _prepare_home(home)
    for f in files:
        drop_file_cache(str(f))
    hand = _synced_baseline(files, work / "hand-dock")
    for f in files:
        drop_file_cache(str(f))
    ingest = measure(
        "liuhen ingest --dock", [*_liuhen(), "ingest", "--dock", str(dock)], env=_env(home)
    ).check()
    match = _DOCK_SUMMARY.search(ingest.stdout)
    if match is None:
        raise RuntimeError(f"no timing summary in the dock import's output:\n{ingest.stdout[-2000:]}")
    loop, inner = float(match.group(1)), float(match.group(2))
    outside = max(ingest.seconds - inner, 0.0)
    share = outside / ingest.seconds
    loop_share = max(loop - inner, 0.0) / loop if loop else 0.0
    imported = len(re.findall(r"^已导入 imported\t", ingest.stdout, re.MULTILINE))
    print(
        f"\n== 执法记录仪目录导入 dock import: {count} files × ~{file_kib} KiB "
        f"(random content, recorder-style names), {total_mib:.0f} MiB =="
    )
    print(f"  cp + sync + sm3 + sha256 (by hand)  {hand.seconds:8.2f} s  {count / hand.seconds:8.1f} files/s")
    print(
        f"  liuhen ingest --dock (command)      {ingest.seconds:8.2f} s  {count / ingest.seconds:8.1f} files/s"
        f"  peak RSS {ingest.peak_rss_mib:.1f} MiB  (imported {imported})"
    )
    print(
        f"  hashing+writing inside the run      {inner:8.2f} s  {total_mib / inner if inner else 0:8.1f} MiB/s"
    )
    print(
        f"  outside hashing+writing: {outside:.2f} s = {share * 100:.1f} % of the command"
        f" (target < {DOCK_TARGET_OUTSIDE * 100:.0f} %); {loop_share * 100:.1f} % of the import loop"
        f" without process start-up; {max(loop - inner, 0.0) / count * 1000:.1f} ms a file"
    )
    print(f"  ratio command / by-hand baseline: {_ratio(ingest, hand)}")
    print(
        "  method: hashing+writing = the importer's own perf_counter totals (read, SM3 ‖ SHA-256 + write,"
        " fdatasync; one copier thread, overlapping the database work of the previous batch) of this"
        " run; command = wall time from exec to exit measured by the benchmark; outside = command −"
        " hashing+writing = the time no file was being hashed or written"
    )
    ok = share < DOCK_TARGET_OUTSIDE
    print(f"  share outside hashing+writing < {DOCK_TARGET_OUTSIDE * 100:.0f} %: {'PASS' if ok else 'FAIL'}")
    return ok and imported == count and ingest.peak_rss_mib < RSS_LIMIT_MIB


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
    *,
    size_mib: int,
    dock_files: int,
    workdir: Path | None,
    check_cases: int = 10000,
    check_runs: int = 3,
    dock_file_kib: int = 4096,
) -> int:
    base = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="liuhen-bench-"))
    base.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=base))
    try:
        ok = True
        if size_mib:
            ok &= bench_large(work, size_mib)
        if dock_files:
            ok &= bench_dock(work, dock_files, dock_file_kib)
        if check_cases:
            ok &= bench_check(work, check_cases, check_runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("\n基准结果 " + ("PASS" if ok else "FAIL"))
    return 0 if ok else 1
