"""Demo data for case-file archiving: every demo case that reaches 结案归档 gets its file compiled
and submitted by the lead officer and accepted by the agency's archivist (on the day of its
案卷归档登记); the agency-wide custodian is the archivist. A case with the ``archive_late``
feature was submitted after the 30 days and returned (files out of order) and has not been
resubmitted: it shows as overdue.

Called from ``liuhen.demo.steps`` (one step after ``archive_registration``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from liuhen.archives import services
from liuhen.archives.models import CustodianDesignation
from liuhen.cases.models import Stage

if TYPE_CHECKING:
    from liuhen.demo.builder import CaseBuild


def archive_file(b: CaseBuild) -> None:
    if "archive_registration" not in b.last:  # a gap case without the registration stays unarchived
        return
    agency = b.case.agency
    if not CustodianDesignation.objects.filter(agency=agency).exists():
        services.designate_custodian(
            actor=b.agency_head,
            agency=agency,
            person=b.archivist,
            note="负责本机关执法案卷的归档、保存和管理。",
            designated_at=b.at(Stage.CLOSING, 0, 8),
        )
    clo = Stage.CLOSING
    if b.has("archive_late"):
        first = services.submit_archive(actor=b.lead, case=b.case, submitted_at=b.at(clo, 35, 15))
        services.decide_archive(
            actor=b.archivist,
            submission=first,
            accept=False,
            reasons="卷内文件未按办案顺序排列，缺少送达回证原件扫描件，请补正后重新报送。",
            decided_at=b.at(clo, 36, 10),
        )
        return  # not resubmitted: overdue on the dashboard, the archive pages and the year-end check
    submission = services.submit_archive(actor=b.lead, case=b.case, submitted_at=b.at(clo, 4, 15))
    services.decide_archive(
        actor=b.archivist, submission=submission, accept=True, decided_at=b.at(clo, 5, 10)
    )
