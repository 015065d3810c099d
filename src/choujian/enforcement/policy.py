"""Who may see and act on enforcement cases (declared to the access policy, `choujian.core.policy`).

Regulators see the cases of enterprises in their region and the cases of plans they organised; the enterprise (and,
for a lot delivered to a site, the contractor holding it) sees its own cases and does the enterprise's steps; the
owner, contractor and supervisor of a project see cases about what was delivered to it; laboratories see nothing of
enforcement. A regulator's step is done by the writers of the regulator that owns the case or of the organiser (in
transport practice the organiser runs the 复查); the referral is acknowledged by the owning regulator.
"""

from django.db.models import Q

from choujian.accounts.choices import OrganisationKind, Role
from choujian.accounts.models import User
from choujian.accounts.scope import kind_org_ids, org_ids, region_q, regulator_prefixes
from choujian.core.policy import NOTHING, VIEW, rule
from choujian.enforcement.models import BlacklistEntry, Case, CreditRecord, PlanLadder
from choujian.planning.policy import inspected_party_q, project_party_q, regulated_plans_q, regulator_orgs

ACT_REGULATOR = "act_regulator"
ACT_ENTERPRISE = "act_enterprise"
ACKNOWLEDGE = "acknowledge"
SET_LADDER = "set_ladder"
RECORD_REMOVAL = "record_removal"
WITNESS_REMOVAL = "witness_removal"
CONTRACT_PENALTY = "contract_penalty"
APPLY_REPAIR = "apply_repair"
DECIDE_REPAIR = "decide_repair"


def _writer_orgs(user: User) -> list[int]:
    return sorted({pk for role in Role.REGULATOR_WRITERS for pk in org_ids(user, role)})


@rule(Case, VIEW)
def cases_seen(user: User) -> Q:
    """Regulators of the enterprise's region or of the organising side; the party; the project's parties."""
    condition = NOTHING
    prefixes = regulator_prefixes(user)
    if prefixes:
        organisers = [org.pk for org in regulator_orgs(user)]
        condition |= region_q(prefixes, "enterprise__region") | Q(organiser_id__in=organisers)
    return condition | inspected_party_q(user, "task") | project_party_q(user, "task")


@rule(Case, ACT_REGULATOR)
def cases_handled(user: User) -> Q:
    """The owning regulator's and the organiser's officers and administrators."""
    writers = _writer_orgs(user)
    return Q(regulator_id__in=writers) | Q(organiser_id__in=writers) if writers else NOTHING


@rule(Case, ACT_ENTERPRISE)
def cases_answered(user: User) -> Q:
    """The manufacturer's staff: rectification, stopping sale and applying for 复查 are its own legal acts (the
    contractor holding a delivered lot sees the case and records the lot's removal)."""
    return _own_enterprise_q(user)


@rule(Case, ACKNOWLEDGE)
def referrals_received(user: User) -> Q:
    writers = _writer_orgs(user)
    return Q(regulator_id__in=writers) if writers else NOTHING


@rule(PlanLadder, VIEW)
def ladders_seen(user: User) -> Q:
    return regulated_plans_q(user, "plan__")


@rule(PlanLadder, SET_LADDER)
def ladders_set(user: User) -> Q:
    writers = _writer_orgs(user)
    return Q(plan__regulator_id__in=writers) if writers else NOTHING


def _section_q(user: User, kind: str, role: str, lookup: str) -> Q:
    organisations = kind_org_ids(user, kind, {role})
    return Q(**{f"delivery__section__{lookup}__in": organisations}) if organisations else NOTHING


@rule(Case, RECORD_REMOVAL)
def removals_recorded(user: User) -> Q:
    """The contractor of the section the failed lot was delivered to."""
    return _section_q(user, OrganisationKind.KIND_CONTRACTOR, Role.ROLE_CONTRACTOR_STAFF, "contractor_id")


@rule(Case, WITNESS_REMOVAL)
def removals_witnessed(user: User) -> Q:
    """The supervisor (监理) of that section."""
    return _section_q(user, OrganisationKind.KIND_SUPERVISOR, Role.ROLE_SUPERVISOR_STAFF, "supervisor_id")


@rule(Case, CONTRACT_PENALTY)
def contract_penalties(user: User) -> Q:
    """The owner (建设单位) of the project, under its contracts with the contractor and the supervisor."""
    return _section_q(user, OrganisationKind.KIND_OWNER, Role.ROLE_OWNER_STAFF, "project__owner_id")


@rule(CreditRecord, VIEW)
@rule(BlacklistEntry, VIEW)
def credit_seen(user: User) -> Q:
    """Regulators of the enterprise's region, and the enterprise itself."""
    prefixes = regulator_prefixes(user)
    condition = region_q(prefixes, "enterprise__region") if prefixes else NOTHING
    return condition | _own_enterprise_q(user)


def _own_enterprise_q(user: User) -> Q:
    own = kind_org_ids(user, OrganisationKind.KIND_MANUFACTURER, {Role.ROLE_ENTERPRISE_STAFF})
    return Q(enterprise__organisation_id__in=own) if own else NOTHING


@rule(BlacklistEntry, APPLY_REPAIR)
def repairs_applied(user: User) -> Q:
    return _own_enterprise_q(user)


@rule(BlacklistEntry, DECIDE_REPAIR)
def repairs_decided(user: User) -> Q:
    """The writers of the regulator that owned the case behind the listing (the enterprise's domicile)."""
    writers = _writer_orgs(user)
    return Q(case__regulator_id__in=writers) if writers else NOTHING
