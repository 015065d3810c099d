from django.utils.translation import gettext_lazy as _

from choujian.core.choices import ChoiceSet


class AnnouncementKind(ChoiceSet):
    KIND_RESULTS = "results"
    KIND_RECHECK = "recheck"
    CHOICES = [(KIND_RESULTS, _("抽查结果公告")), (KIND_RECHECK, _("复查结果公告"))]


class AnnouncementStatus(ChoiceSet):
    STATUS_DRAFT = "draft"
    STATUS_PUBLISHED = "published"
    CHOICES = [(STATUS_DRAFT, _("草稿（未公开）")), (STATUS_PUBLISHED, _("已公开"))]


class RowStatus(ChoiceSet):
    STATUS_CURRENT = "current"
    STATUS_SUPERSEDED = "superseded"
    STATUS_WITHDRAWN = "withdrawn"
    CHOICES = [(STATUS_CURRENT, _("有效")), (STATUS_SUPERSEDED, _("已被更正版本取代")), (STATUS_WITHDRAWN, _("已撤回"))]


class ChangeKind(ChoiceSet):
    KIND_PUBLISHED = "published"
    KIND_CORRECTED = "corrected"
    KIND_WITHDRAWN = "withdrawn"
    CHOICES = [(KIND_PUBLISHED, _("公开")), (KIND_CORRECTED, _("更正")), (KIND_WITHDRAWN, _("撤回"))]


class ReportStatus(ChoiceSet):
    STATUS_OPEN = "open"
    STATUS_ANSWERED = "answered"
    CHOICES = [(STATUS_OPEN, _("待答复")), (STATUS_ANSWERED, _("已答复"))]
