from django.utils.translation import gettext_lazy as _

from choujian.core.choices import ChoiceSet


class PlaceKind(ChoiceSet):
    PLACE_WAREHOUSE = "warehouse"
    PLACE_MARKET = "market"
    PLACE_SITE = "site"
    PLACE_ONLINE = "online"
    CHOICES = [
        (PLACE_WAREHOUSE, _("生产企业成品库")),
        (PLACE_MARKET, _("市场（流通领域）")),
        (PLACE_SITE, _("施工现场")),
        (PLACE_ONLINE, _("网络购买")),
    ]


class RecordStatus(ChoiceSet):
    STATUS_DRAFT = "draft"
    STATUS_SEALED = "sealed"
    STATUS_REFUSED = "refused"
    CHOICES = [(STATUS_DRAFT, _("填写中")), (STATUS_SEALED, _("已封样")), (STATUS_REFUSED, _("拒绝抽样"))]


class SignerRole(ChoiceSet):
    ROLE_SAMPLER = "sampler"
    ROLE_PARTY = "party"
    ROLE_OWNER = "owner_witness"
    ROLE_SUPERVISOR = "supervisor_witness"
    ROLE_CUSTODIAN = "custodian"
    ROLE_GIVER = "giver"
    ROLE_RECEIVER = "receiver"
    CHOICES = [
        (ROLE_SAMPLER, _("抽样人员")),
        (ROLE_PARTY, _("被抽样单位代表")),
        (ROLE_OWNER, _("建设单位见证人")),
        (ROLE_SUPERVISOR, _("监理单位见证人")),
        (ROLE_CUSTODIAN, _("保管人")),
        (ROLE_GIVER, _("交出人")),
        (ROLE_RECEIVER, _("接收人")),
    ]
    RECORD_ROLES = frozenset({ROLE_SAMPLER, ROLE_PARTY, ROLE_OWNER, ROLE_SUPERVISOR})
    STORAGE_ROLES = frozenset({ROLE_CUSTODIAN, ROLE_OWNER, ROLE_SUPERVISOR})


class EvidenceKind(ChoiceSet):
    KIND_PRODUCT = "product"
    KIND_LABEL = "label"
    KIND_LOT = "lot"
    KIND_PACKING = "packing"
    KIND_SEAL = "seal"
    KIND_SAMPLING = "sampling"
    KIND_VIDEO = "video"
    KIND_STAMP = "stamp"
    KIND_SELLER = "online_seller"
    KIND_PAGE = "online_page"
    KIND_ORDER = "online_order"
    KIND_PAYMENT = "online_payment"
    KIND_REFUSAL = "refusal"
    KIND_HANDOVER = "handover"
    KIND_OTHER = "other"
    CHOICES = [
        (KIND_PRODUCT, _("产品外观")),
        (KIND_LABEL, _("铭牌/标签")),
        (KIND_LOT, _("抽样批次（堆垛）")),
        (KIND_PACKING, _("包装")),
        (KIND_SEAL, _("封样")),
        (KIND_SAMPLING, _("抽样过程")),
        (KIND_VIDEO, _("现场视频")),
        (KIND_STAMP, _("企业盖章")),
        (KIND_SELLER, _("网店经营者信息")),
        (KIND_PAGE, _("商品页面")),
        (KIND_ORDER, _("订单记录")),
        (KIND_PAYMENT, _("支付记录")),
        (KIND_REFUSAL, _("拒检证据")),
        (KIND_HANDOVER, _("交接照片")),
        (KIND_OTHER, _("其他")),
    ]
    ONLINE = frozenset({KIND_SELLER, KIND_PAGE, KIND_ORDER, KIND_PAYMENT})


class SampleStatus(ChoiceSet):
    STATUS_SEALED = "sealed"
    STATUS_IN_TRANSIT = "in_transit"
    STATUS_RECEIVED = "received"
    CHOICES = [
        (STATUS_SEALED, _("已封样，待送样")),
        (STATUS_IN_TRANSIT, _("送样途中")),
        (STATUS_RECEIVED, _("检验机构已接收")),
    ]


class PortionKind(ChoiceSet):
    KIND_TEST = "test"
    KIND_BACKUP = "backup"
    CHOICES = [(KIND_TEST, _("检验样品")), (KIND_BACKUP, _("备用样品"))]


class PortionStatus(ChoiceSet):
    STATUS_SEALED = "sealed"
    STATUS_RETAINED = "retained"
    STATUS_IN_TRANSIT = "in_transit"
    STATUS_RECEIVED = "received"
    CHOICES = [
        (STATUS_SEALED, _("已封存，待交接")),
        (STATUS_RETAINED, _("备样封存（已确认存放）")),
        (STATUS_IN_TRANSIT, _("交接途中")),
        (STATUS_RECEIVED, _("检验机构已接收")),
    ]


class HandoverStatus(ChoiceSet):
    STATUS_PENDING = "pending"
    STATUS_ACCEPTED = "accepted"
    STATUS_REJECTED = "rejected"
    STATUS_WITHDRAWN = "withdrawn"
    CHOICES = [
        (STATUS_PENDING, _("待接收")),
        (STATUS_ACCEPTED, _("已接收")),
        (STATUS_REJECTED, _("拒收")),
        (STATUS_WITHDRAWN, _("已撤回")),
    ]


class RequestStatus(ChoiceSet):
    STATUS_OPEN = "open"
    STATUS_APPROVED = "approved"
    STATUS_DECLINED = "declined"
    CHOICES = [(STATUS_OPEN, _("待组织单位决定")), (STATUS_APPROVED, _("已递补")), (STATUS_DECLINED, _("不予递补"))]
