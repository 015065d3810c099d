from choujian.core.choices import ChoiceSet


class CeremonyStatus(ChoiceSet):
    STATUS_COMMITTING = "committing"
    STATUS_REVEALING = "revealing"
    STATUS_COMPLETE = "complete"
    STATUS_BLOCKED = "blocked"
    CHOICES = [
        (STATUS_COMMITTING, "等待提交承诺值"),
        (STATUS_REVEALING, "等待公开随机数"),
        (STATUS_COMPLETE, "种子已生成"),
        (STATUS_BLOCKED, "有参与人逾期未公开，抽取受阻"),
    ]


class SeedKind(ChoiceSet):
    KIND_CEREMONY = "ceremony"
    KIND_EXTERNAL = "external"
    CHOICES = [(KIND_CEREMONY, "多方承诺—公开仪式"), (KIND_EXTERNAL, "外部随机数（如公开掷骰）")]


class DrawPurpose(ChoiceSet):
    PURPOSE_ENTERPRISES = "enterprises"
    PURPOSE_INSPECTORS = "inspectors"
    CHOICES = [(PURPOSE_ENTERPRISES, "抽取被检对象"), (PURPOSE_INSPECTORS, "抽取检查人员")]
