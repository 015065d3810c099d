"""`choujian restore FILE`: into an empty installation; then `choujian ledger verify`."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from choujian.operations.backup import BackupError, check, key_matches, restore
from choujian.operations.dumps import DumpError


class Command(BaseCommand):
    help = "恢复 / restore a backup into an empty installation（--check：只校验归档 / only check the archive）"

    def add_arguments(self, parser):
        parser.add_argument("archive", help="choujian backup 生成的归档")
        parser.add_argument("--check", action="store_true", help="只校验归档的清单和摘要，不恢复 / check only")

    def handle(self, *args, **options):
        path = Path(options["archive"])
        if not path.is_file():
            raise CommandError(f"找不到归档 / no such file: {path}")
        try:
            manifest = check(path) if options["check"] else restore(path, say=self.stderr.write)
        except (BackupError, DumpError, OSError) as exc:
            raise CommandError(str(exc)) from None
        checkpoint = manifest["checkpoint"]
        verb = "归档完整 / archive intact" if options["check"] else "已恢复 / restored"
        self.stdout.write(self.style.SUCCESS(
            f"{verb}: {len(manifest['members'])} 个成员 / members，备份于 / made {manifest['created_at']}"
        ))  # fmt: skip
        self.stdout.write(f"检查点 / checkpoint: 大小 size {checkpoint['size']}，根哈希 root {checkpoint['root']}")
        if options["check"]:
            return
        if not key_matches(manifest):
            self.stdout.write(self.style.WARNING(
                "本安装的签名密钥与备份时不同：请先安装原密钥（CHOUJIAN_LEDGER_KEY_FILE），否则检查点签名无法校验 / "
                "the signing key differs from the one that signed the checkpoints: install the original key"
            ))  # fmt: skip
        self.stdout.write("下一步 / next: choujian ledger verify")
