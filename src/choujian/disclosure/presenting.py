"""How published results are grouped and shown: a paragraph per product as the Ministry's notices have it (batches,
conforming, 合格率), the failures in a table, and what enforcement concluded about an enterprise."""

from dataclasses import dataclass, field

from django.http import QueryDict

from choujian.disclosure.models import ResultRow
from choujian.enforcement.ladders import CONCLUSIONS, MAINTAINED


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


def recheck_tables(rows: list[ResultRow]) -> tuple[list[ResultRow], list[ResultRow]]:
    """A 复查 announcement's two tables: the 复查 results, and the batches whose conclusion is maintained."""
    valid = [row for row in rows if row.status != "superseded"]
    maintained = [row for row in valid if row.note == CONCLUSIONS[MAINTAINED]]
    return [row for row in valid if row not in maintained], maintained


def query_without_page(request) -> str:
    query: QueryDict = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
