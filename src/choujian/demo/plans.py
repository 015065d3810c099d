"""The demo's spot-check plans, built through the planning and draw services (every step ledgered).

1. “2026年度福建省公路水运工程重点产品质量监督抽查” — drawn end to end: drafted by `regulator`, approved by
   `regulator2` (drafter ≠ approver), frame built from the registry (closed enterprises, discontinued products and
   cities without a quota are excluded, with reasons) and frozen, seed ceremony with two named participants who
   commit and reveal fixed secrets, a public beacon entered by `regulator2`, the object draw (draw-v2, sealed)
   with its tasks, an inspector draw per task (two samplers each), and one task replaced by the next alternate
   because the enterprise had closed, with a photo as evidence.
2. “2026年第四季度桥梁支座专项抽查” — approved and frozen, waiting in its ceremony: no personal link issued yet
   (links are shown once, when issued), nobody has committed; the reveal deadline is a week after the demo is
   built, so the ceremony can be run by hand in the demo.

The three lines of plan 1 are of three different category groups, and in the demo registry no enterprise makes
more than two products of one category, so no enterprise gets more than two tasks; with five qualified samplers
every task therefore keeps at least three samplers without a conflict of interest, and gets its two inspectors.
Public ids come from the demo's seed (`choujian.demo.reproducible`), so the frame, its digest, the seed and the
enterprises drawn are the same on every build of the same day (the beacon is dated).
"""

import datetime as dt
import hashlib
import struct
import zlib
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from choujian.accounts.models import Organisation, User
from choujian.demo import data
from choujian.draws import services as draws
from choujian.planning import services as planning
from choujian.planning.choices import PlanKind, ReplacementReason, SamplingMode, StrataBy
from choujian.planning.models import Plan
from choujian.registry.models import ProductCategory

DRAWN_PLAN = "2026年度福建省公路水运工程重点产品质量监督抽查"
WAITING_PLAN = "2026年第四季度桥梁支座专项抽查"
REGULATOR_WITNESS = "林建华（省交通运输厅）"
PUBLIC_WITNESS = "陈明（社会监督员）"
SECOND_WITNESS = "方晓梅（社会监督员）"
# Fixed secrets, so the demo is reproducible; a real participant's device makes its own.
SECRETS = {REGULATOR_WITNESS: "7f3a9c2e5b1d4086a2c4e6f8", PUBLIC_WITNESS: "48213907556211849375"}
SAMPLERS = ("sampler1", "sampler2", "sampler3", "sampler4", "sampler5")
REVEAL_HOURS = 7 * 24
REPLACEMENT_NOTE = "现场核查：企业厂区已关停，生产线已拆除，无在产产品（附现场照片）"


@dataclass(frozen=True)
class LineSpec:
    category: str
    quota: int
    sampling_mode: str
    agency: str  # key of the organisation in the builder
    laboratory: str
    strata_by: str = StrataBy.STRATA_NONE
    stratum_quotas: dict[str, int] = field(default_factory=dict)


DRAWN_LINES = [
    # 预应力混凝土用钢绞线, at the makers; the replaced task is this line's first.
    LineSpec("JT-0303", 6, SamplingMode.MODE_PRODUCTION, "agency1", "lab1"),
    # 道路交通标志板及支撑件, at the makers, by city: the three cities with a demo regulator get quotas, makers
    # elsewhere in 福建 are excluded from this line (and two closed makers in 晋江 in any case).
    LineSpec(
        "JT-0104",
        4,
        SamplingMode.MODE_PRODUCTION,
        "agency1",
        "lab2",
        StrataBy.STRATA_CITY,
        {"350100": 1, "350200": 1, "350500": 2},
    ),
    # 预应力混凝土桥梁用塑料波纹管, lots delivered to construction sites this year.
    LineSpec("JT-0207", 2, SamplingMode.MODE_CONSTRUCTION, "agency1", "lab3"),
]
WAITING_LINES = [
    LineSpec("JT-0201", 2, SamplingMode.MODE_PRODUCTION, "agency1", "lab1"),
    LineSpec("JT-0202", 3, SamplingMode.MODE_PRODUCTION, "agency1", "lab2"),
    LineSpec("JT-0203", 2, SamplingMode.MODE_PRODUCTION, "agency1", "lab1"),
]
BUDGET_PER_SAMPLE = Decimal("3500.00")


def build_plans(orgs: dict[str, Organisation], users: dict[str, User]) -> tuple[Plan, Plan]:
    """Qualify the samplers, then build the drawn plan and the plan waiting in its ceremony."""
    categories = {c.code: c for c in ProductCategory.objects.filter(code__in=_codes())}
    _qualify(users, categories)
    drawn = _drawn_plan(orgs, users, categories)
    waiting = _waiting_plan(orgs, users, categories)
    return drawn, waiting


def _codes() -> set[str]:
    return {line.category for line in DRAWN_LINES + WAITING_LINES}


STEERED_PLAN = "2026年第四季度沥青与土工合成材料风险定向抽查"
STEERED_LINES = [
    LineSpec("JT-0301", 5, SamplingMode.MODE_PRODUCTION, "agency1", "lab1"),
    LineSpec("JT-0403", 5, SamplingMode.MODE_PRODUCTION, "agency1", "lab2"),
]


def build_steered_plan(orgs: dict[str, Organisation], users: dict[str, User]) -> Plan:
    """A plan weighed by the risk scores of the earlier years, with a 20 % control group in each line: approved and
    its frame built (each item's weight shows its score), waiting for `regulator` to freeze it and hold the ceremony."""
    categories = {c.code: c for c in ProductCategory.objects.filter(code__in=[line.category for line in STEERED_LINES])}
    plan = _approved(
        orgs, users, categories, name=STEERED_PLAN, kind=PlanKind.KIND_SPECIAL,
        participants=[REGULATOR_WITNESS, PUBLIC_WITNESS], lines=STEERED_LINES,
        risk_based=True, risk_rule={"scores": 1, "holdout": 20},
    )  # fmt: skip
    draws.frame_build(actor=users["regulator"], plan=plan)
    return Plan.objects.get(pk=plan.pk)


def _qualify(users: dict[str, User], categories: dict[str, ProductCategory]) -> None:
    valid_until = dt.date(data.YEAR + 2, 12, 31)
    for username in SAMPLERS:
        for code in sorted(categories):
            planning.qualification_grant(
                actor=users["regulator"], inspector=users[username], category=categories[code], valid_until=valid_until
            )


def _approved(
    orgs: dict[str, Organisation],
    users: dict[str, User],
    categories: dict[str, ProductCategory],
    *,
    name: str,
    kind: str,
    participants: list[str],
    lines: list[LineSpec],
    **risk,
) -> Plan:
    drafter, approver = users["regulator"], users["regulator2"]
    total = sum(line.quota for line in lines)
    plan = planning.plan_create(
        actor=drafter,
        regulator=orgs["province"],
        name=name,
        year=data.YEAR,
        region=data.PROVINCE[0],
        participants=participants,
        kind=kind,
        budget_per_sample=BUDGET_PER_SAMPLE,
        budget_total=BUDGET_PER_SAMPLE * total,
        **risk,
    )
    for line in lines:
        planning.plan_line_add(
            actor=drafter,
            plan=plan,
            category=categories[line.category],
            quota=line.quota,
            sampling_mode=line.sampling_mode,
            strata_by=line.strata_by,
            stratum_quotas=dict(line.stratum_quotas),
            agency=orgs[line.agency],
            laboratory=orgs[line.laboratory],
        )
    plan = planning.plan_submit(actor=drafter, plan=plan)
    return planning.plan_approve(actor=approver, plan=plan)


def commitment(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


BEACON_SOURCE = "演示：当日公开摇号结果（实际使用时请约定一期尚未开奖的福利彩票号码）"
BEACON_VALUE = "07 12 19 24 28 33 + 05"


def _drawn_plan(orgs: dict[str, Organisation], users: dict[str, User], categories: dict) -> Plan:
    regulator = users["regulator"]
    plan = _approved(
        orgs,
        users,
        categories,
        name=DRAWN_PLAN,
        kind=PlanKind.KIND_ANNUAL,
        participants=[REGULATOR_WITNESS, PUBLIC_WITNESS],
        lines=DRAWN_LINES,
    )
    draws.frame_build(actor=regulator, plan=plan)
    today = timezone.localdate()
    ceremony = draws.frame_freeze(actor=regulator, plan=plan, beacon_source=BEACON_SOURCE, beacon_fixed_on=today)
    people = list(ceremony.participants.order_by("name"))
    for participant in people:
        draws.ceremony_commit(participant=participant, commitment=commitment(SECRETS[participant.name]))
    for participant in people:
        draws.ceremony_reveal(participant=participant, secret=SECRETS[participant.name])
    # A second official enters the beacon once published; the seed, then the draw (tasks, inspectors) follow at once.
    draws.ceremony_beacon_enter(actor=users["regulator2"], ceremony=ceremony, value=BEACON_VALUE)
    plan = Plan.objects.get(pk=plan.pk)
    task = plan.tasks.filter(line__category__code=DRAWN_LINES[0].category).order_by("code").first()
    evidence = SimpleUploadedFile("企业停产现场照片.png", tiny_png(), content_type="image/png")
    draws.task_replace(
        actor=regulator, task=task, reason=ReplacementReason.REASON_CLOSED, note=REPLACEMENT_NOTE, evidence=evidence
    )
    return Plan.objects.get(pk=plan.pk)


def _waiting_plan(orgs: dict[str, Organisation], users: dict[str, User], categories: dict) -> Plan:
    regulator = users["regulator"]
    plan = _approved(
        orgs,
        users,
        categories,
        name=WAITING_PLAN,
        kind=PlanKind.KIND_SPECIAL,
        participants=[REGULATOR_WITNESS, SECOND_WITNESS],
        lines=WAITING_LINES,
    )
    draws.frame_build(actor=regulator, plan=plan)
    draws.frame_freeze(actor=regulator, plan=plan, reveal_hours=REVEAL_HOURS)
    return Plan.objects.get(pk=plan.pk)


def tiny_png(width: int = 24, height: int = 16) -> bytes:
    """A small grey-scale PNG (a diagonal gradient), made here so the demo needs no image file."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + bytes((x * 9 + y * 7) % 256 for x in range(width)) for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")
