"""`choujian ledger export DIR`: write the log in the format the stand-alone verifier reads (see standalone.py).

The export is a snapshot at the committed size when it starts: entries [0, size) and the checkpoints of at most
that size, so appends that arrive meanwhile do not tear it. Entries are streamed in chunks, never all in memory.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from choujian.ledger import selectors
from choujian.ledger.keys import verifier_key
from choujian.ledger.services import current_size
from choujian.ledger.standalone import CHECKPOINT_DIR, ENTRIES_FILE, KEY_FILE, checkpoint_filename

__all__ = ["ExportError", "ExportSummary", "export_ledger"]

CHUNK_SIZE = 5000


class ExportError(Exception):
    """The export directory cannot be used."""


@dataclass(frozen=True)
class ExportSummary:
    directory: Path
    entries: int
    checkpoints: int
    signed_size: int  # size of the latest exported checkpoint; entries beyond it are not signed yet


def export_ledger(
    directory: str | Path, *, chunk_size: int = CHUNK_SIZE, progress: Callable[[int, int], None] | None = None
) -> ExportSummary:
    """Write key.txt, entries.jsonl and checkpoints/<size>.txt into `directory` (new or empty)."""
    base = Path(directory)
    if base.exists() and (not base.is_dir() or any(base.iterdir())):
        raise ExportError(f"{base} 已存在且非空 / already exists and is not an empty directory")
    (base / CHECKPOINT_DIR).mkdir(parents=True, exist_ok=True)
    size = current_size()
    (base / KEY_FILE).write_bytes((verifier_key() + "\n").encode("utf-8"))

    written = 0
    with open(base / ENTRIES_FILE, "wb") as out:
        last = -1
        while True:
            rows = selectors.entry_rows(last, size, chunk_size)
            if not rows:
                break
            # Bodies are written exactly as stored and hashed: any damage shows up in the stand-alone check.
            out.write(b"".join(body.encode("utf-8") + b"\n" for _, body in rows))
            written += len(rows)
            last = rows[-1][0]
            if progress:
                progress(written, size)

    checkpoints, signed = 0, 0
    last = -1
    while True:
        rows = selectors.checkpoint_rows(last, size, chunk_size)
        if not rows:
            break
        for cp_size, text in rows:
            # Bytes, not text mode: the signed note must reach the verifier with exactly its own newlines.
            (base / CHECKPOINT_DIR / checkpoint_filename(cp_size)).write_bytes(text.encode("utf-8"))
            checkpoints, signed = checkpoints + 1, cp_size
        last = rows[-1][0]
    return ExportSummary(directory=base, entries=written, checkpoints=checkpoints, signed_size=signed)
