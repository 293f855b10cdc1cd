"""Permission matrix of the API (issue #2 points 3, 11, 13; AC-1): an officer of another
department gets 404 on every case, record, attachment, blob and ledger path of a case they
cannot see — by token and by session — and nothing is written or ledgered on the way."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from liuhen.cases.models import Case
from liuhen.conftest import Org, login
from liuhen.ledger.models import LedgerEntry
from liuhen.org.services import issue_api_token
from liuhen.records.models import Record
from liuhen.records.services import FileInput, create_record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hasher(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass(frozen=True)
class Target:
    case: int
    record: int
    attachment: int
    sm3: str


# (method, URL template, JSON body or "upload" for a multipart file)
CASE_A_URLS: list[tuple[str, str, Any]] = [
    ("get", "/api/cases/{case}", None),
    ("post", "/api/cases/{case}/stage", {"to_stage": "investigation", "reason": "x"}),
    (
        "post",
        "/api/cases/{case}/parties",
        {"kind": "person", "name": "张三", "id_number": "11010519491231002X"},
    ),
    ("get", "/api/cases/{case}/records", None),
    ("post", "/api/cases/{case}/records", {"record_type": "photo", "data": {"description": "x"}}),
    ("get", "/api/records/{record}", None),
    ("post", "/api/records/{record}/versions", {"data": {"description": "y"}, "reason": "更正"}),
    ("post", "/api/records/{record}/signers", {"role": "witness", "name": "赵六"}),
    ("post", "/api/records/{record}/attachments", "upload"),
    ("get", "/api/attachments/{attachment}/content", None),
    ("get", "/api/blobs/{sm3}", None),
    ("get", "/api/ledger?case={case}", None),
]


@pytest.fixture
def target(org: Org, case_a: Case) -> Target:
    record = create_record(
        actor=org.officer_a1,
        case=case_a,
        record_type="photo",
        data={"description": "现场照片"},
        files=[FileInput(source=io.BytesIO(b"evidence of case a" * 100), filename="a.jpg")],
    )
    attachment = record.attachments.select_related("blob").get()
    return Target(case=case_a.pk, record=record.pk, attachment=attachment.pk, sm3=attachment.blob.sm3)


def call(
    client: Client,
    method: str,
    template: str,
    body: Any,
    target: Target,
    headers: dict[str, str] | None = None,
) -> Any:
    url = template.format(
        case=target.case, record=target.record, attachment=target.attachment, sm3=target.sm3
    )
    if method == "get":
        return client.get(url, headers=headers)
    if body == "upload":
        return client.post(url, {"files": [SimpleUploadedFile("x.jpg", b"x", "image/jpeg")]}, headers=headers)
    return client.post(url, body, content_type="application/json", headers=headers)


@pytest.mark.parametrize("auth", ["session", "token"])
@pytest.mark.parametrize(("method", "template", "body"), CASE_A_URLS)
def test_other_department_gets_404(
    client: Client, org: Org, target: Target, auth: str, method: str, template: str, body: Any
) -> None:
    headers: dict[str, str] = {}
    if auth == "session":
        login(client, org.officer_b1)
    else:
        token = issue_api_token(actor=org.officer_b1, person=org.officer_b1, name="脚本")
        headers["Authorization"] = f"Bearer {token}"
    ledger_before = LedgerEntry.objects.count()
    records_before = Record.objects.count()

    response = call(client, method, template, body, target, headers)

    assert response.status_code == 404, (template, response.content)
    error = response.json()["error"]
    assert error["code"] == "not_found"
    assert "无权" in error["message"] or "不存在" in error["message"]
    assert LedgerEntry.objects.count() == ledger_before
    assert Record.objects.count() == records_before


@pytest.mark.parametrize(("method", "template", "body"), CASE_A_URLS)
def test_handler_reaches_every_path(
    client: Client, org: Org, target: Target, method: str, template: str, body: Any
) -> None:
    """The same list succeeds for a handler of the case, so the 404s above are about scope."""
    login(client, org.officer_a1)
    response = call(client, method, template, body, target)
    assert response.status_code in (200, 201), (template, response.content)


@pytest.mark.parametrize(("method", "template", "body"), CASE_A_URLS)
def test_anonymous_gets_401(
    client: Client, org: Org, target: Target, method: str, template: str, body: Any
) -> None:
    response = call(client, method, template, body, target)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_case_a_is_absent_from_other_departments_lists(
    client: Client, org: Org, target: Target, case_b: Case
) -> None:
    login(client, org.officer_b1)
    assert [c["id"] for c in client.get("/api/cases").json()["items"]] == [case_b.pk]
    assert client.get("/api/cases", {"q": "串换"}).json()["count"] == 0
    ledger = client.get("/api/ledger", {"limit": 1000}).json()["items"]
    assert target.case not in {e["case_id"] for e in ledger}
    by_object = client.get("/api/ledger", {"object_type": "records.record", "object_id": str(target.record)})
    assert by_object.json()["items"] == []
