"""Ledger queries through the API: scoped to visible cases, whole ledger for auditors."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from liuhen.cases.models import Case
from liuhen.conftest import Org, login
from liuhen.ledger.models import LedgerEntry
from liuhen.ledger.services import make_checkpoint

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hasher(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_case_trail(client: Client, org: Org, case_a: Case, case_b: Case) -> None:
    login(client, org.officer_a1)
    page = client.get("/api/ledger", {"case": case_a.pk}).json()
    expected = list(LedgerEntry.objects.filter(case_id=case_a.pk).values_list("seq", flat=True))
    assert [e["seq"] for e in page["items"]] == expected
    assert page["items"][0]["action"] == "case.open"
    assert all(e["payload"] is None for e in page["items"])  # officers check digests, not payloads
    assert page["next_after"] is None


def test_object_filter_and_scope(client: Client, org: Org, case_a: Case, case_b: Case) -> None:
    login(client, org.officer_a1)
    mine = client.get("/api/ledger", {"object_type": "cases.case", "object_id": str(case_a.pk)}).json()[
        "items"
    ]
    assert [e["action"] for e in mine] == ["case.open"]
    others = client.get("/api/ledger", {"object_type": "cases.case", "object_id": str(case_b.pk)}).json()[
        "items"
    ]
    assert others == []
    everything = client.get("/api/ledger", {"limit": 1000}).json()["items"]
    assert {e["case_id"] for e in everything} == {case_a.pk}


def test_auditor_sees_whole_ledger_with_payloads_and_pages(
    client: Client, org: Org, case_a: Case, case_b: Case
) -> None:
    login(client, org.auditor)
    total = LedgerEntry.objects.count()
    seen: list[int] = []
    after = 0
    while True:
        page = client.get("/api/ledger", {"after": after, "limit": 7}).json()
        seen += [e["seq"] for e in page["items"]]
        if page["next_after"] is None:
            break
        after = page["next_after"]
    assert seen == list(range(1, total + 1))
    first = client.get("/api/ledger", {"limit": 1}).json()["items"][0]
    assert first["action"] == "agency.create"
    assert first["payload"]["short_name"] == "测医保"
    assert client.get("/api/ledger", {"limit": 0}).status_code == 422


def test_latest_checkpoint(client: Client, org: Org, case_a: Case) -> None:
    login(client, org.officer_b1)
    none_yet = client.get("/api/ledger/checkpoints/latest")
    assert none_yet.status_code == 404
    assert none_yet.json()["error"]["message"] == "尚无签名检查点。"
    result = make_checkpoint()
    assert result.checkpoint is not None
    body = client.get("/api/ledger/checkpoints/latest").json()
    assert body["tree_size"] == LedgerEntry.objects.count()
    assert body["root_hash"] == result.checkpoint.root_hash
    assert body["signature"] == result.checkpoint.signature
