"""What the demo looks like: one agency per policy pack, each with a case run from start to archive
under its pack and cases with deliberate gaps that show the pack's distinctive findings.

``liuhen demo`` prints each showcase case's number; the end-to-end ones have no finding at all
(neither blocking nor warning) when the demo is built.

==================  ====  ==========================================================================
showcase key        pack  what ``liuhen check --case <number>`` reports
==================  ====  ==========================================================================
yc-e2e              YC    nothing: filed, investigated on video (with evidence preserved), decided
                          after legal review and collective discussion, served on video, performed,
                          archived, re-inspected on video
yc-inquiry-av       YC    YC-5-6-inquiry-av (YC 第五条第（六）项): inquiry without audio/video;
                          held in investigation
yc-photo-consent    YC    YC-6-1-photo-no-consent (YC 第六条第（一）项): a photo although the party
                          refused on privacy grounds
yc-rights-av        YC    YC-5-5-rights-av, YC-5-7-signing-av (YC 第五条第（五）、（七）项): rights told
                          and statement signed without AV; held in review
yc-lodged-av        YC    YC-5-11-lodged-service-av (YC 第五条第（十一）项): lodged service without
                          video; held in service
hy-e2e              HY    nothing: a 25200-yuan fine — case file handed over, reviewed by the legal
                          office within 3 working days, filed with it, published within 7 working
                          days — archived within 30 days, followed up
hy-legal-review     HY    HY-FS-4-draft-organisation (HY-FS 第四条): a 29000-yuan fine drafted without
                          法制审核; the decision is refused (LR-7), the case waits in review
hy-disclosure-late  HY    HY-GS-7-penalty-disclosure, late (HY-GS 第七条): published after 7 working days
hy-review-slow      HY    HY-FS-6-review-period, late (HY-FS 第六条): legal review past 3 working days
pl-e2e              PL    nothing: a complex complaint prepared with a case-analysis meeting and an
                          investigation plan, every contact with the party and the collective
                          discussion on video, published, light follow-up on the party's report
pl-prep-missing     PL    PL-6-2-assigned-prep (PL 第六条第（二）项): assigned case without the
                          preparation-stage meeting and plan; held in initiation
pl-serious-followup PL    PL-16-3-serious (PL 第十六条第（三）项): serious case re-inspected without video
pl-light-followup   PL    PL-16-1-light (PL 第十六条第（一）项): light case without rectification report
wd-e2e              WD    nothing: complaint registered, every field WD lists filled, AV (preservation,
                          hearing, service) attached to its records, archived within 30 days
wd-video-late       WD    WD-22-av-upload-24h, late (WD 第二十二条): video stored long after recording
wd-archive-late     WD    WD-23-filing-30d, late (WD 第二十三条): archived 41 days after the action ended
wd-mail-receipt     WD    WD-18-3-mail-receipt (WD 第十八条第（三）项): served by post without the postal
                          receipt; held in service
bx-e2e              BX    nothing: preservation on video, reasoned decision after legal review, served
                          with both signatures, performance recorded, archived with its retention
bx-refusal          BX    BX-5-5-refusal-site (BX 第五条第（五）项): refused inspection without a refusal
                          record; held in investigation
bx-long-term        BX    BX-18-long-term (BX 第十八条第（二）项): obstruction video not kept long-term
bx-lodged-witness   BX    BX-12-refusal-witness (BX 第十二条): refused decision left without a witness
==================  ====  ==========================================================================

Besides these, the YC agency (盐池县医疗保障局, the demo's original one: ``zhangwei`` / ``demo1234``
leads a case in investigation) has cases in every stage and branch (不予立案, 移送管辖, 移送公安,
撤销), and the others a few cases in progress and branches with the records their packs require
for them (不予立案告知, 移送函, withdrawal of a published decision).
"""

from __future__ import annotations

from dataclasses import dataclass

from liuhen.demo.regimes import bx, hy, pl, wd, yc
from liuhen.demo.spec import DEMO_PASSWORD, AgencySpec, CasePlan

AGENCIES: tuple[AgencySpec, ...] = (yc.SPEC, hy.SPEC, pl.SPEC, wd.SPEC, bx.SPEC)


@dataclass(frozen=True)
class Showcase:
    """A case that shows its pack at work: run end to end (``expect`` empty: nothing blocking), or
    built on a gap (``expect``: the (rule id, citation) findings it must show)."""

    key: str
    pack: str
    label: str
    expect: tuple[tuple[str, str], ...] = ()

    @property
    def end_to_end(self) -> bool:
        return not self.expect


SHOWCASE: tuple[Showcase, ...] = (
    Showcase("yc-e2e", "YC", "完整流程（立案至回访复查），满足全部阻断性规则"),
    Showcase("yc-inquiry-av", "YC", "询问未同步录音录像", (("YC-5-6-inquiry-av", "YC 第五条第（六）项"),)),
    Showcase(
        "yc-photo-consent",
        "YC",
        "当事人以隐私为由拒绝仍拍照",
        (("YC-6-1-photo-no-consent", "YC 第六条第（一）项"),),
    ),
    Showcase(
        "yc-rights-av",
        "YC",
        "告知权利及陈述申辩签字未音像记录",
        (("YC-5-5-rights-av", "YC 第五条第（五）项"), ("YC-5-7-signing-av", "YC 第五条第（七）项")),
    ),
    Showcase(
        "yc-lodged-av", "YC", "留置送达未全程录像", (("YC-5-11-lodged-service-av", "YC 第五条第（十一）项"),)
    ),
    Showcase("hy-e2e", "HY", "完整流程：重大执法决定经法制审核，7个工作日内公示"),
    Showcase(
        "hy-legal-review",
        "HY",
        "重大罚款未经法制审核",
        (("HY-FS-4-draft-organisation", "HY-FS 第四条"),),
    ),
    Showcase(
        "hy-disclosure-late",
        "HY",
        "处罚决定超过7个工作日才公示",
        (("HY-GS-7-penalty-disclosure", "HY-GS 第七条"),),
    ),
    Showcase("hy-review-slow", "HY", "法制审核超过3个工作日", (("HY-FS-6-review-period", "HY-FS 第六条"),)),
    Showcase("pl-e2e", "PL", "完整流程：事前案情分析与调查方案，全程动态记录，分级复查"),
    Showcase(
        "pl-prep-missing", "PL", "交办案件缺事前阶段记录", (("PL-6-2-assigned-prep", "PL 第六条第（二）项"),)
    ),
    Showcase(
        "pl-serious-followup",
        "PL",
        "情形较重的复查未全程录像",
        (("PL-16-3-serious", "PL 第十六条第（三）项"),),
    ),
    Showcase(
        "pl-light-followup", "PL", "情形轻微的复查缺整改报告", (("PL-16-1-light", "PL 第十六条第（一）项"),)
    ),
    Showcase("wd-e2e", "WD", "完整流程：各环节记录要素齐全，30日内归档"),
    Showcase("wd-video-late", "WD", "录像未在24小时内上传", (("WD-22-av-upload-24h", "WD 第二十二条"),)),
    Showcase("wd-archive-late", "WD", "执行终结后超过30日归档", (("WD-23-filing-30d", "WD 第二十三条"),)),
    Showcase(
        "wd-mail-receipt",
        "WD",
        "邮寄送达未留存邮寄凭证",
        (("WD-18-3-mail-receipt", "WD 第十八条第（三）项"),),
    ),
    Showcase("bx-e2e", "BX", "完整流程：先行登记保存音像记录，决定书说理，直接送达双方签名"),
    Showcase(
        "bx-refusal",
        "BX",
        "当事人拒绝检查未制作拒绝调查情况记录",
        (("BX-5-5-refusal-site", "BX 第五条第（五）项"),),
    ),
    Showcase(
        "bx-long-term", "BX", "阻碍执法的影像未长期保存", (("BX-18-long-term", "BX 第十八条第（二）项"),)
    ),
    Showcase(
        "bx-lodged-witness", "BX", "拒收留置送达无见证人签名", (("BX-12-refusal-witness", "BX 第十二条"),)
    ),
)


def plan_for(key: str) -> tuple[AgencySpec, CasePlan]:
    for spec in AGENCIES:
        for plan in spec.plans:
            if plan.key == key:
                return spec, plan
    raise KeyError(key)


def check_plans() -> None:
    """The demo data is consistent: usernames unique across agencies, every plan's people and
    violation exist, every showcase has its plan, and a showcase plan is the only one of its agency
    with its lead, violation, stage and branch (``builder.showcase_case`` finds it by those)."""
    usernames = [staff.username for spec in AGENCIES for staff in spec.staff]
    duplicates = {u for u in usernames if usernames.count(u) > 1}
    if duplicates:
        raise ValueError(f"demo usernames used twice: {sorted(duplicates)}")
    keys = [plan.key for spec in AGENCIES for plan in spec.plans if plan.key]
    if sorted(keys) != sorted(item.key for item in SHOWCASE):
        raise ValueError("every showcase needs exactly one plan with its key")
    for spec in AGENCIES:
        people = {staff.username for staff in spec.staff}
        signature = [(p.handlers[0], p.violation, p.stage, p.branch) for p in spec.plans]
        for plan in spec.plans:
            missing = [u for u in plan.handlers if u not in people]
            if (
                missing
                or plan.violation not in spec.violations
                or plan.department not in spec.department_heads
            ):
                raise ValueError(f"{spec.pack} plan {plan} refers to unknown people, violation or department")
            this = (plan.handlers[0], plan.violation, plan.stage, plan.branch)
            if plan.key and signature.count(this) > 1:
                raise ValueError(f"{spec.pack} showcase {plan.key} is not the only plan like it")


__all__ = ["AGENCIES", "DEMO_PASSWORD", "SHOWCASE", "Showcase", "check_plans", "plan_for"]
