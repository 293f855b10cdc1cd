"""AC-1 through the staff pages and the JSON API: the request form (linked from the AV item and
case pages), the head's approval queue, "my grants", revocation, and the API endpoints."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from liuhen.access.models import AccessRequest
from liuhen.access.tests.conftest import Acc
from liuhen.conftest import login
from liuhen.ledger.models import LedgerEntry


def test_ac_1_request_approve_and_use_through_the_pages(acc: Acc, client: Client) -> None:
    org = acc.org
    item = acc.item_b
    login(client, org.officer_b1)
    page = client.get(reverse("av:detail", args=[item.pk])).content.decode()
    assert f"{reverse('access:new')}?item={item.pk}" in page

    login(client, org.officer_a1)
    form = client.get(reverse("access:new"), {"item": item.pk})
    assert form.status_code == 200 and f'value="{item.pk}"' in form.content.decode()
    missing = client.post(reverse("access:new"), {"media_item": item.pk, "days": 3})
    assert missing.status_code == 400 and "请说明工作需要" in missing.content.decode()
    response = client.post(
        reverse("access:new"),
        {"media_item": item.pk, "actions": ["copy"], "reason": "核查同一当事人的违法线索", "days": 3},
    )
    assert response.status_code == 302
    row = AccessRequest.objects.get()
    mine = client.get(reverse("access:mine")).content.decode()
    assert "待审批" in mine and "核查同一当事人" not in mine  # the list shows the status, not the reason
    assert client.get(reverse("av:detail", args=[item.pk])).status_code == 404

    # Department A's head neither sees it in the queue nor may open it; department B's head does.
    login(client, org.head_a)
    assert "queue-item" not in client.get(reverse("access:queue")).content.decode()
    assert client.get(reverse("access:detail", args=[row.pk])).status_code == 404
    login(client, acc.head_b)
    assert "queue-item" in client.get(reverse("access:queue")).content.decode()
    refused = client.post(reverse("access:decide", args=[row.pk]), {"approved": "0", "note": ""})
    assert refused.status_code == 400 and "请说明理由" in refused.content.decode()
    assert (
        client.post(reverse("access:decide", args=[row.pk]), {"approved": "1", "days": 1}).status_code == 302
    )

    login(client, org.officer_a1)
    mine = client.get(reverse("access:mine")).content.decode()
    assert 'data-status="active"' in mine and reverse("av:detail", args=[item.pk]) in mine
    assert client.get(reverse("av:detail", args=[item.pk])).status_code == 200
    assert client.get(reverse("av:media", args=[item.pk, "original"]) + "?download=1").status_code == 200
    # The requester gives it up.
    assert client.post(reverse("access:revoke", args=[row.pk]), {"reason": "已核查完毕"}).status_code == 302
    assert client.get(reverse("av:detail", args=[item.pk])).status_code == 404
    actions = list(LedgerEntry.objects.filter(action__startswith="access.").values_list("action", flat=True))
    assert actions == ["access.request", "access.approve", "access.revoke"]


def test_ac_1_request_for_a_case_from_its_number(acc: Acc, client: Client) -> None:
    login(client, acc.org.officer_a1)
    unknown = client.post(reverse("access:new"), {"case_number": "不存在", "reason": "协查", "days": 1})
    assert unknown.status_code == 400 and "没有该编号的案件" in unknown.content.decode()
    ok = client.post(reverse("access:new"), {"case_number": acc.case_b.number, "reason": "协查", "days": 1})
    assert ok.status_code == 302
    assert AccessRequest.objects.get().case_id == acc.case_b.pk


def test_ac_1_api_request_decide_and_download(acc: Acc, client: Client) -> None:
    org = acc.org
    item = acc.item_b
    login(client, org.officer_a1)
    assert client.get(f"/api/av/items/{item.pk}/content").status_code == 404
    bad = client.post(
        "/api/access/requests",
        {"media_item_id": item.pk, "actions": ["copy"], "reason": "", "days": 2},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "reason" in bad.json()["error"]["fields"]
    created = client.post(
        "/api/access/requests",
        {"media_item_id": item.pk, "actions": ["copy"], "reason": "协查", "days": 2},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "pending" and body["actions"] == ["copy", "view"]
    own = client.post(
        f"/api/access/requests/{body['id']}/decision", {"approved": True}, content_type="application/json"
    )
    assert own.status_code == 403

    login(client, acc.head_b)
    assert [r["id"] for r in client.get("/api/access/queue").json()] == [body["id"]]
    decided = client.post(
        f"/api/access/requests/{body['id']}/decision",
        {"approved": True, "note": "同意"},
        content_type="application/json",
    )
    assert decided.status_code == 201 and decided.json()["status"] == "active"

    login(client, org.officer_a1)
    assert client.get("/api/access/requests").json()[0]["status"] == "active"
    content = client.get(f"/api/av/items/{item.pk}/content")
    assert content.status_code == 200
    assert LedgerEntry.objects.filter(actor_id=org.officer_a1.pk, action="av.download").count() == 1
    # Someone else cannot read the request.
    login(client, org.officer_a2)
    assert client.get(f"/api/access/requests/{body['id']}").status_code == 404
