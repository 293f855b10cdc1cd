"""Case endpoints of the JSON API: list/search, open, detail, stage changes, parties."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from liuhen.cases.models import Case, Stage
from liuhen.conftest import SAMPLE_RESIDENT_ID, SAMPLE_USCC, Org, login, make_case
from liuhen.ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hasher(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def post(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data, content_type="application/json")


def case_payload(org: Org, **overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "title": "某医院涉嫌分解住院案",
        "case_type": "penalty",
        "procedure": "general",
        "source": "complaint",
        "summary": "群众举报。",
        "handler_ids": [org.officer_a1.pk, org.officer_a2.pk],
        "parties": [{"kind": "organisation", "name": "测试县人民医院", "uscc": SAMPLE_USCC}],
    }
    payload.update(overrides)
    return payload


def test_open_case_then_read_it(client: Client, org: Org) -> None:
    login(client, org.officer_a1)
    response = post(client, "/api/cases", case_payload(org))
    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get(pk=body["id"])
    assert body["number"] == case.number
    assert body["department_id"] == org.dept_a.pk
    assert body["stage"] == Stage.INITIATION
    assert [h["person_id"] for h in body["handlers"]] == [org.officer_a1.pk, org.officer_a2.pk]
    assert body["handlers"][0]["is_lead"] is True
    assert body["parties"][0]["uscc"] == SAMPLE_USCC
    assert body["stage_history"][0]["to_stage"] == Stage.INITIATION
    assert body["allowed_next_stages"] == [Stage.INVESTIGATION]
    assert body["can_write"] is True
    assert LedgerEntry.objects.filter(action="case.open", case_id=case.pk).exists()

    detail = client.get(f"/api/cases/{case.pk}")
    assert detail.status_code == 200
    assert detail.json()["title"] == "某医院涉嫌分解住院案"


def test_open_case_validation_errors_are_structured_and_chinese(client: Client, org: Org) -> None:
    login(client, org.officer_a1)
    bad = case_payload(
        org,
        title="",
        handler_ids=[org.officer_a1.pk],
        parties=[{"kind": "person", "name": "张三", "id_number": "110105194912310021"}],
    )
    response = post(client, "/api/cases", bad)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["message"] == "提交的数据有误，请按提示修改。"
    assert error["fields"]["title"] == ["请填写案件名称。"]
    assert "承办人员不得少于两人" in error["fields"]["handlers"][0]
    assert "parties[0].id_number" in error["fields"]
    assert not Case.objects.exists()


def test_open_case_schema_error_is_422_with_field_paths(client: Client, org: Org) -> None:
    login(client, org.officer_a1)
    bad = case_payload(org, handler_ids="张伟", parties=[{"kind": "person"}])
    del bad["title"]
    response = post(client, "/api/cases", bad)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    assert error["fields"]["title"] == ["此项为必填项。"]
    assert error["fields"]["parties[0].name"] == ["此项为必填项。"]
    assert "handler_ids" in error["fields"]


def test_handlers_from_another_agency_or_unknown_are_refused(client: Client, org: Org) -> None:
    login(client, org.officer_a1)
    response = post(client, "/api/cases", case_payload(org, handler_ids=[org.officer_a1.pk, 999999]))
    assert response.status_code == 400
    assert "999999" in response.json()["error"]["fields"]["handler_ids"][0]


def test_opening_in_another_department_is_refused(client: Client, org: Org) -> None:
    login(client, org.officer_a1)
    response = post(client, "/api/cases", case_payload(org, department_id=org.dept_b.pk))
    assert response.status_code == 400
    assert "department_id" in response.json()["error"]["fields"]


def test_auditor_cannot_open_cases(client: Client, org: Org) -> None:
    login(client, org.auditor)
    response = post(client, "/api/cases", case_payload(org))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_list_is_scoped_searchable_and_paginated(
    client: Client, org: Org, case_a: Case, case_b: Case
) -> None:
    other = make_case(org, dept="a", title="某诊所涉嫌挂床住院案")
    login(client, org.officer_a1)
    listing = client.get("/api/cases").json()
    assert {c["id"] for c in listing["items"]} == {case_a.pk, other.pk}
    assert listing["count"] == 2
    assert listing["page"] == 1
    assert listing["pages"] == 1

    found = client.get("/api/cases", {"q": "挂床"}).json()
    assert [c["id"] for c in found["items"]] == [other.pk]
    assert client.get("/api/cases", {"stage": Stage.REVIEW}).json()["count"] == 0

    login(client, org.auditor)
    assert client.get("/api/cases").json()["count"] == 3


def test_pages(client: Client, org: Org, settings: Any) -> None:
    for i in range(21):
        make_case(org, title=f"案件{i:02d}")
    login(client, org.officer_a2)
    first = client.get("/api/cases").json()
    second = client.get("/api/cases", {"page": 2}).json()
    assert (first["count"], first["pages"], len(first["items"]), len(second["items"])) == (21, 2, 20, 1)
    assert second["items"][0]["title"] == "案件00"
    bad_page = client.get("/api/cases", {"page": "x"})
    assert bad_page.status_code == 422
    assert bad_page.json()["error"]["fields"] == {"page": ["应为整数。"]}


def test_stage_change_and_branch(client: Client, org: Org, case_a: Case) -> None:
    login(client, org.officer_a2)
    response = post(
        client, f"/api/cases/{case_a.pk}/stage", {"to_stage": Stage.INVESTIGATION, "reason": "开始调查"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["stage"] == Stage.INVESTIGATION
    assert [c["to_stage"] for c in body["stage_history"]] == [Stage.INITIATION, Stage.INVESTIGATION]

    skip = post(client, f"/api/cases/{case_a.pk}/stage", {"to_stage": Stage.CLOSING})
    assert skip.status_code == 400
    assert skip.json()["error"]["code"] == "transition_not_allowed"
    assert "ST-1" in skip.json()["error"]["message"]

    branch = post(
        client, f"/api/cases/{case_a.pk}/stage", {"branch": "transferred", "reason": "不属本机关管辖"}
    )
    assert branch.status_code == 200
    assert branch.json()["branch"] == "transferred"
    assert branch.json()["allowed_next_stages"] == []


def test_stage_change_needs_a_writer(client: Client, org: Org, case_a: Case) -> None:
    login(client, org.legal_reviewer)  # sees every case, handles none
    assert client.get(f"/api/cases/{case_a.pk}").json()["can_write"] is False
    response = post(client, f"/api/cases/{case_a.pk}/stage", {"to_stage": Stage.INVESTIGATION})
    assert response.status_code == 403
    case_a.refresh_from_db()
    assert case_a.stage == Stage.INITIATION


def test_add_party(client: Client, org: Org, case_a: Case) -> None:
    login(client, org.officer_a1)
    party = {"kind": "person", "name": "张三", "id_number": SAMPLE_RESIDENT_ID, "phone": "13800000000"}
    response = post(client, f"/api/cases/{case_a.pk}/parties", party)
    assert response.status_code == 201, response.content
    assert response.json()["id_number"] == SAMPLE_RESIDENT_ID
    assert response.json()["current"] is True
    assert len(client.get(f"/api/cases/{case_a.pk}").json()["parties"]) == 2

    bad = post(client, f"/api/cases/{case_a.pk}/parties", {**party, "id_number": "110105194912310021"})
    assert bad.status_code == 400
    assert list(bad.json()["error"]["fields"]) == ["id_number"]
