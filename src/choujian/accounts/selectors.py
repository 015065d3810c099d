"""Reads about accounts, scoped to the user."""

from django.utils.translation import pgettext

from choujian.accounts.models import User
from choujian.accounts.scope import organisations_visible_to


def home_summary(user: User) -> list[tuple[str, int, str]]:
    from choujian.registry import selectors as registry

    rows = [
        (pgettext("plural", "生产企业"), registry.enterprises_visible_to(user).count(), "enterprise"),
        (pgettext("plural", "产品"), registry.products_visible_to(user).count(), "product"),
        (pgettext("plural", "建设项目"), registry.projects_visible_to(user).count(), "project"),
        (pgettext("plural", "进场批次"), registry.deliveries_visible_to(user).count(), "delivery"),
    ]
    return [row for row in rows if row[1]]


def organisation_list(user: User):
    return organisations_visible_to(user).select_related("parent")
