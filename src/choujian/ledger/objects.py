"""Which models are ledgered: each declares `ledger_kind` and `ledger_state()`; this maps refs back to rows."""

from django.apps import apps
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
