"""The home page points each person at their work: samplers at their drawn tasks, regulators at their plans."""

from choujian.draws import services
from choujian.planning.models import Plan, Task
from tests.planning.conftest import approved_plan
from tests.planning.test_draw_flow import _run_ceremony


def test_it_shows_a_drawn_sampler_their_tasks_and_a_regulator_the_plans(setting, client):
    plan = approved_plan(setting, quota=2)
    services.frame_build(actor=setting.drafter, plan=plan)
    _run_ceremony(Plan.objects.get(pk=plan.pk))
    sampler = Task.objects.filter(plan=plan).first().inspectors.first().inspector
    client.force_login(sampler)
    page = client.get("/").content.decode()
    assert "抽查任务" in page and "/plans/tasks/" in page
    client.force_login(setting.drafter)
    page = client.get("/").content.decode()
    assert "抽查计划" in page and "/plans/" in page


def test_it_shows_a_county_only_the_provincial_tasks_located_in_its_county(setting, client):
    plan = approved_plan(setting, quota=12)  # every item drawn: both counties are certain to have tasks
    services.frame_build(actor=setting.drafter, plan=plan)
    _run_ceremony(Plan.objects.get(pk=plan.pk))
    from choujian.planning.selectors import tasks_visible_to

    tasks = Task.objects.filter(plan=plan)
    mine = {t.code for t in tasks if t.enterprise.region == "350102"}
    theirs = {t.code for t in tasks} - mine
    assert mine and theirs
    visible = set(tasks_visible_to(setting.world.county_officer).values_list("code", flat=True))
    assert visible == mine
    client.force_login(setting.world.county_officer)
    other = next(iter(theirs))
    assert client.get(f"/plans/tasks/{other}/").status_code == 404
    page = client.get(f"/plans/{plan.code}/draw/").content.decode()
    assert other not in page and next(iter(mine)) in page


def test_it_publishes_replacements_on_the_public_draw_page(setting, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from choujian.draws.models import Draw

    plan = approved_plan(setting, quota=2)
    services.frame_build(actor=setting.drafter, plan=plan)
    plan = _run_ceremony(Plan.objects.get(pk=plan.pk))
    task = Task.objects.filter(plan=plan).first()
    evidence = SimpleUploadedFile("closed.jpg", b"\xff\xd8\xff evidence", content_type="image/jpeg")
    replacement = services.task_replace(actor=setting.drafter, task=task, reason="closed", note="", evidence=evidence)
    draw = Draw.objects.get(plan=plan, purpose="enterprises")
    page = client.get(f"/draws/{draw.public_id}/").content.decode()
    assert task.frame_item_id in page and "企业已停产" in page
    assert replacement.frame_item_id not in page  # the alternate is named only once its own task is sampled
