"""一公开 in the demo: today's plan's final results drafted into an announcement by `regulator`, waiting for
`regulator2` to publish it — nothing of it is public until then (the earlier checks' announcements are published,
one with a correction: `demo.history`), and the yearly bulk archives are built as the nightly job builds them."""

from choujian.accounts.models import User
from choujian.demo.plans import DRAWN_PLAN
from choujian.disclosure.bulk import bulk_archives_build
from choujian.disclosure.services import announcement_draft
from choujian.planning.choices import PlanStatus
from choujian.planning.models import Plan
from choujian.testing.models import Outcome


def build_disclosure(users: dict[str, User]) -> None:
    plan = Plan.objects.filter(name=DRAWN_PLAN, status=PlanStatus.STATUS_DRAWN).first()
    if plan is not None and Outcome.objects.filter(sample__task__plan=plan).exists():
        announcement_draft(actor=users["regulator"], plan=plan)
    bulk_archives_build()
