"""The one way a ledgered row is written: validate, check the version, save, append the ledger entry."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import translation

from choujian.core.errors import ConflictError, ServiceError
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


@transaction.atomic
def record_create(instance: models.Model, *, actor, event: str) -> models.Model:
    validate(instance)
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        raise ServiceError("与已有记录重复") from None
    ledger_append(type=event, actor=actor, object=instance)
    return instance


@transaction.atomic
def record_update(instance: models.Model, *, actor, event: str, changes: dict, version: int | None) -> models.Model:
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
    except models.ProtectedError as exc:
        with translation.override(None):  # the error text is part of the record: Chinese, like every ServiceError
            names = sorted({str(obj._meta.verbose_name) for obj in exc.protected_objects})
        raise ServiceError(f"仍有关联的{'、'.join(names)}，不能删除") from None
