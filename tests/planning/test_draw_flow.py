"""Plan → approval by a second admin → frame → ceremony with two participants → draw → tasks with inspectors."""

import hashlib
import json
import subprocess
import sys
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from choujian.core.errors import ServiceError
from choujian.draws import services
from choujian.draws.models import Ceremony, Draw
from choujian.ledger.models import LedgerEntry
from choujian.planning.models import Plan, Task
from choujian.planning.services import plan_approve, plan_create, plan_line_add, plan_submit
from tests.planning.conftest import approved_plan

SECRETS = {"林监管": "monday-morning-river-42", "王见证": "public-witness-dice-6153"}


def _run_ceremony(plan: Plan) -> Plan:
    ceremony = services.frame_freeze(actor=plan.drafted_by, plan=plan)
    for participant in ceremony.participants.all():
        services.ceremony_commit(
            participant=participant, commitment=hashlib.sha256(SECRETS[participant.name].encode()).hexdigest()
        )
    for participant in ceremony.participants.all():
        services.ceremony_reveal(participant=participant, secret=SECRETS[participant.name])
    return Plan.objects.get(pk=plan.pk)


def test_it_refuses_approval_by_the_drafter(setting):
    plan = plan_create(
        actor=setting.drafter,
        regulator=setting.world.province,
        name="计划",
        year=2026,
        region="350000",
        participants=["甲", "乙"],
    )
    plan_line_add(
        actor=setting.drafter,
        plan=plan,
        category=setting.category,
        quota=2,
        sampling_mode="production",
        agency=setting.agency,
        laboratory=setting.lab,
    )
    plan_submit(actor=setting.drafter, plan=plan)
    with pytest.raises(ServiceError) as caught:
        plan_approve(actor=setting.drafter, plan=plan)
    assert "起草人不能批准" in str(caught.value)


def test_it_refuses_a_line_whose_agency_is_also_its_laboratory(setting):
    plan = plan_create(
        actor=setting.drafter,
        regulator=setting.world.province,
        name="计划",
        year=2026,
        region="350000",
        participants=["甲", "乙"],
    )
    with pytest.raises(ServiceError) as caught:
        plan_line_add(
            actor=setting.drafter,
            plan=plan,
            category=setting.category,
            quota=2,
            sampling_mode="production",
            agency=setting.lab,
            laboratory=setting.lab,
        )
    assert "agency" in caught.value.errors


def test_it_draws_tasks_with_two_inspectors_each_and_a_verifiable_record(setting, tmp_path):
    plan = approved_plan(setting, quota=3)
    frame = services.frame_build(actor=setting.drafter, plan=plan)
    assert frame.items.count() == 12
    plan = _run_ceremony(Plan.objects.get(pk=plan.pk))
    assert plan.status == "drawn"
    tasks = list(Task.objects.filter(plan=plan))
    assert len(tasks) == 3
    assert all(task.inspectors.count() == 2 and task.status == "assigned" for task in tasks)
    assert all(task.agency != task.laboratory for task in tasks)
    record = Draw.objects.get(plan=plan, purpose="enterprises").record
    path = tmp_path / "record.json"
    path.write_text(record, encoding="utf-8")
    verified = subprocess.run(
        [sys.executable, "-m", "choujian.draws.verify", str(path)], capture_output=True, text=True
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    for task in tasks:
        inspector_record = Draw.objects.get(task=task).record
        (tmp_path / f"{task.code}.json").write_text(inspector_record, encoding="utf-8")
        result = subprocess.run(
            [sys.executable, "-m", "choujian.draws.verify", str(tmp_path / f"{task.code}.json")],
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stdout + result.stderr
    assert LedgerEntry.objects.filter(type="frame.frozen").exists()
    assert LedgerEntry.objects.filter(type="draw.enterprises").exists()


def test_it_rejects_a_reveal_that_does_not_match_the_commitment(setting):
    plan = approved_plan(setting)
    services.frame_build(actor=setting.drafter, plan=plan)
    ceremony = services.frame_freeze(actor=setting.drafter, plan=Plan.objects.get(pk=plan.pk))
    first, second = ceremony.participants.all()
    services.ceremony_commit(participant=first, commitment=hashlib.sha256(b"abc-secret").hexdigest())
    services.ceremony_commit(participant=second, commitment=hashlib.sha256(b"xyz-secret").hexdigest())
    with pytest.raises(ServiceError) as caught:
        services.ceremony_reveal(participant=first, secret="something-else")
    assert "不符" in str(caught.value)


def test_it_blocks_the_draw_visibly_when_a_participant_does_not_reveal(setting):
    plan = approved_plan(setting)
    services.frame_build(actor=setting.drafter, plan=plan)
    ceremony = services.frame_freeze(actor=setting.drafter, plan=Plan.objects.get(pk=plan.pk))
    for participant in ceremony.participants.all():
        services.ceremony_commit(
            participant=participant, commitment=hashlib.sha256(b"s-" + participant.name.encode()).hexdigest()
        )
    first = ceremony.participants.first()
    services.ceremony_reveal(participant=first, secret="s-" + first.name)
    Ceremony.objects.filter(pk=ceremony.pk).update(reveal_deadline=timezone.now() - timedelta(minutes=1))
    ceremony = services.ceremony_refresh(Ceremony.objects.get(pk=ceremony.pk))
    assert ceremony.status == "blocked"
    assert not Task.objects.filter(plan=plan).exists()
    assert LedgerEntry.objects.filter(type="ceremony.blocked").exists()


def test_it_flags_a_task_whose_inspector_pool_is_too_small(setting):
    for sampler in setting.samplers[1:]:
        sampler.qualifications.all().delete()
    plan = approved_plan(setting, quota=1)
    services.frame_build(actor=setting.drafter, plan=plan)
    plan = _run_ceremony(Plan.objects.get(pk=plan.pk))
    task = Task.objects.get(plan=plan)
    assert task.status == "short_of_inspectors" and task.inspectors.count() == 1


def test_it_replaces_a_task_by_the_next_alternate_with_reason_and_evidence(setting):
    plan = approved_plan(setting, quota=2)
    services.frame_build(actor=setting.drafter, plan=plan)
    plan = _run_ceremony(Plan.objects.get(pk=plan.pk))
    task = Task.objects.filter(plan=plan).first()
    from choujian.draws.selectors import full_record

    draw = Draw.objects.get(plan=plan, purpose="enterprises")
    record = full_record(draw)
    assert "alternates" not in json.loads(draw.record)  # sealed: nobody outside learns the alternates
    evidence = SimpleUploadedFile("停产照片.jpg", b"\xff\xd8\xff photo", content_type="image/jpeg")
    replacement = services.task_replace(
        actor=setting.drafter, task=task, reason="closed", note="现场已停产", evidence=evidence
    )
    assert replacement.frame_item_id == record["alternates"][task.stratum][0]
    revealed = json.loads(Draw.objects.get(pk=draw.pk).record)["revealed"]
    assert [r["line"].split("\t")[0] for r in revealed] == [task.frame_item_id]  # the replaced item, proven
    assert Task.objects.get(pk=task.pk).status == "replaced"
    assert replacement.inspectors.count() == 2
