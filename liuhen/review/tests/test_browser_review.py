"""The reviewer's path in Debian's Chromium (issue #4 point 9): the officer's 行政处罚决定书 is
refused with the citation; the legal reviewer opens the queue, registers receipt, works through
the checklist, issues the "agree" opinion; the officer's decision is then accepted (LR-2..LR-7).

Like the other browser tests it runs a real ``liuhen serve`` in a fresh LIUHEN_HOME with data made
through the services by a small script (an HY agency and one submitted case), not the demo.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from liuhen.core.browser_testing import chromium_browser, prepare, serving
from liuhen.review.testing import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CITATION = "（依据：HY-FS 第二条第（一）项、HY-FS 第十四条）"

SETUP = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
from liuhen.review import services
from liuhen.review.testing import case_in_review, make_bureau
b = make_bureau("HY")
case = case_in_review(b, fine_amount="25000", loss_amount="16800", benchmark_entry="FJ-38-4")
services.submit_for_review(actor=b.officer, case=case, place="基金监管科")
print(case.pk, case.number)
"""

DECISION = {
    "document_no": "海医保罚〔2026〕1号",
    "party": "海阳市康宁大药房有限公司",
    "party_details": "统一社会信用代码 91350100M000100Y43，海阳市方圆街道1号",
    "facts": "将非医保商品串换为医保目录内药品结算。",
    "evidence": "现场笔录\n询问笔录\n医保结算清单",
    "violated_provisions": "《医疗保障基金使用监督管理条例》第十五条第二款",
    "penalty_basis": "《医疗保障基金使用监督管理条例》第三十八条第（四）项",
    "fine_amount": "25000",
    "payment": "十五日内到指定银行缴纳罚款",
    "payment_days": "15",
    "reconsideration_body": "海阳市人民政府",
    "reconsideration_days": "60",
    "court": "海阳市人民法院",
    "litigation_months": "6",
    "decided_on": "2026-10-20",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int, str]]:
    home = tmp_path_factory.mktemp("liuhen-review")
    out = prepare(home, [sys.executable, "-c", SETUP], timeout=300)
    case_id, number = out.strip().splitlines()[-1].split(" ", 1)
    with serving(home) as base:
        yield base, int(case_id), number


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    with chromium_browser() as browser:
        yield browser


def _login(chromium: Any, base: str, username: str) -> tuple[Any, Any]:
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{base}/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/")
    return context, page


def _decide(page: Any, base: str, case_id: int) -> None:
    page.goto(f"{base}/records/case/{case_id}/new/penalty_decision/")
    for name, value in DECISION.items():
        page.fill(f"[name={name}]", value)
    page.check("input[name=penalty_kinds][value=fine]")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def test_reviewer_path_queue_checklist_opinion_unblocks_the_decision(
    server: tuple[str, int, str], chromium: Any
) -> None:
    base, case_id, number = server

    # The officer: the case page says the decision is major and blocked; the form refuses it.
    context, page = _login(chromium, base, "wangjun")
    try:
        page.goto(f"{base}/cases/{case_id}/")
        panel = page.locator("[data-testid=review-panel]")
        assert panel.locator("[data-testid=major]").get_attribute("data-major") == "yes"
        assert "对法人或者其他组织处以20000元以上罚款" in panel.inner_text()
        assert panel.locator("[data-testid=decision-gate]").get_attribute("data-allowed") == "no"
        _decide(page, base, case_id)
        refusal = page.locator("main form ul.errors[role=alert]").inner_text()
        assert (
            refusal.startswith("不能作出行政处罚决定书：本案拟作出的决定属重大执法决定")
            and CITATION in refusal
        )
        assert "/records/case/" in page.url  # still on the form: nothing was saved
    finally:
        context.close()

    # The legal reviewer: queue → receipt → checklist → discretion → opinion.
    context, page = _login(chromium, base, "fazhi")
    try:
        page.get_by_role("link", name="法制审核").click()
        page.wait_for_url(f"{base}/review/")
        row = page.locator("[data-testid=queue-row]").first
        assert row.get_attribute("data-status") == "submitted" and number in row.inner_text()
        row.get_by_role("link", name=number).click()
        page.wait_for_url(re.compile(r"/review/\d+/$"))
        review_url = page.url
        page.fill("#id_place", "法制科")
        page.locator("[data-testid=receive]").click()
        page.wait_for_url(review_url)
        assert page.locator(".msg.success").inner_text() == "已登记收案并出具案卷移交清单。"
        assert re.match(r"海医保法审〔\d{4}〕1号", page.locator("[data-testid=register-no]").inner_text())
        assert "审核期限" in page.locator("[data-testid=due]").inner_text()

        # An opinion before the checklist is refused.
        page.select_option("#id_opinion-opinion_type", "agree")
        page.fill("#id_opinion-text", "同意。")
        page.locator("[data-testid=issue-opinion]").click()
        page.wait_for_url(review_url)
        assert "请先完成审核事项" in page.locator(".msg.error").first.inner_text()

        form = page.locator("[data-testid=checklist-form]")
        for item in ("subject", "facts", "procedure", "law", "characterisation", "content", "discretion"):
            form.locator(f"#id_result_{item}").select_option("ok")
        form.locator("#id_note_facts").fill("事实清楚，证据确凿。")
        page.locator("[data-testid=save-checklist]").click()
        page.wait_for_url(review_url)
        assert page.locator(".msg.success").inner_text() == "审核事项已登记。"

        # The discretion benchmark, prefilled from the investigation report: within the range.
        page.locator("[data-testid=discretion-form] button").click()
        page.wait_for_url(review_url)
        assert page.locator("[data-testid=discretion-result]").get_attribute("data-within") == "yes"

        page.select_option("#id_opinion-opinion_type", "agree")
        page.fill(
            "#id_opinion-text",
            "执法主体合法，事实清楚，证据确凿，程序合法，适用法律正确，处罚幅度适当，同意。",
        )
        page.locator("[data-testid=issue-opinion]").click()
        page.wait_for_url(review_url)
        assert page.locator("[data-testid=opinion]").get_attribute("data-type") == "agree"
        assert page.locator("#decision [data-testid=decision-gate]").get_attribute("data-allowed") == "yes"
    finally:
        context.close()

    # The officer again: the decision is unblocked and saved.
    context, page = _login(chromium, base, "wangjun")
    try:
        page.goto(f"{base}/cases/{case_id}/")
        assert (
            page.locator("[data-testid=review-panel] [data-testid=decision-gate]").get_attribute(
                "data-allowed"
            )
            == "yes"
        )
        _decide(page, base, case_id)
        page.wait_for_url(re.compile(r"/records/\d+/$"))
        assert "已保存：行政处罚决定书" in page.locator(".msg.success").inner_text()
    finally:
        context.close()
