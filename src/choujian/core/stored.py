"""Reading a stored file back as it was recorded: its SHA-256 is checked before a byte is sent, whichever storage
holds it (the local disk, or an S3-compatible object store that someone else administers)."""

from __future__ import annotations

import hashlib
import logging
import tempfile

log = logging.getLogger(__name__)
CHUNK = 1 << 20
SPOOL_IN_MEMORY = 8 << 20  # larger files (videos) are checked through a temporary file
ALTERED = "文件内容与登记时的 SHA-256 不符，可能已被改动，不予提供。请联系平台管理员，以追溯日志中的摘要为准。"


class AlteredFile(Exception):
    """The stored bytes are not those recorded."""


def open_verified(field_file, expected_sha256: str):
    """The file's content as a file object positioned at its start, once its SHA-256 equals the recorded one."""
    digest = hashlib.sha256()
    copy = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)
    with field_file.open("rb") as source:
        while block := source.read(CHUNK):
            digest.update(block)
            copy.write(block)
    if digest.hexdigest() != expected_sha256:
        copy.close()
        log.error("stored file %s does not match its recorded SHA-256", field_file.name)
        raise AlteredFile(field_file.name)
    copy.seek(0)
    return copy
