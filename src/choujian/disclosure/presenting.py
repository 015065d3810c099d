"""How published results are grouped and shown: a paragraph per product as the Ministry's notices have it (batches,
conforming, 合格率), the failures in a table, and what enforcement concluded about an enterprise."""

from dataclasses import dataclass, field

from django.http import QueryDict

from choujian.disclosure.models import ResultRow
from choujian.enforcement.choices import CaseStatus, ListingStatus
from choujian.enforcement.ladders import outcome_label
from choujian.enforcement.models import BlacklistEntry, Case


@dataclass
class ProductSection:
    name: str
    batches: int = 0
    passed: int = 0
    failures: list[ResultRow] = field(default_factory=list)
    conforming: list[ResultRow] = field(default_factory=list)

    @property
    def rate(self) -> str:
        return f"{self.passed / self.batches:.1%}" if self.batches else "—"


def by_product(rows: list[ResultRow], include_conforming: bool) -> list[ProductSection]:
    """Each product category's batches, counting the valid version of each result (a withdrawn one is shown, not
    counted)."""
    sections: dict[str, ProductSection] = {}
    for row in rows:
        if row.status == "superseded":
            continue
        section = sections.setdefault(row.category_code, ProductSection(row.category_name))
        if row.status == "withdrawn":
            (section.conforming if row.passed else section.failures).append(row)
            continue
        section.batches += 1
        if row.passed:
            section.passed += 1
            if include_conforming:
                section.conforming.append(row)
        else:
            section.failures.append(row)
    return [sections[code] for code in sorted(sections)]


def query_without_page(request) -> str:
    query: QueryDict = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@dataclass
class EnforcementOutcome:
    what: str
    when: object
    basis: str


def enforcement_outcomes(uscc: str) -> list[EnforcementOutcome]:
    """What enforcement concluded about the enterprise's published failures, and its listings, with dates and basis."""
    found = []
    published = ResultRow.objects.filter(enterprise_uscc=uscc, announcement__status="published").values("task_id")
    closed = Case.objects.filter(task_id__in=published, status=CaseStatus.STATUS_CLOSED).order_by("closed_at")
    for case in closed:
        found.append(EnforcementOutcome(f"{case.product}：{outcome_label(case.conclusion)}", case.closed_at,
                                        case.rules.basis))  # fmt: skip
        for penalty in case.penalties.order_by("decided_on"):
            found.append(EnforcementOutcome(f"处罚决定 {penalty.decision_no}", penalty.decided_on, penalty.basis))
    listings = BlacklistEntry.objects.filter(enterprise__uscc=uscc).order_by("listed_on")
    for entry in listings:
        state = "列入黑名单" if entry.status == ListingStatus.STATUS_LISTED else "曾列入黑名单（已移出）"
        found.append(EnforcementOutcome(f"{state}：{entry.listed_on:%Y-%m-%d} 至 {entry.until:%Y-%m-%d}",
                                        entry.listed_on, entry.basis))  # fmt: skip
    return found
