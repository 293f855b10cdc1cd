"""AR-4 (WD 第二十一条 谁执法、谁录入、谁负责; HY-JL 第十六条 明确专人): a named custodian per unit,
designated through a service, shown on the archive pages; the custodian may compile the files of
the unit."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from liuhen.archives import selectors, services
from liuhen.archives.testing import make_archivist
from liuhen.cases.models import Case
from liuhen.conftest import Org, login
from liuhen.ledger.models import LedgerEntry
from liuhen.ledger.verify import verify
from liuhen.org.models import Person


def test_ar_4_department_custodian_overrides_the_agency_one(org: Org, archivist: Person) -> None:
    agency_wide = services.designate_custodian(actor=org.agency_head, agency=org.agency, person=archivist)
    assert selectors.custodian_of(org.agency, org.dept_a) == agency_wide
    own = services.designate_custodian(
        actor=org.head_a, agency=org.agency, department=org.dept_a, person=org.officer_a2, note="本科室案卷"
    )
    assert selectors.custodian_of(org.agency, org.dept_a) == own
    assert selectors.custodian_of(org.agency, org.dept_b) == agency_wide
    # a new designation replaces the current one; the old row stays (write-once)
    newer = services.designate_custodian(
        actor=org.agency_head, agency=org.agency, department=org.dept_a, person=org.officer_a1
    )
    assert selectors.custodian_of(org.agency, org.dept_a) == newer
    units = dict(selectors.custodians(org.agency.pk))
    assert units[None] == agency_wide and units[org.dept_a] == newer and units[org.dept_b] is None
    assert LedgerEntry.objects.filter(action="archive.custodian").count() == 3
    assert verify().ok


def test_ar_4_who_may_designate(org: Org, archivist: Person) -> None:
    with pytest.raises(PermissionDenied):
        services.designate_custodian(actor=org.officer_a1, agency=org.agency, person=archivist)
    with pytest.raises(PermissionDenied):  # a department head only for their own department
        services.designate_custodian(
            actor=org.head_a, agency=org.agency, department=org.dept_b, person=archivist
        )
    other = make_archivist(org.officer_a1, username="ghost", name="离职人员")
    other.is_active = False
    with pytest.raises(ValidationError):
        services.designate_custodian(actor=org.agency_head, agency=org.agency, person=other)


def test_ar_4_custodian_compiles_and_is_shown(
    org: Org, closed_case: Case, archivist: Person, client: Client
) -> None:
    services.designate_custodian(actor=org.agency_head, agency=org.agency, person=archivist)
    record = services.submit_archive(actor=archivist, case=closed_case)  # the custodian, not a handler
    assert record.custodian == archivist and record.compiled_by == archivist
    login(client, org.agency_head)
    overview = client.get("/archives/").content.decode()
    assert "归档责任人" in overview and archivist.full_name in overview
    detail = client.get(f"/archives/{record.pk}/").content.decode()
    assert archivist.full_name in detail
    case_page = client.get(f"/cases/{closed_case.pk}/").content.decode()
    assert "案卷归档" in case_page and record.archive_no in case_page


def test_ar_4_designate_from_the_page(org: Org, archivist: Person, client: Client) -> None:
    login(client, org.agency_head)
    response = client.post("/archives/custodians/", {"department": org.dept_b.pk, "person": archivist.pk})
    assert response.status_code == 302
    assert selectors.custodian_of(org.agency, org.dept_b).person == archivist  # type: ignore[union-attr]
    login(client, org.officer_b1)
    client.post("/archives/custodians/", {"department": org.dept_b.pk, "person": org.officer_b1.pk})
    assert selectors.custodian_of(org.agency, org.dept_b).person == archivist  # type: ignore[union-attr]
