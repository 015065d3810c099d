"""Stand-alone verifier for an exported choujian ledger: ``python -m choujian.ledger.standalone DIR``.

Needs only the standard library, ``cryptography`` and the Django-free modules ``merkle`` and ``note``, so an
outside auditor can run it (or copy these three files) without the platform.

Export directory format (ledger-v1):

``DIR/key.txt``
    The verifier key string ``<name>+<hex key id>+<base64(0x01 || public key)>`` and a newline.
``DIR/entries.jsonl``
    Entry ``seq = i`` on line ``i`` (0-based): the exact canonical entry JSON text in UTF-8, each followed by
    ``\\n``. The bytes of a line without its ``\\n`` are the leaf input. Split on ``\\n`` bytes only: canonical
    JSON escapes control characters, but U+2028/U+2029 may appear raw.
``DIR/checkpoints/<size as 12 decimal digits>.txt``
    Signed checkpoints (C2SP signed note over a tlog-checkpoint body), e.g. ``000000001234.txt``; the
    file name is the checkpoint's tree size, so name order is size order.

Entries after the latest checkpoint are allowed (a checkpoint is made at least once a minute) but are not
signed yet; the summary says how many.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from choujian.ledger import merkle, note

__all__ = [
    "CHECKPOINT_DIR",
    "ENTRIES_FILE",
    "KEY_FILE",
    "canonical_json",
    "checkpoint_filename",
    "main",
    "verify_export",
]

KEY_FILE = "key.txt"
ENTRIES_FILE = "entries.jsonl"
CHECKPOINT_DIR = "checkpoints"
_CHECKPOINT_NAME_RE = re.compile(r"([0-9]{12})\.txt")
_MAX_ENTRY_PROBLEMS = 50  # a reordered or truncated log would otherwise report every line


def canonical_json(obj: object) -> bytes:
    """Canonical entry bytes as defined by ledger-v1."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def checkpoint_filename(size: int) -> str:
    """File name of the checkpoint of ``size`` entries inside ``checkpoints/``."""
    return f"{size:012d}.txt"


@dataclass
class _Result:
    problems: list[str] = field(default_factory=list)
    entries: int = 0
    checkpoints: int = 0
    latest_size: int | None = None
    latest_root: bytes = b""


def _check_entry(seq: int, line: bytes) -> str | None:
    where = f"entry {seq} (line {seq + 1})"
    try:
        obj = json.loads(line.decode("utf-8"))
    except UnicodeDecodeError:
        return f"{where}: not valid UTF-8"
    except ValueError as exc:
        return f"{where}: not valid JSON ({exc})"
    if not isinstance(obj, dict):
        return f"{where}: not a JSON object"
    got = obj.get("seq")
    if isinstance(got, bool) or not isinstance(got, int) or got != seq:
        return f"{where}: seq is {got!r}, expected {seq} (entries missing, duplicated or out of order)"
    if canonical_json(obj) != line:
        return f"{where}: not in canonical JSON form (sorted keys, no spaces, raw UTF-8)"
    return None


def _read_entries(path: Path, result: _Result) -> merkle.MemoryStore:
    store = merkle.MemoryStore()
    try:
        data = path.read_bytes()
    except OSError as exc:
        result.problems.append(f"{ENTRIES_FILE}: cannot read ({exc.strerror or exc})")
        return store
    if data and not data.endswith(b"\n"):
        result.problems.append(f"{ENTRIES_FILE}: last line does not end with a newline (truncated file?)")
    lines = data.split(b"\n")
    if data.endswith(b"\n") or not data:
        lines.pop()
    bad = 0
    for seq, line in enumerate(lines):
        problem = _check_entry(seq, line)
        if problem:
            bad += 1
            if bad <= _MAX_ENTRY_PROBLEMS:
                result.problems.append(problem)
        store.append(line)
    if bad > _MAX_ENTRY_PROBLEMS:
        result.problems.append(f"{ENTRIES_FILE}: {bad - _MAX_ENTRY_PROBLEMS} more bad entries not listed")
    result.entries = store.size
    return store


def _check_checkpoints(directory: Path, key: str, store: merkle.MemoryStore, result: _Result) -> None:
    try:
        names = sorted(p.name for p in directory.iterdir())
    except OSError as exc:
        result.problems.append(f"{CHECKPOINT_DIR}/: cannot read ({exc.strerror or exc})")
        return
    origin: str | None = None
    trusted: tuple[str, int, bytes] | None = None  # latest checkpoint whose root matches the entries
    for name in names:
        where = f"checkpoint {CHECKPOINT_DIR}/{name}"
        match = _CHECKPOINT_NAME_RE.fullmatch(name)
        if not match:
            result.problems.append(f"{where}: unexpected file name (want 12 digits of tree size + .txt)")
            continue
        result.checkpoints += 1
        try:
            body = note.verify_note((directory / name).read_bytes(), key)
            cp_origin, size, root = note.parse_checkpoint(body)
        except OSError as exc:
            result.problems.append(f"{where}: cannot read ({exc.strerror or exc})")
            continue
        except note.NoteError as exc:
            result.problems.append(f"{where}: {exc}")
            continue
        if size != int(match.group(1)):
            result.problems.append(f"{where}: file name says size {int(match.group(1))} but checkpoint says {size}")
            continue
        if origin is None:
            origin = cp_origin
        elif cp_origin != origin:
            result.problems.append(f"{where}: origin {cp_origin!r} differs from earlier checkpoints' {origin!r}")
        if size > store.size:
            result.problems.append(f"{where}: size {size} but the export has only {store.size} entries")
            continue
        result.latest_size, result.latest_root = size, root
        expected = store.root(size)
        if root != expected:
            result.problems.append(
                f"{where}: root {root.hex()} does not match the first {size} entries ({expected.hex()})"
            )
        if trusted is not None:
            prev_name, prev_size, prev_root = trusted
            proof = store.consistency(prev_size, size)
            if not merkle.verify_consistency(prev_size, size, prev_root, root, proof):
                result.problems.append(
                    f"{where}: not consistent with {CHECKPOINT_DIR}/{prev_name} "
                    f"(the log was rewritten after its first {prev_size} entries)"
                )
        if root == expected:
            trusted = (name, size, root)
    if result.checkpoints == 0:
        result.problems.append(f"{CHECKPOINT_DIR}/: no checkpoints, so nothing in the export is signed")


def _verify(path: str | Path) -> _Result:
    base = Path(path)
    result = _Result()
    if not base.is_dir():
        result.problems.append(f"{base}: not a directory")
        return result
    store = _read_entries(base / ENTRIES_FILE, result)
    try:
        key = (base / KEY_FILE).read_text(encoding="utf-8").strip()
        note.parse_verifier_key(key)
    except OSError as exc:
        result.problems.append(f"{KEY_FILE}: cannot read ({exc.strerror or exc})")
        return result
    except (UnicodeDecodeError, note.NoteError) as exc:
        result.problems.append(f"{KEY_FILE}: invalid verifier key ({exc})")
        return result
    _check_checkpoints(base / CHECKPOINT_DIR, key, store, result)
    return result


def verify_export(path: str | Path) -> list[str]:
    """Check an export directory; return the problems found (empty if everything verifies)."""
    return _verify(path).problems


def _say(text: str, stream: TextIO) -> None:
    try:
        print(text, file=stream)
    except UnicodeEncodeError:  # a console that cannot show Chinese still gets a readable line
        print(text.encode("ascii", "backslashreplace").decode("ascii"), file=stream)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m choujian.ledger.standalone",
        description="Verify an exported choujian ledger (校验导出的抽检台账): entries, checkpoints, signatures.",
    )
    parser.add_argument("directory", help="export directory containing key.txt, entries.jsonl and checkpoints/")
    args = parser.parse_args(argv)
    result = _verify(args.directory)
    if result.problems:
        for problem in result.problems:
            _say(f"FAIL: {problem}", sys.stderr)
        _say(f"失败 FAILED: {len(result.problems)} 个问题 / problem(s) found", sys.stderr)
        return 1
    latest = result.latest_size or 0
    _say(
        f"OK: {result.entries} 条记录 / entries, {result.checkpoints} 个检查点 / checkpoints, "
        f"根哈希 / root {result.latest_root.hex()} (大小 / size {latest})",
        sys.stdout,
    )
    if result.entries > latest:
        _say(
            f"注意 / note: 最后 {result.entries - latest} 条记录尚无检查点签名 "
            f"(the last {result.entries - latest} entries are not covered by a signed checkpoint yet)",
            sys.stdout,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
