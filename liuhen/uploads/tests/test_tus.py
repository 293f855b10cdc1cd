"""tus 1.0 resumable upload over HTTP (issue #5 point 3) with the Django test client.

Covers AV-7 (upload from the field), AV-9 (the original is stored whole and verified, never
altered: digests checked at the end, duplicates stored once), AC-1 (only one's own uploads, only
to cases one may write) and ST-4-style ledger completeness: every state change of an upload is a
ledger entry written in the same transaction.
"""

from __future__ import annotations

import base64
import hashlib
import io
import itertools
import os
from collections.abc import Callable, Iterator
from datetime import timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from liuhen.cases.models import Case
from liuhen.conftest import Org, login
from liuhen.ledger.models import LedgerEntry
from liuhen.ledger.verify import verify
from liuhen.org.services import issue_api_token
from liuhen.records.models import Record, RecordAttachment
from liuhen.records.services import correct_record, create_record
from liuhen.uploads import partials, services
from liuhen.uploads.models import Upload, UploadState
from liuhen.vault.models import Blob

ENDPOINT = "/uploads/files/"
TUS = {"Tus-Resumable": "1.0.0"}
OCTET = "application/offset+octet-stream"


def b64(value: str) -> str:
    return base64.b64encode(value.encode("utf-8")).decode("ascii")


def metadata(**items: str) -> str:
    return ",".join(f"{key} {b64(value)}" for key, value in items.items())


def sm3(data: bytes) -> str:
    return "sm3:" + hashlib.new("sm3", data).hexdigest()


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@pytest.fixture
def commit(django_capture_on_commit_callbacks: Any) -> Callable[[], Any]:
    """Run on-commit hooks (vault settle, partial removal) as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture(autouse=True)
def _fresh_hash_states() -> Iterator[None]:
    partials._states.clear()
    yield
    partials._states.clear()


def _video_record(org: Org, case: Case, description: str = "现场录像") -> Record:
    return create_record(
        actor=org.officer_a1, case=case, record_type="video", data={"description": description}
    )


@pytest.fixture
def record(org: Org, case_a: Case) -> Record:
    return _video_record(org, case_a)


@pytest.fixture
def officer(client: Client, org: Org) -> Client:
    return login(client, org.officer_a1)


def create(client: Client, length: int, headers: dict[str, str] | None = None, **meta: str) -> Any:
    meta.setdefault("filename", "执法记录仪.mp4")
    meta.setdefault("filetype", "video/mp4")
    return client.post(
        ENDPOINT,
        data=b"",
        content_type="application/octet-stream",
        headers={**TUS, "Upload-Length": str(length), "Upload-Metadata": metadata(**meta), **(headers or {})},
    )


def patch(client: Client, url: str, offset: int, data: bytes, **headers: str) -> Any:
    return client.generic(
        "PATCH",
        url,
        data=data,
        content_type=headers.pop("content_type", OCTET),
        headers={**TUS, "Upload-Offset": str(offset), **headers},
    )


def head(client: Client, url: str) -> Any:
    return client.head(url, headers=TUS)


def _actions(upload_id: object) -> list[str]:
    return list(
        LedgerEntry.objects.filter(object_type="uploads.upload", object_id=str(upload_id))
        .order_by("seq")
        .values_list("action", flat=True)
    )


def _upload(response: Any) -> Upload:
    upload_id = response["Location"].rstrip("/").rsplit("/", 1)[1]
    return Upload.objects.get(pk=upload_id)


def test_options_advertises_version_extensions_and_max_size(client: Client, settings: Any) -> None:
    settings.LIUHEN_MAX_UPLOAD_BYTES = 12345
    response = client.options(ENDPOINT)
    assert response.status_code == 204
    assert response["Tus-Resumable"] == "1.0.0" and response["Tus-Version"] == "1.0.0"
    assert set(response["Tus-Extension"].split(",")) >= {"creation", "expiration", "termination", "checksum"}
    assert response["Tus-Max-Size"] == "12345"
    assert "sha1" in response["Tus-Checksum-Algorithm"].split(",")


def test_av_7_upload_in_chunks_resumes_with_head_and_attaches_to_the_record(
    officer: Client, org: Org, record: Record, commit: Callable[[], Any]
) -> None:
    data = os.urandom(3 * 1024 * 1024 + 17)
    response = create(officer, len(data), record=str(record.pk), caption="到达现场", sm3=sm3(data))
    assert response.status_code == 201, response.content.decode()
    url = response["Location"]
    assert url.startswith(ENDPOINT)
    assert parsedate_to_datetime(response["Upload-Expires"]) > timezone.now()
    assert head(officer, url)["Upload-Offset"] == "0"

    cuts = [0, 1024 * 1024, 2 * 1024 * 1024 + 5, len(data)]
    for start, end in itertools.pairwise(cuts):
        # HEAD tells the client where to resume (as it does after a dropped connection).
        offset = int(head(officer, url)["Upload-Offset"])
        assert offset == start
        with commit():
            response = patch(officer, url, offset, data[start:end])
        assert response.status_code == 204, response.content.decode()
        assert response["Upload-Offset"] == str(end)
    upload = Upload.objects.get(pk=_upload_id(url))
    assert upload.state == UploadState.COMPLETED
    assert (upload.sm3, upload.sha256) == (sm3(data), sha256(data))
    attachment = RecordAttachment.objects.get(record=record)
    assert attachment.filename == "执法记录仪.mp4" and attachment.caption == "到达现场"
    assert attachment.blob.sm3 == sm3(data) and attachment.blob.size == len(data)
    assert attachment.blob.media_type == "video/mp4"
    assert response["Liuhen-Evidence-URL"] == f"/evidence/{attachment.pk}/"
    assert head(officer, url)["Upload-Offset"] == str(len(data))  # a finished upload still answers
    status = officer.get(url).json()
    assert status["state"] == "completed" and status["evidence_url"] == f"/evidence/{attachment.pk}/"
    assert _actions(upload.pk) == ["upload.create", "upload.complete"]
    complete = LedgerEntry.objects.get(action="upload.complete")
    attach = LedgerEntry.objects.get(action="record.attach", object_id=str(attachment.pk))
    assert complete.seq == attach.seq + 1  # same transaction, in order
    assert not partials.partial_path(upload.pk).exists()  # the bytes now live only in the vault
    assert verify().ok


def _upload_id(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[1]


def test_resume_after_a_restart_rehashes_the_partial_from_disk(
    officer: Client, record: Record, commit: Callable[[], Any]
) -> None:
    data = os.urandom(2 * 1024 * 1024 + 3)
    url = create(officer, len(data), record=str(record.pk))["Location"]
    assert patch(officer, url, 0, data[:1_500_000]).status_code == 204
    partials._states.clear()  # the server restarted (or another worker took the next request)
    before = partials.rehash_count
    with commit():
        response = patch(officer, url, 1_500_000, data[1_500_000:])
    assert response.status_code == 204
    assert partials.rehash_count == before + 1
    assert Upload.objects.get(pk=_upload_id(url)).sm3 == sm3(data)
    assert Blob.objects.get().sm3 == sm3(data)
    assert verify().ok


def test_wrong_offset_is_409_and_changes_nothing(officer: Client, record: Record) -> None:
    url = create(officer, 100, record=str(record.pk))["Location"]
    assert patch(officer, url, 0, b"a" * 40).status_code == 204
    response = patch(officer, url, 10, b"b" * 10)
    assert response.status_code == 409
    assert "偏移量不一致" in response.json()["error"]["message"]
    assert head(officer, url)["Upload-Offset"] == "40"
    assert partials.partial_path(_upload_id(url)).read_bytes() == b"a" * 40


def test_termination_deletes_the_partial_and_is_in_the_ledger(
    officer: Client, record: Record, commit: Callable[[], Any]
) -> None:
    url = create(officer, 100, record=str(record.pk))["Location"]
    patch(officer, url, 0, b"x" * 30)
    path = partials.partial_path(_upload_id(url))
    assert path.exists()
    with commit():
        response = officer.delete(url, headers=TUS)
    assert response.status_code == 204
    assert not path.exists()
    assert head(officer, url).status_code == 410
    assert patch(officer, url, 30, b"y").status_code == 410
    upload = Upload.objects.get(pk=_upload_id(url))
    assert upload.state == UploadState.TERMINATED
    assert _actions(upload.pk) == ["upload.create", "upload.terminate"]
    assert not Blob.objects.exists() and not RecordAttachment.objects.exists()


def test_completed_upload_cannot_be_terminated(
    officer: Client, record: Record, commit: Callable[[], Any]
) -> None:
    url = create(officer, 3, record=str(record.pk))["Location"]
    with commit():
        patch(officer, url, 0, b"abc")
    response = officer.delete(url, headers=TUS)
    assert response.status_code == 400 and "不能取消" in response.json()["error"]["message"]


def test_expired_uploads_are_cleaned_by_function_and_cli(
    officer: Client, org: Org, record: Record, commit: Callable[[], Any], capsys: Any
) -> None:
    first = _upload_id(create(officer, 100, record=str(record.pk))["Location"])
    patch(officer, f"{ENDPOINT}{first}/", 0, b"z" * 10)
    second = _upload_id(create(officer, 100, record=str(record.pk))["Location"])
    finished = _upload_id(create(officer, 2, record=str(record.pk))["Location"])
    with commit():
        patch(officer, f"{ENDPOINT}{finished}/", 0, b"ok")
    assert services.clean_expired().expired == []  # nothing is due yet
    stray = partials.uploads_dir() / "not-an-upload.part"
    stray.write_bytes(b"left by a crash")
    later = timezone.now() + timedelta(hours=25)
    with commit():
        report = services.clean_expired(now=later)
    assert sorted(report.expired) == sorted([first, second])
    assert report.orphan_files == ["not-an-upload.part"]
    for upload_id in (first, second):
        upload = Upload.objects.get(pk=upload_id)
        assert upload.state == UploadState.EXPIRED
        assert not partials.partial_path(upload_id).exists()
        entry = LedgerEntry.objects.get(action="upload.expire", object_id=upload_id)
        assert entry.actor_label == "system"
    assert Upload.objects.get(pk=finished).state == UploadState.COMPLETED
    assert head(officer, f"{ENDPOINT}{first}/").status_code == 410
    assert not stray.exists()

    # The CLI subcommand runs the same function.
    from liuhen.cli import main

    third = _upload_id(create(officer, 5, record=str(record.pk))["Location"])
    Upload.objects.filter(pk=third).update(expires_at=timezone.now() - timedelta(seconds=1))
    with commit():
        assert main(["uploads", "--clean-expired"]) == 0
    assert "expired 1" in capsys.readouterr().out
    assert Upload.objects.get(pk=third).state == UploadState.EXPIRED
    assert verify().ok


def test_a_request_to_an_idle_upload_past_its_expiry_is_410(officer: Client, record: Record) -> None:
    url = create(officer, 10, record=str(record.pk))["Location"]
    Upload.objects.filter(pk=_upload_id(url)).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert patch(officer, url, 0, b"late").status_code == 410
    assert _actions(_upload_id(url)) == ["upload.create", "upload.expire"]


def test_over_the_size_limit_is_413_with_a_chinese_message(
    officer: Client, record: Record, settings: Any
) -> None:
    settings.LIUHEN_MAX_UPLOAD_BYTES = 1000
    response = create(officer, 1001, record=str(record.pk))
    assert response.status_code == 413
    message = response.json()["error"]["message"]
    assert "文件过大" in message and "上限" in message
    assert not Upload.objects.exists()
    # More bytes than declared is refused too, before anything is written.
    url = create(officer, 10, record=str(record.pk))["Location"]
    response = patch(officer, url, 0, b"0123456789AB")
    assert response.status_code == 413
    assert head(officer, url)["Upload-Offset"] == "0"


def test_other_people_cannot_touch_an_upload_or_upload_where_they_may_not_write(
    client: Client, org: Org, record: Record, case_b: Case
) -> None:
    login(client, org.officer_a1)
    url = create(client, 10, record=str(record.pk))["Location"]
    # Officer a2 handles the same case but the upload is a1's: it does not exist for a2.
    login(client, org.officer_a2)
    assert head(client, url).status_code == 404
    assert patch(client, url, 0, b"intruder!!").status_code == 404
    assert client.delete(url, headers=TUS).status_code == 404
    assert client.get(url).status_code == 404
    # a1 cannot even see case B's records (404), the auditor sees but may not write (403).
    other = _video_record_b(org, case_b)
    login(client, org.officer_a1)
    assert create(client, 10, record=str(other.pk)).status_code == 404
    assert create(client, 10, case=str(case_b.pk), record_type="video").status_code == 404
    login(client, org.auditor)
    response = create(client, 10, record=str(record.pk))
    assert response.status_code == 403 and "承办人员" in response.json()["error"]["message"]
    assert Upload.objects.count() == 1


def _video_record_b(org: Org, case: Case) -> Record:
    return create_record(
        actor=org.officer_b1, case=case, record_type="video", data={"description": "B 案录像"}
    )


def test_unauthenticated_is_401_bearer_token_works_and_session_needs_csrf(
    org: Org, record: Record, commit: Callable[[], Any]
) -> None:
    anonymous = Client()
    assert create(anonymous, 10, record=str(record.pk)).status_code == 401
    token = issue_api_token(actor=org.officer_a1, person=org.officer_a1, name="现场终端")
    api = Client(enforce_csrf_checks=True)
    bearer = {"Authorization": f"Bearer {token}"}
    response = create(api, 4, headers=bearer, record=str(record.pk))
    assert response.status_code == 201
    with commit():
        response = patch(api, response["Location"], 0, b"data", **bearer)
    assert response.status_code == 204 and response["Liuhen-Upload-State"] == "completed"
    assert (
        create(api, 4, headers={"Authorization": "Bearer lh_wrong"}, record=str(record.pk)).status_code == 401
    )
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(org.officer_a1)
    response = create(browser, 4, record=str(record.pk))
    assert response.status_code == 403 and response.json()["error"]["code"] == "csrf_failed"


def test_missing_tus_resumable_is_412_and_wrong_content_type_is_415(officer: Client, record: Record) -> None:
    response = officer.post(
        ENDPOINT,
        data=b"",
        content_type="application/octet-stream",
        headers={"Upload-Length": "3", "Upload-Metadata": metadata(filename="a.mp4", record=str(record.pk))},
    )
    assert response.status_code == 412 and response["Tus-Version"] == "1.0.0"
    url = create(officer, 3, record=str(record.pk))["Location"]
    assert patch(officer, url, 0, b"abc", content_type="application/octet-stream").status_code == 415


def test_corrupted_chunk_is_rejected_by_its_checksum_and_can_be_resent(
    officer: Client, record: Record, commit: Callable[[], Any]
) -> None:
    data = os.urandom(200_000)
    url = create(officer, len(data), record=str(record.pk))["Location"]
    assert patch(officer, url, 0, data[:100_000]).status_code == 204
    chunk = data[100_000:]
    good = "sha1 " + base64.b64encode(hashlib.sha1(chunk).digest()).decode()
    corrupted = bytearray(chunk)
    corrupted[5000] ^= 0xFF
    response = patch(officer, url, 100_000, bytes(corrupted), **{"Upload-Checksum": good})
    assert response.status_code == 460
    assert "校验失败" in response.json()["error"]["message"]
    assert head(officer, url)["Upload-Offset"] == "100000"  # nothing of the bad chunk was kept
    assert partials.partial_path(_upload_id(url)).stat().st_size == 100_000
    sm3_b64 = "sm3 " + base64.b64encode(hashlib.new("sm3", chunk).digest()).decode()
    with commit():
        response = patch(officer, url, 100_000, chunk, **{"Upload-Checksum": sm3_b64})
    assert response.status_code == 204
    assert Blob.objects.get().sm3 == sm3(data)  # the digest state was rolled back with the bytes
    other = create(officer, 1, record=str(record.pk))["Location"]
    response = patch(officer, other, 0, b"x", **{"Upload-Checksum": "crc32 AAAA"})
    assert response.status_code == 400 and "Upload-Checksum" in response.json()["error"]["message"]


def test_whole_file_digest_mismatch_fails_the_upload_and_stores_nothing(
    officer: Client, record: Record, commit: Callable[[], Any]
) -> None:
    data = os.urandom(50_000)
    url = create(officer, len(data), record=str(record.pk), sha256=sha256(data))["Location"]
    damaged = data[:-1] + bytes([data[-1] ^ 1])
    with commit():
        response = patch(officer, url, 0, damaged)
    assert response.status_code == 460
    assert "摘要不符" in response.json()["error"]["message"]
    upload = Upload.objects.get(pk=_upload_id(url))
    assert upload.state == UploadState.FAILED and "SHA-256" in upload.error
    assert _actions(upload.pk) == ["upload.create", "upload.fail"]
    assert not Blob.objects.exists() and not RecordAttachment.objects.exists()
    assert not partials.partial_path(upload.pk).exists()
    assert not any((partials.uploads_dir().parent / "blobs").rglob("*.*"))
    assert head(officer, url).status_code == 410


def test_zero_byte_file_completes_at_creation(
    officer: Client, record: Record, commit: Callable[[], Any]
) -> None:
    with commit():
        response = create(officer, 0, record=str(record.pk), filename="空文件.mp4")
    assert response.status_code == 201
    assert response["Upload-Offset"] == "0" and response["Liuhen-Upload-State"] == "completed"
    blob = Blob.objects.get()
    assert blob.size == 0 and blob.sm3 == sm3(b"") and blob.sha256 == sha256(b"")
    assert RecordAttachment.objects.get(record=record).filename == "空文件.mp4"
    assert head(officer, response["Location"])["Upload-Offset"] == "0"
    assert verify().ok


def test_duplicate_content_is_stored_once(
    officer: Client, org: Org, case_a: Case, record: Record, commit: Callable[[], Any]
) -> None:
    data = os.urandom(70_000)
    second_record = _video_record(org, case_a, "第二段录像")
    for target in (record, second_record):
        url = create(officer, len(data), record=str(target.pk))["Location"]
        with commit():
            assert patch(officer, url, 0, data).status_code == 204
    assert Blob.objects.count() == 1
    assert RecordAttachment.objects.filter(blob__sm3=sm3(data)).count() == 2
    blobs_dir = partials.uploads_dir().parent / "blobs"
    assert len([p for p in blobs_dir.rglob("*") if p.is_file()]) == 1
    assert list(partials.uploads_dir().iterdir()) == []
    assert verify().ok


def test_type_not_allowed_for_the_record_type_is_refused_at_creation(
    officer: Client, org: Org, case_a: Case
) -> None:
    photo = create_record(
        actor=org.officer_a1, case=case_a, record_type="photo", data={"description": "现场照片"}
    )
    response = create(officer, 10, record=str(photo.pk), filename="clip.mp4", filetype="video/mp4")
    assert response.status_code == 400
    message = response.json()["error"]["message"]
    assert "不是现场照片可接受的文件类型" in message and "image/" in message
    # Without a filetype the name decides.
    response = create(officer, 10, record=str(photo.pk), filename="clip.mp4", filetype="")
    assert response.status_code == 400
    assert create(officer, 10, record=str(photo.pk), filename="p.jpg", filetype="").status_code == 201


def test_field_upload_to_a_case_creates_a_media_record(
    officer: Client, org: Org, case_a: Case, commit: Callable[[], Any]
) -> None:
    data = b"RIFF" + os.urandom(1000)
    response = create(
        officer,
        len(data),
        case=str(case_a.pk),
        record_type="audio",
        filename="询问录音.wav",
        filetype="audio/wav",
        description="询问当事人录音",
    )
    assert response.status_code == 201, response.content.decode()
    with commit():
        response = patch(officer, response["Location"], 0, data)
    assert response.status_code == 204
    record = Record.objects.get(record_type="audio")
    assert record.case_id == case_a.pk and record.fields["description"] == "询问当事人录音"
    assert record.title == "询问录音.wav"
    assert record.attachments.get().blob.sm3 == sm3(data)
    # Text record types need their own form first.
    response = create(officer, 10, case=str(case_a.pk), record_type="inquiry")
    assert response.status_code == 400
    assert verify().ok


def test_a_record_corrected_meanwhile_fails_the_upload_without_a_half_record(
    officer: Client, org: Org, record: Record, commit: Callable[[], Any]
) -> None:
    url = create(officer, 4, record=str(record.pk))["Location"]
    correct_record(actor=org.officer_a1, record=record, data={"description": "更正后"}, reason="补充说明")
    with commit():
        response = patch(officer, url, 0, b"data")
    assert response.status_code == 400
    assert "更新版本" in response.json()["error"]["message"]
    assert Upload.objects.get(pk=_upload_id(url)).state == UploadState.FAILED
    assert not Blob.objects.exists() and not RecordAttachment.objects.exists()
    assert verify().ok


def test_a_crash_during_completion_leaves_no_orphan_and_head_finishes_later(
    org: Org, record: Record, monkeypatch: pytest.MonkeyPatch, commit: Callable[[], Any]
) -> None:
    data = os.urandom(10_000)
    upload = services.create_upload(actor=org.officer_a1, length=len(data), filename="a.mp4", record=record)
    real_event = services._event

    def failing_event(**kwargs: Any) -> None:
        if kwargs["action"] == "upload.complete":
            raise RuntimeError("database went away")
        real_event(**kwargs)

    monkeypatch.setattr(services, "_event", failing_event)
    with pytest.raises(RuntimeError), commit():
        services.receive_chunk(
            actor=org.officer_a1, upload=upload, offset=0, stream=io.BytesIO(data), content_length=len(data)
        )
    upload.refresh_from_db()
    assert upload.state == UploadState.RECEIVING and upload.offset == len(data)
    assert not Blob.objects.exists() and not RecordAttachment.objects.exists()
    blobs_dir = Path(partials.uploads_dir().parent / "blobs")
    assert [p for p in blobs_dir.rglob("*") if p.is_file()] == []  # the hard link was removed
    assert partials.partial_path(upload.pk).read_bytes() == data  # the bytes were kept
    monkeypatch.setattr(services, "_event", real_event)
    partials._states.clear()  # as after a restart
    client = login(Client(), org.officer_a1)
    with commit():
        response = head(client, f"{ENDPOINT}{upload.pk}/")
    assert response.status_code == 200 and response["Liuhen-Upload-State"] == "completed"
    assert Blob.objects.get().sm3 == sm3(data)
    assert verify().ok


def test_a_dropped_connection_keeps_what_arrived(org: Org, record: Record) -> None:
    upload = services.create_upload(actor=org.officer_a1, length=1000, filename="a.mp4", record=record)

    class Dropping:
        def __init__(self) -> None:
            self.sent = False

        def read(self, size: int = -1) -> bytes:
            if self.sent:
                raise OSError("connection reset by peer")
            self.sent = True
            return b"q" * 300

    result = services.receive_chunk(
        actor=org.officer_a1, upload=upload, offset=0, stream=Dropping(), content_length=1000
    )
    assert result.offset == 300 and result.state == UploadState.RECEIVING
    # With a chunk checksum an incomplete chunk cannot be verified: nothing of it is kept.
    digest = hashlib.sha1(b"r" * 700).digest()
    with pytest.raises(services.UploadError, match="不完整"):
        services.receive_chunk(
            actor=org.officer_a1,
            upload=result,
            offset=300,
            stream=Dropping(),
            content_length=700,
            checksum=("sha1", digest),
        )
    result.refresh_from_db()
    assert result.offset == 300
    assert partials.partial_path(upload.pk).stat().st_size == 300


def test_a_second_writer_gets_423(officer: Client, record: Record) -> None:
    url = create(officer, 10, record=str(record.pk))["Location"]
    with partials.locked_partial(_upload_id(url)):
        response = patch(officer, url, 0, b"0123")
        assert response.status_code == 423
        assert officer.delete(url, headers=TUS).status_code == 423
    assert patch(officer, url, 0, b"0123").status_code == 204


def test_metadata_parsing_rejects_bad_base64(officer: Client, record: Record) -> None:
    response = officer.post(
        ENDPOINT,
        data=b"",
        content_type="application/octet-stream",
        headers={**TUS, "Upload-Length": "3", "Upload-Metadata": "filename !!!notbase64"},
    )
    assert response.status_code == 400 and "base64" in response.json()["error"]["message"]
    response = officer.post(
        ENDPOINT, data=b"", content_type="application/octet-stream", headers={**TUS, "Upload-Length": "3"}
    )
    assert response.status_code == 400  # no filename, no target


def test_gunicorn_bodies_are_read_through_the_fast_reader() -> None:
    """Under gunicorn the PATCH body is read from its length-limited reader in large pieces; the
    bytes are the same as through Django's request (anything else falls back to the request)."""
    from django.test import RequestFactory
    from gunicorn.http.body import Body, LengthReader
    from gunicorn.http.unreader import IterUnreader

    from liuhen.uploads.views import _body_stream

    payload = os.urandom(300_000)
    pieces = [payload[i : i + 8192] for i in range(0, len(payload), 8192)]
    request = RequestFactory().generic("PATCH", "/uploads/files/x/", data=b"", content_type=OCTET)
    request.META["wsgi.input"] = Body(LengthReader(IterUnreader(pieces), len(payload)))
    stream = _body_stream(request)
    assert stream is not request
    received = b""
    while chunk := stream.read(100_000):
        received += chunk
    assert received == payload
    plain = RequestFactory().generic("PATCH", "/uploads/files/x/", data=b"abc", content_type=OCTET)
    assert _body_stream(plain) is plain
