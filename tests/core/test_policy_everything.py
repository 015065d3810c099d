"""A rule that grants every row, even as one term of an OR, reads the table once: no self-join by primary key."""

import pytest

from choujian.analytics.models import ResultFact
from choujian.core.policy import restrict
from tests.factories import OrganisationFactory, member

pytestmark = pytest.mark.django_db


def test_a_national_regulator_reads_the_results_without_a_self_join():
    national = member(OrganisationFactory(level="national", region="100000"), "regulator_officer")
    province = member(OrganisationFactory(level="province", region="350000"), "regulator_officer")
    assert "IN (SELECT" not in str(restrict(ResultFact.objects.all(), national).query)
    assert "IN (SELECT" in str(restrict(ResultFact.objects.all(), province).query)  # a region is still a filter
