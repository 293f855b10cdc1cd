"""End to end in Debian's Chromium on a phone-sized screen (issue #3 point 4): an officer in the
field opens a case, sees what the rules still require with the citation, sees that the next
stage is blocked and why, clicks it anyway and gets the refusal with the citation (ST-1, IN-1).

Like the other browser tests (``liuhen.core.browser_testing``) it runs a real ``liuhen serve`` in a fresh LIUHEN_HOME; the data
is made by a small script through the services (a YC-pack agency and one case), so the test does
not depend on the demo data set.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from liuhen.core.browser_testing import chromium_browser, prepare, serving

pytestmark = [pytest.mark.browser, pytest.mark.slow]

USERNAME, PASSWORD = "maqiang", "field-test-pw-2026"
CITATION = "YC 第四条第（四）项"

SETUP = f"""
import django
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
from liuhen.cases.services import PartyInput, open_case
from liuhen.org.services import create_agency, create_department, create_person
agency = create_agency(actor=None, name="盐池县医疗保障局", short_name="盐医保", policy_pack="YC")
dept = create_department(actor=None, agency=agency, name="基金监管股")
people = [
    create_person(actor=None, username=username, full_name=name, password={PASSWORD!r}, agency=agency,
                  department=dept, roles=["officer"], certificate_no=cert)
    for username, name, cert in (({USERNAME!r}, "马强", "64010000000011"), ("dingli", "丁丽", "64010000000012"))
]
case = open_case(actor=people[0], department=dept, title="某大药房涉嫌串换药品案", case_type="penalty",
                 procedure="general", source="ex_officio", handlers=people,
                 parties=[PartyInput(kind="organisation", name="盐池县某大药房", uscc="91350100M000100Y43")])
print(case.pk)
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    home = tmp_path_factory.mktemp("liuhen-field")
    case_id = int(prepare(home, [sys.executable, "-c", SETUP], timeout=300).strip().splitlines()[-1])
    with serving(home) as base:
        yield base, case_id


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    with chromium_browser() as browser:
        yield browser


def _no_horizontal_overflow(page: Any) -> None:
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page is {overflow}px wider than the phone screen"


def test_officer_on_a_phone_sees_the_checklist_and_the_refusal_with_citation(
    server: tuple[str, int], chromium: Any
) -> None:
    base, case_id = server
    context = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(f"{base}/")
        page.fill("#id_username", USERNAME)
        page.fill("#id_password", PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(f"{base}/")
        assert page.locator("#deadline-panel").is_visible()
        page.locator(".caselist a.caselink").first.click()
        page.wait_for_url(re.compile(rf"/cases/{case_id}/$"))
        _no_horizontal_overflow(page)

        # The checklist: what the rules still require here, with the citation and the fix.
        checklist = page.locator("#checklist")
        assert checklist.get_by_role("heading", name="规则要求（本阶段尚需）").is_visible()
        item = checklist.locator('[data-rule="YC-4-4-filing-approval"]')
        assert item.is_visible()
        assert "阻断" in item.inner_text()
        assert item.locator("[data-testid=citation]").inner_text() == f"依据：{CITATION}"
        assert item.get_by_role("link", name="立案审批表", exact=True).is_visible()

        # The next-stage button says it is blocked, and why, before anyone clicks.
        button = page.locator("[data-testid=action-investigation]")
        button.scroll_into_view_if_needed()
        assert "（受阻）" in button.inner_text()
        why = page.locator("[data-testid=why-investigation]")
        assert why.is_visible() and f"（依据：{CITATION}）" in why.inner_text()
        box = button.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390

        # Clicking it anyway: the refusal comes back as a message with the citation, not an error page.
        page.fill("#id_reason", "现场检查发现问题，开始调查")
        button.click()
        page.wait_for_url(re.compile(rf"/cases/{case_id}/$"))
        message = page.locator(".msg.error")
        assert message.is_visible()
        box = message.bounding_box()
        assert box is not None and 0 <= box["y"] < 844, "the refusal must be on screen, not scrolled away"
        text = message.inner_text()
        assert text.startswith("不能进入“调查取证”：") and f"（依据：{CITATION}）" in text
        assert page.locator(".casehead .badge").first.inner_text() == "程序启动"
        _no_horizontal_overflow(page)
    finally:
        context.close()
