"""A case with text records, a signed photo, a dock-imported recording confirmed into it and a real
MP4 video — made through the services — and helpers to run the stand-alone verifier."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path

from django.test import TestCase

from liuhen.av.testing import make_recording, populate_av
from liuhen.cases.models import Case
from liuhen.conftest import Org
from liuhen.core.testing import record_data
from liuhen.equipment.testing import populate_equipment
from liuhen.records.models import Confidentiality, Record
from liuhen.records.services import FileInput, SignerInput, create_record

REPO = Path(__file__).resolve().parents[3]
PHOTO = b"\xff\xd8\xff\xe0" + b"photo bytes " * 64


def populate_case(org: Org, case: Case, workdir: Path) -> dict[str, Record]:
    """Records of every kind the package holds: text, photo with a dock import confirmed into it,
    a real MP4 recording and a state-secret record (withheld from people below that level)."""
    populate_equipment(org, case=case)
    with TestCase.captureOnCommitCallbacks(execute=True):
        filing = create_record(
            actor=org.officer_a1,
            case=case,
            record_type="filing_approval",
            data=record_data("filing_approval"),
            signers=[SignerInput(role="officer", name=org.officer_a1.full_name, person=org.officer_a1)],
        )
        photo = create_record(
            actor=org.officer_a1,
            case=case,
            record_type="photo",
            data={"description": "现场照片"},
            signers=[SignerInput(role="officer", name=org.officer_a1.full_name, person=org.officer_a1)],
            files=[FileInput(source=io.BytesIO(PHOTO), filename="现场照片.jpg")],
        )
        populate_av(org, photo)
        video_path = make_recording(workdir / "DSJ-64032300001_20261130093000_0001.MP4", seconds=1)
        video = create_record(
            actor=org.officer_a1,
            case=case,
            record_type="video",
            data={"description": "现场执法录像"},
            files=[FileInput(source=str(video_path), filename=video_path.name)],
        )
        secret = create_record(
            actor=org.officer_a1,
            case=case,
            record_type="photo",
            data={"description": "涉密照片"},
            confidentiality=Confidentiality.STATE_SECRET,
            files=[FileInput(source=io.BytesIO(b"secret " * 50), filename="secret.jpg")],
        )
    return {"filing": filing, "photo": photo, "video": video, "secret": secret}


def clean_env() -> dict[str, str]:
    """No DJANGO_SETTINGS_MODULE, no LIUHEN_*, no PYTHONPATH: nothing of the application."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "HOME": "/nonexistent"}


# Runs the verifier from a copy of liuhen_verify, with django and liuhen made unimportable.
_ISOLATED = """
import sys
sys.path.insert(0, sys.argv[1])
class _Refuse:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('django', 'liuhen'):
            raise ImportError('refused in the isolated verifier test: ' + name)
        return None
sys.meta_path.insert(0, _Refuse())
from liuhen_verify.cli import main
code = main(sys.argv[2:])
leaked = sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'liuhen'))
if leaked:
    print('LEAKED', leaked)
    code = 3
sys.exit(code)
"""


def run_verifier(
    package: Path, *args: str, isolated_copy: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -I -m liuhen_verify.cli`` in a clean environment (or, with ``isolated_copy``, from a
    copy of the package outside the repository with django/liuhen imports refused)."""
    if isolated_copy is not None:
        cmd = [sys.executable, "-I", "-c", _ISOLATED, str(isolated_copy), str(package), *args]
    else:
        cmd = [sys.executable, "-I", "-m", "liuhen_verify.cli", str(package), *args]
    return subprocess.run(
        cmd, env=clean_env(), cwd=package.parent, capture_output=True, text=True, timeout=120, check=False
    )


def rewrite_zip(
    src: Path,
    dst: Path,
    *,
    replace: Mapping[str, bytes | Callable[[bytes], bytes]] | None = None,
    drop: tuple[str, ...] = (),
    add: Mapping[str, bytes] | None = None,
) -> Path:
    """A copy of the package with single members changed, removed or added."""
    replace = replace or {}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            if info.filename in drop:
                continue
            data = zin.read(info.filename)
            change = replace.get(info.filename)
            if change is not None:
                data = change(data) if callable(change) else change
            zout.writestr(info, data)
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    return dst
