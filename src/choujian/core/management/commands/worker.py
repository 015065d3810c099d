"""`choujian worker`: consume the job queue and run the scheduled jobs (result settling, ceremony deadlines, the
ledger check). `choujian run` starts one beside the web server; start more on this or other machines (with a shared
Redis queue, CHOUJIAN_REDIS_URL) for more throughput."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "启动后台任务进程：定时结案、仪式超时、追溯日志校验等 / run the background and scheduled jobs"

    def add_arguments(self, parser):
        parser.add_argument(
            "--threads", type=int, default=settings.HUEY["consumer"]["workers"], help="并行线程数 / worker threads"
        )
        parser.add_argument(
            "--no-schedule", action="store_true", help="只处理队列，不运行定时任务 / consume only, no periodic jobs"
        )

    def handle(self, *args, **options):
        self.stdout.write(f"后台任务进程已启动（{options['threads']} 个线程）/ worker started")
        call_command("run_huey", workers=options["threads"], worker_type="thread", no_periodic=options["no_schedule"])
