"""望都县医疗保障局 (WD pack): the most detailed field lists for every stage, five service methods
with their own records (第十八条), AV stored in the system within 24 hours (第二十二条) and the case
file filed within 30 days after the action ends (第二十三条). Its officers attach AV to the record
it documents, as they upload it from the recorder.
"""

from __future__ import annotations

from liuhen.cases.models import Branch, Source, Stage
from liuhen.demo.fake import Locality
from liuhen.demo.spec import AgencySpec, CasePlan, Staff, features
from liuhen.demo.violations import MEDICAL_INSURANCE
from liuhen.org.models import PolicyPack, Role

WANGDU = Locality(
    province="河北省",
    city="保定市",
    county="望都县",
    region_code="130631",
    area_code="0312",
    towns=("望都镇", "固店镇", "贾村镇", "中韩庄乡", "寺庄乡", "赵庄乡", "黑堡乡", "高岭乡"),
    streets=("庆都路", "中华路", "朝阳路", "建设路", "永宁路", "文化路", "工农路", "光明路"),
    communities=("东白坨", "西白坨", "北贾村", "南贾村", "固店", "中韩庄", "寺庄", "高岭"),
    seat="望都镇",
)  # fmt: skip

FUND = "基金监管股"
MEDICAL = "医药服务管理股"
LEGAL = "法规股"

STAFF: tuple[Staff, ...] = (
    Staff("wd_admin", "刘晓光", None, (Role.SYSTEM_ADMIN,), "望都县医疗保障局 系统管理员"),
    Staff("wd_juzhang", "刘志刚", None, (Role.AGENCY_HEAD,), "望都县医疗保障局 机关负责人（局长）", certified=True),
    Staff("wd_fazhi", "韩雪", LEGAL, (Role.LEGAL_REVIEWER,), "望都县医疗保障局 法制审核人员（法规股）",
          certified=True, login=True),
    Staff("wd_dangan", "边春梅", None, (Role.ARCHIVIST,), "望都县医疗保障局 档案管理员"),
    Staff("wd_gaofeng", "高峰", FUND, (Role.DEPARTMENT_HEAD, Role.OFFICER), "望都县医疗保障局 基金监管股股长",
          certified=True),
    Staff("wd_lina", "李娜", FUND, (Role.OFFICER,), "望都县医疗保障局 执法人员（基金监管股）", certified=True,
          login=True),
    Staff("wd_wangqiang", "王强", FUND, (Role.OFFICER,), "望都县医疗保障局 执法人员（基金监管股）", certified=True),
    Staff("wd_zhaoli", "赵丽", FUND, (Role.OFFICER,), "望都县医疗保障局 执法人员（基金监管股）", certified=True),
    Staff("wd_cuiming", "崔明", MEDICAL, (Role.DEPARTMENT_HEAD, Role.OFFICER), "望都县医疗保障局 医药服务管理股股长",
          certified=True),
    Staff("wd_yangyang", "杨洋", MEDICAL, (Role.OFFICER,), "望都县医疗保障局 执法人员（医药服务管理股）",
          certified=True),
)  # fmt: skip

f = features

PLANS: tuple[CasePlan, ...] = (
    # End to end: a complaint registered, evidence preserved on video, a hearing on video, every field
    # WD lists filled, served in person, archived within 30 days, followed up.
    CasePlan("non_covered", FUND, ("wd_lina", "wd_wangqiang"), Stage.FOLLOWUP, source=Source.COMPLAINT,
             features=f("preservation", "hearing"), key="wd-e2e"),
    # Gap: a recorder video uploaded long after it was recorded (第二十二条: within 24 hours).
    CasePlan("hanging_bed", FUND, ("wd_wangqiang", "wd_zhaoli"), Stage.INVESTIGATION, features=f("video_late"),
             key="wd-video-late"),
    # Gap: the case file archived 41 days after the action ended (第二十三条: within 30 days).
    CasePlan("overcharge", MEDICAL, ("wd_yangyang", "wd_cuiming"), Stage.CLOSING, features=f("archive_late"),
             key="wd-archive-late"),
    # Gap: served by post without keeping the postal receipt (第十八条第（三）项).
    CasePlan("swap_drugs", FUND, ("wd_zhaoli", "wd_lina"), Stage.SERVICE, features=f("mail"),
             omit=f("mailing_receipt"), key="wd-mail-receipt"),
    CasePlan(
        "fictitious", FUND, ("wd_gaofeng", "wd_lina"), Stage.INITIATION, branch=Branch.NOT_FILED,
        source=Source.COMPLAINT, features=f("not_filed"),
        branch_reason="经核查，被举报诊所的针灸、推拿项目均有治疗记录和患者签字，举报反映的问题不属实，"
        "依据《医疗保障行政处罚程序暂行规定》第二十一条决定不予立案，已告知举报人。",
    ),
    CasePlan(
        "impersonation", MEDICAL, ("wd_cuiming", "wd_yangyang"), Stage.INITIATION, branch=Branch.TRANSFERRED,
        branch_reason="当事人系保定市市本级参保职工，其医保待遇由保定市医疗保障局管理，依据《医疗保障行政处罚程序"
        "暂行规定》第十条，经局长批准移送保定市医疗保障局管辖。",
    ),
)  # fmt: skip

SPEC = AgencySpec(
    pack=PolicyPack.WD,
    name="望都县医疗保障局",
    short_name="望医保",
    region_code="130631",
    locality=WANGDU,
    seed_offset=303,
    address="望都县望都镇庆都路168号",
    phone="0312-7721365",
    reconsideration_body="望都县人民政府",
    court="望都县人民法院",
    police="望都县公安局",
    superior="保定市医疗保障局",
    supervision="医疗保障基金监督检查",
    departments=((FUND, False), (MEDICAL, False), (LEGAL, True)),
    staff=STAFF,
    department_heads={FUND: "wd_gaofeng", MEDICAL: "wd_cuiming"},
    head="wd_juzhang",
    legal="wd_fazhi",
    archivist="wd_dangan",
    discussion=("wd_juzhang", "wd_gaofeng", "wd_cuiming", "wd_fazhi"),
    violations=MEDICAL_INSURANCE,
    plans=PLANS,
    discretion="《河北省医疗保障行政处罚裁量权适用规则》",
    procedure_rules="《医疗保障行政处罚程序暂行规定》",
    archive_prefix="WYB",
    device_prefix="ZFJL-130631",
    scans=(
        (
            "医保结算明细（复印件）",
            ("结算日期  项目名称  数量  医保支付（元）", "……", "经核对与原件一致  当事人（签章）"),
        ),
        ("住院登记簿（摘抄）", ("入院日期  姓名  床号  出院日期", "……", "以上内容经当事人确认")),
    ),
    media_inline=True,
    not_filing_form="not_filing_approval",
    rank="股长",
    payment="自收到本决定书之日起十五日内，到指定银行缴纳罚款；医保基金退回至望都县医疗保障基金财政专户。",
)
