"""`python -m bench.load`: the platform under the load of 50 people at once, on PostgreSQL + Redis.

Builds a fresh installation (database `choujian_load`, a Redis database for the cache and the task queue, the demo's
data), starts it as an operator would (`choujian run`: gunicorn with its processes and threads, one worker), runs the
locust scenario (bench/load/locustfile.py) once with a single person and once with `--users` people, and writes
p50/p95/p99 and throughput per kind of request to bench/results/load.json with the goals marked ✓/✗.
Locust lives in a virtual environment of its own (`make load` makes it), named by `--locust`.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench import postgres
from bench.__main__ import machine

HERE = Path(__file__).resolve().parent
RESULTS = HERE.parent / "results" / "load.json"
GOALS_MS = {"page": 300, "api": 300, "write": 1000}
PEOPLE = ("Regulator", "Sampler", "Tester", "Public")  # the locustfile's classes


def _sh(command: list[str], env: dict, **kwargs) -> None:
    subprocess.run(command, env=env, check=True, **kwargs)


def _wait_until_up(url: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=5) as response:
                if response.status in (200, 503):
                    return
        except OSError:
            time.sleep(1)
    raise RuntimeError(f"the platform did not answer at {url} within {seconds:.0f} s")


def _locust(args, env: dict, users: int, seconds: int, report: Path, people: list[str] = ()) -> dict:
    command = [args.locust, "-f", str(HERE / "locustfile.py"), "--headless", "--host", args.url, "-u", str(users),
               "-r", str(args.spawn_rate), "-t", f"{seconds}s", "--only-summary", "--stop-timeout", "10"]  # fmt: skip
    command += people
    subprocess.run(command, env=env | {"CHOUJIAN_LOAD_REPORT": str(report)}, check=False, stdout=subprocess.DEVNULL)
    return json.loads(report.read_text())


def _percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))] if ordered else 0.0


def summary(raw: list[dict]) -> dict:
    """Per kind of request: count, failures, throughput, p50/p95/p99 (nearest rank), over one run or several."""
    seconds = sum(run["seconds"] for run in raw)
    kinds = {}
    for kind in GOALS_MS:
        ordered = sorted(time for run in raw for time in run["times"][kind])
        kinds[kind] = {
            "requests": len(ordered),
            "failures": sum(run["failures"][kind] for run in raw),
            "per_second": round(len(ordered) / seconds, 2) if seconds else 0.0,
            **{f"p{p}_ms": round(_percentile(ordered, p / 100), 1) for p in (50, 95, 99)},
            "max_ms": ordered[-1] if ordered else 0.0,
        }
    merged = {}
    for name in ("errors", "expected"):
        merged[name] = {}
        for run in raw:
            for key, count in run[name].items():
                merged[name][key] = merged[name].get(key, 0) + count
    return {"seconds": round(seconds, 1), "kinds": kinds, **merged}


def _verdict(run: dict) -> dict:
    goals = {}
    for kind, limit in GOALS_MS.items():
        figures = run["kinds"][kind]
        goals[kind] = {"p95_ms": figures["p95_ms"], "goal_ms": limit, "met": figures["p95_ms"] < limit}
    goals["errors"] = {"failures": sum(k["failures"] for k in run["kinds"].values()), "goal": 0}
    goals["errors"]["met"] = goals["errors"]["failures"] == 0
    return goals


def _print(title: str, run: dict) -> None:
    print(f"\n{title}: {run['seconds']} s")
    print(f"  {'kind':6} {'requests':>9} {'fail':>5} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for kind, f in run["kinds"].items():
        print(f"  {kind:6} {f['requests']:>9} {f['failures']:>5} {f['per_second']:>7} {f['p50_ms']:>8} "
              f"{f['p95_ms']:>8} {f['p99_ms']:>8}")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=300, help="length of the run with --users people")
    parser.add_argument("--single-seconds", type=int, default=120, help="length of the one-person run")
    parser.add_argument("--spawn-rate", type=float, default=2.0, help="people arriving per second")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--database", default="choujian_load")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/7")
    parser.add_argument("--locust", default=str(HERE.parents[1] / ".venv-load" / "bin" / "locust"))
    args = parser.parse_args(argv)
    args.url = f"http://127.0.0.1:{args.port}"
    if not Path(args.locust).exists():
        print(f"locust not found at {args.locust}: run `make load`, or name it with --locust", file=sys.stderr)
        return 1

    work = Path(tempfile.mkdtemp(prefix="choujian-load-"))
    env = os.environ | {
        "DATABASE_URL": postgres.fresh(args.database),
        "CHOUJIAN_REDIS_URL": args.redis_url,
        "CHOUJIAN_DATA_DIR": str(work / "data"),
        "PORT": str(args.port),
        "DJANGO_SETTINGS_MODULE": "choujian.settings",
        # Every simulated visitor comes from this one address: the per-address limit would refuse them, not the load.
        "CHOUJIAN_OPEN_API_RATE": "100000/min",
        "CHOUJIAN_REQUEST_LOG_LEVEL": "WARNING",
        "CHOUJIAN_LOAD_FIXTURE": str(work / "fixture"),
    }
    subprocess.run(["redis-cli", "-u", args.redis_url, "FLUSHDB"], check=False, capture_output=True)
    choujian = [sys.executable, "-m", "choujian.cli"]
    print("building the demo installation on PostgreSQL …", flush=True)
    _sh([*choujian, "migrate", "-v0"], env)
    _sh([*choujian, "demo"], env, stdout=subprocess.DEVNULL)
    _sh([sys.executable, "-m", "bench.load.prepare", str(work / "fixture")], env)
    server = subprocess.Popen([*choujian, "run", "--no-demo"], env=env, start_new_session=True)
    try:
        _wait_until_up(args.url)
        runs = []
        for person in PEOPLE:  # one at a time: what each kind of person sees with the platform to themselves
            print(f"one {person} for {args.single_seconds} s …", flush=True)
            runs.append(_locust(args, env, 1, args.single_seconds, work / f"{person}.json", [person]))
        single = summary(runs)
        print(f"{args.users} people for {args.seconds} s …", flush=True)
        loaded = summary([_locust(args, env, args.users, args.seconds, work / "loaded.json")])
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)

    _print("one person", single)
    _print(f"{args.users} people", loaded)
    goals = _verdict(loaded)
    for name, goal in goals.items():
        mark = "✓" if goal["met"] else "✗"
        if "p95_ms" in goal:
            shown = f"p95 {goal['p95_ms']} ms (goal < {goal['goal_ms']} ms)"
        else:
            shown = f"{goal['failures']} failed"
        print(f"  {name}: {shown} {mark}")
    RESULTS.write_text(json.dumps({
        "users": args.users, "spawn_rate": args.spawn_rate, "think_seconds": "1–4",
        "served_by": "choujian run: gunicorn gthread, 2 × cores + 1 processes × 4 threads, one worker",
        "database": "postgresql", "cache_and_queue": "redis",
        "single_user": single, "loaded": loaded, "goals": goals,
        "environment": {"python": platform.python_version(), **machine()},
    }, ensure_ascii=False, indent=2) + "\n")  # fmt: skip
    print(f"\nwritten to {RESULTS.relative_to(HERE.parents[1])}")
    return 0 if all(goal["met"] for goal in goals.values()) else 2


if __name__ == "__main__":
    sys.exit(main())
