"""A plan cannot be approved while one of its categories has no implementation rules in force: its samples could
not be tested. The approval is refused naming the category, and the plan page says so before anyone tries."""

import pytest

from choujian.planning.models import Plan
from choujian.planning.services import plan_create, plan_line_add, plan_submit
from tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db


def _submitted_with_an_uncovered_category(setting) -> Plan:
    uncovered = CategoryFactory(code="JT-0999", name="测试用无细则类别")
    plan = plan_create(
        actor=setting.drafter,
        regulator=setting.world.province,
        name="含无细则类别的计划",
        year=2026,
        region="350000",
        participants=["林监管", "王见证"],
    )
    for category in (setting.category, uncovered):
        plan_line_add(
            actor=setting.drafter,
            plan=plan,
            category=category,
            quota=1,
            sampling_mode="production",
            agency=setting.agency,
            laboratory=setting.lab,
        )
    return plan_submit(actor=setting.drafter, plan=plan)


def test_the_api_refuses_approval_naming_the_category_without_rules(api, setting):
    plan = _submitted_with_an_uncovered_category(setting)
    response = api(setting.approver).post(f"/api/v1/plans/{plan.code}/approve/")
    assert response.status_code == 400
    message = " ".join(response.json()["lines"])
    assert "测试用无细则类别（JT-0999）" in message and setting.category.code not in message
    assert Plan.objects.get(pk=plan.pk).status == "submitted"


def test_the_plan_page_lists_what_is_missing_and_the_approval_is_refused(client, setting):
    plan = _submitted_with_an_uncovered_category(setting)
    client.force_login(setting.approver)
    page = client.get(f"/plans/{plan.code}/").content.decode()
    assert "没有在用的实施细则" in page and "测试用无细则类别（JT-0999）" in page and 'href="/rules/"' in page
    after = client.post(f"/plans/{plan.code}/approve/", follow=True).content.decode()
    assert "测试用无细则类别（JT-0999）" in after
    assert Plan.objects.get(pk=plan.pk).status == "submitted"


def test_a_plan_whose_categories_all_have_rules_is_approved(api, setting):
    from tests.planning.conftest import approved_plan

    assert approved_plan(setting).status == "approved"
