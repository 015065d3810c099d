"""The one way a ledgered row is written: validate, check the version, save, append the ledger entry."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import translation

from choujian.core.errors import ConflictError, NotPermitted, ServiceError
from choujian.ledger.services import ledger_append


def _as_service_error(exc: ValidationError) -> ServiceError:
    if hasattr(exc, "error_dict"):
        return ServiceError({field: list(msgs) for field, msgs in exc.message_dict.items()})
    return ServiceError({"non_field_errors": exc.messages})


def apply_changes(instance: models.Model, changes: dict) -> None:
    for field, value in changes.items():
        setattr(instance, field, value)


def validate(instance: models.Model, exclude: list[str] | None = None) -> None:
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise _as_service_error(exc) from None


def _check(instance: models.Model, allowed, refused: str) -> None:
    """Whether the actor may hold the row as it now is: asked of the saved row, so that the access policy's filters
    (which follow relations) answer, and undone with the transaction when they say no."""
    if allowed is not None and not allowed(instance):
        raise NotPermitted(refused)


def record_create(
    instance: models.Model, *, actor, event: str, allowed=None, refused: str = "您无权登记此记录"
) -> models.Model:
    validate(instance)
    # One savepoint for the row and its entry: a duplicate, a refusal or a failed append undoes both, and a
    # savepoint (rather than poisoning the caller's transaction) lets a caller report the duplicate and go on.
    saved = False
    try:
        with transaction.atomic():
            instance.save()
            saved = True
            _check(instance, allowed, refused)
            ledger_append(type=event, actor=actor, object=instance)
    except IntegrityError:
        if saved:
            raise
        raise ServiceError("与已有记录重复") from None
    return instance


@transaction.atomic
def record_update(
    instance: models.Model,
    *,
    actor,
    event: str,
    changes: dict,
    version: int | None,
    allowed=None,
    refused: str = "您无权这样修改此记录",
) -> models.Model:
    model = type(instance)
    current = model.objects.select_for_update().get(pk=instance.pk)
    if version is not None and current.version != version:
        raise ConflictError(current.version)
    if not changes:
        return current  # nothing changed: no new version, no ledger entry
    apply_changes(current, changes)
    validate(current)
    before = current.version
    updated = model.objects.filter(pk=current.pk, version=before).update(
        version=F("version") + 1, **{f: getattr(current, f) for f in _concrete(model, changes)}
    )
    if not updated:
        raise ConflictError(model.objects.get(pk=current.pk).version)
    current.refresh_from_db()
    _check(current, allowed, refused)
    ledger_append(type=event, actor=actor, object=current, data={"changed": sorted(changes)})
    return current


def _concrete(model: type[models.Model], changes: dict) -> list[str]:
    names = []
    for name in changes:
        field = model._meta.get_field(name)
        names.append(field.attname if field.is_relation else name)
    return names


@transaction.atomic
def record_delete(instance: models.Model, *, actor, event: str) -> None:
    ref_instance = instance
    try:
        with transaction.atomic():
            ledger_append(type=event, actor=actor, object=ref_instance, deleted=True)
            instance.delete()
    except (models.ProtectedError, models.RestrictedError) as exc:
        referrers = getattr(exc, "protected_objects", None) or getattr(exc, "restricted_objects", ())
        with translation.override(None):  # the error text is part of the record: Chinese, like every ServiceError
            names = sorted({_referrer(obj) for obj in list(referrers)[:200]})
        shown = "、".join(names[:5]) + (f" 等 {len(names)} 处" if len(names) > 5 else "")
        hint = "；可改为归档" if hasattr(instance, "archived_at") else ""
        raise ServiceError(f"仍被{shown}引用，不能删除{hint}") from None


def _referrer(obj: models.Model) -> str:
    """What refers to a record, as people know it: the plan of a frame row, or the record's kind and name."""
    frame = getattr(obj, "frame", None)
    plan = getattr(frame, "plan", None) if frame is not None else None
    if plan is not None:
        return f"抽查计划 {plan.code} 的抽样框"
    return f"{obj._meta.verbose_name} {obj}"


@transaction.atomic
def record_archive(instance: models.Model, *, actor, event: str, reason: str) -> models.Model:
    """Archive a record others may rely on (ledgered): it keeps its history and references, but leaves pickers and
    new frames."""
    from django.utils import timezone

    reason = (reason or "").strip()
    if not reason:
        raise ServiceError({"reason": ["请写明归档原因"]})
    locked = type(instance).objects.select_for_update().get(pk=instance.pk)
    if locked.archived_at is not None:
        raise ServiceError({"reason": ["该记录已归档"]})
    locked.archived_at, locked.archive_reason = timezone.now(), reason[:300]
    locked.version = F("version") + 1
    locked.save(update_fields=["archived_at", "archive_reason", "version", "updated_at"])
    locked.refresh_from_db()
    ledger_append(type=event, actor=actor, object=locked, data={"reason": locked.archive_reason})
    return locked


@transaction.atomic
def record_unarchive(instance: models.Model, *, actor, event: str) -> models.Model:
    locked = type(instance).objects.select_for_update().get(pk=instance.pk)
    if locked.archived_at is None:
        raise ServiceError({"non_field_errors": ["该记录未归档"]})
    locked.archived_at, locked.archive_reason = None, ""
    locked.version = F("version") + 1
    locked.save(update_fields=["archived_at", "archive_reason", "version", "updated_at"])
    locked.refresh_from_db()
    ledger_append(type=event, actor=actor, object=locked)
    return locked
