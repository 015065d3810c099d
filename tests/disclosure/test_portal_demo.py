"""The portal over the demo: its earlier checks' announcements are public (one with a correction), today's draft is
not, the second approval waits on `regulator2`'s to-do page, and a fully sampled draw's revealed record, downloaded
from the portal, passes the stand-alone verifier."""

import re
import subprocess
import sys

import pytest
from django.test import Client

from choujian.accounts.models import User
from choujian.disclosure.models import Announcement
from choujian.todo.selectors import todo_for

DEMO_HISTORY = True  # the earlier checks, announced and closed
pytestmark = pytest.mark.django_db


def test_the_demo_portal_shows_what_was_published_and_hides_the_draft(demo):
    client = Client()
    home = client.get("/").content.decode()
    published = Announcement.objects.filter(status="published")
    assert published.count() == 2 and all(a.title in home for a in published)
    draft = Announcement.objects.get(status="draft")
    assert draft.title not in home and client.get(draft.get_absolute_url()).status_code == 404
    assert draft.rows.get().enterprise_name not in client.get("/open/results.csv").content.decode("utf-8-sig")
    changes = client.get("/open/changes/").json()["changes"]
    assert "corrected" in [c["kind"] for c in changes]
    lines = {line.kind for line in todo_for(User.objects.get(username="regulator2"))}
    assert "announcements_to_publish" in lines
    assert "announcements_to_publish" not in {line.kind for line in todo_for(User.objects.get(username="regulator"))}


def test_a_fully_revealed_draw_from_the_portal_passes_the_stand_alone_verifier(demo, tmp_path):
    client = Client()
    home = client.get("/").content.decode()
    section = home[home.index('id="draws"') :]
    revealed = re.search(r"已全部揭示.*?href=\"/draws/([0-9a-f-]{36})/\"", section, re.S)
    assert revealed, "the demo has a plan whose sampling ended"
    record = client.get(f"/api/v1/draws/{revealed.group(1)}/record")
    assert record.status_code == 200
    (tmp_path / "record.json").write_bytes(record.content)
    (tmp_path / "verify.py").write_bytes(client.get("/draws/verify.py").content)
    run = subprocess.run(
        [sys.executable, str(tmp_path / "verify.py"), str(tmp_path / "record.json")], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "OK" in run.stdout and "sealed" not in run.stdout
