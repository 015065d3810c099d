"""A consistent copy of the database and its return into an empty one: SQLite through its online backup API,
PostgreSQL through `pg_dump`/`pg_restore` (custom format)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connection


class DumpError(Exception):
    pass


def dump_name(vendor: str) -> str:
    return {"sqlite": "database/choujian.sqlite3", "postgresql": "database/choujian.pgdump"}[vendor]


def _pg_env() -> tuple[list[str], dict]:
    settings = connection.settings_dict
    args = ["--host", settings.get("HOST") or "localhost", "--port", str(settings.get("PORT") or 5432)]
    if settings.get("USER"):
        args += ["--username", settings["USER"]]
    env = dict(os.environ)
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = settings["PASSWORD"]
    return args, env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise DumpError(f"找不到 {name}：请安装与数据库服务器同一主版本的 PostgreSQL 客户端 / {name} not found")
    return found


def _sqlite_copy(source: Path | str, target: Path | str) -> None:
    """SQLite's online backup: a consistent copy even while others write."""
    reading, writing = sqlite3.connect(source), sqlite3.connect(target)
    try:
        reading.backup(writing)
    finally:
        writing.close()
        reading.close()


def dump(target: Path) -> None:
    """Write the whole database, as of one moment, to `target`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if connection.vendor == "sqlite":
        _sqlite_copy(connection.settings_dict["NAME"], target)
        return
    if connection.vendor != "postgresql":
        raise DumpError(f"不支持的数据库 / unsupported database: {connection.vendor}")
    args, env = _pg_env()
    command = [_tool("pg_dump"), *args, "--format=custom", "--no-owner", "--no-privileges", "--file", str(target),
               connection.settings_dict["NAME"]]  # fmt: skip
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode:
        raise DumpError(f"pg_dump 失败 / failed: {result.stderr.strip()[-500:]}")


def is_empty() -> bool:
    """No table at all: an installation that has not been migrated (restore creates everything)."""
    return not connection.introspection.table_names()


def restore(source: Path) -> None:
    if connection.vendor == "sqlite":
        name = Path(connection.settings_dict["NAME"])
        connection.close()
        name.parent.mkdir(parents=True, exist_ok=True)
        _sqlite_copy(source, name)
        return
    args, env = _pg_env()
    connection.close()
    command = [_tool("pg_restore"), *args, "--no-owner", "--no-privileges", "--exit-on-error", "--dbname",
               connection.settings_dict["NAME"], str(source)]  # fmt: skip
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode:
        raise DumpError(f"pg_restore 失败 / failed: {result.stderr.strip()[-500:]}")
