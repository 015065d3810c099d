from django.utils.translation import gettext_lazy as _

from choujian.core.choices import ChoiceSet


class RuleSetStatus(ChoiceSet):
    STATUS_DRAFT = "draft"
    STATUS_ACTIVE = "active"
    STATUS_RETIRED = "retired"
    CHOICES = [(STATUS_DRAFT, _("草拟中")), (STATUS_ACTIVE, _("现行")), (STATUS_RETIRED, _("已废止"))]
    EDITABLE = frozenset({STATUS_DRAFT})
