"""Every read of rule sets, restricted by the access policy (the rules: `choujian.rules.policy`)."""

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from choujian.accounts.models import User
from choujian.core.policy import VIEW, restrict
from choujian.registry.models import ProductCategory
from choujian.rules.choices import RuleSetStatus
from choujian.rules.models import RuleSet


def rulesets_visible_to(user: User) -> QuerySet[RuleSet]:
    return restrict(RuleSet.objects.all(), user, VIEW).select_related("category")


def ruleset_in_force_for(category: ProductCategory, on: dt.date | None = None) -> RuleSet | None:
    """The rules in force for the category, or else for its nearest parent category that has some."""
    current = category
    while current is not None:
        found = ruleset_in_force(current, on)
        if found is not None:
            return found
        current = current.parent
    return None


def ruleset_in_force(category: ProductCategory, on: dt.date | None = None) -> RuleSet | None:
    """The active version with the latest effective date not after `on` (today in Asia/Shanghai by default)."""
    on = on or timezone.localdate()
    return (
        RuleSet.objects.filter(category=category, status=RuleSetStatus.STATUS_ACTIVE, effective_date__lte=on)
        .order_by("-effective_date", "-created_at")
        .first()
    )


def other_editions(user: User, ruleset: RuleSet) -> list[RuleSet]:
    """The category's other editions this user may read, newest first."""
    editions = rulesets_visible_to(user).filter(category_id=ruleset.category_id).exclude(pk=ruleset.pk)
    return list(editions.order_by("-effective_date", "-created_at"))
