"""A plan weighed by risk scores keeps a control group: its frame weighs each maker by its score, a fifth of each
quota is drawn with equal weights from the control stratum, the draw verifies with the stand-alone verifier, and the
lift report compares what targeting found with what chance found, agreeing with a count of the results."""

import datetime as dt
import io
import json

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone

from choujian.accounts.models import User
from choujian.analytics import risk, stats
from choujian.analytics.facts import draw_arm_of
from choujian.analytics.models import ResultFact
from choujian.demo.plans import BEACON_SOURCE, BEACON_VALUE, SECRETS, STEERED_PLAN, commitment
from choujian.draws import services as draws
from choujian.draws import verify
from choujian.draws.frames import score_weight
from choujian.draws.models import Draw
from choujian.draws.selectors import full_record
from choujian.planning.models import Plan
from tests.factories import api_token, signed_in

DEMO_HISTORY = True
DEMO_STATISTICS = True
pytestmark = pytest.mark.django_db


def test_the_frame_weighs_each_maker_by_its_score_and_sets_a_control_group_apart(demo):
    plan = Plan.objects.get(name=STEERED_PLAN)
    frame = plan.frame
    assert frame.quotas == {"JT-0301": 4, "JT-0301·对照": 1, "JT-0403": 4, "JT-0403·对照": 1}
    held = frame.items.filter(stratum__endswith="·对照")
    assert held.exists() and set(held.values_list("weight", flat=True)) == {1}
    for code in ("JT-0301", "JT-0403"):
        prior, scores = risk.category_scores(code)
        by_uscc = {s.uscc: s.score for s in scores}
        for item in frame.items.filter(stratum=code).select_related("enterprise"):
            expected = by_uscc.get(item.enterprise.uscc, stats.posterior_mean(0, 0, prior))
            assert item.weight == score_weight(expected), item.item_id
            assert item.weight_reason.startswith(f"风险评分 {expected:.4f}")
    assert len(set(frame.items.values_list("weight", flat=True))) > 3  # the scores differ, so do the weights


def test_the_steered_plan_draws_both_parts_and_the_stand_alone_verifier_recomputes_them(demo):
    plan = Plan.objects.get(name=STEERED_PLAN)
    regulator = User.objects.get(username="regulator")
    ceremony = draws.frame_freeze(
        actor=regulator, plan=plan, beacon_source=BEACON_SOURCE, beacon_fixed_on=timezone.localdate()
    )
    people = list(ceremony.participants.order_by("name"))
    for person in people:
        draws.ceremony_commit(participant=person, commitment=commitment(SECRETS[person.name]))
    for person in people:
        draws.ceremony_reveal(participant=person, secret=SECRETS[person.name])
    draws.ceremony_beacon_enter(actor=User.objects.get(username="regulator2"), ceremony=ceremony, value=BEACON_VALUE)
    tasks = list(plan.tasks.all())
    strata = sorted(task.stratum for task in tasks)
    assert strata == ["JT-0301"] * 4 + ["JT-0301·对照"] + ["JT-0403"] * 4 + ["JT-0403·对照"]
    record = full_record(Draw.objects.get(plan=plan, purpose="enterprises"))
    assert "all recomputed" in verify.verify(record)
    assert {q: record["quotas"][q] for q in record["quotas"]} == plan.frame.quotas
    # a result of each part is counted in its arm
    assert {draw_arm_of(task) for task in tasks} == {"targeted", "holdout"}
    assert json.dumps(record, ensure_ascii=False).count("·对照") >= 2


def test_the_lift_report_agrees_with_a_count_of_the_results(demo):
    client = signed_in("regulator")
    rows = client.get("/api/v1/stats/lift/").json()
    assert rows, "the demo's last two years were steered by risk"
    counted = ResultFact.objects.filter(recheck=False, refused=False)
    for row in rows:
        mine = counted.filter(category_code=row["category"], final_on__year=row["year"])
        targeted, held = mine.filter(draw_arm="targeted"), mine.filter(draw_arm="holdout")
        assert (row["targeted_lots"], row["targeted_failed"]) == (
            targeted.count(),
            targeted.filter(passed=False).count(),
        )
        assert (row["holdout_lots"], row["holdout_failed"]) == (held.count(), held.filter(passed=False).count())
        d, low, high = stats.newcombe_difference(row["targeted_failed"], row["targeted_lots"],
                                                 row["holdout_failed"], row["holdout_lots"])  # fmt: skip
        assert (row["difference"], row["ci_low"], row["ci_high"]) == pytest.approx((d, low, high))
    total = {k: sum(r[k] for r in rows) for k in ("targeted_lots", "targeted_failed", "holdout_lots", "holdout_failed")}
    # targeting found more failures than chance: the pooled difference's interval lies above zero
    _d, low, _high = stats.newcombe_difference(total["targeted_failed"], total["targeted_lots"],
                                               total["holdout_failed"], total["holdout_lots"])  # fmt: skip
    assert low > 0
    year = timezone.localdate().year - 1
    assert {r["year"] for r in client.get("/api/v1/stats/lift/", {"year": year}).json()} == {year}
    bad = client.get("/api/v1/stats/lift/", {"year": "last"})
    assert bad.status_code == 400 and "year" in str(bad.json())
    assert signed_in("manufacturer").get("/api/v1/stats/lift/").json() == []


def test_the_lift_page_renders_its_chart_with_the_table_and_exports(demo):
    client = signed_in("regulator")
    body = client.get("/analytics/risk/lift/").content.decode()
    assert 'data-chart="lift"' in body and '<table class="table">' in body and "差值" in body
    row = client.get("/api/v1/stats/lift/").json()[0]
    link = f"/analytics/results/?category={row['category']}&amp;year={row['year']}&amp;arm=holdout"
    assert link in body
    records = client.get(link.replace("&amp;", "&")).content.decode()
    assert records.count("<tr") - 1 >= min(row["holdout_lots"], 100)
    export = client.get("/analytics/risk/lift/?format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    assert sheet.max_row == len(client.get("/api/v1/stats/lift/").json()) + 2  # header, rows, all categories
    assert client.get("/analytics/risk/lift/?year=abc").status_code == 200
    assert signed_in("manufacturer").get("/analytics/risk/lift/").status_code in (302, 403)


def test_a_plan_weighed_by_scores_is_set_through_the_api_and_a_bad_share_is_named(demo):
    officer = User.objects.get(username="regulator")
    api = Client(headers={"Authorization": f"Token {api_token(officer)}"})
    regulator = str(Plan.objects.get(name=STEERED_PLAN).regulator.public_id)
    fields = {"name": "风险定向抽查", "year": 2026, "participants": ["林监管", "王见证"], "risk_based": True,
              "regulator": regulator}  # fmt: skip
    bad = api.post(
        "/api/v1/plans/", fields | {"risk_rule": {"scores": 1, "holdout": 80}}, content_type="application/json"
    )
    assert bad.status_code == 400 and "holdout" in str(bad.json()["risk_rule"])
    before = Plan.objects.count()
    assert (
        api.post("/api/v1/plans/", fields | {"risk_rule": {"colour": 1}}, content_type="application/json").status_code
        == 400
    )
    assert Plan.objects.count() == before
    made = api.post("/api/v1/plans/", fields | {"risk_rule": {"scores": 1}}, content_type="application/json")
    assert made.status_code == 201, made.content
    plan = Plan.objects.get(code=made.json()["code"])
    assert plan.weighs_by_scores and plan.holdout_percent == 20  # the control group's default share


def test_an_imported_row_says_how_it_was_drawn_or_is_refused_by_row_and_column(demo):
    from choujian.analytics.services import history_import
    from choujian.core import tabular
    from choujian.core.errors import ServiceError

    sample = ResultFact.objects.filter(source="imported", draw_arm="holdout").first()
    header = ["结论日期", "生产企业", "统一社会信用代码", "所在地区代码", "产品类别代码", "产品类别", "检验机构",
              "结论", "抽取方式"]  # fmt: skip
    line = [dt.date(2026, 1, 5).isoformat(), sample.enterprise_name, sample.uscc, sample.region,
            sample.category_code, sample.category_name, sample.laboratory, "合格"]  # fmt: skip
    before = ResultFact.objects.count()
    with pytest.raises(ServiceError) as bad:
        history_import(actor=User.objects.get(username="regulator"), filename="x.csv",
                       data=tabular.write_csv(header, [line + ["随便抽"]]))  # fmt: skip
    assert "第 2 行，“抽取方式”列" in str(bad.value.errors)
    assert ResultFact.objects.count() == before
    history_import(actor=User.objects.get(username="regulator"), filename="y.csv",
                   data=tabular.write_csv(header, [line + ["对照组"]]))  # fmt: skip
    assert ResultFact.objects.latest("pk").draw_arm == "holdout"
