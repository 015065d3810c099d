from django.utils.translation import gettext_lazy as _

from choujian.core.choices import ChoiceSet


class PlanKind(ChoiceSet):
    KIND_ANNUAL = "annual"
    KIND_QUARTERLY = "quarterly"
    KIND_SPECIAL = "special"
    CHOICES = [(KIND_ANNUAL, _("年度计划")), (KIND_QUARTERLY, _("季度计划")), (KIND_SPECIAL, _("专项抽查"))]


class PlanStatus(ChoiceSet):
    STATUS_DRAFT = "draft"
    STATUS_SUBMITTED = "submitted"
    STATUS_APPROVED = "approved"
    STATUS_FROZEN = "frozen"
    STATUS_DRAWN = "drawn"
    STATUS_CLOSED = "closed"
    CHOICES = [
        (STATUS_DRAFT, _("草拟中")),
        (STATUS_SUBMITTED, _("待审批")),
        (STATUS_APPROVED, _("已批准")),
        (STATUS_FROZEN, _("抽样框已锁定")),
        (STATUS_DRAWN, _("已抽取")),
        (STATUS_CLOSED, _("已结束")),
    ]
    EDITABLE = frozenset({STATUS_DRAFT})
    CURRENT = frozenset({STATUS_APPROVED, STATUS_FROZEN, STATUS_DRAWN})


class SamplingMode(ChoiceSet):
    MODE_PRODUCTION = "production"
    MODE_MARKET = "market"
    MODE_CONSTRUCTION = "construction"
    MODE_ONLINE = "online"
    CHOICES = [
        (MODE_PRODUCTION, _("生产企业抽样")),
        (MODE_MARKET, _("市场/流通领域抽样")),
        (MODE_CONSTRUCTION, _("施工现场进场批次抽样")),
        (MODE_ONLINE, _("网络购买抽样")),
    ]


class TaskPurpose(ChoiceSet):
    PURPOSE_SPOT = "spot"
    PURPOSE_RECHECK = "recheck"
    CHOICES = [(PURPOSE_SPOT, _("监督抽查")), (PURPOSE_RECHECK, _("复查抽样"))]


class StrataBy(ChoiceSet):
    STRATA_NONE = "none"
    STRATA_CITY = "city"
    STRATA_COUNTY = "county"
    CHOICES = [(STRATA_NONE, _("不分层")), (STRATA_CITY, _("按地市分层")), (STRATA_COUNTY, _("按区县分层"))]


class TaskStatus(ChoiceSet):
    STATUS_DRAWN = "drawn"
    STATUS_ASSIGNED = "assigned"
    STATUS_SHORT_OF_INSPECTORS = "short_of_inspectors"
    STATUS_REPLACED = "replaced"
    STATUS_SAMPLING = "sampling"
    STATUS_ALTERNATE_REQUESTED = "alternate_requested"
    STATUS_REFUSED = "refused"
    STATUS_SEALED = "sealed"
    STATUS_IN_TRANSIT = "in_transit"
    STATUS_RECEIVED = "received"
    STATUS_TESTING = "testing"
    STATUS_REPORTED = "reported"
    STATUS_NOTIFIED = "notified"
    STATUS_OBJECTION = "objection"
    STATUS_RETEST = "retest"
    STATUS_FINAL = "final"
    CHOICES = [
        (STATUS_DRAWN, _("已抽中，待派员")),
        (STATUS_ASSIGNED, _("已派员，待抽样")),
        (STATUS_SHORT_OF_INSPECTORS, _("可抽检查人员不足")),
        (STATUS_REPLACED, _("已递补替换")),
        (STATUS_SAMPLING, _("现场抽样中")),
        (STATUS_ALTERNATE_REQUESTED, _("不能抽样，申请递补")),
        (STATUS_REFUSED, _("被抽样单位拒绝抽样")),
        (STATUS_SEALED, _("已封样，待送样")),
        (STATUS_IN_TRANSIT, _("送样途中")),
        (STATUS_RECEIVED, _("检验机构已接收")),
        (STATUS_TESTING, _("检验中")),
        (STATUS_REPORTED, _("检验报告已签发")),
        (STATUS_NOTIFIED, _("结果已告知，异议期内")),
        (STATUS_OBJECTION, _("异议处理中")),
        (STATUS_RETEST, _("复检中")),
        (STATUS_FINAL, _("结论已确定")),
    ]
    OPEN = frozenset({STATUS_DRAWN, STATUS_ASSIGNED, STATUS_SHORT_OF_INSPECTORS})
    # How a status badge looks: ok (on track), warn (needs a decision), bad (stopped); others are neutral.
    TONES = {
        STATUS_REFUSED: "bad",
        STATUS_SHORT_OF_INSPECTORS: "bad",
        STATUS_ALTERNATE_REQUESTED: "warn",
        STATUS_OBJECTION: "warn",
        STATUS_RETEST: "warn",
        **dict.fromkeys(
            (STATUS_SEALED, STATUS_RECEIVED, STATUS_TESTING, STATUS_REPORTED, STATUS_NOTIFIED, STATUS_FINAL), "ok"
        ),
    }
    # A sampler may start (or resume) the sampling form in these states.
    SAMPLABLE = frozenset({STATUS_ASSIGNED, STATUS_SAMPLING})
    # Before sealing (or a refusal) the organiser may still replace the task by the next alternate.
    REPLACEABLE = OPEN | {STATUS_SAMPLING, STATUS_ALTERNATE_REQUESTED}
    # Once sampled, refused or replaced, a task's drawn item is revealed to the public (draw-v2); never before.
    # After the laboratory receives the sample the task follows its result to the end (the chain seen end to end).
    AT_LABORATORY = frozenset(
        {
            STATUS_RECEIVED,
            STATUS_TESTING,
            STATUS_REPORTED,
            STATUS_NOTIFIED,
            STATUS_OBJECTION,
            STATUS_RETEST,
            STATUS_FINAL,
        }
    )
    REVEALED = frozenset({STATUS_REPLACED, STATUS_REFUSED, STATUS_SEALED, STATUS_IN_TRANSIT}) | AT_LABORATORY


class TaskOutcome(ChoiceSet):
    OUTCOME_PENDING = ""
    OUTCOME_CONFORMING = "conforming"
    OUTCOME_NONCONFORMING = "nonconforming"
    CHOICES = [(OUTCOME_PENDING, _("待定")), (OUTCOME_CONFORMING, _("合格")), (OUTCOME_NONCONFORMING, _("不合格"))]


class ReplacementReason(ChoiceSet):
    REASON_CLOSED = "closed"
    REASON_NOT_PRODUCING = "not_producing"
    REASON_NO_STOCK = "no_stock"
    REASON_BELOW_MINIMUM_LOT = "below_minimum_lot"
    REASON_TRIAL_SAMPLE = "trial_sample"
    REASON_EXPORT_ONLY = "export_only"
    CHOICES = [
        (REASON_CLOSED, _("企业已停产、歇业或注销")),
        (REASON_NOT_PRODUCING, _("企业已不再生产该产品")),
        (REASON_NO_STOCK, _("无库存、无待销产品")),
        (REASON_BELOW_MINIMUM_LOT, _("产品批量低于最小抽样基数")),
        (REASON_TRIAL_SAMPLE, _("产品标注试制、样品或处理品")),
        (REASON_EXPORT_ONLY, _("产品仅用于出口（有合同）")),
    ]


HOLDOUT_SUFFIX = "·对照"  # marks the stratum of a quota's control group, drawn with equal weights


def holdout_stratum(stratum: str) -> str:
    return stratum + HOLDOUT_SUFFIX


def is_holdout(stratum: str) -> bool:
    return stratum.endswith(HOLDOUT_SUFFIX)
