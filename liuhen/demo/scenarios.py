"""What the demo agency looks like: its staff, the violations its cases are about, and ~20 case plans
spread over every stage (ST-1) and the branches.

The legal texts quoted are from 《医疗保障基金使用监督管理条例》(国务院令第735号, 2021), the
regulation a 医疗保障局 enforces; the agency runs under the YC policy pack (盐池县医疗保障局).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from liuhen.cases.models import Branch, CaseType, Procedure, Source, Stage
from liuhen.org.models import PolicyPack, Role

DEMO_PASSWORD = "demo1234"  # published demo password, printed by `liuhen demo`

AGENCY_NAME = "盐池县医疗保障局"
AGENCY_SHORT_NAME = "盐医保"
AGENCY_POLICY_PACK = PolicyPack.YC
AGENCY_REGION_CODE = "640323"
RECONSIDERATION_BODY = "盐池县人民政府"
COURT = "盐池县人民法院"
COUNTY_OFFICE = "盐池县医疗保障局"
OFFICE_ADDRESS = "盐池县花马池镇盐州路69号盐池县医疗保障局"
OFFICE_PHONE = "0953-6012345"

FUND = "基金监管科"
AUDIT = "稽核科"
LEGAL = "法规科"
DEPARTMENTS: tuple[tuple[str, bool], ...] = ((FUND, False), (AUDIT, False), (LEGAL, True))

REGULATION = "《医疗保障基金使用监督管理条例》"


@dataclass(frozen=True)
class Staff:
    username: str
    full_name: str
    department: str | None
    roles: tuple[str, ...]
    description: str
    certified: bool = False
    superuser: bool = False
    login: bool = False  # listed by demo_logins()


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

DEPARTMENT_HEADS = {FUND: "chenjing", AUDIT: "mayong"}


@dataclass(frozen=True)
class Violation:
    title: str  # case title suffix after the party's name
    party_kind: str  # fake.FakeOrganisation.kind, or "person" (an insured person)
    conduct: str  # what the party did, completing "经查，当事人于{period}期间，……"
    provision: str  # the provision violated
    basis: str  # the penalty provision
    multiple: Decimal | None  # fine = multiple × amount; None: fixed fine or no fine
    fixed_fine: Decimal | None = None
    items: tuple[str, ...] = ()  # things found on site / preserved


VIOLATIONS: dict[str, Violation] = {
    "swap_drugs": Violation(
        title="涉嫌串换药品案",
        party_kind="pharmacy",
        conduct="将参保人员购买的保健食品、日用品等非医保支付范围商品串换为医保目录内药品进行刷卡结算",
        provision=f"{REGULATION}第十五条第二款",
        basis=f"{REGULATION}第三十八条第（四）项：责令改正，责令退回，处造成损失金额1倍以上2倍以下的罚款",
        multiple=Decimal("1.5"),
        items=("某品牌蛋白粉 400g/罐 12罐", "某品牌维生素C咀嚼片 60片/瓶 30瓶", "医保结算小票 86张"),
    ),
    "non_covered": Violation(
        title="涉嫌将非医保支付范围费用纳入医保结算案",
        party_kind="pharmacy",
        conduct="将医疗器械、化妆品等不属于医疗保障基金支付范围的商品费用纳入医保基金结算",
        provision=f"{REGULATION}第十五条第二款",
        basis=f"{REGULATION}第三十八条第（六）项：责令改正，责令退回，处造成损失金额1倍以上2倍以下的罚款",
        multiple=Decimal("1.2"),
        items=("电子血压计 10台", "医用护肤面膜 25盒", "进销存台账 1册"),
    ),
    "fictitious": Violation(
        title="涉嫌虚构医药服务项目骗取医保基金案",
        party_kind="clinic",
        conduct="虚构针灸、推拿等中医诊疗服务项目并申报医保基金结算",
        provision=f"{REGULATION}第二十条",
        basis=f"{REGULATION}第四十条第一款第（三）项：责令退回，处骗取金额2倍以上5倍以下的罚款",
        multiple=Decimal("2"),
        items=("门诊日志 2册", "治疗登记本 1册", "收费票据存根 3本"),
    ),
    "hanging_bed": Violation(
        title="涉嫌挂床住院案",
        party_kind="hospital",
        conduct="多名住院参保人员在院期间未实际住院治疗（挂床住院），仍按住院标准结算医保费用",
        provision=f"{REGULATION}第十五条第一款",
        basis=f"{REGULATION}第三十八条第（一）项：责令改正，责令退回，处造成损失金额1倍以上2倍以下的罚款",
        multiple=Decimal("1"),
        items=("住院病历 14份", "护理记录单 14份", "病区床位一览表 1份"),
    ),
    "overcharge": Violation(
        title="涉嫌重复收费、超标准收费案",
        party_kind="health_centre",
        conduct="对静脉输液、血糖监测等项目重复收费、超过医疗服务价格标准收费并纳入医保结算",
        provision=f"{REGULATION}第十五条第一款",
        basis=f"{REGULATION}第三十八条第（三）项：责令改正，责令退回，处造成损失金额1倍以上2倍以下的罚款",
        multiple=Decimal("1"),
        items=("住院费用明细清单 32份", "医疗服务价格公示表 1份"),
    ),
    "over_treatment": Violation(
        title="涉嫌过度检查、超量开药案",
        party_kind="clinic",
        conduct="违反诊疗规范对门诊参保人员过度检查、超量开药",
        provision=f"{REGULATION}第十五条第一款",
        basis=f"{REGULATION}第三十八条第（二）项：责令改正，责令退回，处造成损失金额1倍以上2倍以下的罚款",
        multiple=Decimal("1"),
        items=("门诊处方 120张", "检查报告单 46份"),
    ),
    "records_keeping": Violation(
        title="涉嫌未按规定保管药品出入库记录案",
        party_kind="pharmacy",
        conduct="未按照规定保管药品出入库记录、处方等资料，经责令改正后拒不改正",
        provision=f"{REGULATION}第十四条",
        basis=f"{REGULATION}第三十九条第（二）项：责令改正，拒不改正的，处1万元以上5万元以下的罚款",
        multiple=None,
        fixed_fine=Decimal("20000.00"),
        items=("药品出入库记录（残缺）1册", "处方存根 1袋"),
    ),
    "impersonation": Violation(
        title="涉嫌将本人医保凭证交由他人冒名使用案",
        party_kind="person",
        conduct="将本人医保电子凭证交由他人冒名在定点药店购药并使用医保个人账户及统筹基金结算",
        provision=f"{REGULATION}第十九条第二款",
        basis=f"{REGULATION}第四十一条第一款第（一）项：责令改正，责令退回，暂停医疗费用联网结算3个月至12个月",
        multiple=None,
        items=("医保结算记录打印件 1份", "药店监控截图 6张"),
    ),
    "resale": Violation(
        title="涉嫌利用享受医保待遇的机会转卖药品案",
        party_kind="person",
        conduct="以骗取医保基金为目的，多次在不同定点医药机构开具降糖类药品后转卖牟利",
        provision=f"{REGULATION}第十九条第二款",
        basis=f"{REGULATION}第四十一条第一款第（三）项、第二款：责令退回，暂停联网结算，并处骗取金额2倍以上5倍以下的罚款",
        multiple=Decimal("2"),
        items=("药品包装盒 23个", "转卖交易微信聊天记录截图 1份"),
    ),
}


@dataclass(frozen=True)
class CasePlan:
    """One demo case: where it ends up and which optional records it carries.

    ``progress`` limits the records of the final stage (a case in progress has only the first
    few); ``features`` switches on optional records: preservation, coercive, scan, hearing,
    major (legal review + collective discussion), video, audio, correction, privacy, lodged.
    """

    violation: str
    department: str
    handlers: tuple[str, ...]
    stage: str
    branch: str = ""
    case_type: str = CaseType.PENALTY
    procedure: str = Procedure.GENERAL
    source: str = Source.EX_OFFICIO
    progress: int | None = None
    features: frozenset[str] = field(default_factory=frozenset)
    branch_reason: str = ""


def _f(*names: str) -> frozenset[str]:
    return frozenset(names)


PLANS: tuple[CasePlan, ...] = (
    # 事前准备: planned inspections, nothing filed yet.
    CasePlan("over_treatment", FUND, ("wangfang", "liuyang"), Stage.PREPARATION, case_type=CaseType.INSPECTION),
    CasePlan("records_keeping", AUDIT, ("sunqiang", "heyan"), Stage.PREPARATION, case_type=CaseType.INSPECTION),
    # 程序启动
    CasePlan("non_covered", FUND, ("liuyang", "wangfang"), Stage.INITIATION, source=Source.COMPLAINT, progress=0),
    CasePlan("overcharge", AUDIT, ("lihua", "sunqiang"), Stage.INITIATION, source=Source.ASSIGNED),
    CasePlan(
        "swap_drugs", FUND, ("wangfang", "zhangwei"), Stage.INITIATION, branch=Branch.NOT_FILED,
        source=Source.COMPLAINT, features=_f("not_filed"),
        branch_reason="经初步核查，举报所称串换药品行为发生在当事人取得医保定点资格之前，不属于医保基金监管范围，"
        "依据《医疗保障行政处罚程序暂行规定》第二十一条决定不予立案。",
    ),
    # 调查取证: the first is the one zhangwei leads.
    CasePlan(
        "swap_drugs", FUND, ("zhangwei", "wangfang"), Stage.INVESTIGATION, source=Source.COMPLAINT,
        features=_f("video", "audio", "correction", "scan", "preservation"),
    ),
    CasePlan("fictitious", AUDIT, ("lihua", "heyan"), Stage.INVESTIGATION, progress=1),
    CasePlan(
        "resale", FUND, ("liuyang", "chenjing"), Stage.INVESTIGATION, case_type=CaseType.COERCION,
        source=Source.ASSIGNED, features=_f("coercive", "privacy"),
    ),
    CasePlan(
        "hanging_bed", AUDIT, ("sunqiang", "lihua"), Stage.INVESTIGATION, branch=Branch.TRANSFERRED,
        progress=2,
        branch_reason="当事人为吴忠市本级定点医疗机构，涉案医保基金由市医疗保障局统筹结算，"
        "依据《医疗保障行政处罚程序暂行规定》第十条移送吴忠市医疗保障局管辖。",
    ),
    CasePlan("impersonation", FUND, ("wangfang", "zhangwei"), Stage.INVESTIGATION, features=_f("privacy")),
    # 审查决定
    CasePlan("non_covered", FUND, ("zhangwei", "liuyang"), Stage.REVIEW, progress=1),
    CasePlan("over_treatment", AUDIT, ("heyan", "sunqiang"), Stage.REVIEW, progress=2),
    CasePlan(
        "fictitious", FUND, ("chenjing", "zhangwei"), Stage.REVIEW, features=_f("hearing", "major", "scan"),
    ),
    CasePlan(
        "fictitious", AUDIT, ("mayong", "lihua"), Stage.REVIEW, branch=Branch.REFERRED_POLICE, progress=1,
        features=_f("scan"),
        branch_reason="经调查，当事人虚构医药服务项目骗取医保基金金额巨大，涉嫌诈骗罪，"
        "依据《行政执法机关移送涉嫌犯罪案件的规定》移送盐池县公安局。",
    ),
    # 送达执行
    CasePlan("swap_drugs", AUDIT, ("lihua", "heyan"), Stage.SERVICE, features=_f("major")),
    CasePlan("overcharge", FUND, ("liuyang", "wangfang"), Stage.SERVICE, features=_f("lodged")),
    CasePlan(
        "records_keeping", AUDIT, ("heyan", "sunqiang"), Stage.SERVICE, branch=Branch.REVOKED,
        branch_reason="当事人在送达前提交了完整的药品出入库记录，经复核原认定事实有误，"
        "经局长批准撤销原行政处罚决定。",
    ),
    # 结案归档
    CasePlan("hanging_bed", FUND, ("chenjing", "liuyang"), Stage.CLOSING, features=_f("major", "hearing")),
    CasePlan("impersonation", AUDIT, ("sunqiang", "lihua"), Stage.CLOSING, procedure=Procedure.GENERAL),
    # 事后监管
    CasePlan("swap_drugs", FUND, ("wangfang", "zhangwei"), Stage.FOLLOWUP, features=_f("major")),
    CasePlan("overcharge", AUDIT, ("mayong", "heyan"), Stage.FOLLOWUP),
)  # fmt: skip
