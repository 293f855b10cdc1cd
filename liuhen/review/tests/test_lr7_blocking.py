"""LR-7 (HY-FS 第十四条; 行政处罚法 第五十八条): no 行政处罚决定书 for a major case without an
"agree" opinion, or the collective discussion that overrides a disagreement (LR-6) — refused in
the service layer, so the web UI, the API and the CLI all refuse with the citation. DC-3: the
agency head's signature and time on the decision."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from liuhen.cases.models import Case, PartyKind
from liuhen.core.testing import record_data
from liuhen.ledger.verify import verify
from liuhen.records.catalogue import catalogue
from liuhen.records.models import Record
from liuhen.records.services import SignerInput, correct_record, create_record, sign_record
from liuhen.review import selectors, services
from liuhen.review.testing import (
    Bureau,
    case_in_review,
    decision_data,
    make_decision,
    reviewed,
    to_collective,
)

CITATION = "（依据：HY-FS 第二条第（一）项、HY-FS 第十四条）"


def test_lr7_the_decision_is_refused_until_the_review_agrees(hy: Bureau, major_case: Case) -> None:
    with pytest.raises(ValidationError) as refused:
        make_decision(hy, major_case, fine_amount="25000", party_kind="organisation")
    (message,) = refused.value.messages
    assert message.startswith("不能作出行政处罚决定书：本案拟作出的决定属重大执法决定")
    assert "未经法制审核" in message and message.endswith(CITATION)
    assert not Record.objects.filter(record_type="penalty_decision").exists()
    reviewed(hy, major_case, opinion="supplement")
    with pytest.raises(ValidationError, match="法制审核意见为“补充材料”，未同意"):
        make_decision(hy, major_case, fine_amount="25000", party_kind="organisation")


def test_lr7_agree_unblocks_the_decision(hy: Bureau, major_case: Case) -> None:
    reviewed(hy, major_case)
    gate = selectors.decision_gate(major_case)
    assert gate.allowed and gate.opinion is not None
    decision = make_decision(hy, major_case, fine_amount="25000", party_kind="organisation")
    assert decision.record_type == "penalty_decision"
    assert verify(blobs=False).ok


def test_lr7_a_decision_that_itself_crosses_the_threshold_is_refused(hy: Bureau) -> None:
    case = case_in_review(hy, fine_amount="8000")
    make_decision(hy, case, fine_amount="8000", party_kind="organisation")
    with pytest.raises(ValidationError, match=r"拟罚款20000\.00元"):
        make_decision(hy, case, fine_amount="20000", party_kind="organisation")
    # a correction raising the fine is refused too
    decision = Record.objects.get(case=case, record_type="penalty_decision")
    with pytest.raises(ValidationError, match="重大执法决定"):
        correct_record(
            actor=hy.officer,
            record=decision,
            data={**decision.fields, "fine_amount": "30000"},
            reason="更正金额",
        )


def test_lr7_a_minor_case_is_not_held(hy: Bureau) -> None:
    case = case_in_review(hy, party_kind=PartyKind.PERSON, fine_amount="200")
    assert selectors.decision_gate(case).allowed
    make_decision(hy, case, fine_amount="200", party_kind="person")


def test_lr7_an_opinion_counts_only_with_a_legal_reviewers_own_signature(
    hy: Bureau, major_case: Case
) -> None:
    """The department cannot write its own "agree": a typed name is not the reviewer's signature."""
    opinion = create_record(
        actor=hy.officer,
        case=major_case,
        record_type="legal_review_opinion",
        data=record_data("legal_review_opinion", opinion_type="agree"),
        signers=[
            SignerInput(role="reviewer", name="于法"),
            SignerInput(role="reviewer", name="王军", person=hy.officer),
        ],
    )
    with pytest.raises(ValidationError, match="未经法制审核"):
        make_decision(hy, major_case, fine_amount="25000")
    # A paper opinion entered by the department counts once the legal reviewer signs it.
    sign_record(
        actor=hy.reviewer,
        record=opinion,
        signer=SignerInput(role="reviewer", name="于法", person=hy.reviewer),
    )
    make_decision(hy, major_case, fine_amount="25000")


def test_lr7_a_collective_discussion_after_a_disagreement_overrides_it(hy: Bureau, major_case: Case) -> None:
    """Only the LR-6 procedure overrides: a record typed in by the department does not; the
    collective study after the re-review (every attendee's signature, the agency head's in the
    system) does."""
    reviewed(hy, major_case, opinion="correct_law")
    create_record(
        actor=hy.officer,
        case=major_case,
        record_type="collective_discussion",
        data=record_data(
            "collective_discussion", decision="penalty", conclusion="经集体讨论，维持原处理意见。"
        ),
        signers=[
            SignerInput(role="attendee", name="杨局长", person=hy.head),
            *(SignerInput(role="attendee", name=n) for n in ("孙凯", "于法")),
        ],
    )
    assert not selectors.decision_gate(major_case).allowed
    to_collective(hy, major_case)
    gate = selectors.decision_gate(major_case)
    assert gate.allowed and gate.override is not None and "集体研究" in gate.message
    make_decision(hy, major_case, fine_amount="25000")


def _form_post(data: dict[str, Any]) -> dict[str, Any]:
    specs = {s.name: s for s in catalogue().get("penalty_decision").fields}
    post: dict[str, Any] = {"confidentiality": "normal"}
    for name, value in data.items():
        if specs[name].type == "list":
            post[name] = "\n".join(value)
        else:
            post[name] = value
    return post


def test_lr7_the_web_form_refuses_with_the_citation(hy: Bureau, major_case: Case, client: Client) -> None:
    client.force_login(hy.officer)
    response = client.post(
        f"/records/case/{major_case.pk}/new/penalty_decision/",
        _form_post(decision_data(major_case, fine_amount="25000", party_kind="organisation")),
    )
    assert response.status_code == 400
    assert CITATION in response.content.decode()
    reviewed(hy, major_case)
    response = client.post(
        f"/records/case/{major_case.pk}/new/penalty_decision/",
        _form_post(decision_data(major_case, fine_amount="25000", party_kind="organisation")),
    )
    assert response.status_code == 302


def test_lr7_the_api_refuses_with_the_citation(hy: Bureau, major_case: Case, client: Client) -> None:
    client.force_login(hy.officer)
    body = {"record_type": "penalty_decision", "data": decision_data(major_case, fine_amount="25000")}
    response = client.post(
        f"/api/cases/{major_case.pk}/records", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error" and error["message"].endswith(CITATION)
    major = client.get(f"/api/cases/{major_case.pk}/major").json()
    assert major["major"] is True and major["decision_allowed"] is False
    assert major["reasons"][0]["citation"] == "HY-FS 第二条第（一）项"


@pytest.mark.slow
def test_lr7_the_cli_path_refuses_too(tmp_path: Path) -> None:
    """Any command-line script using the services is refused the same way (a fresh LIUHEN_HOME)."""
    script = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
from django.core.exceptions import ValidationError
from liuhen.review.testing import make_bureau, case_in_review, make_decision
b = make_bureau("HY")
case = case_in_review(b, fine_amount="25000")
try:
    make_decision(b, case, fine_amount="25000")
except ValidationError as exc:
    print("REFUSED", exc.messages[0])
"""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIUHEN_")}
    env |= {"LIUHEN_HOME": str(tmp_path), "DJANGO_SETTINGS_MODULE": "liuhen.settings"}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "REFUSED 不能作出行政处罚决定书" in done.stdout and CITATION in done.stdout


def test_dc3_the_agency_head_signs_the_decision_with_time(
    hy: Bureau, major_case: Case, client: Client
) -> None:
    reviewed(hy, major_case)
    decision = create_record(
        actor=hy.officer,
        case=major_case,
        record_type="penalty_decision",
        data=decision_data(major_case, fine_amount="25000"),
    )
    with pytest.raises(PermissionDenied):
        services.sign_decision(actor=hy.officer, record=decision)
    client.force_login(hy.head)
    submission = major_case.review_submissions.get()
    response = client.post(
        f"/review/decisions/{decision.pk}/sign/", {"next": f"/review/{submission.pk}/"}, follow=True
    )
    assert "已签发" in response.content.decode()
    (signature,) = decision.signers.filter(role="head")
    assert signature.person == hy.head and signature.name == "杨局长" and signature.signed_at is not None
    page = response.content.decode()
    assert f"杨局长（{timezone.localtime(signature.signed_at):%Y-%m-%d %H:%M}）" in page
    with pytest.raises(ValidationError, match="已签发"):
        services.sign_decision(actor=hy.head, record=decision)
    # The baseline's head-signature rule (行政处罚法 第五十七条) is met by it.
    from liuhen.policy.selectors import findings_for

    assert "BL-57-head-decides" not in {f.rule_id for f in findings_for(major_case)}
