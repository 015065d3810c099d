"""The blind label (盲样标签) the intake clerk sticks on the test portion: the lab code and a QR to the blind sample's
page, the receiving and testing dates — never the sample code, the enterprise, the product or the place."""

from django.utils import translation

from choujian.sampling.labels import label_pages_pdf
from choujian.testing.models import LabSample
from choujian.workcalendar.selectors import deadline_display


def blind_label_pdf(lab_sample: LabSample, *, url: str) -> bytes:
    with translation.override("zh-hans"):
        due = "—"
        if lab_sample.due_on:
            provisional = "暂定" in deadline_display(lab_sample, "due_on")
            due = lab_sample.due_on.isoformat() + ("（暂定）" if provisional else "")
        label = {
            "code": lab_sample.lab_code,
            "kind": "检验样品（复检）" if lab_sample.is_retest else "检验样品",
            "rows": (("接收日期", lab_sample.received_on.isoformat()), ("检验期限", due)),
            "url": url,
            "heading": "检验机构盲样",
            "code_caption": "盲样编号",
        }
    return label_pages_pdf([label], f"盲样标签 {lab_sample.lab_code}")
