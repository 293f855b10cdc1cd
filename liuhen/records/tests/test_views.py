"""Staff web UI for records: type picker, schema forms with Chinese errors, record page (a ledger
event), correction as a new version, signatures and upload (issue #2 points 5 and 10)."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from liuhen.cases.models import Case
from liuhen.cases.services import take_branch
from liuhen.conftest import Org, login
from liuhen.ledger.models import LedgerEntry
from liuhen.records.models import Confidentiality, Record
from liuhen.records.services import FileInput, create_record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hasher(settings: object) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


def _text(response: object) -> str:
    return response.content.decode("utf-8")  # type: ignore[attr-defined]


def _photo(org: Org, case: Case, **kwargs: object) -> Record:
    return create_record(
        actor=org.officer_a1,
        case=case,
        record_type="photo",
        data={"description": "药房货架现场照片", "location": "药房一楼"},
        **kwargs,  # type: ignore[arg-type]
    )


def test_picker_lists_types_of_the_current_stage_first(client: Client, org: Org, case_a: Case) -> None:
    login(client, org.officer_a1)
    response = client.get(reverse("records:new", args=[case_a.pk]))
    assert response.status_code == 200
    here = [t.code for t in response.context["types"]]
    assert "filing_approval" in here and "photo" not in here
    assert "photo" in [t.code for t in response.context["other_types"]]
    assert "“程序启动”阶段的记录" in _text(response) and "立案审批表" in _text(response)


def test_create_record_from_schema_form(client: Client, org: Org, case_a: Case) -> None:
    login(client, org.officer_a1)
    url = reverse("records:create", args=[case_a.pk, "photo"])
    form = client.get(url)
    assert form.status_code == 200 and "照片说明" in _text(form) and "密级" in _text(form)
    response = client.post(
        url, {"description": "现场照片：货架", "location": "一楼", "confidentiality": Confidentiality.NORMAL}
    )
    assert response.status_code == 302
    record = Record.objects.get(case=case_a)
    assert response["Location"] == reverse("records:detail", args=[record.pk])
    assert record.fields["description"] == "现场照片：货架" and record.stage == case_a.stage
    assert LedgerEntry.objects.filter(action="record.create", object_id=str(record.pk)).exists()


def test_create_record_missing_required_field_shows_chinese_error(
    client: Client, org: Org, case_a: Case
) -> None:
    login(client, org.officer_a1)
    url = reverse("records:create", args=[case_a.pk, "photo"])
    response = client.post(url, {"description": "", "taken_at": "昨天", "confidentiality": "normal"})
    assert response.status_code == 400
    text = _text(response)
    assert "此项为必填项" in text and "时间格式" in text
    assert not Record.objects.exists()


def test_unknown_record_type_is_404(client: Client, org: Org, case_a: Case) -> None:
    login(client, org.officer_a1)
    assert client.get(reverse("records:create", args=[case_a.pk, "no_such_type"])).status_code == 404


def test_record_page_shows_fields_and_logs_the_view(client: Client, org: Org, case_a: Case) -> None:
    record = _photo(org, case_a, files=[FileInput(source=io.BytesIO(b"jpeg-bytes"), filename="shelf.jpg")])
    login(client, org.officer_a2)
    before = LedgerEntry.objects.filter(action="record.view").count()
    response = client.get(reverse("records:detail", args=[record.pk]))
    assert response.status_code == 200
    text = _text(response)
    assert "照片说明" in text and "药房货架现场照片" in text and "药房一楼" in text
    assert "shelf.jpg" in text and "更正（新版本）" in text
    views = LedgerEntry.objects.filter(action="record.view")
    assert views.count() == before + 1
    entry = views.last()
    assert entry is not None and entry.object_id == str(record.pk) and entry.actor_id == org.officer_a2.pk


def test_correction_makes_a_new_version(client: Client, org: Org, case_a: Case) -> None:
    record = _photo(org, case_a)
    login(client, org.officer_a1)
    url = reverse("records:correct", args=[record.pk])
    form = client.get(url)
    assert form.status_code == 200
    assert "药房货架现场照片" in _text(form) and "更正理由" in _text(form)
    no_reason = client.post(url, {"description": "改正后的说明", "confidentiality": "normal"})
    assert no_reason.status_code == 400 and "请填写更正理由" in _text(no_reason)
    response = client.post(
        url, {"description": "改正后的说明", "confidentiality": "normal", "correction_reason": "说明有误"}
    )
    assert response.status_code == 302
    new = Record.objects.get(supersedes=record)
    assert new.version == 2 and new.fields["description"] == "改正后的说明"
    assert new.correction_reason == "说明有误"
    record.refresh_from_db()
    assert record.fields["description"] == "药房货架现场照片"  # the old version stays as it was
    old_page = client.get(reverse("records:detail", args=[record.pk]))
    assert "这是历史版本" in _text(old_page) and "更正（新版本）" not in _text(old_page)
    new_page = client.get(reverse("records:detail", args=[new.pk]))
    assert "第 1 版" in _text(new_page) and "第 2 版" in _text(new_page) and "说明有误" in _text(new_page)
    # Correcting the superseded version again is refused with a message.
    again = client.post(
        url, {"description": "x", "confidentiality": "normal", "correction_reason": "y"}, follow=True
    )
    assert "该记录已有更新版本" in _text(again)
    assert Record.objects.count() == 2


def test_sign_record(client: Client, org: Org, case_a: Case) -> None:
    record = _photo(org, case_a)
    login(client, org.officer_a1)
    url = reverse("records:sign", args=[record.pk])
    empty = client.post(url, {"role": "officer", "name": ""}, follow=True)
    assert "请填写签名人姓名" in _text(empty)
    response = client.post(
        url, {"role": "party", "name": "王某", "refused": "on", "note": "拒绝签字"}, follow=True
    )
    assert "已登记签名" in _text(response)
    signer = record.signers.get()
    assert signer.name == "王某" and signer.refused and signer.role == "party"
    assert "拒绝签名" in _text(response)


def test_upload_attaches_file_and_redirects_to_evidence(client: Client, org: Org, case_a: Case) -> None:
    record = _photo(org, case_a)
    login(client, org.officer_a1)
    url = reverse("records:upload", args=[record.pk])
    assert client.get(url).status_code == 200
    content = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40
    response = client.post(
        url, {"upload": SimpleUploadedFile("货架.jpg", content, "image/jpeg"), "caption": "货架"}
    )
    assert response.status_code == 302
    attachment = record.attachments.get()
    assert response["Location"] == reverse("vault:evidence", args=[attachment.pk])
    assert attachment.filename == "货架.jpg" and attachment.caption == "货架"
    assert attachment.blob.sm3 == "sm3:" + hashlib.new("sm3", content).hexdigest()
    assert attachment.blob.media_type == "image/jpeg"


def test_upload_by_xhr_answers_json(client: Client, org: Org, case_a: Case) -> None:
    record = _photo(org, case_a)
    login(client, org.officer_a1)
    url = reverse("records:upload", args=[record.pk])
    files = [
        SimpleUploadedFile("a.jpg", b"a" * 100, "image/jpeg"),
        SimpleUploadedFile("b.jpg", b"b" * 50, "image/jpeg"),
    ]
    response = client.post(url, {"upload": files}, headers={"X-Requested-With": "XMLHttpRequest"})
    assert response.status_code == 200
    data = response.json()
    assert data["ok"] is True and len(data["attachments"]) == 2
    assert data["redirect"] == reverse("records:detail", args=[record.pk])
    empty = client.post(url, {}, headers={"X-Requested-With": "XMLHttpRequest"})
    assert empty.status_code == 400
    assert empty.json() == {"ok": False, "errors": ["请选择要上传的文件。"]}


def test_upload_refused_when_case_ended(client: Client, org: Org, case_a: Case) -> None:
    record = _photo(org, case_a)
    take_branch(actor=org.officer_a1, case=case_a, branch="revoked", reason="撤销立案")
    login(client, org.officer_a1)
    url = reverse("records:upload", args=[record.pk])
    response = client.post(url, {"upload": SimpleUploadedFile("a.jpg", b"x" * 10, "image/jpeg")})
    assert response.status_code == 403
    assert "案件已终止" in _text(response)
    assert not record.attachments.exists()


def test_non_writer_gets_403_on_forms(client: Client, org: Org, case_a: Case) -> None:
    record = _photo(org, case_a)
    login(client, org.legal_reviewer)  # sees the case, does not handle it
    assert client.get(reverse("records:detail", args=[record.pk])).status_code == 200
    for url in (
        reverse("records:new", args=[case_a.pk]),
        reverse("records:create", args=[case_a.pk, "photo"]),
        reverse("records:correct", args=[record.pk]),
        reverse("records:upload", args=[record.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "只有本案承办人员或科室负责人可以记录" in _text(response)


def test_confidential_record_hidden_from_reader_without_clearance(
    client: Client, org: Org, case_a: Case
) -> None:
    """AC-3: a state-secret record is a 404 for a legal reviewer, visible to the agency head."""
    record = _photo(org, case_a, confidentiality=Confidentiality.STATE_SECRET)
    login(client, org.legal_reviewer)
    assert client.get(reverse("records:detail", args=[record.pk])).status_code == 404
    assert record.title not in _text(client.get(reverse("cases:detail", args=[case_a.pk])))
    login(client, org.agency_head)
    assert client.get(reverse("records:detail", args=[record.pk])).status_code == 200


def test_superseded_version_takes_no_upload_or_signature(client: Client, org: Org, case_a: Case) -> None:
    from liuhen.records.services import correct_record

    record = _photo(org, case_a)
    correct_record(actor=org.officer_a1, record=record, data={"description": "新说明"}, reason="更正")
    login(client, org.officer_a1)
    upload = client.post(
        reverse("records:upload", args=[record.pk]),
        {"upload": SimpleUploadedFile("a.jpg", b"x", "image/jpeg")},
    )
    assert upload.status_code == 403 and "请在最新版本上操作" in _text(upload)
    sign = client.post(reverse("records:sign", args=[record.pk]), {"role": "officer", "name": "张伟"})
    assert sign.status_code == 403
    assert not record.attachments.exists() and not record.signers.exists()
