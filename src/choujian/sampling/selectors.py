"""Every read of sampling forms, samples, portions and handovers, restricted to what the user may see.

- Regulators: whatever belongs to the tasks they see (planning.selectors.tasks_visible_to).
- Sampling agencies: their agency's tasks; samplers the tasks they were drawn for.
- Laboratories: intake clerks and approvers see the samples addressed to their laboratory and their sampling forms
  (the lab's copy); testers and reviewers see none of this (blind testing, invariant 3).
- The inspected party: enterprise staff see their enterprise's forms and samples (their own copy); contractor
  staff those sampled from their sections.
- Custodians and receivers: the samples they hold or are asked to receive (owner, supervisor, contractor staff
  keeping a retained portion on site).
"""

from django.db.models import Q, QuerySet
from django.utils import timezone

from choujian.accounts.choices import OrganisationKind, Role
from choujian.accounts.models import User
from choujian.accounts.scope import kind_org_ids
from choujian.planning.selectors import tasks_visible_to
from choujian.sampling.choices import HandoverStatus, RequestStatus, SampleStatus
from choujian.sampling.models import AlternateRequest, Evidence, Handover, Portion, Sample, SamplingRecord, Signature


def _memberships(user: User):
    return user.active_memberships if user.is_authenticated else []


_orgs = kind_org_ids


def _task_q(user: User, prefix: str) -> Q:
    """Tasks visible as tasks, plus the inspected party's own tasks."""
    visible = tasks_visible_to(user).values("pk")
    return Q(**{f"{prefix}__in": visible}) | inspected_party_q(user, prefix)


def inspected_party_q(user: User, task: str) -> Q:
    """Rows whose task (at the lookup `task`) sampled the user's own enterprise, or a lot held by its contractor."""
    condition = Q(pk__in=[])
    enterprises = _orgs(user, OrganisationKind.KIND_MANUFACTURER, {Role.ROLE_ENTERPRISE_STAFF})
    if enterprises:
        condition |= Q(**{f"{task}__enterprise__organisation_id__in": enterprises})
    contractors = _orgs(user, OrganisationKind.KIND_CONTRACTOR, {Role.ROLE_CONTRACTOR_STAFF})
    if contractors:
        condition |= Q(**{f"{task}__delivery__section__contractor_id__in": contractors})
    return condition


def project_party_q(user: User, task: str) -> Q:
    """Rows whose task (at the lookup `task`) sampled a lot delivered to a project the user builds, supervises or
    owns: the project's parties see the results of what was delivered to them."""
    condition = Q(pk__in=[])
    lookups = {
        OrganisationKind.KIND_OWNER: ({Role.ROLE_OWNER_STAFF}, "delivery__section__project__owner_id__in"),
        OrganisationKind.KIND_SUPERVISOR: ({Role.ROLE_SUPERVISOR_STAFF}, "delivery__section__supervisor_id__in"),
        OrganisationKind.KIND_CONTRACTOR: ({Role.ROLE_CONTRACTOR_STAFF}, "delivery__section__contractor_id__in"),
    }
    for kind, (roles, lookup) in lookups.items():
        organisations = _orgs(user, kind, roles)
        if organisations:
            condition |= Q(**{f"{task}__{lookup}": organisations})
    return condition


def records_visible_to(user: User) -> QuerySet[SamplingRecord]:
    if not user.is_authenticated:
        return SamplingRecord.objects.none()
    condition = _task_q(user, "task")
    labs = _orgs(user, OrganisationKind.KIND_LABORATORY, Role.LAB_UNBLINDED)
    if labs:
        condition |= Q(sample__laboratory_id__in=labs)
    ids = SamplingRecord.objects.filter(condition).values("pk")
    return SamplingRecord.objects.filter(pk__in=ids).select_related(
        "task__plan__regulator", "task__line__category", "task__agency", "task__laboratory", "task__enterprise"
    )


def samples_visible_to(user: User) -> QuerySet[Sample]:
    if not user.is_authenticated:
        return Sample.objects.none()
    condition = _task_q(user, "task")
    labs = _orgs(user, OrganisationKind.KIND_LABORATORY, Role.LAB_UNBLINDED)
    if labs:
        condition |= Q(laboratory_id__in=labs)
    condition |= Q(portions__custodian=user)
    receiving = receiving_org_ids(user)
    condition |= Q(handovers__to_org_id__in=receiving, handovers__status=HandoverStatus.STATUS_PENDING)
    ids = Sample.objects.filter(condition).values("pk")
    return Sample.objects.filter(pk__in=ids).select_related(
        "task__plan", "task__line__category", "laboratory", "record"
    )


def evidence_visible_to(user: User) -> QuerySet[Evidence]:
    """Photos and documents of the forms, handovers and alternate requests the user sees."""
    return Evidence.objects.filter(
        Q(record__in=records_visible_to(user).values("pk"))
        | Q(handover__sample__in=samples_visible_to(user).values("pk"))
        | Q(alternate_request__in=alternate_requests_visible_to(user).values("pk"))
    )


def signatures_visible_to(user: User) -> QuerySet[Signature]:
    samples = samples_visible_to(user).values("pk")
    return Signature.objects.filter(
        Q(record__in=records_visible_to(user).values("pk"))
        | Q(portion__sample__in=samples)
        | Q(handover__sample__in=samples)
    ).select_related("signer")


def handovers_visible_to(user: User) -> QuerySet[Handover]:
    """Handovers of the samples the user sees, and those waiting for the user's organisations to sign."""
    samples = samples_visible_to(user).values("pk")
    pending = Q(to_org_id__in=receiving_org_ids(user), status=HandoverStatus.STATUS_PENDING)
    ids = Handover.objects.filter(Q(sample__in=samples) | pending).values("pk")
    return (
        Handover.objects.filter(pk__in=ids)
        .select_related("sample", "from_user", "from_org", "to_org", "to_user")
        .prefetch_related("portions", "signatures", "evidence")
    )


def portions_of(sample: Sample) -> QuerySet[Portion]:
    return sample.portions.select_related("custodian", "custodian_org")


def handovers_of(sample: Sample) -> QuerySet[Handover]:
    return sample.handovers.select_related("from_user", "from_org", "to_org", "to_user").prefetch_related(
        "portions", "signatures", "evidence"
    )


def handovers_of_samples(samples: QuerySet[Sample]) -> QuerySet[Handover]:
    return Handover.objects.filter(sample__in=samples.values("pk")).select_related(
        "sample", "from_user", "from_org", "to_org", "to_user"
    )


def receiving_org_ids(user: User) -> list[int]:
    """Organisations for which the user may sign for portions (a laboratory: its intake clerks only)."""
    from choujian.sampling.policy import RECEIVING_ROLES

    return [m.organisation_id for m in _memberships(user) if m.role in RECEIVING_ROLES.get(m.organisation.kind, set())]


def pending_handovers_for(user: User) -> QuerySet[Handover]:
    """Handovers waiting for the user's organisations to receive them."""
    orgs = receiving_org_ids(user)
    return (
        Handover.objects.filter(status=HandoverStatus.STATUS_PENDING, to_org_id__in=orgs)
        .select_related("sample", "from_user", "from_org", "to_org")
        .prefetch_related("portions")
    )


def overdue_samples(user: User) -> QuerySet[Sample]:
    """Samples past their delivery deadline and not yet received by the laboratory (for regulators)."""
    today = timezone.localdate()
    return (
        samples_visible_to(user)
        .filter(delivery_due__lt=today)
        .exclude(status=SampleStatus.STATUS_RECEIVED)
        .order_by("delivery_due")
    )


def alternate_requests_visible_to(user: User) -> QuerySet[AlternateRequest]:
    if not user.is_authenticated:
        return AlternateRequest.objects.none()
    ids = AlternateRequest.objects.filter(task__in=tasks_visible_to(user).values("pk")).values("pk")
    return AlternateRequest.objects.filter(pk__in=ids).select_related("task__plan", "requested_by", "decided_by")


def open_alternate_requests(user: User) -> QuerySet[AlternateRequest]:
    return alternate_requests_visible_to(user).filter(status=RequestStatus.STATUS_OPEN)


def portion_by_label(code: str, token: str) -> Portion | None:
    """The portion a scanned label names, if the token is genuine (compared in constant time by the index)."""
    portion = Portion.objects.select_related("sample", "custodian", "custodian_org").filter(label_token=token).first()
    if portion is None or portion.sample.code != code:
        return None
    return portion
