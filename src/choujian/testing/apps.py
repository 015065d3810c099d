from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TestingConfig(AppConfig):
    name = "choujian.testing"
    label = "testing"
    verbose_name = _("盲样检验、报告、异议与复检")
