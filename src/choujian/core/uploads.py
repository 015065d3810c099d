"""What an uploaded file is, by its bytes (never by its name), and its SHA-256 computed as it arrives."""

import hashlib

DOCUMENT_TYPES = {"application/pdf", "image/jpeg", "image/png", "image/webp"}


def sniff_type(head: bytes) -> str:
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    # The name is the uploader's claim; only the bytes decide what a file is.
    return "application/octet-stream"


def digest_and_type(upload) -> tuple[str, str]:
    """(SHA-256 hex, content type) of an upload, read once in chunks; the upload is rewound for saving."""
    sha, head = hashlib.sha256(), b""
    for chunk in upload.chunks():
        if not head:
            head = chunk[:16]
        sha.update(chunk)
    upload.seek(0)
    return sha.hexdigest(), sniff_type(head)
