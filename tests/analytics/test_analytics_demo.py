"""Statistics over the demo's years of history: the pass rates agree with a count of the results, the risk score is the
documented formula, the planted trend raised a warning that reached the province's officers, last quarter's bulletin
was published by a second officer with its charts, and every page and export answers regulators only."""

import datetime as dt
import io
import shutil
import subprocess

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone

from choujian.accounts.models import User
from choujian.analytics import bulletins, risk, stats
from choujian.analytics.models import Bulletin, QualityWarning, ResultFact, RiskSignal
from choujian.analytics.services import warning_close
from choujian.core.errors import NotPermitted, ServiceError
from choujian.notifications.models import Message
from choujian.testing.models import Outcome
from tests.factories import signed_in

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
