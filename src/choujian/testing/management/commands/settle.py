"""`choujian settle`: make final the results whose objection period ended without an objection (run daily)."""

from django.core.management.base import BaseCommand

from choujian.testing.objections import outcomes_settle


class Command(BaseCommand):
    help = "确定异议期满且未提出异议的检验结论 / settle results whose objection period has ended"

    def handle(self, *args, **options):
        settled = outcomes_settle()
        self.stdout.write(f"{len(settled)} 个样品的结论已确定 / results settled")
