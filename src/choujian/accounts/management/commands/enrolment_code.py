from django.core.management.base import BaseCommand, CommandError

from choujian.accounts.models import User
from choujian.accounts.services import ENROLMENT_CODE_HOURS, enrolment_code_issue


class Command(BaseCommand):
    help = "签发二次验证绑定码：USERNAME 首次绑定手机令牌时需要（平台运维使用；管理员也可在网页上签发）"

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"没有启用的账号 {username}")
        code = enrolment_code_issue(actor=None, user=user)
        self.stdout.write(f"{username} 的绑定码：{code}（{ENROLMENT_CODE_HOURS} 小时内有效，仅可使用一次）")
