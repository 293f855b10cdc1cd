"""The records office's pages, the case page's hold box and the JSON API (RT-1, RT-4)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from liuhen.av.models import MediaItem
from liuhen.cases.models import Case
from liuhen.conftest import Org, login
from liuhen.ledger.verify import verify
from liuhen.retention import services
from liuhen.retention.models import HoldReason, LegalHold, Tombstone
from liuhen.retention.terms import add_months
from liuhen.retention.tests.conftest import Office
from liuhen.vault.services import get_storage

MakeItem = Callable[..., MediaItem]


def later(months: int) -> date:
    return add_months(timezone.localdate(), months)


def test_rt_1_records_office_sees_the_due_list_officers_do_not(
    client: Client, org: Org, office: Office, make_av_item: MakeItem
) -> None:
    item = make_av_item()
    login(client, office.archivist)
    page = client.get("/retention/", {"as_of": later(7).isoformat()})
    assert page.status_code == 200
    html = page.content.decode()
    assert item.blob.short_digest in html and "RT-1" in html and "预览" in html
    assert item.blob.short_digest not in client.get("/retention/").content.decode()
    assert "保存期限</a>" in html  # the nav link
    detail = client.get(f"/retention/blobs/{item.blob.pk}/").content.decode()
    assert "不少于 6 个月" in detail
    login(client, org.officer_a1)
    assert client.get("/retention/").status_code == 403
    assert client.get(f"/retention/blobs/{item.blob.pk}/").status_code == 404


def test_rt_4_case_page_hold_button_places_and_lists_a_hold(client: Client, org: Org, case_a: Case) -> None:
    login(client, org.officer_a1)
    page = client.get(f"/cases/{case_a.pk}/").content.decode()
    assert 'data-testid="retention-panel"' in page and 'data-testid="hold-button"' in page
    response = client.post(
        "/retention/holds/new/",
        {
            "case": case_a.pk,
            "reason_kind": HoldReason.ASSAULT,
            "reason": "当事人殴打执法人员",
            "decision_ref": "",
        },
    )
    hold = LegalHold.objects.get(case=case_a)
    assert response.status_code == 302 and response["Location"] == f"/retention/holds/{hold.pk}/"
    assert "长期保存中" in client.get(f"/retention/holds/{hold.pk}/").content.decode()
    page = client.get(f"/cases/{case_a.pk}/").content.decode()
    assert "当事人殴打执法人员" in page and "长期保存中" in page
    # An officer of another department sees neither the case nor its hold.
    login(client, org.officer_b1)
    assert client.get(f"/retention/holds/{hold.pk}/").status_code == 404


def test_rt_4_release_form_needs_the_head(client: Client, org: Org, office: Office, case_a: Case) -> None:
    hold = services.place_hold(
        actor=org.officer_a1, case=case_a, reason_kind=HoldReason.COMPLAINT, reason="投诉"
    )
    login(client, org.officer_a1)
    client.post(f"/retention/holds/{hold.pk}/release/", {"decision_ref": "x", "reason": "y"})
    assert not hasattr(LegalHold.objects.get(pk=hold.pk), "release")
    login(client, office.head)
    client.post(
        f"/retention/holds/{hold.pk}/release/", {"decision_ref": "测医保决〔2026〕9号", "reason": "已办结"}
    )
    assert LegalHold.objects.get(pk=hold.pk).release.decision_ref == "测医保决〔2026〕9号"


def _clock(monkeypatch: pytest.MonkeyPatch, today: date) -> None:
    """The services' clock on ``today`` (the date only; stored times stay real)."""
    shim = SimpleNamespace(localdate=lambda *a: today, now=timezone.now, localtime=timezone.localtime)
    monkeypatch.setattr("liuhen.retention.services.timezone", shim)


def _api(client: Client, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    call = getattr(client, method)
    response = (
        call(path, data=json.dumps(body or {}), content_type="application/json")
        if method == "post"
        else call(path)
    )
    return response.status_code, response.json()


def test_rt_1_api_disposal_two_approvals_then_verify_green(
    client: Client,
    org: Org,
    office: Office,
    make_av_item: MakeItem,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    item = make_av_item()
    client.force_login(office.archivist)
    status, due = _api(client, "get", f"/api/retention/due?today={later(7).isoformat()}")
    assert status == 200 and [d["blob_id"] for d in due] == [item.blob.pk] and due[0]["rule"] == "RT-1"
    status, body = _api(
        client, "post", "/api/retention/disposals", {"blob_ids": [item.blob.pk], "reason": "到期"}
    )
    assert status == 400 and "尚未届满" in json.dumps(body, ensure_ascii=False)
    _clock(monkeypatch, later(7))
    status, body = _api(
        client, "post", "/api/retention/disposals", {"blob_ids": [item.blob.pk], "reason": "到期"}
    )
    assert status == 201, body
    disposal = body["id"]
    status, body = _api(
        client, "post", f"/api/retention/disposals/{disposal}/decisions", {"decision": "approve"}
    )
    assert status == 403  # the requester
    for approver in (office.archivist2, office.head):
        client.force_login(approver)
        status, body = _api(
            client, "post", f"/api/retention/disposals/{disposal}/decisions", {"decision": "approve"}
        )
        assert status == 201, body
    assert body["status"] == "approved"
    with django_capture_on_commit_callbacks(execute=True):
        status, body = _api(client, "post", f"/api/retention/disposals/{disposal}/execute")
    assert status == 200 and body["status"] == "executed" and len(body["tombstone_ids"]) == 1
    assert not get_storage().exists(item.blob.storage_key)
    assert Tombstone.objects.get().blob == item.blob
    assert verify().ok


def test_rt_4_api_hold_on_a_case_and_offline_copy(
    client: Client, org: Org, office: Office, case_a: Case
) -> None:
    client.force_login(org.officer_a1)
    status, body = _api(
        client,
        "post",
        "/api/retention/holds",
        {"case_id": case_a.pk, "reason_kind": "objection", "reason": "当事人对现场执法有异议"},
    )
    assert status == 201 and body["current"] and "第（一）项" in body["citation"]
    hold_id = body["id"]
    status, body = _api(
        client,
        "post",
        f"/api/retention/holds/{hold_id}/offline-copies",
        {
            "medium": "removable",
            "label": "U盘 A-07",
            "package_digest": "sm3:" + "ab" * 32,
            "package_size": 1024,
        },
    )
    assert status == 201 and body["offline_copies"][0]["label"] == "U盘 A-07"
    status, listed = _api(client, "get", f"/api/retention/holds?case={case_a.pk}")
    assert status == 200 and [h["id"] for h in listed] == [hold_id]
    status, body = _api(
        client, "post", f"/api/retention/holds/{hold_id}/release", {"decision_ref": "x", "reason": "y"}
    )
    assert status == 403
    client.force_login(org.officer_b1)
    status, _ = _api(client, "get", f"/api/retention/holds?case={case_a.pk}")
    assert status == 404


def test_rt_1_web_disposal_request_two_approvals_and_execution(
    client: Client,
    org: Org,
    office: Office,
    make_av_item: MakeItem,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    item = make_av_item()
    _clock(monkeypatch, later(7))
    login(client, office.archivist)
    response = client.post("/retention/disposals/new/", {"blob": [item.blob.pk], "reason": "保存期限届满"})
    assert response.status_code == 302
    url = response["Location"]
    page = client.get(url).content.decode()
    assert "待审批（已同意 0/2）" in page and "提交审批意见" not in page  # the requester cannot approve
    for approver in (office.archivist2, office.head):
        login(client, approver)
        assert "提交审批意见" in client.get(url).content.decode()
        client.post(url + "decide/", {"decision": "approve", "note": ""})
    page = client.get(url).content.decode()
    assert "已批准，待执行" in page and 'data-testid="execute-disposal"' in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url + "execute/")
    page = client.get(url).content.decode()
    assert 'data-status="executed"' in page and item.blob.sm3 in page
    assert not get_storage().exists(item.blob.storage_key)
    assert "已销毁" in client.get(f"/retention/blobs/{item.blob.pk}/").content.decode()
    assert verify().ok
