"""Readable public codes such as CJ-2026-000123, gap-free per prefix and year."""

from django.db import transaction
from django.db.models import F

from choujian.core.models import CodeSequence


@transaction.atomic
def next_code(prefix: str, year: int, width: int = 6) -> str:
    CodeSequence.objects.get_or_create(prefix=prefix, year=year)
    # An UPDATE takes the row lock first on every backend, so two writers never read the same number.
    CodeSequence.objects.filter(prefix=prefix, year=year).update(last=F("last") + 1)
    number = CodeSequence.objects.get(prefix=prefix, year=year).last
    return f"{prefix}-{year}-{number:0{width}d}"
