"""Every link a page shows its own viewer leads somewhere: crawl the demo as each demo login, from the home page,
following the links each page shows, and fail on any 403, 404 or 500 it leads to."""

import re
from collections import deque

import pytest
from django.test import Client

from choujian.accounts.models import User
from choujian.demo.data import LOGINS

PAGES_PER_LOGIN = 120
LINK = re.compile(r'href="(/[^"#?]*)')
SKIPPED = ("/static/", "/media/", "/logout/", "/admin/", "/api/", "/i18n/")
FILES = (".pdf", ".png", ".jpg", ".jpeg", ".xlsx", ".csv", ".json", ".zip")


def _crawl(user: User) -> list[str]:
    client = Client()
    client.force_login(user)
    queue, seen, dead = deque([("/", "")]), set(), []
    while queue and len(seen) < PAGES_PER_LOGIN:
        url, came_from = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code in (403, 404) or response.status_code >= 500:
            dead.append(f"{url} → {response.status_code} (linked from {came_from})")
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        for link in LINK.findall(response.content.decode()):
            if not link.startswith(SKIPPED) and not link.endswith(FILES) and link not in seen:
                queue.append((link, url))
    return dead


@pytest.mark.django_db
@pytest.mark.parametrize("username", [spec.username for spec in LOGINS])
def test_no_page_links_its_viewer_to_a_dead_end(demo, demo_media, settings, username):
    settings.MEDIA_ROOT = demo_media  # the demo's photos and reports, which pages read
    assert _crawl(User.objects.get(username=username)) == []
