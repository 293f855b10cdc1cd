"""AR-5: the case package verifies offline, with a verifier that has neither Django nor Liuhen, and
each single tampering is detected and named.

The package is built once per module (a case with text records, a signed photo, a recorder-dock
import confirmed into the case, a real MP4 and a state-secret record); every test then checks the
zip, or a tampered copy of it, with ``liuhen_verify`` in a separate ``python -I`` process.
"""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gmalglib
import pytest
from django.db import connection, transaction
from django.test import TestCase, override_settings

from liuhen.conftest import make_case
from liuhen.conftest import org as org_fixture
from liuhen.exports import package as pkg
from liuhen.exports.services import build_case_package
from liuhen.exports.tests.conftest import PHOTO, REPO, clean_env, populate_case, rewrite_zip, run_verifier
from liuhen.ledger import merkle
from liuhen.ledger.models import LedgerEntry
from liuhen.vault.services import get_storage
from liuhen_verify import crypto
from liuhen_verify.package import pdf_mentions

# Marks the module as using the database, so pytest-django creates the test database before the
# module-scoped fixture below builds the package (the tests themselves only read the zip).
pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Built:
    path: Path
    receipt_path: Path
    manifest_digest: str
    public_key: str  # hex, the agency key
    video: bytes  # the original recording, as recorded
    ledger: dict[int, tuple[str, str]]  # seq -> (entry_hash, payload) as stored in the database
    withheld: Path  # the same case exported by the auditor (below state secret)
    withheld_count: int
    secret_record_id: int


@pytest.fixture(scope="module")
def built(django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory) -> Built:
    """Build the packages once, in a transaction that is rolled back afterwards."""
    tmp = tmp_path_factory.mktemp("export")
    overrides = override_settings(
        LIUHEN_VAULT_DIR=tmp / "vault",
        LIUHEN_KEYS_DIR=tmp / "keys",
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    )
    with django_db_blocker.unblock(), overrides:
        name = str(connection.settings_dict["NAME"])
        assert "memory" in name or "test" in name, f"not a test database: {name}"
        get_storage.cache_clear()
        try:
            # Like a TestCase's own atomic block, so the export's durable transaction may nest.
            outer = transaction.atomic()
            outer._from_testcase = True  # type: ignore[attr-defined]
            with outer:
                org = org_fixture.__wrapped__(None)  # type: ignore[attr-defined]
                case = make_case(org)
                records = populate_case(org, case, tmp)
                video = records["video"].attachments.get().blob
                with get_storage().open(video.storage_key) as fh:
                    video_bytes = fh.read()
                with TestCase.captureOnCommitCallbacks(execute=True):
                    result = build_case_package(
                        actor=org.officer_a1, case=case, out_path=tmp / "out" / "case.zip"
                    )
                    withheld = build_case_package(actor=org.auditor, case=case, out_path=tmp / "auditor.zip")
                entries = {e.seq: (e.entry_hash, e.payload) for e in LedgerEntry.objects.all()}
                built = Built(
                    path=result.path,
                    receipt_path=result.receipt_path,
                    manifest_digest=result.manifest_digest,
                    public_key=result.checkpoint.public_key,
                    video=video_bytes,
                    ledger=entries,
                    withheld=withheld.path,
                    withheld_count=withheld.withheld_records,
                    secret_record_id=records["secret"].pk,
                )
                transaction.set_rollback(True)
        finally:
            get_storage.cache_clear()
    return built


def _manifest(path: Path) -> dict[str, Any]:
    with zipfile.ZipFile(path) as zf:
        manifest: dict[str, Any] = json.loads(zf.read(pkg.MANIFEST))
    return manifest


def _member(path: Path, prefix: str) -> str:
    with zipfile.ZipFile(path) as zf:
        return next(n for n in zf.namelist() if n.startswith(prefix))


def _with_manifest_line(data: bytes, member: str, content: bytes) -> bytes:
    """The manifest with ``member``'s line rewritten to match ``content`` (a careful forger)."""
    manifest = json.loads(data)
    for line in manifest["files"]:
        if line["path"] == member:
            line.update(
                size=len(content),
                sm3="sm3:" + crypto.sm3(content).hex(),
                sha256="sha256:" + __import__("hashlib").sha256(content).hexdigest(),
            )
    return (json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=2) + "\n").encode()


def _forge(
    built: Built, tmp_path: Path, member: str, change: Callable[[bytes], bytes], *, fix_manifest: bool
) -> Path:
    with zipfile.ZipFile(built.path) as zf:
        new = change(zf.read(member))
    replace: dict[str, bytes | Callable[[bytes], bytes]] = {member: new}
    if fix_manifest:
        replace[pkg.MANIFEST] = lambda data: _with_manifest_line(data, member, new)
    return rewrite_zip(built.path, tmp_path / "tampered.zip", replace=replace)


def _problems(proc: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in proc.stdout.splitlines() if line.startswith("[")]


def _assert_failed_with(proc: subprocess.CompletedProcess[str], *expected: str) -> None:
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stdout.splitlines()[-1].startswith("FAILED")
    problems = _problems(proc)
    for fragment in expected:
        assert any(fragment in p for p in problems), f"{fragment!r} not in {problems}"


# --- the untouched package ------------------------------------------------------------------------


def test_ar_5_package_verifies_ok_in_a_clean_isolated_process(built: Built) -> None:
    proc = run_verifier(built.path, "--manifest-digest", built.manifest_digest)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines()[-1] == "OK"
    assert built.manifest_digest in proc.stdout
    assert not _problems(proc)


def test_ar_5_verifier_runs_without_django_or_liuhen(built: Built, tmp_path: Path) -> None:
    """A machine without the app: a copy of liuhen_verify outside the repository, imports of
    django and liuhen refused, no settings in the environment."""
    shutil.copytree(REPO / "liuhen_verify", tmp_path / "lib" / "liuhen_verify")
    package = shutil.copy(built.path, tmp_path / "case.zip")
    proc = run_verifier(Path(package), isolated_copy=tmp_path / "lib")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines()[-1] == "OK"
    assert "LEAKED" not in proc.stdout


def test_ar_5_verifier_imports_only_the_standard_library_and_gmalglib() -> None:
    allowed = set(sys.stdlib_module_names) | {"gmalglib", "liuhen_verify", "__future__"}
    for source in (REPO / "liuhen_verify").glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] in allowed, f"{source.name} imports {name}"


def test_ar_5_console_script_is_installed_and_runs_with_a_clean_environment(built: Built) -> None:
    script = Path(sys.executable).with_name("liuhen-verify-package")
    assert script.exists(), "pip install -e . creates the console script"
    proc = subprocess.run(
        [str(script), str(built.path), "-q"],
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip() == "OK"


def test_ar_5_package_layout_manifest_and_receipt(built: Built) -> None:
    manifest = _manifest(built.path)
    assert manifest["format"] == pkg.FORMAT
    assert manifest["case"]["number"].startswith("测医保罚")
    assert manifest["agency"]["name"] == "测试县医疗保障局"
    assert manifest["generated_by"]["label"].startswith("张伟(a1")
    with zipfile.ZipFile(built.path) as zf:
        names = set(zf.namelist())
        listed = {line["path"]: line for line in manifest["files"]}
        # Every file but the manifest and the receipt is listed, with size and both digests.
        assert names - set(listed) == {pkg.MANIFEST, pkg.RECEIPT}
        for path, line in listed.items():
            data = zf.read(path)
            assert line["size"] == len(data)
            assert line["sm3"] == "sm3:" + crypto.sm3(data).hex()
        # Originals byte for byte: the photo, the recording, the state-secret photo (the officer
        # handles the case, so sees it).
        media = {zf.read(m["path"]) for m in manifest["media"]}
        assert PHOTO in media and built.video in media and len(media) == 3
        assert (
            len(manifest["documents"]) == 4
        )  # filing, photo (the dock import is attached to it), video, secret
        for doc in manifest["documents"]:
            assert zf.read(doc["path"]).startswith(b"%PDF-")
        # Ledger entries: the exact bytes that were hashed and stored.
        for listing in manifest["ledger"]["entries"]:
            entry_hash, payload = built.ledger[listing["seq"]]
            assert crypto.leaf_hash(zf.read(listing["header"])).hex() == entry_hash
            assert zf.read(listing["payload"]).decode() == payload
        actions = {listing["action"] for listing in manifest["ledger"]["entries"]}
        assert {
            "case.open",
            "record.create",
            "record.attach",
            "blob.ingest",
            "av.import",
            "case.export",
        } <= actions
        checkpoint = json.loads(zf.read(pkg.CHECKPOINT))
        assert (
            checkpoint["tree_size"] == manifest["ledger"]["export_seq"]
        )  # a fresh checkpoint covers the export
        assert zf.read(pkg.PUBLIC_KEY).decode().strip() == built.public_key
        receipt = zf.read(pkg.RECEIPT)
    # The receipt names the manifest's digest and lies beside the zip too.
    assert receipt == built.receipt_path.read_bytes()
    assert pdf_mentions(receipt, built.manifest_digest)
    import pypdfium2 as pdfium

    text = pdfium.PdfDocument(receipt)[0].get_textpage().get_text_range()
    assert "交付回执" in text and manifest["case"]["number"] in text


def test_ar_5_export_withholds_what_the_exporter_may_not_see(built: Built) -> None:
    """AC-3: the auditor does not see the state-secret record: not its document, not its file, not
    its ledger payloads — but the headers stay, so the package still verifies."""
    assert built.withheld_count == 1
    manifest = _manifest(built.withheld)
    assert manifest["withheld_records"] == 1
    assert built.secret_record_id not in {d["record_id"] for d in manifest["documents"]}
    assert len(manifest["media"]) == 2
    hidden = [
        e
        for e in manifest["ledger"]["entries"]
        if e["object_type"] == "records.record" and e["object_id"] == str(built.secret_record_id)
    ]
    assert hidden and all(e["payload"] is None for e in hidden)
    with zipfile.ZipFile(built.withheld) as zf:
        assert not any(
            b"\xe6\xb6\x89\xe5\xaf\x86" in zf.read(n) for n in zf.namelist() if n.endswith(".json")
        )  # 涉密
    proc = run_verifier(built.withheld)
    assert proc.returncode == 0, proc.stdout


# --- each single tampering is detected and named --------------------------------------------------


def test_ar_5_tamper_changed_byte_in_media_file(built: Built, tmp_path: Path) -> None:
    member = _member(built.path, "media/")
    tampered = _forge(
        built, tmp_path, member, lambda b: b[:10] + bytes([b[10] ^ 1]) + b[11:], fix_manifest=False
    )
    _assert_failed_with(run_verifier(tampered), f"[changed] {member}")


def test_ar_5_tamper_document_removed(built: Built, tmp_path: Path) -> None:
    member = _member(built.path, "documents/")
    tampered = rewrite_zip(built.path, tmp_path / "tampered.zip", drop=(member,))
    _assert_failed_with(run_verifier(tampered), f"[missing] {member}")


def test_ar_5_tamper_extra_file_added(built: Built, tmp_path: Path) -> None:
    tampered = rewrite_zip(built.path, tmp_path / "tampered.zip", add={"media/extra.jpg": b"planted"})
    _assert_failed_with(run_verifier(tampered), "[extra] media/extra.jpg")


def test_ar_5_tamper_manifest_line_edited(built: Built, tmp_path: Path) -> None:
    member = _member(built.path, "documents/")

    def edit(data: bytes) -> bytes:
        manifest = json.loads(data)
        next(line for line in manifest["files"] if line["path"] == member)["size"] += 1
        return json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=2).encode()

    tampered = rewrite_zip(built.path, tmp_path / "tampered.zip", replace={pkg.MANIFEST: edit})
    proc = run_verifier(tampered, "--manifest-digest", built.manifest_digest)
    _assert_failed_with(proc, f"[changed] {member}", "[manifest] manifest.json", "[receipt] receipt.pdf")
    # Without the digest from the paper receipt, the receipt inside the package still names it.
    _assert_failed_with(run_verifier(tampered), "[receipt] receipt.pdf")


def test_ar_5_tamper_file_swapped_together_with_its_manifest_line(built: Built, tmp_path: Path) -> None:
    """The ledger recorded the digests at ingest, and the signed export entry lists every file."""
    member = _member(built.path, "media/")
    tampered = _forge(built, tmp_path, member, lambda b: b"other content", fix_manifest=True)
    proc = run_verifier(tampered)
    _assert_failed_with(
        proc, f"[changed] {member}: 与入库时账本记录的摘要不符", f"[changed] {member}: 与签名账本的导出条目"
    )
    assert not any(f"{member}: 与清单不符" in p for p in _problems(proc))
    document = _member(built.path, "documents/")
    tampered = _forge(built, tmp_path, document, lambda b: b"%PDF-1.7 forged", fix_manifest=True)
    _assert_failed_with(run_verifier(tampered), f"[changed] {document}: 与签名账本的导出条目")


def test_ar_5_tamper_entry_bytes_edited_not_in_checkpoint(built: Built, tmp_path: Path) -> None:
    manifest = _manifest(built.path)
    listing = next(e for e in manifest["ledger"]["entries"] if e["action"] == "case.open")
    tampered = _forge(
        built,
        tmp_path,
        listing["header"],
        lambda b: b.replace(b"\xe5\xbc\xa0\xe4\xbc\x9f", b"\xe6\x9d\x8e\xe5\x9b\x9b"),
        fix_manifest=True,
    )  # 张伟 -> 李四 in actor_label, manifest line fixed: only the proof can tell
    proc = run_verifier(tampered)
    _assert_failed_with(proc, f"[proof] ledger#{listing['seq']}")
    assert not any(p.startswith(("[changed]", "[missing]", "[extra]")) for p in _problems(proc))


def test_ar_5_tamper_ledger_entry_left_out(built: Built, tmp_path: Path) -> None:
    """A careful forger drops an entry (e.g. a correction) with its files and manifest lines: the
    signed export entry lists every entry the package holds."""
    manifest = _manifest(built.path)
    listing = next(e for e in manifest["ledger"]["entries"] if e["action"] == "record.create")
    gone = (listing["header"], listing["payload"])

    def edit(data: bytes) -> bytes:
        doc = json.loads(data)
        doc["files"] = [line for line in doc["files"] if line["path"] not in gone]
        doc["ledger"]["entries"] = [e for e in doc["ledger"]["entries"] if e["seq"] != listing["seq"]]
        return json.dumps(doc, ensure_ascii=False).encode()

    tampered = rewrite_zip(built.path, tmp_path / "tampered.zip", drop=gone, replace={pkg.MANIFEST: edit})
    _assert_failed_with(run_verifier(tampered), f"[missing] ledger#{listing['seq']}")


def test_ar_5_tamper_inclusion_proof_edited(built: Built, tmp_path: Path) -> None:
    def edit(data: bytes) -> bytes:
        proofs = json.loads(data)
        proof = next(p for p in proofs["proofs"] if p["path"])
        proof["path"][0] = "00" * 32
        edit.seq = proof["seq"]  # type: ignore[attr-defined]
        return json.dumps(proofs).encode()

    tampered = _forge(built, tmp_path, pkg.PROOFS, edit, fix_manifest=True)
    _assert_failed_with(run_verifier(tampered), f"[proof] ledger#{edit.seq}")  # type: ignore[attr-defined]


def test_ar_5_tamper_entry_payload_edited(built: Built, tmp_path: Path) -> None:
    manifest = _manifest(built.path)
    listing = next(e for e in manifest["ledger"]["entries"] if e["action"] == "blob.ingest")
    tampered = _forge(
        built, tmp_path, listing["payload"], lambda b: b.replace(b'"size":', b'"size":1'), fix_manifest=True
    )
    _assert_failed_with(run_verifier(tampered), f"[ledger] ledger#{listing['seq']}")


def test_ar_5_tamper_checkpoint_signature_forged(built: Built, tmp_path: Path) -> None:
    def forge(data: bytes) -> bytes:
        cp = json.loads(data)
        signature = bytearray.fromhex(cp["signature"])
        signature[5] ^= 0x01
        cp["signature"] = signature.hex()
        return json.dumps(cp).encode()

    tampered = _forge(built, tmp_path, pkg.CHECKPOINT, forge, fix_manifest=True)
    size = _manifest(built.path)["ledger"]["tree_size"]
    _assert_failed_with(run_verifier(tampered), f"[signature] checkpoint@{size}")


def test_ar_5_tamper_public_key_replaced(built: Built, tmp_path: Path) -> None:
    _, other_public = gmalglib.sm2_generate_keypair()
    tampered = _forge(
        built,
        tmp_path,
        pkg.PUBLIC_KEY,
        lambda b: bytes(other_public).hex().encode() + b"\n",
        fix_manifest=True,
    )
    size = _manifest(built.path)["ledger"]["tree_size"]
    _assert_failed_with(run_verifier(tampered), "[key] checkpoint@", f"[signature] checkpoint@{size}")


def test_ar_5_resigned_with_another_key_is_caught_by_the_agency_key(built: Built, tmp_path: Path) -> None:
    """A forger who re-signs the checkpoint with a key of their own and replaces the public key:
    the agency key obtained separately (or the paper receipt's manifest digest) catches it."""
    secret, public = gmalglib.sm2_generate_keypair()
    public = bytes(public)

    def resign(data: bytes) -> bytes:
        cp = json.loads(data)
        message = crypto.checkpoint_message(
            cp["origin"], cp["tree_size"], bytes.fromhex(cp["root_hash"]), cp["created_at"]
        )
        cp.update(
            public_key=public.hex(),
            key_id=crypto.key_id_of(public),
            signature=bytes(gmalglib.sm2.SM2(sk=secret, pk=public).sign(message)).hex(),
        )
        return json.dumps(cp).encode()

    with zipfile.ZipFile(built.path) as zf:
        new_cp, new_key = resign(zf.read(pkg.CHECKPOINT)), public.hex().encode() + b"\n"

    def manifest(data: bytes) -> bytes:
        return _with_manifest_line(_with_manifest_line(data, pkg.CHECKPOINT, new_cp), pkg.PUBLIC_KEY, new_key)

    tampered = rewrite_zip(
        built.path,
        tmp_path / "tampered.zip",
        replace={pkg.CHECKPOINT: new_cp, pkg.PUBLIC_KEY: new_key, pkg.MANIFEST: manifest},
    )
    agency_key = tmp_path / "agency-sm2.pub"
    agency_key.write_text(built.public_key + "\n", encoding="ascii")
    _assert_failed_with(
        run_verifier(tampered, "--public-key", str(agency_key)), "[key] ledger/agency-sm2.pub", "[signature]"
    )
    _assert_failed_with(
        run_verifier(tampered, "--manifest-digest", built.manifest_digest), "[manifest] manifest.json"
    )
    # The untouched package passes with the agency key given explicitly.
    assert run_verifier(built.path, "--public-key", str(agency_key)).returncode == 0


def test_ar_5_extracted_folder_verifies_too(built: Built, tmp_path: Path) -> None:
    with zipfile.ZipFile(built.path) as zf:
        zf.extractall(tmp_path / "case")
    assert run_verifier(tmp_path / "case").returncode == 0
    (tmp_path / "case" / "README.txt").write_text("changed", encoding="utf-8")
    _assert_failed_with(run_verifier(tmp_path / "case"), "[changed] README.txt")


# --- proofs ---------------------------------------------------------------------------------------


@pytest.fixture
def leaves() -> Iterator[list[bytes]]:
    yield [merkle.leaf_hash(i.to_bytes(2, "big")) for i in range(70)]


def test_ar_5_batch_inclusion_proofs_are_rfc_6962_paths(leaves: list[bytes]) -> None:
    for size in range(1, len(leaves) + 1):
        tree = leaves[:size]
        root = merkle.root(tree)
        proofs = pkg.inclusion_proofs(tree, range(size))
        for index in range(size):
            assert proofs[index] == merkle.inclusion_proof(tree, index)
            assert crypto.verify_inclusion(tree[index], index, size, proofs[index], root)
            assert not crypto.verify_inclusion(
                tree[index], index, size, proofs[index], merkle.leaf_hash(b"x")
            )
            if index + 1 < size:
                assert not crypto.verify_inclusion(tree[index + 1], index, size, proofs[index], root)


def test_ar_5_verifier_sm3_matches_the_application(leaves: list[bytes]) -> None:
    from liuhen.core.canonical import sm3

    assert crypto.sm3(b"abc") == sm3(b"abc")
    assert (
        crypto.sm3(b"abc").hex() == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    )  # GB/T 32905 A.1
    assert crypto._GmSm3().hexdigest() == crypto.sm3(b"").hex()
