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
