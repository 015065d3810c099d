"""Read back the ledger entries about an object as a regulator sees them: for private objects the public body holds
only digests, so their state and data are taken from the private table (after checking them against the digests)."""

import json

from choujian.core.canonical import digest
from choujian.ledger.models import LedgerEntry, PrivateState


def entries_data(obj, type_: str) -> list[dict]:
    rows = LedgerEntry.objects.filter(type=type_, object__endswith=str(obj.public_id)).order_by("seq")
    out = []
    for row in rows:
        data = json.loads(row.body)["data"]
        kept = PrivateState.objects.filter(seq=row.seq).first()
        if kept is not None:
            assert set(data) <= {"state_digest", "data_digest"}, "a private object's public body holds digests only"
            state = json.loads(kept.state)
            assert digest(state) == data["state_digest"]
            extra = json.loads(kept.data) if kept.data else {}
            assert digest(extra) == data["data_digest"] if extra else "data_digest" not in data
            data = {**extra, "state": state, "state_digest": data["state_digest"]}
        out.append(data)
    return out
