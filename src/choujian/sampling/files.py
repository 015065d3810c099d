"""Uploaded evidence and signature images: hashed as they arrive, typed by content, EXIF read, stored atomically.

A file is written to storage only after it has arrived whole and passed every check, under a name derived from its
SHA-256, so a retried upload of the same bytes reuses the stored file. `stored_files()` removes what a service
wrote if the service fails and its database transaction rolls back: a failed upload leaves no file behind.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from django.core.files.base import ContentFile, File
from django.core.files.storage import Storage, default_storage
from django.utils import timezone

from choujian.core.errors import ServiceError

MAX_IMAGE_BYTES = 25 * 1024 * 1024
MAX_VIDEO_BYTES = 300 * 1024 * 1024
MAX_DOCUMENT_BYTES = 25 * 1024 * 1024
MAX_SIGNATURE_BYTES = 2 * 1024 * 1024
THUMBNAIL_PX = 320

IMAGE_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/heic": "heic"}
VIDEO_TYPES = {"video/mp4": "mp4", "video/quicktime": "mov", "video/webm": "webm"}
DOCUMENT_TYPES = {"application/pdf": "pdf"}


def sniff(head: bytes) -> str | None:
    """The content type from the first bytes, whatever the name or the client's claim."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x1aE\xdf\xa3"):
        return "video/webm"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"heic", b"heix", b"mif1", b"msf1", b"hevc"):
            return "image/heic"
        if brand == b"qt  ":
            return "video/quicktime"
        return "video/mp4"
    return None


@dataclass(frozen=True)
class Received:
    """A file that arrived whole: its bytes' SHA-256, size, sniffed type and file extension."""

    file: File
    sha256: str
    size: int
    content_type: str
    extension: str
    name: str


def receive(upload, *, field: str, allowed: dict[str, str], max_bytes: int, declared_sha256: str = "") -> Received:
    """Hash and type-check an upload. `declared_sha256` (computed by the phone) catches a file cut off in transit."""
    if upload is None:
        raise ServiceError({field: ["请选择要上传的文件"]})
    size = getattr(upload, "size", None)
    if not size:
        raise ServiceError({field: ["文件为空"]})
    if size > max_bytes:
        raise ServiceError({field: [f"文件过大（{size} 字节），上限 {max_bytes // 1024 // 1024} MB"]})
    sha = hashlib.sha256()
    head = b""
    total = 0
    for chunk in upload.chunks():
        if len(head) < 32:
            head += chunk[: 32 - len(head)]
        sha.update(chunk)
        total += len(chunk)
    if total != size:
        raise ServiceError({field: [f"文件不完整：应有 {size} 字节，只收到 {total} 字节，请重新上传"]})
    digest = sha.hexdigest()
    declared = (declared_sha256 or "").strip().lower()
    if declared and declared != digest:
        raise ServiceError({field: ["文件在传输中不完整或被改动（SHA-256 与手机上计算的不一致），请重新上传"]})
    content_type = sniff(head)
    if content_type not in allowed:
        kinds = "、".join(sorted({_KIND_NAMES.get(t, t) for t in allowed}))
        raise ServiceError({field: [f"不支持的文件类型，只接受：{kinds}"]})
    upload.seek(0)
    name = (getattr(upload, "name", "") or "file").rsplit("/", 1)[-1][:255]
    return Received(upload, digest, size, content_type, allowed[content_type], name)


_KIND_NAMES = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/webp": "WebP",
    "image/heic": "HEIC",
    "video/mp4": "MP4",
    "video/quicktime": "MOV",
    "video/webm": "WebM",
    "application/pdf": "PDF",
}


class StoredFiles:
    """Files written during one service call; `discard()` deletes those this call created (on failure)."""

    def __init__(self, storage: Storage | None = None) -> None:
        self.storage = storage or default_storage
        self.created: list[str] = []

    def put(self, directory: str, received: Received) -> str:
        name = f"{directory}/{received.sha256[:2]}/{received.sha256}.{received.extension}"
        if not self.storage.exists(name):
            saved = self.storage.save(name, received.file)
            self.created.append(saved)
            return saved
        return name

    def put_bytes(self, name: str, data: bytes) -> str:
        if self.storage.exists(name):
            return name
        saved = self.storage.save(name, ContentFile(data))
        self.created.append(saved)
        return saved

    def discard(self) -> None:
        for name in self.created:
            try:
                self.storage.delete(name)
            except OSError:
                pass
        self.created.clear()


@contextmanager
def stored_files() -> Iterator[StoredFiles]:
    """Collect the files a service writes; if the service fails (and its transaction rolls back), delete them."""
    stored = StoredFiles()
    try:
        yield stored
    except BaseException:
        stored.discard()
        raise


@dataclass(frozen=True)
class PhotoFacts:
    taken_at: datetime | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    thumbnail: bytes | None = None


def photo_facts(received: Received) -> PhotoFacts:
    """EXIF time and GPS position, and a JPEG thumbnail, for images Pillow can read (else nothing)."""
    if not received.content_type.startswith("image/"):
        return PhotoFacts()
    try:
        from PIL import Image, ImageOps

        received.file.seek(0)
        with Image.open(received.file) as image:
            exif = image.getexif()
            taken_at = _exif_time(exif)
            latitude, longitude = _exif_position(exif)
            thumb = ImageOps.exif_transpose(image)
            thumb.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
            out = io.BytesIO()
            thumb.convert("RGB").save(out, "JPEG", quality=80)
        return PhotoFacts(taken_at, latitude, longitude, out.getvalue())
    except Exception:  # noqa: BLE001 - a photo Pillow cannot parse is still evidence; it just has no facts
        return PhotoFacts()
    finally:
        received.file.seek(0)


def _exif_time(exif) -> datetime | None:
    raw = exif.get_ifd(0x8769).get(0x9003) or exif.get(0x0132)  # DateTimeOriginal, else DateTime
    if not isinstance(raw, str):
        return None
    try:
        local = datetime.strptime(raw.strip()[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    # EXIF times carry no zone; phones on site in China record Beijing time.
    return timezone.make_aware(local, timezone.get_fixed_timezone(8 * 60)).astimezone(UTC)


def _exif_position(exif) -> tuple[Decimal | None, Decimal | None]:
    gps = exif.get_ifd(0x8825)
    try:
        lat = _degrees(gps[2], gps.get(1, "N") in ("S", b"S"))
        lon = _degrees(gps[4], gps.get(3, "E") in ("W", b"W"))
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None, None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None, None
    return lat, lon


def _degrees(parts, negative: bool) -> Decimal:
    d, m, s = (float(p) for p in parts)
    value = Decimal(str(round(d + m / 60 + s / 3600, 6)))
    return -value if negative else value


def signature_png(upload, *, field: str = "image", declared_sha256: str = "") -> Received:
    """A handwritten signature: a PNG (from the phone's canvas) that is not blank."""
    received = receive(
        upload,
        field=field,
        allowed={"image/png": "png"},
        max_bytes=MAX_SIGNATURE_BYTES,
        declared_sha256=declared_sha256,
    )
    try:
        from PIL import Image

        received.file.seek(0)
        with Image.open(received.file) as image:
            alpha = image.convert("LA").getchannel("A")
            gray = image.convert("L")
            inked = alpha.getextrema()[1] > 0 and (alpha.getextrema()[0] < 255 or gray.getextrema()[0] < 200)
    except Exception:  # noqa: BLE001
        raise ServiceError({field: ["签名图像无法识别，请重新签名"]}) from None
    finally:
        received.file.seek(0)
    if not inked:
        raise ServiceError({field: ["签名为空白，请在签名框内手写签名"]})
    return received
