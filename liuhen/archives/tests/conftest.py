from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from liuhen.archives.testing import close_case, make_archivist, old_case
from liuhen.cases.models import Case
from liuhen.conftest import Org
from liuhen.org.models import Person


@pytest.fixture
def archivist(org: Org) -> Person:
    return make_archivist(org.officer_a1)


@pytest.fixture
def ended_on() -> date:
    return timezone.localdate() - timedelta(days=5)


@pytest.fixture
def closed_case(org: Org, ended_on: date) -> Case:
    return close_case(
        old_case(org, opened_on=ended_on - timedelta(days=60)), org.officer_a1, ended_on=ended_on
    )
