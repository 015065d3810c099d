"""The stand-alone export verifier: a good export passes, and each kind of tampering is named."""

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

import choujian
from choujian.ledger import note
from choujian.ledger.merkle import MemoryStore
from choujian.ledger.standalone import canonical_json, checkpoint_filename, main, verify_export

ORIGIN = "choujian.example.cn/ledger"
N_ENTRIES = 300
CHECKPOINT_SIZES = [0, 1, 17, 64, 65, 150, 256, 299]  # the last entry is not covered by a checkpoint yet

KEY = note.generate_private_key()


def make_entry(seq: int, rng: random.Random) -> bytes:
    obj = {
        "seq": seq,
        "type": rng.choice(["plan.approved", "sample.sealed", "custody.handed_over", "result.entered"]),
        "at": f"2026-03-{1 + seq % 28:02d}T08:{seq % 60:02d}:00.000000Z",
        "actor": f"user:U{rng.randrange(10**6):06d}",
        "object": f"sample:CJ-2026-{seq:06d}",
        "data": {
            "note": rng.choice(["封样完好", "抽样单已签字", "ok", "温度 4℃\u2028备注"]),
            "state_digest": "ab" * 32,
        },
    }
    return canonical_json(obj)


def write_export(directory: Path, entries: list[bytes], key=KEY) -> None:
    store = MemoryStore()
    for entry in entries:
        store.append(entry)
    (directory / "checkpoints").mkdir(parents=True)
    (directory / "key.txt").write_text(note.verifier_key_string(ORIGIN, note.public_raw(KEY)) + "\n", "utf-8")
    (directory / "entries.jsonl").write_bytes(b"".join(e + b"\n" for e in entries))
    for size in CHECKPOINT_SIZES:
        signed = note.sign_note(note.checkpoint_body(ORIGIN, size, store.root(size)), ORIGIN, key)
        (directory / "checkpoints" / checkpoint_filename(size)).write_text(signed, "utf-8")


@pytest.fixture
def entries() -> list[bytes]:
    rng = random.Random(20260322)
    return [make_entry(seq, rng) for seq in range(N_ENTRIES)]


@pytest.fixture
def export(tmp_path: Path, entries: list[bytes]) -> Path:
    write_export(tmp_path / "export", entries)
    return tmp_path / "export"


def problems_mentioning(path: Path, *needles: str) -> list[str]:
    problems = verify_export(path)
    assert problems, "tampering went unnoticed"
    assert main([str(path)]) == 1
    for needle in needles:
        assert any(needle in p for p in problems), (needle, problems)
    return problems


def test_good_export_verifies(export: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert verify_export(export) == []
    assert main([str(export)]) == 0
    out = capsys.readouterr().out
    assert f"OK: {N_ENTRIES} 条记录" in out and f"{len(CHECKPOINT_SIZES)} 个检查点" in out
    assert "最后 1 条记录尚无检查点签名" in out


def test_altered_entry_is_named(export: Path, entries: list[bytes]) -> None:
    lines = list(entries)
    lines[100] = lines[100].replace(b"sample:CJ-2026-000100", b"sample:CJ-2026-000999")
    (export / "entries.jsonl").write_bytes(b"".join(e + b"\n" for e in lines))
    problems = problems_mentioning(export, "checkpoints/000000000150.txt: root", "000000000299.txt: root")
    assert not any("000000000064.txt" in p for p in problems)
    assert any("000000000150.txt: not consistent with checkpoints/000000000065.txt" in p for p in problems)


def test_non_canonical_entry_is_named(export: Path, entries: list[bytes]) -> None:
    lines = list(entries)
    lines[42] = json.dumps(json.loads(lines[42]), ensure_ascii=False).encode()
    (export / "entries.jsonl").write_bytes(b"".join(e + b"\n" for e in lines))
    problems_mentioning(export, "entry 42 (line 43): not in canonical JSON form")


def test_reordered_entries_are_named(export: Path, entries: list[bytes]) -> None:
    lines = list(entries)
    lines[10], lines[11] = lines[11], lines[10]
    (export / "entries.jsonl").write_bytes(b"".join(e + b"\n" for e in lines))
    problems_mentioning(export, "entry 10 (line 11): seq is 11, expected 10", "entry 11 (line 12): seq is 10")


def test_dropped_and_garbled_entries_are_named(export: Path, entries: list[bytes]) -> None:
    lines = entries[:5] + entries[6:]
    lines[7] = b"{not json"
    (export / "entries.jsonl").write_bytes(b"".join(e + b"\n" for e in lines) + b'{"seq":')
    problems = problems_mentioning(export, "entry 5 (line 6): seq is 6", "entry 7 (line 8): not valid JSON")
    assert any("does not end with a newline" in p for p in problems)


def test_tampered_checkpoint_is_named(export: Path) -> None:
    path = export / "checkpoints" / checkpoint_filename(150)
    path.write_text(path.read_text("utf-8").replace("\n150\n", "\n151\n"), "utf-8")
    problems_mentioning(export, "checkpoint checkpoints/000000000150.txt: signature by")


def test_checkpoint_signed_by_another_key_is_named(tmp_path: Path, entries: list[bytes]) -> None:
    write_export(tmp_path / "export", entries, key=note.generate_private_key())
    problems = problems_mentioning(tmp_path / "export", "no signature by")
    assert len(problems) == len(CHECKPOINT_SIZES)


def test_renamed_or_oversized_checkpoints_are_named(export: Path) -> None:
    cps = export / "checkpoints"
    (cps / checkpoint_filename(64)).rename(cps / checkpoint_filename(63))
    store = MemoryStore()
    signed = note.sign_note(note.checkpoint_body(ORIGIN, 400, store.root()), ORIGIN, KEY)
    (cps / checkpoint_filename(400)).write_text(signed, "utf-8")
    (cps / "notes.txt").write_text("hello", "utf-8")
    problems_mentioning(
        export,
        "000000000063.txt: file name says size 63 but checkpoint says 64",
        "000000000400.txt: size 400 but the export has only 300 entries",
        "notes.txt: unexpected file name",
    )


def test_missing_pieces_are_named(export: Path) -> None:
    for path in sorted((export / "checkpoints").iterdir()):
        path.unlink()
    problems_mentioning(export, "no checkpoints")
    (export / "key.txt").write_text("not a key\n", "utf-8")
    problems_mentioning(export, "key.txt: invalid verifier key")
    (export / "key.txt").unlink()
    problems_mentioning(export, "key.txt: cannot read")
    problems_mentioning(export / "nowhere", "not a directory")


def test_runs_as_module_without_django(export: Path) -> None:
    env = dict(os.environ)
    src = str(Path(choujian.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(p for p in [src, env.get("PYTHONPATH")] if p)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    probe = "import sys, choujian.ledger.standalone; sys.exit(any(m.split('.')[0] == 'django' for m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", probe], env=env).returncode == 0
    done = subprocess.run(
        [sys.executable, "-m", "choujian.ledger.standalone", str(export)], env=env, capture_output=True
    )
    assert done.returncode == 0, done.stderr
    assert b"OK: 300" in done.stdout
    (export / "entries.jsonl").write_bytes(b"")
    done = subprocess.run(
        [sys.executable, "-m", "choujian.ledger.standalone", str(export)], env=env, capture_output=True
    )
    assert done.returncode == 1 and "FAIL" in done.stderr.decode("utf-8")
