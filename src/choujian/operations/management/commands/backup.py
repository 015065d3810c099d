"""`choujian backup --output FILE`: database dump, stored files, signed checkpoint and manifest in one archive."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from choujian.operations.backup import BackupError, backup
from choujian.operations.dumps import DumpError


class Command(BaseCommand):
    help = "备份 / back up: 数据库、文件、追溯日志检查点和 SHA-256 清单写入一个归档（.tar.gz）"

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="新的归档文件，如 choujian-20261206.tar.gz")
        parser.add_argument(
            "--with-signing-key", action="store_true",
            help="连同检查点签名密钥一起备份（持有者可签发检查点，请分开妥善保管）/ include the signing key",
        )  # fmt: skip

    def handle(self, *args, **options):
        output = Path(options["output"])
        if not output.parent.is_dir():
            raise CommandError(f"目录不存在 / no such directory: {output.parent}")
        try:
            summary = backup(output, with_signing_key=options["with_signing_key"], say=self.stderr.write)
        except (BackupError, DumpError, OSError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(
            f"已备份 / backed up: {output}（{summary.files} 个成员 / members，{summary.bytes:,} 字节 / bytes）"
        ))  # fmt: skip
        self.stdout.write(f"检查点 / checkpoint: 大小 size {summary.checkpoint_size}，根哈希 root {summary.root}")
