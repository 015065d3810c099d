"""The yearly bulk files of the open data: one zip per plan year holding every published version of its results
(`results.csv`, `results.jsonl`), every publication, correction and withdrawal (`changes.jsonl`), and
`manifest.json` — the SHA-256 of each file and the signed ledger checkpoint the archive was built at, so anyone can
check the files and tie them to the public log. Built by the scheduled job when a year's results changed."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from choujian.disclosure import opendata
from choujian.disclosure.choices import AnnouncementStatus
from choujian.disclosure.models import BulkArchive, Change, ResultRow
from choujian.ledger.keys import verifier_key
from choujian.ledger.selectors import latest_checkpoint
from choujian.ledger.services import checkpoint_make, ledger_append

FORMAT = "choujian-open-bulk-v1"
SYSTEM = "system"
FIXED_TIME = (2020, 1, 1, 0, 0, 0)  # entries carry no build time: the same files make the same archive


def _rows(year: int):
    rows = ResultRow.objects.filter(
        announcement__plan__year=year, announcement__status=AnnouncementStatus.STATUS_PUBLISHED
    )
    return rows.select_related("announcement__plan").order_by("announcement__published_at", "row_id", "edition")


def _changes(year: int):
    changes = Change.objects.filter(announcement__plan__year=year).select_related("announcement", "row")
    return changes.order_by("at", "pk")


def _change(change: Change) -> dict:
    return {
        "kind": change.kind, "at": change.at.isoformat(), "announcement": change.announcement.code,
        "id": str(change.row.row_id) if change.row_id else None,
        "version": change.row.edition if change.row_id else None,
        "reason": change.reason, "ledger_seq": change.ledger_seq,
    }  # fmt: skip


def _csv(rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([name for name, _title in opendata.FIELDS])
    for row in rows:
        record = opendata.record(row)
        record["failed_items"] = json.dumps(record["failed_items"], ensure_ascii=False, sort_keys=True)
        writer.writerow(["" if record[name] is None else record[name] for name, _title in opendata.FIELDS])
    return buffer.getvalue().encode("utf-8")


def _jsonl(records) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in records).encode("utf-8")


def archive_bytes(year: int) -> tuple[bytes, dict]:
    """The archive of a year and its manifest, at the ledger's newest signed checkpoint (signed now if it grew)."""
    checkpoint_make()
    checkpoint = latest_checkpoint()
    rows = list(_rows(year))
    files = {
        "results.csv": _csv(rows),
        "results.jsonl": _jsonl(opendata.record(row) for row in rows),
        "changes.jsonl": _jsonl(_change(change) for change in _changes(year)),
    }
    counts = {
        "results.csv": len(rows),
        "results.jsonl": len(rows),
        "changes.jsonl": files["changes.jsonl"].count(b"\n"),
    }
    manifest = {
        "format": FORMAT,
        "year": year,
        "built_at": timezone.now().isoformat(),
        "files": [
            {"name": name, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data), "records": counts[name]}
            for name, data in files.items()
        ],
        "ledger": {
            "size": checkpoint.size if checkpoint else 0,
            "root": checkpoint.root if checkpoint else hashlib.sha256(b"").hexdigest(),
            "checkpoint": checkpoint.note if checkpoint else "",
            "verifier_key": verifier_key(),
        },
        "fields": "docs/open-data.md",
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in [
            *files.items(),
            ("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2).encode()),
        ]:
            archive.writestr(
                zipfile.ZipInfo(f"results-{year}/{name}", date_time=FIXED_TIME), data, zipfile.ZIP_DEFLATED
            )
    return buffer.getvalue(), manifest


def bulk_archive_build(year: int) -> BulkArchive:
    # Signed before the transaction: integrating inside it would hold the ledger's head (and so every append) until
    # the archive is built and stored; archive_bytes then finds the checkpoint current.
    checkpoint_make(wait=True)
    with transaction.atomic():
        return _archive_stored(year)


def _archive_stored(year: int) -> BulkArchive:
    data, manifest = archive_bytes(year)
    digest = hashlib.sha256(data).hexdigest()
    archive = BulkArchive(
        year=year, sha256=digest, bytes=len(data), rows=manifest["files"][0]["records"],
        ledger_size=manifest["ledger"]["size"], ledger_root=manifest["ledger"]["root"],
    )  # fmt: skip
    archive.file.save(f"results-{year}-{digest[:12]}.zip", ContentFile(data), save=False)
    archive.save()
    ledger_append(type="open_bulk.built", actor=SYSTEM, object=archive)
    return archive


def bulk_archives_build() -> list[BulkArchive]:
    """Each year whose published results changed since its last archive (or that has none) gets a new one."""
    built = []
    latest = Change.objects.values("announcement__plan__year").annotate(last=Max("at"))
    for entry in latest.order_by("announcement__plan__year"):
        year, last = entry["announcement__plan__year"], entry["last"]
        archive = BulkArchive.objects.filter(year=year).order_by("-created_at").first()
        if archive is None or archive.created_at < last:
            built.append(bulk_archive_build(year))
    return built
