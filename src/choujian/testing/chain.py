"""The laboratory's steps of a spot check's chain: the report, and a re-test's report (see `core.chain`)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from choujian.core.chain import Step, provides
from choujian.testing import selectors


@provides
def report_steps(user, task) -> list:
    reports = selectors.reports_visible_to(user).filter(lab_sample__portion__sample__task=task).order_by("drafted_at")
    found = []
    for index, report in enumerate(reports):
        label = _("检验报告") if index == 0 else _("复检报告")
        found.append(Step(50 + index, label, report.code, reverse("testing:report", args=[report.code])))
    return found
