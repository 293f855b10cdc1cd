"""平罗县卫生监督所 (PL pack): health supervision of public places, drinking water and medical
practice. Distinctive: the preparation stage (事前: case-analysis meeting and investigation plan for
complex complaints and assigned cases, 第六条至第八条), AV of every contact with the party (第九条至
第十三条) and graded follow-up of rectification (第十六条).
"""

from __future__ import annotations

from decimal import Decimal

from liuhen.cases.models import Source, Stage
from liuhen.demo.fake import Locality
from liuhen.demo.spec import AgencySpec, CasePlan, Staff, features
from liuhen.demo.violations import HEALTH_SUPERVISION
from liuhen.org.models import PolicyPack, Role

PINGLUO = Locality(
    province="宁夏回族自治区",
    city="石嘴山市",
    county="平罗县",
    region_code="640221",
    area_code="0952",
    towns=("城关镇", "黄渠桥镇", "宝丰镇", "头闸镇", "姚伏镇", "崇岗镇", "陶乐镇", "高庄乡", "灵沙乡", "渠口乡"),
    streets=("鼓楼南街", "鼓楼北街", "玉皇阁大道", "唐徕大道", "镇朔路", "怀远路", "通润路", "平罗大街"),
    communities=("东风", "永丰", "沿河", "星火", "丰庄", "新丰", "红岗", "威镇"),
    seat="城关镇",
)  # fmt: skip

MEDICAL = "医疗卫生监督科"
PUBLIC = "公共卫生监督科"
LEGAL = "法制科"

STAFF: tuple[Staff, ...] = (
    Staff("pl_admin", "丁海军", None, (Role.SYSTEM_ADMIN,), "平罗县卫生监督所 系统管理员（综合办公室）"),
    Staff("pl_suozhang", "马建军", None, (Role.AGENCY_HEAD,), "平罗县卫生监督所 机关负责人（所长）", certified=True),
    Staff("pl_fazhi", "田晓梅", LEGAL, (Role.LEGAL_REVIEWER,), "平罗县卫生监督所 法制审核人员（法制科）",
          certified=True, login=True),
    Staff("pl_dangan", "王彩霞", None, (Role.ARCHIVIST,), "平罗县卫生监督所 档案管理员"),
    Staff("pl_yangfan", "杨帆", PUBLIC, (Role.DEPARTMENT_HEAD, Role.OFFICER), "平罗县卫生监督所 公共卫生监督科科长",
          certified=True),
    Staff("pl_najing", "纳静", PUBLIC, (Role.OFFICER,), "平罗县卫生监督所 卫生监督员（公共卫生监督科）",
          certified=True, login=True),
    Staff("pl_dingwei", "丁伟", PUBLIC, (Role.OFFICER,), "平罗县卫生监督所 卫生监督员（公共卫生监督科）",
          certified=True),
    Staff("pl_haiming", "海明", MEDICAL, (Role.DEPARTMENT_HEAD, Role.OFFICER),
          "平罗县卫生监督所 医疗卫生监督科科长", certified=True),
    Staff("pl_sunyu", "孙宇", MEDICAL, (Role.OFFICER,), "平罗县卫生监督所 卫生监督员（医疗卫生监督科）",
          certified=True),
    Staff("pl_mali", "马丽", MEDICAL, (Role.OFFICER,), "平罗县卫生监督所 卫生监督员（医疗卫生监督科）",
          certified=True),
)  # fmt: skip

f = features

PLANS: tuple[CasePlan, ...] = (
    # End to end: a complaint prepared with a case-analysis meeting and an investigation plan, every
    # contact with the party on video, published, archived, and a light follow-up on the party's
    # rectification report.
    CasePlan("health_cert", PUBLIC, ("pl_najing", "pl_dingwei"), Stage.FOLLOWUP, source=Source.COMPLAINT,
             features=f("prep", "complex", "major"), grade="light", key="pl-e2e"),
    # Gap: a case assigned by the county health bureau, filed without the preparation-stage meeting and
    # plan (第六条第（二）项); the system keeps it from investigation.
    CasePlan("water_quality", PUBLIC, ("pl_dingwei", "pl_najing"), Stage.INITIATION, source=Source.ASSIGNED,
             features=f("complex"), key="pl-prep-missing"),
    # Gap: a serious violation re-inspected without recording the visit on video (第十六条第（三）项).
    CasePlan("unlicensed_clinic", MEDICAL, ("pl_sunyu", "pl_mali"), Stage.FOLLOWUP, amount=Decimal("6800.00"),
             grade="serious", omit=f("reinspection_av"), key="pl-serious-followup"),
    # Gap: a light violation closed at follow-up without the party's rectification report (第十六条第（一）项).
    CasePlan("disinfection_public", PUBLIC, ("pl_yangfan", "pl_dingwei"), Stage.FOLLOWUP, grade="light",
             omit=f("rectification_report"), key="pl-light-followup"),
    CasePlan("clinic_disinfection", MEDICAL, ("pl_mali", "pl_sunyu"), Stage.REVIEW, features=f("sampling"),
             progress=3),
    # A complaint being prepared: the meeting was held, the investigation plan is still missing.
    CasePlan("unlicensed_doctor", MEDICAL, ("pl_haiming", "pl_sunyu"), Stage.PREPARATION, source=Source.COMPLAINT,
             features=f("prep", "complex", "site"), progress=1, amount=Decimal("4300.00")),
)  # fmt: skip

SPEC = AgencySpec(
    pack=PolicyPack.PL,
    name="平罗县卫生监督所",
    short_name="平卫监",
    region_code="640221",
    locality=PINGLUO,
    seed_offset=202,
    address="平罗县城关镇唐徕大道96号",
    phone="0952-6012120",
    reconsideration_body="平罗县人民政府",
    court="平罗县人民法院",
    police="平罗县公安局",
    superior="石嘴山市卫生健康委员会",
    supervision="卫生监督检查",
    departments=((MEDICAL, False), (PUBLIC, False), (LEGAL, True)),
    staff=STAFF,
    department_heads={MEDICAL: "pl_haiming", PUBLIC: "pl_yangfan"},
    head="pl_suozhang",
    legal="pl_fazhi",
    archivist="pl_dangan",
    discussion=("pl_suozhang", "pl_yangfan", "pl_haiming", "pl_fazhi"),
    violations=HEALTH_SUPERVISION,
    plans=PLANS,
    discretion="《宁夏回族自治区卫生健康行政处罚裁量基准》",
    procedure_rules="《卫生行政处罚程序》",
    archive_prefix="PWJ",
    device_prefix="ZFJLY-640221",
    scans=(
        (
            "从业人员健康检查登记表（复印件）",
            ("姓名  岗位  体检日期  合格证明编号", "……", "经核对与原件一致  当事人（签章）"),
        ),
        ("消毒记录本（摘抄）", ("日期  消毒物品  消毒方式  操作人", "……", "以上内容经当事人确认")),
    ),
    features=frozenset({"disclosure"}),
    payment="自收到本决定书之日起十五日内，持缴款通知书到指定银行缴纳罚款。",
)
