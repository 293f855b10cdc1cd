"""Evidence page and download: digests shown equal hashlib's SM3/SHA-256, HTTP Range (206/416),
downloads are ledger events, and the page lists the object's ledger trail (issue #2 points 6, 7, 10)."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.test import Client
from django.urls import reverse

from liuhen.cases.models import Case
from liuhen.conftest import Org, login
from liuhen.ledger.models import LedgerEntry
from liuhen.records.models import RecordAttachment
from liuhen.records.services import FileInput, create_record
from liuhen.vault.views import RangeNotSatisfiable, parse_range

pytestmark = pytest.mark.django_db

CONTENT = bytes(range(256)) * 64 + b"tail"


@pytest.fixture(autouse=True)
def _fast_hasher(settings: object) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


@pytest.fixture
def attachment(org: Org, case_a: Case) -> RecordAttachment:
    record = create_record(
        actor=org.officer_a1,
        case=case_a,
        record_type="video",
        data={"description": "现场执法录像"},
        files=[FileInput(source=io.BytesIO(CONTENT), filename="现场.mp4", media_type="video/mp4")],
    )
    return record.attachments.get()


def _body(response: object) -> bytes:
    return b"".join(response.streaming_content)  # type: ignore[attr-defined]


def test_evidence_page_shows_digests_equal_to_hashlib(
    client: Client, org: Org, attachment: RecordAttachment
) -> None:
    login(client, org.officer_a2)
    response = client.get(reverse("vault:evidence", args=[attachment.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    sm3 = hashlib.new("sm3", CONTENT).hexdigest()
    sha256 = hashlib.sha256(CONTENT).hexdigest()
    assert f'data-testid="sm3">{sm3}</code>' in text
    assert f'data-testid="sha256">{sha256}</code>' in text
    assert "现场.mp4" in text and "video/mp4" in text and f">{len(CONTENT)}<" in text
    assert "<video controls" in text and reverse("vault:download", args=[attachment.pk]) in text


def test_evidence_page_lists_the_ledger_trail(client: Client, org: Org, attachment: RecordAttachment) -> None:
    login(client, org.officer_a1)
    client.get(reverse("records:detail", args=[attachment.record_id]))
    client.get(reverse("vault:download", args=[attachment.pk]))
    response = client.get(reverse("vault:evidence", args=[attachment.pk]))
    actions = [entry.action for entry, _label in response.context["trail"]]
    assert actions[:3] == ["record.create", "blob.ingest", "record.attach"]
    assert "record.view" in actions and "blob.download" in actions
    text = response.content.decode()
    for label in ("文件入库", "添加附件", "查看记录", "下载/播放"):
        assert label in text
    seqs = [entry.seq for entry, _label in response.context["trail"]]
    assert seqs == sorted(seqs)


def test_download_whole_file_is_logged(client: Client, org: Org, attachment: RecordAttachment) -> None:
    login(client, org.officer_a2)
    response = client.get(reverse("vault:download", args=[attachment.pk]))
    assert response.status_code == 200
    assert _body(response) == CONTENT
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Length"] == str(len(CONTENT))
    assert response["Content-Disposition"].startswith("attachment")
    entry = LedgerEntry.objects.filter(action="blob.download").last()
    assert entry is not None and entry.actor_id == org.officer_a2.pk
    assert entry.object_id == str(attachment.blob_id) and entry.case_id == attachment.record.case_id


def test_range_download_returns_206_with_the_right_bytes(
    client: Client, org: Org, attachment: RecordAttachment
) -> None:
    login(client, org.officer_a1)
    url = reverse("vault:download", args=[attachment.pk])
    response = client.get(url, headers={"Range": "bytes=100-199"})
    assert response.status_code == 206
    assert _body(response) == CONTENT[100:200]
    assert response["Content-Range"] == f"bytes 100-199/{len(CONTENT)}"
    assert response["Content-Length"] == "100"
    open_ended = client.get(url, headers={"Range": f"bytes={len(CONTENT) - 4}-"})
    assert open_ended.status_code == 206 and _body(open_ended) == b"tail"
    suffix = client.get(url + "?inline=1", headers={"Range": "bytes=-10"})
    assert suffix.status_code == 206 and _body(suffix) == CONTENT[-10:]
    assert suffix["Content-Disposition"].startswith("inline")
    beyond = client.get(url, headers={"Range": f"bytes={len(CONTENT)}-"})
    assert beyond.status_code == 416 and beyond["Content-Range"] == f"bytes */{len(CONTENT)}"
    entry = LedgerEntry.objects.filter(action="blob.download").last()
    assert entry is not None and '"range":"bytes=-10"' in entry.payload


def test_parse_range() -> None:
    assert parse_range("", 10) is None
    assert parse_range("bytes=0-0", 10) == (0, 0)
    assert parse_range("bytes=2-100", 10) == (2, 9)
    assert parse_range("bytes=-3", 10) == (7, 9)
    assert parse_range("bytes=-30", 10) == (0, 9)
    assert parse_range("bytes=5-2", 10) is None
    assert parse_range("bytes=0-1,3-4", 10) is None
    assert parse_range("items=0-1", 10) is None
    with pytest.raises(RangeNotSatisfiable):
        parse_range("bytes=10-", 10)
    with pytest.raises(RangeNotSatisfiable):
        parse_range("bytes=-0", 10)


def test_scriptable_image_is_never_served_inline(client: Client, org: Org, case_a: Case) -> None:
    """An SVG is an image (a photo record accepts it) but can carry script: download only."""
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'
    record = create_record(
        actor=org.officer_a1,
        case=case_a,
        record_type="photo",
        data={"description": "现场照片"},
        files=[FileInput(source=io.BytesIO(svg), filename="x.svg", media_type="image/svg+xml")],
    )
    login(client, org.officer_a1)
    response = client.get(reverse("vault:download", args=[record.attachments.get().pk]) + "?inline=1")
    assert response["Content-Disposition"].startswith("attachment")
    assert "sandbox" in response["Content-Security-Policy"]
