from choujian.core.choices import ChoiceSet


class EnterpriseStatus(ChoiceSet):
    STATUS_ACTIVE = "active"
    STATUS_CLOSED = "closed"
    STATUS_DEREGISTERED = "deregistered"
    CHOICES = [(STATUS_ACTIVE, "存续"), (STATUS_CLOSED, "停产/歇业"), (STATUS_DEREGISTERED, "已注销")]


class ProductStatus(ChoiceSet):
    STATUS_ACTIVE = "active"
    STATUS_DISCONTINUED = "discontinued"
    CHOICES = [(STATUS_ACTIVE, "在产"), (STATUS_DISCONTINUED, "停产")]


class DocumentKind(ChoiceSet):
    KIND_CERTIFICATE = "certificate"
    KIND_FACTORY_REPORT = "factory_report"
    KIND_DELIVERY_NOTE = "delivery_note"
    KIND_OTHER = "other"
    CHOICES = [
        (KIND_CERTIFICATE, "产品合格证"),
        (KIND_FACTORY_REPORT, "出厂检验报告"),
        (KIND_DELIVERY_NOTE, "送货单"),
        (KIND_OTHER, "其他"),
    ]
