"""The credit and blacklist rules (`data/credit.yaml`) as data. Pure: no Django."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

FILE = Path(__file__).resolve().parent / "data" / "credit.yaml"


@dataclass(frozen=True)
class CreditRule:
    code: str
    fact: str
    basis: str
    list_years: int
    conclusions: tuple[str, ...] = ()
    ladders: tuple[str, ...] = ()  # empty: every ladder

    def applies(self, conclusion: str, ladder: str) -> bool:
        return conclusion in self.conclusions and (not self.ladders or ladder in self.ladders)


@dataclass(frozen=True)
class Repeated:
    code: str
    cases: int
    within_years: int
    fact: str
    basis: str
    list_years: int


@dataclass(frozen=True)
class CreditRules:
    max_years: int
    repair_after_years: int
    rules: tuple[CreditRule, ...]
    repeated: Repeated

    def for_conclusion(self, conclusion: str, ladder: str) -> CreditRule | None:
        """The first rule that applies (specific ladders first, as the file lists them)."""
        specific = [r for r in self.rules if r.ladders and r.applies(conclusion, ladder)]
        general = [r for r in self.rules if not r.ladders and r.applies(conclusion, ladder)]
        return (specific or general or [None])[0]


def load(path: Path = FILE) -> CreditRules:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    rules = tuple(
        CreditRule(
            code=r["code"],
            fact=r["fact"],
            basis=r["basis"],
            list_years=int(r["list_years"]),
            conclusions=tuple(r["conclusions"]),
            ladders=tuple(r.get("ladders", ())),
        )
        for r in raw["rules"]
    )
    rules_ok = all(0 <= r.list_years <= raw["max_years"] for r in rules)
    repeated = Repeated(**raw["repeated"])
    if not rules_ok or not 0 <= repeated.list_years <= raw["max_years"]:
        raise ValueError(f"列入期限不能超过 {raw['max_years']} 年")
    return CreditRules(int(raw["max_years"]), int(raw["repair_after_years"]), rules, repeated)


RULES = load()
