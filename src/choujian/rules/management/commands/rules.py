"""`choujian rules check | load`: check the shipped rule files, or load them into the database as drafts."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from choujian.core.errors import ServiceError
from choujian.rules import schema
from choujian.rules.services import ruleset_load_files


class Command(BaseCommand):
    help = "实施细则 / implementation rules: check 校验细则文件, load 载入数据库（草拟状态）"

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", metavar="{check,load}")
        actions.required = True
        for name, text in [
            ("check", "校验细则文件，不写数据库 / check the rule files without touching the database"),
            ("load", "载入或刷新细则文件（幂等）/ load or refresh the rule files (idempotent)"),
        ]:
            sub = actions.add_parser(name, help=text)
            sub.add_argument("--directory", type=Path, default=schema.DATA_DIR, help="细则文件目录 / rule directory")

    def handle(self, *args, **options):
        directory = options["directory"]
        if options["action"] == "check":
            try:
                files = schema.load_directory(directory)
            except schema.SchemaError as exc:
                raise CommandError("\n".join(str(p) for p in exc.problems)) from None
            for name, content in files:
                open_points = len(schema.unverified(content))
                self.stdout.write(
                    f"{name}: {content['category']['code']} {content['version']}，未核实 {open_points} 处"
                )
            return
        try:
            report = ruleset_load_files(actor=None, directory=directory)
        except ServiceError as exc:
            raise CommandError("\n".join(m for msgs in exc.errors.values() for m in msgs)) from None
        for label, names in [("新建", report.created), ("刷新", report.refreshed), ("未变", report.unchanged)]:
            for name in names:
                self.stdout.write(f"{label} {name}")
        for name, reason in report.kept.items():
            self.stdout.write(f"保留 {name}：{reason}")
