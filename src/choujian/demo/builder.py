"""Builds the demo data set through the services, so that every row gets its ledger entry (`choujian demo`).

One provincial transport regulator (福建省交通运输厅) with three cities and six counties below it, the bodies that
sample, test, own, supervise and build, 300 manufacturers (three quarters in 福建), their products, six construction
projects with their sections, about a hundred delivered lots, two spot-check plans (one drawn, one waiting in its seed
ceremony: see choujian.demo.plans) and one login per role. The content, public ids included (and so the enterprises
the plan's draw picks), depends only on the seed; timestamps and password hashes differ between runs.

Manufacturers outside 福建 are registered by a national regulator (交通运输部) through an inactive registrar account:
the registry services let a provincial regulator write only inside its province.
"""

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from random import Random

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from choujian.accounts import services as accounts
from choujian.accounts.choices import OrganisationKind, RegulatorLevel, Role, Sector
from choujian.accounts.models import Membership, Organisation, User
from choujian.analytics.comparison import comparisons_from_retests
from choujian.analytics.facts import facts_sync
from choujian.analytics.rollups import rollups_refresh
from choujian.demo import data
from choujian.demo.categories import CATEGORIES, GROUPS, Category
from choujian.demo.disclosure import build_disclosure
from choujian.demo.draw import FUJIAN, Codes, EnterpriseSpec, enterprise_specs
from choujian.demo.enforcement import build_enforcement
from choujian.demo.field import build_field_work
from choujian.demo.history import build_history, registry_day, travel
from choujian.demo.lab import PARTY_LOGINS, build_lab_work
from choujian.demo.plans import build_plans, build_steered_plan
from choujian.demo.reproducible import reproducible_ids
from choujian.demo.statistics import build_statistics
from choujian.env import env_bool
from choujian.ledger.models import LedgerEntry
from choujian.ledger.services import checkpoint_make
from choujian.planning.models import Plan, Task
from choujian.registry import services as registry
from choujian.registry.choices import EnterpriseStatus, ProductStatus
from choujian.registry.models import Delivery, Enterprise, Product, ProductCategory, Project, Section
from choujian.rules.choices import RuleSetStatus
from choujian.rules.models import RuleSet
from choujian.rules.services import ruleset_activate, ruleset_load_files

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Login:
    username: str
    display_name: str
    roles: tuple[str, ...]
    organisation: str


@dataclass(frozen=True)
class DemoResult:
    logins: list[Login]
    password: str
    counts: dict[str, int]


def demo_exists() -> bool:
    return User.objects.filter(username=data.LOGINS[0].username).exists()


def build_demo(
    *,
    seed: int = data.SEED,
    password: str | None = None,
    progress: Progress | None = None,
    history: bool = True,
    statistics: bool | None = None,
) -> DemoResult:
    """Build the whole data set in one transaction: either all of it is there afterwards, or none of it. The
    registry was entered a while ago; `history` adds the earlier spot checks whose cases walked the enforcement
    ladders (`demo.history`: some seconds more); `statistics` (with the history unless said otherwise) the earlier
    years' results, comparisons and bulletins (`demo.statistics`: some seconds more again)."""
    with transaction.atomic(), reproducible_ids(seed):
        builder = _Builder(seed, password or settings.CHOUJIAN_DEMO_PASSWORD, progress)
        return builder.build(history=history, statistics=history if statistics is None else statistics)


class _Builder:
    def __init__(self, seed: int, password: str, progress: Progress | None) -> None:
        self.rng = Random(seed)
        self.password = password
        self.progress = progress or (lambda label, done, total: None)
        self.orgs: dict[str, Organisation] = {}
        self.users: dict[str, User] = {}
        self.codes = Codes(self.rng)
        self.two_factor_exempt = not env_bool("CHOUJIAN_DEMO_2FA", False)

    # ── helpers ────────────────────────────────────────────────────────────────────────────────────────────────────
    def _organisation(self, key: str, kind: str, region: str, name: str, address: str, **extra) -> Organisation:
        if "uscc" not in extra:
            extra["uscc"] = self.codes.uscc(region, public_body=kind == OrganisationKind.KIND_REGULATOR)
        organisation = accounts.organisation_create(
            actor=None, name=name, kind=kind, sector=Sector.SECTOR_TRANSPORT, region=region, address=address, **extra
        )
        self.orgs[key] = organisation
        return organisation

    # ── steps ──────────────────────────────────────────────────────────────────────────────────────────────────────
    def build(self, history: bool, statistics: bool) -> DemoResult:
        today = timezone.localdate()
        with travel(registry_day(today)):
            self._registry()
        if history:
            self.progress("既往抽查与后处理", 0, 1)
            build_history(self.orgs, self.users, self.password, today)
            self.progress("既往抽查与后处理", 1, 1)
        return self._today(statistics)

    def _registry(self) -> None:
        self._regulators()
        self._bodies()
        specs = enterprise_specs(self.rng, self.codes)
        maker = self._manufacturer_spec(specs)
        self._organisation(
            "manufacturer", OrganisationKind.KIND_MANUFACTURER, maker.region, maker.name, maker.address, uscc=maker.uscc
        )
        self._logins()
        categories = self._categories()
        enterprises = self._enterprises(specs, maker)
        products = self._products(enterprises, specs, categories)
        sections = self._projects()
        self._deliveries(sections, products)
        self._rules()

    def _today(self, statistics: bool) -> DemoResult:
        self.progress("生成抽查计划与抽取", 0, 2)
        drawn, _ = build_plans(self.orgs, self.users)
        self.progress("生成抽查计划与抽取", 2, 2)
        self.progress("现场抽样与样品流转", 0, 1)
        received = build_field_work(self.orgs, self.users, drawn)
        self.progress("现场抽样与样品流转", 1, 1)
        self.progress("检验、报告与复检", 0, 1)
        build_lab_work(self.orgs, self.users, self.password, received)
        self.progress("检验、报告与复检", 1, 1)
        build_enforcement(self.orgs, self.users)
        facts_sync()  # as the worker's job does: every final result counted in the statistics, every re-test compared
        comparisons_from_retests()
        build_disclosure(self.users)
        self.progress("后处理立案与整改", 1, 1)
        if statistics:
            self.progress("以往年度抽查结果与统计预警", 0, 1)
            build_statistics(self.users, timezone.localdate())
            build_steered_plan(self.orgs, self.users)
            self.progress("以往年度抽查结果与统计预警", 1, 1)
        rollups_refresh()  # as the worker's job does: the monthly counts the dashboards read
        checkpoint_make()  # the whole demo under one signed checkpoint, whether or not it was built in one transaction
        return DemoResult(logins=self._login_rows(), password=self.password, counts=self._counts())

    def _rules(self) -> None:
        """The shipped implementation rules, loaded as drafts and put in force by the provincial admin, so that
        sampling takes its quantities and minimum lots from them. Limits marked unverified stay marked."""
        ruleset_load_files(actor=self.users["regulator"])
        for ruleset in RuleSet.objects.filter(status=RuleSetStatus.STATUS_DRAFT).order_by("category__code"):
            ruleset_activate(actor=self.users["regulator"], ruleset=ruleset)

    def _regulators(self) -> None:
        regulator = OrganisationKind.KIND_REGULATOR
        region, name, address = data.MINISTRY
        self._organisation("ministry", regulator, region, name, address, level=RegulatorLevel.LEVEL_NATIONAL)
        region, name, address = data.PROVINCE
        province = self._organisation("province", regulator, region, name, address, level=RegulatorLevel.LEVEL_PROVINCE)
        for region, name, address in data.CITIES:
            self._organisation(
                region, regulator, region, name, address, level=RegulatorLevel.LEVEL_CITY, parent=province
            )
        for region, city, name, address in data.COUNTIES:
            self._organisation(
                region, regulator, region, name, address, level=RegulatorLevel.LEVEL_COUNTY, parent=self.orgs[city]
            )
        self.orgs["county"] = self.orgs[data.DEMO_COUNTY]

    def _bodies(self) -> None:
        groups = [
            ("agency", OrganisationKind.KIND_SAMPLING_AGENCY, data.AGENCIES),
            ("lab", OrganisationKind.KIND_LABORATORY, data.LABORATORIES),
            ("owner", OrganisationKind.KIND_OWNER, data.OWNERS),
            ("supervisor", OrganisationKind.KIND_SUPERVISOR, data.SUPERVISORS),
            ("contractor", OrganisationKind.KIND_CONTRACTOR, data.CONTRACTORS),
        ]
        for prefix, kind, rows in groups:
            for number, (region, name, address) in enumerate(rows, start=1):
                self._organisation(f"{prefix}{number}", kind, region, name, address)
        # The construction logins work for the first owner, supervisor and contractor.
        for prefix in ("owner", "supervisor", "contractor"):
            self.orgs[prefix] = self.orgs[f"{prefix}1"]

    def _logins(self) -> None:
        for spec in data.LOGINS:
            user = accounts.user_create(
                actor=None,
                username=spec.username,
                password=self.password,
                display_name=spec.display_name,
                two_factor_exempt=self.two_factor_exempt,
            )
            for role in spec.roles:
                accounts.membership_grant(actor=None, user=user, organisation=self.orgs[spec.organisation], role=role)
            self.users[spec.username] = user
        spec = data.REGISTRAR
        registrar = accounts.user_create(
            actor=None,
            username=spec.username,
            password=secrets.token_urlsafe(32),  # never used: the account is inactive
            display_name=spec.display_name,
            is_active=False,
        )
        for role in spec.roles:
            accounts.membership_grant(actor=None, user=registrar, organisation=self.orgs[spec.organisation], role=role)
        self.users[spec.username] = registrar

    def _categories(self) -> dict[str, ProductCategory]:
        # The category list is a national vocabulary without a write service or ledger entries.
        found: dict[str, ProductCategory] = {}
        for code, name in GROUPS:
            found[code], _ = ProductCategory.objects.get_or_create(code=code, defaults={"name": name})
        for category in CATEGORIES:
            found[category.code], _ = ProductCategory.objects.get_or_create(
                code=category.code,
                defaults={"name": category.name, "parent": found[category.code[:5]], "standard": category.standard},
            )
        return found

    # ── enterprises ────────────────────────────────────────────────────────────────────────────────────────────────
    def _manufacturer_spec(self, specs: list[EnterpriseSpec]) -> EnterpriseSpec:
        """The enterprise behind the `manufacturer` login: an active maker in the demo county."""
        for spec in specs:
            if spec.region == data.DEMO_COUNTY and spec.status == EnterpriseStatus.STATUS_ACTIVE:
                return spec
        raise RuntimeError(f"演示数据中没有位于 {data.DEMO_COUNTY} 的存续企业，请更换随机种子")

    def _enterprises(self, specs: list[EnterpriseSpec], maker: EnterpriseSpec) -> list[Enterprise]:
        enterprises = []
        for number, spec in enumerate(specs, start=1):
            enterprise = registry.enterprise_create(
                actor=self._regional_actor(spec.region),
                uscc=spec.uscc,
                name=spec.name,
                region=spec.region,
                address=spec.address,
                licence_no=spec.licence_no,
                status=spec.status,
                organisation=self.orgs["manufacturer"] if spec is maker else None,
            )
            enterprises.append(enterprise)
            self._tick("生成企业", number, len(specs))
        return enterprises

    def _regional_actor(self, region: str) -> User:
        return self.users["regulator"] if region.startswith(FUJIAN[:2]) else self.users[data.REGISTRAR.username]

    def _tick(self, label: str, done: int, total: int) -> None:
        if done == total or done % 10 == 0:
            self.progress(label, done, total)

    # ── products ───────────────────────────────────────────────────────────────────────────────────────────────────
    def _products(
        self, enterprises: list[Enterprise], specs: list[EnterpriseSpec], categories: dict[str, ProductCategory]
    ) -> list[Product]:
        rng = self.rng
        plan: list[tuple[Enterprise, EnterpriseSpec, Category, str, str]] = []
        for enterprise, spec in zip(enterprises, specs, strict=True):
            count = rng.choices((1, 2, 3), weights=(45, 35, 20))[0]
            # A second or third product is usually of the same category, sometimes of a neighbouring one.
            siblings = [c for c in CATEGORIES if c.code[:5] == spec.category.code[:5] and c is not spec.category]
            seen: set[tuple[str, str]] = set()
            for index in range(count):
                category = spec.category
                if index and siblings and rng.random() < 0.35:
                    category = rng.choice(siblings)
                name = rng.choice(list(category.products))
                model_spec = rng.choice(category.products[name])
                if (name, model_spec) not in seen:
                    seen.add((name, model_spec))
                    plan.append((enterprise, spec, category, name, model_spec))
        products = []
        maker = self.orgs["manufacturer"]
        for number, (enterprise, spec, category, name, model_spec) in enumerate(plan, start=1):
            own = enterprise.organisation_id == maker.pk
            # The `manufacturer` login's products stay in production: they are the ones delivered to its sites.
            active = spec.status == EnterpriseStatus.STATUS_ACTIVE and (own or rng.random() >= 0.05)
            products.append(
                registry.product_create(
                    actor=self.users["manufacturer"] if own else self._regional_actor(enterprise.region),
                    enterprise=enterprise,
                    category=categories[category.code],
                    name=name,
                    brand=spec.trade_name,
                    model_spec=model_spec,
                    standard=category.standard_for(name, rng.choice),
                    status=ProductStatus.STATUS_ACTIVE if active else ProductStatus.STATUS_DISCONTINUED,
                )
            )
            self._tick("生成产品", number, len(plan))
        return products

    # ── projects, sections, deliveries ─────────────────────────────────────────────────────────────────────────────
    def _projects(self) -> list[Section]:
        sections = []
        for spec in data.PROJECTS:
            owner = self.orgs[f"owner{spec.owner + 1}"]
            # The `owner` login registers its own project; the province registers the others.
            actor = self.users["owner"] if owner == self.orgs["owner"] else self.users["regulator"]
            project = registry.project_create(
                actor=actor,
                name=spec.name,
                owner=owner,
                region=spec.region,
                latitude=Decimal(spec.latitude),
                longitude=Decimal(spec.longitude),
            )
            for name, contractor, supervisor in spec.sections:
                sections.append(
                    registry.section_create(
                        actor=actor,
                        project=project,
                        name=name,
                        contractor=self.orgs[f"contractor{contractor + 1}"],
                        supervisor=self.orgs[f"supervisor{supervisor + 1}"],
                        # Whole millions: the basis of a fine under art. 64 of the construction quality regulation.
                        # (a random stream of its own, so the rest of the demo stays as it was)
                        contract_price=Decimal(Random(f"{spec.name}/{name}").randrange(20, 400)) * 1_000_000,
                    )
                )
        return sections

    def _deliveries(self, sections: list[Section], products: list[Product]) -> None:
        rng = self.rng
        by_code = {category.code: category for category in CATEGORIES}
        available = [
            p
            for p in products
            if p.status == ProductStatus.STATUS_ACTIVE and p.enterprise.status == EnterpriseStatus.STATUS_ACTIVE
        ]
        makers = [p for p in available if p.enterprise.organisation_id == self.orgs["manufacturer"].pk]
        own_sections = [s for s in sections if s.contractor_id == self.orgs["contractor"].pk]
        first, last = dt.date(data.YEAR, 1, 5), dt.date(data.YEAR, 11, 20)
        batches: set[str] = set()
        for number in range(1, data.DELIVERY_COUNT + 1):
            # The manufacturer's products reach the contractor's sections a few times, so both logins see lots.
            if number <= 4 and makers:
                product, section = makers[(number - 1) % len(makers)], own_sections[(number - 1) % len(own_sections)]
            else:
                product, section = rng.choice(available), rng.choice(sections)
            category = by_code[product.category.code]
            day = first + dt.timedelta(days=rng.randint(0, (last - first).days))
            batch_no = ""
            while not batch_no or batch_no in batches:
                batch_no = f"{category.batch}{day:%y%m%d}-{rng.randint(1, 30):02d}"
            batches.add(batch_no)
            low, high = category.quantity
            if category.unit == "t":
                quantity = Decimal(f"{rng.uniform(low, high):.3f}")
            elif category.unit in ("m", "m²"):
                quantity = Decimal(f"{rng.uniform(low, high):.1f}")
            else:
                quantity = Decimal(rng.randint(int(low), int(high)))
            # Written with the column's three decimals, so the ledgered state equals the row read back (35 ≠ 35.000).
            quantity = quantity.quantize(Decimal("0.001"))
            contractor_login = section.contractor_id == self.orgs["contractor"].pk
            registry.delivery_create(
                actor=self.users["contractor"] if contractor_login else self.users["regulator"],
                section=section,
                product=product,
                batch_no=batch_no,
                quantity=quantity,
                unit=category.unit,
                delivered_on=day,
            )
            self._tick("生成进场批次", number, data.DELIVERY_COUNT)

    # ── result ─────────────────────────────────────────────────────────────────────────────────────────────────────
    def _login_rows(self) -> list[Login]:
        rows = [
            Login(
                username=spec.username,
                display_name=spec.display_name,
                roles=tuple(Role.label(role) for role in spec.roles),
                organisation=self.orgs[spec.organisation].name,
            )
            for spec in data.LOGINS
        ]
        # the enterprises whose results the demo shows are drawn, so their logins are made on the way
        for party in User.objects.filter(username__in=PARTY_LOGINS).order_by("username"):
            membership = party.active_memberships[0]
            rows.append(Login(party.username, str(party), (Role.label(membership.role),), membership.organisation.name))
        return rows

    def _counts(self) -> dict[str, int]:
        counts = {
            f"机构·{OrganisationKind.label(kind)}": Organisation.objects.filter(kind=kind).count()
            for kind in OrganisationKind.values()
        }
        counts.update(
            {
                "用户": User.objects.count(),
                "成员角色": Membership.objects.count(),
                "产品类别": ProductCategory.objects.count(),
                "登记企业": Enterprise.objects.count(),
                "产品": Product.objects.count(),
                "建设项目": Project.objects.count(),
                "标段": Section.objects.count(),
                "进场批次": Delivery.objects.count(),
                "抽查计划": Plan.objects.count(),
                "抽查任务": Task.objects.count(),
                "追溯日志条目": LedgerEntry.objects.count(),
            }
        )
        return counts
