"""The violations the demo cases are about, with the provisions their documents quote.

- ``MEDICAL_INSURANCE``: what a 医疗保障局 enforces (YC, HY, WD), under 《医疗保障基金使用监督管理
  条例》(国务院令第735号, 2021).
- ``HEALTH_SUPERVISION``: what a 卫生监督所 / 卫生健康委 enforces (PL, BX): public places (《公共场所
  卫生管理条例实施细则》), drinking water (《生活饮用水卫生监督管理办法》), practising medicine without
  a licence (《医师法》, 《基本医疗卫生与健康促进法》) and disinfection in medical institutions
  (《消毒管理办法》).
"""

from __future__ import annotations

from decimal import Decimal

from liuhen.demo.spec import Violation

FUND_REGULATION = "《医疗保障基金使用监督管理条例》"
_RETURN = ("责令改正违法行为", "责令退回医保基金{amount}元")

MEDICAL_INSURANCE: dict[str, Violation] = {
    "swap_drugs": Violation(
        title="涉嫌串换药品案",
        party_kind="pharmacy",
        conduct="将参保人员购买的保健食品、日用品等非医保支付范围商品串换为医保目录内药品进行刷卡结算",
        provision=f"{FUND_REGULATION}第十五条第二款",
        basis=f"{FUND_REGULATION}第三十八条第（四）项：责令改正，责令退回，处造成损失金额1倍以上2倍以下的罚款",
        multiple=Decimal("1.5"),
        scenes=("货架陈列药品及保健食品", "收银台医保结算终端"),
        items=("某品牌蛋白粉 400g/罐 12罐", "某品牌维生素C咀嚼片 60片/瓶 30瓶", "医保结算小票 86张"),
        remedy="医保结算系统已设置非医保商品拦截，进销存台账与结算数据一致，未发现新的串换行为",
        answer="有这个情况，主要是为了方便顾客，没有想到违反医保规定。",
    ),
    "non_covered": Violation(
        title="涉嫌将非医保支付范围费用纳入医保结算案",
        party_kind="pharmacy",
        conduct="将医疗器械、化妆品等不属于医疗保障基金支付范围的商品费用纳入医保基金结算",
        provision=f"{FUND_REGULATION}第十五条第二款",
        basis=f"{FUND_REGULATION}第三十八条第（六）项：责令改正，责令退回，处造成损失金额1倍以上2倍以下的罚款",
        multiple=Decimal("1.2"),
        scenes=("药店门头及医保定点标牌", "医疗器械及化妆品货架"),
        items=("电子血压计 10台", "医用护肤面膜 25盒", "进销存台账 1册"),
        remedy="已将医疗器械、化妆品从医保结算目录中剔除，收银人员经培训后持证上岗",
    ),
    "fictitious": Violation(
        title="涉嫌虚构医药服务项目骗取医保基金案",
        party_kind="clinic",
        conduct="虚构针灸、推拿等中医诊疗服务项目并申报医保基金结算",
        provision=f"{FUND_REGULATION}第二十条",
        basis=f"{FUND_REGULATION}第四十条第一款第（三）项：责令退回，处骗取金额2倍以上5倍以下的罚款",
        multiple=Decimal("2"),
        scenes=("诊所门头及执业许可公示", "针灸推拿治疗室"),
        items=("门诊日志 2册", "治疗登记本 1册", "收费票据存根 3本"),
        remedy="已建立治疗项目逐日登记和患者签字确认制度，医保申报与治疗记录一致",
    ),
    "hanging_bed": Violation(
        title="涉嫌挂床住院案",
        party_kind="hospital",
        conduct="多名住院参保人员在院期间未实际住院治疗（挂床住院），仍按住院标准结算医保费用",
        provision=f"{FUND_REGULATION}第十五条第一款",
        basis=f"{FUND_REGULATION}第三十八条第（一）项：责令改正，责令退回，处造成损失金额1倍以上2倍以下的罚款",
        multiple=Decimal("1"),
        scenes=("病区床位及在床情况", "护士站住院患者一览表"),
        items=("住院病历 14份", "护理记录单 14份", "病区床位一览表 1份"),
        remedy="已建立住院患者在床巡查制度，每日查房记录完整，抽查在院患者均在床",
    ),
    "overcharge": Violation(
        title="涉嫌重复收费、超标准收费案",
        party_kind="health_centre",
        conduct="对静脉输液、血糖监测等项目重复收费、超过医疗服务价格标准收费并纳入医保结算",
        provision=f"{FUND_REGULATION}第十五条第一款",
        basis=f"{FUND_REGULATION}第三十八条第（三）项：责令改正，责令退回，处造成损失金额1倍以上2倍以下的罚款",
        multiple=Decimal("1"),
        scenes=("卫生院门头及收费公示", "收费处医保结算窗口"),
        items=("住院费用明细清单 32份", "医疗服务价格公示表 1份"),
        remedy="收费系统已按现行医疗服务价格标准更新，重复收费项目已设置拦截",
    ),
    "over_treatment": Violation(
        title="涉嫌过度检查、超量开药案",
        party_kind="clinic",
        conduct="违反诊疗规范对门诊参保人员过度检查、超量开药",
        provision=f"{FUND_REGULATION}第十五条第一款",
        basis=f"{FUND_REGULATION}第三十八条第（二）项：责令改正，责令退回，处造成损失金额1倍以上2倍以下的罚款",
        multiple=Decimal("1"),
        scenes=("诊所门头及执业许可公示", "检查室及处方存放"),
        items=("门诊处方 120张", "检查报告单 46份"),
        remedy="已建立处方点评制度，抽查门诊处方未见超量开药",
    ),
    "records_keeping": Violation(
        title="涉嫌未按规定保管药品出入库记录案",
        party_kind="pharmacy",
        conduct="未按照规定保管药品出入库记录、处方等资料，经责令改正后拒不改正",
        provision=f"{FUND_REGULATION}第十四条",
        basis=f"{FUND_REGULATION}第三十九条第（二）项：责令改正，拒不改正的，处1万元以上5万元以下的罚款",
        fixed_fine=Decimal("20000.00"),
        money="",
        scenes=("药店门头及医保定点标牌", "库房药品出入库台账"),
        items=("药品出入库记录（残缺）1册", "处方存根 1袋"),
        remedy="药品出入库记录、处方按月装订保存，台账完整",
    ),
    "impersonation": Violation(
        title="涉嫌将本人医保凭证交由他人冒名使用案",
        party_kind="person",
        conduct="将本人医保电子凭证交由他人冒名在定点药店购药并使用医保个人账户及统筹基金结算",
        provision=f"{FUND_REGULATION}第十九条第二款",
        basis=f"{FUND_REGULATION}第四十一条第一款第（一）项：责令改正，责令退回，暂停医疗费用联网结算3个月至12个月",
        sanction="暂停其医疗费用联网结算6个月",
        scenes=("询问室询问现场", "当事人医保电子凭证使用记录"),
        items=("医保结算记录打印件 1份", "药店监控截图 6张"),
        answer="是我把医保码给了亲戚用，不知道这样是违法的。",
    ),
    "resale": Violation(
        title="涉嫌利用享受医保待遇的机会转卖药品案",
        party_kind="person",
        conduct="以骗取医保基金为目的，多次在不同定点医药机构开具降糖类药品后转卖牟利",
        provision=f"{FUND_REGULATION}第十九条第二款",
        basis=f"{FUND_REGULATION}第四十一条第一款第（三）项、第二款：责令退回，暂停联网结算，并处骗取金额2倍以上5倍以下的罚款",
        multiple=Decimal("2"),
        sanction="暂停其医疗费用联网结算12个月",
        scenes=("当事人住所外景", "涉案药品包装盒"),
        items=("药品包装盒 23个", "转卖交易微信聊天记录截图 1份"),
        answer="药是我开的，吃不完就卖给了别人，我愿意退钱。",
    ),
}

PUBLIC_PLACES = "《公共场所卫生管理条例实施细则》"
_CORRECT = ("责令限期改正",)

HEALTH_SUPERVISION: dict[str, Violation] = {
    "health_cert": Violation(
        title="涉嫌安排未取得有效健康合格证明的从业人员从事直接为顾客服务工作案",
        party_kind="salon",
        conduct="安排3名未取得有效健康合格证明的从业人员从事美发、美容等直接为顾客服务的工作",
        provision=f"{PUBLIC_PLACES}第十条",
        basis=f"{PUBLIC_PLACES}第三十八条：责令限期改正，给予警告，并处以五百元以上五千元以下罚款",
        fixed_fine=Decimal("1500.00"),
        money="",
        warning=True,
        scenes=("店面门头及卫生许可证公示", "从业人员健康合格证明公示栏"),
        items=("从业人员花名册 1份", "健康合格证明复印件 5份", "顾客服务登记本 1册"),
        remedy="全部从业人员已进行健康检查并取得有效健康合格证明，建立了从业人员健康管理档案",
        answer="有三个新来的员工还没去办健康证，我们准备这个月统一去办。",
    ),
    "disinfection_public": Violation(
        title="涉嫌未按照规定对顾客用品用具进行清洗、消毒、保洁案",
        party_kind="hotel",
        conduct="未按照规定对客房茶具、毛巾、床上卧具等顾客用品用具进行清洗、消毒、保洁，消毒间未正常使用",
        provision=f"{PUBLIC_PLACES}第十四条",
        basis=f"{PUBLIC_PLACES}第三十六条第（二）项：责令限期改正，给予警告，并可处以二千元以下罚款",
        fixed_fine=Decimal("1000.00"),
        money="",
        warning=True,
        scenes=("宾馆门头及卫生许可证公示", "客房布草间及消毒间"),
        items=("客房茶具 12套", "布草清洗消毒记录（缺失）1册", "消毒柜 1台（未通电）"),
        remedy="消毒间已恢复使用，配备了专职消毒保洁人员，顾客用品用具清洗消毒记录完整",
    ),
    "water_quality": Violation(
        title="涉嫌供应的生活饮用水不符合国家卫生标准案",
        party_kind="water_plant",
        conduct="供应的生活饮用水经抽样检测，菌落总数、总大肠菌群指标不符合《生活饮用水卫生标准》"
        "（GB 5749—2022）的要求",
        provision="《生活饮用水卫生监督管理办法》第六条",
        basis="《生活饮用水卫生监督管理办法》第二十六条第（四）项：责令限期改进，并可处以二十元以上五千元以下的罚款",
        fixed_fine=Decimal("3000.00"),
        money="",
        scenes=("供水站门头及卫生许可证", "消毒设备及蓄水池"),
        items=("出厂水水样 2份", "末梢水水样 2份", "消毒设备运行记录 1册"),
        remedy="已更换二氧化氯发生器并落实每日消毒记录，复检水样各项指标符合卫生标准",
        answer="消毒设备坏了一段时间，一直没来得及修，我们马上整改。",
    ),
    "unlicensed_doctor": Violation(
        title="涉嫌非医师行医案",
        party_kind="person",
        conduct="未取得医师资格和医师执业证书，在其住所内为村民输液、开具药品，从事医师执业活动",
        provision="《中华人民共和国医师法》第十三条第四款",
        basis="《中华人民共和国医师法》第五十九条：责令停止非法执业活动，没收违法所得和药品、医疗器械，"
        "并处违法所得二倍以上十倍以下的罚款，违法所得不足一万元的，按一万元计算",
        multiple=Decimal("2"),
        min_base=Decimal("10000"),
        money="income",
        scenes=("当事人住所诊疗场所", "现场药品及输液器具"),
        items=("一次性输液器 36套", "各类药品 17种", "血压计、听诊器各1个"),
        remedy="当事人已停止非法行医活动，复查未发现诊疗用品和药品",
        answer="我以前在村卫生室帮过忙，会打针输液，村里人找我看病我就给看了。",
    ),
    "unlicensed_clinic": Violation(
        title="涉嫌未取得医疗机构执业许可证擅自执业案",
        party_kind="salon",
        conduct="未取得《医疗机构执业许可证》，以理疗养生名义开展针灸、静脉输液等诊疗活动",
        provision="《医疗机构管理条例》第二十三条",
        basis="《中华人民共和国基本医疗卫生与健康促进法》第九十九条第一款：责令停止执业活动，没收违法所得和药品、"
        "医疗器械，并处违法所得五倍以上二十倍以下的罚款，违法所得不足一万元的，按一万元计算",
        multiple=Decimal("5"),
        min_base=Decimal("10000"),
        money="income",
        scenes=("养生馆门头", "针灸床及输液器具"),
        items=("针灸针 2盒", "一次性输液器 20套", "收费记录本 1册"),
        remedy="已停止诊疗活动，撤除针灸、输液器具，现仅从事生活美容服务",
    ),
    "clinic_disinfection": Violation(
        title="涉嫌口腔诊疗器械消毒灭菌不符合规定案",
        party_kind="dental",
        conduct="对口腔诊疗器械未做到一人一用一消毒或者灭菌，牙科手机使用后仅擦拭即重复使用，"
        "未按规定开展灭菌效果监测",
        provision="《消毒管理办法》第六条",
        basis="《消毒管理办法》第四十一条：责令限期改正，可以处五千元以下罚款",
        fixed_fine=Decimal("4000.00"),
        money="",
        scenes=("诊所门头及执业许可公示", "消毒供应室及灭菌设备"),
        items=("牙科手机 8支", "压力蒸汽灭菌器运行记录 1册", "灭菌效果生物监测记录（空白）1册"),
        remedy="已新购牙科手机并实行一人一用一灭菌，灭菌效果生物监测每周开展并留有记录",
    ),
}


def orders(violation: Violation) -> tuple[str, ...]:
    """What the decision orders besides the penalties (templates with ``{amount}``)."""
    if violation.money == "fund":
        return _RETURN
    if violation.money == "income":
        return ("责令停止违法执业活动", "没收违法所得{amount}元和药品、医疗器械")
    if violation.party_kind == "water_plant":
        return ("责令限期改进",)
    return _CORRECT


__all__ = ["FUND_REGULATION", "HEALTH_SUPERVISION", "MEDICAL_INSURANCE", "orders"]
