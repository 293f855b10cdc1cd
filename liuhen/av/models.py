"""Audio-visual items (音像资料): recordings imported from a recorder's dock or an export folder.

An item is one stored content (a blob) of an agency that is *not yet* in a case: the officer who
recorded it confirms it into a record of a case (AV-8), and until then it waits in their inbox.

All three tables are written once (database triggers, DESIGN principle 1) and sealed in their
ledger entry:

- :class:`MediaItem` — the blob, what the file name / sidecar claimed (recorder serial, start
  time, GPS) and what the media itself says (PyAV / EXIF metadata), fixed at import;
- :class:`MediaSource` — each file seen in a dock folder (path, size, mtime): what makes a second
  run import nothing twice, and the trace of duplicate copies;
- :class:`Attribution` — the officer's confirmation (into a record of a case), a reassignment to
  another officer, or "not case-related"; a later one supersedes the earlier (current = the one
  nothing supersedes).

Who *suggested* officer an item has is not stored: it is derived from the equipment checkout log
(``liuhen.equipment``) at read time, so a checkout entered afterwards attributes files imported
before it (:mod:`liuhen.av.selectors`).

No float, date or check-constrained columns: the write-once property test mutates every stored
column and needs each to round-trip (see ``ledger/tests``).
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.db import models

from liuhen.cases.models import Case
from liuhen.org.models import Agency
from liuhen.records.models import Record
from liuhen.vault.models import Blob


class MediaKind(models.TextChoices):
    VIDEO = "video", "录像"
    AUDIO = "audio", "录音"
    IMAGE = "image", "照片"
    OTHER = "other", "其他文件"


class ClaimSource(models.TextChoices):
    """Where the recorder serial / start time / place of an item came from, most trusted first."""

    SIDECAR = "sidecar", "同名元数据文件"
    FILENAME = "filename", "文件名"
    FOLDER = "folder", "设备目录名"
    METADATA = "metadata", "媒体内嵌信息"
    OPTION = "option", "导入时指定（--device）"


class MediaItem(models.Model):
    """One imported recording (or any other file found in a dock): the original, never altered (AV-9)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="av_items")
    filename = models.CharField("文件名", max_length=255)
    kind = models.CharField("类别", max_length=8, choices=MediaKind.choices)
    # What the recorder claims (file name, device folder, sidecar) — AV-8 classification keys.
    recorder_no = models.CharField("记录仪编号", max_length=64, blank=True, db_index=True)
    recorder_source = models.CharField("编号来源", max_length=16, choices=ClaimSource.choices, blank=True)
    officer_no = models.CharField("文件标注的警号/证号", max_length=32, blank=True)
    recorded_at = models.DateTimeField("录制开始时间", null=True, blank=True, db_index=True)
    time_source = models.CharField("时间来源", max_length=16, choices=ClaimSource.choices, blank=True)
    # What the media itself says (PyAV container / EXIF).
    embedded_at = models.DateTimeField("媒体内嵌时间", null=True, blank=True)
    time_offset_seconds = models.IntegerField(
        "内嵌时间与标称时间之差（秒）",
        null=True,
        blank=True,
        help_text="内嵌时间减去文件名/元数据文件标称的时间",
    )
    duration_ms = models.BigIntegerField("时长（毫秒）", null=True, blank=True)
    width = models.IntegerField("宽度", null=True, blank=True)
    height = models.IntegerField("高度", null=True, blank=True)
    container = models.CharField("封装格式", max_length=64, blank=True)
    video_codec = models.CharField("视频编码", max_length=32, blank=True)
    audio_codec = models.CharField("音频编码", max_length=32, blank=True)
    latitude = models.CharField("纬度", max_length=16, blank=True)
    longitude = models.CharField("经度", max_length=16, blank=True)
    location_source = models.CharField("位置来源", max_length=16, choices=ClaimSource.choices, blank=True)
    make = models.CharField("设备厂商", max_length=64, blank=True)
    model_name = models.CharField("设备型号", max_length=64, blank=True)
    metadata = models.TextField("原始元数据", default="{}", help_text="canonical JSON of the tags read")
    metadata_error = models.TextField(
        "解析错误", blank=True, help_text="非空：文件无法作为音视频或图片解析，已按原样保存"
    )
    sidecar = models.ForeignKey(
        Blob, verbose_name="同名元数据文件", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sidecar_filename = models.CharField("元数据文件名", max_length=255, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    imported_at = models.DateTimeField("导入时间")

    SEALED_FIELDS = (
        "agency",
        "blob",
        "filename",
        "kind",
        "recorder_no",
        "recorder_source",
        "officer_no",
        "recorded_at",
        "time_source",
        "embedded_at",
        "time_offset_seconds",
        "duration_ms",
        "width",
        "height",
        "container",
        "video_codec",
        "audio_codec",
        "latitude",
        "longitude",
        "location_source",
        "make",
        "model_name",
        "metadata",
        "metadata_error",
        "sidecar",
        "sidecar_filename",
        "imported_by",
        "imported_at",
    )

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["agency", "blob"], name="av_item_unique_content")]
        indexes = [models.Index(fields=["agency", "recorder_no", "recorded_at"], name="av_item_recorder_idx")]
        verbose_name = "音像资料"
        verbose_name_plural = "音像资料"

    def __str__(self) -> str:
        return self.filename

    @property
    def tags(self) -> dict[str, Any]:
        value: dict[str, Any] = json.loads(self.metadata)
        return value

    @property
    def unreadable(self) -> bool:
        return bool(self.metadata_error)

    @property
    def duration_seconds(self) -> float | None:
        return self.duration_ms / 1000 if self.duration_ms is not None else None

    @property
    def has_location(self) -> bool:
        return bool(self.latitude and self.longitude)


class MediaSource(models.Model):
    """A file seen in a dock folder and what became of it: imported as ``item``, or (``duplicate``)
    the same content as an item imported before from elsewhere."""

    item = models.ForeignKey(MediaItem, on_delete=models.PROTECT, related_name="sources")
    dock = models.CharField("导入目录", max_length=500)
    path = models.CharField("相对路径", max_length=1000)
    size = models.BigIntegerField("大小（字节）")
    mtime_ns = models.BigIntegerField("修改时间（纳秒）")
    duplicate = models.BooleanField("重复内容", default=False)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    imported_at = models.DateTimeField("导入时间")

    SEALED_FIELDS = ("item", "dock", "path", "size", "mtime_ns", "duplicate", "imported_by", "imported_at")

    class Meta:
        ordering = ["imported_at", "pk"]
        indexes = [models.Index(fields=["path", "size", "mtime_ns"], name="av_source_seen_idx")]
        verbose_name = "导入来源"
        verbose_name_plural = "导入来源"

    def __str__(self) -> str:
        return self.path


class AttributionKind(models.TextChoices):
    """AV-8 / EQ-5: what the officer (or the equipment office) said about an item."""

    CONFIRMED = "confirmed", "已确认归入案件"
    REASSIGNED = "reassigned", "改派他人确认"
    NO_CASE = "no_case", "与案件无关"


class Attribution(models.Model):
    """Write-once. A new attribution supersedes the current one; a confirmation is final here (a
    wrong one is corrected through the record it created, as any record is)."""

    item = models.ForeignKey(MediaItem, on_delete=models.PROTECT, related_name="attributions")
    kind = models.CharField("类型", max_length=12, choices=AttributionKind.choices)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="执法人员",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    case = models.ForeignKey(
        Case, verbose_name="案件", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    record = models.ForeignKey(
        Record, verbose_name="记录", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField("说明", blank=True)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("时间")

    SEALED_FIELDS = ("item", "kind", "officer", "case", "record", "note", "supersedes", "actor", "created_at")

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["item"], condition=models.Q(supersedes__isnull=True), name="av_attribution_one_root"
            )
        ]
        verbose_name = "音像归属"
        verbose_name_plural = "音像归属"

    def __str__(self) -> str:
        return f"{self.item_id} {self.get_kind_display()}"


class DerivativeKind(models.TextChoices):
    """Copies made from an original for viewing (AV-9: separate from it and linked to it)."""

    PLAYBACK = "playback", "浏览器播放副本（H.264/AAC MP4）"
    POSTER = "poster", "封面缩略图（JPEG）"


class DerivativeStatus(models.TextChoices):
    DONE = "done", "已生成"
    FAILED = "failed", "生成失败"


class Derivative(models.Model):
    """Write-once. A browser-playable copy or a poster of an item, made by the background worker
    (:mod:`liuhen.av.derivatives`) into a new vault blob; the original is never touched (AV-9). A
    failure is a row too (``status=failed`` with the error), so it is shown and not retried in a loop."""

    item = models.ForeignKey(MediaItem, on_delete=models.PROTECT, related_name="derivatives")
    kind = models.CharField("类型", max_length=12, choices=DerivativeKind.choices)
    status = models.CharField("状态", max_length=8, choices=DerivativeStatus.choices)
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    source = models.ForeignKey(
        Blob, verbose_name="原始文件", on_delete=models.PROTECT, related_name="+", help_text="the original"
    )
    tool = models.CharField("生成工具与参数", max_length=300, blank=True)
    error = models.TextField("错误", blank=True)
    task_id = models.CharField("后台任务", max_length=64, blank=True)
    created_at = models.DateTimeField("时间")

    SEALED_FIELDS = ("item", "kind", "status", "blob", "source", "tool", "error", "task_id", "created_at")

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "kind"], condition=models.Q(status="done"), name="av_derivative_one_done"
            )
        ]
        verbose_name = "音像派生文件"
        verbose_name_plural = "音像派生文件"

    def __str__(self) -> str:
        return f"{self.item_id} {self.kind} {self.status}"


class FieldWork(models.TextChoices):
    """Why a recording could not be stored within 24 hours (WD 第二十二条, AV-7)."""

    CONTINUOUS = "continuous", "连续执法"
    OFF_SITE = "off_site", "异地执法"
    REMOTE = "remote", "在边远、水上、交通不便地区执法"


class Consent(models.TextChoices):
    """The party's answer where a recording shows secrets or privacy (YC 第六条, AV-3)."""

    NOT_APPLICABLE = "not_applicable", "不涉及"
    CONSENTED = "consented", "当事人同意记录"
    REFUSED = "refused", "当事人不同意（已停止记录）"


class MediaDeclaration(models.Model):
    """Write-once. What the officer declares about one stored recording of the agency (a vault blob:
    an imported item, or a file uploaded onto a record) — for the AV rules of the policy packs
    (``liuhen.policy``) and for access (``liuhen.av.flags``):

    - field work and the return time (AV-7: the 24-hour storage period then runs from the return);
    - consent, commercial/technical secrets, personal privacy (AV-3: flagged recordings are seen
      only by the case's officers and the agency head);
    - the opening statement made at the start of the recording (AV-4 checklist);
    - why the recorder stopped before this clip (AV-6 gap explanation).

    A new declaration supersedes the current one (current = the one nothing supersedes); each row
    states everything, so the current one alone is what counts."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="av_declarations")
    field_work = models.CharField("未能及时储存的原因", max_length=12, choices=FieldWork.choices, blank=True)
    returned_at = models.DateTimeField("返回机关时间", null=True, blank=True)
    consent = models.CharField("当事人意见", max_length=16, choices=Consent.choices, blank=True)
    secret = models.BooleanField("涉及商业、技术秘密", default=False)
    privacy = models.BooleanField("涉及个人隐私", default=False)
    opening_statement = models.TextField(
        "开始录制时已说明的事项",
        default="[]",
        help_text="canonical JSON list of policy.rules.OPENING_ITEMS codes",
    )
    gap_explanation = models.TextField("与上一段之间中断的原因", blank=True)
    note = models.TextField("说明", blank=True)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("时间")

    SEALED_FIELDS = (
        "agency",
        "blob",
        "field_work",
        "returned_at",
        "consent",
        "secret",
        "privacy",
        "opening_statement",
        "gap_explanation",
        "note",
        "supersedes",
        "actor",
        "created_at",
    )

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "blob"],
                condition=models.Q(supersedes__isnull=True),
                name="av_declaration_one_root",
            )
        ]
        indexes = [models.Index(fields=["blob", "agency"], name="av_declaration_blob_idx")]
        verbose_name = "音像记录说明"
        verbose_name_plural = "音像记录说明"

    def __str__(self) -> str:
        return f"{self.blob_id} 说明"

    @property
    def opening_items(self) -> list[str]:
        value = json.loads(self.opening_statement or "[]")
        return [str(item) for item in value] if isinstance(value, list) else []

    @property
    def restricted(self) -> bool:
        """AV-3: shows secrets or privacy (or the party's consent was needed)."""
        return self.secret or self.privacy or self.consent in (Consent.CONSENTED, Consent.REFUSED)
