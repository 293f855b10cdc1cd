"""Agencies, departments and people (officers and staff) with their roles."""

from __future__ import annotations

from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.db import models


class PolicyPack(models.TextChoices):
    BASELINE = "baseline", "国家基线（行政处罚法）"
    YC = "YC", "盐池县医疗保障局 全过程记录制度"
    HY = "HY", "海阳市医疗保障局 三项制度"
    PL = "PL", "平罗县卫生监督所 执法全过程记录制度"
    WD = "WD", "望都县医疗保障局 全过程记录管理办法"
    BX = "BX", "本溪市卫生健康委 执法记录信息管理办法"


class Role(models.TextChoices):
    OFFICER = "officer", "执法人员"
    DEPARTMENT_HEAD = "department_head", "科室负责人"
    LEGAL_REVIEWER = "legal_reviewer", "法制审核人员"
    AGENCY_HEAD = "agency_head", "机关负责人"
    ARCHIVIST = "archivist", "档案管理员"
    EQUIPMENT_ADMIN = "equipment_admin", "装备管理员"
    AUDITOR = "auditor", "稽查人员"
    SYSTEM_ADMIN = "system_admin", "系统管理员"


class Agency(models.Model):
    name = models.CharField("机关名称", max_length=200, unique=True)
    short_name = models.CharField("文书简称", max_length=20, help_text="用于案件编号，如“盐医保”")
    policy_pack = models.CharField("适用制度", max_length=16, choices=PolicyPack.choices)
    case_number_pattern = models.CharField(
        "案件编号格式",
        max_length=100,
        default="{short}罚〔{year}〕{seq}号",
        help_text="可用占位符：{short} 简称，{year} 年份，{seq} 序号",
    )
    region_code = models.CharField("行政区划代码", max_length=6, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "执法机关"
        verbose_name_plural = "执法机关"

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="departments")
    name = models.CharField("科室名称", max_length=100)
    is_legal_office = models.BooleanField("法制机构", default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "name"], name="department_unique_name")]
        verbose_name = "科室"
        verbose_name_plural = "科室"

    def __str__(self) -> str:
        return self.name


class Person(AbstractUser):
    """A member of staff. Officers carry a law-enforcement certificate number (执法证号)."""

    full_name = models.CharField("姓名", max_length=50)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="people")
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="people"
    )
    certificate_no = models.CharField("执法证号", max_length=32, null=True, blank=True, unique=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)

    class Meta:
        verbose_name = "人员"
        verbose_name_plural = "人员"

    def __str__(self) -> str:
        return self.full_name or self.username

    def ledger_label(self) -> str:
        cert = f" 证号{self.certificate_no}" if self.certificate_no else ""
        return f"{self.full_name or self.username}({self.username}{cert})"

    @cached_property
    def role_set(self) -> frozenset[str]:
        return frozenset(self.roles.values_list("role", flat=True))

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_set.intersection(roles))

    @property
    def role_labels(self) -> list[str]:
        return [Role(r).label for r in sorted(self.role_set)]


class PersonRole(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=32, choices=Role.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "role"], name="person_role_unique")]

    def __str__(self) -> str:
        return f"{self.person} {self.get_role_display()}"


class ApiToken(models.Model):
    """Bearer token for API clients; only the SM3 digest of the token is stored."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    token_digest = models.CharField(max_length=80, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.person} {self.name}"
