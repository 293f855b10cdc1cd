"""AR-5 in the application: the export service is a ledger event with its own checkpoint, refuses to
launder tampered data, leaves nothing behind when it fails; ``liuhen export-case``; the case page's
button and its permission scope."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, TestCase
from django.urls import reverse

from liuhen import cli
from liuhen.cases.models import Case
from liuhen.conftest import PASSWORD, Org, login
from liuhen.core.testing import record_data
from liuhen.exports import services
from liuhen.exports.services import ExportError, build_case_package
from liuhen.exports.tests.conftest import run_verifier
from liuhen.ledger.models import Checkpoint, LedgerEntry
from liuhen.org.models import Role
from liuhen.org.services import create_agency, create_person
from liuhen.records.models import Record
from liuhen.records.services import FileInput, create_record
from liuhen.vault.services import get_storage


@pytest.fixture
def small_case(org: Org, case_a: Case) -> Case:
    with TestCase.captureOnCommitCallbacks(execute=True):
        create_record(
            actor=org.officer_a1,
            case=case_a,
            record_type="filing_approval",
            data=record_data("filing_approval"),
        )
        create_record(
            actor=org.officer_a1,
            case=case_a,
            record_type="photo",
            data={"description": "现场照片"},
            files=[FileInput(source=io.BytesIO(b"JPEG" * 100), filename="p.jpg")],
        )
    return case_a


def _build(org: Org, case: Case, out: Path) -> services.PackageResult:
    with TestCase.captureOnCommitCallbacks(execute=True):
        return build_case_package(actor=org.officer_a1, case=case, out_path=out)


def test_ar_5_export_is_a_ledger_event_covered_by_a_fresh_checkpoint(
    org: Org, small_case: Case, tmp_path: Path
) -> None:
    before = LedgerEntry.objects.count()
    result = _build(org, small_case, tmp_path / "case.zip")
    entry = LedgerEntry.objects.get(seq=before + 1)
    assert (entry.action, entry.case_id, entry.actor_id) == ("case.export", small_case.pk, org.officer_a1.pk)
    assert LedgerEntry.objects.count() == before + 1  # nothing else is written
    payload = json.loads(entry.payload)
    with zipfile.ZipFile(result.path) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    content = [
        {k: line[k] for k in ("path", "size", "sm3", "sha256")}
        for line in manifest["files"]
        if line["kind"] in ("document", "media")
    ]
    assert payload["files"] == content and len(content) == 3  # two documents, one photo
    assert payload["case_number"] == small_case.number
    assert Checkpoint.objects.filter(tree_size=entry.seq).exists()
    assert result.checkpoint.tree_size == entry.seq
    assert result.receipt_path == tmp_path / "case.receipt.pdf" and result.receipt_path.exists()
    assert run_verifier(result.path).returncode == 0


def test_ar_5_failed_export_leaves_neither_package_nor_ledger_entry(
    org: Org, small_case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**kwargs: object) -> bytes:
        raise RuntimeError("receipt renderer down")

    monkeypatch.setattr("liuhen.exports.receipt.render_receipt", broken)
    before, checkpoints = LedgerEntry.objects.count(), Checkpoint.objects.count()
    with pytest.raises(RuntimeError):
        build_case_package(actor=org.officer_a1, case=small_case, out_path=tmp_path / "out" / "case.zip")
    assert LedgerEntry.objects.count() == before
    assert Checkpoint.objects.count() == checkpoints
    assert list((tmp_path / "out").iterdir()) == []  # no zip, no receipt, no partial file


def test_ar_5_export_refuses_a_vault_file_that_no_longer_matches(
    org: Org, small_case: Case, tmp_path: Path
) -> None:
    blob = Record.objects.get(case=small_case, record_type="photo").attachments.get().blob
    path = get_storage().blobs_dir / blob.storage_key  # type: ignore[attr-defined]
    path.chmod(0o644)
    path.write_bytes(b"swapped in the vault")
    before = LedgerEntry.objects.count()
    with pytest.raises(ExportError, match="摘要不符"):
        build_case_package(actor=org.officer_a1, case=small_case, out_path=tmp_path / "case.zip")
    assert LedgerEntry.objects.count() == before


def test_ar_5_export_refuses_a_person_who_cannot_see_the_case(
    org: Org, small_case: Case, tmp_path: Path
) -> None:
    with pytest.raises(PermissionDenied):
        build_case_package(actor=org.officer_b1, case=small_case, out_path=tmp_path / "case.zip")


def test_ac_1_an_approved_export_grant_lets_another_department_export_with_watermarks(
    org: Org, small_case: Case, tmp_path: Path
) -> None:
    """AC-1/AC-3: outside their work scope an officer exports only with the head's approved export
    grant, and every document page names who exported it and when."""
    import pypdfium2

    from liuhen.access import services as access

    request = access.request_access(
        actor=org.officer_b1, case=small_case, actions=["export"], reason="复议答复需要完整案卷"
    )
    access.decide(actor=org.head_a, request=request, approved=True)
    with TestCase.captureOnCommitCallbacks(execute=True):
        result = build_case_package(actor=org.officer_b1, case=small_case, out_path=tmp_path / "g.zip")
    with zipfile.ZipFile(result.path) as archive:
        documents = [n for n in archive.namelist() if n.startswith("documents/") and n.endswith(".pdf")]
        assert documents
        pdf = pypdfium2.PdfDocument(archive.read(documents[0]))
    text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    assert org.officer_b1.full_name in text and "导出于" in text
    assert run_verifier(result.path).returncode == 0


def test_ar_5_cli_export_case(
    org: Org, small_case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "cli" / "case.zip"
    with TestCase.captureOnCommitCallbacks(execute=True):
        code = cli.main(["export-case", small_case.number, str(out)])
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert out.exists() and (tmp_path / "cli" / "case.receipt.pdf").exists()
    assert "清单摘要 manifest: sm3:" in printed
    entry = LedgerEntry.objects.filter(action="case.export").get()
    assert entry.actor_id == org.officer_a1.pk  # default: the lead handler
    proc = run_verifier(out)
    assert proc.returncode == 0 and proc.stdout.splitlines()[-1] == "OK", proc.stdout


def test_ar_5_cli_export_case_as_user_and_errors(
    org: Org, small_case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert cli.main(["export-case", small_case.number, str(tmp_path / "a.zip"), "--user", "head"]) == 0
    assert LedgerEntry.objects.get(action="case.export").actor_id == org.agency_head.pk
    assert cli.main(["export-case", "无此案号", str(tmp_path / "b.zip")]) == 2
    assert cli.main(["export-case", small_case.number, str(tmp_path / "c.zip"), "--user", "b1"]) == 2
    assert cli.main(["export-case", small_case.number, str(tmp_path / "d.tar")]) == 2
    err = capsys.readouterr().err
    assert "no such case" in err and "无权导出" in err and ".zip" in err
    assert not (tmp_path / "c.zip").exists()


def test_ar_5_case_page_has_the_export_button(client: Client, org: Org, small_case: Case) -> None:
    page = login(client, org.officer_a1).get(reverse("cases:detail", args=[small_case.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert reverse("exports:case_package", args=[small_case.pk]) in html and "导出案卷包" in html


def test_ar_5_button_streams_a_package_that_verifies(
    client: Client, org: Org, small_case: Case, tmp_path: Path
) -> None:
    login(client, org.head_a)  # department head: sees the case without handling it
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("exports:case_package", args=[small_case.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    target = tmp_path / "download.zip"
    target.write_bytes(b"".join(response.streaming_content))  # type: ignore[attr-defined]
    proc = run_verifier(target, "--manifest-digest", response["X-Manifest-SM3"])
    assert proc.returncode == 0, proc.stdout
    assert LedgerEntry.objects.get(action="case.export").actor_id == org.head_a.pk
    assert client.get(reverse("exports:case_package", args=[small_case.pk])).status_code == 405


def test_ar_5_button_is_scoped_to_people_who_see_the_case(client: Client, org: Org, small_case: Case) -> None:
    other_agency = create_agency(
        actor=None, name="另一县医疗保障局", short_name="另医保", policy_pack="baseline"
    )
    outsider = create_person(
        actor=None,
        username="other",
        full_name="外机关人员",
        password=PASSWORD,
        agency=other_agency,
        department=None,
        roles=[Role.AGENCY_HEAD],
        certificate_no=None,
    )
    url = reverse("exports:case_package", args=[small_case.pk])
    before = LedgerEntry.objects.count()
    assert login(client, outsider).post(url).status_code == 404
    assert login(client, org.officer_b1).post(url).status_code == 404  # another department
    client.logout()
    assert client.post(url).status_code == 302  # to the login page
    assert LedgerEntry.objects.count() == before
