"""The `choujian` command: run, demo, migrate, ledger …, and any Django management command."""

import os
import sys


def _django(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "choujian.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["choujian", *argv])


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(
            "用法 usage: choujian <command>\n"
            "  run        迁移数据库、空库时生成演示数据，并启动网站（PORT，默认 8000）\n"
            "  worker     后台任务进程（定时结案、仪式超时、追溯日志校验；run 已自动启动一个）\n"
            "  demo       生成演示数据\n"
            "  migrate    迁移数据库\n"
            "  ledger verify | watch | export DIR | checkpoint   追溯日志校验、定时校验、导出、签发检查点\n"
            "  bench      运行性能基准\n"
            "  其他 Django 管理命令同样可用（如 createsuperuser、shell）。"
        )
        return
    _django(argv)


if __name__ == "__main__":
    main()
