from django.utils.translation import gettext_lazy as _

from choujian.core.choices import ChoiceSet


class IntakeDecision(ChoiceSet):
    DECISION_ACCEPTED = "accepted"
    DECISION_REJECTED = "rejected"
    CHOICES = [(DECISION_ACCEPTED, _("接收检验")), (DECISION_REJECTED, _("拒收"))]


class LabStatus(ChoiceSet):
    STATUS_TESTING = "testing"
    STATUS_SUBMITTED = "submitted"
    STATUS_REVIEWED = "reviewed"
    STATUS_APPROVED = "approved"
    CHOICES = [
        (STATUS_TESTING, _("检验中")),
        (STATUS_SUBMITTED, _("待审核")),
        (STATUS_REVIEWED, _("待批准")),
        (STATUS_APPROVED, _("已批准")),
    ]
    OPEN = frozenset({STATUS_TESTING, STATUS_SUBMITTED, STATUS_REVIEWED})


class Judgment(ChoiceSet):
    JUDGMENT_PASS = "pass"
    JUDGMENT_FAIL = "fail"
    CHOICES = [(JUDGMENT_PASS, _("合格")), (JUDGMENT_FAIL, _("不合格"))]


class ObjectionStatus(ChoiceSet):
    STATUS_PENDING = "pending"
    STATUS_ACCEPTED = "accepted"
    STATUS_REJECTED = "rejected"
    CHOICES = [
        (STATUS_PENDING, _("待组织单位决定")),
        (STATUS_ACCEPTED, _("受理，安排复检")),
        (STATUS_REJECTED, _("不予受理")),
    ]


class RetestStatus(ChoiceSet):
    STATUS_DRAWN = "drawn"
    STATUS_CONFIRMED = "confirmed"
    STATUS_TESTING = "testing"
    STATUS_DONE = "done"
    CHOICES = [
        (STATUS_DRAWN, _("已抽取复检机构，待双方确认备样")),
        (STATUS_CONFIRMED, _("备样已确认，待送复检机构")),
        (STATUS_TESTING, _("复检中")),
        (STATUS_DONE, _("复检完成")),
    ]


class FinalBasis(ChoiceSet):
    BASIS_NO_OBJECTION = "no_objection"
    BASIS_OBJECTION_REJECTED = "objection_rejected"
    BASIS_RETEST = "retest"
    CHOICES = [
        (BASIS_NO_OBJECTION, _("异议期满未提出异议")),
        (BASIS_OBJECTION_REJECTED, _("异议不予受理")),
        (BASIS_RETEST, _("复检结论")),
    ]


class ServiceMethod(ChoiceSet):
    """How a result notice was served (送达): the objection period runs from the day of service."""

    METHOD_PLATFORM = "platform"
    METHOD_PAPER = "paper"
    CHOICES = [
        (METHOD_PLATFORM, _("平台签收（被抽样单位人员在平台确认收到）")),
        (METHOD_PAPER, _("书面送达（凭送达回证）")),
    ]
