"""The content of an approved test report, as one canonical document: what the PDF prints and what its SHA-256
(printed on the report and ledgered) commits to. Unblinded: only approvers, the organiser and the inspected
party ever see it."""

from choujian.testing.models import Report
from choujian.testing.services import current_results, item_details


def _person(user) -> str:
    return str(user) if user is not None else ""


def _when(value) -> str:
    from django.utils import timezone

    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def report_content(report: Report) -> dict:
    lab_sample = report.lab_sample
    portion = lab_sample.portion
    sample = portion.sample
    record, task = sample.record, sample.task
    results = current_results(lab_sample)
    verdict_items = {item["code"]: item for item in (report.verdict or {}).get("items", [])}
    items = []
    for detail in item_details(lab_sample):
        result = results.get(detail["code"])
        items.append(
            {
                **detail,
                "values": result.values if result else [],
                "combined": result.combined if result else "",
                "rounded": result.rounded if result else "",
                "judgment": result.judgment if result else "",
                "instrument": result.instrument if result else "",
                "judgment_detail": verdict_items.get(detail["code"], {}),
            }
        )
    ruleset = lab_sample.ruleset
    return {
        "report": report.code,
        "retest": lab_sample.is_retest,
        "laboratory": lab_sample.laboratory.name,
        "lab_code": lab_sample.lab_code,
        "sample": sample.code,
        "portion": f"{sample.code}-{portion.number}",
        "task": task.code,
        "plan": task.plan.name,
        "organiser": task.plan.regulator.name,
        "sampling_agency": task.agency.name,
        "inspected_party": {"name": record.party_name, "uscc": record.party_uscc, "address": record.party_address},
        "manufacturer": {"name": record.maker_name or task.enterprise.name, "address": record.maker_address},
        "product": {
            "name": record.product_name,
            "brand": record.brand,
            "model_spec": record.model_spec,
            "batch_no": record.batch_no,
            "production_date": record.production_date.isoformat() if record.production_date else "",
            "standard": record.standard,
        },
        "sampling": {
            "form": record.code,
            "place": record.get_place_kind_display() + " " + record.place_address,
            "sealed_at": _when(sample.sealed_at),
            "lot": f"{record.lot_size or ''} {record.lot_unit}".strip(),
        },
        "received_on": lab_sample.received_on.isoformat(),
        "rules": {
            "title": ruleset.title,
            "version": ruleset.rule_version,
            "sha256": ruleset.content_sha256,
            "variant": lab_sample.variant,
        },
        "items": items,
        "judgment": report.judgment,
        "reasons": list((report.verdict or {}).get("reasons", [])),
        "unverified": list((report.verdict or {}).get("unverified", [])),
        "signatures": {
            "tester": {"name": _person(report.drafted_by), "at": _when(report.drafted_at)},
            "reviewer": {"name": _person(report.reviewed_by), "at": _when(report.reviewed_at)},
            "approver": {"name": _person(report.approved_by), "at": _when(report.approved_at)},
        },
    }
