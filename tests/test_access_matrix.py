"""The access matrix: every route of the platform, requested as nobody and as each kind of user, on objects that
belong to different people. What the policy answers is written to docs/access-matrix.md; the test fails when the
platform answers differently from that document (run `make access-matrix` to rewrite it after a deliberate change,
and review the diff), when any request fails with a server error, when a route that is not public lets an anonymous
visitor in, or when a blind laboratory role is shown the name of any enterprise."""

import datetime as dt
import difflib
import os
import re
import uuid
from pathlib import Path

import pytest
import time_machine
from django.db import transaction
from django.test import Client

from choujian.accounts.models import Organisation, User
from choujian.analytics.models import Bulletin, QualityWarning, RiskSignal
from choujian.core import policy
from choujian.core.access import PUBLIC, declared_level, routes
from choujian.disclosure.models import Announcement, ResultRow
from choujian.draws.models import Draw
from choujian.enforcement.models import BlacklistEntry, Case
from choujian.notifications.models import Message
from choujian.planning.models import Plan, PlanLine, Task
from choujian.registry.models import Delivery, DeliveryDocument, Enterprise, Product, ProductCategory, Project, Section
from choujian.rules.models import RuleSet
from choujian.sampling.models import AlternateRequest, Evidence, Handover, Portion, Sample, SamplingRecord, Signature
from choujian.testing.models import LabSample, Objection, Report, Retest

DOCS = Path(__file__).resolve().parents[1] / "docs"
MATRIX = DOCS / "access-matrix.md"
POLICY = DOCS / "access-policy.md"
PERSONAS = {
    "": "匿名",
    "regulator": "省级监管",
    "county": "县级监管",
    "sampler1": "抽样人员",
    "intake": "样品接收",
    "tester": "检验人员",
    "approver": "批准人",
    "manufacturer": "生产企业",
    "contractor": "施工单位",
}
BLIND = ("tester",)
SKIPPED_ROUTES = ("admin/", "logout/", "i18n/")
PLACEHOLDER = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)")
# Requests are made as if it were this moment, so that windows and deadlines of the demo are the same every day.
MOMENT = dt.datetime(2027, 3, 16, 2, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module", autouse=True)
def _fixed_day():
    with time_machine.travel(MOMENT, tick=True):
        yield


def _routes():
    seen = set()
    for route, callback in routes():
        if route.startswith(SKIPPED_ROUTES) or "(?P<format>" in route or route in seen:
            continue
        seen.add(route)
        yield route, callback


def _first_and_last(queryset, attribute: str) -> list[tuple[str, str]]:
    rows = list(queryset.order_by("pk"))
    chosen = [("首个", rows[0]), ("末个", rows[-1])] if len(rows) > 1 else [("唯一", row) for row in rows]
    return [(label, str(getattr(row, attribute))) for label, row in chosen]


def _objects(route: str) -> list[tuple[str, dict[str, str]]]:
    """Concrete values for a route's parameters: demo objects owned by different people (the first and the last of
    their kind), or a made-up value where the demo cannot give a real one."""
    names = [a or b for a, b in PLACEHOLDER.findall(route)]
    if not names:
        return [("", {})]
    if "lines/" in route:
        return [(label, {"code": plan, "line_id": line}) for label, plan, line in _lines()]
    if route.startswith("q/"):
        portions = Portion.objects.select_related("sample").order_by("pk")
        return [("首个", {"code": p.sample.code, "token": p.label_token}) for p in portions[:1]]
    if route.startswith("reset/"):
        return [("无效链接", {"uidb64": "MQ", "token": "invalid-token"})]
    if route.startswith("enforcement/") and "/documents/" in route:
        code = Case.objects.order_by("pk").first().code
        return [("责令整改通知书", {"code": code, "kind": "order", "index": "0"})]
    if route.startswith("d/"):
        return [("无效令牌", {"token": "x" * 43})]
    if "<str:code>/files/" in route:
        return [("不存在", {"code": Case.objects.order_by("pk").first().code, "public_id": str(uuid.uuid4())})]
    if "tasks/<str:code>/documents/" in route:
        return [("不存在", {"code": Task.objects.order_by("pk").first().code, "public_id": str(uuid.uuid4())})]
    if route.startswith("registry/<slug:kind>"):
        return [
            (f"{kind}·{label}", {"kind": kind, "public_id": value})
            for kind, model in (("enterprise", Enterprise), ("project", Project), ("delivery", Delivery))
            for label, value in (_first_and_last(model.objects, "public_id") if "public_id" in names else [("", "")])
        ]
    (name,) = names
    before = route[: PLACEHOLDER.search(route).start()]
    segment = [part.strip("^") for part in before.split("/") if part.strip("^")][-1]
    values = _values(segment, name)
    return [(label, {name: value}) for label, value in values]


def _lines():
    line = PlanLine.objects.select_related("plan").order_by("pk").first()
    return [("首个", line.plan.code, str(line.public_id))]


def _values(segment: str, name: str) -> list[tuple[str, str]]:
    if name in ("kind",):
        return [("企业", "enterprises")]
    if name == "year":
        return [("2026", "2026")]
    if name == "source":
        return [("产品", "product"), ("企业", "enterprise")]
    if name == "token" and segment == "r":
        return _first_and_last(Report.objects.exclude(verify_token=""), "verify_token")
    if name == "token":
        return [("无效令牌", "x" * 43)]
    if name == "uscc":
        return _first_and_last(Enterprise.objects, "uscc")
    if name == "row_id":
        return _first_and_last(ResultRow.objects, "row_id") or [("不存在", str(uuid.uuid4()))]
    by_segment = {
        "documents": (DeliveryDocument, "public_id"),
        "plans": (Plan, "code"),
        "tasks": (Task, "code"),
        "draws": (Draw, "public_id"),
        "records": (SamplingRecord, "code"),
        "sampling-records": (SamplingRecord, "code"),
        "samples": (LabSample, "lab_code") if name == "lab_code" else (Sample, "code"),
        "worklist": (LabSample, "lab_code"),
        "intake": (Sample, "code"),
        "handovers": (Handover, "public_id"),
        "requests": (AlternateRequest, "public_id"),
        "alternate-requests": (AlternateRequest, "public_id"),
        "evidence": (Evidence, "public_id"),
        "signatures": (Signature, "public_id"),
        "portions": (Portion, "public_id"),
        "reports": (Report, "code"),
        "projects": (Project, "public_id"),
        "rules": (RuleSet, "public_id"),
        "inbox": (Message, "public_id"),
        "organisations": (Organisation, "public_id"),
        "categories": (ProductCategory, "code"),
        "enterprises": (Enterprise, "public_id"),
        "products": (Product, "public_id"),
        "sections": (Section, "public_id"),
        "deliveries": (Delivery, "public_id"),
        "delivery": (Delivery, "public_id"),
        "objections": (Objection, "public_id"),
        "retests": (Retest, "public_id"),
        "enforcement": (Case, "code"),
        "blacklist": (BlacklistEntry, "public_id"),
        "cases": (Case, "code"),
        "announcements": (Announcement, "code"),
        "warnings": (QualityWarning, "code"),
        "bulletins": (Bulletin, "code"),
        "signals": (RiskSignal, "public_id"),
    }
    model, attribute = by_segment[segment]
    return _first_and_last(model.objects, attribute) or [("不存在", str(uuid.uuid4()))]


def _url(route: str, values: dict[str, str]) -> str:
    def fill(match):
        return values[match.group(1) or match.group(2)]

    return "/" + PLACEHOLDER.sub(fill, route).replace("^", "").replace("$", "").replace("\\.", ".")


def _status(client: Client, method: str, url: str):
    """One request, whose writes are undone so that the next request sees the demo as it was."""
    with transaction.atomic():
        response = client.get(url) if method == "GET" else client.post(url)
        transaction.set_rollback(True)
    return response.status_code, response


def _clients() -> dict[str, Client]:
    clients = {}
    for username in PERSONAS:
        client = Client(raise_request_exception=False)
        if username:
            client.force_login(User.objects.get(username=username))
        clients[username] = client
    return clients


def _matrix(part: int = 0, parts: int = 1) -> tuple[list[str], list[str]]:
    """The rows of the document (of every `parts`-th route from the `part`-th), and every problem found on the way."""
    problems = []
    secrets = [name for name in Enterprise.objects.values_list("name", flat=True) if name]
    clients = _clients()
    rows = []
    for route, callback in list(_routes())[part::parts]:
        public = declared_level(callback, route) == PUBLIC
        for label, values in _objects(route):
            url = _url(route, values)
            for method in ("GET", "POST"):
                cells = []
                for username, client in clients.items():
                    status, response = _status(client, method, url)
                    cells.append(str(status))
                    if status >= 500:
                        problems.append(f"{method} {url} as {username or 'anonymous'} → {status}")
                    if not username and not public and 200 <= status < 300:
                        problems.append(f"{method} {url} lets an anonymous visitor in ({status})")
                    if username in BLIND and status == 200 and _names_any(response, secrets):
                        problems.append(f"{method} {url} shows an enterprise's name to {username}")
                rows.append(f"| `{route}` | {label} | {method} | " + " | ".join(cells) + " |")
    return rows, problems


def _names_any(response, names: list[str]) -> bool:
    if "pdf" in response.get("Content-Type", "") or getattr(response, "streaming", False):
        return False
    text = response.content.decode(errors="ignore")
    return any(name in text for name in names)


def _document(rows: list[str]) -> str:
    header = " | ".join(PERSONAS.values())
    return "\n".join(
        [
            "# 访问矩阵 / Access matrix",
            "",
            "每个路由、每种对象、每个身份得到的 HTTP 状态（由 `make access-matrix` 从演示数据生成，测试核对本文件）。",
            "200 可用 · 302 转到登录 · 400/409 可用但请求内容不对 · 401 未登录 · 403 无权 · 404 不存在或不属于本人 ·",
            "405 不支持该方法。对象取演示数据中同类的首个与末个（属于不同的人）。",
            "",
            "Every route, object and persona with the status the platform answers (generated from the demo data by",
            "`make access-matrix`; a test checks this file). Objects are the first and the last of their kind in the",
            "demo, which belong to different people.",
            "",
            f"| 路由 Route | 对象 Object | 方法 | {header} |",
            "|" + "---|" * (3 + len(PERSONAS)),
            *rows,
            "",
        ]
    )


PARTS = 2  # the walk takes a minute: two halves, so that parallel workers share it


def _written_rows(routes: set[str]) -> list[str]:
    written = MATRIX.read_text(encoding="utf-8") if MATRIX.exists() else ""
    return [line for line in written.splitlines() if line.startswith("| `") and line.split("`")[1] in routes]


@pytest.mark.django_db
@pytest.mark.parametrize("part", range(PARTS))
def test_every_route_answers_each_persona_as_the_access_matrix_says(demo, demo_media, settings, part):
    settings.MEDIA_ROOT = demo_media
    if os.environ.get("CHOUJIAN_WRITE_ACCESS_MATRIX"):
        if part == 0:
            rows, problems = _matrix()
            assert problems == []
            MATRIX.write_text(_document(rows), encoding="utf-8")
        return
    rows, problems = _matrix(part, PARTS)
    assert problems == []
    written = _written_rows({route for route, _ in list(_routes())[part::PARTS]})
    diff = list(difflib.unified_diff(written, rows, "written", "answered", lineterm=""))
    assert not diff, "the platform answers differently from docs/access-matrix.md:\n" + "\n".join(diff[:60])


def test_the_access_matrix_names_every_route_and_nothing_else():
    document = _document(_written_rows({route for route, _ in _routes()}))
    assert MATRIX.read_text(encoding="utf-8") == document, "docs/access-matrix.md is out of date: make access-matrix"


def test_the_access_policy_document_lists_every_declared_rule():
    document = policy.document()
    if os.environ.get("CHOUJIAN_WRITE_ACCESS_MATRIX"):
        POLICY.write_text(document, encoding="utf-8")
    assert POLICY.read_text(encoding="utf-8") == document, "docs/access-policy.md is out of date: make access-matrix"
    declared = {(rule.model._meta.label, rule.action) for rule in policy.rules()}
    assert {("planning.Task", "answer"), ("testing.Report", "view"), ("sampling.Sample", "view")} <= declared


@pytest.mark.django_db
def test_an_undeclared_model_is_refused_rather_than_shown():
    from choujian.core.models import JobRun

    with pytest.raises(policy.Undeclared):
        policy.restrict(JobRun.objects.all(), User(username="x"), policy.VIEW)
