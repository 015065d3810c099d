"""Draw benchmark (pure Python, no database): `sampler.draw` against a bare SHA-256 loop over the same strings.

The frame has `n` items with weights 1..5 spread over `strata` strata (ids such as `91350100MA00012345/P0007`,
regions as strata), each stratum with a quota of 10. The baseline hashes the same `f"{seed},{id}"` strings,
pre-built and pre-encoded, with `for s in strings: sha256(s).digest()`. Both are timed with
`time.perf_counter`, best of `repeats`, alternating so that both see the same machine load.

`draw` is timed three ways: on a `sampler.Frame` built beforehand (the frame is frozen and its digest published
before the seed exists, so the draw itself only hashes and ranks: this is the ratio the target applies to); on the
plain list of items in canonical (id) order, which includes validating them and building the Frame; and on the same
items shuffled, where every object is read in random memory order.

The draw's per-item loops are native when `choujian.draws.native` is built (`loops` says which ran): they hash with
OpenSSL, one hash per item and no Python object per hash, so the draw can take less time than the Python loop.
The floor for native code is measured too: `native_sha256_loop_seconds` hashes the same pre-built strings in the
same native loop the draw uses (and turns each digest into u and a key), and the `*_vs_native_loop` ratios say how
much the frame building, ranking and result lists add to that.
"""

from __future__ import annotations

import random
import time
from hashlib import sha256

from choujian.draws import sampler

SEED = "a3f1" * 16  # a ceremony seed is 64 hex digits


def make_frame(n: int, strata: int, rng: random.Random) -> tuple[list[sampler.FrameItem], dict[str, int]]:
    regions = [f"3501{k:02d}" for k in range(strata)]
    items = [
        sampler.FrameItem(f"91350100MA{i:08d}/P{i % 97:04d}", rng.randint(1, 5), regions[rng.randrange(strata)])
        for i in range(n)
    ]
    return items, {region: 10 for region in regions}


def bench_draw(n: int = 1_000_000, strata: int = 20, *, repeats: int = 3, seed: int = 20260305) -> dict:
    rng = random.Random(seed)
    items, quotas = make_frame(n, strata, rng)
    shuffled = items[:]
    rng.shuffle(shuffled)
    strings = [f"{SEED},{item.id}".encode() for item in items]

    def bare_loop() -> None:
        for s in strings:
            sha256(s).digest()

    texts = [s.decode() for s in strings]

    started = time.perf_counter()
    frame = sampler.Frame(items)
    frame_seconds = time.perf_counter() - started
    runs = {"draw": (lambda: sampler.draw(frame, SEED, quotas)), "sha256": bare_loop}
    runs["draw_items"] = lambda: sampler.draw(items, SEED, quotas)
    runs["draw_shuffled"] = lambda: sampler.draw(shuffled, SEED, quotas)
    if sampler.native is not None:
        runs["native"] = lambda: sampler.native.keys(texts, b"", None)
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(repeats):
        for name, function in runs.items():
            started = time.perf_counter()
            function()
            best[name] = min(best[name], time.perf_counter() - started)
    result = {
        "loops": "python" if sampler.native is None else "native",
        "items": n,
        "strata": strata,
        "weights": "1..5",
        "draw_seconds": round(best["draw"], 3),
        "sha256_loop_seconds": round(best["sha256"], 3),
        "ratio": round(best["draw"] / best["sha256"], 2),
        "frame_prepare_seconds": round(frame_seconds, 3),
        "draw_from_items_seconds": round(best["draw_items"], 3),
        "ratio_from_items": round(best["draw_items"] / best["sha256"], 2),
        "draw_shuffled_input_seconds": round(best["draw_shuffled"], 3),
        "ratio_shuffled_input": round(best["draw_shuffled"] / best["sha256"], 2),
    }
    if "native" in best:
        result["native_sha256_loop_seconds"] = round(best["native"], 3)
        for name, key in (
            ("draw", "ratio"),
            ("draw_items", "ratio_from_items"),
            ("draw_shuffled", "ratio_shuffled_input"),
        ):
            result[f"{key}_vs_native_loop"] = round(best[name] / best["native"], 2)
    return result


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(bench_draw(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000), indent=2))
