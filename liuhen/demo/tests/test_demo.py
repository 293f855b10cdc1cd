"""The demo build (issue 2 item 12): complete, idempotent, loggable-in and verifiable."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from liuhen.cases.models import Branch, Case, Stage
from liuhen.cases.selectors import cases_visible_to
from liuhen.cases.validators import validate_resident_id, validate_uscc
from liuhen.demo.builder import build_demo, demo_logins
from liuhen.demo.fake import Faker
from liuhen.demo.media import make_audio, make_jpeg, make_video
from liuhen.demo.scenarios import DEMO_PASSWORD
from liuhen.ledger.verify import verify
from liuhen.org.models import Person, Role
from liuhen.records.models import Record, RecordAttachment
from liuhen.vault.models import Blob


def test_fake_identifiers_are_valid_and_deterministic() -> None:
    a, b = Faker(7), Faker(7)
    for _ in range(50):
        person, org = a.person(), a.organisation()
        assert validate_resident_id(person.id_number) == person.id_number
        assert validate_uscc(org.uscc) == org.uscc
        assert (person, org) == (b.person(), b.organisation())
    assert Faker(8).person() != Faker(7).person()


def test_media_files_are_real(tmp_path: Path) -> None:
    import av
    from PIL import ExifTags, Image

    photo = make_jpeg(tmp_path / "p.jpg", "现场检查", 3)
    with Image.open(photo) as image:
        assert image.format == "JPEG" and image.size == (640, 480)
        exif = image.getexif()
        assert exif[ExifTags.Base.Make] and exif[ExifTags.Base.Model]
        assert exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal]
    with av.open(str(make_video(tmp_path / "v.mp4", seconds=1))) as container:
        video = container.streams.video[0]
        assert (video.codec_context.width, video.codec_context.height) == (320, 240)
        assert video.codec_context.name in ("h264", "mpeg4")
        assert container.streams.audio[0].codec_context.name == "aac"
        assert sum(1 for _ in container.decode(video=0)) == 25
    with av.open(str(make_audio(tmp_path / "a.m4a", seconds=1))) as container:
        assert container.streams.audio[0].codec_context.name == "aac"
        assert container.duration and container.duration > 0


@pytest.mark.slow
@pytest.mark.django_db
def test_build_demo(client: Client, django_capture_on_commit_callbacks: Any) -> None:
    # The vault settles its files when the transaction commits; run those callbacks here.
    with django_capture_on_commit_callbacks(execute=True):
        assert build_demo(seed=0) is True
    assert build_demo(seed=0) is False  # idempotent: nothing written the second time

    assert Person.objects.count() >= 10
    assert Person.objects.exclude(certificate_no=None).count() >= 10
    assert Case.objects.count() >= 20
    assert set(Case.objects.values_list("stage", flat=True)) == set(Stage.values)
    assert {Branch.NOT_FILED, Branch.TRANSFERRED, Branch.REVOKED} <= set(
        Case.objects.values_list("branch", flat=True)
    )
    media_types = set(Blob.objects.values_list("media_type", flat=True))
    for prefix in ("image/", "video/", "audio/"):
        assert any(t.startswith(prefix) for t in media_types), (prefix, media_types)
    assert Blob.objects.filter(media_type__startswith="image/").count() >= 3
    assert Record.objects.filter(supersedes__isnull=False).exists()  # a correction (new version)
    assert RecordAttachment.objects.count() > Blob.objects.count()  # content stored once, reused

    for username, password, description in demo_logins():
        assert password == DEMO_PASSWORD and description
        assert Client().login(username=username, password=password), username
    admin = Person.objects.get(username="admin")
    assert admin.is_superuser and admin.has_role(Role.SYSTEM_ADMIN)
    assert Person.objects.get(username="fazhi").has_role(Role.LEGAL_REVIEWER)
    assert Person.objects.get(username="juzhang").has_role(Role.AGENCY_HEAD)
    assert Person.objects.get(username="shenji").has_role(Role.AUDITOR)
    assert Person.objects.get(username="dangan").has_role(Role.ARCHIVIST)

    assert client.login(username="zhangwei", password="demo1234")
    zhangwei = Person.objects.get(username="zhangwei")
    assert zhangwei.department is not None and zhangwei.department.name == "基金监管科"
    visible = cases_visible_to(zhangwei)
    assert visible.count() >= 1
    assert visible.filter(
        stage=Stage.INVESTIGATION, branch="", handlers__person=zhangwei, handlers__is_lead=True
    ).exists()

    report = verify()
    assert report.ok, [str(p) for p in report.problems]
    assert report.blobs == Blob.objects.count()
