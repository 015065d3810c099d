"""Reads of the ledger. The log itself is public; object histories are shown to auditors and regulators."""

from choujian.accounts.choices import Role
from choujian.ledger import merkle
from choujian.ledger.models import Checkpoint, LedgerEntry
from choujian.ledger.services import _node_getter, current_size

__all__ = ["LEDGER_READERS", "current_size"]

# Who opens the ledger page with object histories (the public API serves the log itself to anyone).
LEDGER_READERS = Role.REGULATOR_ROLES


def latest_checkpoint() -> Checkpoint | None:
    return Checkpoint.objects.order_by("-size").first()


def entry_bodies(start: int, end: int) -> list[str]:
    return list(LedgerEntry.objects.filter(seq__gte=start, seq__lt=end).order_by("seq").values_list("body", flat=True))


def inclusion_proof(index: int, size: int) -> list[bytes]:
    return merkle.inclusion_proof(index, size, _node_getter())


def consistency_proof(first: int, second: int) -> list[bytes]:
    return merkle.consistency_proof(first, second, _node_getter())


def object_history(ref: str) -> list[LedgerEntry]:
    return list(LedgerEntry.objects.filter(object=ref).order_by("seq"))
