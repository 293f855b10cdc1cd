"""Evidence download and blob metadata through the API: digests in headers, ledgered reads,
and a blob found only through an attachment the caller may see."""

from __future__ import annotations

import base64
import hashlib
import io
from typing import Any

import pytest
from django.test import Client

from liuhen.cases.models import Case
from liuhen.conftest import Org, login
from liuhen.ledger.models import LedgerEntry
from liuhen.records.models import Record, RecordAttachment
from liuhen.records.services import FileInput, create_record
from liuhen.vault.services import get_storage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hasher(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


CONTENT = b"\x89PNG fake image " * 1000


def record_with_file(case: Case, author: Any, content: bytes = CONTENT, name: str = "p.png") -> Record:
    return create_record(
        actor=author,
        case=case,
        record_type="photo",
        data={"description": "现场照片"},
        files=[FileInput(source=io.BytesIO(content), filename=name)],
    )


def test_download_headers_and_ledger(client: Client, org: Org, case_a: Case) -> None:
    record = record_with_file(case_a, org.officer_a1)
    attachment = record.attachments.get()
    login(client, org.officer_a2)
    response = client.get(f"/api/attachments/{attachment.pk}/content")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == CONTENT  # type: ignore[attr-defined]
    sha = hashlib.sha256(CONTENT).digest()
    assert response["Digest"] == "SHA-256=" + base64.b64encode(sha).decode()
    assert response["Repr-Digest"] == f"sha-256=:{base64.b64encode(sha).decode()}:"
    assert response["X-Content-SM3"] == hashlib.new("sm3", CONTENT).hexdigest()
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, no-store"
    entry = LedgerEntry.objects.filter(action="blob.download").get()
    assert (entry.actor_id, entry.case_id, entry.object_id) == (
        org.officer_a2.pk,
        case_a.pk,
        str(attachment.blob_id),
    )


def test_missing_blob_file_is_404_not_a_crash(client: Client, org: Org, case_a: Case) -> None:
    record = record_with_file(case_a, org.officer_a1)
    attachment = record.attachments.select_related("blob").get()
    storage = get_storage()
    storage.path(attachment.blob.storage_key).unlink()  # type: ignore[attr-defined]
    login(client, org.officer_a1)
    response = client.get(f"/api/attachments/{attachment.pk}/content")
    assert response.status_code == 404
    assert "verify" in response.json()["error"]["message"]
    assert not LedgerEntry.objects.filter(action="blob.download").exists()


def test_blob_metadata_lists_only_visible_attachments(
    client: Client, org: Org, case_a: Case, case_b: Case
) -> None:
    in_a = record_with_file(case_a, org.officer_a1).attachments.get()
    in_b = record_with_file(case_b, org.officer_b1, name="same.png").attachments.get()
    assert in_a.blob_id == in_b.blob_id  # stored once
    sm3 = in_a.blob.sm3

    login(client, org.officer_b1)
    meta = client.get(f"/api/blobs/{sm3}").json()
    assert [a["id"] for a in meta["attachments"]] == [in_b.pk]
    assert meta["sha256"] == "sha256:" + hashlib.sha256(CONTENT).hexdigest()

    login(client, org.auditor)
    assert {a["id"] for a in client.get(f"/api/blobs/{sm3}").json()["attachments"]} == {in_a.pk, in_b.pk}

    login(client, org.sysadmin)  # sees no case, so no blob
    assert client.get(f"/api/blobs/{sm3}").status_code == 404


def test_unknown_blob_and_attachment_are_404(client: Client, org: Org) -> None:
    login(client, org.auditor)
    for url in ("/api/blobs/" + "0" * 64, "/api/blobs/not-hex", "/api/attachments/424242/content"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json()["error"]["code"] == "not_found"
    assert not RecordAttachment.objects.exists()
