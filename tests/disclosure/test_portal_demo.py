"""The portal over the demo: its earlier checks' announcements are public (one with a correction), today's draft is
not, the second approval waits on `regulator2`'s to-do page, and a fully sampled draw's revealed record, downloaded
from the portal, passes the stand-alone verifier."""

import re
import subprocess
import sys

import pytest
from django.test import Client
from django.urls import reverse

from choujian.accounts.models import User
from choujian.disclosure.models import Announcement
from choujian.todo.selectors import todo_for

DEMO_HISTORY = True  # the earlier checks, announced and closed
pytestmark = pytest.mark.django_db


def test_the_demo_portal_shows_what_was_published_and_hides_the_draft(demo):
    client = Client()
    home = client.get("/").content.decode()
    published = Announcement.objects.filter(status="published")
    assert published.count() == 3 and all(a.title in home for a in published)
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


def test_the_recheck_announcement_publishes_the_rechecks_and_the_maintained_batch_and_links_back(demo):
    client = Client()
    recheck = Announcement.objects.get(kind="recheck", status="published")
    results = Announcement.objects.get(kind="results", plan=recheck.plan, status="published")
    assert recheck.follows == results
    page = client.get(recheck.get_absolute_url()).content.decode()
    assert "二、复查结果" in page and "三、未按期申请复查的产品" in page and results.get_absolute_url() in page
    maintained = recheck.rows.get(note="未按期申请复查，抽查结论维持不合格")
    rechecked = recheck.rows.exclude(pk=maintained.pk)
    assert sorted(row.conclusion for row in rechecked) == ["fail", "pass"]
    assert all(row.note.startswith("复查") and row.sample_count and row.refers_to for row in rechecked)
    original = results.rows.get(task=maintained.task)
    assert maintained.refers_to == original.row_id and maintained.conclusion == "fail"
    assert f"/open/results/{original.row_id}/" in page
    api = client.get("/api/open/v1/results/", {"q": maintained.enterprise_uscc}).json()["results"]
    kinds = {(r["kind"], r["note"]) for r in api}
    assert ("recheck", maintained.note) in kinds and ("results", "") in kinds
    assert all(r["region_name"].startswith("福建省") for r in api)
    pdf = client.get(f"/open/announcements/{recheck.code}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    from choujian.core.errors import ServiceError
    from choujian.disclosure import services

    with pytest.raises(ServiceError) as nothing_left:
        services.announcement_draft(actor=User.objects.get(username="regulator"), plan=recheck.plan, kind="recheck")
    assert "复查" in str(nothing_left.value.errors["plan"])


def test_the_yearly_bulk_archive_holds_every_published_version_with_digests_and_the_checkpoint(
    demo, demo_media, settings
):
    import hashlib
    import io
    import json
    import zipfile

    from choujian.disclosure import bulk, services
    from choujian.disclosure.models import BulkArchive, ResultRow
    from choujian.ledger import note
    from choujian.ledger.services import root_at

    settings.MEDIA_ROOT = demo_media
    client = Client()
    recheck = Announcement.objects.get(kind="recheck", status="published")
    year = recheck.plan.year
    home = client.get("/").content.decode()
    assert f"/open/bulk/{year}.zip" in home
    response = client.get(f"/open/bulk/{year}.zip")
    assert response.status_code == 200 and response["Access-Control-Allow-Origin"] == "*"
    data = b"".join(response.streaming_content)
    assert hashlib.sha256(data).hexdigest() == response["X-Content-SHA256"]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        files = {name.split("/", 1)[1]: archive.read(name) for name in archive.namelist()}
    manifest = json.loads(files.pop("manifest.json"))
    assert manifest["year"] == year and {f["name"] for f in manifest["files"]} == set(files)
    for entry in manifest["files"]:
        assert hashlib.sha256(files[entry["name"]]).hexdigest() == entry["sha256"]
    published = ResultRow.objects.filter(announcement__plan__year=year, announcement__status="published")
    lines = [json.loads(line) for line in files["results.jsonl"].decode().splitlines()]
    assert len(lines) == published.count() and {line["kind"] for line in lines} == {"results", "recheck"}
    assert any(line["version"] == 2 for line in lines) and any(line["status"] == "superseded" for line in lines)
    ledger = manifest["ledger"]
    assert note.verify_note(ledger["checkpoint"], client.get(reverse("ledger-key")).content.decode())
    assert root_at(ledger["size"]).hex() == ledger["root"]
    # the job builds again only for a year whose published results changed
    assert bulk.bulk_archives_build() == []
    row = published.filter(status="current").first()
    services.row_withdraw(actor=User.objects.get(username="regulator"), row=row, reason="测试撤回")
    [rebuilt] = bulk.bulk_archives_build()
    assert rebuilt.year == year and BulkArchive.objects.filter(year=year).count() == 2
    assert client.get("/open/bulk/1999.zip").status_code == 404
