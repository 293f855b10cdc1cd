"""盐池县医疗保障局 (YC pack): the AV-heavy regime — 14 mandatory AV scenarios (第五条), AV forbidden
for secrets and privacy without consent (第六条). Its staff and logins are the demo's original ones
(``zhangwei`` / ``demo1234`` leads a case in investigation); ~24 cases over every stage and branch.
"""

from __future__ import annotations

from decimal import Decimal

from liuhen.cases.models import Branch, CaseType, Source, Stage
from liuhen.demo.fake import YANCHI
from liuhen.demo.spec import AgencySpec, CasePlan, Staff, features
from liuhen.demo.violations import MEDICAL_INSURANCE
from liuhen.org.models import PolicyPack, Role

FUND = "基金监管科"
AUDIT = "稽核科"
LEGAL = "法规科"

STAFF: tuple[Staff, ...] = (
    Staff("admin", "周涛", None, (Role.SYSTEM_ADMIN,), "系统管理员（超级用户）", superuser=True, login=True),
    Staff("juzhang", "杨建国", None, (Role.AGENCY_HEAD,), "机关负责人（局长）", certified=True, login=True),
    Staff("fazhi", "赵敏", LEGAL, (Role.LEGAL_REVIEWER,), "法制审核人员（法规科）", certified=True, login=True),
    Staff("shenji", "黄磊", None, (Role.AUDITOR,), "稽查人员（全局案件只读监督）", login=True),
    Staff("dangan", "孙丽娟", None, (Role.ARCHIVIST,), "档案管理员", login=True),
    Staff("zhuangbei", "郭鹏", None, (Role.EQUIPMENT_ADMIN,), "装备管理员", login=True),
    Staff("chenjing", "陈静", FUND, (Role.DEPARTMENT_HEAD, Role.OFFICER), "科室负责人（基金监管科科长）",
          certified=True, login=True),
    Staff("zhangwei", "张伟", FUND, (Role.OFFICER,), "执法人员（基金监管科，主办一件调查取证中的案件）",
          certified=True, login=True),
    Staff("wangfang", "王芳", FUND, (Role.OFFICER,), "执法人员（基金监管科）", certified=True),
    Staff("liuyang", "刘洋", FUND, (Role.OFFICER,), "执法人员（基金监管科）", certified=True),
    Staff("mayong", "马勇", AUDIT, (Role.DEPARTMENT_HEAD, Role.OFFICER), "科室负责人（稽核科科长）", certified=True),
    Staff("lihua", "李华", AUDIT, (Role.OFFICER,), "执法人员（稽核科）", certified=True, login=True),
    Staff("sunqiang", "孙强", AUDIT, (Role.OFFICER,), "执法人员（稽核科）", certified=True),
    Staff("heyan", "何燕", AUDIT, (Role.OFFICER,), "执法人员（稽核科）", certified=True),
)  # fmt: skip

f = features

PLANS: tuple[CasePlan, ...] = (
    # 事前准备: planned inspections under the annual plan, nothing filed yet.
    CasePlan("over_treatment", FUND, ("wangfang", "liuyang"), Stage.PREPARATION, case_type=CaseType.INSPECTION,
             features=f("inspection_plan")),
    CasePlan("records_keeping", AUDIT, ("sunqiang", "heyan"), Stage.PREPARATION, case_type=CaseType.INSPECTION,
             features=f("inspection_plan")),
    # 程序启动
    CasePlan("non_covered", FUND, ("liuyang", "wangfang"), Stage.INITIATION, source=Source.COMPLAINT, progress=1),
    CasePlan("overcharge", AUDIT, ("lihua", "sunqiang"), Stage.INITIATION, source=Source.ASSIGNED),
    CasePlan(
        "swap_drugs", FUND, ("wangfang", "zhangwei"), Stage.INITIATION, branch=Branch.NOT_FILED,
        source=Source.COMPLAINT, features=f("not_filed"),
        branch_reason="经初步核查，举报所称串换药品行为发生在当事人取得医保定点资格之前，不属于医保基金监管范围，"
        "依据《医疗保障行政处罚程序暂行规定》第二十一条决定不予立案。",
    ),
    # 调查取证: the first is the one zhangwei leads.
    CasePlan("swap_drugs", FUND, ("zhangwei", "wangfang"), Stage.INVESTIGATION, source=Source.COMPLAINT,
             features=f("correction", "scan", "preservation")),
    CasePlan("fictitious", AUDIT, ("lihua", "heyan"), Stage.INVESTIGATION, progress=1),
    CasePlan("resale", FUND, ("liuyang", "chenjing"), Stage.INVESTIGATION, case_type=CaseType.COERCION,
             source=Source.ASSIGNED, features=f("coercive", "privacy")),
    CasePlan(
        "hanging_bed", AUDIT, ("sunqiang", "lihua"), Stage.INVESTIGATION, branch=Branch.TRANSFERRED, progress=3,
        branch_reason="当事人为吴忠市本级定点医疗机构，涉案医保基金由市医疗保障局统筹结算，"
        "依据《医疗保障行政处罚程序暂行规定》第十条移送吴忠市医疗保障局管辖。",
    ),
    # Gap: the inquiry of the party was not recorded on audio or video (第五条第（六）项).
    CasePlan("impersonation", FUND, ("wangfang", "zhangwei"), Stage.INVESTIGATION, features=f("privacy", "scan"),
             omit=f("inquiry_av"), key="yc-inquiry-av"),
    # Gap: a photo taken although the party refused, on privacy grounds (第六条第（一）项).
    CasePlan("impersonation", AUDIT, ("heyan", "lihua"), Stage.INVESTIGATION, features=f("privacy", "photo_refused"),
             key="yc-photo-consent"),
    # 审查决定
    CasePlan("non_covered", FUND, ("zhangwei", "liuyang"), Stage.REVIEW, progress=1),
    # Gap: rights told and statement signed without AV (第五条第（五）、（七）项).
    CasePlan("over_treatment", AUDIT, ("heyan", "sunqiang"), Stage.REVIEW, progress=3,
             omit=f("notice_av", "statement_av"), key="yc-rights-av"),
    CasePlan("fictitious", FUND, ("chenjing", "zhangwei"), Stage.REVIEW, features=f("hearing", "major", "scan")),
    CasePlan(
        "fictitious", AUDIT, ("mayong", "lihua"), Stage.REVIEW, branch=Branch.REFERRED_POLICE, progress=1,
        features=f("scan"),
        branch_reason="经调查，当事人虚构医药服务项目骗取医保基金金额巨大，涉嫌诈骗罪，"
        "依据《行政执法机关移送涉嫌犯罪案件的规定》移送盐池县公安局。",
    ),
    # 送达执行
    CasePlan("swap_drugs", AUDIT, ("lihua", "heyan"), Stage.SERVICE, features=f("major")),
    # Gap: the decision was lodged with the party who refused it, without video (第五条第（十一）项).
    CasePlan("overcharge", FUND, ("liuyang", "wangfang"), Stage.SERVICE, features=f("lodged"),
             omit=f("service_av"), key="yc-lodged-av"),
    CasePlan(
        "records_keeping", AUDIT, ("heyan", "sunqiang"), Stage.SERVICE, branch=Branch.REVOKED, progress=2,
        branch_reason="当事人在送达前提交了完整的药品出入库记录，经复核原认定事实有误，"
        "经局长批准撤销原行政处罚决定。",
    ),
    # 结案归档
    CasePlan("hanging_bed", FUND, ("chenjing", "liuyang"), Stage.CLOSING, features=f("major", "hearing")),
    CasePlan("impersonation", AUDIT, ("sunqiang", "lihua"), Stage.CLOSING),
    # 事后监管: the first runs from start to archive and follow-up with every YC rule met.
    CasePlan("swap_drugs", FUND, ("wangfang", "zhangwei"), Stage.FOLLOWUP, features=f("major", "preservation"),
             amount=Decimal("18640.00"), key="yc-e2e"),
    CasePlan("overcharge", AUDIT, ("mayong", "heyan"), Stage.FOLLOWUP),
)  # fmt: skip

SPEC = AgencySpec(
    pack=PolicyPack.YC,
    name="盐池县医疗保障局",
    short_name="盐医保",
    region_code="640323",
    locality=YANCHI,
    seed_offset=0,
    address="盐池县花马池镇盐州路69号",
    phone="0953-6012345",
    reconsideration_body="盐池县人民政府",
    court="盐池县人民法院",
    police="盐池县公安局",
    superior="吴忠市医疗保障局",
    supervision="医疗保障基金监督检查",
    departments=((FUND, False), (AUDIT, False), (LEGAL, True)),
    staff=STAFF,
    department_heads={FUND: "chenjing", AUDIT: "mayong"},
    head="juzhang",
    legal="fazhi",
    archivist="dangan",
    discussion=("juzhang", "chenjing", "mayong", "fazhi"),
    violations=MEDICAL_INSURANCE,
    plans=PLANS,
    discretion="《宁夏回族自治区医疗保障行政处罚裁量基准》",
    procedure_rules="《医疗保障行政处罚程序暂行规定》",
    archive_prefix="YB",
    device_prefix="DSJ-640323",
    scans=(
        (
            "医保结算明细（复印件）",
            ("结算日期  商品名称  数量  医保支付（元）", "……", "经核对与原件一致  当事人（签章）"),
        ),
        ("门诊治疗登记本（摘抄）", ("日期  患者姓名  治疗项目  次数", "……", "以上内容经当事人确认")),
    ),
    payment="自收到本决定书之日起十五日内，持缴款通知书到指定银行缴纳罚款；医保基金退回至盐池县医疗保障基金专户。",
)
