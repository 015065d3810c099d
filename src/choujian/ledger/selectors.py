"""Reads of the ledger. The log itself is public; object histories are shown to auditors and regulators."""

from django.contrib.auth import get_user_model

from choujian.accounts.choices import Role
from choujian.ledger import merkle
from choujian.ledger.models import Checkpoint, LedgerEntry, PrivateState
from choujian.ledger.services import current_size, integrated_size, node_getter

__all__ = ["LEDGER_READERS", "current_size", "integrated_size"]

# Who opens the ledger page with object histories (the public API serves the log itself to anyone).
LEDGER_READERS = Role.REGULATOR_ROLES


def latest_checkpoint() -> Checkpoint | None:
    return Checkpoint.objects.order_by("-size").first()


def entry_bodies(start: int, end: int) -> list[str]:
    return list(LedgerEntry.objects.filter(seq__gte=start, seq__lt=end).order_by("seq").values_list("body", flat=True))


def inclusion_proof(index: int, size: int) -> list[bytes]:
    return merkle.inclusion_proof(index, size, node_getter())


def consistency_proof(first: int, second: int) -> list[bytes]:
    return merkle.consistency_proof(first, second, node_getter())


def object_history(ref: str) -> list[LedgerEntry]:
    return list(LedgerEntry.objects.filter(object=ref).order_by("seq"))


def entry_rows(after: int, size: int, limit: int) -> list[tuple[int, str]]:
    """(seq, body) of the entries after `after` and below `size`, in order, at most `limit`."""
    rows = LedgerEntry.objects.filter(seq__gt=after, seq__lt=size).order_by("seq").values_list("seq", "body")
    return list(rows[:limit])


def checkpoint_rows(after: int, size: int, limit: int) -> list[tuple[int, str]]:
    """(size, signed note) of the checkpoints above `after` up to `size`, in order, at most `limit`."""
    rows = Checkpoint.objects.filter(size__gt=after, size__lte=size).order_by("size").values_list("size", "note")
    return list(rows[:limit])


def people_named(public_ids) -> list:
    """The people the ledger names as actors (shown beside their entries to the ledger's readers)."""
    people = get_user_model().objects.filter(public_id__in=public_ids)
    return list(people.only("public_id", "username", "display_name"))


def private_states(seqs) -> dict[int, tuple]:
    """The full states kept beside entries that publish only a digest."""
    rows = PrivateState.objects.filter(seq__in=seqs).values_list("seq", "state", "data")
    return {seq: (state, data) for seq, state, data in rows}
