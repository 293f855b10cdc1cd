"""AC-2 (YC-14, BX-19): a party's application to copy records is registered by an officer of the
case, approved by the head, and what must stay confidential is left out of the copy."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client, TestCase
from django.urls import reverse

from liuhen.access import services
from liuhen.access.models import RequestKind
from liuhen.cases.models import Case
from liuhen.conftest import Org, login
from liuhen.core.testing import record_data
from liuhen.ledger.models import LedgerEntry
from liuhen.records.models import Confidentiality
from liuhen.records.services import FileInput, create_record


def _records(org: Org, case: Case) -> tuple[int, int, int]:
    with TestCase.captureOnCommitCallbacks(execute=True):
        text = create_record(
            actor=org.officer_a1,
            case=case,
            record_type="site_inspection",
            data=record_data("site_inspection"),
        )
        photo = create_record(
            actor=org.officer_a1,
            case=case,
            record_type="photo",
            data={"description": "现场照片"},
            files=[FileInput(source=io.BytesIO(b"site photo" * 40), filename="site.jpg")],
        )
        secret = create_record(
            actor=org.officer_a1,
            case=case,
            record_type="photo",
            data={"description": "患者病历（个人隐私）"},
            confidentiality=Confidentiality.PRIVACY,
            files=[FileInput(source=io.BytesIO(b"medical record" * 40), filename="privacy.jpg")],
        )
    return text.pk, photo.pk, secret.pk


def test_ac_2_party_copy_needs_head_approval_and_withholds_confidential_records(
    org: Org, case_a: Case
) -> None:
    text_pk, photo_pk, secret_pk = _records(org, case_a)
    party = case_a.parties.get()
    with pytest.raises(PermissionDenied):  # only the case's officers register it
        services.register_party_request(
            actor=org.officer_b1, case=case_a, party=party, applicant_name="王某", reason="申请复议"
        )
    request = services.register_party_request(
        actor=org.officer_a1,
        case=case_a,
        party=party,
        applicant_name="王某（委托代理人）",
        applicant_id_doc="授权委托书",
        reason="申请行政复议需要",
    )
    assert request.kind == RequestKind.PARTY and request.action_set == {"view", "copy"}
    with pytest.raises(PermissionDenied):  # not before approval
        services.produce_party_copy(actor=org.officer_a1, request=request, out=io.BytesIO())
    with pytest.raises(PermissionDenied):
        services.decide(actor=org.officer_a1, request=request, approved=True)
    services.decide(actor=org.head_a, request=request, approved=True, note="同意复制，保密内容除外")
    request.refresh_from_db()

    out = io.BytesIO()
    result = services.produce_party_copy(actor=org.officer_a1, request=request, out=out)
    assert set(result.included) == {text_pk, photo_pk}
    assert result.withheld == (secret_pk,)
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as archive:
        names = archive.namelist()
        contents = b"".join(archive.read(n) for n in names)
        manifest = archive.read("清单.txt").decode()
    assert any(n.endswith(".pdf") for n in names)
    assert any(n.endswith("site.jpg") for n in names)
    assert not any("privacy" in n for n in names)
    assert b"medical record" not in contents
    assert "依法应当保密的记录 1 份未予提供" in manifest
    assert "患者病历" not in manifest
    entry = LedgerEntry.objects.get(action="access.party_copy")
    assert entry.actor_id == org.officer_a1.pk and entry.case_id == case_a.pk
    assert f'"withheld":[{secret_pk}]' in entry.payload
    with pytest.raises(ValidationError):
        services.register_party_request(
            actor=org.officer_a1, case=case_a, party=party, applicant_name=" ", reason="复议"
        )


def test_ac_2_party_copy_through_the_pages(org: Org, case_a: Case, client: Client) -> None:
    _records(org, case_a)
    party = case_a.parties.get()
    login(client, org.officer_a1)
    page = client.get(reverse("cases:detail", args=[case_a.pk]))
    assert reverse("access:party_new", args=[case_a.pk]) in page.content.decode()
    response = client.post(
        reverse("access:party_new", args=[case_a.pk]),
        {
            "party": party.pk,
            "applicant_name": "王某",
            "applicant_id_doc": "身份证",
            "reason": "诉讼需要",
            "days": 10,
        },
    )
    assert response.status_code == 302
    request_pk = int(response["Location"].rstrip("/").split("/")[-1])
    login(client, org.head_a)
    queue = client.get(reverse("access:queue")).content.decode()
    assert "当事人申请复制" in queue
    assert (
        client.post(
            reverse("access:decide", args=[request_pk]), {"approved": "1", "note": "同意"}
        ).status_code
        == 302
    )
    login(client, org.officer_a1)
    detail = client.get(reverse("access:detail", args=[request_pk])).content.decode()
    assert "依法应当保密的记录 1 份不予提供" in detail
    copy = client.post(reverse("access:party_copy", args=[request_pk]))
    assert copy.status_code == 200
    assert copy["Content-Type"] == "application/zip"
    data = b"".join(copy.streaming_content)  # type: ignore[attr-defined]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert "清单.txt" in archive.namelist()
