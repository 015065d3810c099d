"""Every field that matters is in a ledgered state: declared per model, and proven by editing each covered field of a
real row (the demo) directly in the database and expecting `ledger verify` to name the object — or the database to
refuse the edit."""

import datetime as dt
import decimal
import uuid

import pytest
from django.apps import apps
from django.db import DatabaseError, models, transaction

from choujian.core.ledgerstate import ledger_values
from choujian.ledger.coverage import covered_models, undeclared
from choujian.ledger.objects import object_ref
from choujian.ledger.verify import check_object, verify

DEMO_HISTORY = True  # the earlier spot checks and their cases at every stage of both ladders
DEMO_STATISTICS = True  # every ledgered kind has rows to edit behind the platform's back


def _own_models():
    return [m for m in apps.get_models() if m.__module__.startswith("choujian.")]


def _covered_fields():
    return [(m._meta.label, name) for m in covered_models() for name in m.ledger_fields]


def test_every_model_says_whether_and_how_it_is_ledgered():
    problems = {}
    for model in _own_models():
        kinds = [a for a in ("ledger_kind", "ledger_embedded_in", "ledger_exempt") if getattr(model, a, None)]
        if len(kinds) != 1:
            problems[model._meta.label] = (
                f"declares {kinds or 'none'} of ledger_kind / ledger_embedded_in / ledger_exempt"
            )
        elif kinds != ["ledger_exempt"]:
            found = undeclared(model)
            if found:
                problems[model._meta.label] = found
    assert problems == {}


def test_an_undeclared_field_is_reported():
    model = apps.get_model("registry", "Project")
    original = model.ledger_fields
    try:
        model.ledger_fields = tuple(n for n in original if n != "name")
        assert undeclared(model) == ["name: 未声明 / neither covered nor left out"]
    finally:
        model.ledger_fields = original


def test_embedded_rows_name_a_ledgered_host():
    for model in covered_models():
        for name in getattr(model, "ledger_embedded_in", ()):
            host = model._meta.get_field(name).related_model
            assert getattr(host, "ledger_kind", None), f"{model._meta.label}.{name} → {host._meta.label}"


@pytest.fixture(scope="module")
def site(demo, django_db_blocker):
    with django_db_blocker.unblock():
        _add_what_the_demo_lacks()


def _add_what_the_demo_lacks():
    """A delivery document and a conflict declaration, made as the platform makes them."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from choujian.accounts.models import User
    from choujian.core.recording import record_create
    from choujian.planning.models import ConflictDeclaration
    from choujian.registry.models import Delivery, Enterprise
    from choujian.registry.services import delivery_document_attach

    admin = User.objects.get(username="regulator")
    delivery = Delivery.objects.order_by("pk").first()
    pdf = SimpleUploadedFile("合格证.pdf", b"%PDF-1.4\n% certificate\n%%EOF\n", content_type="application/pdf")
    delivery_document_attach(actor=admin, delivery=delivery, kind="certificate", upload=pdf)
    sampler = User.objects.get(username="sampler1")
    enterprise = Enterprise.objects.order_by("pk").first()
    declaration = ConflictDeclaration(inspector=sampler, enterprise=enterprise, reason="亲属")
    record_create(declaration, actor=admin, event="conflict.admin_created")  # as the admin site declares one
    _walk_the_demo_case(admin)


def _walk_the_demo_case(admin):
    """Today's failed case in the demo taken on: a plan's ladder set, a clock suspended and resumed, the enterprise's
    report attached, the 复查 ordered and failed (a credit record and a listing). Removals, penalties and credit
    repair come from the demo's earlier cases."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from choujian.accounts.models import User
    from choujian.enforcement import rechecks, services
    from choujian.enforcement.models import Case
    from choujian.planning.models import Plan

    case = Case.objects.get(cause="failed", stage="apply")
    plan = Plan.objects.exclude(pk=case.plan_id).order_by("pk").first()
    services.plan_ladder_set(actor=admin, plan=plan, ladder="samr")
    case = services.step_suspend(actor=admin, case=case, reason="经批准延期")
    case = services.step_resume(actor=admin, case=case)
    party = User.objects.get(username="objector")
    report = SimpleUploadedFile("整改报告.pdf", b"%PDF-1.4\n% rectification\n%%EOF\n")
    services.step_file_attach(actor=party, case=case, upload=report)
    case = services.step_take(actor=party, case=case, step="apply", result="done")
    recheck = rechecks.recheck_order(actor=admin, case=case)
    rechecks.recheck_conclude(task=recheck.task, judgment="fail")


def _hosts(row: models.Model) -> list[str]:
    if getattr(row, "ledger_kind", None):
        return [object_ref(row)]
    hosts = []
    for name in row.ledger_embedded_in:
        host = getattr(row, name)
        if host is not None:
            hosts.append(object_ref(host))
    return hosts


def _richest_row(model):
    """A row whose hosts verify now and which fills as many covered fields as possible."""
    best, best_score = None, -1
    for row in model._base_manager.order_by("pk")[:300]:
        hosts = _hosts(row)
        if not hosts:
            continue
        values = ledger_values(row, [n for n in row.ledger_fields if not row._meta.get_field(n).many_to_many])
        score = sum(v not in (None, "", [], {}) for v in values.values())
        if score > best_score and all(check_object(ref) is None for ref in hosts):
            best, best_score = row, score
    return best


def _other_row(field, row):
    target = field.related_model
    current = getattr(row, field.attname)
    candidates = target._base_manager.exclude(pk=current) if current is not None else target._base_manager.all()
    if field.one_to_one:
        taken = field.model._base_manager.exclude(**{field.attname: None}).values(field.attname)
        candidates = candidates.exclude(pk__in=taken)
    return candidates.order_by("pk").first()


def _changed(field, value):
    """A different value of the field's type, as a direct edit would write it."""
    if field.choices:
        others = [c for c, _ in field.flatchoices if c != value and c not in ("", None)]
        return others[0]
    if isinstance(field, models.BooleanField):
        return not value
    if isinstance(field, models.DecimalField):
        return (value or decimal.Decimal(0)) + decimal.Decimal(1)
    if isinstance(field, models.IntegerField):
        return (value or 0) + 1
    if isinstance(field, models.DateTimeField):
        return (value or dt.datetime(2026, 1, 5, tzinfo=dt.UTC)) + dt.timedelta(days=1)
    if isinstance(field, models.DateField):
        return (value or dt.date(2026, 1, 5)) + dt.timedelta(days=1)
    if isinstance(field, models.UUIDField):
        return uuid.uuid4()
    if isinstance(field, models.JSONField):
        if isinstance(value, list):
            return [*value, "篡改"]
        if isinstance(value, dict):
            return {**value, "篡改": 1}
        return {"篡改": value}
    if isinstance(field, models.FileField):
        return (value.name if value else "") + "-篡改"
    text = value or ""
    limit = field.max_length or 1000
    if len(text) < limit:
        return text + "9" if text.isdigit() else text + "改"
    return text[:-1] + ("8" if text[-1] != "8" else "7")


def _tamper(model, row, name) -> str:
    """Edit the field behind the platform's back; return what happened: 'edited', 'refused' or why it was not."""
    field = model._meta.get_field(name)
    manager = model._base_manager
    if field.many_to_many:
        through = getattr(row, name)
        extra = field.related_model._base_manager.exclude(pk__in=through.values("pk")).order_by("pk").first()
        if extra is None:
            return "no other row to add"
        through.add(extra)
        return "edited"
    if field.many_to_one or field.one_to_one:
        other = _other_row(field, row)
        if other is None:
            if field.one_to_one and not field.null:
                pytest.skip(f"every {field.related_model._meta.label} already has its one {model._meta.label}")
            if field.null and not field.related_model._base_manager.exists():
                pytest.skip(f"the demo has no {field.related_model._meta.label} for {model._meta.label}.{name}")
            if not field.null or getattr(row, field.attname) is None:
                return f"no other {field.related_model._meta.label} to point at"
            value = None
        else:
            value = other.pk
        update = {field.attname: value}
    else:
        update = {name: _changed(field, getattr(row, name))}
    try:
        with transaction.atomic():
            manager.filter(pk=row.pk).update(**update)
    except DatabaseError:
        return "refused"
    return "edited"


@pytest.mark.django_db
@pytest.mark.parametrize("label,name", _covered_fields())
def test_a_direct_edit_of_a_covered_field_is_named_by_verify(site, label, name):
    model = apps.get_model(label)
    row = _richest_row(model)
    if row is None:
        pytest.skip(f"the demo has no {label} row with a ledgered host")
    hosts = _hosts(row)
    sid = transaction.savepoint()
    try:
        outcome = _tamper(model, row, name)
        assert outcome in ("edited", "refused"), outcome
        if outcome == "edited":
            row = model._base_manager.get(pk=row.pk)
            hosts += [ref for ref in _hosts(row) if ref not in hosts]
            problems = [check_object(ref) for ref in hosts]
            assert any(p is not None for p in problems), f"{label}.{name} edited, but verify saw nothing in {hosts}"
    finally:
        transaction.savepoint_rollback(sid)


@pytest.mark.django_db
def test_the_untouched_demo_verifies(site):
    assert verify() == []


def _sealed_record():
    from choujian.sampling.models import SamplingRecord

    return SamplingRecord.objects.exclude(sealed_at=None).order_by("pk").first()


def _edit_form(field):
    def edit():
        record = _sealed_record()
        type(record).objects.filter(pk=record.pk).update(**{field: "某某公司（改）"})
        return object_ref(record), f"form.{field}"

    return edit


def _edit_result(field, value):
    def edit():
        from choujian.testing.models import Result

        result = Result.objects.filter(current=True).exclude(**{field: value}).order_by("pk").first()
        Result.objects.filter(pk=result.pk).update(**{field: value})
        return object_ref(result.lab_sample), f".{field}"

    return edit


def _edit_signer_name():
    from choujian.sampling.models import Signature

    signature = Signature.objects.exclude(record=None).order_by("pk").first()
    Signature.objects.filter(pk=signature.pk).update(signer_name="李某（冒签）")
    return object_ref(signature.record), ".signer_name"


def _edit_row(model_path, field, value):
    def edit():
        model = apps.get_model(model_path)
        row = model.objects.exclude(**{field: value}).order_by("pk").first()
        model.objects.filter(pk=row.pk).update(**{field: value})
        return object_ref(row), field

    return edit


def _edit_evidence_hash():
    from choujian.sampling.models import Evidence

    evidence = Evidence.objects.exclude(record=None).order_by("pk").first()
    Evidence.objects.filter(pk=evidence.pk).update(sha256="0" * 64)
    return object_ref(evidence.record), ".sha256"


DIRECT_EDITS = {
    "sealed form party_name": _edit_form("party_name"),
    "sealed form brand": _edit_form("brand"),
    "result values": _edit_result("values", ["999.9"]),
    "result judgment": _edit_result("judgment", "pass"),
    "signature signer_name": _edit_signer_name,
    "enterprise name": _edit_row("registry.Enterprise", "name", "改名企业"),
    "plan name": _edit_row("planning.Plan", "name", "改名计划"),
    "report judgment": _edit_row("testing.Report", "judgment", "fail"),
    "evidence hash": _edit_evidence_hash,
}


@pytest.mark.django_db
@pytest.mark.parametrize("what", DIRECT_EDITS)
def test_ledger_verify_names_the_object_and_field_of_each_kind_of_direct_edit(site, what):
    ref, field = DIRECT_EDITS[what]()
    problems = verify()
    named = [p for p in problems if p.object == ref]
    assert len(named) == 1, [str(p) for p in problems]
    assert field in named[0].message
