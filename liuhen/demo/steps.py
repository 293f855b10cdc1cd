"""The records each demo case gets in each stage, and before it takes a branch.

A step writes one record (or a record with its AV) through ``CaseBuild``, which calls the records
services; the steps themselves live in ``steps_intake``, ``steps_investigation``,
``steps_decision`` and ``steps_closing``. A step runs when the plan (or its agency) has its
``feature``, lacks its ``unless`` feature, meets its ``when`` condition, and does not ``omit`` it
by name — the deliberate gaps of the showcase cases.

Features: inspection_plan, prep (case-analysis meeting and investigation plan), not_filed, site, privacy, preservation, coercive, refused, no_long_term, sampling, correction, scan,
photo_refused, video_late, hearing, major (legal review, collective discussion), complex (案情复杂),
filing (case file handover and decision filing with the legal office), lodged, mail, disclosure,
disclosure_late, review_slow, archive_late.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from liuhen.archives.demo import archive_file
from liuhen.cases.models import Branch, Source, Stage
from liuhen.demo import steps_closing as close
from liuhen.demo import steps_decision as decide
from liuhen.demo import steps_intake as intake
from liuhen.demo import steps_investigation as inv

if TYPE_CHECKING:
    from liuhen.demo.builder import CaseBuild

STAGE_REASONS: dict[str, str] = {
    Stage.INITIATION: "事前准备完成，启动立案程序。",
    Stage.INVESTIGATION: "经机关负责人批准立案，进入调查取证。",
    Stage.REVIEW: "调查终结，提交审查决定。",
    Stage.SERVICE: "行政处罚决定已作出，进入送达执行。",
    Stage.CLOSING: "决定已执行完毕，办理结案归档。",
    Stage.FOLLOWUP: "结案后开展整改复查。",
}


@dataclass(frozen=True)
class Step:
    run: Callable[[CaseBuild], Any]
    feature: str = ""  # only for plans with this feature
    unless: str = ""  # skipped for plans with this feature
    when: Callable[[CaseBuild], bool] | None = None

    @property
    def name(self) -> str:
        return self.run.__name__

    def applies(self, build: CaseBuild) -> bool:
        if self.name in build.plan.omit:
            return False
        if self.feature and not build.has(self.feature):
            return False
        if self.unless and build.has(self.unless):
            return False
        return self.when is None or self.when(build)


def _complaint(b: CaseBuild) -> bool:
    return b.plan.source == Source.COMPLAINT


def _files_approval(b: CaseBuild) -> bool:
    return not b.has("not_filed") or b.spec.not_filing_form == "filing_approval"


def _privacy_on_site(b: CaseBuild) -> bool:
    return b.has("privacy") and inv.on_site(b)


def _major(b: CaseBuild) -> bool:
    return b.major


def _not_light(b: CaseBuild) -> bool:
    return b.plan.grade != "light"


def _light(b: CaseBuild) -> bool:
    return b.plan.grade == "light"


STEPS: dict[str, tuple[Step, ...]] = {
    Stage.PREPARATION: (
        Step(intake.annual_plan, feature="inspection_plan"),
        Step(intake.inspection_notice, feature="inspection_plan"),
        Step(intake.case_analysis, feature="prep"),
        Step(intake.investigation_plan, feature="prep"),
    ),
    Stage.INITIATION: (
        Step(intake.complaint_registration, when=_complaint),
        Step(intake.filing_approval, when=_files_approval),
    ),
    Stage.INVESTIGATION: (
        Step(inv.av_consent, when=_privacy_on_site),
        Step(inv.site_inspection, when=inv.on_site),
        Step(inv.photos, unless="privacy", when=inv.on_site),
        Step(inv.site_video, when=inv.on_site),
        Step(inv.video_late, feature="video_late"),
        Step(inv.refusal_record, feature="refused"),
        Step(inv.preservation, feature="preservation"),
        Step(inv.coercive, feature="coercive"),
        Step(inv.sampling, feature="sampling"),
        Step(inv.inquiry_notice),
        Step(inv.inquiry),
        Step(inv.inquiry_av),
        Step(inv.photo_refused, feature="photo_refused"),
        Step(inv.scan, feature="scan"),
    ),
    Stage.REVIEW: (
        Step(decide.investigation_report),
        Step(decide.advance_notice),
        Step(decide.notice_av),
        Step(decide.hearing_notice, feature="hearing"),
        Step(decide.hearing_application, feature="hearing"),
        Step(decide.statement_defence),
        Step(decide.statement_av),
        Step(decide.hearing_schedule, feature="hearing"),
        Step(decide.hearing, feature="hearing"),
        Step(decide.hearing_av, feature="hearing"),
        Step(decide.case_file_handover, feature="filing", when=_major),
        Step(decide.legal_review, feature="major"),
        Step(decide.objection_and_collective, feature="objection"),  # LR-6 (HY-FS 第十条)
        Step(decide.collective, feature="major", unless="objection"),
        Step(decide.deliberation_av, feature="major", unless="objection"),
        Step(decide.penalty_decision),
    ),
    Stage.SERVICE: (
        Step(close.service_receipt),
        Step(close.service_av, unless="mail"),
        Step(close.mailing_receipt, feature="mail"),
        Step(close.disclosure, feature="disclosure"),
        Step(intake.decision_filing, feature="filing", when=_major),
        Step(close.performance),
    ),
    Stage.CLOSING: (
        Step(close.closing_report),
        Step(close.archive_registration),
        Step(archive_file),  # the archive receives the file (liuhen.archives)
    ),
    Stage.FOLLOWUP: (
        Step(close.rectification_report, when=_light),
        Step(close.reinspection),
        Step(close.reinspection_av, when=_not_light),
    ),
}

# Written just before the case takes the branch (a branched case takes no more records).
BRANCH_STEPS: dict[str, tuple[Step, ...]] = {
    Branch.NOT_FILED: (
        Step(intake.not_filing_approval, when=lambda b: b.spec.not_filing_form == "not_filing_approval"),
        Step(intake.complainant_notice, when=_complaint),
    ),
    Branch.TRANSFERRED: (Step(intake.transfer_letter),),
    Branch.REFERRED_POLICE: (Step(intake.criminal_referral),),
    Branch.REVOKED: (Step(intake.revocation),),
}

__all__ = ["BRANCH_STEPS", "STAGE_REASONS", "STEPS", "Step"]
