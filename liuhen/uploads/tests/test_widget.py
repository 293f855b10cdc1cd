"""The resumable-upload widget on the record page (AV-7: upload from the field, phone camera)."""

from __future__ import annotations

from typing import Any

from django.test import Client

from liuhen.cases.models import Case
from liuhen.conftest import Org, login
from liuhen.records.services import create_record
from liuhen.uploads.templatetags.resumable_upload import accept_lists


def test_record_page_offers_the_tus_widget_with_camera_capture(
    client: Client, org: Org, case_a: Case, settings: Any
) -> None:
    settings.LIUHEN_MAX_UPLOAD_BYTES = 8 * 1024**3
    record = create_record(
        actor=org.officer_a1, case=case_a, record_type="video", data={"description": "录像"}
    )
    login(client, org.officer_a1)
    html = client.get(f"/records/{record.pk}/").content.decode()
    assert 'data-testid="tus-upload"' in html
    assert f'data-record="{record.pk}"' in html and 'data-endpoint="/uploads/files/"' in html
    assert 'accept="video/*" capture="environment"' in html
    assert "单个文件上限 8 GiB" in html and "断点续传" in html
    assert "/static/liuhen/vendor/tus.min.js" in html and "/static/liuhen/js/uploads.js" in html
    assert "csrfmiddlewaretoken" in html


def test_widget_is_not_shown_to_readers_who_may_not_write(client: Client, org: Org, case_a: Case) -> None:
    record = create_record(
        actor=org.officer_a1, case=case_a, record_type="video", data={"description": "录像"}
    )
    login(client, org.auditor)
    html = client.get(f"/records/{record.pk}/").content.decode()
    assert "断点续传" not in html


def test_accept_lists_follow_the_record_type() -> None:
    assert accept_lists("photo") == (["image/"], "image/*", "image/*")
    assert accept_lists("document_scan") == (
        ["image/", "application/pdf"],
        "image/*,application/pdf",
        "image/*",
    )
    # A text record takes any attachment; the camera offers photo, video and sound.
    assert accept_lists("inquiry") == ([], "", "image/*,video/*,audio/*")


def test_vendored_tus_client_and_its_licence_are_served(client: Client) -> None:
    response = client.get("/static/liuhen/vendor/tus.min.js")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert b"tus" in body and len(body) > 50_000
    licence = client.get("/static/liuhen/vendor/tus-js-client.LICENSE.txt")
    assert licence.status_code == 200
    assert b"MIT" in b"".join(licence.streaming_content)  # type: ignore[attr-defined]
