"""Reads about accounts, scoped to the user."""

from django.urls import reverse
from django.utils.translation import pgettext

from choujian.accounts.choices import Role
from choujian.accounts.models import Organisation, User
from choujian.core.policy import VIEW, restrict


def home_summary(user: User) -> list[tuple[str, int, str]]:
    """Tiles of the home page: (label, how many the user may see, where to look)."""
    from choujian.accounts.context import REGISTRY_READERS
    from choujian.planning import selectors as planning
    from choujian.registry import selectors as registry

    rows = []
    if planning.may_read_tasks(user):
        tasks = planning.tasks_visible_to(user).count()
        rows.append((pgettext("plural", "抽查任务"), tasks, reverse("planning:task_list")))
    if user.has_any_role(Role.REGULATOR_ROLES):
        rows.append(
            (pgettext("plural", "抽查计划"), planning.plans_visible_to(user).count(), reverse("planning:plan_list"))
        )
    if user.has_any_role(REGISTRY_READERS):
        for label, selector, kind in (
            (pgettext("plural", "生产企业"), registry.enterprises_visible_to, "enterprise"),
            (pgettext("plural", "产品"), registry.products_visible_to, "product"),
            (pgettext("plural", "建设项目"), registry.projects_visible_to, "project"),
            (pgettext("plural", "进场批次"), registry.deliveries_visible_to, "delivery"),
        ):
            rows.append((label, selector(user).count(), reverse("registry:object_list", args=[kind])))
    return [row for row in rows if row[1]]


def active_organisations(kind: str | None = None):
    """Organisations that may be chosen in a form (an agency, a laboratory, an owner): a vocabulary, not records —
    the service checks what is chosen."""
    organisations = Organisation.objects.filter(active=True)
    return organisations.filter(kind=kind) if kind else organisations


def users_visible_to(user: User):
    """People of the organisations the user sees."""
    return restrict(User.objects.all(), user, VIEW)
