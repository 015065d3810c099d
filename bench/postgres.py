"""The benchmarks' PostgreSQL: whether it answers, and a run in a child process on a fresh database of its own."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

HOST, PORT = "127.0.0.1", 5432
ADMIN_URL = f"postgresql://postgres@{HOST}:{PORT}/postgres"
ROOT = Path(__file__).resolve().parent.parent


def url(database: str) -> str:
    return f"postgres://postgres@{HOST}:{PORT}/{database}"


def answers() -> bool:
    try:
        socket.create_connection((HOST, PORT), 2).close()
    except OSError:
        return False
    return True


def admin(statement: str) -> None:
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=5) as connection:
        connection.execute(statement)


def fresh(database: str) -> str:
    """An empty database of that name (dropped first, with whoever is connected to it); its URL."""
    admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    admin(f'CREATE DATABASE "{database}"')
    return url(database)


def run_in_child(database: str, argv: list[str], *, what: str, say: Callable[[str], None]) -> dict:
    """`python ARGV --json FILE` on a fresh database and data directory; its JSON, then the database is dropped."""
    say(f"    PostgreSQL: (re)creating database {database} at {HOST}:{PORT} …")
    try:
        with tempfile.TemporaryDirectory(prefix="choujian-bench-pg-") as directory:
            output = Path(directory) / "figures.json"
            env = {**os.environ, "DATABASE_URL": fresh(database), "CHOUJIAN_DATA_DIR": directory}
            command = [sys.executable, *argv, "--json", str(output)]
            completed = subprocess.run(command, env=env, cwd=ROOT, check=False)
            if completed.returncode != 0:
                raise RuntimeError(f"the PostgreSQL {what} benchmark failed (exit status {completed.returncode})")
            return json.loads(output.read_text(encoding="utf-8"))
    finally:
        admin(f'DROP DATABASE IF EXISTS "{database}"')
        say(f"    PostgreSQL: database {database} dropped")


def child_main(argv: list[str], *, prog: str, option: str, what: str, run: Callable[[int], dict]) -> int:
    """The child's side of `run_in_child`: `--<option> N --json OUT`, the figures of `run(N)` written to OUT."""
    import argparse

    parser = argparse.ArgumentParser(prog=prog)
    parser.add_argument(f"--{option}", type=int, required=True, help=what)
    parser.add_argument("--json", required=True, help="where to write the figures")
    args = parser.parse_args(argv)
    figures = run(getattr(args, option))
    Path(args.json).write_text(json.dumps(figures, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0
