"""The enforcement API's shapes: thin, the services decide."""

from django.utils import timezone
from rest_framework import serializers

from choujian.core.examples import documented
from choujian.enforcement import ladders
from choujian.enforcement.choices import LadderCode
from choujian.enforcement.models import Case, Step


class StepSerializer(serializers.ModelSerializer):
    overdue = serializers.SerializerMethodField()
    actor_label = serializers.CharField(read_only=True)
    result_label = serializers.CharField(read_only=True)
    suspended = serializers.SerializerMethodField()
    sampled = serializers.SerializerMethodField(help_text="复查：结论来自一项新的抽样检验任务")
    recheck = serializers.SerializerMethodField(help_text="已下达的复查任务：编号、状态与结论")

    class Meta:
        model = Step
        fields = [
            "code", "name", "actor", "actor_label", "starts_on", "not_before", "days", "kind", "due", "basis",
            "done_at", "result", "result_label", "late", "suspended_days", "suspended", "overdue", "note", "sampled",
            "recheck",
        ]  # fmt: skip

    def get_sampled(self, step) -> bool:
        return step.case.rules.step(step.code).sampled

    def get_recheck(self, step) -> dict | None:
        recheck = getattr(step, "recheck", None)
        if recheck is None:
            return None
        task = recheck.task
        return {"task": task.code, "status": task.status, "status_label": task.get_status_display(),
                "judgment": recheck.judgment, "concluded_at": recheck.concluded_at}  # fmt: skip

    def get_overdue(self, step) -> bool:
        return step.overdue_on(timezone.localdate())

    def get_suspended(self, step) -> bool:
        return step.suspended_since is not None


class CaseSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="code", read_only=True)
    enterprise = serializers.CharField(source="enterprise.name", read_only=True)
    enterprise_uscc = serializers.CharField(source="enterprise.uscc", read_only=True)
    product = serializers.CharField(read_only=True, source="product.__str__")
    task = serializers.CharField(source="task.code", read_only=True)
    plan = serializers.CharField(source="plan.code", read_only=True)
    regulator = serializers.CharField(source="regulator.name", read_only=True)
    organiser = serializers.CharField(source="organiser.name", read_only=True)
    stage_label = serializers.CharField(read_only=True)
    ladder_label = serializers.SerializerMethodField()
    basis = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()
    steps = StepSerializer(many=True, read_only=True)

    class Meta:
        model = Case
        fields = [
            "id", "cause", "enterprise", "enterprise_uscc", "product", "batch_no", "task", "plan", "ladder",
            "ladder_label", "stage", "stage_label", "status", "conclusion", "due", "overdue", "basis", "regulator",
            "organiser", "opened_at", "closed_at", "referred_at", "referral_acknowledged_at", "version", "steps",
        ]  # fmt: skip

    def get_ladder_label(self, case) -> str:
        return LadderCode.display(case.ladder)

    def get_basis(self, case) -> str:
        return ladders.ladder(case.ladder).basis

    def get_overdue(self, case) -> bool:
        return (
            case.due is not None
            and case.due < timezone.localdate()
            and not case.steps.exclude(suspended_since=None).filter(done_at=None).exists()
        )


@documented({"step": "apply", "result": "done", "note": "已更换原材料供应商，整改报告见附件", "version": 2})
class StepTakeSerializer(serializers.Serializer):
    step = serializers.CharField(max_length=20, help_text="当前步骤的代码（见 steps[].code），须按顺序办理")
    result = serializers.CharField(
        max_length=20, help_text="done（完成）、passed（合格）或 failed（不合格），视步骤而定"
    )
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    version = serializers.IntegerField(required=False, help_text="案件的 version；不一致时 409")


@documented({"reason": "企业因不可抗力申请延期，经批准", "version": 3})
class SuspendSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)
    version = serializers.IntegerField(required=False)


@documented({"version": 4})
class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(required=False)
