"""The draw's native loops (`choujian.draws.native`) against the Python loops and the literal spec.

Both paths must give the same frames and draws bit for bit, whatever the order, the text or the weights of the
items; anything the native scan does not vouch for (a duplicate id, a foreign object, a subclass) is decided by the
Python path with its own errors.
"""

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from choujian.draws import sampler
from choujian.draws.sampler import FrameError, FrameItem
from tests.draws.test_draw_sampler import all_quotas, frames, items_of, seeds, spec_ranking

native = sampler.native


def test_the_native_loops_are_built() -> None:
    assert native is not None, (
        "choujian.draws.native was not compiled: install a C compiler, the Python headers and OpenSSL's "
        "(Debian: gcc python3-dev libssl-dev), then `pip install -e .` again"
    )


def python_only(function, *args):
    saved, sampler.native = sampler.native, None
    try:
        return function(*args)
    finally:
        sampler.native = saved


def columns(frame: sampler.Frame) -> tuple:
    weights = None if frame.weights is None else frame.weights.tolist()
    positions = {stratum: rows.tolist() for stratum, rows in frame.positions.items()}
    return frame.ids, frame.canonical, weights, positions


@settings(max_examples=200, deadline=None)
@given(frames, seeds, st.randoms(use_true_random=False))
def test_native_and_python_frames_and_draws_are_identical(frame, seed, rng) -> None:
    items = items_of(frame)
    rng.shuffle(items)
    assert columns(sampler.Frame(items)) == columns(python_only(sampler.Frame, items))
    quotas = all_quotas(frame, rng)
    drawn = sampler.draw(items, seed, quotas)
    assert drawn == python_only(sampler.draw, items, seed, quotas)
    for stratum in quotas:
        assert drawn.selected[stratum] + drawn.alternates[stratum] == spec_ranking(frame, seed, stratum)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(max_size=30), max_size=40), seeds, st.lists(st.integers(1, 2**53), min_size=40, max_size=40))
def test_native_keys_equal_the_python_keys(messages, seed, weight_list) -> None:
    weights = np.array(weight_list[: len(messages)], dtype=np.float64)
    for given_weights in (None, weights):
        u, keys = sampler.keyed(messages, f"{seed},", given_weights)
        u_py, _ = python_only(sampler.keyed, messages, f"{seed},", given_weights)
        assert u.tolist() == u_py.tolist()
        w = [1.0] * len(messages) if given_weights is None else given_weights.tolist()
        assert keys.tolist() == [sampler._exact_key(a, b) for a, b in zip(u.tolist(), w, strict=True)]


def test_a_message_without_utf8_leaves_the_keys_to_python() -> None:
    assert native.keys(["ok", "\ud800"], b"seed,", None) is None
    with pytest.raises(UnicodeEncodeError):
        sampler.keyed(["ok", "\ud800"], "seed,", None)


def test_a_duplicate_id_in_shuffled_items_is_refused_with_its_name() -> None:
    items = [FrameItem(f"E{k:05d}", 1 + k % 3, f"S{k % 4}") for k in range(2000)]
    items.append(FrameItem("E00777", 2, "S9"))
    random.Random(7).shuffle(items)
    with pytest.raises(FrameError, match="duplicate id 'E00777'"):
        sampler.Frame(items)


def test_what_the_native_scan_does_not_vouch_for_is_decided_in_python() -> None:
    class Tagged(FrameItem):
        __slots__ = ()

    items = [FrameItem("b", 2, "x"), Tagged("a", 1, "y")]
    assert native.scan(items, FrameItem) is None
    assert columns(sampler.Frame(items)) == columns(python_only(sampler.Frame, items))
    with pytest.raises(FrameError, match="must be FrameItem instances, got str"):
        sampler.Frame([FrameItem("a"), "b"])


def test_items_given_as_an_iterator_are_read_once_whichever_path_decides() -> None:
    class Tagged(FrameItem):
        __slots__ = ()

    items = [FrameItem("b", 2, "x"), Tagged("a", 1, "y")]
    assert sampler.Frame(iter(items)).ids == ["b", "a"]
    with pytest.raises(FrameError, match="must be FrameItem instances"):
        sampler.Frame(item for item in [FrameItem("a"), "b"])


def test_gather_refuses_a_position_outside_the_list_or_not_int64() -> None:
    assert native.gather(["a", "b", "c"], np.array([2, 0], dtype=np.int64)) == ["c", "a"]
    with pytest.raises(IndexError):
        native.gather(["a"], np.array([1], dtype=np.int64))
    with pytest.raises(TypeError, match="int64"):
        native.gather(["a", "b", "c"], np.array([1, 0], dtype=np.int32))


def test_a_str_subclass_leaves_the_keys_to_python() -> None:
    class Loud(str):
        def encode(self, *args):
            return self.upper().encode()

    assert native.keys([Loud("abc")], b"seed,", None) is None
    u, _ = sampler.keyed([Loud("abc")], "seed,", None)
    assert u.tolist() == python_only(sampler.keyed, ["ABC"], "seed,", None)[0].tolist()


def test_sealed_draws_rank_the_same_natively() -> None:
    from choujian.draws import sealed

    rng = random.Random(3)
    salted = [
        sealed.SaltedItem(f"I{k:04d}", 1 + k % 5, f"S{k % 3}", f"{rng.getrandbits(128):032x}") for k in range(300)
    ]
    frame = sealed.SealedFrame(salted)
    quotas = {"S0": 4, "S1": 0, "S2": 9}
    drawn = sealed.draw(frame, "s" * 64, quotas)
    assert drawn == python_only(sealed.draw, frame, "s" * 64, quotas)
    first = sorted(salted, key=lambda item: (sealed.item_key("s" * 64, item), item.id))
    assert drawn.selected["S2"] == [item.id for item in first if item.stratum == "S2"][:9]
