"""A reproducible demo: public ids and the frames' private salts come from the demo's seed. Frames carry the products'
and lots' public ids and salt every item, so the same seed gives the same frame, ceremony seed, draw and tasks on
every build and every database — a walkthrough, a screenshot or an access matrix made from the demo stays true.
A real frame's salts and the order of its task codes stay secret random numbers; only the demo's are predictable."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from random import Random

from django.apps import apps
from django.db.models import UUIDField

from choujian.draws import sealed
from choujian.draws import services as draw_services


@contextmanager
def reproducible_ids(seed: int) -> Iterator[None]:
    rng = Random(f"{seed}/public-ids")

    def next_id() -> uuid.UUID:
        return uuid.UUID(int=rng.getrandbits(128), version=4)

    fields = [
        field
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, UUIDField) and field.default is uuid.uuid4
    ]
    random_salt, code_order, random_uuid = sealed.new_salt, draw_services.TASK_CODE_ORDER, uuid.uuid4
    try:
        for field in fields:
            _set_default(field, next_id)
        uuid.uuid4 = next_id  # ids assigned in code rather than by a field default (users)
        sealed.new_salt = lambda: f"{rng.getrandbits(128):032x}"
        draw_services.TASK_CODE_ORDER = Random(f"{seed}/task-codes")
        yield
    finally:
        uuid.uuid4 = random_uuid
        for field in fields:
            _set_default(field, random_uuid)
        sealed.new_salt, draw_services.TASK_CODE_ORDER = random_salt, code_order


def _set_default(field: UUIDField, default) -> None:
    field.default = default
    field.__dict__.pop("_get_default", None)  # Django caches the default's callable on first use
