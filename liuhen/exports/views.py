"""The case page's “导出案卷包” button: build the package and stream it (AR-5).

The case is looked up through :func:`liuhen.cases.selectors.get_case_for` (404 for a case the person
may not see); the package holds what the person may see of it. Building the package is a ledger
event (``case.export``), so the button posts (with its CSRF token) rather than links.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from liuhen.cases.selectors import get_case_for
from liuhen.exports.services import ExportError, build_case_package
from liuhen.org.models import Person


def package_filename(case_number: str) -> str:
    safe = "".join("_" if ch in '\\/:*?"<>|\r\n\t' else ch for ch in case_number)
    return f"{safe}-案卷导出包.zip"


@login_required
@require_POST
def case_package(request: HttpRequest, pk: int) -> HttpResponseBase:
    person = request.user
    assert isinstance(person, Person)
    case = get_case_for(person, pk)
    workdir = Path(tempfile.mkdtemp(prefix="export-", dir=settings.FILE_UPLOAD_TEMP_DIR))
    try:
        result = build_case_package(actor=person, case=case, out_path=workdir / "package.zip")
        handle = result.path.open("rb")
    except (ExportError, PermissionDenied) as exc:
        messages.error(request, f"导出失败：{exc}")
        return redirect("cases:detail", pk=case.pk)
    finally:
        # The open handle keeps the zip readable while it streams; nothing stays on disk.
        shutil.rmtree(workdir, ignore_errors=True)
    response = FileResponse(
        handle, as_attachment=True, filename=package_filename(case.number), content_type="application/zip"
    )
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["X-Manifest-SM3"] = result.manifest_digest
    response["X-Content-SM3"] = result.zip_sm3
    return response
