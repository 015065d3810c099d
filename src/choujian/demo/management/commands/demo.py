"""`choujian demo`: build the demo data set (see choujian.demo.builder) and print the logins."""

import time
import unicodedata

from django.core.management.base import BaseCommand, CommandError

from choujian.core.errors import ServiceError
from choujian.demo import data
from choujian.demo.builder import build_demo, demo_exists


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def table(header: list[str], rows: list[list[str]]) -> str:
    """A plain-text table whose columns line up in a terminal, Chinese characters counting as two columns."""
    widths = [max(_width(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


class Command(BaseCommand):
    help = "生成演示数据：福建省交通运输厅及下属监管部门、抽样和检验机构、企业、产品、项目、进场批次和各角色账号"

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=data.SEED, help=f"随机种子（默认 {data.SEED}）")

    def handle(self, *args, **options):
        if demo_exists():
            self.stdout.write("演示数据已存在（用户 regulator 已存在），未做任何更改。")
            return
        started = time.monotonic()
        try:
            result = build_demo(seed=options["seed"], progress=self._progress)
        except ServiceError as exc:
            raise CommandError(f"生成演示数据失败，数据库未做任何更改：{exc}") from exc
        elapsed = time.monotonic() - started
        counts = "，".join(f"{name} {count}" for name, count in result.counts.items())
        self.stdout.write(self.style.SUCCESS(f"演示数据已生成（用时 {elapsed:.1f} 秒）：{counts}"))
        rows = [
            [login.username, login.display_name, "、".join(login.roles), login.organisation, result.password]
            for login in result.logins
        ]
        self.stdout.write("")
        self.stdout.write(table(["用户名", "姓名", "角色", "机构", "密码"], rows))

    def _progress(self, label: str, done: int, total: int) -> None:
        # A terminal gets one line rewritten in place; a log file gets a line per hundred rows.
        if self.stdout.isatty():
            self.stdout.write(f"\r{label} {done}/{total}", ending="\n" if done == total else "")
            self.stdout.flush()
        elif done == total or done % 100 == 0:
            self.stdout.write(f"{label} {done}/{total}")
