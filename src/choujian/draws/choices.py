from django.utils.translation import gettext_lazy as _

from choujian.core.choices import ChoiceSet


class CeremonyStatus(ChoiceSet):
    STATUS_COMMITTING = "committing"
    STATUS_REVEALING = "revealing"
    STATUS_BEACON = "beacon"
    STATUS_COMPLETE = "complete"
    STATUS_BLOCKED = "blocked"
    CHOICES = [
        (STATUS_COMMITTING, _("等待提交承诺值")),
        (STATUS_REVEALING, _("等待公开随机数")),
        (STATUS_BEACON, _("等待录入公共随机信标")),
        (STATUS_COMPLETE, _("种子已生成")),
        (STATUS_BLOCKED, _("有参与人逾期未公开，抽取受阻")),
    ]


class SeedKind(ChoiceSet):
    KIND_CEREMONY = "ceremony"
    KIND_EXTERNAL = "external"
    CHOICES = [(KIND_CEREMONY, _("多方承诺—公开仪式")), (KIND_EXTERNAL, _("外部随机数（如公开掷骰）"))]


class DrawPurpose(ChoiceSet):
    PURPOSE_ENTERPRISES = "enterprises"
    PURPOSE_INSPECTORS = "inspectors"
    PURPOSE_RETESTS = "retests"
    CHOICES = [
        (PURPOSE_ENTERPRISES, _("抽取被检对象")),
        (PURPOSE_INSPECTORS, _("抽取检查人员")),
        (PURPOSE_RETESTS, _("抽取复检机构")),
    ]
