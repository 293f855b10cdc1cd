"""The legal-review API: the whole round (LR-2..LR-5) and the LR-7 gate, scoped like the UI."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from liuhen.cases.models import Case
from liuhen.review.testing import ALL_OK, Bureau


def _post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def test_api_review_round(hy: Bureau, major_case: Case, client: Client) -> None:
    client.force_login(hy.officer)
    response = _post(client, f"/api/cases/{major_case.pk}/reviews", {"place": "基金监管科"})
    assert response.status_code == 201, response.content
    review = response.json()
    assert review["status"] == "submitted" and review["materials"][0].startswith("案件调查终结报告")
    rid = review["id"]
    assert _post(client, f"/api/reviews/{rid}/receipt", {"place": "法制科"}).status_code == 403

    client.force_login(hy.reviewer)
    review = _post(client, f"/api/reviews/{rid}/receipt", {"place": "法制科"}).json()
    assert review["status"] == "in_review" and review["register_no"].startswith("海医保法审〔")
    assert review["due"] is not None and review["handover_record_id"]
    extended = _post(client, f"/api/reviews/{rid}/extension", {"working_days": 4, "reason": "复杂"})
    assert (
        extended.status_code == 400
        and "最长不超过3个工作日" in extended.json()["error"]["fields"]["working_days"][0]
    )
    items = [{"item": e.item, "result": e.result, "note": e.note} for e in ALL_OK]
    assert len(_post(client, f"/api/reviews/{rid}/checklist", {"items": items}).json()) == len(items)
    check = _post(
        client,
        f"/api/reviews/{rid}/discretion",
        {"benchmark_code": "FJ-38-4", "base_amount": "16800", "proposed_fine": "40000"},
    ).json()
    assert check["within"] is False and check["allowed_max"] == "33600.00"
    qid = _post(client, f"/api/reviews/{rid}/questions", {"text": "金额依据？"}).json()["id"]
    client.force_login(hy.officer)
    assert _post(client, f"/api/review-questions/{qid}/answer", {"text": "结算清单。"}).status_code == 201
    assert client.get(f"/api/cases/{major_case.pk}/major").json()["decision_allowed"] is False

    client.force_login(hy.reviewer)
    review = _post(client, f"/api/reviews/{rid}/opinion", {"opinion_type": "agree", "text": "同意。"}).json()
    assert review["status"] == "opinion" and review["opinion_record_id"]
    review = _post(
        client, f"/api/reviews/{rid}/return", {"received_by_id": hy.officer.pk, "place": "法制科"}
    ).json()
    assert review["status"] == "returned"
    assert client.get("/api/reviews").json() == []
    assert [r["id"] for r in client.get("/api/reviews?closed=true").json()] == [rid]
    major = client.get(f"/api/cases/{major_case.pk}/major").json()
    assert major["decision_allowed"] is True and major["opinion_record_id"] == review["opinion_record_id"]

    client.force_login(hy.outsider)
    assert client.get(f"/api/reviews/{rid}").status_code == 404


def test_api_lr_6_objection_and_re_review(hy: Bureau, major_case: Case, client: Client) -> None:
    from liuhen.review.testing import reviewed

    reviewed(hy, major_case, opinion="correct_law")
    client.force_login(hy.officer)
    state = client.get(f"/api/cases/{major_case.pk}/review-disagreement").json()
    assert state["next_action"] == "object" and not state["decision_allowed"]
    record_id = state["steps"][0]["opinion_record_id"]
    response = _post(client, f"/api/review-opinions/{record_id}/objection", {"reason": "法律适用无误。"})
    assert response.status_code == 201, response.content
    state = response.json()
    assert state["next_action"] == "re_review" and state["steps"][0]["objection_request"] == "re_review"
    objection_id = state["pending_objection_id"]
    url = f"/api/review-objections/{objection_id}/re-review"
    assert _post(client, url, {"opinion_type": "agree", "text": "同意"}).status_code == 403
    client.force_login(hy.reviewer)
    state = _post(client, url, {"opinion_type": "agree", "text": "经重新审核，同意。"}).json()
    assert state["decision_allowed"] and state["steps"][-1]["re_review"] is True
    client.force_login(hy.outsider)
    assert client.get(f"/api/cases/{major_case.pk}/review-disagreement").status_code == 404
