"""What came before today in the demo: two earlier spot checks whose failed products walked the enforcement ladders,
so that a visitor sees every stage on both. Built through the same services as everything else, each action on the
day it happened (the clock set with time-machine), all in date order, so the ledger's times only move forward.

- A 路面标线涂料 check at the makers in 晋江, a year and a half ago (transport ladder): one maker passed its 复查;
  one failed it, was put on the blacklist and, a year later, applied for early removal (credit repair), reviewed by
  one officer and waiting for another's decision; one never applied for 复查, so its conclusion stands.
- This autumn's 道路石油沥青 check of lots delivered to the 长乐 airport expressway (SAMR Order 18 ladder): the demo
  manufacturer's lot failed — the case referred to and acknowledged by the 长乐 county, the order served, sales
  stopped, the lot taken off the site by the contractor and witnessed by the supervisor, the contractor fined under
  art. 64 — and the manufacturer is rectifying; another maker failed its 复查, was announced, and waits for the
  second 复查; the third has rectified and its 复查 is ordered, waiting for the samplers (and for the contractor to
  take that lot off the site).
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import secrets
from collections.abc import Callable
from decimal import Decimal
from random import Random
from zoneinfo import ZoneInfo

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from choujian.accounts.models import Organisation, User
from choujian.demo import data
from choujian.demo.field import FieldWork, photo
from choujian.demo.lab import LabWork
from choujian.demo.plans import BUDGET_PER_SAMPLE, SAMPLERS, commitment
from choujian.disclosure import services as disclosure
from choujian.disclosure.choices import AnnouncementKind
from choujian.draws import services as draws
from choujian.enforcement import rechecks, services
from choujian.enforcement.choices import LadderCode
from choujian.enforcement.models import BlacklistEntry, Case
from choujian.planning import services as planning
from choujian.planning.choices import PlanKind, SamplingMode
from choujian.planning.models import Plan, Task
from choujian.registry.models import Delivery, Product, ProductCategory
from choujian.sampling.models import Sample
from choujian.testing import objections

BEIJING = ZoneInfo("Asia/Shanghai")
PAINT, ASPHALT = "JT-0102", "JT-0301"
PAINT_REGION, SITE_REGION = "350582", "350112"  # the makers in 晋江; the lots on the 长乐 airport expressway
WITNESSES = {"黄立新（省交通运输厅）": "2b7e151628aed2a6abf71588", "吴丽君（社会监督员）": "09cf4f3c762e71609aed"}
RECHECK_PERIOD = {
    "recheck": {"days": 60, "kind": "calendar", "basis": "交科技规〔2020〕2号 第五章（本计划设定：60 日内完成复查）"}
}
PAINT_START, ASPHALT_START = 500, 110  # days before today
REGISTRY_SINCE = 520  # the registry (and everything before the plans) was entered that many days ago


def registry_day(today: dt.date) -> dt.date:
    return today - dt.timedelta(days=REGISTRY_SINCE)


def travel(day: dt.date, hour: int = 10):
    """The clock on `day` (Beijing time) from `hour` o'clock, running."""
    return time_machine.travel(dt.datetime.combine(day, dt.time(hour), tzinfo=BEIJING), tick=True)


class Calendar:
    """Actions by date: each runs on its day, in date order (never before the previous one ended), and may schedule
    later ones. The platform's scheduled jobs run every night, as the worker would."""

    def __init__(self, until: dt.date) -> None:
        self._queue: list[tuple[dt.date, int, int, Callable[[dt.date], None]]] = []
        self._order = itertools.count()
        self.until = until
        self.day: dt.date | None = None
        self._ended: dt.datetime | None = None

    def on(self, day: dt.date, action: Callable[[dt.date], None], hour: int = 10) -> None:
        if self.day is not None and day < self.day:
            raise ValueError(f"{day} is before {self.day}")
        heapq.heappush(self._queue, (day, hour, next(self._order), action))

    def nightly(self, first: dt.date, jobs: Callable[[], object]) -> None:
        def run(day):
            jobs()
            if day + dt.timedelta(days=1) < self.until:
                self.on(day + dt.timedelta(days=1), run, hour=2)

        self.on(first, run, hour=2)

    def run(self) -> None:
        while self._queue:
            day, hour, _, action = heapq.heappop(self._queue)
            self.day = day
            moment = dt.datetime.combine(day, dt.time(hour), tzinfo=BEIJING)
            if self._ended is not None and moment <= self._ended:
                moment = self._ended + dt.timedelta(seconds=1)
            with time_machine.travel(moment, tick=True):
                action(day)
                self._ended = timezone.now()


class History:
    def __init__(self, orgs: dict[str, Organisation], users: dict[str, User], password: str, today: dt.date) -> None:
        self.orgs, self.users, self.today = orgs, users, today
        self.lab = LabWork(orgs, users, password)
        self.rng = Random(20250724)
        self.regulator, self.approver = users["regulator"], users["regulator2"]
        self.calendar = Calendar(until=today)

    def ago(self, days: int) -> dt.date:
        return self.today - dt.timedelta(days=days)

    # ── a plan, drawn in full ──────────────────────────────────────────────────────────────────────────────────────
    def _plan(self, *, name: str, year: int, region: str, code: str, mode: str, ladder: str, periods=None) -> list:
        category = ProductCategory.objects.get(code=code)
        for username in SAMPLERS:
            if not self.users[username].qualifications.filter(category=category).exists():
                planning.qualification_grant(
                    actor=self.regulator, inspector=self.users[username], category=category,
                    valid_until=dt.date(data.YEAR + 2, 12, 31),
                )  # fmt: skip
        if mode == SamplingMode.MODE_CONSTRUCTION:
            items = Delivery.objects.filter(
                product__category=category, section__project__region__startswith=region, delivered_on__year=year
            )
        else:
            items = Product.objects.filter(category=category, enterprise__region__startswith=region)
        quota = items.filter(archived_at=None).count()  # a special check that covers every item
        plan = planning.plan_create(
            actor=self.regulator, regulator=self.orgs["province"], name=name, year=year, region=region,
            participants=list(WITNESSES), kind=PlanKind.KIND_SPECIAL, budget_per_sample=BUDGET_PER_SAMPLE,
            budget_total=BUDGET_PER_SAMPLE * quota, lookback_days=0,
        )  # fmt: skip
        planning.plan_line_add(
            actor=self.regulator, plan=plan, category=category, quota=quota, sampling_mode=mode,
            agency=self.orgs["agency1"], laboratory=self.orgs["lab1"],
        )  # fmt: skip
        services.plan_ladder_set(actor=self.regulator, plan=plan, ladder=ladder, periods=periods)
        plan = planning.plan_submit(actor=self.regulator, plan=plan)
        plan = planning.plan_approve(actor=self.approver, plan=plan)
        draws.frame_build(actor=self.regulator, plan=plan)
        ceremony = draws.frame_freeze(actor=self.regulator, plan=Plan.objects.get(pk=plan.pk))
        people = list(ceremony.participants.order_by("name"))
        for participant in people:
            draws.ceremony_commit(participant=participant, commitment=commitment(WITNESSES[participant.name]))
        for participant in people:
            draws.ceremony_reveal(participant=participant, secret=WITNESSES[participant.name])
        return list(Plan.objects.get(pk=plan.pk).tasks.select_related("enterprise").order_by("frame_item_id"))

    # ── a result: sampled, tested within the week, the notice served on paper, final after the objection period ──
    def result(self, task: Task, day: dt.date, passing: bool, then: Callable[[dt.date], None] | None = None) -> None:
        found: dict = {}

        def sample(today):
            work = FieldWork(
                self.orgs, self.users, task.plan, production_date=str(today - dt.timedelta(days=30)),
                device_time=timezone.now().isoformat(),
            )  # fmt: skip
            found["sample"] = work.received(Task.objects.get(pk=task.pk))

        def test(today):
            sample = Sample.objects.get(pk=found["sample"].pk)
            found["report"] = self.lab.approved(self.lab.intake(sample), self.lab.verify_url, fail_first=not passing)

        def serve(today):
            proof = SimpleUploadedFile(
                "送达回证.jpg", photo("送达回证", (236, 232, 220), self.rng).read(), "image/jpeg"
            )
            notice = objections.notice_serve_paper(
                actor=self.regulator, notice=found["report"].notice, served_on=today, proof=proof
            )
            self.calendar.on(notice.objection_due + dt.timedelta(days=1), settle, hour=9)

        def settle(today):
            objections.outcomes_settle()  # the scheduled jobs of that morning
            services.cases_open_pending()
            rechecks.rechecks_conclude_pending()
            if then is not None:
                self.calendar.on(today, then, hour=11)

        self.calendar.on(day, sample)
        self.calendar.on(day + dt.timedelta(days=6), test)
        self.calendar.on(day + dt.timedelta(days=8), serve)

    # ── helpers on cases ───────────────────────────────────────────────────────────────────────────────────────────
    @staticmethod
    def jobs() -> None:
        """What the worker does every night for enforcement (`enforcement.tasks.open_cases`)."""
        services.steps_lapse()
        services.blacklist_expire()

    def case(self, task: Task) -> Case:
        return Case.objects.get(task=task)

    def step(self, actor: User, task: Task, step: str, note: str) -> Case:
        return services.step_take(actor=actor, case=self.case(task), step=step, result="done", note=note)

    def recheck(self, task: Task, actor: User, passing: bool, then=None) -> Callable[[dt.date], None]:
        def order(today):
            ordered = rechecks.recheck_order(actor=actor, case=self.case(task))
            self.result(ordered.task, today + dt.timedelta(days=2), passing, then)

        return order

    def referral(self, task: Task, officer: User) -> None:
        if self.case(task).referral_open:
            services.referral_acknowledge(actor=officer, case=self.case(task))

    def login(self, task: Task, username: str) -> User:
        return self.lab.party(Sample.objects.filter(task=task).first(), username)

    def build(self) -> None:
        self.calendar.nightly(self.ago(PAINT_START), self.jobs)
        self.paint_check()
        self.asphalt_check()
        self.calendar.run()

    # ── last year's check: passed, blacklisted (and early removal applied for), no application in time ───────────
    def paint_check(self) -> None:
        start = self.ago(PAINT_START)
        tasks: list[Task] = []

        def draw(today):
            drawn = self._plan(
                name=f"{today.year}年路面标线涂料专项监督抽查（晋江）", year=today.year, region=PAINT_REGION,
                code=PAINT, mode=SamplingMode.MODE_PRODUCTION, ladder=LadderCode.LADDER_TRANSPORT,
                periods=RECHECK_PERIOD,
            )  # fmt: skip
            # Two makers: the first passes its 复查 (and lets another product's deadline pass); the second is listed.
            # Any further product conforms.
            first = [t for t in drawn if t.enterprise_id == drawn[0].enterprise_id]
            second = [t for t in drawn if t.enterprise_id != drawn[0].enterprise_id]
            tasks.extend([first[0], second[0], (first[1:] + second[1:])[0]])
            for task in drawn:
                failing = task in tasks
                self.result(task, today + dt.timedelta(days=5), not failing, notices if task == tasks[2] else None)

        def notices(today):
            passed, listed = tasks[:2]
            officer = self.users["jinjiang"]
            for task in tasks:
                self.referral(task, officer)
                self.step(officer, task, "notice", "已书面告知不合格结果，送达《责令整改通知书》，要求整改并申请复查")
            makers = [self.login(passed, "maker2"), self.login(listed, "maker3")]
            self.calendar.on(today + dt.timedelta(days=20), lambda day: apply(makers))
            self.announce(tasks[0].plan, today + dt.timedelta(days=6), correction="批号按抽样单原件更正")
            self.calendar.on(today + dt.timedelta(days=120), lambda day: close(tasks[0].plan))

        def apply(makers):
            for maker, task in zip(makers, tasks[:2], strict=True):
                self.step(maker, task, "apply", "已查明原因（原材料批次问题），更换供应商并提交整改报告，申请复查")
            day = self.calendar.day + dt.timedelta(days=3)
            officer = self.users["jinjiang"]
            self.calendar.on(day, self.recheck(tasks[0], officer, True))
            self.calendar.on(day, self.recheck(tasks[1], officer, False, listed(makers[1])))

        def close(plan):
            """Every item sampled and every 复查 done: sampling ends and the draw is revealed in full; the 复查
            results and the batch whose producer let the time pass are announced."""
            draws.plan_sampling_close(actor=self.regulator, plan=Plan.objects.get(pk=plan.pk))
            self.announce(plan, self.calendar.day + dt.timedelta(days=2), kind=AnnouncementKind.KIND_RECHECK)

        def listed(maker):
            def repair(today):
                entry = BlacklistEntry.objects.get(case=self.case(tasks[1]))
                day = max(self.ago(20), services.years_later(entry.listed_on, 1))
                self.calendar.on(day, lambda d: apply_repair(maker, entry))
                self.calendar.on(max(day, self.ago(12)), lambda d: review(entry))

            return repair

        def apply_repair(maker, entry):
            services.repair_apply(
                actor=maker, entry=entry,
                reason="处罚已履行完毕，整改已经复查核实，列入以来未再受到较重行政处罚，申请提前移出。",
            )  # fmt: skip

        def review(entry):
            services.repair_review(
                actor=self.users["jinjiang"], entry=BlacklistEntry.objects.get(pk=entry.pk),
                note="材料齐全，整改情况属实，建议提前移出",
            )  # fmt: skip

        self.calendar.on(start, draw)

    # ── this autumn's check on site: the manufacturer rectifying, another announced, the third conforming ─────────
    def asphalt_check(self) -> None:
        start = self.ago(ASPHALT_START)

        def draw(today):
            drawn = self._plan(
                name=f"{data.YEAR}年道路石油沥青进场批次专项监督抽查（长乐）", year=data.YEAR, region=SITE_REGION,
                code=ASPHALT, mode=SamplingMode.MODE_CONSTRUCTION, ladder=LadderCode.LADDER_SAMR,
            )  # fmt: skip
            own = next(t for t in drawn if t.enterprise.organisation_id == self.orgs["manufacturer"].pk)
            contractor = self.orgs["contractor"].pk
            applied = next(t for t in drawn if t != own and t.delivery.section.contractor_id == contractor)
            announced = next(t for t in drawn if t not in (own, applied))
            self.result(announced, today + dt.timedelta(days=4), False, ordered(announced, "maker4", True))
            self.result(applied, self.ago(62), False, ordered(applied, "maker5", False))
            self.result(own, self.ago(60), False, self.site_track(own))

        def ordered(task: Task, username: str, fails: bool):
            """Order, sales stopped, rectified; then the 复查 — which fails and is announced, or is still under way."""

            def order(today):
                maker = self.login(task, username)
                self.step(self.regulator, task, "order", "责令立即停止生产、销售同一产品，自责令之日起六十日内整改")
                stop = lambda d: self.step(maker, task, "stop_sale", "已停止生产、销售该型号产品，库存已封存")  # noqa: E731
                self.calendar.on(today + dt.timedelta(days=2), stop)
                self.calendar.on(today + dt.timedelta(days=19), lambda d: rectified(maker))

            def rectified(maker):
                self.step(maker, task, "rectify", "已更换基质沥青供应商并调整生产工艺，整改报告见附件，申请复查")
                day = self.calendar.day + dt.timedelta(days=2)
                if fails:
                    announce = lambda d: self.step(self.regulator, task, "announce", "已报省级部门公告")  # noqa: E731
                    self.calendar.on(day, self.recheck(task, self.regulator, False, announce))
                else:  # ordered; its samplers have it on their lists
                    self.calendar.on(day, lambda d: rechecks.recheck_order(actor=self.regulator, case=self.case(task)))

            return order

        self.calendar.on(start, draw)

    def announce(
        self, plan: Plan, day: dt.date, correction: str = "", kind: str = AnnouncementKind.KIND_RESULTS
    ) -> None:
        """The results announcement: drafted by one officer, published by another the next day; then, if asked, the
        maker reports an error in its row (纠错), and a month later the organiser answers and corrects it (a new
        version with its reason)."""
        found: dict = {}

        def draft(today):
            found["draft"] = disclosure.announcement_draft(actor=self.regulator, plan=plan, kind=kind)

        def publish(today):
            announcement = disclosure.announcement_publish(actor=self.approver, announcement=found["draft"])
            if correction:
                row = announcement.rows.filter(conclusion="pass").order_by("pk").first() or announcement.rows.first()
                text = f"公告中我司产品的批号有误，抽样单原件上为 {row.batch_no}-1，请核对更正。"
                sender = secrets.token_hex(8)  # an address of its own: the demo is built many times an hour in tests
                report = lambda d: found.update(  # noqa: E731
                    report=disclosure.error_report_file(row=row, text=text, contact="0595-8566xxxx", client=sender)
                )

                def fix(d):
                    disclosure.row_correct(
                        actor=self.regulator, row=row, reason=correction, batch_no=f"{row.batch_no}-1"
                    )
                    disclosure.error_report_answer(
                        actor=self.regulator, report=found["report"], answer=f"经核对抽样单原件，已更正：{correction}"
                    )

                self.calendar.on(today + dt.timedelta(days=20), report)
                self.calendar.on(today + dt.timedelta(days=30), fix)

        self.calendar.on(day, draft)
        self.calendar.on(day + dt.timedelta(days=1), publish)

    def site_track(self, task: Task) -> Callable[[dt.date], None]:
        county, contractor, supervisor = self.users["county"], self.users["contractor"], self.users["supervisor"]
        removal: dict = {}

        def acknowledged(today):
            self.announce(task.plan, today + dt.timedelta(days=3))
            services.referral_acknowledge(actor=county, case=self.case(task))
            self.step(county, task, "order", "送达《责令整改通知书》：立即停止销售同一产品，自责令之日起六十日内整改")
            self.calendar.on(today + dt.timedelta(days=1), removed)

        def removed(today):
            self.step(self.users["manufacturer"], task, "stop_sale", "已停止生产、销售同一产品，并通知各施工单位")
            case = self.case(task)
            removal["row"] = services.removal_record(
                actor=contractor, case=case, quantity=str(case.delivery.quantity), unit=case.delivery.unit or "t",
                place="长乐机场高速扩容工程 A1标 沥青拌和站", removed_on=str(today),
                note="不合格批次全部清出拌和站，运回生产企业", photos=[photo("退场装车", (70, 70, 70), self.rng)],
            )  # fmt: skip
            self.calendar.on(today + dt.timedelta(days=1), witnessed)

        def witnessed(today):
            services.removal_witness(
                actor=supervisor, case=self.case(task), removal=removal["row"], note="到场见证，数量属实"
            )
            self.calendar.on(today + dt.timedelta(days=6), fined)

        def fined(today):
            services.penalty_decide(
                actor=county, case=self.case(task), kind="art64", rate=Decimal("2.00"),
                decision_no=f"长交执罚〔{today.year}〕17号", decided_on=str(today),
                basis="《建设工程质量管理条例》第六十四条",
            )  # fmt: skip

        return acknowledged


def build_history(orgs: dict[str, Organisation], users: dict[str, User], password: str, today: dt.date) -> None:
    History(orgs, users, password, today).build()
