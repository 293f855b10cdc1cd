"""Cases (案件), their parties and handling officers, and the stage history."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from liuhen.org.models import Agency, Department


class CaseType(models.TextChoices):
    """ST-2."""

    INSPECTION = "inspection", "行政检查"
    PENALTY = "penalty", "行政处罚"
    COERCION = "coercion", "行政强制"
    BENEFIT = "benefit", "行政给付"
    LICENSING = "licensing", "行政许可"


class Procedure(models.TextChoices):
    SIMPLE = "simple", "简易程序"
    GENERAL = "general", "一般程序"


class Source(models.TextChoices):
    """IN-1..3 (and IN-5: assigned or transferred by superiors)."""

    EX_OFFICIO = "ex_officio", "依职权（监督检查发现）"
    APPLICATION = "application", "依申请"
    COMPLAINT = "complaint", "投诉举报"
    ASSIGNED = "assigned", "上级交办"
    TRANSFERRED = "transferred", "其他机关移送"


class Stage(models.TextChoices):
    """ST-1, in order."""

    PREPARATION = "preparation", "事前准备"
    INITIATION = "initiation", "程序启动"
    INVESTIGATION = "investigation", "调查取证"
    REVIEW = "review", "审查决定"
    SERVICE = "service", "送达执行"
    CLOSING = "closing", "结案归档"
    FOLLOWUP = "followup", "事后监管"


STAGE_ORDER: tuple[str, ...] = tuple(Stage.values)


class Branch(models.TextChoices):
    """ST-1 branches that end the ordinary flow."""

    NONE = "", "—"
    NOT_FILED = "not_filed", "不予立案"
    TRANSFERRED = "transferred", "移送管辖"
    REFERRED_POLICE = "referred_police", "移送公安"
    REVOKED = "revoked", "撤销"


class Case(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="cases")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="cases")
    number = models.CharField("案件编号", max_length=64)
    year = models.PositiveIntegerField()
    sequence = models.PositiveIntegerField()
    title = models.CharField("案件名称", max_length=200)
    case_type = models.CharField("案件类型", max_length=16, choices=CaseType.choices)
    procedure = models.CharField("程序", max_length=16, choices=Procedure.choices)
    source = models.CharField("案件来源", max_length=16, choices=Source.choices)
    summary = models.TextField("案情摘要", blank=True)
    # Current stage/branch: derived state kept for queries; changed only by cases.services and
    # cross-checked by `liuhen verify` against the write-once StageChange history.
    stage = models.CharField("阶段", max_length=16, choices=Stage.choices, db_index=True)
    branch = models.CharField("分支", max_length=16, choices=Branch.choices, blank=True, default="")
    # FU-1: a case opened because the party did not rectify after an earlier case's follow-up.
    origin = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="followup_cases",
        verbose_name="原案件（未整改另行立案）",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    # Fixed at creation; stage/branch are cross-checked through StageChange instead.
    SEALED_FIELDS = (
        "agency",
        "department",
        "number",
        "year",
        "sequence",
        "title",
        "case_type",
        "procedure",
        "source",
        "summary",
        "origin",
        "created_by",
        "created_at",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "number"], name="case_unique_number"),
            models.UniqueConstraint(fields=["agency", "year", "sequence"], name="case_unique_sequence"),
        ]
        indexes = [models.Index(fields=["department", "stage"], name="case_dept_stage_idx")]
        verbose_name = "案件"
        verbose_name_plural = "案件"

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        return not self.branch and self.stage not in (Stage.CLOSING, Stage.FOLLOWUP)


class CaseNumberCounter(models.Model):
    """Per-agency, per-year sequence for case numbers (a counter, not a record)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT)
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "year"], name="case_counter_unique")]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.year}: {self.last}"


class PartyKind(models.TextChoices):
    PERSON = "person", "自然人"
    ORGANISATION = "organisation", "法人或其他组织"


class Party(models.Model):
    """当事人. Write-once; a correction is a new row that supersedes the old one."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="parties")
    kind = models.CharField("类别", max_length=16, choices=PartyKind.choices)
    name = models.CharField("名称/姓名", max_length=200)
    id_number = models.CharField("身份证号码", max_length=18, blank=True)
    uscc = models.CharField("统一社会信用代码", max_length=18, blank=True)
    legal_representative = models.CharField("法定代表人/负责人", max_length=50, blank=True)
    address = models.CharField("住所/地址", max_length=200, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    SEALED_FIELDS = (
        "case",
        "kind",
        "name",
        "id_number",
        "uscc",
        "legal_representative",
        "address",
        "phone",
        "supersedes",
        "created_by",
        "created_at",
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = "当事人"
        verbose_name_plural = "当事人"

    def __str__(self) -> str:
        return self.name


class CaseHandler(models.Model):
    """A handling officer (承办人员) of a case; write-once."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="handlers")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="handled")
    is_lead = models.BooleanField("主办", default=False)
    certificate_no = models.CharField("执法证号", max_length=32)
    created_at = models.DateTimeField()

    SEALED_FIELDS = ("case", "person", "is_lead", "certificate_no", "created_at")

    class Meta:
        ordering = ["-is_lead", "pk"]
        constraints = [models.UniqueConstraint(fields=["case", "person"], name="case_handler_unique")]

    def __str__(self) -> str:
        return f"{self.person} {self.certificate_no}"


class StageChange(models.Model):
    """Write-once history of every stage/branch change (the stage timeline)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="stage_changes")
    from_stage = models.CharField(max_length=16, blank=True)
    to_stage = models.CharField(max_length=16, choices=Stage.choices)
    branch = models.CharField(max_length=16, choices=Branch.choices, blank=True, default="")
    reason = models.TextField(blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField()

    SEALED_FIELDS = ("case", "from_stage", "to_stage", "branch", "reason", "actor", "changed_at")

    class Meta:
        ordering = ["changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_stage}→{self.to_stage}{' ' + self.branch if self.branch else ''}"
