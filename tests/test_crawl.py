"""Crawl the demo as each demo login (and as nobody): every link a page shows its own viewer leads somewhere, and
reading never writes — after every page, file and API read, each table holds exactly what it held before (sessions
and the login lockout counters aside, which signing in itself keeps)."""

import hashlib
import re
from collections import deque

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.urls import reverse

from choujian.accounts.models import User
from choujian.demo.data import LOGINS
from choujian.demo.lab import PARTY_LOGINS

DEMO_HISTORY = True  # the earlier spot checks and their cases at every stage of both ladders

PAGES_PER_LOGIN = 120
LINK = re.compile(r'href="(/[^"#?]*)')
SKIPPED = ("/static/", "/media/", "/logout/", "/admin/", "/i18n/")
FILES = (".pdf", ".png", ".jpg", ".jpeg", ".xlsx", ".csv", ".json", ".zip")
# What signing in writes by itself: the session, the last login time, the lockout counters.
SIGN_IN_TABLES = {"django_session", "accounts_user"}
SIGN_IN_PREFIXES = ("axes_",)
# Machine text (commands, codes, an edited YAML document) and what is marked as another language.
HIDDEN = re.compile(
    r"<(script|style|svg|code|kbd|samp|pre|textarea)\b.*?</\1>|<!--.*?-->"
    r"|<[^>]*\blang=[\"']en[\"'][^>]*>.*?</[a-z]+>",
    re.S,
)
TAG = re.compile(r"<[^>]+>")
ATTRIBUTES = re.compile(r'\b(?:placeholder|title|aria-label|alt)="([^"]*)"')
ENTITY = re.compile(r"&[a-z]+;|&#\d+;|\b[A-Z][a-z0-9.]*,(?:max|min)\b")  # entities; symbols such as Fm,max
TOKEN = re.compile(r"(?<![A-Za-z0-9])(?:[A-Za-z][A-Za-z0-9_.\-/]*[A-Za-z0-9]|[A-Za-z]{2,})")
# Capitals are codes and abbreviations as the data gives them: a model's or grade's letters (SX, GD, HRB), a blind
# laboratory code (LZLRG-GGXFF); the check is after words and identifiers in small letters.
CODE_LETTERS = re.compile(r"[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*")
# Units, standards, codes' letters and abbreviations used as they are in Chinese text.
ALLOWED = frozenset(
    "MPa kPa Pa GPa kN N mm cm m km kg g t h min s mL L ℃ MHz dB lx cd mcd μm ml m² m³ mg km/h kN/m g/m m/R rad "
    "g/cm cm/s GB/T JT/T JG/T HG/T QB/T YB/T T/CECS Choujian Python Efraimidis Spirakis chinesecalendar xlsx csv "
    "Excel Wi-Fi Android iOS OpenAPI Atom Merkle UTF-8 No "
    # the extensions of files people uploaded, shown with their names
    "jpg jpeg png pdf "
    # the stand-alone verifier's command line, shown as it is typed
    "python3 verify.py record.json "
    # symbols of the standards: Agt (total elongation at maximum force), Fm, Fp0.2, ReH, ReL, eL, Rm, Ac
    "Agt Fm Fp0.2 ReH ReL eL eL/ReL Rm Ac".split()
)


def english_words(html: str) -> set[str]:
    """Words in Latin letters a reader sees (text, placeholders, labels, titles) that are not codes, units,
    standard numbers or the few abbreviations people use in Chinese text too."""
    html = HIDDEN.sub(" ", html)
    shown = " ".join([*ATTRIBUTES.findall(html), TAG.sub(" ", html)])
    shown = ENTITY.sub(" ", shown)
    found = set()
    for token in TOKEN.findall(shown):
        if any(c.isdigit() for c in token) or CODE_LETTERS.fullmatch(token):
            continue
        if token in ALLOWED or token.strip("._-/") in ALLOWED:
            continue
        found.add(token)
    return found


def _crawl(client: Client) -> tuple[list[str], int]:
    """Follows the links pages show; a file link is fetched (it must not write either) but not parsed."""
    queue, seen, dead = deque([("/", "")]), set(), []
    while queue and len(seen) < PAGES_PER_LOGIN:
        url, came_from = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code in (301, 302) and response["Location"].startswith("/"):
            queue.append((response["Location"].split("?")[0], url))  # e.g. to the login page
            continue
        if response.status_code in (403, 404) or response.status_code >= 500:
            dead.append(f"{url} → {response.status_code} (linked from {came_from})")
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        for word in sorted(english_words(html)):
            dead.append(f"{url}: English or developer word “{word}”")
        for link in LINK.findall(html):
            if not link.startswith(SKIPPED) and link not in seen and not link.startswith("/api/"):
                queue.append((link, url))
    return dead, len(seen)


def _api_reads(client: Client) -> int:
    """Every API list the schema offers, and the first item of each as its detail."""
    schema = client.get(reverse("api-schema"), {"format": "json"}).json()
    reads = 0
    for path, methods in schema["paths"].items():
        if "get" not in methods or "{" in path:
            continue
        response = client.get(path)
        reads += 1
        items = response.json().get("results") if response.status_code == 200 and _is_json(response) else None
        detail = f"{path}{{"
        if items and isinstance(items[0], dict):
            key = next((k for k in ("code", "id", "lab_code") if k in items[0]), None)
            nested = [p for p in schema["paths"] if p.startswith(detail) and p.count("{") == 1 and p.endswith("}/")]
            if key and nested:
                client.get(nested[0].split("{")[0] + str(items[0][key]) + "/")
                reads += 1
    return reads


def _is_json(response) -> bool:
    return response.get("Content-Type", "").startswith("application/json") and isinstance(response.json(), dict)


def _snapshot() -> dict[str, str]:
    """A digest of every row of every table (ordered by primary key)."""
    digests = {}
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            if table in SIGN_IN_TABLES or table.startswith(SIGN_IN_PREFIXES) or table in digests:
                continue
            pk = connection.ops.quote_name(model._meta.pk.column)
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY {pk}")  # noqa: S608
            digests[table] = hashlib.sha256(repr(cursor.fetchall()).encode()).hexdigest()
    return digests


def _changed(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(table for table in before if before[table] != after.get(table))


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["", *[spec.username for spec in LOGINS], *sorted(PARTY_LOGINS)])
def test_pages_lead_somewhere_and_reading_writes_nothing(demo, demo_media, settings, username):
    settings.MEDIA_ROOT = demo_media  # the demo's photos and reports, which pages read
    client = Client()
    if username:
        client.force_login(User.objects.get(username=username))
    before = _snapshot()
    dead, pages = _crawl(client)
    reads = _api_reads(client) if username else 0
    assert dead == []
    assert pages > 1 and (reads > 10 or not username)
    assert _changed(before, _snapshot()) == []
