"""The draw benchmark code runs end to end at tiny sizes (figures come from `make bench`; no timing here)."""

import pytest

from bench import draws as bench
from choujian.core.uscc import is_valid_uscc
from choujian.draws.models import Frame
from choujian.registry.models import Enterprise


def test_it_makes_valid_distinct_credit_codes():
    codes = bench.CreditCodes()
    made = [codes.make(region, number) for region in ("350102", "350582") for number in (0, 1, 9_999, 10_000, 123_456)]
    assert all(is_valid_uscc(code) for code in made)
    assert len(set(made)) == len(made)


def test_it_compares_the_draw_with_a_bare_sha256_loop():
    result = bench.draw_ratio(2_000, repeats=1)
    assert result["items"] == 2_000 and result["ratio"] > 0
    assert {"draw_seconds", "sha256_loop_seconds", "ratio_shuffled_input"} <= set(result)


@pytest.mark.django_db
def test_it_builds_a_registry_and_times_the_frame_without_touching_postgres(monkeypatch):
    monkeypatch.setattr(bench.pg, "answers", lambda: pytest.fail("the smoke run must not start PostgreSQL"))
    result = bench.run(draw_items=2_000, enterprises=300, postgres=False, say=lambda line: None)
    frames = result["frames"]["sqlite" if "sqlite" in result["frames"] else "postgresql"]
    assert frames["registry"]["enterprises"] == Enterprise.objects.count() == 300
    built, written = frames["frames_build"], frames["frame_build_service"]
    assert built["items"] + built["excluded"] == 300
    assert 0 < built["excluded"] < 300  # closed enterprises and discontinued products, with reasons
    assert (written["items_written"], written["exclusions_written"]) == (built["items"], built["excluded"])
    frame = Frame.objects.get()
    assert frame.digest == written["digest"] and frame.exclusions.filter(reason__contains="停产").exists()
