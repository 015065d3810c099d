"""The task's own step of a spot check's chain (see `core.chain`)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from choujian.core.chain import Step, provides
from choujian.planning import selectors


@provides
def task_steps(user, task) -> list:
    if not selectors.may_read_tasks(user) or not selectors.tasks_visible_to(user).filter(pk=task.pk).exists():
        return []
    return [Step(10, _("抽查任务"), task.code, reverse("planning:task_detail", args=[task.code]))]
