"""Record endpoints of the JSON API: catalogue, create with schema validation, view (ledgered),
versions, signers and uploads (issue #2 points 5, 11)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from liuhen.cases.models import Case
from liuhen.conftest import Org, login
from liuhen.ledger.models import LedgerEntry
from liuhen.org.models import Role
from liuhen.org.services import create_person
from liuhen.records.catalogue import catalogue
from liuhen.records.models import Record, RecordAttachment
from liuhen.vault.models import Blob

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hasher(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def post(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data, content_type="application/json")


def photo(client: Client, case: Case, **extra: Any) -> dict[str, Any]:
    payload = {"record_type": "photo", "data": {"description": "药房货架全景"}, **extra}
    response = post(client, f"/api/cases/{case.pk}/records", payload)
    assert response.status_code == 201, response.content
    body: dict[str, Any] = response.json()
    return body


def vault_files(root: Path) -> list[Path]:
    return [p for p in (root / "blobs").rglob("*") if p.is_file()] if (root / "blobs").exists() else []


def test_record_types_lists_the_catalogue(client: Client, org: Org) -> None:
    login(client, org.officer_a1)
    types = client.get("/api/record-types").json()
    assert [t["code"] for t in types] == [t.code for t in catalogue()]
    site = next(t for t in types if t["code"] == "site_inspection")
    assert site["name"] == "现场笔录"
    assert site["stage"] == "investigation"
    place = next(f for f in site["fields"] if f["name"] == "place")
    assert place["required"] is True


def test_create_view_and_list(client: Client, org: Org, case_a: Case) -> None:
    login(client, org.officer_a1)
    signer = {"role": "officer", "name": org.officer_a1.full_name, "person_id": org.officer_a1.pk}
    created = photo(client, case_a, signers=[signer], title="货架照片")
    assert created["title"] == "货架照片"
    assert created["record_type_name"] == "现场照片"
    assert created["data"]["description"] == "药房货架全景"
    assert created["signers"][0]["person_id"] == org.officer_a1.pk
    assert created["version"] == 1
    assert created["is_current"] is True

    listing = client.get(f"/api/cases/{case_a.pk}/records").json()
    assert [r["id"] for r in listing] == [created["id"]]

    views_before = LedgerEntry.objects.filter(action="record.view", object_id=str(created["id"])).count()
    detail = client.get(f"/api/records/{created['id']}")
    assert detail.status_code == 200
    views = LedgerEntry.objects.filter(action="record.view", object_id=str(created["id"]))
    assert views.count() == views_before + 1
    assert views.last().actor_id == org.officer_a1.pk  # type: ignore[union-attr]


def test_record_data_is_validated_against_the_type_schema(client: Client, org: Org, case_a: Case) -> None:
    login(client, org.officer_a1)
    response = post(
        client, f"/api/cases/{case_a.pk}/records", {"record_type": "site_inspection", "data": {"place": ""}}
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["fields"]["place"] == ["此项为必填项。"]
    assert "started_at" in error["fields"]
    assert not Record.objects.exists()

    unknown = post(client, f"/api/cases/{case_a.pk}/records", {"record_type": "nope", "data": {}})
    assert unknown.status_code == 400
    assert unknown.json()["error"]["fields"]["record_type"] == ["未知的记录类型：nope"]

    bad_level = post(
        client,
        f"/api/cases/{case_a.pk}/records",
        {"record_type": "photo", "data": {"description": "x"}, "confidentiality": "top"},
    )
    assert bad_level.json()["error"]["fields"] == {"confidentiality": ["密级无效。"]}


def test_non_handler_may_read_but_not_record(client: Client, org: Org, case_a: Case) -> None:
    login(client, org.legal_reviewer)
    response = post(
        client, f"/api/cases/{case_a.pk}/records", {"record_type": "photo", "data": {"description": "x"}}
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_correction_makes_a_new_version(client: Client, org: Org, case_a: Case) -> None:
    login(client, org.officer_a1)
    first = photo(client, case_a)
    missing_reason = post(
        client, f"/api/records/{first['id']}/versions", {"data": {"description": "改"}, "reason": ""}
    )
    assert missing_reason.status_code == 400
    assert missing_reason.json()["error"]["fields"] == {"correction_reason": ["请填写更正理由。"]}

    second = post(
        client,
        f"/api/records/{first['id']}/versions",
        {"data": {"description": "药房货架近景"}, "reason": "描述有误"},
    )
    assert second.status_code == 201, second.content
    body = second.json()
    assert (body["version"], body["supersedes_id"], body["correction_reason"]) == (2, first["id"], "描述有误")
    assert [v["version"] for v in body["versions"]] == [1, 2]

    old = client.get(f"/api/records/{first['id']}").json()
    assert old["data"]["description"] == "药房货架全景"
    assert old["is_current"] is False
    assert [r["id"] for r in client.get(f"/api/cases/{case_a.pk}/records").json()] == [body["id"]]
    assert len(client.get(f"/api/cases/{case_a.pk}/records", {"all_versions": "true"}).json()) == 2

    again = post(
        client, f"/api/records/{first['id']}/versions", {"data": {"description": "x"}, "reason": "再改"}
    )
    assert again.status_code == 400


def test_add_signer(client: Client, org: Org, case_a: Case) -> None:
    login(client, org.officer_a2)
    record = photo(client, case_a)
    response = post(
        client, f"/api/records/{record['id']}/signers", {"role": "witness", "name": "赵六", "note": "店员"}
    )
    assert response.status_code == 201, response.content
    assert response.json()["role"] == "witness"
    bad = post(client, f"/api/records/{record['id']}/signers", {"role": "king", "name": "赵六"})
    assert bad.status_code == 400
    assert "signers" in bad.json()["error"]["fields"]
    outsider = post(
        client, f"/api/records/{record['id']}/signers", {"role": "officer", "name": "x", "person_id": 999999}
    )
    assert outsider.status_code == 400


def test_upload_and_download_round_trip(client: Client, org: Org, case_a: Case) -> None:
    login(client, org.officer_a1)
    record = photo(client, case_a)
    content = bytes(range(256)) * 4099  # ~1 MiB, not a multiple of any chunk size
    upload = client.post(
        f"/api/records/{record['id']}/attachments",
        {"files": [SimpleUploadedFile("现场.jpg", content, "image/jpeg")], "caption": "货架"},
    )
    assert upload.status_code == 201, upload.content
    (attachment,) = upload.json()
    sm3_hex = hashlib.new("sm3", content).hexdigest()
    sha_hex = hashlib.sha256(content).hexdigest()
    assert attachment["sm3"] == f"sm3:{sm3_hex}"
    assert attachment["sha256"] == f"sha256:{sha_hex}"
    assert (attachment["size"], attachment["filename"], attachment["caption"]) == (
        len(content),
        "现场.jpg",
        "货架",
    )
    assert attachment["media_type"] == "image/jpeg"

    download = client.get(attachment["content_url"])
    assert download.status_code == 200
    body = b"".join(download.streaming_content)  # type: ignore[attr-defined]
    assert body == content
    assert hashlib.new("sm3", body).hexdigest() == download["X-Content-SM3"] == sm3_hex
    assert download["X-Content-SHA256"] == sha_hex
    assert download["Repr-Digest"].startswith("sha-256=:")
    assert download["Content-Length"] == str(len(content))
    assert "attachment" in download["Content-Disposition"]
    blob = Blob.objects.get(sm3=f"sm3:{sm3_hex}")
    assert (
        LedgerEntry.objects.filter(
            action="blob.download", object_id=str(blob.pk), actor_id=org.officer_a1.pk
        ).count()
        == 1
    )

    meta = client.get(f"/api/blobs/{sm3_hex}").json()
    assert meta["size"] == len(content)
    assert [a["id"] for a in meta["attachments"]] == [attachment["id"]]
    assert client.get(f"/api/blobs/sm3:{sm3_hex}").status_code == 200

    detail = client.get(f"/api/records/{record['id']}").json()
    assert [a["id"] for a in detail["attachments"]] == [attachment["id"]]


def test_upload_of_several_files_is_all_or_nothing(
    client: Client, org: Org, case_a: Case, settings: Any
) -> None:
    login(client, org.officer_a1)
    record = photo(client, case_a)
    settings.LIUHEN_MAX_UPLOAD_BYTES = 1000
    response = client.post(
        f"/api/records/{record['id']}/attachments",
        {
            "files": [
                SimpleUploadedFile("a.jpg", b"a" * 500, "image/jpeg"),
                SimpleUploadedFile("b.jpg", b"b" * 5000, "image/jpeg"),
            ]
        },
    )
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "too_large"
    assert "1000" in error["message"]
    assert not RecordAttachment.objects.exists()
    assert not Blob.objects.exists()
    assert vault_files(Path(settings.LIUHEN_VAULT_DIR)) == []
    assert not LedgerEntry.objects.filter(action__in=["blob.ingest", "record.attach"]).exists()


def test_upload_needs_files_and_a_current_version(client: Client, org: Org, case_a: Case) -> None:
    login(client, org.officer_a1)
    record = photo(client, case_a)
    missing = client.post(f"/api/records/{record['id']}/attachments", {"caption": "x"})
    assert missing.status_code == 422
    assert "files" in missing.json()["error"]["fields"]
    post(client, f"/api/records/{record['id']}/versions", {"data": {"description": "新"}, "reason": "更正"})
    old = client.post(
        f"/api/records/{record['id']}/attachments",
        {"files": [SimpleUploadedFile("a.jpg", b"x", "image/jpeg")]},
    )
    assert old.status_code == 400
    assert "更新版本" in old.json()["error"]["message"]


def test_confidential_record_hidden_from_non_handler_colleague(
    client: Client, org: Org, case_a: Case
) -> None:
    """AC-3: a colleague of the same department sees the case but not a commercial secret."""
    colleague = create_person(
        actor=None,
        username="a3",
        full_name="孙丽",
        password="x" * 12,
        agency=org.agency,
        department=org.dept_a,
        roles=[Role.OFFICER],
        certificate_no="64000000000009",
    )
    login(client, org.officer_a1)
    normal = photo(client, case_a)
    secret = photo(client, case_a, confidentiality="commercial_secret")
    upload = client.post(
        f"/api/records/{secret['id']}/attachments",
        {"files": [SimpleUploadedFile("s.jpg", b"secret", "image/jpeg")]},
    )
    (attachment,) = upload.json()

    login(client, colleague)
    assert client.get(f"/api/cases/{case_a.pk}").status_code == 200
    assert [r["id"] for r in client.get(f"/api/cases/{case_a.pk}/records").json()] == [normal["id"]]
    assert client.get(f"/api/records/{secret['id']}").status_code == 404
    assert client.get(attachment["content_url"]).status_code == 404
    assert client.get(f"/api/blobs/{attachment['sm3']}").status_code == 404

    login(client, org.head_a)
    assert client.get(f"/api/records/{secret['id']}").status_code == 200
    assert client.get(attachment["content_url"]).status_code == 200
