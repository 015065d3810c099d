"""`choujian ledger verify | watch | export DIR | checkpoint`: check the log against the database (in full, or the
scheduled incremental check), export it, sign now."""

import time

from django.core.management.base import BaseCommand, CommandError

from choujian.ledger import verify as ledger_verify
from choujian.ledger.export import ExportError, export_ledger
from choujian.ledger.keys import verifier_key
from choujian.ledger.selectors import latest_checkpoint
from choujian.ledger.services import checkpoint_make, current_size
from choujian.ledger.watch import DEFAULT_BUDGET, ledger_watch

PROGRESS_EVERY = 100_000


class Command(BaseCommand):
    help = "追溯日志 / tamper-evident ledger: verify 校验, export DIR 导出, checkpoint 签发检查点"

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", metavar="{verify,watch,export,checkpoint,events}")
        actions.required = True
        check = actions.add_parser(
            "verify",
            help="重算哈希树、校验检查点签名和一致性、核对每个对象的当前状态 / recompute the tree, check checkpoints "
            "and that every ledgered row matches its last entry",
        )
        check.add_argument("--chunk-size", type=int, default=ledger_verify.CHUNK_SIZE)
        watch = actions.add_parser(
            "watch",
            help="定时增量校验，发现不符即通知平台管理员 / the scheduled incremental check; alerts the administrators",
        )
        watch.add_argument("--budget", type=int, default=DEFAULT_BUDGET, help="每次复核的对象数上限 / rows per run")
        watch.add_argument(
            "--every", type=int, default=0, help="每隔多少秒运行一次（0 = 只运行一次）/ repeat every N seconds"
        )
        out = actions.add_parser(
            "export", help="导出供独立校验的日志 / export for `python -m choujian.ledger.standalone DIR`"
        )
        out.add_argument("directory", help="新的或空的目录 / a new or empty directory")
        actions.add_parser("checkpoint", help="立即签发检查点 / sign a checkpoint of the current tree now")
        actions.add_parser("events", help="列出全部日志事件（docs/ledger-events.md）/ print the table of ledger events")

    def handle(self, *args, **options):
        action = options["action"]
        if action == "verify":
            return self._verify(options)
        if action == "watch":
            return self._watch(options)
        if action == "export":
            return self._export(options["directory"])
        if action == "events":
            from choujian.ledger.events import document

            return self.stdout.write(document(), ending="")
        return self._checkpoint()

    def _watch(self, options):
        budget, every = options["budget"], options["every"]
        if budget < 1 or every < 0:
            raise CommandError("--budget 须为正整数，--every 须为非负整数 / --budget must be ≥ 1 and --every ≥ 0")
        while True:
            report = ledger_watch(budget=budget)
            summary = (
                f"{report.entries} 条新记录 / new entries, {report.touched} 个相关对象 / objects they touch, "
                f"{report.rechecked} 个对象复核 / rows re-read"
            )
            if report.ok:
                self.stdout.write(self.style.SUCCESS(f"未发现不符 / no problems: {summary}"))
            else:
                for problem in report.problems:
                    self.stdout.write(self.style.ERROR(problem["message"]))
                self.stdout.write(
                    self.style.ERROR(
                        f"{len(report.problems)} 处不符 / problem(s), 已通知 {report.alerted} 人: {summary}"
                    )
                )
            if not every:
                if not report.ok:
                    raise SystemExit(1)
                return
            time.sleep(every)

    def _progress(self, verbosity: int):
        shown = {"entries": 0, "objects": 0}

        def report(stage: str, done: int, total: int) -> None:
            if verbosity < 1 or done - shown[stage] < PROGRESS_EVERY:
                return
            shown[stage] = done
            label = "条目 entries" if stage == "entries" else "对象 objects"
            self.stderr.write(f"  … {label}: {done}" + (f" / {total}" if total else ""))

        return report

    def _verify(self, options):
        verbosity = options["verbosity"]
        if verbosity >= 1:
            self.stdout.write("正在校验追溯日志 / verifying the ledger …")
        report = ledger_verify.run(chunk_size=options["chunk_size"], progress=self._progress(verbosity))
        summary = (
            f"{report.entries} 条记录 / entries, {report.checkpoints} 个检查点 / checkpoints, "
            f"{report.objects} 个对象 / objects"
        )
        if report.problems:
            for problem in report.problems:
                self.stderr.write(f"FAIL: {problem}")
            raise CommandError(f"校验失败 / verification FAILED: {len(report.problems)} 个问题 / problem(s); {summary}")
        self.stdout.write(self.style.SUCCESS(f"OK 校验通过 / ledger verified: {summary}"))
        self.stdout.write(f"根哈希 / root {report.root.hex()} (大小 / size {report.entries})")

    def _export(self, directory: str):
        try:
            summary = export_ledger(directory)
        except (ExportError, OSError) as exc:
            raise CommandError(f"导出失败 / export failed: {exc}") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"已导出 / exported {summary.entries} 条记录 / entries 和 / and {summary.checkpoints} 个检查点 / "
                f"checkpoints → {summary.directory}"
            )
        )
        unsigned = summary.entries - summary.signed_size
        if unsigned > 0:
            self.stdout.write(
                f"注意 / note: 最后 {unsigned} 条记录尚无检查点签名，可先运行 `choujian ledger checkpoint` / "
                f"the last {unsigned} entries are not signed yet; run `choujian ledger checkpoint` first"
            )
        self.stdout.write(f"独立校验 / verify independently: python -m choujian.ledger.standalone {summary.directory}")

    def _checkpoint(self):
        made = checkpoint_make(wait=True)
        latest = latest_checkpoint()
        if made is not None:
            self.stdout.write(self.style.SUCCESS(f"已签发检查点 / signed a checkpoint of size {made.size}"))
        elif latest is not None:
            self.stdout.write(
                f"日志自检查点 {latest.size} 以来没有新记录 / no new entries since the checkpoint of size {latest.size}"
            )
        if latest is None:
            self.stdout.write(f"日志为空 / the ledger is empty (size {current_size()})")
            return
        self.stdout.write(latest.note.rstrip("\n"))
        self.stdout.write(f"校验公钥 / verifier key: {verifier_key()}")
