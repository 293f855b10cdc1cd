"""Writes for resumable uploads: create, receive a chunk, complete, terminate, expire, fail.

Each state change writes its ledger entry in the same transaction (``upload.create``,
``upload.complete``, ``upload.terminate``, ``upload.expire``, ``upload.fail``). Completion hands
the finished file to the vault by hard link (``HashedFile``: digests computed as the chunks
arrived, no second read or copy) and attaches it to the target record through
``records.services`` — blob, attachment, upload state and ledger entries commit together or not
at all, so a failure leaves neither a half record nor an orphan blob.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from liuhen.cases.models import Case
from liuhen.cases.selectors import can_write_case
from liuhen.ledger import services as ledger
from liuhen.org.models import Person
from liuhen.records import services as records
from liuhen.records.catalogue import UnknownRecordType, catalogue
from liuhen.records.models import Confidentiality, Record
from liuhen.uploads import partials
from liuhen.uploads.models import Upload, UploadState
from liuhen.vault.services import atomic_with_blobs, guess_media_type
from liuhen.vault.storage import BlobTooLarge, HashedFile


# -- errors the tus views turn into status codes ---------------------------------------------------
class UploadError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UploadTooLarge(UploadError):
    status = 413
    code = "too_large"


class OffsetMismatch(UploadError):
    status = 409
    code = "offset_mismatch"


class UploadBusy(UploadError):
    status = 423
    code = "locked"


class UploadGone(UploadError):
    status = 410
    code = "gone"


class ChecksumMismatch(UploadError):
    status = 460
    code = "checksum_mismatch"


def max_upload_bytes() -> int:
    return int(settings.LIUHEN_MAX_UPLOAD_BYTES)


def format_size(size: int) -> str:
    for unit, factor in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if size >= factor:
            return f"{size / factor:.1f} {unit}".replace(".0 ", " ")
    return f"{size} 字节"


def _expiry(now: datetime) -> datetime:
    return now + timedelta(hours=float(settings.LIUHEN_UPLOAD_EXPIRE_HOURS))


def _event(*, actor: Person | None, action: str, upload: Upload, **extra: Any) -> None:
    payload: dict[str, Any] = {
        "upload": str(upload.pk),
        "owner": upload.owner_id,
        "filename": upload.filename,
        "media_type": upload.media_type,
        "length": upload.length,
        "offset": upload.offset,
        "record": upload.record_id,
        "record_type": upload.record_type,
        "state": upload.state,
        **extra,
    }
    ledger.append(actor=actor, action=action, obj=upload, case_id=upload.case_id, payload=payload)


def _normalise_digest(value: str, algorithm: str, length: int) -> str:
    value = value.strip().lower()
    if value.startswith(f"{algorithm}:"):
        value = value.split(":", 1)[1]
    if len(value) != length or any(c not in "0123456789abcdef" for c in value):
        raise ValidationError(
            {algorithm: [f"{algorithm.upper()} 摘要格式不正确（应为 {length} 位十六进制）。"]}
        )
    return f"{algorithm}:{value}"


def _check_writer(actor: Person, case: Case) -> None:
    if not can_write_case(actor, case):
        raise PermissionDenied("只有本案承办人员或科室负责人可以上传文件。")
    if case.branch:
        raise ValidationError("案件已终止，不能再上传文件。")


def _check_current(record: Record) -> None:
    if Record.objects.filter(supersedes=record).exists():
        raise ValidationError("该记录已有更新版本，请在最新版本上上传。")


def _check_media_type(record_type: str, filename: str, media_type: str) -> None:
    rtype = catalogue().get(record_type)
    if rtype.is_media and not rtype.accepts(media_type):
        accepted = "、".join(rtype.media)
        raise ValidationError(
            {
                "filetype": [
                    f"“{filename}”（{media_type}）不是{rtype.name}可接受的文件类型（可接受：{accepted}）。"
                ]
            }
        )


# -- create ------------------------------------------------------------------------------------------
def create_upload(
    *,
    actor: Person,
    length: int,
    filename: str,
    media_type: str = "",
    record: Record | None = None,
    case: Case | None = None,
    record_type: str = "",
    description: str = "",
    caption: str = "",
    confidentiality: str = "",
    expected_sm3: str = "",
    expected_sha256: str = "",
) -> Upload:
    """Open an upload to an existing record version (``record``) or, for field uploads, to a new
    media record of ``record_type`` in ``case``. Everything that can be checked before the bytes
    arrive is checked here: size limit, write permission, media type for the record type."""
    filename = os.path.basename(filename.replace("\\", "/")).strip()
    if not filename:
        raise ValidationError({"filename": ["请提供文件名。"]})
    if len(filename) > 255:
        raise ValidationError({"filename": ["文件名过长（最多 255 个字符）。"]})
    if length < 0:
        raise ValidationError({"length": ["文件大小无效。"]})
    limit = max_upload_bytes()
    if length > limit:
        raise UploadTooLarge(
            f"文件过大：“{filename}”为 {format_size(length)}，超过单个文件上限 {format_size(limit)}。"
        )
    media_type = (media_type or "").strip()[:100] or guess_media_type(filename)
    if record is not None:
        if record.case is None:
            raise ValidationError("该记录不属于案件。")
        case = record.case
        record_type = record.record_type
        _check_writer(actor, case)
        _check_current(record)
    else:
        if case is None:
            raise ValidationError({"record": ["请指定目标记录，或指定案件和记录类型。"]})
        _check_writer(actor, case)
        try:
            rtype = catalogue().get(record_type)
        except UnknownRecordType as exc:
            raise ValidationError({"record_type": [str(exc)]}) from exc
        if not rtype.is_media:
            raise ValidationError(
                {"record_type": [f"{rtype.name}不是音像/文件类记录，请先建立记录再上传附件。"]}
            )
        if confidentiality and confidentiality not in Confidentiality.values:
            raise ValidationError({"confidentiality": ["密级无效。"]})
    _check_media_type(record_type, filename, media_type)
    if len(caption) > 200:
        raise ValidationError({"caption": ["说明过长（最多 200 个字符）。"]})
    sm3 = _normalise_digest(expected_sm3, "sm3", 64) if expected_sm3 else ""
    sha256 = _normalise_digest(expected_sha256, "sha256", 64) if expected_sha256 else ""
    now = timezone.now()
    upload = Upload(
        owner=actor,
        case=case,
        record=record,
        record_type=record_type,
        filename=filename,
        media_type=media_type,
        caption=caption.strip(),
        description=description.strip(),
        confidentiality=confidentiality,
        length=length,
        expected_sm3=sm3,
        expected_sha256=sha256,
        created_at=now,
        updated_at=now,
        expires_at=_expiry(now),
    )
    path = partials.create_partial(upload.pk)
    try:
        with transaction.atomic():
            upload.save(force_insert=True)
            _event(actor=actor, action="upload.create", upload=upload, expires_at=upload.expires_at)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    partials.put_state(upload.pk, partials.HashState.empty())
    return upload


# -- receive -----------------------------------------------------------------------------------------
def _refresh(upload: Upload) -> Upload:
    return Upload.objects.select_related("owner", "case", "record").get(pk=upload.pk)


def _is_due(upload: Upload) -> bool:
    return upload.state == UploadState.RECEIVING and upload.expires_at <= timezone.now()


def _raise_if_ended(upload: Upload) -> None:
    if upload.state in (UploadState.TERMINATED, UploadState.EXPIRED, UploadState.FAILED):
        raise UploadGone(gone_message(upload))


def gone_message(upload: Upload) -> str:
    if upload.state == UploadState.EXPIRED:
        return "该上传已过期，未完成的部分已被清理，请重新上传。"
    if upload.state == UploadState.TERMINATED:
        return "该上传已取消。"
    return f"该上传已失败：{upload.error}" if upload.error else "该上传已失败，请重新上传。"


def _save_progress(upload: Upload, offset: int) -> None:
    now = timezone.now()
    Upload.objects.filter(pk=upload.pk, state=UploadState.RECEIVING).update(
        offset=offset, updated_at=now, expires_at=_expiry(now)
    )


def _lost(upload: Upload) -> UploadGone:
    fail_upload(upload=upload, reason="服务器上未完成的上传数据已丢失，请重新上传。")
    return UploadGone("服务器上未完成的上传数据已丢失，请重新上传。")


def receive_chunk(
    *,
    actor: Person,
    upload: Upload,
    offset: int,
    stream: partials.Readable,
    content_length: int,
    checksum: tuple[str, bytes] | None = None,
) -> Upload:
    """tus PATCH: append the request body at ``offset`` (which must equal the stored offset),
    store the new offset, and complete the upload when it is whole. Progress is not a ledger
    event; creation and the end of an upload are."""
    if upload.owner_id != actor.pk:
        raise PermissionDenied("只能续传本人的上传。")
    _raise_if_ended(upload)
    if upload.state == UploadState.COMPLETED:
        if offset == upload.length and content_length == 0:
            return upload
        raise OffsetMismatch(f"上传已完成，当前偏移量为 {upload.offset}。")
    try:
        with partials.locked_partial(upload.pk) as fd:
            upload = _refresh(upload)  # the offset as of holding the lock
            if _is_due(upload):
                upload = expire_upload(upload=upload)
            _raise_if_ended(upload)
            size_on_disk = os.fstat(fd).st_size
            if size_on_disk < upload.offset:
                # Bytes acknowledged but lost (disk trouble): rewind so the client resends them.
                _save_progress(upload, size_on_disk)
                partials.drop_state(upload.pk)
                upload = _refresh(upload)
            if offset != upload.offset:
                raise OffsetMismatch(f"偏移量不一致：服务器已接收 {upload.offset} 字节，请求为 {offset}。")
            if upload.offset + content_length > upload.length:
                raise UploadTooLarge(
                    f"数据超出声明的文件大小：已接收 {upload.offset} 字节，本次 {content_length} 字节，"
                    f"文件共 {upload.length} 字节。"
                )
            try:
                received = partials.append(
                    upload_id=upload.pk,
                    fd=fd,
                    offset=upload.offset,
                    stream=stream,
                    expected=content_length,
                    checksum=checksum,
                    on_progress=lambda position: _save_progress(upload, position),
                )
            except partials.ChunkChecksumMismatch:
                raise ChecksumMismatch(
                    "数据块校验失败（Upload-Checksum 不符），本块未保存，请重新发送。"
                ) from None
            except partials.ChunkIncomplete:
                raise UploadError("数据块不完整（连接中断），本块未保存，请重新发送。") from None
            _save_progress(upload, received.offset)
            upload = _refresh(upload)
            if upload.state == UploadState.RECEIVING and upload.offset == upload.length:
                upload = _complete_locked(actor=actor, upload=upload, state=received.state)
    except partials.PartialBusy:
        raise UploadBusy("该上传正在写入，请稍后重试。") from None
    except FileNotFoundError:
        raise _lost(upload) from None
    return upload


# -- complete ----------------------------------------------------------------------------------------
def try_complete(*, actor: Person, upload: Upload) -> Upload:
    """Finish an upload whose bytes are all here but whose completion did not commit (a crash or a
    database error after the last chunk). Used by HEAD; a no-op if another request holds it."""
    if upload.state != UploadState.RECEIVING or upload.offset != upload.length:
        return upload
    try:
        with partials.locked_partial(upload.pk) as fd:
            upload = _refresh(upload)
            if upload.state != UploadState.RECEIVING or upload.offset != upload.length:
                return upload
            state = partials.state_for(upload.pk, fd, upload.offset)
            partials.put_state(upload.pk, state)
            return _complete_locked(actor=actor, upload=upload, state=state)
    except partials.PartialBusy:
        return upload


def _complete_locked(*, actor: Person, upload: Upload, state: partials.HashState) -> Upload:
    """All bytes are here (the caller holds the partial's lock). Check the client's digests, then
    blob + attachment (+ new record) + upload state + ledger in one transaction."""
    sm3, sha256 = state.digests
    mismatched = [
        f"{name}（客户端 {expected.split(':', 1)[1][:16]}…，服务器 {actual.split(':', 1)[1][:16]}…）"
        for name, expected, actual in (
            ("SM3", upload.expected_sm3, sm3),
            ("SHA-256", upload.expected_sha256, sha256),
        )
        if expected and expected != actual
    ]
    if mismatched:
        message = "文件校验失败，摘要不符：" + "；".join(mismatched) + "。文件未入库，请重新上传。"
        fail_upload(upload=upload, reason=message, sm3=sm3, sha256=sha256)
        raise ChecksumMismatch(message)
    source = HashedFile(
        path=str(partials.partial_path(upload.pk)), sm3=sm3, sha256=sha256, size=upload.length
    )
    item = records.FileInput(
        source=source, filename=upload.filename, caption=upload.caption, media_type=upload.media_type
    )
    try:
        with atomic_with_blobs():
            locked = Upload.objects.select_for_update().get(pk=upload.pk)
            if locked.state != UploadState.RECEIVING or locked.offset != locked.length:
                return locked
            if upload.record is not None:
                _check_current(upload.record)
                attachment = records.attach_files(actor=actor, record=upload.record, files=[item])[0]
                record = upload.record
            else:
                record = records.create_record(
                    actor=actor,
                    case=upload.case,
                    record_type=upload.record_type,
                    data={"description": upload.description or f"上传文件 {upload.filename}"},
                    confidentiality=upload.confidentiality or Confidentiality.NORMAL,
                    title=upload.filename[:200],
                    files=[item],
                )
                attachment = record.attachments.get()
            now = timezone.now()
            locked.state = UploadState.COMPLETED
            locked.sm3, locked.sha256 = sm3, sha256
            locked.result_record = record
            locked.attachment = attachment
            locked.finished_at = locked.updated_at = now
            locked.save(
                update_fields=[
                    "state",
                    "sm3",
                    "sha256",
                    "result_record",
                    "attachment",
                    "finished_at",
                    "updated_at",
                ]
            )
            _event(
                actor=actor,
                action="upload.complete",
                upload=locked,
                sm3=sm3,
                sha256=sha256,
                blob=attachment.blob_id,
                attachment=attachment.pk,
                result_record=record.pk,
                client_checked=[
                    n for n, v in (("sm3", upload.expected_sm3), ("sha256", upload.expected_sha256)) if v
                ],
            )
            transaction.on_commit(lambda: partials.remove_partial(upload.pk))
    except (ValidationError, PermissionDenied, BlobTooLarge) as exc:
        # The target no longer takes this file (case closed, record corrected, permission gone,
        # size limit lowered): nothing was stored; the upload ends with the reason.
        fail_upload(upload=upload, reason=_message(exc), sm3=sm3, sha256=sha256)
        raise
    return _refresh(upload)


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "；".join(str(m) for m in exc.messages)
    return str(exc)


# -- end states --------------------------------------------------------------------------------------
def _end(
    *,
    actor: Person | None,
    upload: Upload,
    state: str,
    action: str,
    error: str = "",
    extra: dict[str, Any] | None = None,
) -> Upload:
    with transaction.atomic():
        locked = Upload.objects.select_for_update().get(pk=upload.pk)
        if locked.state != UploadState.RECEIVING:
            return locked
        now = timezone.now()
        locked.state = state
        locked.error = error
        locked.finished_at = locked.updated_at = now
        locked.save(update_fields=["state", "error", "finished_at", "updated_at"])
        _event(actor=actor, action=action, upload=locked, **(extra or {}))
        transaction.on_commit(lambda: partials.remove_partial(upload.pk))
    return locked


def terminate_upload(*, actor: Person, upload: Upload) -> Upload:
    """tus DELETE: the owner cancels an unfinished upload; its bytes are deleted."""
    if upload.owner_id != actor.pk:
        raise PermissionDenied("只能取消本人的上传。")
    if upload.state == UploadState.COMPLETED:
        raise UploadError("该上传已完成并已入库，不能取消（证据原件不可删除）。")
    _raise_if_ended(upload)
    try:
        with partials.locked_partial(upload.pk):
            return _end(actor=actor, upload=upload, state=UploadState.TERMINATED, action="upload.terminate")
    except partials.PartialBusy:
        raise UploadBusy("该上传正在写入，请稍后再取消。") from None
    except FileNotFoundError:
        return _end(actor=actor, upload=upload, state=UploadState.TERMINATED, action="upload.terminate")


def fail_upload(*, upload: Upload, reason: str, sm3: str = "", sha256: str = "") -> Upload:
    """The upload cannot complete (digest mismatch, target no longer accepts it)."""
    return _end(
        actor=upload.owner,
        upload=upload,
        state=UploadState.FAILED,
        action="upload.fail",
        error=reason,
        extra={"reason": reason, "sm3": sm3, "sha256": sha256},
    )


def expire_if_due(*, upload: Upload) -> Upload:
    """Expire the upload now if it is past its Upload-Expires (unless a request is writing it)."""
    if not _is_due(upload):
        return upload
    try:
        with partials.locked_partial(upload.pk):
            return expire_upload(upload=upload)
    except partials.PartialBusy:
        return upload
    except FileNotFoundError:
        return expire_upload(upload=upload)


def expire_upload(*, upload: Upload) -> Upload:
    """A system action: the unfinished upload was idle past its Upload-Expires."""
    return _end(
        actor=None,
        upload=upload,
        state=UploadState.EXPIRED,
        action="upload.expire",
        extra={"expires_at": upload.expires_at},
    )


@dataclass
class CleanReport:
    expired: list[str] = field(default_factory=list)
    busy: list[str] = field(default_factory=list)
    orphan_files: list[str] = field(default_factory=list)


def clean_expired(*, now: datetime | None = None, log: Callable[[str], None] | None = None) -> CleanReport:
    """Expire every unfinished upload idle past its expiry and delete its bytes; also remove partial
    files that no unfinished upload owns (left by a crash between commit and file removal)."""
    now = now or timezone.now()
    report = CleanReport()
    due = Upload.objects.filter(state=UploadState.RECEIVING, expires_at__lte=now).select_related("owner")
    for upload in due.order_by("expires_at"):
        try:
            with partials.locked_partial(upload.pk):
                upload = _refresh(upload)  # a request may have extended it meanwhile
                if upload.state != UploadState.RECEIVING or upload.expires_at > now:
                    continue
                ended = expire_upload(upload=upload)
        except partials.PartialBusy:
            report.busy.append(str(upload.pk))
            continue
        except FileNotFoundError:
            ended = expire_upload(upload=upload)
        if ended.state != UploadState.EXPIRED:
            continue
        report.expired.append(str(upload.pk))
        if log:
            log(f"{upload.pk} {upload.filename} {upload.offset}/{upload.length}")
    live = {str(pk) for pk in Upload.objects.filter(state=UploadState.RECEIVING).values_list("pk", flat=True)}
    just_expired = set(report.expired)  # their files go when the expiry commits
    for path in sorted(partials.uploads_dir().glob("*.part")):
        if path.stem not in live and path.stem not in just_expired:
            path.unlink(missing_ok=True)
            report.orphan_files.append(path.name)
    return report


def describe(upload: Upload) -> dict[str, Any]:
    """The JSON status of an upload for its owner (the browser widget, API clients)."""
    return {
        "id": str(upload.pk),
        "state": upload.state,
        "state_label": UploadState(upload.state).label,
        "filename": upload.filename,
        "media_type": upload.media_type,
        "length": upload.length,
        "offset": upload.offset,
        "expires_at": upload.expires_at.isoformat() if upload.state == UploadState.RECEIVING else None,
        "sm3": upload.sm3 or None,
        "sha256": upload.sha256 or None,
        "record": upload.result_record_id or upload.record_id,
        "attachment": upload.attachment_id,
        "evidence_url": reverse("vault:evidence", kwargs={"pk": upload.attachment_id})
        if upload.attachment_id
        else None,
        "error": upload.error or None,
    }
