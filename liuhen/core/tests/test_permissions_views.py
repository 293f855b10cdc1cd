"""AC-1: an officer of another department gets 404 on every case, record and evidence URL of the
web UI (GET and POST), with no hint that the object exists, and nothing is written."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from liuhen.cases.models import Case
from liuhen.conftest import Org, login, make_case
from liuhen.ledger.models import LedgerEntry
from liuhen.records.models import Record
from liuhen.records.services import FileInput, create_record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hasher(settings: object) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


@dataclass
class Objects:
    case: Case
    record: Record
    attachment_pk: int


# (url name, which object's pk it takes, extra args; "<record>" stands for the record's pk)
OBJECT_URLS: list[tuple[str, str, tuple[str, ...]]] = [
    ("cases:detail", "case", ()),
    ("cases:stage", "case", ()),
    ("cases:followup", "case", ("<record>",)),
    ("records:new", "case", ()),
    ("records:create", "case", ("photo",)),
    ("records:detail", "record", ()),
    ("records:correct", "record", ()),
    ("records:upload", "record", ()),
    ("records:sign", "record", ()),
    ("vault:evidence", "attachment", ()),
    ("vault:download", "attachment", ()),
]
POST_ONLY = {"cases:stage", "cases:followup", "records:sign"}
GET_ONLY = {"vault:download"}


@pytest.fixture
def objects(org: Org) -> Objects:
    case = make_case(org, dept="a")
    record = create_record(
        actor=org.officer_a1,
        case=case,
        record_type="photo",
        data={"description": "现场照片"},
        files=[FileInput(source=io.BytesIO(b"photo" * 100), filename="p.jpg")],
    )
    return Objects(case=case, record=record, attachment_pk=record.attachments.get().pk)


def _url(name: str, kind: str, extra: tuple[str, ...], objs: Objects) -> str:
    pk = {"case": objs.case.pk, "record": objs.record.pk, "attachment": objs.attachment_pk}[kind]
    args = [objs.record.pk if arg == "<record>" else arg for arg in extra]
    return reverse(name, args=[pk, *args])


POST_DATA = {
    "to_stage": "investigation",
    "reason": "越权尝试",
    "description": "越权",
    "confidentiality": "normal",
    "correction_reason": "越权",
    "role": "officer",
    "name": "李强",
}


@pytest.mark.parametrize(("name", "kind", "extra"), OBJECT_URLS, ids=[u[0] for u in OBJECT_URLS])
def test_officer_of_other_department_gets_404(
    client: Client, org: Org, objects: Objects, name: str, kind: str, extra: tuple[str, ...]
) -> None:
    url = _url(name, kind, extra, objects)
    entries = LedgerEntry.objects.count()
    records = Record.objects.count()
    login(client, org.officer_b1)
    got = client.get(url)
    assert got.status_code == (405 if name in POST_ONLY else 404)
    posted = client.post(url, POST_DATA)
    assert posted.status_code == (405 if name in GET_ONLY else 404)
    for response in (got, posted):
        assert objects.case.number not in response.content.decode()
    # No write, no logged read.
    assert LedgerEntry.objects.count() == entries
    assert Record.objects.count() == records
    objects.case.refresh_from_db()
    assert objects.case.stage == "initiation"


@pytest.mark.parametrize(("name", "kind", "extra"), OBJECT_URLS, ids=[u[0] for u in OBJECT_URLS])
def test_own_department_reaches_the_same_urls(
    client: Client, org: Org, objects: Objects, name: str, kind: str, extra: tuple[str, ...]
) -> None:
    """The 404s above are about permission, not broken URLs: a colleague of case_a gets through."""
    login(client, org.officer_a2)
    url = _url(name, kind, extra, objects)
    method = client.post if name in POST_ONLY else client.get
    assert method(url).status_code in (200, 302, 400)


def test_anonymous_is_redirected_to_login_everywhere(client: Client, org: Org, objects: Objects) -> None:
    for name, kind, extra in OBJECT_URLS:
        response = client.get(_url(name, kind, extra, objects))
        assert response.status_code in (302, 405), name
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("org:login"))


def _patterns(resolver: URLResolver, namespace: str = "") -> list[tuple[str, URLPattern]]:
    found: list[tuple[str, URLPattern]] = []
    for item in resolver.url_patterns:
        if isinstance(item, URLResolver):
            ns = item.namespace or ""
            found.extend(_patterns(item, f"{namespace}{ns}:" if ns else namespace))
        elif item.name:
            found.append((f"{namespace}{item.name}", item))
    return found


def test_every_object_url_of_the_ui_is_covered() -> None:
    """A new case/record/evidence URL taking a pk must be added to OBJECT_URLS above."""
    covered = {name for name, _kind, _extra in OBJECT_URLS}
    with_pk = {
        name
        for name, pattern in _patterns(get_resolver())
        if name.split(":")[0] in ("cases", "records", "vault") and "<int:" in str(pattern.pattern)
    }
    assert with_pk == covered
