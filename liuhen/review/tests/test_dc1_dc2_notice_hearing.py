"""DC-1 (advance notice, statement and defence, waiver) and DC-2 (hearing) — WD 第十五条、第十六条,
HY-JL 第十条、第十一条, 行政处罚法 第六十四条 (periods in working days, 第八十五条) on the real 2026
calendar: 国庆节 10月1日—7日 off, Saturday 10月10日 a make-up working day."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.test import TestCase

from liuhen.cases.models import Case
from liuhen.core.testing import record_data
from liuhen.policy.selectors import findings_for
from liuhen.records.models import SignerRole
from liuhen.records.services import FileInput, SignerInput, create_record
from liuhen.review import services
from liuhen.review.testing import Bureau, case_in_review, make_bureau

SH = ZoneInfo("Asia/Shanghai")


def _notice(b: Bureau, case: Case, *, issued_on: date = date(2026, 9, 29)) -> object:
    return services.issue_advance_notice(
        actor=b.officer,
        case=case,
        document_no="海医保罚告〔2026〕3号",
        facts="当事人于2026年5月将目录外药品串换为目录内药品结算，涉及医保基金16800元。",
        evidence=["医保结算清单", "进货票据", "询问笔录"],
        legal_basis="《医疗保障基金使用监督管理条例》第三十八条第（四）项",
        proposed_decision="责令退回医保基金16800元，处罚款25000元。",
        channel="可在期限内到基金监管科口头或书面陈述、申辩，联系人王军，电话0535-0000000。",
        deadline_days=5,
        issued_on=issued_on,
        rights=("statement", "defence", "hearing"),
        proposed_amount=Decimal("25000"),
        recipient=SignerInput(role=SignerRole.RECIPIENT, name="张经理", note="法定代表人"),
    )


def test_dc_1_advance_notice_states_decision_facts_evidence_law_channel_and_deadline(
    hy: Bureau, major_case: Case
) -> None:
    record = _notice(hy, major_case)
    data = record.fields  # type: ignore[attr-defined]
    assert data["proposed_decision"].startswith("责令退回") and data["facts"] and data["legal_basis"]
    assert data["evidence"] == ["医保结算清单", "进货票据", "询问笔录"]
    assert "联系人" in data["channel"] and data["deadline_days"] == 5
    # Five working days from Tuesday 29 September 2026: 30 Sep, 8, 9, 10 (make-up Saturday), 12 Oct.
    assert data["statement_deadline"] == "2026-10-12"
    assert data["party"] == "海阳市康宁大药房有限公司"


def test_dc_1_oral_statement_records_what_was_adopted_and_why(hy: Bureau, major_case: Case) -> None:
    at = datetime(2026, 10, 9, 14, 30, tzinfo=SH)
    with pytest.raises(ValidationError, match="事先告知书"):
        services.record_statement(
            actor=hy.officer,
            case=major_case,
            form="oral",
            held_at=at,
            place="基金监管科",
            speaker="张经理（法定代表人）",
            content="系初次违法，请求从轻。",
            adoption="partly",
            reasons="积极整改属实，从轻处罚。",
        )
    _notice(hy, major_case)
    with pytest.raises(ValidationError) as err:
        services.record_statement(
            actor=hy.officer,
            case=major_case,
            form="oral",
            held_at=at,
            place="基金监管科",
            speaker="张经理",
            content="系初次违法，请求从轻。",
            adoption="",
            reasons=" ",
        )
    assert {"reasons", "adoption"} <= set(err.value.message_dict)
    record = services.record_statement(
        actor=hy.officer,
        case=major_case,
        form="oral",
        held_at=at,
        place="基金监管科",
        speaker="张经理（法定代表人）",
        content="系初次违法，请求从轻。",
        adoption="partly",
        reasons="积极整改属实，在裁量基准幅度内从轻处罚；其他理由不予采纳。",
        party_signer=SignerInput(role=SignerRole.PARTY, name="张经理"),
    )
    data = record.fields
    assert data["form"] == "oral" and data["adoption"] == "partly" and "从轻" in data["review_reasons"]
    assert [o["name"] for o in data["officers"]] == ["王军", "刘婷"]
    assert record.signers.filter(role=SignerRole.PARTY, name="张经理").exists()


def test_dc_1_waiver_is_recorded_and_a_lapse_only_after_the_deadline(hy: Bureau, major_case: Case) -> None:
    _notice(hy, major_case)
    with pytest.raises(ValidationError, match="2026-10-12"):
        services.record_waiver(
            actor=hy.officer,
            case=major_case,
            waived_rights=["statement", "defence"],
            form="lapsed",
            waived_on=date(2026, 10, 12),
        )
    lapsed = services.record_waiver(
        actor=hy.officer,
        case=major_case,
        waived_rights=["statement", "defence"],
        form="lapsed",
        waived_on=date(2026, 10, 13),
    )
    assert lapsed.fields["party_signature"] == "not_applicable"
    assert lapsed.fields["advance_notice_no"] == "海医保罚告〔2026〕3号"
    written = services.record_waiver(
        actor=hy.officer,
        case=major_case,
        waived_rights=["hearing"],
        form="written",
        waived_on=date(2026, 9, 30),
        statement="本公司放弃听证。",
        party_signer=SignerInput(role=SignerRole.PARTY, name="张经理"),
    )
    assert written.fields["party_signature"] == "signed"


def _right(b: Bureau, case: Case, issued_on: str = "2026-09-29") -> None:
    create_record(
        actor=b.officer,
        case=case,
        record_type="hearing_notice",
        data=record_data(
            "hearing_notice",
            notice_kind="right",
            document_no="海医保听告〔2026〕3号",
            issued_on=issued_on,
            application_days=5,
        ),
    )


def _apply(b: Bureau, case: Case, applied_on: date) -> object:
    return services.register_hearing_application(
        actor=b.officer,
        case=case,
        applicant="海阳市康宁大药房有限公司",
        applied_on=applied_on,
        form="written",
        matters="对涉案金额有异议。",
    )


def test_dc_2_hearing_request_within_5_working_days_on_the_calendar(hy: Bureau, major_case: Case) -> None:
    with pytest.raises(ValidationError, match="听证的权利"):
        _apply(hy, major_case, date(2026, 10, 9))
    _right(hy, major_case)
    with pytest.raises(ValidationError) as err:
        _apply(hy, major_case, date(2026, 10, 13))
    message = str(err.value)
    assert "5个工作日" in message and "2026-10-12" in message and "行政处罚法 第六十四条第（一）项" in message
    record = _apply(hy, major_case, date(2026, 10, 12))  # the last day, over the National Day holiday
    assert record.fields["deadline_on"] == "2026-10-12"  # type: ignore[attr-defined]
    assert record.fields["notice_no"] == "海医保听告〔2026〕3号"  # type: ignore[attr-defined]


def _schedule(b: Bureau, case: Case, issued_on: date, host: str = "于法") -> object:
    return services.schedule_hearing(
        actor=b.officer,
        case=case,
        document_no="海医保听通〔2026〕3号",
        hearing_at=datetime(2026, 10, 14, 9, 0, tzinfo=SH),
        place="局听证室",
        host=host,
        issued_on=issued_on,
    )


def test_dc_2_hearing_notice_at_least_7_working_days_ahead_refused_with_citation(
    hy: Bureau, major_case: Case
) -> None:
    _right(hy, major_case)
    with pytest.raises(ValidationError, match="未申请听证"):
        _schedule(hy, major_case, date(2026, 9, 29))
    _apply(hy, major_case, date(2026, 9, 29))
    # 14 Oct: 7 working days before are 13, 12, 10 (make-up), 9, 8 Oct, 30 and 29 Sep.
    with pytest.raises(ValidationError) as err:
        _schedule(hy, major_case, date(2026, 9, 30))
    message = str(err.value)
    assert "7个工作日" in message and "2026-09-29" in message and "行政处罚法 第六十四条第（二）项" in message
    # The same refusal on any path that writes the record (form, API, CLI: records.services).
    with pytest.raises(ValidationError, match="第六十四条第（二）项"):
        create_record(
            actor=hy.officer,
            case=major_case,
            record_type="hearing_notice",
            data=record_data(
                "hearing_notice",
                notice_kind="schedule",
                hearing_at="2026-10-14T09:00:00+08:00",
                place="局听证室",
                issued_on="2026-09-30",
            ),
        )
    with pytest.raises(ValidationError, match="非本案调查人员"):
        _schedule(hy, major_case, date(2026, 9, 29), host="王军")
    record = _schedule(hy, major_case, date(2026, 9, 29))
    assert record.fields["notice_kind"] == "schedule" and record.title == "听证通知书"  # type: ignore[attr-defined]


def _hearing_data() -> dict[str, object]:
    data = record_data(
        "hearing_record",
        started_at="2026-10-14T09:00:00+08:00",
        ended_at="2026-10-14T11:30:00+08:00",
        place="局听证室",
        host="于法",
        recorder="刘婷",
        party_attendees=[{"name": "张经理", "number": "法定代表人"}],
        proceedings="调查人员陈述事实、证据和处罚建议；当事人质证、申辩；双方辩论。",
    )
    del data["investigators"]  # the service lists the case's investigators
    return data


def test_dc_2_hearing_record_and_its_av_checked_by_the_engine(db: None) -> None:
    """Under WD 第十六条 the hearing is recorded on video: the engine's pack rule reports the record
    without it, and is satisfied once the video is attached."""
    wd = make_bureau("WD", suffix="W")
    case = case_in_review(wd)
    with pytest.raises(ValidationError, match="听证通知书"):
        services.record_hearing(actor=wd.officer, case=case, data=_hearing_data(), signers=[])
    _right(wd, case)
    _apply(wd, case, date(2026, 9, 29))
    _schedule(wd, case, date(2026, 9, 29))
    signers = [
        SignerInput(role=SignerRole.OFFICER, name="王军", person=wd.officer),
        SignerInput(role=SignerRole.PARTY, name="张经理"),
    ]
    bare = services.record_hearing(actor=wd.officer, case=case, data=_hearing_data(), signers=signers)
    assert [o["name"] for o in bare.fields["investigators"]] == ["王军", "刘婷"]
    missing = [f for f in findings_for(case) if f.rule_id == "WD-16-hearing-av" and f.record_id == bare.pk]
    assert missing and missing[0].blocking and missing[0].citation == "WD 第十六条"
    with TestCase.captureOnCommitCallbacks(execute=True):
        full = services.record_hearing(
            actor=wd.officer,
            case=case,
            data=_hearing_data(),
            signers=signers,
            av_files=[FileInput(source=io.BytesIO(b"hearing video " * 100), filename="听证录像.mp4")],
        )
    findings = findings_for(case)
    assert not [f for f in findings if f.rule_id == "WD-16-hearing-av" and f.record_id == full.pk]


def _docx_text(data: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for cell in table._cells]
    return "\n".join(parts)


def test_dc_1_dc_2_the_notice_and_the_hearing_notice_render_as_documents(
    hy: Bureau, major_case: Case
) -> None:
    from liuhen.documents.word import render_docx

    notice = _notice(hy, major_case)
    text = _docx_text(render_docx(notice))  # type: ignore[arg-type]
    for part in (
        "行政处罚事先告知书",
        "海医保罚告〔2026〕3号",
        "经查，当事人于2026年5月",
        "医保结算清单",
        "《医疗保障基金使用监督管理条例》第三十八条第（四）项",
        "责令退回医保基金16800元，处罚款25000元。",
        "陈述、申辩、要求听证的权利",
        "5日内（至2026年10月12日）",
        "联系人王军",
    ):
        assert part in text, part
    _right(hy, major_case)
    _apply(hy, major_case, date(2026, 9, 29))
    schedule = _schedule(hy, major_case, date(2026, 9, 29))
    text = _docx_text(render_docx(schedule))  # type: ignore[arg-type]
    for part in ("听证告知书", "海医保听通〔2026〕3号", "局听证室", "于法", "2026"):
        assert part in text, part
