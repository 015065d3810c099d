from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SamplingConfig(AppConfig):
    name = "choujian.sampling"
    label = "sampling"
    verbose_name = _("现场抽样与样品流转")
