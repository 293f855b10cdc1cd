"""The pages (AV-8, EQ-5): the officer's 待确认音像 inbox, the equipment office's unattributed list,
the filterable list of all items and an item's page with its suggestions and actions; and the
same through the JSON API. What a person may not see is a 404."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from liuhen.av.models import Attribution, MediaItem
from liuhen.av.tests.conftest import Av
from liuhen.cases.models import Case
from liuhen.conftest import login
from liuhen.core.testing import record_data
from liuhen.records.models import Record
from liuhen.records.services import create_record

pytestmark = pytest.mark.django_db


def _items(av: Av) -> tuple[MediaItem, MediaItem]:
    mine = av.name(10, seq=1)
    av.video(mine, seconds=1, creation_time=av.at(10) + timedelta(minutes=5))
    stray = av.name(10, seq=2, serial=av.recorder2.serial_no)
    av.video(stray, seconds=1)
    av.run()
    return av.item(mine), av.item(stray)


def _inquiry(av: Av, case: Case) -> Record:
    data = record_data(
        "inquiry",
        started_at=timezone.localtime(av.at(5)).isoformat(),
        ended_at=timezone.localtime(av.at(40)).isoformat(),
    )
    return create_record(actor=av.org.officer_a1, case=case, record_type="inquiry", data=data)


def test_av_8_inbox_and_detail_page(client: Client, av: Av, case_a: Case) -> None:
    mine, _ = _items(av)
    inquiry = _inquiry(av, case_a)
    login(client, av.org.officer_a1)
    inbox = client.get(reverse("av:inbox")).content.decode()
    assert mine.filename in inbox and "待确认音像" in inbox and 'data-testid="inbox-count">1<' in inbox
    page = client.get(reverse("av:detail", args=[mine.pk])).content.decode()
    assert "确认归入案件" in page and case_a.number in page and "询问笔录" in page
    assert 'data-testid="time-mismatch"' in page and "相差 300 秒" in page
    assert mine.blob.sm3 in page and "张伟" in page

    done = client.post(
        reverse("av:confirm", args=[mine.pk]),
        {"case": case_a.pk, "activity": inquiry.pk, "confidentiality": "normal"},
    )
    record = Record.objects.get(record_type="video")
    assert done.status_code == 302 and done.url == reverse("records:detail", args=[record.pk])
    assert client.get(reverse("av:inbox")).content.decode().count('data-testid="av-row"') == 0


def test_av_8_confirm_form_errors_are_shown(client: Client, av: Av, case_b: Case) -> None:
    mine, _ = _items(av)
    login(client, av.org.officer_a1)
    refused = client.post(
        reverse("av:confirm", args=[mine.pk]), {"case": case_b.pk, "confidentiality": "normal"}
    )
    assert refused.status_code == 400 and 'class="error"' in refused.content.decode()
    assert not Attribution.objects.exists()
    missing = client.post(reverse("av:no_case", args=[mine.pk]), {"reason": ""})
    assert missing.status_code == 400 and not Attribution.objects.exists()


def test_av_8_reassign_page_flow(client: Client, av: Av) -> None:
    mine, _ = _items(av)
    login(client, av.org.officer_a1)
    done = client.post(
        reverse("av:reassign", args=[mine.pk]), {"officer": av.org.officer_a2.pk, "reason": "王芳使用"}
    )
    assert done.status_code == 302 and done.url == reverse("av:inbox")  # no longer 张伟's to see
    login(client, av.org.officer_a2)
    assert mine.filename in client.get(reverse("av:inbox")).content.decode()


def test_eq_5_unattributed_list_is_for_the_equipment_office(client: Client, av: Av) -> None:
    _, stray = _items(av)
    login(client, av.org.officer_a1)
    assert client.get(reverse("av:unattributed")).status_code == 403
    assert client.get(reverse("av:detail", args=[stray.pk])).status_code == 404
    login(client, av.admin)
    page = client.get(reverse("av:unattributed")).content.decode()
    assert stray.filename in page and "无领用登记" in page and "领用期外录制" in page
    detail = client.get(reverse("av:detail", args=[stray.pk])).content.decode()
    assert "指派执法人员确认" in detail and "EQ-5" in detail
    done = client.post(
        reverse("av:reassign", args=[stray.pk]), {"officer": av.org.officer_b1.pk, "reason": "核实为李强使用"}
    )
    assert done.status_code == 302
    assert stray.filename not in client.get(reverse("av:unattributed")).content.decode()


def test_av_8_list_filters_and_scoping(client: Client, av: Av) -> None:
    mine, stray = _items(av)
    login(client, av.org.auditor)
    everything = client.get(reverse("av:list")).content.decode()
    assert 'data-testid="av-count">2<' in everything and "音像资料" in everything
    by_recorder = client.get(reverse("av:list"), {"recorder": av.recorder2.serial_no}).content.decode()
    assert 'data-testid="av-count">1<' in by_recorder and stray.filename in by_recorder
    flagged = client.get(reverse("av:list"), {"flag": "time_mismatch"}).content.decode()
    assert mine.filename in flagged and stray.filename not in flagged
    login(client, av.org.officer_b1)
    assert 'data-testid="av-count">0<' in client.get(reverse("av:list")).content.decode()
    assert client.get(reverse("av:detail", args=[mine.pk])).status_code == 404
    assert client.post(reverse("av:confirm", args=[mine.pk]), {}).status_code == 404
    assert client.post(reverse("av:reassign", args=[mine.pk]), {}).status_code == 404
    assert client.post(reverse("av:no_case", args=[mine.pk]), {}).status_code == 404


def test_nav_link(client: Client, av: Av) -> None:
    login(client, av.org.officer_a1)
    assert reverse("av:inbox") in client.get(reverse("av:list")).content.decode()
    login(client, av.org.auditor)
    assert reverse("av:list") in client.get(reverse("cases:dashboard")).content.decode()


def test_av_8_api(client: Client, av: Av, case_a: Case) -> None:
    mine, stray = _items(av)
    inquiry = _inquiry(av, case_a)
    login(client, av.org.officer_a1)
    inbox = client.get("/api/av/inbox").json()
    assert [i["id"] for i in inbox["items"]] == [mine.pk]
    detail = client.get(f"/api/av/items/{mine.pk}").json()
    assert detail["can_confirm"] and detail["officer_name"] == "张伟" and "time_mismatch" in detail["flags"]
    assert detail["suggestions"][0]["activity_record_id"] == inquiry.pk
    assert detail["duration_ms"] and detail["metadata"]["format"]
    assert client.get("/api/av/unattributed").status_code == 403
    assert client.get("/api/av/items", {"status": "bogus"}).status_code == 400
    assert client.get(f"/api/av/items/{stray.pk}").status_code == 404
    with TestCase.captureOnCommitCallbacks(execute=True):
        done = client.post(
            f"/api/av/items/{mine.pk}/confirm",
            {"case_id": case_a.pk, "activity_record_id": inquiry.pk},
            content_type="application/json",
        )
    assert done.status_code == 201, done.content
    body = done.json()
    assert body["status"] == "confirmed" and body["case_id"] == case_a.pk and body["record_id"]
    again = client.post(f"/api/av/items/{mine.pk}/no-case", {"reason": "x"}, content_type="application/json")
    assert again.status_code == 403

    login(client, av.admin)
    listed = client.get("/api/av/unattributed").json()
    assert [i["id"] for i in listed["items"]] == [stray.pk] and "无领用登记" in listed["items"][0][
        "unattributed_reason"
    ]
    bad = client.post(
        f"/api/av/items/{stray.pk}/reassign",
        {"officer_id": av.org.auditor.pk, "reason": "x"},
        content_type="application/json",
    )
    assert bad.status_code == 400
    ok = client.post(
        f"/api/av/items/{stray.pk}/reassign",
        {"officer_id": av.org.officer_b1.pk, "reason": "核实"},
        content_type="application/json",
    )
    assert ok.status_code == 201 and ok.json()["kind"] == "reassigned"
    login(client, av.org.officer_b1)
    assert [i["id"] for i in client.get("/api/av/inbox").json()["items"]] == [stray.pk]
    filtered = client.get("/api/av/items", {"recorder": "64032300002", "status": "pending"}).json()
    assert [i["id"] for i in filtered["items"]] == [stray.pk]
