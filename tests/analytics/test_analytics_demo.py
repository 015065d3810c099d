"""Statistics over the demo's years of history: the pass rates agree with a count of the results, the risk score is the
documented formula, the planted trend raised a warning that reached the province's officers, last quarter's bulletin
was published by a second officer with its charts, and every page and export answers regulators only. A plan weighed
by risk scores keeps a control group: its frame weighs each maker by its score, a fifth of each quota is drawn with
equal weights, the draw verifies with the stand-alone verifier, and the lift report agrees with a count of the
results (one module, so the demo with its statistics is built once)."""

import datetime as dt
import io
import json
import shutil
import subprocess

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone

from choujian.accounts.models import User
from choujian.analytics import bulletins, risk, stats
from choujian.analytics.facts import draw_arm_of
from choujian.analytics.models import Bulletin, QualityWarning, ResultFact, RiskSignal
from choujian.analytics.services import warning_close
from choujian.core.errors import NotPermitted, ServiceError
from choujian.demo.plans import BEACON_SOURCE, BEACON_VALUE, SECRETS, STEERED_PLAN, commitment
from choujian.draws import services as draws
from choujian.draws import verify
from choujian.draws.frames import score_weight
from choujian.draws.models import Draw
from choujian.draws.selectors import full_record
from choujian.notifications.models import Message
from choujian.planning.models import Plan
from choujian.testing.models import Outcome
from tests.factories import api_token, signed_in

DEMO_HISTORY = True
DEMO_STATISTICS = True  # the earlier years, warnings, comparisons and bulletins
pytestmark = pytest.mark.django_db


def test_every_final_result_of_the_platform_is_counted_once(demo):
    outcomes = Outcome.objects.count()
    assert outcomes > 0
    assert ResultFact.objects.filter(outcome__isnull=False).count() == outcomes
    for fact in ResultFact.objects.filter(outcome__isnull=False).select_related("outcome"):
        assert fact.passed == (fact.outcome.judgment == "pass")
    assert ResultFact.objects.filter(source="imported").count() > 3000  # several years of history


def test_the_pass_rate_api_agrees_with_a_count_of_the_results(demo):
    client = signed_in("regulator")
    rows = client.get("/api/v1/stats/pass-rates/", {"by": "category", "from": "2025-01-01", "to": "2025-12-31"}).json()
    assert len(rows) > 10
    counted = ResultFact.objects.filter(recheck=False, final_on__year=2025)
    for row in rows:
        mine = counted.filter(category_code=row["key"])
        lots = mine.filter(refused=False).count()
        failed = mine.filter(refused=False, passed=False).count()
        assert (row["lots"], row["failed"], row["refused"]) == (lots, failed, mine.filter(refused=True).count())
        assert row["rate"] == pytest.approx((lots - failed) / lots)
        assert (row["ci_low"], row["ci_high"]) == pytest.approx(stats.wilson(lots - failed, lots))
    months = client.get("/api/v1/stats/pass-rates/", {"by": "month", "from": "2025-01-01", "to": "2025-12-31"}).json()
    assert [m["key"] for m in months] == [f"2025-{m:02d}" for m in range(1, 13)]
    assert sum(m["lots"] for m in months) == sum(r["lots"] for r in rows)
    bad = client.get("/api/v1/stats/pass-rates/", {"by": "colour", "from": "yesterday"})
    assert bad.status_code == 400 and "by" in str(bad.json()) and "from" in str(bad.json())


def test_a_county_sees_only_its_own_ground_and_an_enterprise_sees_nothing(demo):
    county = signed_in("county").get("/api/v1/stats/pass-rates/", {"by": "region", "level": "county"}).json()
    province = signed_in("regulator").get("/api/v1/stats/pass-rates/", {"by": "region", "level": "county"}).json()
    assert 0 < len(county) < len(province)
    assert signed_in("manufacturer").get("/api/v1/stats/pass-rates/").json() == []
    assert signed_in("manufacturer").get("/analytics/").status_code in (302, 403)
    assert Client().get("/api/v1/stats/pass-rates/").status_code in (401, 403)


def test_the_risk_score_is_the_documented_formula(demo):
    category = "JT-0303"
    today = timezone.localdate()
    prior, scores = risk.category_scores(category, today=today)
    facts = ResultFact.objects.filter(category_code=category, recheck=False, refused=False)
    raw = {}
    for fact in facts:
        raw.setdefault(fact.uscc, [0, 0])
        raw[fact.uscc][0] += not fact.passed
        raw[fact.uscc][1] += 1
    assert (prior.alpha, prior.beta) == pytest.approx(
        (stats.beta_binomial_prior(list(map(tuple, raw.values()))).alpha,
         stats.beta_binomial_prior(list(map(tuple, raw.values()))).beta)
    )  # fmt: skip
    signalled = [s for s in scores if s.signals]
    assert signalled, "the demo registered signals about strand makers"
    for score in scores:
        mine = facts.filter(uscc=score.uscc)
        n = sum(stats.decay((today - f.final_on).days, risk.half_life()) for f in mine)
        x = sum(stats.decay((today - f.final_on).days, risk.half_life()) * risk.SEVERITY[f.worst_class]
                for f in mine if not f.passed)  # fmt: skip
        factor = 1 + sum(c.weight * c.decay for c in score.signals)
        assert (score.n, score.x) == (mine.count(), mine.filter(passed=False).count())
        assert score.score == pytest.approx((x + prior.alpha) / (n + prior.alpha + prior.beta) * factor)
    api = signed_in("regulator").get("/api/v1/risk/scores/", {"category": category}).json()
    top = api[0]
    assert {"enterprise", "n", "x", "alpha", "beta", "posterior_mean", "score", "components"} <= set(top)
    assert top["score"] == pytest.approx(top["posterior_mean"] * top["signal_factor"])
    assert signed_in("regulator").get("/api/v1/risk/scores/").status_code == 400


def test_the_planted_rise_raised_a_warning_that_reached_the_province_and_is_closed_with_a_note(demo):
    warning = QualityWarning.objects.get(category_code="JT-0303", region="350000")
    assert warning.status == "open" and warning.evidence["signals"] and warning.evidence["rate"] > 0.2
    told = Message.objects.filter(kind="analytics.warning", subject__contains=warning.code)
    assert told.filter(recipient__username="regulator").exists()
    page = signed_in("regulator").get(f"/analytics/warnings/{warning.code}/").content.decode()
    assert "CUSUM" in page and warning.action in page and 'data-chart="control"' in page
    with pytest.raises(NotPermitted):
        warning_close(actor=User.objects.get(username="county"), warning=warning, note="已处置完毕")
    with pytest.raises(ServiceError):
        warning_close(actor=User.objects.get(username="regulator"), warning=warning, note="")
    closed = warning_close(actor=User.objects.get(username="regulator"), warning=warning,
                           note="已将钢绞线列入下季度专项抽查，并约谈 3 家企业")  # fmt: skip
    assert closed.status == "closed" and closed.closed_by.username == "regulator"


def test_every_statistics_page_renders_with_its_data_beside_the_chart(demo):
    client = signed_in("regulator")
    pages = (
        "/analytics/", "/analytics/rates/?by=region&level=county", "/analytics/rates/?by=month",
        "/analytics/funnel/?category=JT-0303", "/analytics/projects/", "/analytics/risk/?category=JT-0303",
        "/analytics/warnings/", "/analytics/history/", "/analytics/results/?category=JT-0303&conclusion=fail",
    )  # fmt: skip
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        if 'data-chart="' in body:
            assert '<table class="table">' in body and "application/json" in body, url
    export = client.get("/analytics/rates/?by=category&format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    api = client.get("/api/v1/stats/pass-rates/?by=category").json()
    assert sheet.max_row == len(api) + 1 and [c.value for c in sheet[2]][1] == api[0]["key"]
    drill = client.get("/analytics/rates/?by=region&level=province").content.decode()
    assert "level=city" in drill and "下一级" in drill


def test_a_signal_raises_the_score_and_bad_input_is_named(demo):
    officer = User.objects.get(username="regulator")
    from choujian.analytics.services import signal_create, signal_withdraw

    enterprise = RiskSignal.objects.first().enterprise
    with pytest.raises(ServiceError) as bad:
        signal_create(actor=officer, enterprise=enterprise, kind="rumour", source="", observed_on="2099-01-01",
                      weight="9")  # fmt: skip
    assert {"kind", "source", "observed_on", "weight"} <= set(bad.value.errors)
    before = {s.uscc: s.score for s in risk.category_scores("JT-0303")[1]}
    signal = signal_create(actor=officer, enterprise=enterprise, kind="media", source="《海峡都市报》2026-11-20",
                           observed_on=dt.date.today().isoformat(), weight="2")  # fmt: skip
    after = {s.uscc: s.score for s in risk.category_scores("JT-0303")[1]}
    assert after[enterprise.uscc] > before[enterprise.uscc]
    signal_withdraw(actor=officer, signal=signal, reason="报道已更正")
    assert {s.uscc: s.score for s in risk.category_scores("JT-0303")[1]} == pytest.approx(before)


def test_a_draft_is_private_until_another_officer_publishes_it_and_its_figures_agree(demo, demo_media, settings):
    settings.MEDIA_ROOT = demo_media
    published = Bulletin.objects.get(status="published")
    anonymous = Client()
    assert published.title in anonymous.get("/").content.decode()
    listed = anonymous.get("/api/v1/bulletins/").json()
    assert [b["code"] for b in listed] == [published.code] and listed[0]["pdf_sha256"] == published.pdf_sha256
    drafter, reviewer = User.objects.get(username="regulator"), User.objects.get(username="regulator2")
    waiting = Bulletin.objects.get(status="draft")
    assert waiting.code not in str(anonymous.get("/api/v1/bulletins/").json())
    year = published.year - 1
    draft = bulletins.bulletin_draft(actor=drafter, year=year, quarter=published.quarter)
    assert draft.figures["total"]["lots"] > 0 and "批次合格率" in draft.narrative
    assert anonymous.get(f"/analytics/bulletins/{draft.code}.pdf").status_code == 404
    assert draft.code not in str(anonymous.get("/api/v1/bulletins/").json())
    assert draft.code in str(signed_in("regulator2").get("/api/v1/bulletins/").json())
    with pytest.raises(ServiceError):
        bulletins.bulletin_publish(actor=drafter, bulletin=draft)
    with pytest.raises(NotPermitted):
        bulletins.bulletin_publish(actor=User.objects.get(username="county"), bulletin=draft)
    with pytest.raises(ServiceError) as short:
        bulletins.bulletin_update(actor=drafter, bulletin=draft, narrative="太短")
    assert "narrative" in short.value.errors
    with pytest.raises(ServiceError) as future:
        bulletins.bulletin_draft(actor=drafter, year=2100, quarter=5)
    assert {"year", "quarter"} <= set(future.value.errors)
    bulletins.bulletin_update(actor=drafter, bulletin=draft, narrative=draft.narrative + "\n\n（经审核修改）")
    done = bulletins.bulletin_publish(actor=reviewer, bulletin=Bulletin.objects.get(pk=draft.pk))
    pdf = anonymous.get(f"/analytics/bulletins/{done.code}.pdf")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF-")


@pytest.mark.skipif(not shutil.which("pdftoppm") or not shutil.which("pdftotext"), reason="poppler-utils not installed")
def test_the_bulletin_pdf_renders_with_charts_and_chinese_text(demo, demo_media, tmp_path):
    published = Bulletin.objects.get(status="published")
    path = demo_media / published.pdf.name
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    for words in ("产品质量监督抽查情况通报", "一、总体情况", "二、分产品情况", "批次合格率", "后处理进展"):
        assert words in text
    images = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True).stdout
    assert len(images.splitlines()) >= 4  # header, rule, and the two charts
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")], check=True
    )
    [page] = tmp_path.glob("page*.png")
    assert page.stat().st_size > 10_000  # a drawn page, not a blank one


def test_every_testing_body_has_z_scores_anyone_can_recompute_and_the_outlier_is_flagged(demo):
    rows = signed_in("regulator").get("/api/v1/lab/comparison/").json()
    labs = {row["laboratory"] for row in rows if row["z"] is not None}
    assert {
        "福建省交通建设工程材料检测中心有限公司",
        "厦门市路桥工程材料检测有限公司",
        "泉州市公路工程试验检测有限公司",
    } <= labs
    for item in {row["item"] for row in rows}:
        mine = [row for row in rows if row["item"] == item]
        deviations = []
        for round_code in {row["round"] for row in mine}:
            first = next(row for row in mine if row["round"] == round_code)
            mean = stats.algorithm_a(first["values"]).mean
            assert first["robust_mean"] == pytest.approx(mean)
            deviations += [(value - mean) / mean for value in first["values"]]
        relative = stats.algorithm_a(deviations).sd
        for row in mine:
            if row["z"] is None:  # the values of the item's rounds do not spread at all: no scale to judge on
                assert not relative
                continue
            assert row["relative_sd"] == pytest.approx(relative)
            assert row["z"] == pytest.approx((row["value"] - row["robust_mean"]) / (relative * abs(row["robust_mean"])))
    worst = max(rows, key=lambda row: abs(row["z"] or 0))
    assert worst["verdict"] == "warning" and worst["laboratory"] == "泉州市公路工程试验检测有限公司"
    assert Message.objects.filter(kind="analytics.lab_warning", subject__contains="泉州市公路工程试验检测").exists()
    assert any(row["kind"] == "retest" for row in rows)  # the demo's re-test beside its first test
    page = signed_in("regulator").get("/analytics/labs/").content.decode()
    assert "不满意（预警）" in page and "泉州市公路工程试验检测有限公司" in page
    assert signed_in("manufacturer").get("/api/v1/lab/comparison/").json() == []


def test_a_result_counts_the_moment_it_becomes_final(demo, django_capture_on_commit_callbacks):
    """The receiver on the ledger's `outcome.final` writes the row when the transaction commits (the job is only a
    safety net)."""
    outcome = Outcome.objects.order_by("pk").first()
    ResultFact.objects.filter(outcome=outcome).delete()
    from choujian.ledger.services import ledger_append

    with django_capture_on_commit_callbacks(execute=True):
        ledger_append(type="outcome.final", actor="system", object=outcome)
    fact = ResultFact.objects.get(outcome=outcome)
    assert fact.task_code == outcome.sample.task.code and fact.passed == (outcome.judgment == "pass")


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
    row = next(r for r in client.get("/api/v1/stats/lift/").json() if r["holdout_lots"])
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
