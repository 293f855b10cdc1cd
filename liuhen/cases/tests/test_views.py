"""Staff web UI for cases: login, dashboard, list (search, filters, pagination), case page,
stage changes and opening a case (issue #2 point 10; ST-1, ST-2, IN-1..3)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from liuhen.cases.models import Branch, Case, CaseType, Stage, StageChange
from liuhen.cases.services import change_stage
from liuhen.conftest import PASSWORD, SAMPLE_RESIDENT_ID, SAMPLE_USCC, Org, login, make_case
from liuhen.ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hasher(settings: object) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


def _text(response: object) -> str:
    return response.content.decode("utf-8")  # type: ignore[attr-defined]


def _result_count(response: object) -> int:
    match = re.search(r'data-testid="result-count">(\d+)<', _text(response))
    assert match, "result count missing"
    return int(match.group(1))


# --- login ---------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_the_chinese_login_page(client: Client, org: Org) -> None:
    response = client.get(reverse("cases:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("org:login"))
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "登录留痕" in _text(page) and "用户名" in _text(page) and "密码" in _text(page)


def test_login_with_password_then_logout(client: Client, org: Org) -> None:
    bad = client.post(reverse("org:login"), {"username": "a1", "password": "wrong-password"})
    assert bad.status_code == 200
    assert "用户名或密码错误" in _text(bad)
    ok = client.post(reverse("org:login"), {"username": "a1", "password": PASSWORD})
    assert ok.status_code == 302 and ok["Location"] == reverse("cases:dashboard")
    assert client.get(reverse("cases:dashboard")).status_code == 200
    out = client.post(reverse("org:logout"))
    assert out.status_code == 302
    assert client.get(reverse("cases:dashboard")).status_code == 302


# --- dashboard -----------------------------------------------------------------------------------


def test_dashboard_counts_my_cases_by_stage(client: Client, org: Org) -> None:
    first = make_case(org, title="甲药房案")
    make_case(org, title="乙药房案")
    change_stage(actor=org.officer_a1, case=first, to_stage=Stage.INVESTIGATION, reason="已立案")
    make_case(org, dept="b", title="丙诊所案")
    login(client, org.officer_a1)
    response = client.get(reverse("cases:dashboard"))
    assert response.status_code == 200
    counts = {label: n for _stage, label, n in response.context["mine_counts"]}
    assert counts["程序启动"] == 1 and counts["调查取证"] == 1 and counts["审查决定"] == 0
    assert response.context["mine_total"] == 2
    text = _text(response)
    assert "甲药房案" in text and "乙药房案" in text and "丙诊所案" not in text


def test_dashboard_of_a_head_shows_the_whole_scope(client: Client, org: Org) -> None:
    make_case(org)
    make_case(org, dept="b")
    login(client, org.agency_head)
    response = client.get(reverse("cases:dashboard"))
    assert response.context["mine_total"] == 0
    assert response.context["visible_total"] == 2
    assert "本人可查看的全部案件" in _text(response)


# --- list ----------------------------------------------------------------------------------------


def test_list_searches_number_title_and_party(client: Client, org: Org) -> None:
    a = make_case(org, title="康宁大药房串换药品案")
    make_case(org, title="仁和诊所虚构服务案")
    login(client, org.officer_a1)
    url = reverse("cases:list")
    assert _result_count(client.get(url)) == 2
    assert _result_count(client.get(url, {"q": "仁和"})) == 1
    assert _result_count(client.get(url, {"q": a.number})) == 1
    # Both cases have the party made by make_case.
    assert _result_count(client.get(url, {"q": "康宁大药房有限公司"})) == 2
    assert _result_count(client.get(url, {"q": "不存在的名称"})) == 0


def test_list_filters_stage_type_and_department(client: Client, org: Org) -> None:
    a = make_case(org)
    make_case(org)
    make_case(org, dept="b")
    change_stage(actor=org.officer_a1, case=a, to_stage=Stage.INVESTIGATION, reason="立案")
    login(client, org.agency_head)
    url = reverse("cases:list")
    assert _result_count(client.get(url)) == 3
    assert _result_count(client.get(url, {"stage": Stage.INVESTIGATION})) == 1
    assert _result_count(client.get(url, {"stage": Stage.INITIATION})) == 2
    assert _result_count(client.get(url, {"case_type": CaseType.PENALTY})) == 3
    assert _result_count(client.get(url, {"case_type": CaseType.LICENSING})) == 0
    assert _result_count(client.get(url, {"department": org.dept_b.pk})) == 1
    assert _result_count(client.get(url, {"department": org.dept_a.pk, "stage": Stage.INITIATION})) == 1


def test_list_only_shows_what_the_person_may_see(client: Client, org: Org) -> None:
    make_case(org, title="甲科室案")
    make_case(org, dept="b", title="乙科室案")
    login(client, org.officer_b1)
    response = client.get(reverse("cases:list"))
    assert _result_count(response) == 1
    assert "乙科室案" in _text(response) and "甲科室案" not in _text(response)


def test_list_paginates_and_keeps_filters(client: Client, org: Org) -> None:
    for i in range(23):
        make_case(org, title=f"分页测试案{i:02d}")
    login(client, org.officer_a1)
    url = reverse("cases:list")
    first = client.get(url, {"q": "分页测试"})
    assert first.context["page"].paginator.num_pages == 2
    assert len(first.context["page"].object_list) == 20
    assert "q=%E5%88%86%E9%A1%B5%E6%B5%8B%E8%AF%95&amp;page=2" in _text(first)
    second = client.get(url, {"q": "分页测试", "page": 2})
    assert len(second.context["page"].object_list) == 3
    assert "分页测试案00" in _text(second)  # oldest last
    assert client.get(url, {"page": "abc"}).status_code == 200


# --- case page and stage changes -------------------------------------------------------------------


def test_case_page_shows_header_handlers_parties_and_timeline(client: Client, org: Org, case_a: Case) -> None:
    login(client, org.officer_a2)
    response = client.get(reverse("cases:detail", args=[case_a.pk]))
    assert response.status_code == 200
    text = _text(response)
    for expected in (
        case_a.number,
        case_a.title,
        "行政处罚",
        "一般程序",
        "依职权",
        "测试县康宁大药房有限公司",
        SAMPLE_USCC,
        "64000000000001",
        "64000000000002",
        "（主办）",
        "立案登记，阶段",
        "新建记录",
    ):
        assert expected in text, expected


def test_stage_change_needs_a_reason_and_is_recorded(client: Client, org: Org, case_a: Case) -> None:
    login(client, org.officer_a1)
    url = reverse("cases:stage", args=[case_a.pk])
    missing = client.post(url, {"to_stage": Stage.INVESTIGATION, "reason": ""})
    assert missing.status_code == 400
    assert "请填写理由" in _text(missing)
    ok = client.post(url, {"to_stage": Stage.INVESTIGATION, "reason": "经审批立案"})
    assert ok.status_code == 302
    case_a.refresh_from_db()
    assert case_a.stage == Stage.INVESTIGATION
    change = StageChange.objects.filter(case=case_a).last()
    assert change is not None and change.reason == "经审批立案" and change.actor == org.officer_a1
    page = client.get(reverse("cases:detail", args=[case_a.pk]))
    assert "经审批立案" in _text(page) and "进入 <strong>调查取证</strong>" in _text(page)


def test_stage_change_not_allowed_is_a_chinese_error(client: Client, org: Org, case_a: Case) -> None:
    login(client, org.officer_a1)
    url = reverse("cases:stage", args=[case_a.pk])
    skip = client.post(url, {"to_stage": Stage.SERVICE, "reason": "跳过"})
    assert skip.status_code == 400
    assert "选项" in _text(skip) or "不能" in _text(skip)
    change_stage(actor=org.officer_a1, case=case_a, to_stage=Stage.INVESTIGATION, reason="立案")
    # 不予立案 is not possible during investigation: the service's TransitionError is shown on the
    # case page as a message (post/redirect/get), not as a server error.
    refused = client.post(url, {"branch": Branch.NOT_FILED, "reason": "不符合立案条件"})
    assert refused.status_code == 302
    assert refused["Location"] == reverse("cases:detail", args=[case_a.pk])
    assert "“调查取证”阶段不能不予立案" in _text(client.get(refused["Location"]))
    both = client.post(url, {"to_stage": Stage.REVIEW, "branch": Branch.REVOKED, "reason": "x"})
    assert "二选一" in _text(both)
    case_a.refresh_from_db()
    assert case_a.stage == Stage.INVESTIGATION and case_a.branch == ""


def test_branch_with_reason_ends_the_case(client: Client, org: Org, case_a: Case) -> None:
    login(client, org.officer_a1)
    response = client.post(
        reverse("cases:stage", args=[case_a.pk]), {"branch": Branch.TRANSFERRED, "reason": "不属本机关管辖"}
    )
    assert response.status_code == 302
    case_a.refresh_from_db()
    assert case_a.branch == Branch.TRANSFERRED
    page = client.get(reverse("cases:detail", args=[case_a.pk]))
    assert "移送管辖" in _text(page)
    assert "新建记录" not in _text(page) and "变更阶段" not in _text(page)


def test_reader_without_write_right_cannot_change_stage(client: Client, org: Org, case_a: Case) -> None:
    login(client, org.legal_reviewer)
    page = client.get(reverse("cases:detail", args=[case_a.pk]))
    assert page.status_code == 200 and "变更阶段" not in _text(page)
    response = client.post(
        reverse("cases:stage", args=[case_a.pk]),
        {"to_stage": Stage.INVESTIGATION, "reason": "x"},
        follow=True,
    )
    assert "只有本案承办人员或科室负责人可以变更阶段" in _text(response)
    case_a.refresh_from_db()
    assert case_a.stage == Stage.INITIATION


# --- opening a case ----------------------------------------------------------------------------------


def _open_data(org: Org, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "department": org.dept_a.pk,
        "title": "某药店涉嫌串换药品案",
        "case_type": CaseType.PENALTY,
        "procedure": "general",
        "source": "complaint",
        "summary": "群众举报。",
        "handlers": [org.officer_a1.pk, org.officer_a2.pk],
        "party-TOTAL_FORMS": "2",
        "party-INITIAL_FORMS": "0",
        "party-MIN_NUM_FORMS": "1",
        "party-MAX_NUM_FORMS": "10",
        "party-0-kind": "organisation",
        "party-0-name": "测试县某药店有限公司",
        "party-0-uscc": SAMPLE_USCC,
        "party-1-kind": "person",
        "party-1-name": "王某",
        "party-1-id_number": SAMPLE_RESIDENT_ID,
    }
    data.update(overrides)
    return data


def test_open_case_form_renders(client: Client, org: Org) -> None:
    login(client, org.officer_a1)
    response = client.get(reverse("cases:open"))
    assert response.status_code == 200
    text = _text(response)
    assert "立案登记" in text and "统一社会信用代码" in text and "执法证号 64000000000002" in text


def test_open_case_creates_case_with_parties_and_handlers(client: Client, org: Org) -> None:
    login(client, org.officer_a2)
    response = client.post(reverse("cases:open"), _open_data(org))
    assert response.status_code == 302
    case = Case.objects.get(title="某药店涉嫌串换药品案")
    assert response["Location"] == reverse("cases:detail", args=[case.pk])
    assert case.number == f"测医保罚〔{case.year}〕{case.sequence}号"
    assert sorted(p.name for p in case.parties.all()) == ["测试县某药店有限公司", "王某"]
    lead = case.handlers.get(is_lead=True)
    assert lead.person == org.officer_a2  # the person opening the case leads when among the handlers
    assert LedgerEntry.objects.filter(action="case.open", case_id=case.pk).exists()


def test_open_case_with_invalid_resident_id_shows_chinese_error(client: Client, org: Org) -> None:
    login(client, org.officer_a1)
    bad_id = SAMPLE_RESIDENT_ID[:-1] + "3"
    response = client.post(reverse("cases:open"), _open_data(org, **{"party-1-id_number": bad_id}))
    assert response.status_code == 400
    assert "身份证号码校验位不正确" in _text(response)
    assert not Case.objects.exists()


def test_open_case_with_invalid_uscc_and_missing_fields(client: Client, org: Org) -> None:
    login(client, org.officer_a1)
    response = client.post(
        reverse("cases:open"),
        _open_data(org, **{"party-0-uscc": "91350100M000100Y44", "party-1-id_number": "", "title": ""}),
    )
    assert response.status_code == 400
    text = _text(response)
    assert "统一社会信用代码" in text and "校验" in text
    assert "自然人当事人须填写身份证号码" in text
    assert not Case.objects.exists()


def test_open_case_needs_two_handlers(client: Client, org: Org) -> None:
    login(client, org.officer_a1)
    response = client.post(reverse("cases:open"), _open_data(org, handlers=[org.officer_a1.pk]))
    assert response.status_code == 400
    assert "承办人员不得少于两人" in _text(response)
    assert not Case.objects.exists()


def test_open_case_only_in_own_department(client: Client, org: Org) -> None:
    login(client, org.officer_a1)
    response = client.post(reverse("cases:open"), _open_data(org, department=org.dept_b.pk))
    assert response.status_code == 400
    assert not Case.objects.exists()
    login(client, org.auditor)
    assert client.get(reverse("cases:open")).status_code == 403
