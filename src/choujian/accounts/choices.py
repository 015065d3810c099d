from django.utils.translation import gettext_lazy as _

from choujian.core.choices import ChoiceSet


class OrganisationKind(ChoiceSet):
    KIND_REGULATOR = "regulator"
    KIND_SAMPLING_AGENCY = "sampling_agency"
    KIND_LABORATORY = "laboratory"
    KIND_OWNER = "owner"
    KIND_SUPERVISOR = "supervisor"
    KIND_CONTRACTOR = "contractor"
    KIND_MANUFACTURER = "manufacturer"
    CHOICES = [
        (KIND_REGULATOR, _("监管部门")),
        (KIND_SAMPLING_AGENCY, _("抽样机构")),
        (KIND_LABORATORY, _("检验检测机构")),
        (KIND_OWNER, _("建设单位")),
        (KIND_SUPERVISOR, _("监理单位")),
        (KIND_CONTRACTOR, _("施工单位")),
        (KIND_MANUFACTURER, _("生产企业")),
    ]


class RegulatorLevel(ChoiceSet):
    LEVEL_NATIONAL = "national"
    LEVEL_PROVINCE = "province"
    LEVEL_CITY = "city"
    LEVEL_COUNTY = "county"
    CHOICES = [
        (LEVEL_NATIONAL, _("国家级")),
        (LEVEL_PROVINCE, _("省级")),
        (LEVEL_CITY, _("市级")),
        (LEVEL_COUNTY, _("县级")),
    ]


class Sector(ChoiceSet):
    SECTOR_MARKET = "market"
    SECTOR_TRANSPORT = "transport"
    CHOICES = [(SECTOR_MARKET, _("市场监管")), (SECTOR_TRANSPORT, _("交通运输"))]


class Role(ChoiceSet):
    ROLE_REGULATOR_OFFICER = "regulator_officer"
    ROLE_REGULATOR_ADMIN = "regulator_admin"
    ROLE_SAMPLER = "sampler"
    ROLE_LAB_INTAKE = "lab_intake"
    ROLE_TESTER = "tester"
    ROLE_REVIEWER = "reviewer"
    ROLE_APPROVER = "approver"
    ROLE_WITNESS = "witness"
    ROLE_CONTRACTOR_STAFF = "contractor_staff"
    ROLE_ENTERPRISE_STAFF = "enterprise_staff"
    ROLE_OWNER_STAFF = "owner_staff"
    ROLE_SUPERVISOR_STAFF = "supervisor_staff"
    ROLE_AUDITOR = "auditor"
    CHOICES = [
        (ROLE_REGULATOR_OFFICER, _("监管人员")),
        (ROLE_REGULATOR_ADMIN, _("监管管理员")),
        (ROLE_SAMPLER, _("抽样人员")),
        (ROLE_LAB_INTAKE, _("样品接收员")),
        (ROLE_TESTER, _("检验员")),
        (ROLE_REVIEWER, _("审核人")),
        (ROLE_APPROVER, _("批准人")),
        (ROLE_WITNESS, _("见证人")),
        (ROLE_CONTRACTOR_STAFF, _("施工单位人员")),
        (ROLE_ENTERPRISE_STAFF, _("生产企业人员")),
        (ROLE_OWNER_STAFF, _("建设单位人员")),
        (ROLE_SUPERVISOR_STAFF, _("监理人员")),
        (ROLE_AUDITOR, _("审计人员")),
    ]

    REGULATOR_ROLES = frozenset({ROLE_REGULATOR_OFFICER, ROLE_REGULATOR_ADMIN, ROLE_AUDITOR})
    REGULATOR_WRITERS = frozenset({ROLE_REGULATOR_OFFICER, ROLE_REGULATOR_ADMIN})
    TWO_FACTOR_REQUIRED = frozenset({ROLE_REGULATOR_ADMIN, ROLE_APPROVER})
    # Laboratory staff who see whose sample a lab code is (the intake clerk who receives it, the approver who signs
    # the unblinded report); testers and reviewers work blind.
    LAB_UNBLINDED = frozenset({ROLE_LAB_INTAKE, ROLE_APPROVER})
    LAB_BLIND = frozenset({ROLE_TESTER, ROLE_REVIEWER})
    LAB_ROLES = LAB_UNBLINDED | LAB_BLIND
    # Who reads the registries (enterprises, products, projects, lots).
    REGISTRY_READERS = REGULATOR_ROLES | {
        ROLE_CONTRACTOR_STAFF,
        ROLE_OWNER_STAFF,
        ROLE_SUPERVISOR_STAFF,
        ROLE_ENTERPRISE_STAFF,
    }
    # Who works with samples on site or receives them: the sampling overview lists their tasks and handovers.
    FIELD_ROLES = REGULATOR_ROLES | {
        ROLE_SAMPLER,
        ROLE_LAB_INTAKE,
        ROLE_OWNER_STAFF,
        ROLE_SUPERVISOR_STAFF,
        ROLE_CONTRACTOR_STAFF,
    }
    # The laboratory's worklist, and the reports of the organiser and the inspected party.
    LAB_PAGE_ROLES = LAB_ROLES | REGULATOR_ROLES | {ROLE_ENTERPRISE_STAFF, ROLE_CONTRACTOR_STAFF}

    # Which organisation kinds a role may be held in: a tester at a regulator would break 抽检分离.
    ALLOWED_KINDS = {
        ROLE_REGULATOR_OFFICER: {OrganisationKind.KIND_REGULATOR},
        ROLE_REGULATOR_ADMIN: {OrganisationKind.KIND_REGULATOR},
        ROLE_AUDITOR: {OrganisationKind.KIND_REGULATOR},
        ROLE_SAMPLER: {OrganisationKind.KIND_SAMPLING_AGENCY},
        ROLE_LAB_INTAKE: {OrganisationKind.KIND_LABORATORY},
        ROLE_TESTER: {OrganisationKind.KIND_LABORATORY},
        ROLE_REVIEWER: {OrganisationKind.KIND_LABORATORY},
        ROLE_APPROVER: {OrganisationKind.KIND_LABORATORY},
        ROLE_WITNESS: {
            OrganisationKind.KIND_REGULATOR,
            OrganisationKind.KIND_OWNER,
            OrganisationKind.KIND_SUPERVISOR,
        },
        ROLE_CONTRACTOR_STAFF: {OrganisationKind.KIND_CONTRACTOR},
        ROLE_ENTERPRISE_STAFF: {OrganisationKind.KIND_MANUFACTURER},
        ROLE_OWNER_STAFF: {OrganisationKind.KIND_OWNER},
        ROLE_SUPERVISOR_STAFF: {OrganisationKind.KIND_SUPERVISOR},
    }
