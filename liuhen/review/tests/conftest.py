from __future__ import annotations

import pytest

from liuhen.cases.models import Case
from liuhen.review.testing import Bureau, case_in_review, make_bureau


@pytest.fixture
def hy(db: None) -> Bureau:
    """海阳市医疗保障局 under the HY pack (HY-FS thresholds, 3 + 3 working days, benchmark)."""
    return make_bureau("HY")


@pytest.fixture
def major_case(hy: Bureau) -> Case:
    """A 25,000-yuan fine proposed on a company: major under HY-FS 第二条第（一）项."""
    return case_in_review(hy, fine_amount="25000", loss_amount="16800", benchmark_entry="FJ-38-4")
