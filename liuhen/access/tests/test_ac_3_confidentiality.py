"""AC-3 (YC-13, WD-24): secrets and privacy are handled per confidentiality rules and
permissions — a grant never opens more than ordinary records, and ``can_view`` (the function the
export, archive and retention apps call) applies the same rules."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from liuhen.access import services
from liuhen.access.models import Action
from liuhen.access.selectors import can_view, copy_content
from liuhen.access.tests.conftest import Acc
from liuhen.av import flags
from liuhen.conftest import login
from liuhen.org.services import create_person
from liuhen.records.selectors import allowed_confidentiality, records_of_case


def test_ac_3_grant_holder_sees_only_ordinary_records(acc: Acc) -> None:
    org = acc.org
    # A department head of another department with a grant: their role does not open secrets here.
    head_c = create_person(
        actor=None,
        username="headc",
        full_name="郑红",
        password="liuhen-test-pw",
        agency=org.agency,
        department=org.dept_a,
        roles=["department_head"],
    )
    request = services.request_access(
        actor=head_c, case=acc.case_b, actions={Action.COPY, Action.EXPORT}, reason="联合检查", days=1
    )
    services.decide(actor=acc.head_b, request=request, approved=True)
    assert allowed_confidentiality(head_c, acc.case_b) == {"normal"}
    visible = set(records_of_case(head_c, acc.case_b).values_list("pk", flat=True))
    assert visible == {acc.record_b.pk}
    for action in Action.values:
        assert can_view(head_c, acc.record_b, action=action)
        assert not can_view(head_c, acc.secret_b, action=action)
        assert not can_view(head_c, acc.secret_b.attachments.get(), action=action)
    # In their own scope the roles apply as before: department B's head sees the secret record.
    assert can_view(acc.head_b, acc.secret_b, action=Action.EXPORT)
    assert "commercial_secret" in allowed_confidentiality(acc.head_b, acc.case_b)
    # Agency-wide oversight keeps its reach; other people see nothing.
    assert can_view(org.auditor, acc.secret_b)
    assert not can_view(org.officer_a2, acc.record_b)
    assert can_view(head_c, acc.case_b) and not can_view(org.officer_a2, acc.case_b)


def test_ac_3_av_3_flagged_recording_is_not_opened_by_a_grant(acc: Acc, client: Client) -> None:
    """A recording declared as showing secrets or privacy (AV-3, ``liuhen.av.flags``) stays with the
    case's handlers, the agency head and its own officer, grant or not — and out of a party's copy."""
    org = acc.org
    request = services.request_access(
        actor=org.officer_a1, media_item=acc.item_b, actions={Action.COPY}, reason="协查", days=1
    )
    services.decide(actor=acc.head_b, request=request, approved=True)
    assert can_view(org.officer_a1, acc.item_b, action=Action.COPY)
    flags.declare(actor=org.officer_b1, blob=acc.item_b.blob, privacy=True, note="拍到患者面部")
    assert not can_view(org.officer_a1, acc.item_b)
    assert can_view(org.officer_b1, acc.item_b, action=Action.COPY)  # who recorded it
    assert can_view(org.agency_head, acc.item_b, action=Action.COPY)
    login(client, org.officer_a1)
    assert client.get(f"/api/av/items/{acc.item_b.pk}/content").status_code == 404
    # The same for a record's file: the department head keeps the record, not the flagged file.
    attachment = acc.record_b.attachments.get()
    assert can_view(acc.head_b, attachment, action=Action.COPY)
    flags.declare(actor=org.officer_b1, blob=attachment.blob, secret=True)
    assert not can_view(acc.head_b, attachment)
    assert can_view(acc.head_b, acc.record_b) and not can_view(acc.head_b, acc.record_b, action=Action.EXPORT)
    assert can_view(org.officer_b1, attachment, action=Action.COPY)  # a handler of the case
    login(client, acc.head_b)
    assert client.get(reverse("vault:download", args=[attachment.pk])).status_code == 404
    included, withheld = copy_content(acc.case_b)
    assert acc.record_b in withheld and acc.record_b not in included
