"""Legal review of major decisions (重大执法决定法制审核, LR-1..9; HY-FS and 行政处罚法 第五十八条).

Every model here but :class:`RegisterCounter` is an event: written once (database triggers, DESIGN
principle 1), sealed in its ledger entry, never updated. The state of a review — submitted,
received, opinion issued, returned — is derived from which events exist
(:mod:`liuhen.review.selectors`), so there is no mutable status to keep in step.

One review round: the department submits the file (:class:`Submission`, LR-2) → the legal office
registers receipt with a register number and issues the 案卷移交清单 (:class:`Receipt`, a
``case_file_handover`` record) → at most one :class:`Extension` (LR-3) → checklist notes
(:class:`ChecklistEntry`, LR-4), the discretion benchmark check (:class:`DiscretionCheck`),
questions to the investigators and their answers → the :class:`Opinion` (LR-5, a
``legal_review_opinion`` record) → the file returned and registered (:class:`FileReturn`, the
handover record's next version with the 审核后 columns). A file sent back for more work comes
again as a new submission.

No ``DateField`` and no check constraints on the event tables: the write-once property test
mutates every stored column and needs each to round-trip (see ``ledger/tests``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from liuhen.cases.models import Case
from liuhen.org.models import Agency
from liuhen.records.models import Record, RecordAttachment


class Side(models.TextChoices):
    DEPARTMENT = "department", "承办科室（单位）"
    LEGAL_OFFICE = "legal_office", "法制机构"


class Position(models.TextChoices):
    MAJOR = "major", "属于重大执法决定"
    NOT_MAJOR = "not_major", "不属于重大执法决定"


class MajorDispute(models.Model):
    """HY-FS 第四条第二款: one side holds that the draft decision is (or is not) major; settled by
    consultation between the department and the legal office (:class:`MajorResolution`)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="major_disputes")
    side = models.CharField("提出方", max_length=16, choices=Side.choices)
    position = models.CharField("意见", max_length=16, choices=Position.choices)
    reason = models.TextField("理由")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField("提出时间")

    SEALED_FIELDS = ("case", "side", "position", "reason", "raised_by", "raised_at")

    class Meta:
        ordering = ["raised_at", "pk"]
        verbose_name = "重大执法决定认定异议"
        verbose_name_plural = "重大执法决定认定异议"

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_side_display()}：{self.get_position_display()}"


class MajorResolution(models.Model):
    """The outcome of the consultation (协商确定) on a :class:`MajorDispute`."""

    dispute = models.OneToOneField(MajorDispute, on_delete=models.PROTECT, related_name="resolution")
    major = models.BooleanField("协商确定为重大执法决定")
    participants = models.CharField("参加协商人员", max_length=500)
    conclusion = models.TextField("协商意见")
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    resolved_at = models.DateTimeField("登记时间")

    SEALED_FIELDS = ("dispute", "major", "participants", "conclusion", "resolved_by", "resolved_at")

    class Meta:
        ordering = ["resolved_at", "pk"]
        verbose_name = "重大执法决定认定协商结果"
        verbose_name_plural = "重大执法决定认定协商结果"

    def __str__(self) -> str:
        return f"{self.dispute_id} {'重大' if self.major else '非重大'}"


class Submission(models.Model):
    """LR-2 (HY-FS 第四条): after investigation, with a draft decision, the department hands the
    case file to the legal office. ``materials`` (canonical JSON list) is filled from the case's
    current records; ``assessment`` (canonical JSON) is the majorness found at submission."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="review_submissions")
    draft_record = models.ForeignKey(
        Record,
        verbose_name="拟作出的决定（案件调查终结报告）",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    draft_decision = models.TextField("拟作出的重大执法决定")
    materials = models.TextField("移交材料", help_text="canonical JSON list of strings")
    assessment = models.TextField("送审时的重大执法决定认定", help_text="canonical JSON")
    place = models.CharField("移交地点", max_length=200)
    handed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="移交人", on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField("送审时间")

    SEALED_FIELDS = (
        "case",
        "draft_record",
        "draft_decision",
        "materials",
        "assessment",
        "place",
        "handed_by",
        "submitted_at",
    )

    class Meta:
        ordering = ["submitted_at", "pk"]
        verbose_name = "法制审核送审"
        verbose_name_plural = "法制审核送审"

    def __str__(self) -> str:
        return f"{self.case_id} 送审 {self.submitted_at:%Y-%m-%d %H:%M}"


class RegisterCounter(models.Model):
    """Per-agency, per-year sequence of the legal office's register numbers (a counter, not a record)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "year"], name="review_counter_unique")]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.year}: {self.last}"


class Receipt(models.Model):
    """LR-2 (HY-FS 第五条): the legal office receives the file, registers it under a sequential
    number and issues the 案卷移交清单 (``handover``: the ``case_file_handover`` record). The
    review period (LR-3) runs from ``received_at``."""

    submission = models.OneToOneField(Submission, on_delete=models.PROTECT, related_name="receipt")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField("登记年度")
    sequence = models.PositiveIntegerField("登记序号")
    register_no = models.CharField("登记号", max_length=50)
    handover = models.OneToOneField(
        Record, verbose_name="案卷移交清单", on_delete=models.PROTECT, related_name="+"
    )
    place = models.CharField("接收地点", max_length=200)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField("接收时间")

    SEALED_FIELDS = (
        "submission",
        "agency",
        "year",
        "sequence",
        "register_no",
        "handover",
        "place",
        "received_by",
        "received_at",
    )

    class Meta:
        ordering = ["received_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "year", "sequence"], name="review_receipt_sequence"),
        ]
        verbose_name = "法制审核收案登记"
        verbose_name_plural = "法制审核收案登记"

    def __str__(self) -> str:
        return self.register_no


class Extension(models.Model):
    """LR-3 (HY-FS 第六条): the review period extended once, by at most the pack's maximum, with
    the special circumstances that justify it."""

    receipt = models.OneToOneField(Receipt, on_delete=models.PROTECT, related_name="extension")
    working_days = models.PositiveSmallIntegerField("延长工作日数")
    reason = models.TextField("延长理由（特殊情况）")
    extended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    extended_at = models.DateTimeField("登记时间")

    SEALED_FIELDS = ("receipt", "working_days", "reason", "extended_by", "extended_at")

    class Meta:
        verbose_name = "审核期限延长"
        verbose_name_plural = "审核期限延长"

    def __str__(self) -> str:
        return f"{self.receipt_id} 延长 {self.working_days} 个工作日"


class CheckItem(models.TextChoices):
    """LR-4 (HY-FS 第八条): the review items — the same codes as ``legal_review_opinion.review_items``."""

    SUBJECT = "subject", "执法主体是否合法"
    FACTS = "facts", "事实是否清楚、证据是否确凿"
    PROCEDURE = "procedure", "程序是否合法"
    LAW = "law", "适用法律是否准确、充分"
    CHARACTERISATION = "characterisation", "定性是否准确"
    CONTENT = "content", "内容是否适当"
    DISCRETION = "discretion", "处罚幅度是否符合裁量基准"
    OTHER = "other", "其他"


class CheckResult(models.TextChoices):
    OK = "ok", "符合"
    PROBLEM = "problem", "存在问题"
    NOT_APPLICABLE = "not_applicable", "不适用"


class ChecklistEntry(models.Model):
    """One review item checked, with the reviewer's note. A later entry for the same item replaces
    the earlier one in the checklist; both stay."""

    receipt = models.ForeignKey(Receipt, on_delete=models.PROTECT, related_name="checklist")
    item = models.CharField("审核事项", max_length=20, choices=CheckItem.choices)
    result = models.CharField("审核结果", max_length=16, choices=CheckResult.choices)
    note = models.TextField("审核意见", blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    checked_at = models.DateTimeField("登记时间")

    SEALED_FIELDS = ("receipt", "item", "result", "note", "checked_by", "checked_at")

    class Meta:
        ordering = ["checked_at", "pk"]
        verbose_name = "审核事项"
        verbose_name_plural = "审核事项"

    def __str__(self) -> str:
        return f"{self.receipt_id} {self.get_item_display()}：{self.get_result_display()}"


class DiscretionCheck(models.Model):
    """LR-4 (HY-FS 第八条第二款): the proposed fine checked against the pack's discretion benchmark
    (裁量基准) entry; ``within`` is ``None`` when the range could not be computed."""

    receipt = models.ForeignKey(Receipt, on_delete=models.PROTECT, related_name="discretion_checks")
    benchmark_code = models.CharField("裁量基准条目", max_length=50, blank=True)
    benchmark_text = models.CharField("裁量基准内容", max_length=500, blank=True)
    base_amount = models.DecimalField(
        "涉案金额（元）", max_digits=14, decimal_places=2, null=True, blank=True
    )
    proposed_fine = models.DecimalField(
        "拟罚款金额（元）", max_digits=14, decimal_places=2, null=True, blank=True
    )
    allowed_min = models.DecimalField(
        "幅度下限（元）", max_digits=16, decimal_places=2, null=True, blank=True
    )
    allowed_max = models.DecimalField(
        "幅度上限（元）", max_digits=16, decimal_places=2, null=True, blank=True
    )
    within = models.BooleanField("在裁量幅度内", null=True, blank=True)
    note = models.TextField("审核意见", blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    checked_at = models.DateTimeField("登记时间")

    SEALED_FIELDS = (
        "receipt",
        "benchmark_code",
        "benchmark_text",
        "base_amount",
        "proposed_fine",
        "allowed_min",
        "allowed_max",
        "within",
        "note",
        "checked_by",
        "checked_at",
    )

    class Meta:
        ordering = ["checked_at", "pk"]
        verbose_name = "裁量基准核对"
        verbose_name_plural = "裁量基准核对"

    def __str__(self) -> str:
        return f"{self.receipt_id} {self.benchmark_code or '—'}"


class Question(models.Model):
    """HY-FS 第七条: the legal office asks the case's investigators (必要时向案件调查人员了解情况)."""

    receipt = models.ForeignKey(Receipt, on_delete=models.PROTECT, related_name="questions")
    text = models.TextField("问题")
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    asked_at = models.DateTimeField("提出时间")

    SEALED_FIELDS = ("receipt", "text", "asked_by", "asked_at")

    class Meta:
        ordering = ["asked_at", "pk"]
        verbose_name = "审核询问"
        verbose_name_plural = "审核询问"

    def __str__(self) -> str:
        return f"{self.receipt_id} 问：{self.text[:20]}"


class Answer(models.Model):
    question = models.OneToOneField(Question, on_delete=models.PROTECT, related_name="answer")
    text = models.TextField("答复")
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField("答复时间")

    SEALED_FIELDS = ("question", "text", "answered_by", "answered_at")

    class Meta:
        ordering = ["answered_at", "pk"]
        verbose_name = "审核询问答复"
        verbose_name_plural = "审核询问答复"

    def __str__(self) -> str:
        return f"{self.question_id} 答：{self.text[:20]}"


class OpinionType(models.TextChoices):
    """LR-5 (HY-FS 第九条) — the same codes as ``legal_review_opinion.opinion_type``."""

    AGREE = "agree", "同意"
    INVESTIGATE = "investigate", "补充调查"
    SUPPLEMENT = "supplement", "补充材料"
    CORRECT_LAW = "correct_law", "纠正适用法律"
    CORRECT_PROCEDURE = "correct_procedure", "纠正程序"
    TRANSFER = "transfer", "移送有管辖权的机关"
    OTHER = "other", "其他"


class Opinion(models.Model):
    """LR-5: the written review opinion; ``record`` is the 法制审核意见书 it produced."""

    receipt = models.OneToOneField(Receipt, on_delete=models.PROTECT, related_name="opinion")
    opinion_type = models.CharField("审核意见类型", max_length=20, choices=OpinionType.choices)
    text = models.TextField("审核意见及理由")
    record = models.OneToOneField(
        Record, verbose_name="法制审核意见书", on_delete=models.PROTECT, related_name="+"
    )
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField("出具时间")

    SEALED_FIELDS = ("receipt", "opinion_type", "text", "record", "issued_by", "issued_at")

    class Meta:
        ordering = ["issued_at", "pk"]
        verbose_name = "法制审核意见"
        verbose_name_plural = "法制审核意见"

    def __str__(self) -> str:
        return f"{self.receipt_id} {self.get_opinion_type_display()}"


class FileReturn(models.Model):
    """HY-FS 第九条: after the opinion the file is returned and the return registered (the 审核后
    columns of the 案卷移交清单: ``handover`` is that record's next version)."""

    receipt = models.OneToOneField(Receipt, on_delete=models.PROTECT, related_name="file_return")
    handover = models.OneToOneField(
        Record, verbose_name="案卷移交清单（审核后）", on_delete=models.PROTECT, related_name="+"
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.PROTECT, related_name="+"
    )
    place = models.CharField("移交地点", max_length=200)
    returned_materials = models.TextField("退还材料", help_text="canonical JSON list of strings")
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="移交人", on_delete=models.PROTECT, related_name="+"
    )
    returned_at = models.DateTimeField("退还时间")

    SEALED_FIELDS = (
        "receipt",
        "handover",
        "received_by",
        "place",
        "returned_materials",
        "returned_by",
        "returned_at",
    )

    class Meta:
        verbose_name = "审核后退还案卷"
        verbose_name_plural = "审核后退还案卷"

    def __str__(self) -> str:
        return f"{self.receipt_id} 退还 {self.returned_at:%Y-%m-%d %H:%M}"


class ObjectionRequest(models.TextChoices):
    """LR-6 (HY-FS 第十条): what the department asks for when it disagrees with an opinion."""

    RE_REVIEW = "re_review", "要求法制机构重新审核"
    COLLECTIVE = "collective", "提请本部门集体研究"


class Objection(models.Model):
    """LR-6 (HY-FS 第十条): the department objects to a legal review opinion (``opinion_record``: the
    法制审核意见书 objected to, the first opinion or a re-review). Against the first opinion it asks
    for a re-review; against the re-review's opinion, for collective study. One objection per
    opinion."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="review_objections")
    opinion_record = models.OneToOneField(
        Record, verbose_name="有异议的法制审核意见书", on_delete=models.PROTECT, related_name="+"
    )
    request = models.CharField("请求", max_length=16, choices=ObjectionRequest.choices)
    reason = models.TextField("异议及理由")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField("提出时间")

    SEALED_FIELDS = ("case", "opinion_record", "request", "reason", "raised_by", "raised_at")

    class Meta:
        ordering = ["raised_at", "pk"]
        verbose_name = "法制审核意见异议"
        verbose_name_plural = "法制审核意见异议"

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_request_display()}"


class ReReview(models.Model):
    """LR-6: the legal office's re-review on an objection — a new 法制审核意见书 (``record``), written
    once like the first opinion."""

    objection = models.OneToOneField(Objection, on_delete=models.PROTECT, related_name="re_review")
    opinion_type = models.CharField("审核意见类型", max_length=20, choices=OpinionType.choices)
    text = models.TextField("重新审核意见及理由")
    record = models.OneToOneField(
        Record, verbose_name="法制审核意见书（重新审核）", on_delete=models.PROTECT, related_name="+"
    )
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField("出具时间")

    SEALED_FIELDS = ("objection", "opinion_type", "text", "record", "issued_by", "issued_at")

    class Meta:
        ordering = ["issued_at", "pk"]
        verbose_name = "法制审核重新审核"
        verbose_name_plural = "法制审核重新审核"

    def __str__(self) -> str:
        return f"{self.objection_id} 重新审核 {self.get_opinion_type_display()}"


class DeliberationRoom(models.Model):
    """DC-5 (PL 第十三条): a place the agency designated for 合议 and collective discussion (with its
    recording equipment). A designation is an event; ``withdrawn`` designations are new rows."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    name = models.CharField("场所名称", max_length=200)
    equipment = models.CharField("录音录像设施", max_length=200, blank=True)
    withdrawn = models.BooleanField("撤销指定", default=False)
    designated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    designated_at = models.DateTimeField("登记时间")

    SEALED_FIELDS = ("agency", "name", "equipment", "withdrawn", "designated_by", "designated_at")

    class Meta:
        ordering = ["designated_at", "pk"]
        verbose_name = "指定的合议、集体讨论场所"
        verbose_name_plural = "指定的合议、集体讨论场所"

    def __str__(self) -> str:
        return f"{self.name}{'（撤销）' if self.withdrawn else ''}"


class CollectiveDecision(models.Model):
    """LR-6 (HY-FS 第十条) with DC-3 / DC-5: the collective study the department asked for after the
    re-review — the 集体讨论记录 (``record``: attendees, each speaker's statement, conclusion, every
    attendee's signature), held in a designated room, with its audio-visual record checked
    (``av_attachment``: the file found in the vault). ``decision`` is what it decided; a decision to
    make the decision overrides the disagreement (LR-7)."""

    objection = models.OneToOneField(Objection, on_delete=models.PROTECT, related_name="collective")
    record = models.OneToOneField(
        Record, verbose_name="集体讨论记录", on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField("决定类型", max_length=30)
    room = models.ForeignKey(
        DeliberationRoom, verbose_name="讨论场所", on_delete=models.PROTECT, related_name="+"
    )
    av_attachment = models.ForeignKey(
        RecordAttachment, verbose_name="音像记录", on_delete=models.PROTECT, related_name="+"
    )
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField("登记时间")

    SEALED_FIELDS = (
        "objection",
        "record",
        "decision",
        "room",
        "av_attachment",
        "registered_by",
        "registered_at",
    )

    class Meta:
        ordering = ["registered_at", "pk"]
        verbose_name = "集体研究决定"
        verbose_name_plural = "集体研究决定"

    def __str__(self) -> str:
        return f"{self.objection_id} 集体研究：{self.decision}"


# Event tables (write-once triggers: migrations/0002_write_once.py, 0004_lr6_write_once.py;
# core.testing.PROTECTED_TABLES).
EVENT_MODELS: tuple[type[models.Model], ...] = (
    MajorDispute,
    MajorResolution,
    Submission,
    Receipt,
    Extension,
    ChecklistEntry,
    DiscretionCheck,
    Question,
    Answer,
    Opinion,
    FileReturn,
    Objection,
    ReReview,
    DeliberationRoom,
    CollectiveDecision,
)
