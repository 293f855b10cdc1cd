"""海阳市医疗保障局 (HY pack): the three systems — disclosure (HY-GS: penalty decisions public within 7
working days), full-process records (HY-JL) and legal review of major decisions (HY-FS: fines of
500 yuan on a person or 20000 yuan on an organisation need 法制审核, within 3 working days).
"""

from __future__ import annotations

from decimal import Decimal

from liuhen.cases.models import Branch, Source, Stage
from liuhen.demo.fake import Locality
from liuhen.demo.spec import AgencySpec, CasePlan, Staff, features
from liuhen.demo.violations import MEDICAL_INSURANCE
from liuhen.org.models import PolicyPack, Role

HAIYANG = Locality(
    province="山东省",
    city="烟台市",
    county="海阳市",
    region_code="370687",
    area_code="0535",
    towns=("方圆街道", "东村街道", "凤城街道", "留格庄镇", "盘石店镇", "郭城镇", "徐家店镇", "发城镇", "行村镇", "辛安镇"),
    streets=("海阳路", "海政路", "通海路", "海天路", "华山路", "育才路", "府前路", "黄海大街", "银河路", "昆仑路"),
    communities=("前营", "后庄", "凤头", "南城阳", "大辛家", "西古现", "东泊", "岚子"),
    seat="方圆街道",
)  # fmt: skip

FUND = "基金监管科"
MEDICAL = "医药服务管理科"
LEGAL = "政策法规科"

STAFF: tuple[Staff, ...] = (
    Staff("hy_admin", "隋志远", None, (Role.SYSTEM_ADMIN,), "海阳市医疗保障局 系统管理员"),
    Staff("hy_juzhang", "于海波", None, (Role.AGENCY_HEAD,), "海阳市医疗保障局 机关负责人（局长）", certified=True),
    Staff("hy_fazhi", "姜丽娜", LEGAL, (Role.LEGAL_REVIEWER,), "海阳市医疗保障局 法制审核人员（政策法规科）",
          certified=True, login=True),
    Staff("hy_dangan", "修晓燕", None, (Role.ARCHIVIST,), "海阳市医疗保障局 档案管理员"),
    Staff("hy_sunkai", "孙凯", FUND, (Role.DEPARTMENT_HEAD, Role.OFFICER), "海阳市医疗保障局 基金监管科科长",
          certified=True),
    Staff("hy_wangjun", "王军", FUND, (Role.OFFICER,), "海阳市医疗保障局 执法人员（基金监管科）", certified=True,
          login=True),
    Staff("hy_liuting", "刘婷", FUND, (Role.OFFICER,), "海阳市医疗保障局 执法人员（基金监管科）", certified=True),
    Staff("hy_zhaopeng", "赵鹏", MEDICAL, (Role.DEPARTMENT_HEAD, Role.OFFICER),
          "海阳市医疗保障局 医药服务管理科科长", certified=True),
    Staff("hy_qulei", "曲磊", MEDICAL, (Role.OFFICER,), "海阳市医疗保障局 执法人员（医药服务管理科）", certified=True),
    Staff("hy_lixue", "李雪", MEDICAL, (Role.OFFICER,), "海阳市医疗保障局 执法人员（医药服务管理科）", certified=True),
)  # fmt: skip

f = features

PLANS: tuple[CasePlan, ...] = (
    # End to end: a major fine (≥ 20000 yuan on an organisation) reviewed by the legal office in time,
    # published within 7 working days, archived and followed up.
    CasePlan("swap_drugs", FUND, ("hy_wangjun", "hy_liuting"), Stage.FOLLOWUP, features=f("major", "preservation"),
             amount=Decimal("16800.00"), key="hy-e2e"),
    # Gap: a 29000-yuan fine drafted without legal review (HY-FS 第四条); the system refuses the decision
    # (LR-7) and the case waits in review for the legal office.
    CasePlan("fictitious", FUND, ("hy_liuting", "hy_wangjun"), Stage.REVIEW, amount=Decimal("14500.00"),
             progress=5, key="hy-legal-review"),
    # Gap: the decision was published 17 days after it was made (HY-GS 第七条: 7 working days).
    CasePlan("overcharge", MEDICAL, ("hy_qulei", "hy_lixue"), Stage.CLOSING, amount=Decimal("8600.00"),
             features=f("disclosure_late"), key="hy-disclosure-late"),
    # Gap: the legal office took 7 working days without an extension (HY-FS 第六条: 3 working days).
    CasePlan("non_covered", MEDICAL, ("hy_lixue", "hy_qulei"), Stage.SERVICE, amount=Decimal("21000.00"),
             features=f("major", "review_slow"), key="hy-review-slow"),
    CasePlan("hanging_bed", FUND, ("hy_sunkai", "hy_wangjun"), Stage.INVESTIGATION, features=f("preservation")),
    CasePlan(
        "non_covered", FUND, ("hy_wangjun", "hy_liuting"), Stage.INITIATION, branch=Branch.NOT_FILED,
        source=Source.COMPLAINT, features=f("not_filed"),
        branch_reason="经核查，被举报药店已于举报所涉期间之前解除医保服务协议，所涉费用未纳入医保基金结算，"
        "依据《医疗保障行政处罚程序暂行规定》第二十一条决定不予立案，已书面告知举报人。",
    ),
    # Revoked after publication: the published decision is withdrawn with an explanation (HY-GS 第十二条).
    CasePlan(
        "records_keeping", MEDICAL, ("hy_zhaopeng", "hy_qulei"), Stage.SERVICE, branch=Branch.REVOKED,
        features=f("major"), progress=3,
        branch_reason="当事人申请复核并提交了完整的药品出入库记录，经复核原认定事实有误，经局长批准撤销原行政处罚决定。",
    ),
    # LR-6 (HY-FS 第十条): the legal office disagrees on the law applied, re-reviews on the department's
    # objection and still disagrees; the collective study (designated room, on video, all signatures)
    # decides, and the decision is made.
    CasePlan("swap_drugs", FUND, ("hy_liuting", "hy_wangjun"), Stage.SERVICE, features=f("major", "objection"),
             amount=Decimal("15600.00")),
)  # fmt: skip

SPEC = AgencySpec(
    pack=PolicyPack.HY,
    name="海阳市医疗保障局",
    short_name="海医保",
    region_code="370687",
    locality=HAIYANG,
    seed_offset=101,
    address="海阳市方圆街道海政路2号",
    phone="0535-3216688",
    reconsideration_body="海阳市人民政府",
    court="海阳市人民法院",
    police="海阳市公安局",
    superior="烟台市医疗保障局",
    supervision="医疗保障基金监督检查",
    departments=((FUND, False), (MEDICAL, False), (LEGAL, True)),
    staff=STAFF,
    department_heads={FUND: "hy_sunkai", MEDICAL: "hy_zhaopeng"},
    head="hy_juzhang",
    legal="hy_fazhi",
    archivist="hy_dangan",
    discussion=("hy_juzhang", "hy_sunkai", "hy_zhaopeng", "hy_fazhi"),
    violations=MEDICAL_INSURANCE,
    plans=PLANS,
    discretion="《山东省医疗保障行政处罚裁量基准》",
    procedure_rules="《医疗保障行政处罚程序暂行规定》",
    archive_prefix="HYB",
    device_prefix="ZFY-370687",
    scans=(
        (
            "医保结算清单（复印件）",
            ("结算日期  项目名称  数量  统筹支付（元）", "……", "经核对与原件一致  当事人（签章）"),
        ),
        ("进销存台账（摘抄）", ("日期  品名  购进  销售  库存", "……", "以上内容经当事人确认")),
    ),
    features=frozenset({"disclosure", "filing"}),
    not_filing_form="not_filing_approval",
    payment="自收到本决定书之日起十五日内，到指定银行缴纳罚款；医保基金退回至海阳市医疗保障基金财政专户。",
)
