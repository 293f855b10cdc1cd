"""The delivery receipt (交付回执) of a case package: what was handed over, identified by the SM3 of
the package's ``manifest.json`` (a receipt inside the zip cannot name the zip's own digest).

The manifest digest is also put in the PDF's keywords, where ``liuhen_verify`` looks for it."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NoReturn

from django.template.loader import render_to_string
from django.utils import timezone

from liuhen.cases.models import Case
from liuhen.ledger.models import Checkpoint
from liuhen.org.models import Person


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> NoReturn:
    """The receipt is self-contained: nothing is fetched."""
    raise ValueError(f"外部资源不可用：{url[:60]}")


def _size(n: int) -> str:
    value = float(n)
    for unit in ("字节", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{n} 字节" if unit == "字节" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{n} 字节"


def receipt_context(
    *,
    manifest: dict[str, Any],
    manifest_digest: str,
    manifest_sha256: str,
    case: Case,
    actor: Person,
    generated_at: datetime,
    checkpoint: Checkpoint,
) -> dict[str, Any]:
    titles = {d["path"]: f"{d['title']}（第 {d['version']} 版）" for d in manifest["documents"]}
    for m in manifest["media"]:
        titles[m["path"]] = "、".join(sorted({a["filename"] for a in m["attachments"]}))
    files = [
        {"path": f["path"], "title": titles.get(f["path"], ""), "size": _size(f["size"]), "sm3": f["sm3"]}
        for f in manifest["files"]
        if f["kind"] in ("document", "media")
    ]
    return {
        "case": case,
        "agency": case.agency,
        "actor": actor,
        "generated_at": timezone.localtime(generated_at),
        "manifest_digest": manifest_digest,
        "manifest_sha256": manifest_sha256,
        "checkpoint": checkpoint,
        "export_seq": manifest["ledger"]["export_seq"],
        "documents": len(manifest["documents"]),
        "media": len(manifest["media"]),
        "entries": len(manifest["ledger"]["entries"]),
        "withheld": manifest["withheld_records"],
        "files": files,
        "total_files": len(manifest["files"]) + 2,
    }


def render_receipt(**kwargs: Any) -> bytes:
    from weasyprint import HTML  # heavy import (Pango via cffi), only when a PDF is asked for

    html = render_to_string("exports/receipt.html", receipt_context(**kwargs))
    pdf: bytes = HTML(string=html, url_fetcher=_refuse_fetch).write_pdf()
    return pdf
