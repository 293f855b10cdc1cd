"""FU-1: not rectified after the follow-up → a new case is opened, linked to the original."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from liuhen.cases.models import Case, CaseType, Procedure, Source, Stage
from liuhen.cases.services import open_case_for_unrectified
from liuhen.conftest import Org
from liuhen.ledger.models import LedgerEntry
from liuhen.ledger.verify import verify
from liuhen.records.models import Record, SignerRole
from liuhen.records.services import SignerInput, correct_record, create_record

pytestmark = pytest.mark.django_db


def _reinspection(org: Org, case: Case, *, rectified: bool) -> Record:
    data: dict[str, Any] = {
        "grade": "serious",
        "method": "on_site",
        "reviewed_at": timezone.make_aware(datetime(2026, 11, 20, 9, 30)),
        "inspectors": [
            {"name": org.officer_a1.full_name, "number": org.officer_a1.certificate_no},
            {"name": org.officer_a2.full_name, "number": org.officer_a2.certificate_no},
        ],
        "findings": "现场复查发现医保结算系统仍可将保健食品串换为药品结算，未整改。",
        "rectified": rectified,
        "new_case_needed": not rectified,
    }
    return create_record(
        actor=org.officer_a1,
        case=case,
        record_type="reinspection_record",
        data=data,
        signers=[SignerInput(role=SignerRole.OFFICER, name=org.officer_a1.full_name, person=org.officer_a1)],
    )


def test_fu1_unrectified_opens_linked_case(org: Org, case_a: Case) -> None:
    record = _reinspection(org, case_a, rectified=False)
    new = open_case_for_unrectified(actor=org.officer_a1, reinspection=record)
    assert new.origin == case_a and list(case_a.followup_cases.all()) == [new]
    assert (new.stage, new.case_type, new.procedure, new.source) == (
        Stage.INITIATION,
        CaseType.PENALTY,
        Procedure.GENERAL,
        Source.EX_OFFICIO,
    )
    assert new.number != case_a.number and case_a.number in new.summary
    assert list(new.parties.values_list("name", "uscc")) == list(case_a.parties.values_list("name", "uscc"))
    assert set(new.handlers.values_list("person_id", flat=True)) == {org.officer_a1.pk, org.officer_a2.pk}
    # Both trails carry the link, and the origin is sealed with the new case.
    link = LedgerEntry.objects.get(action="case.followup_case")
    assert link.case_id == case_a.pk
    assert verify(blobs=False).ok
    # Once per re-inspection.
    with pytest.raises(ValidationError, match="已就该次复查另行立案"):
        open_case_for_unrectified(actor=org.officer_a1, reinspection=record)


def test_fu1_rectified_or_superseded_reinspection_opens_nothing(org: Org, case_a: Case) -> None:
    done = _reinspection(org, case_a, rectified=True)
    with pytest.raises(ValidationError, match="已整改到位"):
        open_case_for_unrectified(actor=org.officer_a1, reinspection=done)
    corrected = correct_record(
        actor=org.officer_a1, record=done, data={**done.fields, "rectified": False}, reason="复查结论录入有误"
    )
    with pytest.raises(ValidationError, match="已被更正"):
        open_case_for_unrectified(actor=org.officer_a1, reinspection=done)
    assert open_case_for_unrectified(actor=org.officer_a1, reinspection=corrected).origin == case_a
    assert Case.objects.count() == 2


def test_fu1_case_page_offers_new_case_and_links_both(org: Org, case_a: Case, client: Any) -> None:
    from liuhen.conftest import login

    record = _reinspection(org, case_a, rectified=False)
    login(client, org.officer_a1)
    page = client.get(f"/cases/{case_a.pk}/").content.decode()
    assert 'data-testid="open-followup-case"' in page and "未整改到位" in page
    response = client.post(f"/cases/{case_a.pk}/followup/{record.pk}/")
    new = Case.objects.get(origin=case_a)
    assert response.status_code == 302 and response["Location"] == f"/cases/{new.pk}/"
    assert case_a.number in client.get(f"/cases/{new.pk}/").content.decode()
    page = client.get(f"/cases/{case_a.pk}/").content.decode()
    assert new.number in page and 'data-testid="open-followup-case"' not in page
    # An officer of another department may not.
    login(client, org.officer_b1)
    assert client.post(f"/cases/{case_a.pk}/followup/{record.pk}/").status_code == 404


def test_fu1_api_opens_followup_case(org: Org, case_a: Case, client: Any) -> None:
    import json

    from liuhen.conftest import login

    record = _reinspection(org, case_a, rectified=False)
    login(client, org.officer_a1)
    url = f"/api/cases/{case_a.pk}/followup-cases"
    response = client.post(url, json.dumps({"reinspection_id": record.pk}), content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["origin_id"] == case_a.pk and body["stage"] == Stage.INITIATION
    again = client.post(url, json.dumps({"reinspection_id": record.pk}), content_type="application/json")
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "validation_error"
    assert "已就该次复查另行立案" in again.json()["error"]["message"]
