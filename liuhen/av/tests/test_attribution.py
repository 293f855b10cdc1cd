"""Attribution (issue 5 point 2; AV-8, EQ-5): recorder serial → checkout log → officer; recording
time → that officer's case activities as suggestions; the officer confirms (a record of the case,
through the records services) or corrects; the equipment office assigns what nobody holds; lists
are permission-scoped and filterable by unit, recorder, officer, time, party and case."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import TestCase
from django.utils import timezone

from liuhen.av import selectors, services
from liuhen.av.models import Attribution, AttributionKind, MediaItem
from liuhen.av.tests.conftest import Av
from liuhen.cases.models import Case
from liuhen.conftest import PASSWORD, make_case
from liuhen.core.testing import record_data
from liuhen.equipment import services as equipment
from liuhen.equipment.testing import GOOD_CHECK
from liuhen.ledger.models import LedgerEntry
from liuhen.ledger.verify import verify
from liuhen.org.models import Role
from liuhen.org.services import create_person
from liuhen.policy.selectors import snapshot_of
from liuhen.records.catalogue import catalogue
from liuhen.records.models import Record, RecordAttachment
from liuhen.records.services import create_record
from liuhen.vault.models import Blob

pytestmark = pytest.mark.django_db


def _iso(moment: object) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds")  # type: ignore[arg-type]


def _activity(av: Av, case: Case, record_type: str, start: float, end: float | None = None) -> Record:
    first, last = selectors.ACTIVITY_TIMES[record_type]
    values = {first: _iso(av.at(start))}
    if last:
        values[last] = _iso(av.at(end if end is not None else start))
    handler = case.handlers.first()
    assert handler is not None
    return create_record(
        actor=handler.person, case=case, record_type=record_type, data=record_data(record_type, **values)
    )


def _import(av: Av, minutes: float = 10, serial: str = "DSJ-64032300001", seq: int = 1) -> MediaItem:
    name = av.name(minutes, seq=seq, serial=serial)
    av.video(name, seconds=1, location="+38.4872+106.2309/")
    av.run()
    return av.item(name)


def _status(item: MediaItem) -> str:
    return selectors.state_of(selectors.with_state(MediaItem.objects.filter(pk=item.pk)).get()).status


def test_av_8_catalogue_has_the_activity_time_fields() -> None:
    for code, names in selectors.ACTIVITY_TIMES.items():
        fields = {f.name: f.type for f in catalogue().get(code).fields}
        for name in filter(None, names):
            assert fields.get(name) == "datetime", (code, name)


def test_av_8_suggestions_are_the_officers_activities_around_the_time(av: Av, case_a: Case) -> None:
    item = _import(av, minutes=10)
    inquiry = _activity(av, case_a, "inquiry", 5, 30)
    service = _activity(av, case_a, "service_receipt", 50)
    _activity(av, case_a, "site_inspection", 100, 130)  # 90 minutes later: too far
    case_b = make_case(av.org, dept="b")
    theirs = _activity(av, case_b, "inquiry", 5, 30)  # not 张伟's case
    suggestions = selectors.suggestions_for(item, av.org.officer_a1)
    assert [s.activity for s in suggestions] == [inquiry, service]
    assert suggestions[0].gap_seconds == 0 and "时间重合" in suggestions[0].reason
    assert "送达回证" in suggestions[1].reason and "时间相近" in suggestions[1].reason
    assert [s.activity for s in selectors.suggestions_for(item, av.org.officer_b1)] == [theirs]


def test_av_8_the_case_named_at_checkout_is_suggested(av: Av, case_a: Case) -> None:
    equipment.check_and_check_out(
        actor=av.admin,
        device=av.recorder2,
        holder=av.org.officer_a1,
        check=GOOD_CHECK,
        purpose="询问",
        case=case_a,
        at=av.at(0),
    )
    item = _import(av, minutes=3, serial=av.recorder2.serial_no)
    [suggestion] = selectors.suggestions_for(item, av.org.officer_a1)
    assert suggestion.case == case_a and suggestion.activity is None and "领用" in suggestion.reason


def test_av_8_confirm_creates_a_media_record_in_the_case(av: Av, case_a: Case) -> None:
    item = _import(av)
    inquiry = _activity(av, case_a, "inquiry", 5, 30)
    blobs = Blob.objects.count()
    assert list(selectors.inbox_for(av.org.officer_a1)) == [item]
    with TestCase.captureOnCommitCallbacks(execute=True):
        attribution = services.confirm_item(
            actor=av.org.officer_a1, item=item, case=case_a, activity=inquiry, scenario="inquiry"
        )
    record = attribution.record
    assert record is not None and record.case == case_a and record.record_type == "video"
    data = record.fields
    assert data["recorded_at"] == _iso(item.recorded_at)
    assert data["ended_at"] == _iso(item.recorded_at + timedelta(milliseconds=item.duration_ms or 0))  # type: ignore[operator]
    assert (data["recorder_no"], data["recorded_by"], data["scenario"]) == (
        "DSJ-64032300001",
        "张伟",
        "inquiry",
    )
    assert data["location"] == "38.487200,106.230900" and f"#{inquiry.pk}" in data["description"]
    assert record.attachments.get().blob == item.blob and Blob.objects.count() == blobs  # not stored twice
    entry = LedgerEntry.objects.get(action="av.attribute")
    assert entry.case_id == case_a.pk  # in the case's trail
    assert _status(item) == "confirmed" and not selectors.inbox_for(av.org.officer_a1).exists()
    videos = snapshot_of(case_a).records_of("video")  # the policy engine sees it
    assert len(videos) == 1 and videos[0].attachments[0].media_type == "video/mp4"
    assert verify().ok


def test_av_8_confirm_attaching_to_an_existing_record(av: Av, case_a: Case) -> None:
    item = _import(av)
    inquiry = _activity(av, case_a, "inquiry", 5, 30)
    with TestCase.captureOnCommitCallbacks(execute=True):
        attribution = services.confirm_item(actor=av.org.officer_a1, item=item, case=case_a, record=inquiry)
    assert attribution.record == inquiry
    assert RecordAttachment.objects.get(record=inquiry).blob == item.blob
    assert Record.objects.filter(case=case_a).count() == 1


def test_av_8_only_the_officer_confirms_into_their_own_cases(av: Av, case_a: Case) -> None:
    item = _import(av)
    with pytest.raises(PermissionDenied):
        services.confirm_item(actor=av.org.officer_a2, item=item, case=case_a)
    case_b = make_case(av.org, dept="b")
    with pytest.raises(ValidationError, match="本人承办"):
        services.confirm_item(actor=av.org.officer_a1, item=item, case=case_b)
    other = _activity(av, case_b, "inquiry", 5, 30)
    with pytest.raises(ValidationError, match="最新版本"):
        services.confirm_item(actor=av.org.officer_a1, item=item, case=case_a, record=other)
    assert not Attribution.objects.exists() and not Record.objects.filter(record_type="video").exists()


def test_av_8_a_confirmation_is_final(av: Av, case_a: Case) -> None:
    item = _import(av)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.confirm_item(actor=av.org.officer_a1, item=item, case=case_a)
    assert not selectors.can_confirm(av.org.officer_a1, item)
    with pytest.raises(PermissionDenied):
        services.confirm_item(actor=av.org.officer_a1, item=item, case=case_a)
    with pytest.raises(PermissionDenied):
        services.reassign_item(actor=av.admin, item=item, officer=av.org.officer_a2, reason="x")


def test_av_8_correction_reassigns_to_a_colleague(av: Av, case_a: Case) -> None:
    item = _import(av)
    with pytest.raises(ValidationError) as refused:
        services.reassign_item(actor=av.org.officer_a1, item=item, officer=av.org.auditor, reason="")
    assert set(refused.value.message_dict) == {"reason", "officer"}
    services.reassign_item(
        actor=av.org.officer_a1, item=item, officer=av.org.officer_a2, reason="王芳借用了我的记录仪"
    )
    assert not selectors.inbox_for(av.org.officer_a1).exists()
    assert list(selectors.inbox_for(av.org.officer_a2)) == [item]
    with pytest.raises(Http404):
        selectors.get_item_for(av.org.officer_a1, item.pk)  # no longer 张伟's
    with TestCase.captureOnCommitCallbacks(execute=True):
        confirmed = services.confirm_item(actor=av.org.officer_a2, item=item, case=case_a)
    assert confirmed.supersedes is not None and confirmed.supersedes.kind == AttributionKind.REASSIGNED
    assert confirmed.record is not None and confirmed.record.fields["recorded_by"] == "王芳"
    assert selectors.get_item_for(av.org.officer_a1, item.pk) == item  # now through the case


def test_eq_5_not_case_related_needs_a_reason(av: Av) -> None:
    item = _import(av)
    with pytest.raises(ValidationError, match="原因"):
        services.mark_no_case(actor=av.org.officer_a1, item=item, reason=" ")
    services.mark_no_case(actor=av.org.officer_a1, item=item, reason="开机测试")
    assert _status(item) == "no_case"
    assert list(selectors.search_items(av.org.auditor, status="no_case")) == [item]
    assert selectors.can_confirm(av.org.officer_a1, item)  # may still change their mind


def test_eq_5_equipment_office_assigns_unattributed_files(av: Av) -> None:
    item = _import(av, serial=av.recorder2.serial_no)  # recorder 2: never checked out
    assert list(selectors.unattributed_for(av.admin)) == [item]
    assert not selectors.can_see_unattributed(av.org.officer_a1)
    assert not selectors.unattributed_for(av.org.officer_a1).exists()
    assert not selectors.can_confirm(av.org.officer_a1, item)
    assert selectors.can_reassign(av.org.head_a, item)  # the recorder's department
    services.reassign_item(actor=av.admin, item=item, officer=av.org.officer_b1, reason="核实为李强使用")
    assert not selectors.unattributed_for(av.admin).exists()
    assert list(selectors.inbox_for(av.org.officer_b1)) == [item]
    state = selectors.state_of(selectors.with_state(MediaItem.objects.filter(pk=item.pk)).get())
    assert "outside_checkout" in state.flags  # the EQ-5 flag stays on the item


def test_av_8_visibility(av: Av, case_a: Case) -> None:
    item = _import(av)
    a3 = create_person(
        actor=None,
        username="a3",
        full_name="赵磊",
        password=PASSWORD,
        agency=av.org.agency,
        department=av.org.dept_a,
        roles=[Role.OFFICER],
        certificate_no="64000000000009",
    )
    sees = {
        who: selectors.items_visible_to(getattr(av.org, who)).filter(pk=item.pk).exists()
        for who in (
            "officer_a1",
            "officer_a2",
            "officer_b1",
            "head_a",
            "agency_head",
            "auditor",
            "legal_reviewer",
        )
    }
    assert sees == {
        "officer_a1": True,
        "officer_a2": False,
        "officer_b1": False,
        "head_a": True,
        "agency_head": True,
        "auditor": True,
        "legal_reviewer": False,
    }
    assert selectors.items_visible_to(av.admin).filter(pk=item.pk).exists()
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.confirm_item(actor=av.org.officer_a1, item=item, case=case_a, confidentiality="privacy")
    visible = {
        p.username
        for p in (av.org.officer_a2, a3, av.org.legal_reviewer, av.org.officer_b1, av.admin, av.org.auditor)
        if selectors.items_visible_to(p).filter(pk=item.pk).exists()
    }
    # Handler 王芳 and the legal reviewer see the case's privacy records; 赵磊 sees the case but not
    # that level; 李强 not the case; the equipment office no longer (it is in a case now).
    assert visible == {"a2", "legal", "audit"}


def test_av_8_filters(av: Av, case_a: Case) -> None:
    first = _import(av, minutes=10, seq=1)
    second = _import(av, minutes=70, seq=2)
    other = _import(av, minutes=20, serial=av.recorder2.serial_no)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.confirm_item(actor=av.org.officer_a1, item=first, case=case_a)
    auditor = av.org.auditor

    def found(**filters: object) -> set[int]:
        return {i.pk for i in selectors.search_items(auditor, **filters)}  # type: ignore[arg-type]

    everything = {first.pk, second.pk, other.pk}
    assert found() == everything
    assert found(unit_id=av.org.dept_a.pk) == everything  # officer's or recorder's department
    assert found(unit_id=av.org.dept_b.pk) == set()
    assert found(recorder="64032300002") == {other.pk}
    assert found(officer_id=av.org.officer_a1.pk) == {first.pk, second.pk}
    day = timezone.localdate(first.recorded_at)
    assert found(start=day, end=day) >= {first.pk}
    assert found(start=day + timedelta(days=1)) == set()
    assert found(party="康宁") == {first.pk}
    assert found(case=case_a.number) == {first.pk}
    assert found(status="pending") == {second.pk}
    assert found(status="unattributed") == {other.pk}
    assert found(kind="image") == set()
