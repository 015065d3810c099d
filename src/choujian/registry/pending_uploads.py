"""An uploaded file kept between an import's preview and its confirmation, so the user does not choose it twice.

The file goes to the platform's storage under a random name that only the uploader's session knows; confirming
takes it back (checking its digest) and deletes it. Files left by previews nobody confirmed are removed a day later
by the next preview.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

FOLDER = "registry-import-previews"
SESSION_KEY = "registry_import_previews"
KEPT_FOR = dt.timedelta(days=1)


def _purge_old() -> None:
    try:
        _, names = default_storage.listdir(FOLDER)
    except FileNotFoundError:
        return
    cutoff = timezone.now() - KEPT_FOR
    for name in names:
        path = f"{FOLDER}/{name}"
        try:
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
        except (FileNotFoundError, NotImplementedError):
            continue


def keep(session, kind: str, upload) -> str:
    """Store the upload for this session; returns the token the confirmation form sends back."""
    _purge_old()
    upload.seek(0)
    data = upload.read()
    token = secrets.token_urlsafe(16)
    path = default_storage.save(f"{FOLDER}/{token}", SimpleUploadedFile(token, data))
    kept = session.get(SESSION_KEY, {})
    for old in kept.values():  # one preview at a time per session
        default_storage.delete(old["path"])
    session[SESSION_KEY] = {
        token: {"kind": kind, "name": upload.name, "path": path, "sha256": hashlib.sha256(data).hexdigest()}
    }
    return token


def take(session, token: str, kind: str) -> SimpleUploadedFile | None:
    """The file kept under `token` for this session and registry kind, or None (expired, another session, changed)."""
    entry = session.get(SESSION_KEY, {}).get(token or "")
    if entry is None or entry["kind"] != kind or not default_storage.exists(entry["path"]):
        return None
    with default_storage.open(entry["path"], "rb") as stored:
        data = stored.read()
    if hashlib.sha256(data).hexdigest() != entry["sha256"]:
        return None
    return SimpleUploadedFile(entry["name"], data)


def discard(session, token: str) -> None:
    entry = session.get(SESSION_KEY, {}).pop(token or "", None)
    if entry is not None:
        default_storage.delete(entry["path"])
        session.modified = True
