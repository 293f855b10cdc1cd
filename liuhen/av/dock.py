"""``liuhen ingest --dock DIR``: import every file of a recorder's storage or an export folder as
audio-visual items not yet in a case (AV-8, AV-9), and ``--watch`` to keep importing what a
collection station drops into the folder.

- Each file is its own transaction (:func:`liuhen.av.services.import_file`): killed halfway, the
  run leaves no half item, and the next run (whose start-up recovery removes the unfinished file
  from the vault) imports the rest.
- A second run imports nothing twice: a path already imported with the same size and modification
  time is skipped without being read; otherwise the content is hashed and compared by digest and
  path (duplicate content from another path is recorded as a duplicate, stored once).
- A zero-byte file is reported and skipped; an unsupported or corrupt file is imported as it is
  (an opaque blob) with the reason; a file that cannot be read is reported as failed.
- Sidecars (``<stem>.xml|json|txt`` beside a media file) are stored with their media file, not as
  items of their own. Hidden files and system folders (``System Volume Information``…) are skipped.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import secrets
import signal
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.utils import timezone

from liuhen.av import selectors, services
from liuhen.av.derivatives import enqueue_for
from liuhen.av.models import ClaimSource, MediaSource
from liuhen.av.naming import (
    SIDECAR_MAX_BYTES,
    SIDECAR_SUFFIXES,
    Claim,
    folder_serial,
    normalise_serial,
    parse_file_name,
    parse_sidecar,
)
from liuhen.av.progress import Progress, human_bytes
from liuhen.equipment.models import Device
from liuhen.org.models import Agency, Person
from liuhen.vault import services as vault
from liuhen.vault.storage import BlobTooLarge, FileSystemStorage, HashedFile

CHUNK_SIZE = 8 * 1024 * 1024

IGNORED_NAMES = frozenset(
    {
        "System Volume Information",
        "$RECYCLE.BIN",
        "$Recycle.Bin",
        "RECYCLER",
        ".Trashes",
        ".Spotlight-V100",
        ".fseventsd",
        "__MACOSX",
        "Thumbs.db",
        "desktop.ini",
    }
)


class DockError(Exception):
    """A user-facing problem with the command itself (folder missing, no agency…)."""


@dataclass(frozen=True)
class Entry:
    absolute: Path
    path: str  # relative to the dock, POSIX separators
    size: int
    mtime_ns: int
    sidecar: Path | None = None
    sidecar_signature: tuple[int, int] | None = None

    @property
    def signature(self) -> tuple[object, ...]:
        return (self.size, self.mtime_ns, self.sidecar_signature)


@dataclass
class DockReport:
    imported: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)
    zero_byte: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    unreadable: list[tuple[str, str]] = field(default_factory=list)
    unattributed: list[tuple[str, str]] = field(default_factory=list)
    time_mismatch: list[tuple[str, str]] = field(default_factory=list)
    bytes_imported: int = 0
    # Measured inside the run (time.perf_counter): the wall time spent reading each file and
    # computing SM3 + SHA-256 while writing it into the vault's tmp/ and fdatasync'ing it, and
    # how many bytes that was. Everything else — scanning, the database, the ledger, the vault's
    # marker/link protocol, media parsing, output — is the import's overhead.
    hash_write_seconds: float = 0.0
    hash_write_bytes: int = 0
    batches: int = 0


def _ignored(name: str) -> bool:
    return name.startswith(".") or name in IGNORED_NAMES


def scan(dock: Path) -> list[Path]:
    """Every regular file under ``dock`` (recursively, symlinked folders not followed), sorted."""
    found: list[Path] = []
    for root, dirs, files in os.walk(dock, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not _ignored(d))
        for name in files:
            if _ignored(name):
                continue
            path = Path(root, name)
            if path.is_file():
                found.append(path)
    return sorted(found, key=lambda p: p.relative_to(dock).as_posix())


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


def plan(dock: Path, paths: Sequence[Path]) -> tuple[list[Entry], list[tuple[str, str]]]:
    """Pair each media file with its sidecar; a sidecar without media is an entry of its own.
    Returns the entries and the files that vanished or could not be stat'ed."""
    groups: dict[tuple[Path, str], list[Path]] = defaultdict(list)
    for path in paths:
        groups[(path.parent, path.stem.lower())].append(path)
    entries: list[Entry] = []
    missing: list[tuple[str, str]] = []
    for members in groups.values():
        sidecars = sorted(
            (p for p in members if p.suffix.lower() in SIDECAR_SUFFIXES),
            key=lambda p: SIDECAR_SUFFIXES.index(p.suffix.lower()),
        )
        media = [p for p in members if p.suffix.lower() not in SIDECAR_SUFFIXES]
        pairs: list[tuple[Path, Path | None]] = (
            [(m, sidecars[0] if sidecars else None) for m in media]
            if media
            else [(s, None) for s in sidecars]
        )
        for path, sidecar in pairs:
            rel = path.relative_to(dock).as_posix()
            stat = _stat(path)
            if stat is None:
                missing.append((rel, "文件无法读取或已被移走"))
                continue
            side_stat = _stat(sidecar) if sidecar is not None else None
            entries.append(
                Entry(
                    absolute=path,
                    path=rel,
                    size=stat[0],
                    mtime_ns=stat[1],
                    sidecar=sidecar if side_stat is not None else None,
                    sidecar_signature=side_stat,
                )
            )
    entries.sort(key=lambda e: e.path)
    return entries, missing


def _when(value: object) -> str:
    if value is None:
        return "时间不明"
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")  # type: ignore[arg-type]


class DockImporter:
    def __init__(
        self,
        *,
        dock: Path,
        agency: Agency,
        actor: Person | None,
        device: str = "",
        out: TextIO | None = None,
        err: TextIO | None = None,
    ) -> None:
        self.dock = dock
        self.agency = agency
        self.actor = actor
        self.device = device.strip()
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.report = DockReport()
        self.tz = timezone.get_default_timezone()
        storage = vault.get_storage()
        if not isinstance(storage, FileSystemStorage):
            raise DockError("证据库存储不支持目录导入 / the dock import needs the filesystem vault")
        self.storage = storage
        self.started = time.perf_counter()
        self._stop = False
        self.registered = frozenset(Device.objects.filter(agency=agency).values_list("serial_no", flat=True))

    # -- claims ---------------------------------------------------------------------------------
    def claim_for(self, entry: Entry) -> Claim:
        """Sidecar first, then the file name, then the device folder (nearest first, the dock
        folder's own name last). The media's own metadata and ``--device`` come later, in the
        service, as fallbacks."""
        info = parse_file_name(entry.absolute.name, self.tz)
        side = None
        if entry.sidecar is not None:
            try:
                with open(entry.sidecar, "rb") as fh:
                    side = parse_sidecar(entry.sidecar.name, fh.read(SIDECAR_MAX_BYTES), self.tz)
            except OSError:
                side = None
        folders = [*reversed(Path(entry.path).parent.parts), self.dock.name]
        folder = folder_serial(folders, self.registered)
        serial, serial_source = "", ""
        for value, source in (
            (side.serial if side else "", ClaimSource.SIDECAR),
            (info.serial, ClaimSource.FILENAME),
            (folder, ClaimSource.FOLDER),
        ):
            if value:
                serial, serial_source = normalise_serial(value), str(source)
                break
        recorded_at, time_source = None, ""
        if side is not None and side.recorded_at is not None:
            recorded_at, time_source = side.recorded_at, str(ClaimSource.SIDECAR)
        elif info.recorded_at is not None:
            recorded_at, time_source = info.recorded_at, str(ClaimSource.FILENAME)
        has_place = side is not None and bool(side.latitude and side.longitude)
        return Claim(
            serial=serial,
            serial_source=serial_source,
            recorded_at=recorded_at,
            time_source=time_source,
            officer_no=(side.officer_no if side and side.officer_no else info.officer_no),
            latitude=side.latitude if side and has_place else "",
            longitude=side.longitude if side and has_place else "",
            location_source=str(ClaimSource.SIDECAR) if has_place else "",
        )

    # -- one pass ----------------------------------------------------------------------------------
    def _seen(self, entries: Sequence[Entry]) -> set[tuple[str, int, int]]:
        """(path, size, mtime) of the entries already imported (or recorded as duplicates), in a
        few queries instead of one per file."""
        paths = [e.path[:1000] for e in entries]
        seen: set[tuple[str, int, int]] = set()
        for start in range(0, len(paths), 500):
            rows = MediaSource.objects.filter(
                item__agency_id=self.agency.pk, path__in=paths[start : start + 500]
            ).values_list("path", "size", "mtime_ns")
            seen.update(rows)
        return seen

    def run(self, entries: Sequence[Entry] | None = None) -> DockReport:
        """Import ``entries`` (default: everything in the dock now)."""
        if entries is None:
            entries, missing = plan(self.dock, scan(self.dock))
            for rel, reason in missing:
                self._failed(rel, reason)
        seen = self._seen(entries)
        todo: list[Entry] = []
        for entry in entries:
            if entry.size == 0:
                self.report.zero_byte.append(entry.path)
                self._line(f"空文件 zero-byte\t{entry.path}\t0 字节，未导入")
            elif (entry.path[:1000], entry.size, entry.mtime_ns) in seen:
                self.report.already.append(entry.path)
            else:
                todo.append(entry)
        if not todo:
            return self.report
        progress = Progress(total_bytes=sum(e.size for e in todo), total_files=len(todo), stream=self.err)
        batches = list(self._batches(todo))
        self._stop = False
        try:
            with (
                self._ingest_lock(),
                ThreadPoolExecutor(max_workers=1) as sm3_pool,
                ThreadPoolExecutor(max_workers=1) as copier,
            ):
                # A pipeline: the next batch is read, hashed and written into tmp/ by the copier
                # thread while this thread stores the previous one (hashing and file I/O release
                # the GIL).
                pending: Future[list[tuple[Entry, HashedFile | str]]] | None = copier.submit(
                    self._copy_batch, batches[0], progress, sm3_pool
                )
                try:
                    for index in range(len(batches)):
                        assert pending is not None
                        copied = pending.result()
                        pending = None
                        if index + 1 < len(batches):
                            pending = copier.submit(self._copy_batch, batches[index + 1], progress, sm3_pool)
                        self._store_batch(copied)
                finally:
                    self._stop = True  # a copy in flight (interrupted run) stops at its next chunk
                    if pending is not None:
                        try:
                            leftovers = pending.result()
                        except BaseException:
                            leftovers = []  # the copier removed its own files
                        for _, hashed in leftovers:
                            if isinstance(hashed, HashedFile):
                                Path(hashed.path).unlink(missing_ok=True)
        finally:
            progress.close()
        return self.report

    def _batches(self, todo: Sequence[Entry]) -> Iterator[list[Entry]]:
        """Groups committed together: at most ``LIUHEN_AV_DOCK_BATCH_FILES`` files and
        ``LIUHEN_AV_DOCK_BATCH_MIB`` of data (a bigger file is a batch of its own)."""
        max_files = max(1, int(getattr(settings, "LIUHEN_AV_DOCK_BATCH_FILES", 64)))
        max_bytes = max(1, int(getattr(settings, "LIUHEN_AV_DOCK_BATCH_MIB", 64))) * 1024 * 1024
        batch: list[Entry] = []
        size = 0
        for entry in todo:
            if batch and (len(batch) >= max_files or size + entry.size > max_bytes):
                yield batch
                batch, size = [], 0
            batch.append(entry)
            size += entry.size
        if batch:
            yield batch

    @contextmanager
    def _ingest_lock(self) -> Iterator[None]:
        """The vault's shared ingest lock, held while this run has files in the vault's tmp/: the
        start-up recovery of another process (which empties tmp/) waits for it."""
        storage = self.storage
        fd = os.open(storage.lock_path, os.O_RDWR | os.O_CREAT, 0o640)
        try:
            fcntl.flock(fd, fcntl.LOCK_SH)
            yield
        finally:
            os.close(fd)

    def _copy(self, entry: Entry, progress: Progress, pool: ThreadPoolExecutor) -> HashedFile:
        """Read the file once: SM3 in a second thread, SHA-256 and the write to the vault's tmp/ in
        this one; fdatasync. The vault then hard-links it in (no second read, no second copy)."""
        started = time.perf_counter()
        sm3, sha256, size = hashlib.new("sm3"), hashlib.sha256(), 0
        target = self.storage.tmp_dir / f"{secrets.token_hex(16)}.part"
        max_bytes = int(settings.LIUHEN_MAX_UPLOAD_BYTES)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
        try:
            with open(entry.absolute, "rb", buffering=0) as src:
                while chunk := src.read(CHUNK_SIZE):
                    if self._stop:
                        raise KeyboardInterrupt  # the run was interrupted: drop this copy
                    size += len(chunk)
                    if size > max_bytes:
                        raise BlobTooLarge(max_bytes)
                    pending = pool.submit(sm3.update, chunk)
                    sha256.update(chunk)
                    view = memoryview(chunk)
                    while view:
                        view = view[os.write(fd, view) :]
                    pending.result()
                    progress.advance(len(chunk))
            os.fdatasync(fd)
        except BaseException:
            target.unlink(missing_ok=True)
            raise
        finally:
            os.close(fd)
        self.report.hash_write_seconds += time.perf_counter() - started
        self.report.hash_write_bytes += size
        return HashedFile(
            path=str(target), sm3=f"sm3:{sm3.hexdigest()}", sha256=f"sha256:{sha256.hexdigest()}", size=size
        )

    def _copy_batch(
        self, batch: list[Entry], progress: Progress, pool: ThreadPoolExecutor
    ) -> list[tuple[Entry, HashedFile | str]]:
        """(In the copier thread.) Each file of the batch into tmp/ with its digests, or the reason
        it could not be read. No database access here."""
        copied: list[tuple[Entry, HashedFile | str]] = []
        try:
            for entry in batch:
                if self._stop:
                    break
                progress.start_file(entry.path)
                try:
                    hashed = self._copy(entry, progress, pool)
                except (OSError, BlobTooLarge) as exc:
                    copied.append((entry, f"无法读取或保存：{exc}"))
                    progress.finish_file(unread=max(entry.size, 0))
                    continue
                copied.append((entry, hashed))
                progress.finish_file(unread=max(entry.size - hashed.size, 0))
        except BaseException:
            for _, done in copied:
                if isinstance(done, HashedFile):
                    Path(done.path).unlink(missing_ok=True)
            raise
        return copied

    def _store_batch(self, copied: list[tuple[Entry, HashedFile | str]]) -> None:
        """Store a copied batch in one transaction, each file in its own savepoint: killed at any
        point, the batch leaves no item and no file (the next start's recovery empties tmp/ and
        removes unmarked blobs), and a bad file fails alone. Lines are printed once it committed."""
        outcomes: list[tuple[Entry, services.ImportResult | str]] = []
        try:
            with vault.atomic_with_blobs():
                for entry, hashed in copied:
                    outcomes.append(
                        (entry, hashed if isinstance(hashed, str) else self._import(entry, hashed))
                    )
                imported = [
                    o.item
                    for _, o in outcomes
                    if not isinstance(o, str) and o.outcome == services.Outcome.IMPORTED
                ]
                enqueue_for(imported)  # one background task for the batch's posters/playback copies
            self.report.batches += 1
        finally:
            for _, hashed in copied:
                if isinstance(hashed, HashedFile):
                    Path(hashed.path).unlink(missing_ok=True)
        for entry, outcome in outcomes:
            if isinstance(outcome, str):
                self._failed(entry.path, outcome)
            else:
                self._report(entry, outcome)

    def _import(self, entry: Entry, hashed: HashedFile) -> services.ImportResult | str:
        """Store one copied entry in its own savepoint; a string is the reason it failed."""
        file = services.DockFile(
            dock=str(self.dock),
            path=entry.path,
            absolute=entry.absolute,
            size=entry.size,
            mtime_ns=entry.mtime_ns,
            sidecar=entry.sidecar,
        )
        claim = self.claim_for(entry)
        for attempt in (1, 2):
            try:
                return services.import_file(
                    actor=self.actor,
                    agency=self.agency,
                    file=file,
                    claim=claim,
                    device_option=self.device,
                    hashed=hashed,
                    queue_derivatives=False,
                )
            except IntegrityError:
                if attempt == 1:  # another process imported the same content at the same moment
                    continue
                return "与同时进行的另一导入冲突，请重新运行"
            except (OSError, BlobTooLarge) as exc:
                return f"无法读取或保存：{exc}"
            except (ValidationError, PermissionDenied) as exc:
                messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
                return "；".join(messages)
        return "与同时进行的另一导入冲突，请重新运行"  # pragma: no cover

    def _report(self, entry: Entry, result: services.ImportResult) -> None:
        item = result.item
        if result.outcome == services.Outcome.ALREADY:
            self.report.already.append(entry.path)
            self._line(f"已导入过 already\t{entry.path}\t内容与此前导入的相同，跳过")
            return
        if result.outcome == services.Outcome.DUPLICATE:
            self.report.duplicates.append((entry.path, item.filename))
            self._line(
                f"重复内容 duplicate\t{entry.path}\t与已导入的 {item.filename}（音像 #{item.pk}）内容相同，只保存一份"
            )
            return
        self.report.imported.append(entry.path)
        self.report.bytes_imported += entry.size
        state = selectors.state_of_new(item, self.registered)
        who = f"使用人 {state.officer.full_name}" if state.officer else f"未归属 unattributed：{state.reason}"
        if state.officer is None:
            self.report.unattributed.append((entry.path, state.reason))
        if item.metadata_error:
            self.report.unreadable.append((entry.path, item.metadata_error))
        if "time_mismatch" in state.flags:
            self.report.time_mismatch.append(
                (entry.path, f"内嵌时间 {_when(item.embedded_at)}，相差 {item.time_offset_seconds} 秒")
            )
        self._line(
            f"已导入 imported\t{entry.path}\t{item.blob.size} 字节\t{item.blob.sm3}\t"
            f"记录仪 {item.recorder_no or '—'}\t{_when(item.recorded_at)}\t{who}"
            + (f"\t{item.metadata_error}" if item.metadata_error else "")
        )

    def _failed(self, rel: str, reason: str) -> None:
        self.report.failed.append((rel, reason))
        self._line(f"失败 failed\t{rel}\t{reason}")

    def _line(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    # -- watching --------------------------------------------------------------------------------
    def watch(
        self,
        *,
        interval: float,
        stop: Callable[[], bool] = lambda: False,
        sleep: Callable[[float], None] = time.sleep,
    ) -> DockReport:
        """Poll the folder; a file is imported once it has kept the same size and modification
        time (and its sidecar too) over one whole interval, so one still being copied waits."""
        pending: dict[str, tuple[object, ...]] = {}
        handled: dict[str, tuple[object, ...]] = {}
        while True:
            entries, _ = plan(self.dock, scan(self.dock)) if self.dock.is_dir() else ([], [])
            ready: list[Entry] = []
            for entry in entries:
                if handled.get(entry.path) == entry.signature:
                    continue
                if pending.get(entry.path) == entry.signature:
                    ready.append(entry)
                else:
                    pending[entry.path] = entry.signature
            if ready:
                self.run(ready)
                for entry in ready:
                    handled[entry.path] = entry.signature
                    pending.pop(entry.path, None)
            if stop():
                return self.report
            sleep(interval)

    # -- summary ----------------------------------------------------------------------------------
    def print_summary(self) -> None:
        r = self.report
        lines = [
            f"—— 导入汇总 summary：{self.dock} ——",
            f"新导入 imported：{len(r.imported)}（{human_bytes(r.bytes_imported)}）",
            f"已导入过，跳过 skipped (already imported)：{len(r.already)}",
            f"重复内容，只保存一份 duplicates：{len(r.duplicates)}",
            f"空文件，跳过 zero-byte：{len(r.zero_byte)}",
            f"失败 failed：{len(r.failed)}",
            f"无法解析、按原样保存 unreadable (kept as opaque blobs)：{len(r.unreadable)}",
            f"未归属 unattributed：{len(r.unattributed)}",
            f"内嵌时间与标称时间不符 time mismatch：{len(r.time_mismatch)}",
        ]
        elapsed = time.perf_counter() - self.started
        if r.hash_write_bytes:
            outside = max(elapsed - r.hash_write_seconds, 0.0)
            lines.append(
                f"用时 elapsed: {elapsed:.3f} s；其中读取、摘要与写入 hashing+writing: {r.hash_write_seconds:.3f} s"
                f"（{human_bytes(r.hash_write_bytes)}，{r.batches} 批提交 batches）；"
                f"其余 outside: {outside:.3f} s（{outside / elapsed * 100 if elapsed else 0:.1f} %）"
            )
        for title, rows in (
            ("失败原因 failures", r.failed),
            ("无法解析 unreadable", r.unreadable),
            ("未归属（交装备管理部门核查）unattributed", r.unattributed),
            ("时间不符 time mismatch", r.time_mismatch),
        ):
            if rows:
                lines.append(f"{title}：")
                lines.extend(f"  {path}\t{reason}" for path, reason in rows)
        if r.zero_byte:
            lines.append("空文件 zero-byte：")
            lines.extend(f"  {path}" for path in r.zero_byte)
        for line in lines:
            print(line, file=self.out, flush=True)


def resolve_agency(*, username: str | None, device: str) -> tuple[Agency, Person | None]:
    if username:
        actor = Person.objects.select_related("agency").filter(username=username).first()
        if actor is None:
            raise DockError(f"用户不存在 / no such user: {username}")
        if not actor.is_active or actor.agency is None:
            raise DockError(f"用户 {username} 已停用或不属于任何机关 / user inactive or without agency")
        return actor.agency, actor
    if device:
        agencies = list(Agency.objects.filter(devices__serial_no=normalise_serial(device)).distinct()[:2])
        if len(agencies) == 1:
            return agencies[0], None
        if len(agencies) > 1:
            raise DockError(
                f"记录仪 {device} 在多个机关登记，请用 --user 指定 / serial in several agencies; pass --user"
            )
    agencies = list(Agency.objects.all()[:2])
    if len(agencies) == 1:
        return agencies[0], None
    if not agencies:
        raise DockError("尚未创建执法机关 / no agency yet (liuhen createagency)")
    raise DockError("有多个执法机关，请用 --user 指定操作人 / several agencies: pass --user")


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run_dock_command(*, dock: str, device: str = "", watch: bool = False, username: str | None = None) -> int:
    """The CLI entry point (after start-up recovery). Exit status 1 if any file failed."""
    from django.conf import settings

    root = Path(dock).expanduser()
    if not root.is_dir():
        raise DockError(f"目录不存在 / not a directory: {dock}")
    agency, actor = resolve_agency(username=username, device=device)
    importer = DockImporter(dock=root.resolve(), agency=agency, actor=actor, device=device)
    if device and normalise_serial(device) not in importer.registered:
        print(f"注意：记录仪 {device} 未在本机关装备台账登记，导入的文件将列为未归属。", file=importer.out)
    previous = signal.signal(signal.SIGTERM, _interrupt) if watch else None  # a service manager's stop
    try:
        if watch:
            interval = float(getattr(settings, "LIUHEN_AV_WATCH_INTERVAL_SECONDS", 5))
            print(
                f"正在监视 watching {root}（每 {interval:g} 秒检查一次，Ctrl-C 结束）",
                file=importer.out,
                flush=True,
            )
            importer.watch(interval=interval)
        else:
            importer.run()
    except KeyboardInterrupt:  # the file being imported is rolled back; the next run imports it
        print("已中断 / interrupted", file=importer.out)
        importer.print_summary()
        return 0 if watch else 130
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    importer.print_summary()
    return 1 if importer.report.failed else 0
