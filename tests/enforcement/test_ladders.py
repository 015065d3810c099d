"""Both ladders walked end to end on their legal clocks, a clock suspended and resumed, a late application refused,
steps out of order refused, and each step done only by whom the ladder names."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from choujian.core.errors import NotPermitted, ServiceError
from choujian.enforcement import ladders, services
from choujian.enforcement.choices import LadderCode
from choujian.enforcement.models import Case
from choujian.ledger.models import LedgerEntry
from choujian.workcalendar.services import deadline_compute
from tests.enforcement.conftest import recheck

pytestmark = pytest.mark.django_db


def opened(parties, ladder: str = LadderCode.LADDER_TRANSPORT) -> Case:
    plan = parties.field.plan
    if ladder != LadderCode.LADDER_TRANSPORT:
        services.plan_ladder_set(actor=parties.organiser, plan=plan, ladder=ladder)
    return services.case_open(task=parties.field.task, cause="failed")


def test_a_failed_batch_opens_one_case_owned_by_the_enterprise_s_county_and_referred_there(parties):
    case = opened(parties)
    assert services.case_open(task=parties.field.task, cause="failed") == case  # once per task
    assert case.regulator.region == case.enterprise.region and case.organiser == parties.field.plan.regulator
    assert case.referral_open
    with pytest.raises(NotPermitted):
        services.referral_acknowledge(actor=parties.organiser, case=case)
    case = services.referral_acknowledge(actor=parties.county, case=case)
    assert not case.referral_open
    assert LedgerEntry.objects.filter(type="case.referral_acknowledged").count() == 1


def test_the_transport_ladder_ends_in_a_passed_recheck(parties):
    case = opened(parties)
    first = case.steps.get()
    assert (first.code, first.starts_on) == ("notice", dt.date.today())
    assert first.due == deadline_compute(start=first.starts_on, days=10, kind="working").due
    case = services.step_take(actor=parties.county, case=case, step="notice", result="done")
    case = services.step_take(actor=parties.maker, case=case, step="apply", result="done", note="已更换原材料供应商")
    case = recheck(case, parties.organiser, "pass")
    assert case.status == "closed" and case.conclusion == "@passed" and case.stage_label == "复查确认合格"
    assert [s.code for s in case.steps.order_by("order")] == ["notice", "apply", "recheck"]


def test_no_application_in_time_is_refused_and_the_conclusion_stands(parties):
    case = services.step_take(actor=parties.county, case=opened(parties), step="notice", result="done")
    apply = case.steps.get(code="apply")
    late = apply.due + dt.timedelta(days=1)
    with pytest.raises(ServiceError) as refused:
        services.step_take(actor=parties.maker, case=case, step="apply", result="done", today=late)
    assert "届满" in str(refused.value) and "维持不合格" in str(refused.value)
    assert services.steps_lapse(today=apply.due) == []  # not before the day after
    [lapsed] = services.steps_lapse(today=late)
    assert lapsed.conclusion == "@maintained" and lapsed.status == "closed"


def test_steps_out_of_order_and_by_the_wrong_person_are_refused(parties):
    case = opened(parties)
    with pytest.raises(ServiceError) as wrong_order:
        services.step_take(actor=parties.county, case=case, step="recheck", result="passed")
    assert "当前步骤为“告知不合格结果并责令整改”" in str(wrong_order.value)
    with pytest.raises(NotPermitted):
        services.step_take(actor=parties.maker, case=case, step="notice", result="done")
    case = services.step_take(actor=parties.county, case=case, step="notice", result="done")
    with pytest.raises(NotPermitted):
        services.step_take(actor=parties.outsider, case=case, step="apply", result="done")
    with pytest.raises(ServiceError) as bad:
        services.step_take(actor=parties.maker, case=case, step="apply", result="passed")
    assert "done" in str(bad.value)


def test_a_suspended_clock_carries_its_days_over(parties):
    case = services.step_take(actor=parties.county, case=opened(parties), step="notice", result="done")
    apply = case.steps.get(code="apply")
    start = apply.starts_on
    case = services.step_suspend(actor=parties.county, case=case, reason="企业申请延期，经批准", today=start)
    with pytest.raises(ServiceError):
        services.step_take(actor=parties.maker, case=case, step="apply", result="done", today=start)
    assert services.steps_lapse(today=apply.due + dt.timedelta(days=5)) == []  # a stopped clock does not lapse
    case = services.step_resume(actor=parties.county, case=case, today=start + dt.timedelta(days=12))
    apply.refresh_from_db()
    assert apply.suspended_days == 12
    moved = start + dt.timedelta(days=12)  # the period counts as if it had started 12 days later
    assert apply.due == deadline_compute(start=moved, days=30, kind="calendar").due
    assert case.due == apply.due
    late_without_suspension = deadline_compute(start=start, days=30, kind="calendar").due + dt.timedelta(days=3)
    assert late_without_suspension <= apply.due
    services.step_take(actor=parties.maker, case=case, step="apply", result="done", today=late_without_suspension)


def test_an_overdue_step_cannot_be_suspended_to_escape_its_consequence(parties):
    case = services.step_take(actor=parties.county, case=opened(parties), step="notice", result="done")
    apply = case.steps.get(code="apply")
    with pytest.raises(ServiceError) as refused:
        services.step_suspend(
            actor=parties.county, case=case, reason="补办延期", today=apply.due + dt.timedelta(days=1)
        )
    assert "届满" in str(refused.value)


def test_an_unanswered_samr_order_still_reaches_the_recheck(parties):
    case = opened(parties, LadderCode.LADDER_SAMR)
    case = services.step_take(actor=parties.county, case=case, step="order", result="done")
    stop_sale = case.steps.get(code="stop_sale")
    [case] = services.steps_lapse(today=stop_sale.due + dt.timedelta(days=1))
    rectify = case.steps.get(code="rectify")
    [case] = services.steps_lapse(today=rectify.due + dt.timedelta(days=1))
    assert case.stage == "recheck" and case.steps.get(code="rectify").late


def test_the_samr_ladder_counts_from_the_order_announces_and_rechecks_again(parties):
    case = opened(parties, LadderCode.LADDER_SAMR)
    order_day = dt.date.today()
    case = services.step_take(actor=parties.county, case=case, step="order", result="done")
    case = services.step_take(actor=parties.maker, case=case, step="stop_sale", result="done")
    rectify = case.steps.get(code="rectify")
    sixty = deadline_compute(start=order_day, days=60, kind="calendar").due
    assert rectify.starts_on == order_day and rectify.due == sixty  # art. 46: sixty days from the order
    case = services.step_take(actor=parties.maker, case=case, step="rectify", result="done")
    first_recheck = case.steps.get(code="recheck")
    seventy_five = deadline_compute(start=order_day, days=75, kind="calendar").due
    assert first_recheck.due == seventy_five  # art. 47: from the order, not from the report
    case = recheck(case, parties.county, "fail")
    case = services.step_take(actor=parties.county, case=case, step="announce", result="done")
    second = case.steps.get(code="second_recheck")
    assert second.not_before == second.starts_on + dt.timedelta(days=60)  # art. 48
    with pytest.raises(ServiceError) as early:
        recheck(case, parties.county, "pass")
    assert "最早于" in str(early.value)
    case = recheck(case, parties.county, "fail", today=second.not_before)
    case = recheck(case, parties.county, "fail")
    assert case.conclusion == "@revoke" and case.status == "closed"


def test_a_plan_sets_its_own_period_only_with_its_article(parties):
    plan = parties.field.plan
    with pytest.raises(ServiceError) as missing:
        services.plan_ladder_set(
            actor=parties.organiser, plan=plan, ladder="transport", periods={"apply": {"days": 15}}
        )
    assert "条款" in str(missing.value)
    periods = {"apply": {"days": 15, "kind": "calendar", "basis": "交科技规〔2020〕2号 第二十九条（计划设定）"}}
    services.plan_ladder_set(actor=parties.organiser, plan=plan, ladder="transport", periods=periods)
    case = services.step_take(actor=parties.county, case=opened(parties), step="notice", result="done")
    apply = case.steps.get(code="apply")
    assert apply.days == 15 and "第二十九条" in apply.basis


def test_a_refused_sampling_follows_article_56(parties):
    case = services.case_open(task=parties.field.task, cause="refused")
    assert case.ladder == "refusal" and case.stage == "warn"


@given(st.sampled_from(sorted(ladders.LADDERS)), st.data())
def test_every_path_of_every_ladder_ends_in_a_conclusion(code, data):
    ladder = ladders.LADDERS[code]
    step, seen = ladder.first, 0
    while step not in ladders.CONCLUSIONS:
        rule = ladder.step(step)
        result = data.draw(st.sampled_from(sorted(rule.results)))
        step = rule.results[result]
        seen += 1
        assert seen <= len(ladder.steps) + 1, "a loop"
