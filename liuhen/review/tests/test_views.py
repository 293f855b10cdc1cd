"""The pages: the workspace is the legal office's and the agency head's, a review page shows
every part of the round, the nav line."""

from __future__ import annotations

from django.test import Client

from liuhen.cases.models import Case
from liuhen.review import services
from liuhen.review.testing import Bureau, make_decision, reviewed


def test_nav_line_for_the_legal_office_and_the_head(hy: Bureau, client: Client) -> None:
    for person, shown in ((hy.reviewer, True), (hy.head, True), (hy.officer, False)):
        client.force_login(person)
        assert ('href="/review/"' in client.get("/").content.decode()) is shown


def test_review_page_shows_the_whole_round(hy: Bureau, major_case: Case, client: Client) -> None:
    submission, receipt = reviewed(hy, major_case)
    services.register_return(actor=hy.reviewer, receipt=receipt, received_by=hy.officer, place="法制科")
    make_decision(hy, major_case, fine_amount="25000")
    client.force_login(hy.head)
    page = client.get(f"/review/{submission.pk}/").content.decode()
    for text in (
        receipt.register_no,
        "案卷移交清单",
        "（审核后退还）",
        "执法主体是否合法",
        'data-type="agree"',
        'data-testid="returned"',
        'data-allowed="yes"',
        "机关负责人签发",
        "下载留存资料",
    ):
        assert text in page, text
    client.force_login(hy.officer)
    page = client.get(f"/review/{submission.pk}/").content.decode()
    assert "机关负责人签发" not in page and "下载留存资料" not in page


def test_case_page_links_the_current_round(hy: Bureau, major_case: Case, client: Client) -> None:
    submission = services.submit_for_review(actor=hy.officer, case=major_case, place="基金监管科")
    client.force_login(hy.officer)
    page = client.get(f"/cases/{major_case.pk}/").content.decode()
    assert f'href="/review/{submission.pk}/"' in page and "待登记收案" in page
    assert 'data-testid="submit-review"' not in page
