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
        (KIND_REGULATOR, "监管部门"),
        (KIND_SAMPLING_AGENCY, "抽样机构"),
        (KIND_LABORATORY, "检验检测机构"),
        (KIND_OWNER, "建设单位"),
        (KIND_SUPERVISOR, "监理单位"),
        (KIND_CONTRACTOR, "施工单位"),
        (KIND_MANUFACTURER, "生产企业"),
    ]


class RegulatorLevel(ChoiceSet):
    LEVEL_NATIONAL = "national"
    LEVEL_PROVINCE = "province"
    LEVEL_CITY = "city"
    LEVEL_COUNTY = "county"
    CHOICES = [
        (LEVEL_NATIONAL, "国家级"),
        (LEVEL_PROVINCE, "省级"),
        (LEVEL_CITY, "市级"),
        (LEVEL_COUNTY, "县级"),
    ]


class Sector(ChoiceSet):
    SECTOR_MARKET = "market"
    SECTOR_TRANSPORT = "transport"
    CHOICES = [(SECTOR_MARKET, "市场监管"), (SECTOR_TRANSPORT, "交通运输")]


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
        (ROLE_REGULATOR_OFFICER, "监管人员"),
        (ROLE_REGULATOR_ADMIN, "监管管理员"),
        (ROLE_SAMPLER, "抽样人员"),
        (ROLE_LAB_INTAKE, "样品接收员"),
        (ROLE_TESTER, "检验员"),
        (ROLE_REVIEWER, "审核人"),
        (ROLE_APPROVER, "批准人"),
        (ROLE_WITNESS, "见证人"),
        (ROLE_CONTRACTOR_STAFF, "施工单位人员"),
        (ROLE_ENTERPRISE_STAFF, "生产企业人员"),
        (ROLE_OWNER_STAFF, "建设单位人员"),
        (ROLE_SUPERVISOR_STAFF, "监理人员"),
        (ROLE_AUDITOR, "审计人员"),
    ]

    REGULATOR_ROLES = frozenset({ROLE_REGULATOR_OFFICER, ROLE_REGULATOR_ADMIN, ROLE_AUDITOR})
    REGULATOR_WRITERS = frozenset({ROLE_REGULATOR_OFFICER, ROLE_REGULATOR_ADMIN})
    TWO_FACTOR_REQUIRED = frozenset({ROLE_REGULATOR_ADMIN, ROLE_APPROVER})

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
