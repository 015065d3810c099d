"""Every read of sampling forms, samples, portions and handovers, restricted by the access policy (the rules:
`choujian.sampling.policy`)."""

from django.db.models import QuerySet
from django.utils import timezone

from choujian.accounts.models import Organisation, User
from choujian.core.policy import VIEW, restrict
from choujian.planning.choices import TaskStatus
from choujian.planning.selectors import tasks_visible_to
from choujian.registry.models import DeliveryDocument
from choujian.sampling.choices import RequestStatus, SampleStatus
from choujian.sampling.models import AlternateRequest, Evidence, Handover, Portion, Sample, SamplingRecord, Signature
from choujian.sampling.policy import RECEIVE, RECEIVING_ROLES, receiving_org_ids

__all__ = ["receiving_org_ids"]


def records_visible_to(user: User) -> QuerySet[SamplingRecord]:
    return restrict(SamplingRecord.objects.all(), user, VIEW).select_related(
        "task__plan__regulator", "task__line__category", "task__agency", "task__laboratory", "task__enterprise"
    )


def samples_visible_to(user: User) -> QuerySet[Sample]:
    return restrict(Sample.objects.all(), user, VIEW).select_related(
        "task__plan", "task__line__category", "laboratory", "record"
    )


def portions_visible_to(user: User) -> QuerySet[Portion]:
    return restrict(Portion.objects.all(), user, VIEW).select_related("sample", "custodian", "custodian_org")


def evidence_visible_to(user: User) -> QuerySet[Evidence]:
    """Photos and documents of the forms, handovers and alternate requests the user sees."""
    return restrict(Evidence.objects.all(), user, VIEW)


def signatures_visible_to(user: User) -> QuerySet[Signature]:
    return restrict(Signature.objects.all(), user, VIEW).select_related("signer")


def handovers_visible_to(user: User) -> QuerySet[Handover]:
    """Handovers of the samples the user sees, and those waiting for the user's organisations to sign."""
    return (
        restrict(Handover.objects.all(), user, VIEW)
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


def handover_receivers(exclude=()) -> QuerySet[Organisation]:
    """The organisations a portion may be handed to (`RECEIVING_ROLES`: those with someone who may sign for it)."""
    return (
        Organisation.objects.filter(active=True, kind__in=list(RECEIVING_ROLES))
        .exclude(pk__in=list(exclude))
        .order_by("kind", "name")
    )


def pending_handovers_for(user: User) -> QuerySet[Handover]:
    """Handovers waiting for the user's organisations to receive them."""
    return (
        restrict(Handover.objects.all(), user, RECEIVE)
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
    return restrict(AlternateRequest.objects.all(), user, VIEW).select_related(
        "task__plan", "requested_by", "decided_by"
    )


def open_alternate_requests(user: User) -> QuerySet[AlternateRequest]:
    return alternate_requests_visible_to(user).filter(status=RequestStatus.STATUS_OPEN)


def portion_by_label(code: str, token: str) -> Portion | None:
    """The portion a scanned label names, if the token is genuine (compared in constant time by the index)."""
    portion = Portion.objects.select_related("sample", "custodian", "custodian_org").filter(label_token=token).first()
    if portion is None or portion.sample.code != code:
        return None
    return portion


def record_of(task) -> SamplingRecord | None:
    """The sampling form of a task the caller already holds."""
    return SamplingRecord.objects.filter(task=task).first()


def task_delivery_document(task, public_id) -> DeliveryDocument | None:
    """A document of the lot a task samples (the contractor's paperwork, for the sampler to compare on site)."""
    if not task.delivery_id:
        return None
    return DeliveryDocument.objects.filter(delivery_id=task.delivery_id, public_id=public_id).first()


def submitted(model, client_uuid) -> bool:
    """Whether a device already submitted this (its client UUID makes a retried submission answer, not repeat)."""
    return model.objects.filter(client_uuid=client_uuid).exists()


def tasks_to_sample(user: User):
    """Tasks the user was drawn for that still wait for sampling (or for the sealed sample to leave)."""
    open_statuses = TaskStatus.SAMPLABLE | {TaskStatus.STATUS_SEALED}
    return tasks_visible_to(user).filter(inspectors__inspector=user, status__in=open_statuses)


def refused_tasks(user: User):
    """Tasks whose sampling was refused: the organiser decides what follows (拒检认定)."""
    return tasks_visible_to(user).filter(status=TaskStatus.STATUS_REFUSED)


def samples_listed(user: User) -> QuerySet[Sample]:
    return samples_visible_to(user).select_related("task__product", "laboratory").order_by("-sealed_at")
