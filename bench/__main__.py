"""`python -m bench [--quick] [--only ledger|draws]`: run the benchmarks, write bench/results/<name>.json.

Run it under a data directory of its own, as `make bench` does: `CHOUJIAN_DATA_DIR=$(mktemp -d) python -m bench`.
Without CHOUJIAN_DATA_DIR a temporary one is made, so the benchmark never writes into ./data.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def _setup_django() -> None:
    if not os.environ.get("CHOUJIAN_DATA_DIR") and not os.environ.get("DATABASE_URL"):
        os.environ["CHOUJIAN_DATA_DIR"] = tempfile.mkdtemp(prefix="choujian-bench-")
        print("CHOUJIAN_DATA_DIR not set: using a new temporary data directory for the benchmark database")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "choujian.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def machine() -> dict:
    """The machine the figures were measured on: processor, cores and memory (from /proc where there is one)."""
    found = {"cpus": os.cpu_count(), "machine": platform.machine(), "system": platform.system()}
    try:
        info = Path("/proc/cpuinfo").read_text()
        found["processor"] = next(line.split(":", 1)[1].strip() for line in info.splitlines()
                                  if line.startswith("model name"))  # fmt: skip
        memory = Path("/proc/meminfo").read_text().split()
        found["memory_gib"] = round(int(memory[memory.index("MemTotal:") + 1]) / 1024**2, 1)
    except (OSError, StopIteration, ValueError):
        pass
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description="Run the Choujian benchmarks.")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: 10,000 appends, proof sizes 10,000 and 100,000; a draw over 100,000 items, 20,000 enterprises",
    )
    parser.add_argument("--only", choices=["ledger", "draws", "stats"], help="run only this benchmark")
    args = parser.parse_args(argv)
    _setup_django()

    from django.db import connection

    from bench import draws, ledger, stats

    # The ledger benchmark needs an empty ledger, which the draws benchmark's services would not leave: ledger first.
    benchmarks = {"ledger": ledger.run, "draws": draws.run, "stats": stats.run}
    if args.only:
        benchmarks = {args.only: benchmarks[args.only]}
    RESULTS.mkdir(exist_ok=True)
    for name, bench in benchmarks.items():
        print(f"== {name} benchmark{' (--quick)' if args.quick else ''} ==", flush=True)
        started = time.perf_counter()
        try:
            figures = bench(quick=args.quick, say=lambda line: print(line, flush=True))
        except RuntimeError as exc:
            print(f"{name}: {exc}", file=sys.stderr)
            return 1
        elapsed = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        figures["environment"] = {"python": platform.python_version(), "database": connection.vendor, **machine()}
        figures["total_seconds"] = round(elapsed, 1)
        figures["peak_rss_mb"] = round(peak_mb, 1)
        target = RESULTS / f"{name}.{connection.vendor}.json" if name == "stats" else RESULTS / f"{name}.json"
        if args.quick:
            target = RESULTS / f"{name}.quick.json.tmp"  # a smoke run does not replace the published figures
        target.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"== {name}: {elapsed:.1f} s, peak RSS {peak_mb:.0f} MB; results in bench/results/{target.name} ==")
    return 0


if __name__ == "__main__":
    sys.exit(main())
