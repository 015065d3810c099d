"""What a closed case leaves: a credit record, a listing on the blacklist by rule and for a set term, exit at expiry
or early by credit repair reviewed by one regulator and decided by another; the registry warns about listed makers."""

import datetime as dt

import pytest

from choujian.core.errors import NotPermitted, ServiceError
from choujian.core.flags import enterprise_flags
from choujian.enforcement import services
from choujian.enforcement.models import BlacklistEntry, CreditRecord
from choujian.planning.models import Task
from tests.enforcement.conftest import recheck

pytestmark = pytest.mark.django_db


def failed_recheck(parties):
    case = services.case_open(task=parties.field.task, cause="failed")
    case = services.step_take(actor=parties.county, case=case, step="notice", result="done")
    case = services.step_take(actor=parties.maker, case=case, step="apply", result="done")
    return recheck(case, parties.county, "fail")


def test_a_failed_recheck_is_recorded_and_lists_the_enterprise_for_three_years(parties):
    case = failed_recheck(parties)
    record = CreditRecord.objects.get(case=case)
    assert record.rule == "recheck_failed" and "复查仍不合格" in record.fact
    entry = BlacklistEntry.objects.get(enterprise=case.enterprise)
    assert entry.until == services.years_later(entry.listed_on, 3) and "第44号" in entry.basis
    assert enterprise_flags([case.enterprise_id])[case.enterprise_id] == [f"黑名单（至 {entry.until:%Y-%m-%d}）"]


def test_no_application_in_time_is_recorded_but_not_listed(parties):
    case = services.case_open(task=parties.field.task, cause="failed")
    case = services.step_take(actor=parties.county, case=case, step="notice", result="done")
    [case] = services.steps_lapse(today=case.due + dt.timedelta(days=1))
    assert CreditRecord.objects.get(case=case).rule == "no_application"
    assert not BlacklistEntry.objects.exists()


def test_credit_repair_needs_a_year_a_review_and_a_second_person(parties):
    entry = BlacklistEntry.objects.get(case=failed_recheck(parties))
    with pytest.raises(ServiceError) as early:
        services.repair_apply(actor=parties.maker, entry=entry, reason="已整改", today=entry.listed_on)
    assert "满 1 年" in str(early.value)
    a_year_on = services.years_later(entry.listed_on, 1)
    with pytest.raises(NotPermitted):
        services.repair_apply(actor=parties.outsider, entry=entry, reason="已整改", today=a_year_on)
    entry = services.repair_apply(actor=parties.maker, entry=entry, reason="罚款已缴纳，整改完成", today=a_year_on)
    with pytest.raises(ServiceError):
        services.repair_decide(actor=parties.county_colleague, entry=entry, approve=True)  # not reviewed yet
    entry = services.repair_review(actor=parties.county, entry=entry, note="整改材料齐全，建议准予")
    with pytest.raises(ServiceError) as same:
        services.repair_decide(actor=parties.county, entry=entry, approve=True)
    assert "另一人" in str(same.value)
    with pytest.raises(NotPermitted):  # the organising province is not the regulator of the maker's domicile
        services.repair_decide(actor=parties.organiser, entry=entry, approve=True, today=a_year_on)
    with pytest.raises(ServiceError):  # nor can a second review replace the first
        services.repair_review(actor=parties.county_colleague, entry=entry, note="同意")
    entry = services.repair_decide(actor=parties.county_colleague, entry=entry, approve=True, today=a_year_on)
    assert entry.status == "exited" and entry.exit_reason == "信用修复，提前移出"
    assert enterprise_flags([entry.enterprise_id]) == {}


def test_a_listing_ends_the_day_after_its_term(parties):
    entry = BlacklistEntry.objects.get(case=failed_recheck(parties))
    assert services.blacklist_expire(today=entry.until) == []
    [expired] = services.blacklist_expire(today=entry.until + dt.timedelta(days=1))
    assert expired.status == "exited" and expired.exit_reason == "列入期限届满"


@pytest.mark.tampers  # a second task of the same enterprise, made by moving another drawn task onto it
def test_a_second_failure_within_three_years_lists_the_enterprise(parties):
    task = parties.field.task
    other = Task.objects.filter(plan=task.plan).exclude(pk=task.pk).first()
    Task.objects.filter(pk=other.pk).update(enterprise=task.enterprise, product=task.product)
    services.case_open(task=task, cause="failed")
    assert not BlacklistEntry.objects.exists()
    second = services.case_open(task=Task.objects.get(pk=other.pk), cause="failed")
    entry = BlacklistEntry.objects.get(enterprise=task.enterprise)
    assert entry.rule == "repeated_failures" and entry.case == second


def test_a_risk_based_frame_raises_the_weight_of_a_blacklisted_maker(parties):
    from choujian.draws import services as draws
    from choujian.planning.models import Plan
    from choujian.planning.services import plan_approve, plan_create, plan_line_add, plan_submit

    case = failed_recheck(parties)
    setting = parties.field.setting
    plan = plan_create(
        actor=setting.drafter, regulator=setting.world.province, name="2027年钢绞线差别化抽查", year=2027,
        region="350000", participants=["林监管", "王见证"], risk_based=True, lookback_days=0,
        risk_rule={"base": 1, "per_nonconformity": 2, "per_signal": 3, "max": 10},
    )  # fmt: skip
    plan_line_add(
        actor=setting.drafter, plan=plan, category=setting.category, quota=2, sampling_mode="production",
        agency=setting.agency, laboratory=setting.lab,
    )  # fmt: skip
    plan_submit(actor=setting.drafter, plan=plan)
    plan = plan_approve(actor=setting.approver, plan=Plan.objects.get(pk=plan.pk))
    items = draws.frame_build(actor=setting.drafter, plan=plan).items.all()
    listed = [item for item in items if item.product.enterprise_id == case.enterprise_id]
    assert listed and all(item.weight == 4 and "黑名单" in item.weight_reason for item in listed)
    assert all(item.weight == 1 for item in items if item.product.enterprise_id != case.enterprise_id)
