"""Records to render: a 行政处罚决定书 and a 送达回证 of ``case_a``, made through the services."""

from __future__ import annotations

import pytest

from liuhen.cases.models import Case
from liuhen.conftest import Org
from liuhen.records.models import Record, SignerRole
from liuhen.records.services import SignerInput, create_record

AGENCY = "测试县医疗保障局"
DOCUMENT_NO = "测医保罚〔2026〕12号"

PENALTY_DATA = {
    "document_no": DOCUMENT_NO,
    "party": "测试县康宁大药房有限公司",
    "party_details": "统一社会信用代码：91350100M000100Y43\n住所：测试县城关镇长城路 8 号\n法定代表人：孙某",
    "facts": "2026年3月至6月，当事人将医保目录外的保健品串换为目录内药品进行医保结算，涉及医保基金 12,345.60 元。",
    "evidence": ["现场笔录一份", "询问笔录两份", "医保结算明细及销售台账"],
    "violated_provisions": "《医疗保障基金使用监督管理条例》第十五条第二款",
    "penalty_basis": "《医疗保障基金使用监督管理条例》第三十八条第（二）项",
    "discretion": "《宁夏回族自治区医疗保障行政处罚裁量基准》一般情形",
    "penalty_kinds": ["warning", "fine"],
    "fine_amount": "24691.20",
    "payment": "将罚款缴至指定银行账户，逾期将依法加处罚款。",
    "payment_days": 15,
    "reconsideration_body": "测试县人民政府",
    "reconsideration_days": 60,
    "court": "测试县人民法院",
    "litigation_months": 6,
    "decided_on": "2026-11-25",
}

RECEIPT_DATA = {
    "document_name": "行政处罚决定书",
    "document_no": DOCUMENT_NO,
    "method": "lodged",
    "recipient": "测试县康宁大药房有限公司",
    "served_at": "2026-11-26T10:30",
    "place": "测试县城关镇长城路 8 号",
    "servers": [{"name": "张伟", "number": "64000000000001"}, {"name": "王芳", "number": "64000000000002"}],
    "reason": "受送达人拒绝签收。",
    "refusal_note": "2026年11月26日当事人以不认可处罚为由拒收",
    "witnesses": ["李某 居委会工作人员"],
}


@pytest.fixture
def penalty(org: Org, case_a: Case) -> Record:
    return create_record(
        actor=org.officer_a1,
        case=case_a,
        record_type="penalty_decision",
        data=PENALTY_DATA,
        signers=[SignerInput(role=SignerRole.HEAD, name=org.agency_head.full_name)],
    )


@pytest.fixture
def receipt(org: Org, case_a: Case) -> Record:
    return create_record(
        actor=org.officer_a1,
        case=case_a,
        record_type="service_receipt",
        data=RECEIPT_DATA,
        signers=[
            SignerInput(role=SignerRole.SERVER, name="张伟"),
            SignerInput(role=SignerRole.RECIPIENT, name="孙某", refused=True),
        ],
    )
