"""LR-6 through the pages: the department objects on the case page, the legal office re-reviews, the
department objects again, the agency head designates the room and registers the collective study
with the uploaded recording; the decision is then unblocked."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from liuhen.cases.models import Case
from liuhen.review import selectors
from liuhen.review.models import CollectiveDecision, Objection, ReReview
from liuhen.review.testing import Bureau, reviewed


def test_lr_6_objection_re_review_and_collective_study_through_the_pages(
    hy: Bureau, major_case: Case, client: Client
) -> None:
    reviewed(hy, major_case, opinion="investigate")
    first = selectors.latest_opinion(major_case)
    assert first is not None
    client.force_login(hy.officer)
    page = client.get(f"/cases/{major_case.pk}/").content.decode()
    assert 'data-testid="review-lr6"' in page and "要求重新审核" in page
    client.post(f"/review/opinions/{first.pk}/object/", {"reason": "证据已充分。"})
    objection = Objection.objects.get()

    client.force_login(hy.reviewer)
    page = client.get(f"/cases/{major_case.pk}/").content.decode()
    assert "出具重新审核意见" in page
    client.post(
        f"/review/objections/{objection.pk}/re-review/",
        {"opinion_type": "investigate", "text": "维持原意见。"},
    )
    assert ReReview.objects.count() == 1

    client.force_login(hy.officer)
    second = selectors.latest_opinion(major_case)
    assert second is not None and second != first
    page = client.get(f"/cases/{major_case.pk}/").content.decode()
    assert "提请集体研究" in page
    client.post(f"/review/opinions/{second.pk}/object/", {"reason": "仍有异议。"})
    again = Objection.objects.get(opinion_record=second)

    client.force_login(hy.head)
    client.post("/review/rooms/", {"name": "三楼合议室", "equipment": "固定录音录像设备"})
    page = client.get("/review/rooms/").content.decode()
    assert "三楼合议室" in page
    form_page = client.get(f"/review/objections/{again.pk}/collective/").content.decode()
    assert 'data-testid="collective-form"' in form_page
    room = selectors.designated_rooms(hy.agency)[0]
    held = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        f"/review/objections/{again.pk}/collective/",
        {
            "held_at": held,
            "room": str(room.pk),
            "host": hy.head.full_name,
            "recorder": "刘婷",
            "attendees": f"{hy.head.full_name} 局长\n孙凯 科长\n于法 法制审核人员",
            "case_report": "承办人汇报案情，拟罚款25000元。",
            "speeches": f"孙凯：证据充分。\n于法：维持补充调查意见。\n{hy.head.full_name}：按承办科室意见处理。",
            "conclusion": "经集体研究，决定罚款25000元。",
            "decision": "penalty",
            "av_file": SimpleUploadedFile("讨论录像.mp4", b"video bytes " * 200, content_type="video/mp4"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    decision = CollectiveDecision.objects.get()
    assert decision.record.signers.filter(person=hy.head).exists()
    assert decision.record.signers.count() == 3
    page = client.get(f"/cases/{major_case.pk}/").content.decode()
    assert "集体讨论记录" in page and 'data-allowed="yes"' in page
