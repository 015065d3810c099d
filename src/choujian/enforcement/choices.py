"""Statuses and kinds of enforcement cases, declared once."""

from django.utils.translation import gettext_lazy as _

from choujian.core.choices import ChoiceSet


class CaseCause(ChoiceSet):
    CAUSE_FAILED = "failed"
    CAUSE_REFUSED = "refused"
    CHOICES = [(CAUSE_FAILED, _("抽查不合格")), (CAUSE_REFUSED, _("拒绝监督抽查"))]


class CaseStatus(ChoiceSet):
    STATUS_OPEN = "open"
    STATUS_CLOSED = "closed"
    CHOICES = [(STATUS_OPEN, _("办理中")), (STATUS_CLOSED, _("已办结"))]


class LadderCode(ChoiceSet):
    LADDER_TRANSPORT = "transport"
    LADDER_SAMR = "samr"
    LADDER_REFUSAL = "refusal"
    CHOICES = [
        (LADDER_TRANSPORT, _("公路水路行业（交通运输部门）")),
        (LADDER_SAMR, _("市场监管（总局令第18号）")),
        (LADDER_REFUSAL, _("拒绝监督抽查（产品质量法第五十六条）")),
    ]


class PenaltyKind(ChoiceSet):
    KIND_ART64 = "art64"
    KIND_CONTRACT = "contract"
    CHOICES = [
        (KIND_ART64, _("行政处罚（《建设工程质量管理条例》第六十四条）")),
        (KIND_CONTRACT, _("合同违约处理（建设单位）")),
    ]


class ListingStatus(ChoiceSet):
    STATUS_LISTED = "listed"
    STATUS_EXITED = "exited"
    CHOICES = [(STATUS_LISTED, _("在列")), (STATUS_EXITED, _("已移出"))]


class RepairDecision(ChoiceSet):
    DECISION_APPROVED = "approved"
    DECISION_REFUSED = "refused"
    CHOICES = [(DECISION_APPROVED, _("准予提前移出")), (DECISION_REFUSED, _("不予移出"))]
