"""Derivatives of audio-visual items (issue 5 point 5, AV-9): a browser-playable copy (H.264/AAC in
MP4, or AAC in M4A for audio) only when the original is not playable in a browser, and a JPEG
poster for video and photos. Made by the background worker (:mod:`liuhen.av.tasks`), stored as new
vault blobs and linked to the original by a write-once :class:`~liuhen.av.models.Derivative` row
with its ledger entry (``av.derive``). The original is only read, never touched.

Transcoding and video posters run the Debian ``ffmpeg`` in a child process (an untrusted file that
crashes or hangs the decoder takes only that process down, and it has a timeout); photo posters use
Pillow. Whatever goes wrong with one item is recorded as a failed derivative with the error, never
raised to the worker.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import secrets
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from liuhen.av.models import Derivative, DerivativeKind, DerivativeStatus, MediaItem, MediaKind
from liuhen.core.sealing import sealed_content
from liuhen.ledger import services as ledger
from liuhen.vault import services as vault
from liuhen.vault.storage import FileSystemStorage, HashedFile

logger = logging.getLogger(__name__)

POSTER_MAX_PIXELS = 640  # longest side of a poster
PLAYBACK_VIDEO = ("libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p")
PLAYBACK_AUDIO = ("aac", "-b:a", "128k")
ERROR_MAX = 800

# What browsers (Chromium, Firefox, Safari) play natively, by the file's media type and the codecs
# PyAV found (MediaItem.video_codec / audio_codec, FFmpeg codec names). The media type stands for
# the container: FFmpeg names the whole ISO-BMFF family "mov,mp4,m4a,3gp,3g2,mj2", and a browser
# goes by the Content-Type it is sent.
_MP4_FAMILY = "mov,mp4,m4a,3gp,3g2,mj2"
PLAYABLE: dict[str, tuple[frozenset[str], frozenset[str], frozenset[str]]] = {
    # media type: (containers, video codecs, audio codecs); "" = no stream of that type
    "video/mp4": (frozenset({_MP4_FAMILY}), frozenset({"h264", ""}), frozenset({"", "aac", "mp3"})),
    "video/webm": (
        frozenset({"matroska,webm"}),
        frozenset({"vp8", "vp9", "av1"}),
        frozenset({"", "opus", "vorbis"}),
    ),
    "audio/mp4": (frozenset({_MP4_FAMILY}), frozenset({""}), frozenset({"aac", "mp3"})),
    "audio/mpeg": (frozenset({"mp3"}), frozenset({""}), frozenset({"mp3"})),
    "audio/ogg": (frozenset({"ogg"}), frozenset({""}), frozenset({"opus", "vorbis"})),
    "audio/wav": (frozenset({"wav"}), frozenset({""}), frozenset({"pcm_s16le", "pcm_u8", "pcm_f32le"})),
    "audio/flac": (frozenset({"flac"}), frozenset({""}), frozenset({"flac"})),
}


def browser_playable(item: MediaItem) -> bool:
    """Whether the original plays in a browser as it is (decided from the stored metadata)."""
    if item.metadata_error or item.kind not in (MediaKind.VIDEO, MediaKind.AUDIO):
        return False
    accepted = PLAYABLE.get(item.blob.media_type)
    if accepted is None:
        return False
    containers, videos, audios = accepted
    if not (item.video_codec or item.audio_codec):
        return False
    return item.container in containers and item.video_codec in videos and item.audio_codec in audios


def _audio_only(item: MediaItem) -> bool:
    """An audio item, or a "video" file (by its type) that holds only sound."""
    return item.kind == MediaKind.AUDIO or (not item.video_codec and bool(item.audio_codec))


def needed_kinds(item: MediaItem) -> list[str]:
    """What an item should get: a poster for video and photos, a playback copy for audio and video
    that a browser cannot play as it is. Files that are not media get nothing."""
    kinds: list[str] = []
    if item.kind in (MediaKind.VIDEO, MediaKind.AUDIO) and not browser_playable(item):
        kinds.append(DerivativeKind.PLAYBACK)
    if item.kind == MediaKind.IMAGE or (item.kind == MediaKind.VIDEO and not _audio_only(item)):
        kinds.append(DerivativeKind.POSTER)
    return kinds


# --- making the files ------------------------------------------------------------------------------


class DerivativeError(Exception):
    """The tool could not make the derivative (a Chinese message for the page)."""


@cache
def ffmpeg_version() -> str:
    try:
        done = subprocess.run(["ffmpeg", "-version"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "ffmpeg"
    first = done.stdout.splitlines()[0] if done.stdout else "ffmpeg"
    match = re.match(r"ffmpeg version (\S+)", first)
    return f"ffmpeg {match.group(1)}" if match else "ffmpeg"


def _nice() -> None:  # pragma: no cover - runs in the child
    os.nice(10)  # the web server and the dock import come first


def _clean_error(text: str, paths: list[str]) -> str:
    for path in paths:
        text = text.replace(path, "<file>")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return " / ".join(lines[-4:])[:ERROR_MAX] or "无输出"


def run_ffmpeg(args: list[str], *, paths: list[str]) -> None:
    timeout = int(getattr(settings, "LIUHEN_AV_TRANSCODE_TIMEOUT_SECONDS", 7200))
    argv = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *args]
    try:
        done = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
            preexec_fn=_nice,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise DerivativeError(f"处理超时（超过 {timeout} 秒）") from exc
    except OSError as exc:
        raise DerivativeError(f"无法运行 ffmpeg：{exc.strerror}") from exc
    if done.returncode != 0:
        raise DerivativeError(f"ffmpeg 退出码 {done.returncode}：{_clean_error(done.stderr, paths)}")


def _check_output(path: Path, kind: str) -> None:
    """The tool said yes; make sure the file is what it should be (non-empty, decodable header)."""
    if not path.exists() or path.stat().st_size == 0:
        raise DerivativeError("未生成任何内容（原文件可能没有可解码的画面或声音）")
    if kind == DerivativeKind.POSTER:
        from PIL import Image

        with Image.open(path) as image:
            image.verify()
        return
    import av

    with av.open(str(path)) as container:
        if not container.streams.video and not container.streams.audio:
            raise DerivativeError("生成的文件中没有音视频流")


def make_playback(source: str, target: Path, *, audio_only: bool) -> str:
    """Transcode to H.264/AAC MP4 (or AAC M4A); returns the tool description sealed in the row."""
    streams = ["-map", "0:a:0"] if audio_only else ["-map", "0:v:0", "-map", "0:a:0?"]
    video = [] if audio_only else ["-c:v", *PLAYBACK_VIDEO, "-vf", "scale=trunc(iw/2)*2:trunc(ih/2)*2"]
    args = ["-i", source, *streams, *video, "-c:a", *PLAYBACK_AUDIO, "-movflags", "+faststart"]
    run_ffmpeg([*args, "-f", "mp4", str(target)], paths=[source, str(target)])
    _check_output(target, DerivativeKind.PLAYBACK)
    codecs = "aac 128k" if audio_only else "libx264 veryfast crf 23 yuv420p + aac 128k"
    return f"{ffmpeg_version()} → mp4 ({codecs}, faststart)"


def make_video_poster(source: str, target: Path, *, duration_ms: int | None) -> str:
    """One frame (1 s in, or the middle of a shorter clip) scaled to ≤ 640 px, as JPEG."""
    at = min(1.0, (duration_ms or 0) / 2000)
    scale = f"scale='min({POSTER_MAX_PIXELS},iw)':-2"
    for offset in (at, 0.0) if at else (0.0,):
        args = ["-ss", f"{offset:.3f}", "-i", source, "-map", "0:v:0", "-frames:v", "1", "-vf", scale]
        run_ffmpeg(
            [*args, "-q:v", "4", "-f", "image2", "-c:v", "mjpeg", str(target)], paths=[source, str(target)]
        )
        if target.exists() and target.stat().st_size > 0:
            break
    _check_output(target, DerivativeKind.POSTER)
    return f"{ffmpeg_version()} → jpeg (frame at {at:.1f} s, ≤ {POSTER_MAX_PIXELS} px)"


def make_photo_poster(source: str, target: Path) -> str:
    """A thumbnail of a photo, turned upright by its EXIF orientation, as JPEG."""
    from PIL import Image, ImageOps

    try:
        with Image.open(source) as image:
            upright = ImageOps.exif_transpose(image) or image
            thumb = upright.convert("RGB")
            thumb.thumbnail((POSTER_MAX_PIXELS, POSTER_MAX_PIXELS))
            thumb.save(target, "JPEG", quality=80)
    except Exception as exc:  # an untrusted file: whatever Pillow says is the error
        raise DerivativeError(
            f"照片无法解码：{type(exc).__name__}: {_clean_error(str(exc), [source])}"
        ) from exc
    _check_output(target, DerivativeKind.POSTER)
    import PIL

    return f"Pillow {PIL.__version__} → jpeg (≤ {POSTER_MAX_PIXELS} px, quality 80)"


# --- storing -----------------------------------------------------------------------------------------


def _storage() -> FileSystemStorage:
    storage = vault.get_storage()
    assert isinstance(storage, FileSystemStorage)
    return storage


def work_dir() -> Path:
    """``$LIUHEN_VAULT_DIR/av-work``: on the vault's filesystem, directly under its root, so a
    finished derivative is hard-linked into the vault (``HashedFile``) rather than copied."""
    path = _storage().root / "av-work"
    path.mkdir(parents=True, exist_ok=True)
    return path


def clean_work_dir(older_than_seconds: float = 6 * 3600) -> int:
    """Remove what killed workers left behind (run at worker start)."""
    removed = 0
    cutoff = time.time() - older_than_seconds
    for path in work_dir().iterdir():
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed


@contextmanager
def _work_file(suffix: str) -> Iterator[Path]:
    path = work_dir() / f"{secrets.token_hex(12)}{suffix}"
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)


def _hashed(path: Path) -> HashedFile:
    """Digest the finished file and make it durable, outside any database transaction."""
    sm3, sha256, size = hashlib.new("sm3"), hashlib.sha256(), 0
    with open(path, "rb") as fh:
        while chunk := fh.read(8 * 1024 * 1024):
            sm3.update(chunk)
            sha256.update(chunk)
            size += len(chunk)
        os.fsync(fh.fileno())
    return HashedFile(
        path=str(path), sm3=f"sm3:{sm3.hexdigest()}", sha256=f"sha256:{sha256.hexdigest()}", size=size
    )


@dataclass(frozen=True)
class Outcome:
    kind: str
    status: str  # DerivativeStatus, or "skipped" (exists already)
    derivative_id: int | None = None
    error: str = ""


def _record(
    *,
    item: MediaItem,
    kind: str,
    blob_file: HashedFile | None,
    media_type: str,
    filename: str,
    tool: str,
    error: str,
    task_id: str,
) -> Derivative:
    """One transaction: the derivative's blob (hard-linked in), its row and the ledger entry."""
    with vault.atomic_with_blobs():
        blob = None
        if blob_file is not None:
            blob = vault.ingest(actor=None, source=blob_file, filename=filename, media_type=media_type)
        row = Derivative(
            item=item,
            kind=kind,
            status=DerivativeStatus.DONE if blob is not None else DerivativeStatus.FAILED,
            blob=blob,
            source=item.blob,
            tool=tool[:300],
            error=error,
            task_id=task_id[:64],
            created_at=timezone.now(),
        )
        row.save(force_insert=True)
        ledger.append(
            actor=None,
            action="av.derive",
            obj=row,
            payload={
                "content": sealed_content(row),
                "item": item.pk,
                "original": item.blob.sm3,
                "derivative": blob.sm3 if blob is not None else None,
            },
        )
    return row


def produce(item: MediaItem, kind: str, *, task_id: str = "", retry_failed: bool = False) -> Outcome:
    """Make one derivative of ``item`` unless it exists (done, or failed unless ``retry_failed``).
    Never raises for a bad original: the error becomes a failed derivative."""
    existing = Derivative.objects.filter(item=item, kind=kind)
    if retry_failed:
        existing = existing.filter(status=DerivativeStatus.DONE)
    if existing.exists():
        return Outcome(kind, "skipped")
    storage = _storage()
    source = str(storage.path(item.blob.storage_key))
    audio_only = _audio_only(item)
    suffix = ".jpg" if kind == DerivativeKind.POSTER else (".m4a" if audio_only else ".mp4")
    media_type = (
        "image/jpeg" if kind == DerivativeKind.POSTER else ("audio/mp4" if audio_only else "video/mp4")
    )
    stem = Path(item.filename).stem[:200]
    filename = f"{stem}.poster.jpg" if kind == DerivativeKind.POSTER else f"{stem}.playback{suffix}"
    with _work_file(suffix) as target:
        tool, error, hashed = "", "", None
        try:
            if kind == DerivativeKind.PLAYBACK:
                tool = make_playback(source, target, audio_only=audio_only)
            elif item.kind == MediaKind.IMAGE:
                tool = make_photo_poster(source, target)
            else:
                tool = make_video_poster(source, target, duration_ms=item.duration_ms)
            hashed = _hashed(target)
        except DerivativeError as exc:
            error = str(exc)
        except Exception as exc:  # never let one bad file stop the worker
            logger.exception("derivative %s of item %s failed", kind, item.pk)
            error = f"{type(exc).__name__}: {_clean_error(str(exc), [source, str(target)])}"
        if error and not tool:
            tool = (
                ffmpeg_version()
                if item.kind != MediaKind.IMAGE or kind == DerivativeKind.PLAYBACK
                else "Pillow"
            )
        try:
            row = _record(
                item=item,
                kind=kind,
                blob_file=hashed,
                media_type=media_type,
                filename=filename,
                tool=tool,
                error=error[:ERROR_MAX],
                task_id=task_id,
            )
        except IntegrityError:  # another worker made it meanwhile
            return Outcome(kind, "skipped")
    return Outcome(kind, row.status, row.pk, row.error)


def produce_all(item_id: int, *, task_id: str = "", retry_failed: bool = False) -> list[Outcome]:
    item = MediaItem.objects.select_related("blob").filter(pk=item_id).first()
    if item is None:
        return []
    return [produce(item, kind, task_id=task_id, retry_failed=retry_failed) for kind in needed_kinds(item)]


# --- queueing ------------------------------------------------------------------------------------


def enqueue_for(items: list[MediaItem]) -> str | None:
    """Queue the derivatives these items need, as one task (none needed: nothing queued). With the
    database backend the task row is written in the caller's transaction, so the items and their
    task commit together; other backends (e.g. the immediate one) run it after the commit."""
    from liuhen.av.tasks import make_derivatives

    ids = [item.pk for item in items if needed_kinds(item)]
    if not ids:
        return None
    backend = make_derivatives.get_backend()
    if type(backend).__name__ == "DatabaseBackend":
        return str(make_derivatives.enqueue(ids).id)
    transaction.on_commit(lambda: make_derivatives.enqueue(ids))
    return None


def enqueue_missing(*, retry_failed: bool = False, skip: set[int] | None = None) -> int:
    """Queue, as one task, the items that need a derivative they do not have (imported before the
    worker existed, or whose task died with a killed worker; with ``retry_failed`` also those whose
    derivative failed), except those in ``skip`` (already queued). Returns how many."""
    from liuhen.av.tasks import make_derivatives

    rows = Derivative.objects.all()
    if retry_failed:
        rows = rows.filter(status=DerivativeStatus.DONE)
    have: dict[int, set[str]] = {}
    for item_id, kind in rows.values_list("item_id", "kind"):
        have.setdefault(item_id, set()).add(kind)
    media = MediaItem.objects.filter(kind__in=[MediaKind.VIDEO, MediaKind.AUDIO, MediaKind.IMAGE])
    ids = [
        item.pk
        for item in media.select_related("blob").order_by("pk").iterator()
        if item.pk not in (skip or set()) and set(needed_kinds(item)) - have.get(item.pk, set())
    ]
    if ids:
        make_derivatives.enqueue(ids, retry_failed=retry_failed)
    return len(ids)
