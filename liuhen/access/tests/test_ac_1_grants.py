"""AC-1 (HY-JL-18): no viewing, copying or exporting of case files and AV outside one's own work
scope without the unit head's approval; an approval is a time-limited grant; every view and
download is in the ledger."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from liuhen.access import grants, services
from liuhen.access.models import AccessRequest, Action, Decision
from liuhen.access.selectors import can_view, pending_queue
from liuhen.access.tests.conftest import Acc
from liuhen.conftest import login
from liuhen.ledger.models import LedgerEntry
from liuhen.ledger.verify import verify


def _grant(acc: Acc, actions: set[str], *, item: bool = True, days: int = 2) -> Decision:
    org = acc.org
    request = services.request_access(
        actor=org.officer_a1,
        media_item=acc.item_b if item else None,
        case=None if item else acc.case_b,
        actions=actions,
        reason="核查本科室案件中同一当事人的相关情况",
        days=days,
    )
    return services.decide(actor=acc.head_b, request=request, approved=True, note="同意，限期查阅")


def _entries(person_id: int, action: str) -> int:
    return LedgerEntry.objects.filter(actor_id=person_id, action=action).count()


def _av_urls(acc: Acc) -> dict[str, str]:
    pk = acc.item_b.pk
    return {
        "page": reverse("av:detail", args=[pk]),
        "play": reverse("av:media", args=[pk, "original"]),
        "download": reverse("av:media", args=[pk, "original"]) + "?download=1",
        "api": f"/api/av/items/{pk}",
        "api_content": f"/api/av/items/{pk}/content",
    }


def test_ac_1_officer_without_grant_gets_no_view_or_download_of_other_departments_av(
    acc: Acc, client: Client
) -> None:
    login(client, acc.org.officer_a1)
    for name, url in _av_urls(acc).items():
        response = client.get(url)
        assert response.status_code in (403, 404), name
    assert not can_view(acc.org.officer_a1, acc.item_b)
    assert _entries(acc.org.officer_a1.pk, "av.view") == 0
    assert _entries(acc.org.officer_a1.pk, "av.download") == 0
    # …while its own officer (department B) sees it, and each access is ledgered.
    login(client, acc.org.officer_b1)
    assert client.get(_av_urls(acc)["page"]).status_code == 200
    assert client.get(_av_urls(acc)["download"]).status_code == 200
    assert _entries(acc.org.officer_b1.pk, "av.view") == 1
    assert _entries(acc.org.officer_b1.pk, "av.download") == 1


def test_ac_1_approved_grant_allows_view_and_download_until_it_expires(
    acc: Acc, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    a1 = acc.org.officer_a1
    decision = _grant(acc, {Action.VIEW, Action.COPY})
    assert decision.valid_from is not None and decision.valid_until is not None
    assert decision.valid_until - decision.valid_from == timedelta(days=2)
    login(client, a1)
    urls = _av_urls(acc)
    assert client.get(urls["page"]).status_code == 200
    download = client.get(urls["download"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"DCIM/b-site.jpg" + b" jpeg bytes" * 64  # type: ignore[attr-defined]
    assert client.get(urls["api"]).status_code == 200
    assert client.get(urls["api_content"]).status_code == 200
    # Every access is in the ledger, attributed to the officer.
    assert _entries(a1.pk, "av.view") == 2  # page + API
    assert _entries(a1.pk, "av.download") == 2
    entry = LedgerEntry.objects.filter(actor_id=a1.pk, action="av.download").first()
    assert entry is not None and entry.object_id == str(acc.item_b.pk)

    # Selector with an explicit clock: inside the period yes, from valid_until on no.
    assert grants.allows(a1, acc.item_b, Action.COPY, now=decision.valid_until - timedelta(seconds=1))
    assert not grants.allows(a1, acc.item_b, Action.COPY, now=decision.valid_until)
    assert not grants.allows(a1, acc.item_b, Action.EXPORT, now=decision.valid_from)

    # The views use the current time: move it past the end.
    later = decision.valid_until + timedelta(minutes=1)
    monkeypatch.setattr(grants, "_now", lambda: later)
    for name, url in urls.items():
        assert client.get(url).status_code == 404, name


def test_ac_1_view_only_grant_plays_but_does_not_download(acc: Acc, client: Client) -> None:
    _grant(acc, {Action.VIEW})
    login(client, acc.org.officer_a1)
    urls = _av_urls(acc)
    assert client.get(urls["page"]).status_code == 200
    assert client.get(urls["play"]).status_code == 200  # the player (a view)
    assert client.get(urls["download"]).status_code == 403
    refused = client.get(urls["api_content"])
    assert refused.status_code == 403
    assert "未获准复制" in refused.json()["error"]["message"]
    assert _entries(acc.org.officer_a1.pk, "av.play") == 1
    assert _entries(acc.org.officer_a1.pk, "av.download") == 0


def test_ac_1_case_file_grant_covers_records_not_confidential_ones(acc: Acc, client: Client) -> None:
    a1 = acc.org.officer_a1
    record, secret = acc.record_b, acc.secret_b
    attachment = record.attachments.get()
    login(client, a1)
    assert client.get(reverse("records:detail", args=[record.pk])).status_code == 404
    assert client.get(f"/api/records/{record.pk}").status_code == 404
    assert client.get(reverse("cases:detail", args=[acc.case_b.pk])).status_code == 404

    _grant(acc, {Action.VIEW}, item=False)
    assert client.get(reverse("cases:detail", args=[acc.case_b.pk])).status_code == 200
    assert client.get(reverse("records:detail", args=[record.pk])).status_code == 200
    assert client.get(f"/api/records/{record.pk}").status_code == 200
    # View only: the original is not downloadable, the document not exportable.
    assert client.get(reverse("vault:download", args=[attachment.pk])).status_code == 403
    assert client.get(f"/api/attachments/{attachment.pk}/content").status_code == 403
    # Confidential records stay invisible through a grant (AC-3).
    assert client.get(reverse("records:detail", args=[secret.pk])).status_code == 404
    assert not can_view(a1, secret)
    assert can_view(a1, record) and not can_view(a1, record, action=Action.COPY)
    assert _entries(a1.pk, "record.view") == 2


def test_ac_1_case_file_copy_grant_downloads_and_is_ledgered(acc: Acc, client: Client) -> None:
    a1 = acc.org.officer_a1
    attachment = acc.record_b.attachments.get()
    _grant(acc, {Action.COPY}, item=False)
    login(client, a1)
    response = client.get(reverse("vault:download", args=[attachment.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"photo bytes" * 50  # type: ignore[attr-defined]
    entry = LedgerEntry.objects.get(actor_id=a1.pk, action="blob.download")
    assert entry.case_id == acc.case_b.pk


def test_ac_1_only_the_unit_head_decides_and_refusal_needs_a_reason(acc: Acc) -> None:
    org = acc.org
    request = services.request_access(
        actor=org.officer_a1, media_item=acc.item_b, actions={Action.VIEW}, reason="工作需要", days=1
    )
    with pytest.raises(PermissionDenied):
        services.decide(actor=org.officer_a1, request=request, approved=True)  # the requester
    with pytest.raises(PermissionDenied):
        services.decide(actor=org.head_a, request=request, approved=True)  # another department's head
    with pytest.raises(PermissionDenied):
        services.decide(actor=org.officer_b1, request=request, approved=True)  # not a head
    with pytest.raises(ValidationError):
        services.decide(actor=acc.head_b, request=request, approved=False, note="")
    assert [r.pk for r in pending_queue(acc.head_b)] == [request.pk]
    assert [r.pk for r in pending_queue(org.agency_head)] == [request.pk]
    assert pending_queue(org.head_a) == []
    services.decide(actor=acc.head_b, request=request, approved=False, note="与本案无关")
    with pytest.raises(ValidationError):
        services.decide(actor=org.agency_head, request=request, approved=True)  # decided once
    assert not can_view(org.officer_a1, acc.item_b)
    assert LedgerEntry.objects.filter(action="access.refuse", object_id=str(request.decision.pk)).exists()


def test_ac_1_no_request_for_what_is_already_in_scope(acc: Acc) -> None:
    with pytest.raises(ValidationError):
        services.request_access(
            actor=acc.org.officer_b2, case=acc.case_b, actions={Action.COPY}, reason="本科室案件", days=1
        )


def test_ac_1_revoked_grant_ends_access(acc: Acc, client: Client) -> None:
    decision = _grant(acc, {Action.VIEW})
    login(client, acc.org.officer_a1)
    assert client.get(_av_urls(acc)["page"]).status_code == 200
    services.revoke(actor=acc.head_b, decision=decision, reason="已完成核查")
    assert client.get(_av_urls(acc)["page"]).status_code == 404
    assert not can_view(acc.org.officer_a1, acc.item_b)


def test_ac_1_expiry_is_recorded_and_rows_are_write_once(acc: Acc) -> None:
    decision = _grant(acc, {Action.VIEW}, days=1)
    assert decision.valid_until is not None
    assert services.expire_grants(now=decision.valid_until - timedelta(seconds=1)) == []
    ended = services.expire_grants(now=decision.valid_until + timedelta(hours=1))
    assert [e.decision_id for e in ended] == [decision.pk]
    assert ended[0].ended_at == decision.valid_until
    assert services.expire_grants(now=decision.valid_until + timedelta(days=1)) == []
    for table in ("access_accessrequest", "access_decision", "access_grantend"):
        with (
            pytest.raises(DatabaseError, match="write-once"),
            transaction.atomic(),
            connection.cursor() as cur,
        ):
            cur.execute(f"UPDATE {table} SET id = id")
    assert AccessRequest.objects.count() == 1
    assert verify(blobs=False).ok
