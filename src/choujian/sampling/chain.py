"""The sampling steps of a spot check's chain — the field task, the sampling form, the sample (see `core.chain`)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from choujian.core.chain import Step, provides
from choujian.core.policy import permits
from choujian.sampling import selectors
from choujian.sampling.policy import SAMPLE


@provides
def sampling_steps(user, task) -> list:
    found = []
    if permits(user, SAMPLE, task):
        found.append(Step(20, _("现场抽样"), task.code, reverse("sampling:task", args=[task.code])))
    record = selectors.records_visible_to(user).filter(task=task).first()
    if record is not None:
        found.append(Step(30, _("抽样单"), record.code, reverse("sampling:record", args=[record.code])))
    sample = selectors.samples_visible_to(user).filter(task=task).first()
    if sample is not None:
        found.append(Step(40, _("样品"), sample.code, reverse("sampling:sample", args=[sample.code])))
    return found
