"""API shapes of the laboratory side. The blind ones (worklist, lab samples, results) hold nothing that leads to
the sample code, task, enterprise, brand, project or place: only the lab code, category, rules and results."""

from rest_framework import serializers

from choujian.core.dates import DateSerializerField
from choujian.core.examples import documented
from choujian.testing import selectors, services
from choujian.testing.models import LabSample, Notice, Objection, Outcome, Report, Result, Retest


class ResultSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    entered_by = serializers.CharField(source="entered_by.__str__", read_only=True)
    judgment_label = serializers.CharField(source="get_judgment_display", read_only=True)

    class Meta:
        model = Result
        fields = [
            "id",
            "item",
            "values",
            "unit",
            "instrument",
            "combined",
            "rounded",
            "judgment",
            "judgment_label",
            "entered_by",
            "entered_at",
            "change_reason",
            "current",
        ]


class BlindSampleSerializer(serializers.ModelSerializer):
    """A blind sample as testers and reviewers see it."""

    category = serializers.CharField(source="ruleset.category.name", read_only=True)
    rules = serializers.SerializerMethodField()
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    items = serializers.SerializerMethodField()
    results = serializers.SerializerMethodField()
    report = serializers.SerializerMethodField()

    class Meta:
        model = LabSample
        fields = [
            "lab_code",
            "category",
            "rules",
            "variant",
            "is_retest",
            "status",
            "status_label",
            "received_on",
            "due_on",
            "due_note",
            "items",
            "results",
            "report",
        ]

    def get_rules(self, lab_sample) -> dict:
        ruleset = lab_sample.ruleset
        return {"title": ruleset.title, "version": ruleset.rule_version, "sha256": ruleset.content_sha256}

    def get_items(self, lab_sample) -> list[dict]:
        return services.item_details(lab_sample)

    def get_results(self, lab_sample) -> list[dict]:
        return ResultSerializer(lab_sample.results.all(), many=True).data  # prefetched with whoever entered them

    def get_report(self, lab_sample) -> dict | None:
        report = getattr(lab_sample, "report", None)
        if report is None:
            return None
        return {
            "status": report.status,
            "status_label": report.get_status_display(),
            "judgment": report.judgment,
            "return_note": report.return_note,
        }


@documented(
    {
        "item": "max_force",
        "values": ["262.1", "263.0", "261.8"],
        "instrument": "WAW-1000 微机控制电液伺服万能试验机",
        "reason": "",
    }
)
class ResultEntrySerializer(serializers.Serializer):
    item = serializers.CharField(max_length=60)
    values = serializers.ListField(
        child=serializers.CharField(max_length=60, allow_blank=True), min_length=1, max_length=50
    )
    instrument = serializers.CharField(max_length=120)
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True)


@documented({"approve": True, "note": "原始记录与报告一致"})
class ReviewSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


@documented(
    {
        "sample": "CJ-2026-000001",
        "accept": True,
        "seals_intact": True,
        "matches_form": True,
        "condition": "封样完好，数量与抽样单一致",
        "variant": "",
        "reason": "",
    }
)
class IntakeSerializer(serializers.Serializer):
    sample = serializers.CharField(max_length=20, help_text="样品编号 CJ-…（扫描标签所得）")
    accept = serializers.BooleanField()
    seals_intact = serializers.BooleanField()
    matches_form = serializers.BooleanField()
    condition = serializers.CharField(max_length=300)
    variant = serializers.CharField(max_length=40, required=False, allow_blank=True)
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True)
    photos = serializers.ListField(child=serializers.FileField(), required=False)


class IntakeResultSerializer(serializers.Serializer):
    sample = serializers.CharField()
    decision = serializers.CharField()
    lab_code = serializers.CharField(allow_null=True)


class NoticeSerializer(serializers.ModelSerializer):
    service_method_label = serializers.CharField(source="get_service_method_display", read_only=True)

    class Meta:
        model = Notice
        fields = [
            "sent_at",
            "served_at",
            "service_method",
            "service_method_label",
            "service_proof_sha256",
            "received_at",
            "objection_due",
        ]


@documented({"served_on": "2026-12-01", "proof": "送达回证.pdf"})
class PaperServiceSerializer(serializers.Serializer):
    served_on = DateSerializerField(help_text="被抽样单位在送达回证上签收的日期")
    proof = serializers.FileField(help_text="送达回证的扫描件或照片（PDF、JPEG、PNG）")


class ReportSerializer(serializers.ModelSerializer):
    """An unblinded report (approvers, the organiser, the inspected party once approved)."""

    sample = serializers.CharField(source="lab_sample.portion.sample.code", read_only=True)
    task = serializers.CharField(source="lab_sample.portion.sample.task.code", read_only=True)
    lab_code = serializers.CharField(source="lab_sample.lab_code", read_only=True)
    laboratory = serializers.CharField(source="lab_sample.laboratory.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    judgment_label = serializers.CharField(source="get_judgment_display", read_only=True)
    notice = NoticeSerializer(read_only=True, allow_null=True)
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = [
            "code",
            "sample",
            "task",
            "lab_code",
            "laboratory",
            "status",
            "status_label",
            "judgment",
            "judgment_label",
            "verdict",
            "drafted_at",
            "reviewed_at",
            "approved_at",
            "content_sha256",
            "pdf_sha256",
            "notice",
            "pdf_url",
        ]

    def get_pdf_url(self, report) -> str | None:
        return f"/api/v1/reports/{report.code}/pdf" if report.pdf else None


@documented(
    {
        "reasons": "对最大力的检验结果有异议：出厂检验为 265 kN，申请复检",
        "client_uuid": "00000000-0000-4000-8000-000000000000",
    }
)
class ObjectionCreateSerializer(serializers.Serializer):
    reasons = serializers.CharField(max_length=3000)
    client_uuid = serializers.UUIDField()
    attachments = serializers.ListField(child=serializers.FileField(), required=False)


class ObjectionSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    report = serializers.CharField(source="report.code", read_only=True)
    sample = serializers.CharField(source="sample.code", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    retest = serializers.SerializerMethodField()

    class Meta:
        model = Objection
        fields = [
            "id",
            "report",
            "sample",
            "reasons",
            "status",
            "status_label",
            "created_at",
            "decide_by",
            "decided_at",
            "decision_note",
            "retest",
        ]

    def get_retest(self, objection) -> str | None:
        retest = selectors.retest_of(objection)
        return str(retest.public_id) if retest else None


@documented({"accept": True, "note": "异议理由成立，安排备用样品复检"})
class ObjectionDecisionSerializer(serializers.Serializer):
    accept = serializers.BooleanField()
    note = serializers.CharField(max_length=500)


class RetestSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    sample = serializers.CharField(source="sample.code", read_only=True)
    portion = serializers.CharField(source="portion.label_code", read_only=True)
    laboratory = serializers.CharField(source="laboratory.name", read_only=True)
    draw = serializers.UUIDField(source="draw.public_id", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Retest
        fields = [
            "id",
            "sample",
            "portion",
            "laboratory",
            "draw",
            "status",
            "status_label",
            "party_confirmed_at",
            "organiser_confirmed_at",
            "condition",
        ]


@documented({"condition": "备用样品封条完好，与抽样单一致"})
class ConfirmSerializer(serializers.Serializer):
    condition = serializers.CharField(max_length=150, help_text="备用样品封条编号与状况")


class OutcomeSerializer(serializers.ModelSerializer):
    sample = serializers.CharField(source="sample.code", read_only=True)
    task = serializers.CharField(source="sample.task.code", read_only=True)
    report = serializers.CharField(source="report.code", read_only=True)
    judgment_label = serializers.CharField(source="get_judgment_display", read_only=True)
    basis_label = serializers.CharField(source="get_basis_display", read_only=True)

    class Meta:
        model = Outcome
        fields = [
            "sample",
            "task",
            "report",
            "judgment",
            "judgment_label",
            "basis",
            "basis_label",
            "final_at",
            "ready_for_enforcement",
        ]
