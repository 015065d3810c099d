"""The stand-alone draw verifier: records the sampler builds verify, and each kind of tampering is named."""

import copy
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from choujian.draws import sampler, verify

SECRETS = {"张三": "zhang-san-2290-掷骰 3 5 1", "李四": "li-si-7781", "public witness": "w-0042-ab"}
FRAME = [
    sampler.FrameItem(f"91350100MA2XN{n:04d}A/P{n % 3:04d}", 1 + n % 4, ["350102", "350103", "350104"][n % 3])
    for n in range(40)
]
QUOTAS = {"350102": 3, "350103": 2, "350104": 0}


def make_record(items=FRAME, quotas=QUOTAS, secrets=SECRETS) -> dict:
    seed = sampler.ceremony_seed(sampler.frame_digest(items), secrets)
    return sampler.build_record(
        purpose="enterprises",
        items=items,
        quotas=quotas,
        seed=seed,
        seed_source={
            "kind": "ceremony",
            "commitments": {name: sampler.commitment(secret) for name, secret in secrets.items()},
            "secrets": secrets,
        },
        created_at="2026-03-05T09:30:00Z",
    )


def write(path: Path, record: dict) -> Path:
    path.write_text(sampler.record_json(record), encoding="utf-8")
    return path


@pytest.fixture
def record() -> dict:
    return make_record()


def failure(tmp_path: Path, record: dict, capsys: pytest.CaptureFixture[str]) -> str:
    assert verify.main([str(write(tmp_path / "tampered.json", record))]) == 1
    return capsys.readouterr().err


def test_good_record_verifies(tmp_path: Path, record: dict, capsys: pytest.CaptureFixture[str]) -> None:
    assert verify.main([str(write(tmp_path / "record.json", record))]) == 0
    out = capsys.readouterr().out
    assert out.startswith("OK 核验通过") and "40 items" in out and "5 selected" in out and "3 participants" in out


def test_changed_id_is_named(tmp_path: Path, record: dict, capsys: pytest.CaptureFixture[str]) -> None:
    record["frame"][5]["id"] = "91350100MA2XN9999Z/P0000"
    err = failure(tmp_path, record, capsys)
    assert f'frame_digest 不一致 mismatch: record "{record["frame_digest"]}" computed "' in err


def test_changed_weight_is_named(tmp_path: Path, record: dict, capsys: pytest.CaptureFixture[str]) -> None:
    record["frame"][0]["weight"] += 1
    assert "frame_digest 不一致 mismatch" in failure(tmp_path, record, capsys)


def test_changed_frame_digest_is_named(tmp_path: Path, record: dict, capsys: pytest.CaptureFixture[str]) -> None:
    record["frame_digest"] = "0" * 64
    assert f'frame_digest 不一致 mismatch: record "{"0" * 64}"' in failure(tmp_path, record, capsys)


def test_changed_secret_is_named(tmp_path: Path, record: dict, capsys: pytest.CaptureFixture[str]) -> None:
    record["seed_source"]["secrets"]["张三"] = "a different secret"
    assert "commitment of 张三 does not match the revealed secret" in failure(tmp_path, record, capsys)


def test_secret_and_commitment_changed_together(tmp_path: Path, record, capsys) -> None:
    """A consistent change of one participant's secret and commitment changes the seed: the seed is named."""
    record["seed_source"]["secrets"]["张三"] = "chosen after the fact"
    record["seed_source"]["commitments"]["张三"] = sampler.commitment("chosen after the fact")
    assert f'seed 种子 不一致 mismatch: record "{record["seed"]}"' in failure(tmp_path, record, capsys)


def test_missing_participant_is_named(tmp_path: Path, record: dict, capsys: pytest.CaptureFixture[str]) -> None:
    del record["seed_source"]["secrets"]["李四"]
    assert 'name different participants 承诺与秘密的参与方不一致: ["李四"]' in failure(tmp_path, record, capsys)


def test_changed_selected_id_is_named(tmp_path: Path, record: dict, capsys: pytest.CaptureFixture[str]) -> None:
    computed = record["selected"]["350102"][1]
    record["selected"]["350102"][1] = record["alternates"]["350102"][0]
    err = failure(tmp_path, record, capsys)
    assert (
        f'selected["350102"][1] 不一致 mismatch: record "{record["selected"]["350102"][1]}" computed "{computed}"'
        in err
    )


def test_swapped_selected_order_is_named(tmp_path: Path, record: dict, capsys: pytest.CaptureFixture[str]) -> None:
    first, second = record["selected"]["350103"]
    record["selected"]["350103"] = [second, first]
    assert f'selected["350103"][0] 不一致 mismatch: record "{second}" computed "{first}"' in failure(
        tmp_path, record, capsys
    )


def test_dropped_alternate_is_named(tmp_path: Path, record: dict, capsys: pytest.CaptureFixture[str]) -> None:
    last = record["alternates"]["350104"].pop()
    rank = len(record["alternates"]["350104"])
    assert f'alternates["350104"][{rank}] 不一致 mismatch: record "(none 无)" computed "{last}"' in failure(
        tmp_path, record, capsys
    )


def test_redrawn_frame_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Swapping the frame for another one, with its digest and seed recomputed, still shows in the selection."""
    record = make_record()
    other = make_record(items=[*FRAME[:-1], sampler.FrameItem("91350100MA2XN7777A/P0001", 4, "350102")])
    record["frame"], record["frame_digest"], record["seed"] = other["frame"], other["frame_digest"], other["seed"]
    err = failure(tmp_path, record, capsys)
    assert "selected[" in err or "alternates[" in err


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r["quotas"].pop("350104"), 'stratum "350104" of item "91350100MA2XN0002A/P0002" has no quota'),
        (lambda r: r["selected"].update({"350199": []}), 'selected["350199"] is a stratum without a quota'),
        (lambda r: r["quotas"].update({"350103": -1}), 'quota of stratum "350103" is negative'),
        (lambda r: r["frame"].append(dict(r["frame"][3])), "appears twice in the frame"),
        (lambda r: r["frame"][2].update({"weight": 0}), "frame[2] breaks the frame rules"),
        (lambda r: r["frame"][2].update({"stratum": "35\t0102"}), "frame[2] breaks the frame rules"),
        (lambda r: r["seed_source"].update({"kind": "oracle"}), 'unknown seed_source.kind 未知的种子来源 "oracle"'),
        (lambda r: r["seed_source"].update({"secrets": {}, "commitments": {}}), "the ceremony has no participants"),
    ],
)
def test_rule_violations_are_named(tmp_path: Path, record: dict, capsys, change, message) -> None:
    change(record)
    assert message in failure(tmp_path, record, capsys)


def test_external_seed_must_have_20_characters(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seed = "6 2 3 3 1 5 4 4 2 6 1"
    record = sampler.build_record(
        purpose="retests", items=FRAME, quotas=QUOTAS, seed=seed,
        seed_source={"kind": "external", "description": "掷骰"}, created_at="2026-03-05T09:30:00Z",
    )  # fmt: skip
    assert verify.main([str(write(tmp_path / "external.json", record))]) == 0
    assert "external 外部随机数" in capsys.readouterr().out
    record["seed"] = "6 2 3 3 1"
    assert "shorter than 20 characters" in failure(tmp_path, record, capsys)


def test_derived_inspector_seed(tmp_path: Path, record: dict, capsys: pytest.CaptureFixture[str]) -> None:
    pool = [sampler.FrameItem(f"U{n:05d}") for n in range(7)]
    seed = sampler.inspector_seed(record["seed"], "RW-2026-000007")
    derived = sampler.build_record(
        purpose="inspectors", items=pool, quotas={"": 2}, seed=seed,
        seed_source={"kind": "derived", "plan_seed": record["seed"], "task": "RW-2026-000007"},
        created_at="2026-03-05T09:30:01Z",
    )  # fmt: skip
    assert verify.main([str(write(tmp_path / "inspectors.json", derived))]) == 0
    capsys.readouterr()
    derived["seed_source"]["task"] = "RW-2026-000008"
    assert "seed 种子 不一致 mismatch" in failure(tmp_path, derived, capsys)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "cannot read a JSON draw record"),
        ("[]", "has no 'algorithm' field"),
        ('{"algorithm": "choujian-draw-v1", "algorithm": "x"}', "twice"),
        ('{"algorithm": "choujian-draw-v0"}', "not a choujian-draw-v1 record"),
        ('{"algorithm": "choujian-draw-v1", "purpose": "x", "created_at": "z", "frame": {}}', "frame must be a"),
        ('{"a": NaN}', "not valid JSON"),
    ],
)
def test_unreadable_input_exits_2(tmp_path: Path, capsys, text: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    assert verify.main([str(path)]) == 2
    assert message in capsys.readouterr().err


def test_missing_field_and_file_exit_2(tmp_path: Path, record: dict, capsys: pytest.CaptureFixture[str]) -> None:
    del record["alternates"]
    assert verify.main([str(write(tmp_path / "record.json", record))]) == 2
    assert "record has no 'alternates' field" in capsys.readouterr().err
    assert verify.main([str(tmp_path / "nowhere.json")]) == 2
    assert verify.main([]) == 2


def test_runs_as_a_copied_stand_alone_script(tmp_path: Path, record: dict) -> None:
    script = tmp_path / "elsewhere" / "verify.py"
    script.parent.mkdir()
    shutil.copy(verify.__file__, script)
    good = write(tmp_path / "record.json", record)
    # -I -S: no site-packages, no PYTHONPATH, so nothing of the platform can be imported.
    command = [sys.executable, "-I", "-S", str(script)]
    run = subprocess.run([*command, str(good)], capture_output=True, text=True, encoding="utf-8", cwd=script.parent)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("OK 核验通过")
    from_stdin = subprocess.run([*command, "-"], input=good.read_bytes(), capture_output=True, cwd=script.parent)
    assert from_stdin.returncode == 0
    tampered = copy.deepcopy(record)
    tampered["selected"]["350102"].reverse()
    bad = write(tmp_path / "bad.json", tampered)
    run = subprocess.run([*command, str(bad)], capture_output=True, text=True, encoding="utf-8", cwd=script.parent)
    assert run.returncode == 1 and 'selected["350102"][0] 不一致 mismatch' in run.stderr


def test_runs_as_a_module(tmp_path: Path, record: dict) -> None:
    good = write(tmp_path / "record.json", record)
    run = subprocess.run(
        [sys.executable, "-m", "choujian.draws.verify", str(good)], capture_output=True, text=True, encoding="utf-8"
    )
    assert run.returncode == 0, run.stderr


def test_verifier_shares_no_code_with_the_platform() -> None:
    source = Path(verify.__file__).read_text(encoding="utf-8")
    imports = [line.split()[1] for line in source.splitlines() if line.startswith(("import ", "from "))]
    assert set(imports) <= {"hashlib", "json", "math", "sys"}


frames = st.lists(
    st.tuples(
        st.text(st.characters(codec="utf-8", exclude_characters="\t\n\r"), min_size=1, max_size=10),
        st.integers(1, 6),
        st.sampled_from(["", "a", "区"]),
    ),
    max_size=30,
    unique_by=lambda t: t[0],
)


@settings(max_examples=60, deadline=None)
@given(frames, st.dictionaries(st.text(min_size=1, max_size=5), st.text(max_size=12), min_size=1, max_size=4))
def test_every_record_the_sampler_builds_verifies(frame, secrets) -> None:
    secrets = {k: v for k, v in secrets.items() if all(not 0xD800 <= ord(c) <= 0xDFFF for c in k + v)}
    if not secrets:
        return
    items = [sampler.FrameItem(*t) for t in frame]
    record = make_record(items=items, quotas={"": 2, "a": 1, "区": 0}, secrets=secrets)
    parsed = json.loads(sampler.record_json(record))
    assert parsed == record
    assert verify.verify(parsed).startswith("OK 核验通过")
