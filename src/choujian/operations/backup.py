"""`choujian backup` and `choujian restore`: one archive holding a consistent database dump, the stored files, the
ledger checkpoint signed at that moment and a manifest of SHA-256 digests.

The archive (`.tar.gz`) holds `manifest.json` first, then `database/…` and `files/…` (the default storage's files
by their storage names). The manifest names the format, the database, the applied migrations, the checkpoint (size,
root, signed note), the verifier key, and every member with its size and SHA-256. Restore checks every digest
before it writes anything, restores into an empty installation only, and then checks that the restored ledger has
the archive's checkpoint with the same root. The checkpoint signing key is not in the archive unless asked
(`--with-signing-key`): whoever holds it can sign checkpoints, so keep it apart from the copies of the data.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from choujian.ledger.keys import verifier_key
from choujian.ledger.models import Checkpoint
from choujian.ledger.selectors import latest_checkpoint
from choujian.ledger.services import checkpoint_make, current_size, root_at
from choujian.operations import dumps

FORMAT = "choujian-backup-v1"
KEY_MEMBER = "keys/ledger_ed25519.pem"
CHUNK = 1 << 20
Say = Callable[[str], None]


class BackupError(Exception):
    pass


@dataclass
class Summary:
    files: int
    bytes: int
    checkpoint_size: int
    root: str


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def files_on_disk() -> bool:
    """Whether the stored files are on the local disk (else in an object store, copied by its own versioning)."""
    return settings.STORAGES["default"]["BACKEND"].endswith("FileSystemStorage")


def _stored_files() -> list[tuple[str, Path]]:
    """(storage name, path) of every stored file (evidence, certificates, reports, bulletins, archives)."""
    if not files_on_disk():
        return []
    root = Path(settings.MEDIA_ROOT)
    if not root.exists():
        return []
    found = []
    for path in sorted(root.rglob("*")):
        if path.is_file():
            found.append((path.relative_to(root).as_posix(), path))
    return found


def _migrations() -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).migration_qs.order_by("app", "name").values_list("app", "name"):
        latest[app] = name
    return latest


def backup(output: Path, *, with_signing_key: bool = False, say: Say = print) -> Summary:
    if output.exists():
        raise BackupError(f"{output} 已存在：请指定新的文件名 / already exists")
    checkpoint_make(wait=True)
    checkpoint = latest_checkpoint()
    if checkpoint is None:
        raise BackupError("追溯日志为空，无可备份的检查点 / the ledger is empty")
    members: list[tuple[str, Path]] = []
    with tempfile.TemporaryDirectory(prefix="choujian-backup-") as work:
        dump = Path(work) / "database"
        say("正在导出数据库 / dumping the database …")
        dumps.dump(dump)
        members.append((dumps.dump_name(connection.vendor), dump))
        members += [(f"files/{name}", path) for name, path in _stored_files()]
        if with_signing_key:
            members.append((KEY_MEMBER, Path(settings.CHOUJIAN_LEDGER_KEY_FILE)))
        say(f"正在计算 {len(members)} 个文件的摘要 / hashing {len(members)} members …")
        listed = [{"path": name, "bytes": path.stat().st_size, "sha256": _sha256(path)} for name, path in members]
        manifest = {
            "format": FORMAT, "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "database": connection.vendor, "migrations": _migrations(), "ledger_size": current_size(),
            "checkpoint": {"size": checkpoint.size, "root": checkpoint.root, "note": checkpoint.note},
            "verifier_key": verifier_key(), "members": listed,
            "files": "in this archive" if files_on_disk() else "in the object store (not in this archive)",
        }  # fmt: skip
        if not files_on_disk():
            say(
                "文件保存在对象存储中，未放入归档：请用存储桶的版本控制与跨区域复制备份它们 / "
                "the files stay in the object store"
            )
        partial = output.with_name(output.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            body = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mtime = len(body), int(dt.datetime.now().timestamp())
            archive.addfile(info, io.BytesIO(body))
            for name, path in members:
                archive.add(path, arcname=name, recursive=False)
        os.replace(partial, output)
    total = sum(item["bytes"] for item in listed)
    return Summary(len(listed), total, checkpoint.size, checkpoint.root)


def read_manifest(archive: tarfile.TarFile) -> dict:
    try:
        first = archive.next()
        if first is None or first.name != "manifest.json":
            raise BackupError("归档的第一个成员不是 manifest.json：不是本平台的备份 / not a Choujian backup")
        manifest = json.loads(archive.extractfile(first).read())
    except (tarfile.TarError, OSError, ValueError) as exc:
        raise BackupError(f"无法读取备份 / unreadable archive: {exc}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"不支持的备份格式 / unsupported format: {manifest.get('format')!r}")
    return manifest


def check(path: Path) -> dict:
    """Every member present, in the manifest and with its digest; nothing else in the archive."""
    try:
        with tarfile.open(path, "r:gz") as archive:
            manifest = read_manifest(archive)
            expected = {item["path"]: item for item in manifest["members"]}
            seen = set()
            for member in archive:
                if member.name == "manifest.json":
                    continue
                if member.name not in expected or not member.isfile():
                    raise BackupError(f"归档中有清单之外的成员 / unexpected member: {member.name}")
                digest = hashlib.sha256()
                handle = archive.extractfile(member)
                while block := handle.read(CHUNK):
                    digest.update(block)
                if digest.hexdigest() != expected[member.name]["sha256"]:
                    raise BackupError(f"摘要不符（文件已损坏或被改动）/ digest mismatch: {member.name}")
                seen.add(member.name)
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"无法读取备份 / unreadable archive: {exc}") from None
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError(f"缺少成员 / missing members: {', '.join(missing[:5])}")
    return manifest


def _safe(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts:
        raise BackupError(f"不安全的路径 / unsafe path in archive: {name}")
    return path


def restore(path: Path, *, say: Say = print) -> dict:
    """Into an empty installation (no table, no stored file); returns the manifest."""
    manifest = check(path)
    say("备份完整，摘要全部相符 / every digest matches")
    if manifest["database"] != connection.vendor:
        raise BackupError(f"备份来自 {manifest['database']}，当前数据库为 {connection.vendor} / database differs")
    if not dumps.is_empty() or _stored_files():
        raise BackupError("只能恢复到空的安装（数据库中不能有表，文件目录须为空）/ the installation is not empty")
    key_file = Path(settings.CHOUJIAN_LEDGER_KEY_FILE)
    media = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="choujian-restore-") as work, tarfile.open(path, "r:gz") as archive:
        read_manifest(archive)
        for member in archive:
            if member.name == "manifest.json":
                continue
            name = _safe(member.name)
            source = archive.extractfile(member)
            if name.parts[0] == "files":
                target = media.joinpath(*name.parts[1:])
            elif member.name == KEY_MEMBER:
                target = Path(work) / "key.pem"
            else:
                target = Path(work) / "database"
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("wb") as out:
                while block := source.read(CHUNK):
                    out.write(block)
        _install_key(Path(work) / "key.pem", key_file)
        say("正在恢复数据库 / restoring the database …")
        dumps.restore(Path(work) / "database")
    _check_checkpoint(manifest)
    return manifest


def _install_key(restored: Path, key_file: Path) -> None:
    if not restored.exists():
        return
    if key_file.exists() and key_file.read_bytes() != restored.read_bytes():
        raise BackupError(f"{key_file} 已有另一把签名密钥：请先移走它 / a different signing key is installed")
    key_file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    key_file.write_bytes(restored.read_bytes())
    key_file.chmod(0o600)


def _check_checkpoint(manifest: dict) -> None:
    expected = manifest["checkpoint"]
    stored = Checkpoint.objects.filter(size=expected["size"]).first()
    if stored is None or stored.note != expected["note"]:
        raise BackupError("恢复后的数据库中没有备份时的检查点 / the archive's checkpoint is not in the database")
    if root_at(expected["size"]).hex() != expected["root"]:
        raise BackupError("恢复后的追溯日志与备份时的检查点不一致 / the restored tree does not match the checkpoint")


def key_matches(manifest: dict) -> bool:
    return manifest["verifier_key"] == verifier_key()
