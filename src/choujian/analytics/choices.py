"""Kinds and statuses of analytics, declared once."""

from django.utils.translation import gettext_lazy as _

from choujian.core.choices import ChoiceSet


class FactSource(ChoiceSet):
    SOURCE_PLATFORM = "platform"
    SOURCE_IMPORTED = "imported"
    CHOICES = [(SOURCE_PLATFORM, _("本平台抽查")), (SOURCE_IMPORTED, _("历史数据导入"))]


class SignalKind(ChoiceSet):
    KIND_COMPLAINT = "complaint"
    KIND_ACCIDENT = "accident"
    KIND_OTHER_REGION = "other_region"
    KIND_MEDIA = "media"
    KIND_BLACKLIST = "blacklist"
    CHOICES = [
        (KIND_COMPLAINT, _("投诉举报")),
        (KIND_ACCIDENT, _("质量事故")),
        (KIND_OTHER_REGION, _("外地抽查不合格")),
        (KIND_MEDIA, _("媒体报道")),
        (KIND_BLACKLIST, _("列入黑名单")),
    ]


class WarningStatus(ChoiceSet):
    STATUS_OPEN = "open"
    STATUS_CLOSED = "closed"
    CHOICES = [(STATUS_OPEN, _("待处置")), (STATUS_CLOSED, _("已关闭"))]


class BulletinStatus(ChoiceSet):
    STATUS_DRAFT = "draft"
    STATUS_PUBLISHED = "published"
    CHOICES = [(STATUS_DRAFT, _("草稿（未公开）")), (STATUS_PUBLISHED, _("已审核公开"))]


class RoundKind(ChoiceSet):
    KIND_RETEST = "retest"
    KIND_RETAINED = "retained"
    CHOICES = [(KIND_RETEST, _("复检（同一样品的备样）")), (KIND_RETAINED, _("留样比对"))]


class DrawArm(ChoiceSet):
    """How a result's batch was drawn in a plan weighed by risk scores: the lift of targeting is the failure rate of
    the targeted part against its control group."""

    ARM_NONE = ""
    ARM_TARGETED = "targeted"
    ARM_HOLDOUT = "holdout"
    CHOICES = [(ARM_NONE, _("未记录")), (ARM_TARGETED, _("风险定向")), (ARM_HOLDOUT, _("对照组"))]
