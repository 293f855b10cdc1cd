"""API authentication (bearer token and session + CSRF) and the token endpoints (issue #2 point 11)."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from liuhen.conftest import PASSWORD, Org, login
from liuhen.core.canonical import tagged
from liuhen.ledger.models import LedgerEntry
from liuhen.org.models import ApiToken
from liuhen.org.services import issue_api_token, revoke_api_token

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hasher(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error["message"]), error["message"]
    assert isinstance(error["fields"], dict)
    return error


def test_no_credentials_is_401_json(client: Client, org: Org) -> None:
    assert_error(client.get("/api/cases"), 401, "unauthenticated")


def test_token_auth_and_revocation(client: Client, org: Org) -> None:
    token = issue_api_token(actor=org.officer_a1, person=org.officer_a1, name="脚本")
    me = client.get("/api/me", headers=bearer(token))
    assert me.status_code == 200
    assert me.json()["username"] == "a1"
    assert me.json()["authenticated_by"] == "token"
    api_token = ApiToken.objects.get(token_digest=tagged("sm3", token.encode()))
    revoke_api_token(actor=org.officer_a1, api_token=api_token)
    assert_error(client.get("/api/me", headers=bearer(token)), 401, "unauthenticated")


def test_unknown_token_is_401_even_with_a_session(client: Client, org: Org) -> None:
    login(client, org.officer_a1)
    assert_error(client.get("/api/me", headers=bearer("lh_not-a-token")), 401, "unauthenticated")


def test_token_of_inactive_person_is_refused(client: Client, org: Org) -> None:
    token = issue_api_token(actor=org.officer_a1, person=org.officer_a1, name="脚本")
    type(org.officer_a1).objects.filter(pk=org.officer_a1.pk).update(is_active=False)
    assert_error(client.get("/api/me", headers=bearer(token)), 401, "unauthenticated")


def test_session_auth(client: Client, org: Org) -> None:
    assert client.login(username="a2", password=PASSWORD)
    me = client.get("/api/me")
    assert me.status_code == 200
    assert me.json()["full_name"] == "王芳"
    assert me.json()["authenticated_by"] == "session"


def test_session_writes_need_csrf_token_bearer_writes_do_not(org: Org) -> None:
    client = Client(enforce_csrf_checks=True)
    login(client, org.officer_a1)
    payload = {"name": "浏览器"}
    refused = client.post("/api/tokens", payload, content_type="application/json")
    assert_error(refused, 403, "csrf_failed")
    assert not ApiToken.objects.exists()

    csrf = "a" * 32
    client.cookies[settings.CSRF_COOKIE_NAME] = csrf
    accepted = client.post("/api/tokens", payload, content_type="application/json", HTTP_X_CSRFTOKEN=csrf)
    assert accepted.status_code == 201, accepted.content

    token = accepted.json()["token"]
    token_client = Client(enforce_csrf_checks=True)
    again = token_client.post(
        "/api/tokens", {"name": "脚本"}, content_type="application/json", headers=bearer(token)
    )
    assert again.status_code == 201, again.content


def test_issue_list_and_revoke_own_token(client: Client, org: Org) -> None:
    login(client, org.officer_b1)
    issued = client.post("/api/tokens", {"name": "数据对接"}, content_type="application/json")
    assert issued.status_code == 201
    body = issued.json()
    token = body["token"]
    assert token.startswith("lh_")
    stored = ApiToken.objects.get(pk=body["id"])
    assert stored.token_digest == tagged("sm3", token.encode())
    assert token not in stored.token_digest
    assert LedgerEntry.objects.filter(action="api_token.issue", object_id=str(stored.pk)).exists()

    listing = client.get("/api/tokens").json()
    assert [t["id"] for t in listing] == [stored.pk]
    assert "token" not in listing[0]

    assert client.delete(f"/api/tokens/{stored.pk}").status_code == 204
    assert_error(Client().get("/api/me", headers=bearer(token)), 401, "unauthenticated")
    assert LedgerEntry.objects.filter(action="api_token.revoke", object_id=str(stored.pk)).count() == 1
    # Revoking again is a no-op, not a second ledger entry.
    assert client.delete(f"/api/tokens/{stored.pk}").status_code == 204
    assert LedgerEntry.objects.filter(action="api_token.revoke", object_id=str(stored.pk)).count() == 1


def test_cannot_revoke_someone_elses_token(client: Client, org: Org) -> None:
    issue_api_token(actor=org.officer_a1, person=org.officer_a1, name="脚本")
    other = ApiToken.objects.get()
    login(client, org.officer_b1)
    assert_error(client.delete(f"/api/tokens/{other.pk}"), 404, "not_found")
    other.refresh_from_db()
    assert other.revoked_at is None
    login(client, org.sysadmin)
    assert client.delete(f"/api/tokens/{other.pk}").status_code == 204


def test_empty_token_name_is_a_chinese_validation_error(client: Client, org: Org) -> None:
    login(client, org.officer_a1)
    error = assert_error(
        client.post("/api/tokens", {"name": " "}, content_type="application/json"), 400, "validation_error"
    )
    assert error["fields"]["name"] == ["请填写令牌名称（如用途或客户端名）。"]
    error = assert_error(
        client.post("/api/tokens", {}, content_type="application/json"), 422, "invalid_request"
    )
    assert error["fields"] == {"name": ["此项为必填项。"]}


def test_openapi_document(client: Client, org: Org) -> None:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["openapi"].startswith("3.")
    expected = {
        "/api/cases",
        "/api/cases/{case_id}",
        "/api/cases/{case_id}/stage",
        "/api/cases/{case_id}/parties",
        "/api/cases/{case_id}/records",
        "/api/records/{record_id}",
        "/api/records/{record_id}/versions",
        "/api/records/{record_id}/signers",
        "/api/records/{record_id}/attachments",
        "/api/record-types",
        "/api/attachments/{attachment_id}/content",
        "/api/blobs/{digest}",
        "/api/ledger",
        "/api/ledger/checkpoints/latest",
        "/api/tokens",
        "/api/tokens/{token_id}",
    }
    assert expected <= set(doc["paths"])
    schemes = doc["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}
    upload = doc["paths"]["/api/records/{record_id}/attachments"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    assert "413" in upload["responses"]
    error_schema = doc["paths"]["/api/cases"]["get"]["responses"]["404"]["content"]["application/json"][
        "schema"
    ]
    assert error_schema["$ref"].endswith("/ErrorOut")


def test_unknown_api_path_is_a_json_404(client: Client, org: Org) -> None:
    assert_error(client.get("/api/no-such-thing"), 404, "not_found")
    login(client, org.officer_a1)
    assert_error(client.post("/api/cases/1/nope", {}, content_type="application/json"), 404, "not_found")
    assert client.get("/api/openapi.json").status_code == 200
