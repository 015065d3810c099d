"""Backup and restore, end to end on the database the suite runs on (SQLite, or PostgreSQL with pg_dump): an archive
of an installation restores into an empty one whose ledger verifies and holds the archive's checkpoint; a changed
byte, a foreign member or a non-empty target is refused by name and changes nothing."""

import io
import json
import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest
from django.db import connection

pytestmark = pytest.mark.undated
SETUP = """
from choujian.accounts.services import organisation_create
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
organisation_create(actor=None, name="备份测试市场监督管理局", kind="regulator", level="province", region="350000")
default_storage.save("evidence/现场/封样照片.png", ContentFile(b"\\x89PNG evidence bytes"))
"""
READ = """
from choujian.accounts.models import Organisation
from django.core.files.storage import default_storage
print(list(Organisation.objects.values_list("name", flat=True)))
print(default_storage.open("evidence/现场/封样照片.png").read())
"""


def _database(name: str):
    import psycopg

    settings = connection.settings_dict
    url = f"postgresql://{settings['USER'] or 'postgres'}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
    admin = psycopg.connect(f"{url}/{settings['NAME']}", autocommit=True)
    admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.execute(f'CREATE DATABASE "{name}"')
    return f"{url}/{name}", admin


@pytest.fixture
def installations(tmp_path):
    """Two installations sharing the signing key: `source` with data, `target` empty."""
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CHOUJIAN_DATA_DIR")}
    base["CHOUJIAN_LEDGER_KEY_FILE"] = str(tmp_path / "keys" / "ledger.pem")
    made, admin = [], None
    envs = {}
    for role in ("source", "target"):
        env = dict(base, CHOUJIAN_DATA_DIR=str(tmp_path / role))
        if connection.vendor == "postgresql":
            name = f"backup_{role}_{uuid.uuid4().hex[:8]}"
            env["DATABASE_URL"], admin = _database(name)
            made.append(name)
        envs[role] = env
    yield envs
    if admin is not None:
        for name in made:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _run(env: dict, *args: str, ok: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "choujian.cli", *args], env=env, capture_output=True, text=True,
                            check=False, timeout=300)  # fmt: skip
    assert (result.returncode == 0) == ok, result.stdout + result.stderr
    return result


def _rewrite(archive: Path, out: Path, change) -> None:
    with tarfile.open(archive) as source, tarfile.open(out, "w:gz") as copy:
        for member in source:
            data = source.extractfile(member).read()
            name, data = change(member.name, data)
            info = tarfile.TarInfo(name)
            info.size = len(data)
            copy.addfile(info, io.BytesIO(data))


def _refused(target: dict, archive: Path, tmp_path: Path) -> None:
    """A changed byte, a foreign member or a file that is no archive: refused by name before anything is written."""
    changed = tmp_path / "changed.tar.gz"
    _rewrite(archive, changed, lambda name, data: (name, data.replace(b"evidence", b"EVIDENCE") if name.startswith(
        "files/") else data))  # fmt: skip
    refused = _run(target, "restore", str(changed), ok=False)
    assert "摘要不符" in refused.stderr and "封样照片.png" in refused.stderr
    foreign = tmp_path / "foreign.tar.gz"
    _rewrite(archive, foreign, lambda name, data: ("files/../../etc/x" if name.startswith("files/") else name, data))
    assert "清单之外" in _run(target, "restore", str(foreign), ok=False).stderr
    not_a_backup = tmp_path / "x.tar.gz"
    not_a_backup.write_bytes(b"not a tar")
    assert "无法读取" in _run(target, "restore", str(not_a_backup), ok=False).stderr
    assert not (Path(target["CHOUJIAN_DATA_DIR"]) / "media").exists()


def test_a_backup_restores_into_an_empty_installation_whose_ledger_verifies(installations, tmp_path):
    source, target = installations["source"], installations["target"]
    _run(source, "migrate", "-v", "0")
    _run(source, "shell", "-c", SETUP)
    archive = tmp_path / "choujian.tar.gz"
    made = _run(source, "backup", "--output", str(archive))
    assert "检查点" in made.stdout
    with tarfile.open(archive) as opened:
        names = opened.getnames()
        manifest = json.loads(opened.extractfile("manifest.json").read())
    assert names[0] == "manifest.json" and "files/evidence/现场/封样照片.png" in names
    assert manifest["database"] == connection.vendor and manifest["checkpoint"]["size"] >= 1
    assert {m["path"] for m in manifest["members"]} == set(names) - {"manifest.json"}
    assert _run(source, "backup", "--output", str(archive), ok=False).stderr.count("已存在") == 1
    assert "归档完整" in _run(source, "restore", "--check", str(archive)).stdout
    _refused(target, archive, tmp_path)

    restored = _run(target, "restore", str(archive))
    assert manifest["checkpoint"]["root"] in restored.stdout
    verified = _run(target, "ledger", "verify")
    assert "OK" in verified.stdout
    seen = _run(target, "shell", "-c", READ).stdout
    assert "备份测试市场监督管理局" in seen and "evidence bytes" in seen
    again = _run(target, "restore", str(archive), ok=False)
    assert "空的安装" in again.stderr
