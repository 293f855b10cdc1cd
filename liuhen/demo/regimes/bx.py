"""本溪市卫生健康委员会 (BX pack): health supervision by a city health commission. Distinctive:
refusals recorded (拒绝调查 第五条第（五）项, 拒收 第十二条: a witness or photo/video), evidence
preservation on AV (第六条), reasoned decisions with remedies (第九条), AV retention and long-term
preservation where the party obstructed (第十七条、第十八条).
"""

from __future__ import annotations

from decimal import Decimal

from liuhen.cases.models import Source, Stage
from liuhen.demo.fake import Locality
from liuhen.demo.spec import AgencySpec, CasePlan, Staff, features
from liuhen.demo.violations import HEALTH_SUPERVISION
from liuhen.org.models import PolicyPack, Role

BENXI = Locality(
    province="辽宁省",
    city="本溪市",
    county="",
    region_code="210502",
    area_code="024",
    towns=("平山区", "明山区", "溪湖区", "南芬区"),
    streets=("解放北路", "解放南路", "胜利路", "站前街", "永丰街", "东明路", "峪明路", "光明街", "新华街", "彩屯路"),
    communities=("下马塘", "思山岭", "郭家", "石桥子", "火连寨", "东营坊", "卧龙", "高台子"),
    seat="平山区",
)  # fmt: skip

MEDICAL = "医疗卫生监督科"
PUBLIC = "公共卫生监督科"
LEGAL = "政策法规科"

STAFF: tuple[Staff, ...] = (
    Staff("bx_admin", "佟立新", None, (Role.SYSTEM_ADMIN,), "本溪市卫生健康委员会 系统管理员"),
    Staff("bx_zhuren", "孟庆国", None, (Role.AGENCY_HEAD,), "本溪市卫生健康委员会 机关负责人（主任）",
          certified=True),
    Staff("bx_fazhi", "吴桐", LEGAL, (Role.LEGAL_REVIEWER,), "本溪市卫生健康委员会 法制审核人员（政策法规科）",
          certified=True, login=True),
    Staff("bx_dangan", "关雪梅", None, (Role.ARCHIVIST,), "本溪市卫生健康委员会 档案管理员"),
    Staff("bx_liubo", "刘波", MEDICAL, (Role.DEPARTMENT_HEAD, Role.OFFICER),
          "本溪市卫生健康委员会 医疗卫生监督科科长", certified=True),
    Staff("bx_zhouning", "周宁", MEDICAL, (Role.OFFICER,), "本溪市卫生健康委员会 卫生监督员（医疗卫生监督科）",
          certified=True, login=True),
    Staff("bx_jiangtao", "姜涛", MEDICAL, (Role.OFFICER,), "本溪市卫生健康委员会 卫生监督员（医疗卫生监督科）",
          certified=True),
    Staff("bx_songjia", "宋佳", PUBLIC, (Role.DEPARTMENT_HEAD, Role.OFFICER),
          "本溪市卫生健康委员会 公共卫生监督科科长", certified=True),
    Staff("bx_hanlu", "韩璐", PUBLIC, (Role.OFFICER,), "本溪市卫生健康委员会 卫生监督员（公共卫生监督科）",
          certified=True),
    Staff("bx_gaoyang", "高阳", PUBLIC, (Role.OFFICER,), "本溪市卫生健康委员会 卫生监督员（公共卫生监督科）",
          certified=True),
)  # fmt: skip

f = features

PLANS: tuple[CasePlan, ...] = (
    # End to end: evidence preserved on video, a reasoned decision after legal review, served in
    # person with both signatures, performance recorded, archived with its retention, followed up.
    CasePlan("clinic_disinfection", MEDICAL, ("bx_zhouning", "bx_jiangtao"), Stage.FOLLOWUP,
             features=f("preservation", "major"), key="bx-e2e"),
    # Gap: the operator refused the inspection and no refusal record was made (第五条第（五）项).
    CasePlan("unlicensed_clinic", MEDICAL, ("bx_jiangtao", "bx_zhouning"), Stage.INVESTIGATION,
             features=f("refused"), omit=f("refusal_record"), amount=Decimal("7600.00"), key="bx-refusal"),
    # Gap: the obstruction was recorded, but its video not kept for the long term (第十八条第（二）项).
    CasePlan("health_cert", PUBLIC, ("bx_hanlu", "bx_gaoyang"), Stage.CLOSING, features=f("refused", "no_long_term"),
             key="bx-long-term"),
    # Gap: the decision was left with a party who refused it, with neither a witness nor video (第十二条).
    CasePlan("disinfection_public", PUBLIC, ("bx_gaoyang", "bx_hanlu"), Stage.SERVICE, features=f("lodged"),
             omit=f("service_av", "witness"), key="bx-lodged-witness"),
    CasePlan("unlicensed_doctor", MEDICAL, ("bx_liubo", "bx_zhouning"), Stage.REVIEW, source=Source.COMPLAINT,
             features=f("site"), amount=Decimal("5200.00"), progress=3),
)  # fmt: skip

SPEC = AgencySpec(
    pack=PolicyPack.BX,
    name="本溪市卫生健康委员会",
    short_name="本卫健",
    region_code="210500",
    locality=BENXI,
    seed_offset=404,
    address="本溪市平山区胜利路17号",
    phone="024-42843120",
    reconsideration_body="本溪市人民政府",
    court="本溪市平山区人民法院",
    police="本溪市公安局",
    superior="辽宁省卫生健康委员会",
    supervision="卫生监督检查",
    departments=((MEDICAL, False), (PUBLIC, False), (LEGAL, True)),
    staff=STAFF,
    department_heads={MEDICAL: "bx_liubo", PUBLIC: "bx_songjia"},
    head="bx_zhuren",
    legal="bx_fazhi",
    archivist="bx_dangan",
    discussion=("bx_zhuren", "bx_liubo", "bx_songjia", "bx_fazhi"),
    violations=HEALTH_SUPERVISION,
    plans=PLANS,
    discretion="《辽宁省卫生健康行政处罚裁量基准》",
    procedure_rules="《卫生行政处罚程序》",
    archive_prefix="BWJ",
    device_prefix="ZFJLY-210500",
    scans=(
        (
            "灭菌器运行记录（复印件）",
            ("日期  锅次  灭菌物品  温度/压力  操作人", "……", "经核对与原件一致  当事人（签章）"),
        ),
        (
            "从业人员健康检查登记表（复印件）",
            ("姓名  岗位  体检日期  合格证明编号", "……", "以上内容经当事人确认"),
        ),
    ),
    payment="自收到本决定书之日起十五日内，持缴款通知书到指定银行缴纳罚款。",
)
