"""A person's to-do list: for each kind of work declared for one of their roles, how many rows wait, the oldest due
date and how many are overdue — overdue kinds first, then by the oldest due date."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import pgettext

from choujian.accounts.choices import Role
from choujian.accounts.models import User
from choujian.planning import selectors as planning
from choujian.registry import selectors as registry
from choujian.todo.kinds import KINDS, Kind


@dataclass(frozen=True)
class Line:
    kind: str
    label: str
    count: int
    oldest_due: dt.date | None
    overdue: int
    url: str

    @property
    def days_left(self) -> int | None:
        return (self.oldest_due - timezone.localdate()).days if self.oldest_due else None


def kinds_for(user: User) -> list[Kind]:
    if not user.is_authenticated:
        return []
    return [kind for kind in KINDS if user.roles & kind.roles]


def line_for(user: User, kind: Kind) -> Line:
    rows = kind.rows(user).order_by()
    if kind.due:
        today = timezone.localdate()
        found = rows.aggregate(
            count=Count("pk", distinct=True),
            oldest=Min(kind.due),
            overdue=Count("pk", distinct=True, filter=Q(**{f"{kind.due}__lt": today})),
        )
        count, oldest, overdue = found["count"], found["oldest"], found["overdue"]
    else:
        count, oldest, overdue = rows.values("pk").distinct().count(), None, 0
    return Line(kind.key, str(kind.label), count, oldest, overdue, kind.url())


def todo_for(user: User) -> list[Line]:
    """The kinds with something waiting, overdue first, then soonest due, then by the order they are declared."""
    lines = [line for line in (line_for(user, kind) for kind in kinds_for(user)) if line.count]
    order = {kind.key: i for i, kind in enumerate(KINDS)}
    return sorted(lines, key=lambda x: (not x.overdue, x.oldest_due or dt.date.max, order[x.kind]))


def records_summary(user: User) -> list[tuple[str, int, str]]:
    """Below the to-do list: how many records of each register the user may see (label, count, where to look)."""
    rows = []
    if planning.may_read_tasks(user):
        rows.append(
            (pgettext("plural", "抽查任务"), planning.tasks_visible_to(user).count(), reverse("planning:task_list"))
        )
    if user.has_any_role(Role.REGULATOR_ROLES):
        rows.append(
            (pgettext("plural", "抽查计划"), planning.plans_visible_to(user).count(), reverse("planning:plan_list"))
        )
    if user.has_any_role(Role.REGISTRY_READERS):
        for label, selector, kind in (
            (pgettext("plural", "生产企业"), registry.enterprises_visible_to, "enterprise"),
            (pgettext("plural", "产品"), registry.products_visible_to, "product"),
            (pgettext("plural", "建设项目"), registry.projects_visible_to, "project"),
            (pgettext("plural", "进场批次"), registry.deliveries_visible_to, "delivery"),
        ):
            rows.append((label, selector(user).count(), reverse("registry:object_list", args=[kind])))
    return [row for row in rows if row[1]]
