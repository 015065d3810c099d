"""The platform's own holiday calendar and the deadlines counted on it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from choujian.core.models import PublicModel
from choujian.workcalendar.choices import DayKind, PeriodKind, YearStatus


class CalendarYear(PublicModel):
    """One year's holiday arrangement as the State Council published it (国务院办公厅关于部分节假日安排的通知), or as
    seeded from the ``chinesecalendar`` package. A year without a row is provisional (computed by rule, not stored)."""

    ledger_exempt = (
        "录入的年份以年份为对象记入日志（完整状态）；随程序包预置的年份可由程序包重算 / "
        "an entered year is ledgered in full under its year; years seeded from the package can be recomputed from it"
    )

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    status = models.CharField(_("状态"), max_length=12, choices=YearStatus.CHOICES, default=YearStatus.STATUS_OFFICIAL)
    source = models.CharField(_("依据"), max_length=300)
    reason = models.CharField(_("录入或修改原因"), max_length=500, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("节假日安排")
        verbose_name_plural = pgettext_lazy("plural", "节假日安排")
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year}"

    @property
    def ledger_ref(self) -> str:
        # Entries name the year, not a row: years seeded from the package at migrate time have no entry to check.
        return f"calendar_year:{self.year}"

    def ledger_state(self) -> dict:
        days = sorted(self.days.all(), key=lambda d: d.date)
        return {
            "year": self.year,
            "status": self.status,
            "source": self.source,
            "reason": self.reason,
            "holidays": [{"date": d.date.isoformat(), "name": d.name} for d in days if d.kind == DayKind.KIND_HOLIDAY],
            "workdays": [d.date.isoformat() for d in days if d.kind == DayKind.KIND_WORKDAY],
        }


class CalendarDay(models.Model):
    """A day off (holiday, with its name) or a make-up working day (调休上班日) of an official year."""

    ledger_exempt = "属于节假日安排，录入时完整记入日志 / part of a year's arrangement, ledgered in full when entered"

    calendar_year = models.ForeignKey(CalendarYear, on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("日期"))
    kind = models.CharField(_("类型"), max_length=8, choices=DayKind.CHOICES)
    name = models.CharField(_("名称"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("节假日")
        verbose_name_plural = pgettext_lazy("plural", "节假日")
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["date"], name="uniq_calendar_day")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.name}"


class Deadline(PublicModel):
    """A stored legal deadline: what it counts from, how many days of which kind, on what basis, and for which field
    of which record. Kept so that every deadline can be recomputed when a year's arrangement is entered."""

    ledger_exempt = (
        "由起算日、天数和日历重算得出，可随时复核 / derived: recomputed from its start, days and the calendar"
    )

    owner = models.CharField(_("所属记录"), max_length=80, db_index=True)
    field = models.CharField(_("字段"), max_length=40)
    label = models.CharField(_("名称"), max_length=200)
    start = models.DateField(_("起算日"))
    days = models.PositiveIntegerField(_("天数"))
    kind = models.CharField(_("计算方式"), max_length=10, choices=PeriodKind.CHOICES)
    basis = models.CharField(_("依据"), max_length=200)
    due = models.DateField(_("期限"), db_index=True)
    provisional_year = models.PositiveSmallIntegerField(_("暂定年份"), null=True, blank=True)

    class Meta:
        verbose_name = _("期限")
        verbose_name_plural = pgettext_lazy("plural", "期限")
        ordering = ["due"]
        constraints = [models.UniqueConstraint(fields=["owner", "field"], name="uniq_deadline_owner_field")]

    def __str__(self) -> str:
        from choujian.workcalendar.display import deadline_text

        return deadline_text(self.due, self.provisional, self.provisional_year)

    @property
    def provisional(self) -> bool:
        return self.provisional_year is not None


class DeadlineChange(models.Model):
    """A deadline moved by a change of the calendar: listed for the administrator who made it."""

    ledger_exempt = "日历变更时重算期限的说明 / an explanation of a recomputation, derived from the calendar entry"

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="changes")
    calendar_year = models.ForeignKey(CalendarYear, on_delete=models.CASCADE, related_name="moved")
    entry_version = models.PositiveIntegerField(_("录入版本"))
    old_due = models.DateField(_("原期限"))
    new_due = models.DateField(_("新期限"))
    changed_at = models.DateTimeField(_("重算时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("期限重算")
        verbose_name_plural = pgettext_lazy("plural", "期限重算")
        ordering = ["-changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.old_due} → {self.new_due}"


class Reminder(models.Model):
    """One reminder sent about one deadline at one stage (so many working days before it, or the day after it was
    missed): kept so that each is sent once, however often the job runs, and sent again only if the deadline moves."""

    ledger_exempt = "提醒发送记录，由期限和日历得出 / a record of messages sent about a derived deadline"

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="reminders")
    stage = models.CharField(_("阶段"), max_length=20)
    due = models.DateField(_("当时的期限"))
    sent_at = models.DateTimeField(_("发送时间"), auto_now_add=True)
    recipients = models.PositiveIntegerField(_("收件人数"), default=0)

    class Meta:
        verbose_name = _("期限提醒")
        verbose_name_plural = pgettext_lazy("plural", "期限提醒")
        ordering = ["-sent_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["deadline", "stage", "due"], name="uniq_reminder_stage")]

    def __str__(self) -> str:
        return f"{self.deadline.label} {self.stage} {self.due:%Y-%m-%d}"
