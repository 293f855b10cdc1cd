"""End to end in Debian's Chromium (issue #2 point 13): login → case → new record → upload with the
progress bar → the evidence page shows the SM3 digest computed here; and the case page fits a phone.

The server is the real thing: ``liuhen demo`` then ``liuhen serve`` in a fresh LIUHEN_HOME (not
Django's live_server, whose flush the write-once triggers refuse). Chromium is /usr/bin/chromium;
no ``playwright install``.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from liuhen.core.browser_testing import chromium_browser, liuhen_command, prepare, serving

USERNAME, PASSWORD = "zhangwei", "demo1234"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    home = tmp_path_factory.mktemp("liuhen-home")
    prepare(home, [liuhen_command(), "demo"], timeout=900)
    with serving(home) as base:
        yield base


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    with chromium_browser() as browser:
        yield browser


def _login(page: Any, server: str) -> None:
    page.goto(f"{server}/")
    assert "/accounts/login/" in page.url
    page.fill("#id_username", USERNAME)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{server}/")
    assert page.locator("h1").first.inner_text() == "我的案件"


def _png_bytes() -> bytes:
    from PIL import Image

    image = Image.new("RGB", (64, 48), (200, 40, 30))
    for x in range(64):
        image.putpixel((x, x % 48), (x * 4, 255 - x * 4, (x * 37) % 256))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _first_open_case_url(page: Any, server: str) -> str:
    link = page.locator(".caselist a.caselink").first
    href: str = link.get_attribute("href")
    assert re.fullmatch(r"/cases/\d+/", href), href
    return server + href


def test_login_case_upload_evidence_digest(server: str, chromium: Any, tmp_path: Path) -> None:
    context = chromium.new_context(locale="zh-CN")
    page = context.new_page()
    try:
        _login(page, server)
        page.locator(".caselist a.caselink").first.click()
        page.wait_for_url(re.compile(r"/cases/\d+/$"))
        assert "承办人员" in page.content() and "执法证号" in page.content()
        assert page.locator(".stages li.current").count() == 1

        page.get_by_role("link", name="新建记录").click()
        page.wait_for_url(re.compile(r"/records/case/\d+/new/$"))
        photo = page.get_by_role("link", name="现场照片", exact=True)
        if not photo.is_visible():
            page.get_by_text("其他记录类型").click()
        photo.click()
        page.fill("#id_description", "浏览器测试：现场照片")
        page.get_by_role("button", name="保存").click()
        page.wait_for_url(re.compile(r"/records/\d+/$"))
        assert "浏览器测试：现场照片" in page.content()

        content = _png_bytes()
        upload = tmp_path / "现场照片.png"
        upload.write_bytes(content)
        page.set_input_files("[data-testid=file-input]", str(upload))
        page.locator("[data-testid=upload-submit]").click()
        page.wait_for_url(re.compile(r"/evidence/\d+/$"), timeout=60_000)

        expected_sm3 = hashlib.new("sm3", content).hexdigest()
        assert page.locator("[data-testid=sm3]").inner_text().strip() == expected_sm3
        assert (
            page.locator("[data-testid=sha256]").inner_text().strip() == hashlib.sha256(content).hexdigest()
        )
        assert page.locator("[data-testid=filename]").inner_text() == "现场照片.png"
        # The preview is served inline through the logged download view and actually decodes.
        page.wait_for_function(
            "() => { const i = document.querySelector('.preview img'); return i && i.naturalWidth === 64; }"
        )
        assert page.get_by_text("文件入库").count() >= 1 and page.get_by_text("添加附件").count() >= 1
    finally:
        context.close()


def test_upload_progress_bar_appears_with_javascript(server: str, chromium: Any, tmp_path: Path) -> None:
    """The XHR path: a <progress> element is shown and reaches 100 before the redirect."""
    context = chromium.new_context(locale="zh-CN")
    page = context.new_page()
    try:
        _login(page, server)
        page.goto(_first_open_case_url(page, server))
        page.get_by_role("link", name="新建记录").click()
        photo = page.get_by_role("link", name="现场照片", exact=True)
        if not photo.is_visible():
            page.get_by_text("其他记录类型").click()
        photo.click()
        page.fill("#id_description", "进度条测试")
        page.get_by_role("button", name="保存").click()
        page.wait_for_url(re.compile(r"/records/\d+/$"))
        big = tmp_path / "big.jpg"
        big.write_bytes(os.urandom(3 * 1024 * 1024))
        # Progress values are kept in sessionStorage, which outlives the redirect to the evidence page.
        page.evaluate(
            """() => {
                const bar = document.querySelector('[data-testid=upload-progress]');
                const seen = [];
                new MutationObserver(() => {
                    seen.push({value: bar.value, shown: !bar.parentElement.hidden});
                    sessionStorage.setItem('progress', JSON.stringify(seen));
                }).observe(bar, {attributes: true});
            }"""
        )
        page.set_input_files("[data-testid=file-input]", str(big))
        page.locator("[data-testid=upload-submit]").click()
        page.wait_for_url(re.compile(r"/evidence/\d+/$"), timeout=60_000)
        digest = hashlib.new("sm3", big.read_bytes()).hexdigest()
        assert page.locator("[data-testid=sm3]").inner_text().strip() == digest
        seen = page.evaluate("() => JSON.parse(sessionStorage.getItem('progress') || '[]')")
        assert seen and all(item["shown"] for item in seen)
        assert seen[-1]["value"] == 100
    finally:
        context.close()


@pytest.mark.parametrize("path_kind", ["dashboard", "case", "list"])
def test_phone_width_has_no_horizontal_overflow(server: str, chromium: Any, path_kind: str) -> None:
    context = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="zh-CN")
    page = context.new_page()
    try:
        _login(page, server)
        if path_kind == "case":
            page.goto(_first_open_case_url(page, server))
        elif path_kind == "list":
            page.goto(f"{server}/cases/")
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path_kind} page is {overflow}px wider than the phone screen"
        assert page.evaluate("() => document.documentElement.clientWidth") == 390
    finally:
        context.close()
