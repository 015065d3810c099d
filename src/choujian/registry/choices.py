from django.utils.translation import gettext_lazy as _

from choujian.core.choices import ChoiceSet


class EnterpriseStatus(ChoiceSet):
    STATUS_ACTIVE = "active"
    STATUS_CLOSED = "closed"
    STATUS_DEREGISTERED = "deregistered"
    CHOICES = [(STATUS_ACTIVE, _("存续")), (STATUS_CLOSED, _("停产/歇业")), (STATUS_DEREGISTERED, _("已注销"))]


class ProductStatus(ChoiceSet):
    STATUS_ACTIVE = "active"
    STATUS_DISCONTINUED = "discontinued"
    CHOICES = [(STATUS_ACTIVE, _("在产")), (STATUS_DISCONTINUED, _("停产"))]


class DocumentKind(ChoiceSet):
    KIND_CERTIFICATE = "certificate"
    KIND_FACTORY_REPORT = "factory_report"
    KIND_DELIVERY_NOTE = "delivery_note"
    KIND_OTHER = "other"
    CHOICES = [
        (KIND_CERTIFICATE, _("产品合格证")),
        (KIND_FACTORY_REPORT, _("出厂检验报告")),
        (KIND_DELIVERY_NOTE, _("送货单")),
        (KIND_OTHER, _("其他")),
    ]
