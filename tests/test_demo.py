"""The demo data set: what `choujian demo` builds, built once for the whole module and rolled back afterwards."""

import hashlib
import json
from datetime import timedelta
from io import StringIO
from random import Random

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone

from choujian.accounts.choices import OrganisationKind, Role
from choujian.accounts.models import Organisation, User
from choujian.core.divisions import is_valid_division, is_within
from choujian.core.uscc import is_valid_uscc
from choujian.demo import data
from choujian.demo.builder import _Builder
from choujian.demo.categories import CATEGORIES
from choujian.demo.draw import Codes, enterprise_specs
from choujian.demo.plans import DRAWN_LINES, DRAWN_PLAN, SECRETS, WAITING_PLAN
from choujian.draws import sampler
from choujian.draws.models import Draw, Replacement
from choujian.draws.selectors import full_record
from choujian.enforcement import selectors as enforcement
from choujian.ledger.models import LedgerEntry
from choujian.ledger.verify import verify
from choujian.planning import selectors as plan_selectors
from choujian.planning.choices import TaskStatus
from choujian.planning.models import InspectorQualification, Plan, Task
from choujian.registry import selectors
from choujian.registry.models import Delivery, Enterprise, Product, ProductCategory, Project, Section
from choujian.rules.models import RuleSet
from choujian.sampling.models import Portion, Sample
from choujian.testing.models import LabSample, Report, Retest

DEMO_HISTORY = True  # the earlier spot checks and their cases at every stage of both ladders

ROLES = {
    "regulator": {Role.ROLE_REGULATOR_OFFICER, Role.ROLE_REGULATOR_ADMIN},
    "regulator2": {Role.ROLE_REGULATOR_ADMIN},
    "county": {Role.ROLE_REGULATOR_OFFICER},
    "sampler1": {Role.ROLE_SAMPLER},
    "sampler2": {Role.ROLE_SAMPLER},
    "sampler3": {Role.ROLE_SAMPLER},
    "sampler4": {Role.ROLE_SAMPLER},
    "sampler5": {Role.ROLE_SAMPLER},
    "intake": {Role.ROLE_LAB_INTAKE},
    "tester": {Role.ROLE_TESTER},
    "reviewer": {Role.ROLE_REVIEWER},
    "approver": {Role.ROLE_APPROVER},
    "owner": {Role.ROLE_OWNER_STAFF},
    "supervisor": {Role.ROLE_SUPERVISOR_STAFF},
    "contractor": {Role.ROLE_CONTRACTOR_STAFF},
    "manufacturer": {Role.ROLE_ENTERPRISE_STAFF},
    "auditor": {Role.ROLE_AUDITOR},
}


def _regulators(level: str):
    return Organisation.objects.filter(kind=OrganisationKind.KIND_REGULATOR, level=level)


@pytest.mark.django_db
def test_it_builds_a_province_with_three_cities_and_six_counties(demo):
    province = _regulators("province").get()
    cities = list(_regulators("city"))
    counties = list(_regulators("county"))
    assert (province.region, province.sector) == ("350000", "transport")
    assert len(cities) == 3 and {c.parent for c in cities} == {province}
    assert len(counties) == 6 and {c.parent for c in counties} == set(cities)
    assert all(is_within(c.region, c.parent.region) for c in counties)
    assert all(o.sector == "transport" for o in Organisation.objects.all())


@pytest.mark.django_db
def test_it_builds_the_bodies_and_the_projects_with_their_sections(demo):
    kinds = {kind: Organisation.objects.filter(kind=kind).count() for kind in OrganisationKind.values()}
    assert kinds[OrganisationKind.KIND_SAMPLING_AGENCY] == 2
    assert kinds[OrganisationKind.KIND_LABORATORY] == 3
    assert Project.objects.count() == 6
    for project in Project.objects.all():
        assert 2 <= project.sections.count() <= 3
        assert project.owner.kind == OrganisationKind.KIND_OWNER
    assert all(s.contractor.kind == "contractor" and s.supervisor.kind == "supervisor" for s in Section.objects.all())


@pytest.mark.django_db
def test_it_registers_300_enterprises_with_valid_codes_across_real_divisions(demo):
    enterprises = list(Enterprise.objects.all())
    assert len(enterprises) == 300
    assert all(is_valid_uscc(e.uscc) and e.uscc[:2] == "91" and e.uscc[2:8] == e.region for e in enterprises)
    assert all(is_valid_division(e.region) for e in enterprises)
    outside = [e for e in enterprises if not e.region.startswith("35")]
    assert 30 <= len(outside) <= 120
    assert len({e.name for e in enterprises}) == 300
    assert {e.status for e in enterprises} == {"active", "closed", "deregistered"}
    assert sum(e.status == "active" for e in enterprises) > 250
    licensed = Enterprise.objects.exclude(licence_no="")
    assert licensed.exists() and all(e.licence_no.startswith("XK") for e in licensed)


@pytest.mark.django_db
def test_it_files_products_under_at_least_fifteen_leaf_categories(demo):
    leaves = ProductCategory.objects.filter(parent__isnull=False)
    assert leaves.count() >= 15
    assert {c.code for c in leaves} == {c.code for c in CATEGORIES}
    assert leaves.filter(code="JT-0303", standard="GB/T 5224").exists()
    assert Enterprise.objects.filter(products__isnull=True).count() == 0
    assert Product.objects.filter(category__parent__isnull=True).count() == 0


@pytest.mark.django_db
def test_it_records_about_a_hundred_deliveries_in_the_demo_year(demo):
    deliveries = list(Delivery.objects.select_related("product__enterprise"))
    assert len(deliveries) == data.DELIVERY_COUNT
    assert len({d.batch_no for d in deliveries}) == len(deliveries)
    assert all(d.delivered_on.year == data.YEAR and d.quantity > 0 for d in deliveries)
    assert {d.unit for d in deliveries} <= {"t", "m", "套", "块", "m²", "kg"}
    assert all(d.product.status == "active" and d.product.enterprise.status == "active" for d in deliveries)


@pytest.mark.django_db
@pytest.mark.parametrize("username", sorted(ROLES))
def test_it_creates_each_login_with_its_role_and_the_demo_password(demo, username):
    user = User.objects.get(username=username)
    assert user.roles == ROLES[username]
    assert user.display_name and user.two_factor_exempt
    request = RequestFactory().post("/login/")
    assert authenticate(request, username=username, password=settings.CHOUJIAN_DEMO_PASSWORD) == user
    assert demo.password == settings.CHOUJIAN_DEMO_PASSWORD


@pytest.mark.django_db
def test_it_places_the_county_login_in_a_county_with_enterprises_products_and_projects(demo):
    county = User.objects.get(username="county")
    region = county.primary_organisation.region
    assert county.primary_organisation.level == "county"
    projects = list(selectors.projects_visible_to(county))
    assert projects and all(row.region == region for row in projects)
    deliveries = list(selectors.deliveries_visible_to(county))
    assert deliveries and all(d.section.project.region == region for d in deliveries)
    # Makers elsewhere are visible only as suppliers of goods delivered in the county.
    suppliers = {d.product.enterprise_id for d in deliveries}
    enterprises = list(selectors.enterprises_visible_to(county))
    assert any(e.region == region for e in enterprises)
    assert all(e.region == region or e.pk in suppliers for e in enterprises)
    products = list(selectors.products_visible_to(county))
    delivered = {d.product_id for d in deliveries}
    assert products and all(p.enterprise.region == region or p.pk in delivered for p in products)


@pytest.mark.django_db
def test_it_gives_the_construction_and_manufacturer_logins_rows_of_their_own(demo):
    contractor, supervisor, owner, maker = (
        User.objects.get(username=name) for name in ("contractor", "supervisor", "owner", "manufacturer")
    )
    assert selectors.deliveries_visible_to(contractor).count() >= 4
    assert selectors.sections_visible_to(supervisor).exists()
    assert selectors.projects_visible_to(owner).filter(region=data.DEMO_COUNTY).exists()
    enterprise = Enterprise.objects.get(organisation=maker.primary_organisation)
    assert list(selectors.enterprises_visible_to(maker)) == [enterprise]
    assert selectors.products_visible_to(maker).exists()
    assert selectors.deliveries_visible_to(maker).count() >= 3


@pytest.mark.django_db
def test_it_ledgers_every_row_it_creates(demo):
    registry_rows = (
        Organisation.objects.count()
        + sum(u.memberships.count() for u in User.objects.all())
        + Enterprise.objects.count()
        + Product.objects.count()
        + Project.objects.count()
        + Section.objects.count()
        + Delivery.objects.count()
    )
    later = (
        r"^(plan|frame|ceremony|draw|task|qualification|ruleset|sampling|sample|portion|handover|alternate|intake|"
        r"lab_sample|result|report|notice|objection|retest|outcome|case|credit|blacklist|announcement|error_report|open_bulk|history|risk_signal|warning|comparison|bulletin)\.|^enterprise\.updated$"
    )  # an enterprise is linked to the organisation of its staff who object to a result
    registry_entries = LedgerEntry.objects.exclude(type__regex=later)
    assert registry_entries.count() == registry_rows
    assert LedgerEntry.objects.filter(type="qualification.granted").count() == InspectorQualification.objects.count()
    assert LedgerEntry.objects.count() == demo.counts["追溯日志条目"]
    enterprise = Enterprise.objects.first()
    assert LedgerEntry.objects.filter(type="enterprise.created", object=f"enterprise:{enterprise.public_id}").exists()
    contractor = User.objects.get(username="contractor")
    assert LedgerEntry.objects.filter(type="delivery.created", actor=f"user:{contractor.public_id}").exists()


@pytest.mark.django_db
def test_it_leaves_a_ledger_that_verifies(demo):
    # Every row must digest to the state its ledger entry recorded, e.g. 35 t written as 35.000 (the column's scale).
    assert [str(problem) for problem in verify()] == []


@pytest.mark.django_db
def test_it_leaves_existing_demo_data_alone(demo):
    out = StringIO()
    call_command("demo", stdout=out)
    assert "演示数据已存在" in out.getvalue()
    assert Enterprise.objects.count() == 300


def test_it_draws_the_same_enterprises_from_the_same_seed():
    def draw(seed):
        rng = Random(seed)
        return [(s.name, s.uscc, s.region, s.address) for s in enterprise_specs(rng, Codes(rng))]

    assert draw(data.SEED) == draw(data.SEED)
    assert draw(data.SEED) != draw(data.SEED + 1)


@pytest.mark.parametrize(("value", "exempt"), [(None, True), ("false", True), ("true", False)])
def test_it_exempts_demo_logins_from_two_factor_unless_configured(monkeypatch, value, exempt):
    if value is None:
        monkeypatch.delenv("CHOUJIAN_DEMO_2FA", raising=False)
    else:
        monkeypatch.setenv("CHOUJIAN_DEMO_2FA", value)
    assert _Builder(data.SEED, "", None).two_factor_exempt is exempt


@pytest.mark.django_db
def test_it_draws_a_plan_end_to_end_with_two_inspectors_per_task(demo):
    plan = Plan.objects.get(name=DRAWN_PLAN)
    assert plan.status == "drawn"
    assert (plan.drafted_by.username, plan.approved_by.username) == ("regulator", "regulator2")
    ceremony = plan.ceremony
    assert ceremony.status == "complete"
    people = list(ceremony.participants.all())
    assert len(people) == 2 and {p.name: p.secret for p in people} == SECRETS
    assert all(p.commitment == hashlib.sha256(p.secret.encode()).hexdigest() for p in people)
    tasks = list(plan.tasks.select_related("line"))
    open_tasks = [t for t in tasks if t.status != "replaced"]
    assert len(open_tasks) == sum(line.quota for line in DRAWN_LINES)
    assert {t.line.sampling_mode for t in tasks} == {"production", "construction"}
    assert all(t.delivery_id for t in tasks if t.line.sampling_mode == "construction")
    for task in tasks:
        assert task.inspectors.count() == 2, task.code
        assert task.agency_id != task.laboratory_id
        assert Draw.objects.filter(task=task, purpose="inspectors").count() == 1
    assert "assigned" in {t.status for t in open_tasks}


@pytest.mark.django_db
def test_it_has_samples_at_every_laboratory_stage(demo):
    statuses = set(LabSample.objects.values_list("status", flat=True))
    assert {"testing", "submitted", "approved"} <= statuses
    assert set(Report.objects.filter(status="approved").values_list("judgment", flat=True)) == {"pass", "fail"}
    retest = Retest.objects.get()
    assert retest.status == "done" and retest.laboratory_id != retest.sample.laboratory_id
    assert Sample.objects.filter(status="received", intakes__isnull=True).exists()  # waiting for intake
    assert User.objects.get(username="objector").active_memberships


@pytest.mark.django_db
def test_it_has_tasks_at_every_field_stage(demo):
    plan = Plan.objects.get(name=DRAWN_PLAN)
    statuses = set(plan.tasks.values_list("status", flat=True))
    stages = {"assigned", "sampling", "refused", "sealed", "in_transit", "received", "alternate_requested"}
    assert stages <= statuses
    retained = Portion.objects.filter(status="retained").first()
    assert retained is not None and retained.signatures.count() == 3  # custodian, owner and supervisor
    assert RuleSet.objects.filter(status="active").count() >= 10


@pytest.mark.django_db
def test_it_replaces_one_task_by_the_next_alternate_with_reason_and_evidence(demo, demo_media):
    plan = Plan.objects.get(name=DRAWN_PLAN)
    replacement = Replacement.objects.select_related("replaced", "replacement").get()
    replaced, successor = replacement.replaced, replacement.replacement
    assert replaced.plan == plan and replaced.status == "replaced" and successor.replaces == replaced
    assert replacement.reason == "closed" and replacement.note
    content = (demo_media / replacement.evidence.name).read_bytes()
    assert content.startswith(b"\x89PNG") and hashlib.sha256(content).hexdigest() == replacement.evidence_sha256
    record = full_record(Draw.objects.get(plan=plan, purpose="enterprises"))
    assert replaced.frame_item_id in record["selected"][replaced.stratum]
    # The next alternate of the stratum in rank order that is not a task already.
    used = set(plan.tasks.exclude(pk=successor.pk).values_list("frame_item_id", flat=True))
    expected = next(item for item in record["alternates"][replaced.stratum] if item not in used)
    assert successor.frame_item_id == expected and successor.inspectors.count() == 2
    assert LedgerEntry.objects.filter(type="task.replaced", object=f"replacement:{replacement.public_id}").exists()


@pytest.mark.django_db
def test_it_shows_why_items_were_left_out_of_the_frame(demo):
    frame = Plan.objects.get(name=DRAWN_PLAN).frame
    reasons = set(frame.exclusions.values_list("reason", flat=True))
    assert "企业状态为“停产/歇业”" in reasons
    assert "所在地区不在分层批次中（该层未分配批次）" in reasons
    excluded = set(frame.exclusions.values_list("item_id", flat=True))
    assert excluded.isdisjoint(frame.items.values_list("item_id", flat=True))


def _check_sealed_object_draw(plan, draw) -> None:
    """The object draw is published as draw-v2: commitments, then each sampled, refused or replaced task's item with
    its inclusion proof; the stand-alone verifier accepts it, and the whole record recomputes for the staff."""
    from choujian.draws import sealed, verify

    record = json.loads(draw.record)
    assert record["algorithm"] == "choujian-draw-v2" and "frame" not in record
    assert record["frame_root"] == plan.frame.digest
    secrets = record["seed_source"]["secrets"]
    assert sealed.ceremony_seed(record["frame_root"], secrets, record["seed_source"]["beacon"]) == record["seed"]
    revealed = {r["line"].split("\t")[0] for r in record["revealed"]}
    done = set(plan.tasks.filter(status__in=TaskStatus.REVEALED).values_list("frame_item_id", flat=True))
    assert revealed == done and done
    assert "OK" in verify.verify(record)
    assert "all recomputed" in verify.verify(full_record(draw))


@pytest.mark.django_db
def test_its_draw_records_recompute_with_the_sampler(demo):
    plan = Plan.objects.get(name=DRAWN_PLAN)
    draws = list(Draw.objects.filter(plan=plan))
    retests = [d for d in draws if d.purpose == "retests"]
    assert len(draws) == 1 + plan.tasks.count() + len(retests) and len(retests) == 1
    for draw in draws:
        if draw.purpose == "enterprises":
            _check_sealed_object_draw(plan, draw)
            continue
        record = json.loads(draw.record)
        items = [sampler.FrameItem(i["id"], i["weight"], i["stratum"]) for i in record["frame"]]
        assert sampler.frame_digest(items) == record["frame_digest"]
        source = record["seed_source"]
        if draw.purpose == "enterprises":
            assert record["frame_digest"] == plan.frame.digest
            assert sampler.ceremony_seed(record["frame_digest"], source["secrets"]) == record["seed"]
            assert source["commitments"] == {name: sampler.commitment(secret) for name, secret in SECRETS.items()}
        elif draw.purpose == "retests":
            assert record["seed"] == sampler.inspector_seed(plan.ceremony.seed, f"{draw.task.code}/复检1")
        else:
            assert record["seed"] == sampler.inspector_seed(plan.ceremony.seed, draw.task.code)
        result = sampler.draw(items, record["seed"], record["quotas"])
        assert (result.selected, result.alternates) == (record["selected"], record["alternates"])
        assert draw.record == sampler.record_json(record)
        assert draw.record_sha256 == hashlib.sha256(draw.record.encode("utf-8")).hexdigest()


@pytest.mark.django_db
def test_it_leaves_a_second_plan_waiting_in_its_ceremony(demo):
    plan = Plan.objects.get(name=WAITING_PLAN)
    assert plan.status == "frozen" and plan.frame.frozen_at is not None
    ceremony = plan.ceremony
    assert ceremony.status == "committing" and not ceremony.seed
    assert ceremony.participants.count() == 2
    assert not ceremony.participants.exclude(commitment="").exists()
    assert not ceremony.participants.filter(link_issued_at__isnull=False).exists()  # links: issued by hand, shown once
    assert not ceremony.participants.exclude(secret="").exists()
    assert ceremony.reveal_deadline > timezone.now() + timedelta(days=3)
    assert not Task.objects.filter(plan=plan).exists() and not Draw.objects.filter(plan=plan).exists()


@pytest.mark.django_db
def test_it_lets_the_regulator_login_see_both_plans(demo):
    regulator = User.objects.get(username="regulator")
    visible = set(plan_selectors.plans_regulated_by(regulator).values_list("name", flat=True))
    assert {DRAWN_PLAN, WAITING_PLAN} <= visible


@pytest.mark.django_db
def test_nothing_public_names_an_enterprise_before_its_task_is_sampled(demo, client):
    """The attack that tipped off enterprises: crawl every public page and API anonymously, the whole public ledger
    included, and look for anything that names the enterprise, product or delivery of a task not yet sampled."""
    from choujian.ledger import services as ledger

    waiting = list(
        Task.objects.exclude(status__in=TaskStatus.REVEALED).select_related("enterprise", "product", "delivery")
    )
    assert waiting, "the demo keeps tasks waiting to be sampled"
    # An enterprise with a task already sampled is named by that task's reveal (draw-v2 reveals per task); what must
    # stay hidden is every item still waiting, and every enterprise that has nothing revealed yet.
    visited = set(Task.objects.filter(status__in=TaskStatus.REVEALED).values_list("enterprise_id", flat=True))
    secrets = set()
    for task in waiting:
        if task.is_recheck:
            continue  # a 复查 samples again an item whose sampling (and failure) was revealed long before
        # Record ids (product:<uuid>) appear in the public log for every registry row alike; they name no task.
        secrets |= {task.frame_item_id, task.code + task.enterprise.name}
        if task.enterprise_id not in visited:
            secrets |= {task.enterprise.uscc, task.enterprise.name}
        if task.delivery_id:
            secrets |= {task.delivery.batch_no}
    urls = ["/", "/login/", "/ledger/", "/draws/verify.py", "/api/ledger/checkpoint", "/api/v1/schema/"]
    for draw in Draw.objects.all():
        base = f"/api/v1/draws/{draw.public_id}/"
        urls += [f"/draws/{draw.public_id}/", base, base + "record"]
    size = ledger.current_size()
    urls += [f"/api/ledger/entries?start={start}&end={min(size, start + 500)}" for start in range(0, size, 500)]
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 302), url
        text = response.content.decode("utf-8", "replace")
        leaked = sorted(s for s in secrets if s and s in text)
        assert not leaked, f"{url} names {leaked}"


@pytest.mark.django_db
def test_its_tasks_show_the_chain_past_the_laboratory(demo):
    statuses = set(Task.objects.values_list("status", flat=True))
    assert {"received", "testing", "notified", "final"} <= statuses


@pytest.mark.django_db
def test_it_shows_cases_at_every_stage_of_both_ladders(demo):
    from choujian.enforcement.models import BlacklistEntry, Case

    cases = list(Case.objects.prefetch_related("steps", "rechecks", "removals", "penalties"))
    stages = {(case.ladder, case.conclusion or case.stage) for case in cases}
    assert {
        ("transport", "apply"),  # the notice served, the enterprise rectifying
        ("transport", "@passed"),
        ("transport", "@failed"),
        ("transport", "@maintained"),  # no application in time
        ("samr", "rectify"),
        ("samr", "recheck"),  # rectified, the 复查 ordered
        ("samr", "second_recheck"),  # the 复查 failed and was announced
        ("refusal", "correct"),
    } <= stages
    assert any(c.referral_acknowledged_at for c in cases) and any(c.referral_open for c in cases)
    assert any(r.witnessed_at for c in cases for r in c.removals.all())
    assert any(p.kind == "art64" for c in cases for p in c.penalties.all())
    assert any(r.concluded_at is None and r.task.status == "assigned" for c in cases for r in c.rechecks.all())
    listed = BlacklistEntry.objects.get(status="listed")
    assert listed.repair_applied_at and listed.repair_reviewed_by and not listed.repair_decision
    assert BlacklistEntry.objects.filter(status="exited").exists()
    # The manufacturer and the contractor each have something of their own to do.
    manufacturer, contractor = (User.objects.get(username=name) for name in ("manufacturer", "contractor"))
    assert enforcement.cases_to_act(manufacturer, "enterprise").exists()
    assert enforcement.removals_to_record(contractor).exists()
