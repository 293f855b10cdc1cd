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

import os
import signal
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.utils import timezone

from liuhen.av import selectors, services
from liuhen.av.models import ClaimSource
from liuhen.av.naming import (
    SIDECAR_MAX_BYTES,
    SIDECAR_SUFFIXES,
    Claim,
    folder_serial,
    normalise_serial,
    parse_file_name,
    parse_sidecar,
)
from liuhen.av.progress import Progress, ProgressReader, human_bytes
from liuhen.equipment.models import Device
from liuhen.org.models import Agency, Person
from liuhen.vault.storage import BlobTooLarge

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
    def run(self, entries: Sequence[Entry] | None = None) -> DockReport:
        """Import ``entries`` (default: everything in the dock now)."""
        if entries is None:
            entries, missing = plan(self.dock, scan(self.dock))
            for rel, reason in missing:
                self._failed(rel, reason)
        todo: list[Entry] = []
        for entry in entries:
            if entry.size == 0:
                self.report.zero_byte.append(entry.path)
                self._line(f"空文件 zero-byte\t{entry.path}\t0 字节，未导入")
            elif selectors.seen_before(
                agency_id=self.agency.pk, path=entry.path, size=entry.size, mtime_ns=entry.mtime_ns
            ):
                self.report.already.append(entry.path)
            else:
                todo.append(entry)
        if not todo:
            return self.report
        progress = Progress(total_bytes=sum(e.size for e in todo), total_files=len(todo), stream=self.err)
        try:
            for entry in todo:
                progress.start_file(entry.path)
                read = self._import(entry, progress)
                progress.finish_file(unread=entry.size - read)
        finally:
            progress.close()
        return self.report

    def _import(self, entry: Entry, progress: Progress) -> int:
        """Import one entry; returns the bytes read (for the progress bar)."""
        file = services.DockFile(
            dock=str(self.dock),
            path=entry.path,
            absolute=entry.absolute,
            size=entry.size,
            mtime_ns=entry.mtime_ns,
            sidecar=entry.sidecar,
        )
        claim = self.claim_for(entry)
        read = 0
        for attempt in (1, 2):
            try:
                with open(entry.absolute, "rb") as raw:
                    reader = ProgressReader(raw, progress)
                    try:
                        result = services.import_file(
                            actor=self.actor,
                            agency=self.agency,
                            file=file,
                            claim=claim,
                            device_option=self.device,
                            reader=reader,  # type: ignore[arg-type]
                        )
                    finally:
                        read += reader.count
            except IntegrityError:
                if attempt == 1:  # another process imported the same content at the same moment
                    continue
                self._failed(entry.path, "与同时进行的另一导入冲突，请重新运行")
                return read
            except (OSError, BlobTooLarge) as exc:
                self._failed(entry.path, f"无法读取或保存：{exc}")
                return read
            except (ValidationError, PermissionDenied) as exc:
                messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
                self._failed(entry.path, "；".join(messages))
                return read
            else:
                self._report(entry, result)
                return read
        return read  # pragma: no cover

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
        state = selectors.state_of_new(item)
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
