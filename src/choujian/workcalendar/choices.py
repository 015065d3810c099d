from django.utils.translation import gettext_lazy as _

from choujian.core.choices import ChoiceSet


class YearStatus(ChoiceSet):
    STATUS_OFFICIAL = "official"
    STATUS_PROVISIONAL = "provisional"
    CHOICES = (
        (STATUS_OFFICIAL, _("正式")),
        (STATUS_PROVISIONAL, _("暂定")),
    )


class DayKind(ChoiceSet):
    KIND_HOLIDAY = "holiday"
    KIND_WORKDAY = "workday"
    CHOICES = (
        (KIND_HOLIDAY, _("放假")),
        (KIND_WORKDAY, _("调休上班")),
    )


class PeriodKind(ChoiceSet):
    KIND_WORKING = "working"
    KIND_CALENDAR = "calendar"
    CHOICES = (
        (KIND_WORKING, _("工作日")),
        (KIND_CALENDAR, _("自然日")),
    )
