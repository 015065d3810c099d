"""English is real: with the language cookie set to "en" the pages a user reads are in English (record data such as
names stays as entered), without it they stay Chinese; the catalogue has an English text for every message."""

import gettext
import hashlib
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from choujian.accounts.choices import Role
from choujian.draws import services as draw_services
from choujian.draws.models import CeremonyParticipant, Draw
from choujian.planning.models import Plan
from choujian.registry.choices import EnterpriseStatus
from choujian.registry.exporters import export_rows
from tests.factories import EnterpriseFactory
from tests.planning import conftest as planning
from tests.planning.conftest import approved_plan

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff01\uff08\uff09\uff0c\uff1a\uff1b\uff1f]+")  # 汉字, 。、（），：；！？
PO = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
setting = planning.setting  # the planning tests' province, agency, laboratory and admins, as a fixture here too


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _nav(page: str) -> str:
    """The navigation, without the signed-in user's own name (a record, not a label)."""
    nav = re.search(r'<nav class="nav">(.*?)</nav>', page, re.S).group(1)
    return re.sub(r'(<a class="who"[^>]*>).*?(</a>)', r"\1\2", nav)


def _untranslated(page: str, data: list[str]) -> list[str]:
    """Chinese left on the page once the language switcher (each language named in itself) and data are removed."""
    page = re.sub(r"<select name=\"language\".*?</select>", "", page, flags=re.S)
    for value in sorted({str(v) for v in data if v}, key=len, reverse=True):
        page = page.replace(value, "")
    return CJK.findall(page)


def _draw(setting) -> Plan:
    secrets = {"林监管": "3f9a1c0e5b7d2a4c6e8f0a1b2c3d4e5f", "王见证": "public-witness-dice-6153-2244-51"}
    plan = approved_plan(setting)
    draw_services.frame_build(actor=setting.drafter, plan=plan)
    draw_services.frame_freeze(actor=setting.drafter, plan=Plan.objects.get(pk=plan.pk))
    people = list(CeremonyParticipant.objects.filter(ceremony__plan=plan))
    for p in people:
        draw_services.ceremony_commit(participant=p, commitment=hashlib.sha256(secrets[p.name].encode()).hexdigest())
    for p in people:
        draw_services.ceremony_reveal(participant=p, secret=secrets[p.name])
    return Plan.objects.get(pk=plan.pk)


def _plan_data(plan: Plan) -> list:
    line = plan.lines.get()
    people = [plan.regulator, line.category, line.agency, line.laboratory, plan.drafted_by, plan.approved_by]
    return [plan.name, "福建省", *plan.participants, *people]


@pytest.mark.django_db
def test_it_shows_the_login_page_in_english_with_the_cookie_and_in_chinese_without(client):
    chinese = _text(client.get("/login/"))
    assert "<h1>登录</h1>" in chinese and 'lang="zh-hans"' in chinese
    page = _text(_english(client).get("/login/"))
    assert "<h1>Sign in</h1>" in page and 'lang="en"' in page
    assert ">Username" in page and ">Password" in page
    assert _untranslated(page, []) == []


def test_it_shows_a_regulators_home_page_and_navigation_in_english(client, world):
    client.force_login(world.provincial_officer)
    chinese = _text(client.get("/"))
    assert "待办" in _nav(chinese) and "追溯日志" in _nav(chinese)
    page = _text(_english(client).get("/"))
    assert f"<h1>Hello, {world.provincial_officer}</h1>" in page
    nav = _nav(page)
    for label in ["To do", "Manufacturers", "Products", "Construction projects", "Delivered lots"]:
        assert f">{label}</a>" in nav
    for label in ["Spot-check plans", "Spot-check tasks", "Audit log", "Sign out", "Regulator officer"]:
        assert label in nav
    assert CJK.findall(nav) == []
    assert _untranslated(page, [world.provincial_officer, world.province]) == []


def test_it_lists_enterprises_in_english(client, world):
    enterprise = EnterpriseFactory(region="350102")
    client.force_login(world.provincial_officer)
    chinese = _text(client.get("/registry/enterprise/"))
    assert "<h1>生产企业</h1>" in chinese and "存续" in chinese and "企业名称" in chinese
    page = _text(_english(client).get("/registry/enterprise/"))
    assert "<h1>Manufacturers</h1>" in page and "<title>Manufacturers · " in page
    assert ">Enterprise name</th>" in page and ">Unified social credit code</th>" in page
    assert "In business" in page and "Export Excel" in page and "Search manufacturers: name, code…" in page
    assert CJK.findall(_nav(page)) == []
    region = "福建省福州市鼓楼区"  # GB/T 2260 division names are data
    assert _untranslated(page, [enterprise.name, region, world.provincial_officer]) == []
    detail = _text(client.get(f"/registry/enterprise/{enterprise.public_id}/"))
    assert "<dt>Production licence number</dt>" in detail and "<dt>Version</dt>" in detail
    assert _untranslated(detail, [enterprise.name, enterprise.address, region, world.provincial_officer]) == []


def test_it_shows_a_plan_page_in_english(client, setting):
    plan = approved_plan(setting)
    client.force_login(setting.world.provincial_officer)
    chinese = _text(client.get(f"/plans/{plan.code}/"))
    assert "<h2>计划信息</h2>" in chinese and "已批准" in chinese
    page = _text(_english(client).get(f"/plans/{plan.code}/"))
    assert "<h2>Plan details</h2>" in page and ">Approved</span>" in page
    assert "Spot-check plans</a>" in page and ">Plan and categories</a>" in page and "Build sampling frame" in page
    assert "Sampling at the manufacturer" in page and "180 days" in page
    assert CJK.findall(_nav(page)) == []
    assert _untranslated(page, [*_plan_data(plan), setting.world.provincial_officer]) == []


def test_it_shows_the_public_draw_page_in_english(client, setting):
    plan = _draw(setting)
    draw = Draw.objects.get(plan=plan, purpose="enterprises")
    chinese = _text(client.get(f"/draws/{draw.public_id}/"))
    assert "<h2>自行校验</h2>" in chinese and "抽取被检对象" in chinese
    page = _text(_english(client).get(f"/draws/{draw.public_id}/"))
    assert "<h1>Draw of inspected items</h1>" in page and "<h2>Verify it yourself</h2>" in page
    assert "Download draw record (JSON)" in page and ">Matches</span>" in page
    assert "Items revealed so far" in page and "Frame commitment (Merkle root)" in page
    assert _untranslated(page, _plan_data(plan)) == []


def test_it_gives_the_ceremony_script_its_words_in_the_readers_language(client, setting):
    plan = approved_plan(setting)
    draw_services.frame_build(actor=setting.drafter, plan=plan)
    draw_services.frame_freeze(actor=setting.drafter, plan=Plan.objects.get(pk=plan.pk))
    participant = CeremonyParticipant.objects.filter(ceremony__plan=plan).first()
    page = _text(_english(client).get(f"/ceremony/{planning.link_token(participant)}/"))
    assert 'data-msg-too-short="The secret is too short' in page and "{min}" in page
    assert 'data-msg-network="Network error, please try again"' in page
    assert _untranslated(page, _plan_data(plan)) == []
    script = (Path(settings.BASE_DIR) / "static" / "choujian" / "ceremony.js").read_text(encoding="utf-8")
    assert CJK.findall(script) == []


def test_it_keeps_the_record_in_chinese_whatever_the_language(world):
    enterprise = EnterpriseFactory(region="350102")
    with translation.override("en"):
        assert EnterpriseStatus.label("active") == "存续" and type(EnterpriseStatus.label("active")) is str
        assert EnterpriseStatus.display("active") == "In business"
        assert Role.display(Role.ROLE_AUDITOR) == "Auditor"
        header, rows = export_rows(user=world.provincial_officer, kind="enterprise")
        row = next(rows)
    assert header[-1] == "状态" and row[:2] == [enterprise.uscc, enterprise.name] and row[-1] == "存续"


def _catalogue() -> list[dict]:
    entries, entry, key = [], None, None
    for line in PO.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if entry:
                entries.append(entry)
            entry, key = None, None
            continue
        entry = entry if entry is not None else {"flags": "", "fields": {}}
        if line.startswith("#,"):
            entry["flags"] += line
        elif line.startswith('"'):
            entry["fields"][key] += _unquote(line)
        elif not line.startswith("#"):
            key, _, value = line.partition(" ")
            entry["fields"][key] = _unquote(value)
    return entries


def _unquote(text: str) -> str:
    import ast

    return ast.literal_eval(text)


def test_it_has_an_english_text_for_every_message_in_the_catalogue():
    entries = _catalogue()
    assert len(entries) > 500
    assert not [e for e in entries if "fuzzy" in e["flags"]], "fuzzy entries left in django.po"
    empty = [
        e["fields"]["msgid"]
        for e in entries[1:]
        if not all(value for key, value in e["fields"].items() if key.startswith("msgstr"))
    ]
    assert empty == [], f"msgids without English: {empty[:10]}"


def test_it_ships_a_compiled_catalogue_that_matches_the_po_file():
    with open(PO.with_suffix(".mo"), "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in _catalogue()[1:]:
        fields = entry["fields"]
        msgid = fields["msgid"] if "msgctxt" not in fields else f"{fields['msgctxt']}\x04{fields['msgid']}"
        if "msgid_plural" in fields:
            assert compiled.ngettext(msgid, fields["msgid_plural"], 2) == fields["msgstr[1]"], msgid
        else:
            assert compiled.gettext(msgid) == fields["msgstr"], f"django.mo is stale: run compilemessages ({msgid})"
