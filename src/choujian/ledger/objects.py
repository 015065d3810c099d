"""Which models are ledgered: each declares `ledger_kind` and `ledger_state()`; this maps refs back to rows."""

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models


def object_ref(instance: models.Model) -> str:
    return f"{instance.ledger_kind}:{instance.public_id}"


def ledgered_models() -> dict[str, type[models.Model]]:
    return {m.ledger_kind: m for m in apps.get_models() if getattr(m, "ledger_kind", None)}


def resolve(ref: str) -> tuple[type[models.Model] | None, models.Model | None]:
    """Return (model, instance) for an object ref; instance is None when the row no longer exists."""
    kind, _, public_id = ref.partition(":")
    model = ledgered_models().get(kind)
    if model is None:
        return None, None
    try:
        return model, model._base_manager.filter(public_id=public_id).first()
    except (ValueError, models.ObjectDoesNotExist):
        return model, None


READABLE_FIELDS = ("code", "uscc")


def ref_for_readable_id(text: str) -> str | None:
    """`JH-2026-0001`, `RW-2026-000007` or a credit code → the object ref its entries are filed under."""
    for kind, model in sorted(ledgered_models().items()):
        for name in READABLE_FIELDS:
            try:
                model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            public_id = model._base_manager.filter(**{name: text}).values_list("public_id", flat=True).first()
            if public_id is not None:
                return f"{kind}:{public_id}"
    return None
