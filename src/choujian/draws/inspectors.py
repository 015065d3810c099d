"""Who may be drawn to inspect a task: the assigned agency's active, qualified samplers without a conflict."""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from choujian.accounts.choices import Role
from choujian.accounts.models import User
from choujian.planning.models import ConflictDeclaration, InspectorQualification, Task


def exclusions(task: Task) -> dict[int, str]:
    """Why each otherwise eligible sampler of the agency is left out (user pk → reason)."""
    reasons: dict[int, str] = {}
    enterprise = task.enterprise
    for declared in ConflictDeclaration.objects.filter(enterprise=enterprise):
        reasons[declared.inspector_id] = f"申报了利害关系：{declared.reason}"
    if enterprise.organisation_id:
        for user_id in User.objects.filter(
            memberships__organisation_id=enterprise.organisation_id, memberships__active=True
        ).values_list("pk", flat=True):
            reasons.setdefault(user_id, "与被抽查企业属同一单位")
    since = timezone.now() - timedelta(days=task.plan.lookback_days)
    recent = (
        Task.objects.filter(enterprise=enterprise, drawn_at__gte=since, inspectors__isnull=False)
        .exclude(pk=task.pk)
        .values_list("inspectors__inspector_id", "code")
    )
    for user_id, code in recent:
        reasons.setdefault(user_id, f"{task.plan.lookback_days} 天内抽查过该企业（任务 {code}）")
    return reasons


def candidates(task: Task):
    today = timezone.localdate()
    qualified = InspectorQualification.objects.filter(category=task.line.category).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=today)
    )
    return (
        User.objects.filter(
            is_active=True,
            memberships__organisation=task.agency,
            memberships__role=Role.ROLE_SAMPLER,
            memberships__active=True,
            pk__in=qualified.values("inspector_id"),
        )
        .distinct()
        .order_by("pk")
    )


def inspector_pool(task: Task) -> list[User]:
    excluded = exclusions(task)
    return [user for user in candidates(task) if user.pk not in excluded]
