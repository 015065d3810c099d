"""`choujian run`: migrate, seed demo data into an empty database, collect static files, serve, and run one worker
(`choujian worker`: settling results, ceremony deadlines, the scheduled ledger check) beside the server."""

import subprocess
import sys

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "迁移数据库、空库时生成演示数据，并在 PORT（默认 8000）上启动网站"

    def add_arguments(self, parser):
        parser.add_argument("--no-demo", action="store_true", help="空库时也不生成演示数据")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument(
            "--workers", type=int, default=None, help="网站进程数（默认 2 × CPU 核数 + 1，或 CHOUJIAN_WEB_WORKERS）"
        )
        parser.add_argument(
            "--no-worker", action="store_true", help="不启动后台任务进程 / do not start a worker beside the server"
        )

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        # Looked up by name: the command starts the platform and knows no context's code.
        organisations = apps.get_model("accounts", "Organisation").objects
        if not options["no_demo"] and not organisations.exists():
            self.stdout.write("数据库为空，正在生成演示数据 …")
            call_command("demo")
        call_command("collectstatic", interactive=False, verbosity=0)
        bind = f"{options['host']}:{settings.PORT}"
        self.stdout.write(self.style.SUCCESS(f"抽检平台已启动：http://{bind}/  （Ctrl+C 停止）"))
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "choujian.wsgi:application",
            "--config",
            "python:choujian.gunicorn_conf",
            "--bind",
            bind,
        ] + (["--workers", str(options["workers"])] if options["workers"] else [])
        worker = None
        if not options["no_worker"]:
            # Scheduled work runs beside the web server for as long as it does; pages only read.
            worker = subprocess.Popen([sys.executable, "-m", "choujian.cli", "worker"], stdout=subprocess.DEVNULL)
        try:
            raise SystemExit(subprocess.call(command))
        except KeyboardInterrupt:
            pass
        finally:
            if worker is not None:
                worker.terminate()
