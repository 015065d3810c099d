"""Every read of enforcement cases, restricted by the access policy (the rules: `choujian.enforcement.policy`)."""

from django.db.models import F, QuerySet
from django.utils import timezone

from choujian.accounts.models import User
from choujian.core.policy import VIEW, restrict
from choujian.enforcement import policy
from choujian.enforcement.choices import CaseCause, CaseStatus
from choujian.enforcement.models import BlacklistEntry, Case, CreditRecord
from choujian.registry.selectors import deliveries_visible_to


def cases_visible_to(user: User) -> QuerySet[Case]:
    return restrict(Case.objects.all(), user, VIEW).select_related(
        "enterprise", "product", "plan", "task", "regulator", "organiser", "delivery__section__project"
    )


def case_steps(case: Case):
    return case.steps.select_related("done_by").order_by("order")


def case_rechecks(case: Case):
    return case.rechecks.select_related("step", "task", "ordered_by").order_by("pk")


def recheck_obstacle(case: Case, current, today=None) -> str | None:
    """Why the 复查 of the case's current step cannot be ordered now (None: it can): the step is no 复查, its clock
    stands still, its earliest day has not come, or its sampling task was ordered already."""
    rule = case.rules.step(current.code) if current is not None else None
    if rule is None or not rule.sampled:
        return f"当前步骤{f'“{current.name}”' if current is not None else '（无）'}不是复查，不能下达复查抽样"
    if current.suspended_since is not None:
        return f"期限自 {current.suspended_since:%Y-%m-%d} 起中止，须先恢复"
    if current.not_before is not None and (today or timezone.localdate()) < current.not_before:
        return f"依据{current.basis}，最早于 {current.not_before:%Y-%m-%d} 下达复查"
    existing = case.rechecks.filter(step=current).select_related("task").first()
    if existing is not None:
        return f"本步骤已下达复查任务 {existing.task.code}，等待其检验结论"
    return None


def recheck_may_be_ordered(case: Case, current) -> bool:
    return recheck_obstacle(case, current) is None


def cases_to_act(user: User, actor: str) -> QuerySet[Case]:
    """Open cases whose current step is the user's to do (as the regulator, or as the enterprise)."""
    action = policy.ACT_ENTERPRISE if actor == "enterprise" else policy.ACT_REGULATOR
    open_cases = restrict(Case.objects.filter(status=CaseStatus.STATUS_OPEN), user, action)
    current = open_cases.filter(steps__done_at=None, steps__actor=actor, steps__code=F("stage"))
    return current.select_related("enterprise", "product").distinct().order_by("due", "code")


def referrals_to_acknowledge(user: User) -> QuerySet[Case]:
    received = restrict(Case.objects.exclude(referred_at=None), user, policy.ACKNOWLEDGE)
    waiting = received.filter(referral_acknowledged_at=None, status=CaseStatus.STATUS_OPEN)
    return waiting.select_related("enterprise", "organiser", "product")


def overdue(cases: QuerySet[Case], today=None) -> QuerySet[Case]:
    return cases.filter(status=CaseStatus.STATUS_OPEN, due__lt=today or timezone.localdate())


def referrals_awaited(user: User) -> QuerySet[Case]:
    """Cases the user's regulator organised and referred, not yet confirmed by the receiving regulator."""
    handled = restrict(Case.objects.exclude(referred_at=None), user, policy.ACT_REGULATOR)
    return (
        handled.filter(referral_acknowledged_at=None, status=CaseStatus.STATUS_OPEN)
        .exclude(pk__in=referrals_to_acknowledge(user).values("pk"))
        .select_related("enterprise", "regulator", "product")
    )


def at_risk_deliveries(user: User, case: Case):
    """Other lots of the same manufacturer's product category delivered to any project the user may see: the owners
    should check them before they are built in."""
    same = deliveries_visible_to(user).filter(
        product__enterprise_id=case.enterprise_id, product__category_id=case.product.category_id
    )
    if case.delivery_id:
        same = same.exclude(pk=case.delivery_id)
    return same.order_by("-delivered_on")


def case_files(case: Case):
    return case.files.select_related("step", "uploaded_by").order_by("pk")


def removals_to_record(user: User) -> QuerySet[Case]:
    """Failed lots on the contractor's sections that nobody has recorded as taken off the site yet (a failed
    material must not be used: 《建设工程质量管理条例》第二十九条)."""
    cases = restrict(Case.objects.filter(delivery__isnull=False, cause=CaseCause.CAUSE_FAILED, removals=None), user,
                     policy.RECORD_REMOVAL)  # fmt: skip
    return cases.select_related("enterprise", "product", "delivery__section__project").order_by("opened_at", "code")


def removals_to_witness(user: User) -> QuerySet[Case]:
    """Cases of the supervisor's sections with a removal recorded and not yet witnessed."""
    cases = restrict(
        Case.objects.filter(removals__witnessed_at=None, removals__isnull=False), user, policy.WITNESS_REMOVAL
    )
    return cases.select_related("enterprise", "product").distinct().order_by("code")


def blacklist_visible_to(user: User) -> QuerySet[BlacklistEntry]:
    return restrict(BlacklistEntry.objects.all(), user, VIEW).select_related(
        "enterprise", "case", "repair_reviewed_by", "repair_decided_by"
    )


def credit_records_visible_to(user: User) -> QuerySet[CreditRecord]:
    return restrict(CreditRecord.objects.all(), user, VIEW).select_related("enterprise", "case")


def case_for_document(code: str) -> Case | None:
    """The case a document's QR code names: whoever holds the signed code may check that document (see
    `documents.read_token`), as with a report's verification link."""
    return (
        Case.objects.select_related("enterprise", "product", "regulator", "organiser", "task").filter(code=code).first()
    )
