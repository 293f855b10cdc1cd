"""The case page tells the officer what the rules still require, shows beforehand why a stage
change is blocked, and shows a refusal with its citations; the API returns the refusal as a
structured ``transition_not_allowed`` error (issue #3 point 4; ST-1, IN-1, LR-7, AV-1)."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from liuhen.cases.models import Case, CaseType, PartyKind, Procedure, Source, Stage
from liuhen.cases.services import PartyInput, change_stage, open_case
from liuhen.conftest import SAMPLE_USCC, Org, login
from liuhen.core.testing import record_data
from liuhen.ledger.verify import verify
from liuhen.org.models import Role
from liuhen.org.services import create_agency, create_department, create_person
from liuhen.policy.selectors import findings_for
from liuhen.records.catalogue import catalogue
from liuhen.records.services import create_record

pytestmark = pytest.mark.django_db

FILING_RULE = "YC-4-4-filing-approval"
FILING_CITATION = "YC 第四条第（四）项"


class Yc:
    """A county healthcare-security bureau under the YC pack, with two officers and a reader."""

    def __init__(self) -> None:
        self.agency = create_agency(
            actor=None, name="盐池县医疗保障局", short_name="盐医保", policy_pack="YC"
        )
        self.dept = create_department(actor=None, agency=self.agency, name="基金监管股")
        legal = create_department(actor=None, agency=self.agency, name="法制股", is_legal_office=True)
        self.officer = create_person(
            actor=None,
            username="yc1",
            full_name="马强",
            password="x" * 12,
            agency=self.agency,
            department=self.dept,
            roles=[Role.OFFICER],
            certificate_no="64010000000011",
        )
        self.officer2 = create_person(
            actor=None,
            username="yc2",
            full_name="丁丽",
            password="x" * 12,
            agency=self.agency,
            department=self.dept,
            roles=[Role.OFFICER],
            certificate_no="64010000000012",
        )
        self.reviewer = create_person(
            actor=None,
            username="yclegal",
            full_name="白云",
            password="x" * 12,
            agency=self.agency,
            department=legal,
            roles=[Role.LEGAL_REVIEWER],
            certificate_no=None,
        )

    def case(self, case_type: str = CaseType.PENALTY) -> Case:
        return open_case(
            actor=self.officer,
            department=self.dept,
            title="某药店涉嫌串换药品案",
            case_type=case_type,
            procedure=Procedure.GENERAL,
            source=Source.EX_OFFICIO,
            handlers=[self.officer, self.officer2],
            parties=[PartyInput(kind=PartyKind.ORGANISATION, name="盐池县某大药房", uscc=SAMPLE_USCC)],
        )

    def approve_filing(self, case: Case) -> None:
        create_record(
            actor=self.officer,
            case=case,
            record_type="filing_approval",
            data=record_data("filing_approval", received_on="2026-03-02", approved_on="2026-03-03"),
        )


@pytest.fixture
def yc(db: None) -> Yc:
    return Yc()


def _page(client: Client, case: Case) -> str:
    response = client.get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _section(page: str, element_id: str) -> str:
    match = re.search(rf'<section[^>]*id="{element_id}".*?</section>', page, re.S)
    assert match, f"section #{element_id} missing"
    return match.group(0)


def test_in_1_checklist_lists_what_the_stage_still_requires(client: Client, yc: Yc) -> None:
    case = yc.case()
    login(client, yc.officer)
    checklist = _section(_page(client, case), "checklist")
    assert "规则要求（本阶段尚需）" in checklist
    assert f'data-rule="{FILING_RULE}"' in checklist
    item = re.search(rf'<li[^>]*data-rule="{FILING_RULE}".*?</li>', checklist, re.S)
    assert item is not None
    line = item.group(0)
    assert "阻断" in line and "待补" in line
    assert "一般程序案件应当有立案审批表（或不予立案审批表）等内部程序审批记录。" in line
    assert f"依据：{FILING_CITATION}" in line
    # The record type that satisfies it, by its catalogue label, linked to its add-record form.
    label = catalogue().get("filing_approval").name
    url = reverse("records:create", args=[case.pk, "filing_approval"])
    assert f'<a href="{url}" data-testid="add-filing_approval">{label}</a>' in line
    assert "其中 <strong" in checklist  # "…项阻断进入下一阶段"


def test_st_1_button_shows_the_block_and_why_before_clicking(client: Client, yc: Yc) -> None:
    case = yc.case()
    login(client, yc.officer)
    actions = _section(_page(client, case), "stage-actions")
    button = re.search(r'<button[^>]*data-testid="action-investigation"[^>]*>(.*?)</button>', actions, re.S)
    assert button is not None and "（受阻）" in button.group(1) and 'class="blocked"' in button.group(0)
    why = re.search(r'<ul class="why" id="why-investigation".*?</ul>', actions, re.S)
    assert why is not None and f"（依据：{FILING_CITATION}）" in why.group(0)
    # Once the filing approval is on file, nothing blocks the button and the checklist is clear.
    yc.approve_filing(case)
    page = _page(client, case)
    checklist = _section(page, "checklist")
    assert f'data-rule="{FILING_RULE}"' not in checklist and "项阻断" not in checklist
    actions = _section(page, "stage-actions")
    assert 'data-testid="action-investigation"' in actions and "（受阻）" not in actions


def test_st_1_refused_transition_shows_the_citation_as_a_message(client: Client, yc: Yc) -> None:
    case = yc.case()
    login(client, yc.officer)
    response = client.post(
        reverse("cases:stage", args=[case.pk]), {"to_stage": Stage.INVESTIGATION, "reason": "开始调查"}
    )
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    message = re.search(r'<li class="msg error"[^>]*>(.*?)</li>', text, re.S)
    assert message is not None
    shown = html.unescape(message.group(1))
    assert shown.startswith("不能进入“调查取证”：")
    assert f"（依据：{FILING_CITATION}）" in shown
    case.refresh_from_db()
    assert case.stage == Stage.INITIATION
    # After the requirement is met the same click goes through.
    yc.approve_filing(case)
    ok = client.post(
        reverse("cases:stage", args=[case.pk]), {"to_stage": Stage.INVESTIGATION, "reason": "开始调查"}
    )
    assert ok.status_code == 302
    case.refresh_from_db()
    assert case.stage == Stage.INVESTIGATION
    assert verify(blobs=False).ok


def test_av_1_findings_of_other_stages_are_collapsed_below(client: Client, yc: Yc) -> None:
    """An inspection case moved on without its plan/notice (warnings): those findings belong to
    程序启动 and are listed in the collapsed part; the current stage's own list stays on top."""
    case = yc.case(CaseType.INSPECTION)
    yc.approve_filing(case)
    case = change_stage(actor=yc.officer, case=case, to_stage=Stage.INVESTIGATION, reason="开始检查")
    findings = findings_for(case)
    elsewhere = [f for f in findings if f.stage not in (case.stage, "")]
    here = [f for f in findings if f.stage in (case.stage, "")]
    assert elsewhere, "the packs should report findings of 程序启动 for this case"
    login(client, yc.officer)
    checklist = _section(_page(client, case), "checklist")
    top, _, collapsed = checklist.partition('<details class="other-findings">')
    assert collapsed, "other stages must be inside a <details> element"
    assert f"其他阶段的规则提示（{len(elsewhere)} 项）" in collapsed
    assert "<h3>程序启动</h3>" in collapsed
    for f in elsewhere:
        assert f'data-rule="{f.rule_id}"' in collapsed and f'data-rule="{f.rule_id}"' not in top
    for f in here:
        assert f'data-rule="{f.rule_id}"' in top


def test_reader_sees_the_checklist_but_no_links_or_buttons(client: Client, yc: Yc) -> None:
    case = yc.case()
    login(client, yc.reviewer)
    page = _page(client, case)
    checklist = _section(page, "checklist")
    assert f"依据：{FILING_CITATION}" in checklist
    assert 'data-testid="add-' not in checklist and catalogue().get("filing_approval").name in checklist
    assert "变更阶段" not in page and 'data-testid="action-' not in page


def _post(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data, content_type="application/json")


def test_st_1_api_refusal_is_structured_with_findings(client: Client, yc: Yc) -> None:
    case = yc.case()
    login(client, yc.officer)
    response = _post(
        client, f"/api/cases/{case.pk}/stage", {"to_stage": "investigation", "reason": "开始调查"}
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "transition_not_allowed"
    assert error["message"].startswith("不能进入“调查取证”：")
    assert f"（依据：{FILING_CITATION}）" in error["message"]
    assert error["findings"] == [
        {
            "rule_id": FILING_RULE,
            "citation": FILING_CITATION,
            "message": "一般程序案件应当有立案审批表（或不予立案审批表）等内部程序审批记录。",
            "severity": "blocking",
            "status": "missing",
            "requirement_ids": error["findings"][0]["requirement_ids"],
        }
    ]
    assert error["findings"][0]["requirement_ids"], "the rule cites its requirement IDs"
    # A built-in refusal (stage order) has the same code and an empty findings list.
    skip = _post(client, f"/api/cases/{case.pk}/stage", {"to_stage": "closing"})
    assert skip.status_code == 400
    assert skip.json()["error"]["code"] == "transition_not_allowed"
    assert skip.json()["error"]["findings"] == []
    # Other validation errors carry no findings key at all.
    bad = _post(client, f"/api/cases/{case.pk}/stage", {"to_stage": "nowhere"})
    assert bad.json()["error"]["code"] == "validation_error" and "findings" not in bad.json()["error"]


def test_baseline_case_page_without_findings(client: Client, org: Org, case_a: Case) -> None:
    login(client, org.officer_a1)
    page = _page(client, case_a)
    assert "“程序启动”阶段的规则要求均已满足。" in _section(page, "checklist")
    assert "本案目前没有正在计算或已完成的法定期限。" in _section(page, "deadlines")
    assert 'data-testid="action-investigation"' in page and "（受阻）" not in _section(page, "stage-actions")
