"""音像资料说明 — the officer's declaration about a recording (AV-3, AV-4, AV-6, AV-7) through the
pages and the JSON API: reached from the item page and from each audio/video/photo attachment of a
record, pre-filled with the declaration in force, errors in Chinese on their fields, only for those
``flags.may_declare`` allows (others: 404), and the case's findings follow the declaration."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from liuhen.av import services as av_services
from liuhen.av.models import MediaDeclaration, MediaItem
from liuhen.av.naming import Claim
from liuhen.av.tests.conftest import Av
from liuhen.cases.models import Case
from liuhen.conftest import Org, login, make_case
from liuhen.ledger.models import LedgerEntry
from liuhen.org.models import Agency
from liuhen.policy.findings import FindingStatus
from liuhen.policy.selectors import findings_for
from liuhen.records.models import Record
from liuhen.records.services import FileInput, attach_files, create_record

pytestmark = pytest.mark.django_db
FAILING = (FindingStatus.MISSING, FindingStatus.VIOLATED, FindingStatus.OVERDUE, FindingStatus.LATE)


def _import(org: Org, name: str, recorded_at: datetime) -> MediaItem:
    content = f"recording {name}".encode()
    file = av_services.DockFile(
        dock="/media/recorder",
        path=f"DCIM/{name}",
        absolute=Path("/media/recorder") / name,
        size=len(content),
        mtime_ns=1,
    )
    claim = Claim(
        serial="DSJ-AV-0001", serial_source="filename", recorded_at=recorded_at, time_source="filename"
    )
    result = av_services.import_file(
        actor=None,
        agency=org.agency,
        file=file,
        claim=claim,
        reader=io.BytesIO(content),
        queue_derivatives=False,
    )
    return result.item


def _receipt(org: Org, case: Case) -> Record:
    return create_record(
        actor=org.officer_a1,
        case=case,
        record_type="service_receipt",
        data={
            "document_name": "行政处罚决定书",
            "method": "lodged",
            "recipient": "测试县康宁大药房有限公司",
            "served_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "servers": "张伟 64000000000001\n王芳 64000000000002",
        },
    )


def _on_record(org: Org, hours_ago: float = 2) -> tuple[Case, Record, MediaItem]:
    """A lodged-service receipt of a case of department A with a recording made ``hours_ago``
    before it was imported (uploaded) and attached."""
    case = make_case(org)
    receipt = _receipt(org, case)
    item = _import(org, "served.mp4", timezone.now() - timedelta(hours=hours_ago))
    attach_files(
        actor=org.officer_a1,
        record=receipt,
        files=[FileInput(source=item.blob, filename=item.filename, media_type=item.blob.media_type)],
    )
    return case, receipt, item


def _av7(case: Case) -> list[str]:
    case.refresh_from_db()
    return sorted(
        f.rule_id for f in findings_for(case) if "AV-7" in f.requirement_ids and f.status in FAILING
    )


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_av_7_declaration_link_on_each_av_attachment_and_form_happy_path(client: Client, org: Org) -> None:
    _, receipt, item = _on_record(org)
    attach_files(
        actor=org.officer_a1,
        record=receipt,
        files=[
            FileInput(source=io.BytesIO(b"%PDF-1.4 scan"), filename="回证.pdf", media_type="application/pdf")
        ],
    )
    login(client, org.officer_a1)
    url = reverse("av:declaration", args=[item.blob_id])
    page = client.get(reverse("records:detail", args=[receipt.pk])).content.decode()
    assert page.count('data-testid="declaration-link"') == 1 and url in page  # not on the PDF

    form = client.get(url).content.decode()
    assert "音像资料说明" in form and "尚无说明" in form and "异地执法" in form and "执法证号" in form
    returned = timezone.now() - timedelta(hours=1)
    done = client.post(
        url,
        {
            "field_work": "off_site",
            "returned_at": _local(returned),
            "consent": "consented",
            "privacy": "on",
            "opening_statement": ["time", "place", "officers", "action", "recording_notice"],
            "note": "异地执法，返回后导入",
        },
    )
    assert done.status_code == 302 and done.url == url
    row = MediaDeclaration.objects.get()
    assert (row.field_work, row.consent, row.privacy, row.secret) == ("off_site", "consented", True, False)
    assert row.actor == org.officer_a1 and row.returned_at is not None
    assert abs((row.returned_at - returned).total_seconds()) < 60
    entry = LedgerEntry.objects.get(action="av.declare")
    assert entry.object_id == str(row.pk)

    # The form now restates the declaration in force; the history names who and when.
    again = client.get(url).content.decode()
    assert 'data-testid="current-declaration"' in again and "张伟" in again
    assert f'value="{_local(returned)}"' in again
    assert 'value="off_site" selected' in again and 'value="consented" selected' in again
    assert (
        'name="privacy" id="id_privacy" checked' in again
        and 'name="secret" id="id_secret" checked' not in again
    )
    assert 'value="recording_notice" id="id_opening_statement_5" checked' in again
    assert 'value="certificate" id="id_opening_statement_3">' in again  # not ticked
    assert "现行" in again
    client.post(url, {"field_work": "", "note": "更正：已按时储存"})
    history = client.get(url).content.decode()
    assert history.count('data-testid="declaration-history"') == 1 and "更正：已按时储存" in history
    assert MediaDeclaration.objects.count() == 2
    assert MediaDeclaration.objects.get(superseded_by__isnull=True).note == "更正：已按时储存"


def test_av_7_validation_errors_are_shown_in_chinese_on_the_field(client: Client, org: Org) -> None:
    _, _, item = _on_record(org)
    login(client, org.officer_a1)
    url = reverse("av:declaration", args=[item.blob_id])
    refused = client.post(url, {"field_work": "remote"})  # the field exception needs its return time
    page = refused.content.decode()
    assert refused.status_code == 400
    assert "请填写返回机关的时间" in page and 'class="field invalid"' in page
    bad = client.post(url, {"field_work": "holiday", "returned_at": "昨天"}).content.decode()
    assert "选择一个有效的选项" in bad and "输入一个有效的日期" in bad
    assert not MediaDeclaration.objects.exists()


def test_av_7_only_those_who_may_declare(client: Client, org: Org) -> None:
    """An officer of another department cannot reach the form nor see the link (404 — not 'exists
    but forbidden'); a non-AV file has no declaration either."""
    _, receipt, item = _on_record(org)
    url = reverse("av:declaration", args=[item.blob_id])
    login(client, org.officer_b1)
    assert client.get(url).status_code == 404
    assert client.post(url, {"note": "x"}).status_code == 404
    assert client.get(f"/api/av/files/{item.blob_id}/declaration").status_code == 404
    posted = client.post(
        f"/api/av/files/{item.blob_id}/declaration", {"note": "x"}, content_type="application/json"
    )
    assert posted.status_code == 404 and posted.json()["error"]["code"] == "not_found"
    assert not MediaDeclaration.objects.exists()
    (pdf,) = attach_files(
        actor=org.officer_a1,
        record=receipt,
        files=[
            FileInput(source=io.BytesIO(b"%PDF-1.4 scan"), filename="回证.pdf", media_type="application/pdf")
        ],
    )
    login(client, org.officer_a1)
    assert client.get(reverse("av:declaration", args=[pdf.blob_id])).status_code == 404
    assert client.get(url).status_code == 200


def test_av_7_api_post_and_get(client: Client, org: Org) -> None:
    _, _, item = _on_record(org)
    login(client, org.officer_a1)
    api = f"/api/av/files/{item.blob_id}/declaration"
    assert client.get(api).json() == {
        "blob_id": item.blob_id,
        "sm3": item.blob.sm3,
        "current": None,
        "history": [],
    }
    returned = timezone.now() - timedelta(hours=3)
    created = client.post(
        api,
        {
            "field_work": "continuous",
            "returned_at": returned.isoformat(),
            "secret": True,
            "opening_statement": ["recording_notice", "time"],
        },
        content_type="application/json",
    )
    assert created.status_code == 201
    body = created.json()
    current = body["current"]
    assert current["field_work"] == "continuous" and current["field_work_label"] == "连续执法"
    assert current["secret"] is True and current["opening_statement"] == ["time", "recording_notice"]
    assert current["actor_name"] == org.officer_a1.full_name and current["supersedes_id"] is None
    assert LedgerEntry.objects.filter(action="av.declare", object_id=str(current["id"])).exists()

    refused = client.post(api, {"field_work": "remote"}, content_type="application/json")
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert "returned_at" in error["fields"] and "返回机关的时间" in error["fields"]["returned_at"][0]
    unknown = client.post(api, {"opening_statement": ["weather"]}, content_type="application/json").json()
    assert "opening_statement" in unknown["error"]["fields"]

    again = client.post(api, {"note": "补充"}, content_type="application/json")
    assert again.status_code == 201
    listed = client.get(api).json()
    assert [d["note"] for d in listed["history"]] == ["补充", ""]
    assert listed["current"]["supersedes_id"] == current["id"] and listed["current"]["secret"] is False


def test_av_7_wd_finding_clears_after_declaring_off_site_work(client: Client, org: Org) -> None:
    """WD 第二十二条 acceptance through the form: a recording uploaded 30 hours after it was made is
    flagged by the 24-hour rule; once the officer declares 异地执法 with a return 10 hours before
    the upload, the finding is gone."""
    Agency.objects.filter(pk=org.agency.pk).update(policy_pack="WD")
    case, _, item = _on_record(org, hours_ago=30)
    assert _av7(case) == ["WD-22-av-upload-24h"]
    login(client, org.officer_a1)
    done = client.post(
        reverse("av:declaration", args=[item.blob_id]),
        {"field_work": "off_site", "returned_at": _local(item.blob.created_at - timedelta(hours=10))},
    )
    assert done.status_code == 302
    assert _av7(case) == []


def test_av_7_link_on_the_item_page(client: Client, av: Av) -> None:
    name = av.name(10, seq=1)
    av.video(name, seconds=1)
    av.run()
    item = av.item(name)
    login(client, av.org.officer_a1)  # the recorder was checked out to 张伟: his item
    page = client.get(reverse("av:detail", args=[item.pk])).content.decode()
    assert reverse("av:declaration", args=[item.blob_id]) in page and 'data-testid="declaration-link"' in page
    assert client.get(reverse("av:declaration", args=[item.blob_id])).status_code == 200
    api = f"/api/av/items/{item.pk}/declaration"
    created = client.post(
        api, {"gap_explanation": "电池耗尽，更换后继续录制"}, content_type="application/json"
    )
    assert created.status_code == 201 and created.json()["blob_id"] == item.blob_id
    assert client.get(api).json()["current"]["gap_explanation"] == "电池耗尽，更换后继续录制"
    assert "电池耗尽" in client.get(reverse("av:declaration", args=[item.blob_id])).content.decode()
    login(client, av.org.officer_a2)
    assert client.get(reverse("av:declaration", args=[item.blob_id])).status_code == 404
    assert client.post(api, {"note": "x"}, content_type="application/json").status_code == 404
