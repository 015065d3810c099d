"""C2SP signed notes (https://c2sp.org/signed-note) with Ed25519, and tlog checkpoints (https://c2sp.org/tlog-checkpoint).

Byte-compatible with golang.org/x/mod/sumdb/note: outside verifiers recompute key ids and signatures exactly.
Standard library plus ``cryptography`` only, so the stand-alone verifier can use it without Django.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

__all__ = [
    "ALG_ED25519",
    "NoteError",
    "SIG_PREFIX",
    "checkpoint_body",
    "generate_private_key",
    "key_id",
    "load_private_key_pem",
    "parse_checkpoint",
    "parse_verifier_key",
    "private_key_to_pem",
    "public_raw",
    "sign_note",
    "verifier_key_string",
    "verify_note",
]

ALG_ED25519 = 0x01
SIG_PREFIX = "\u2014 "  # EM DASH, space
_MAX_SIGNATURES = 100  # same bound as Go's note.Open, so a hostile note cannot make us verify forever
_SIZE_RE = re.compile(r"0|[1-9][0-9]*")
_HEX8_RE = re.compile(r"[0-9a-fA-F]{8}")


class NoteError(ValueError):
    """A note, checkpoint or verifier key is malformed or does not verify."""


def _b64decode(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error) as exc:
        raise NoteError(f"{what} is not valid base64") from exc


def _check_name(name: str) -> None:
    # signed-note: a key name is non-empty UTF-8 with no Unicode spaces and no '+'.
    if not isinstance(name, str) or not name:
        raise NoteError("key name must be a non-empty string")
    if "+" in name or any(ch.isspace() for ch in name):
        raise NoteError(f"key name {name!r} must not contain spaces or '+'")
    try:
        name.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise NoteError(f"key name {name!r} is not valid UTF-8") from exc


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise NoteError("note text must be non-empty and end with a newline")
    if any(ch < " " and ch != "\n" for ch in text):
        raise NoteError("note text must not contain control characters other than newline")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise NoteError("note text is not valid UTF-8") from exc


def checkpoint_body(origin: str, size: int, root: bytes) -> str:
    """tlog-checkpoint body ``<origin>\\n<size>\\n<base64 root>\\n`` (no extension lines)."""
    if not origin or any(ch < " " for ch in origin):
        raise NoteError("checkpoint origin must be a non-empty single line")
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise NoteError(f"checkpoint size must be a non-negative integer, got {size!r}")
    if len(root) != 32:
        raise NoteError(f"checkpoint root must be 32 bytes, got {len(root)}")
    return f"{origin}\n{size}\n{base64.b64encode(root).decode('ascii')}\n"


def parse_checkpoint(body: str) -> tuple[str, int, bytes]:
    """Parse a checkpoint body into ``(origin, size, root)``; extension lines are allowed and ignored."""
    if not body.endswith("\n"):
        raise NoteError("checkpoint must end with a newline")
    lines = body[:-1].split("\n")
    if len(lines) < 3:
        raise NoteError(f"checkpoint needs origin, size and root lines, got {len(lines)} line(s)")
    origin, size_text, root_text, *extensions = lines
    if not origin:
        raise NoteError("checkpoint origin line is empty")
    if not _SIZE_RE.fullmatch(size_text):
        raise NoteError(f"checkpoint size {size_text!r} is not a decimal number without leading zeros")
    root = _b64decode(root_text, "checkpoint root")
    if len(root) != 32:
        raise NoteError(f"checkpoint root must decode to 32 bytes, got {len(root)}")
    # Only the canonical encoding, so a checkpoint has exactly one text for a given root.
    if base64.b64encode(root).decode("ascii") != root_text:
        raise NoteError("checkpoint root is not canonical base64")
    if any(not line for line in extensions):
        raise NoteError("checkpoint extension lines must not be empty")
    return origin, int(size_text), root


def key_id(name: str, public_key_raw32: bytes) -> bytes:
    """Four-byte key id: ``SHA-256(name || "\\n" || 0x01 || public key)[:4]``."""
    if len(public_key_raw32) != 32:
        raise NoteError(f"Ed25519 public key must be 32 bytes, got {len(public_key_raw32)}")
    return hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([ALG_ED25519]) + public_key_raw32).digest()[:4]


def verifier_key_string(name: str, pub: bytes) -> str:
    """Verifier key ``<name>+<hex key id>+<base64(0x01 || public key)>``."""
    _check_name(name)
    kid = key_id(name, pub)
    return f"{name}+{kid.hex()}+{base64.b64encode(bytes([ALG_ED25519]) + pub).decode('ascii')}"


def parse_verifier_key(s: str) -> tuple[str, bytes, bytes]:
    """Parse a verifier key string into ``(name, key_id, public key)``; surrounding whitespace is ignored."""
    text = s.strip()
    # The base64 part may itself contain '+', so split at the first two only.
    parts = text.split("+", 2)
    if len(parts) != 3:
        raise NoteError("verifier key must look like <name>+<key id>+<base64 key>")
    name, kid_hex, key_b64 = parts
    _check_name(name)
    if not _HEX8_RE.fullmatch(kid_hex):
        raise NoteError(f"verifier key id {kid_hex!r} is not 8 hex digits")
    key = _b64decode(key_b64, "verifier key")
    if len(key) != 33 or key[0] != ALG_ED25519:
        raise NoteError("verifier key is not an Ed25519 key (0x01 followed by 32 bytes)")
    pub = key[1:]
    kid = bytes.fromhex(kid_hex)
    if key_id(name, pub) != kid:
        raise NoteError("verifier key id does not match the key name and public key")
    return name, kid, pub


def sign_note(body: str, name: str, private_key: Ed25519PrivateKey) -> str:
    """Sign ``body`` (which must end in a newline): body, blank line, ``— <name> <base64(key id || sig)>``."""
    _check_name(name)
    _check_text(body)
    kid = key_id(name, public_raw(private_key))
    sig = private_key.sign(body.encode("utf-8"))
    return f"{body}\n{SIG_PREFIX}{name} {base64.b64encode(kid + sig).decode('ascii')}\n"


def verify_note(note_text: str | bytes, verifier_key: str) -> str:
    """Return the body of ``note_text`` if it carries a valid signature by ``verifier_key``.

    Signature lines from other keys are ignored, as the signed-note spec requires; a line that claims the
    verifier's name and key id but does not verify makes the whole note invalid. Raises ``NoteError``.
    """
    name, kid, pub = parse_verifier_key(verifier_key)
    if isinstance(note_text, bytes):
        try:
            note_text = note_text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise NoteError("note is not valid UTF-8") from exc
    if any(ch < " " and ch != "\n" for ch in note_text):
        raise NoteError("note contains control characters other than newline")
    split = note_text.rfind("\n\n")
    if split < 0:
        raise NoteError("note has no blank line before its signatures")
    body, sigs = note_text[: split + 1], note_text[split + 2 :]
    if not sigs.endswith("\n"):
        raise NoteError("note signature block is empty or does not end with a newline")
    try:
        public_key = Ed25519PublicKey.from_public_bytes(pub)
    except ValueError as exc:
        raise NoteError(f"verifier key is not a valid Ed25519 public key: {exc}") from exc
    lines = sigs[:-1].split("\n")
    if len(lines) > _MAX_SIGNATURES:
        raise NoteError(f"note has more than {_MAX_SIGNATURES} signatures")
    verified = False
    for line in lines:
        if not line.startswith(SIG_PREFIX):
            raise NoteError(f"signature line {line!r} does not start with '{SIG_PREFIX}'")
        sig_name, _, sig_b64 = line[len(SIG_PREFIX) :].partition(" ")
        _check_name(sig_name)
        blob = _b64decode(sig_b64, "signature")
        if len(blob) < 5:
            raise NoteError("signature is too short")
        if sig_name != name or blob[:4] != kid:
            continue
        if verified:
            raise NoteError(f"note has more than one signature by {name}")
        try:
            public_key.verify(blob[4:], body.encode("utf-8"))
        except InvalidSignature as exc:
            raise NoteError(f"signature by {name} does not verify") from exc
        verified = True
    if not verified:
        raise NoteError(f"note has no signature by {name}+{kid.hex()}")
    return body


def generate_private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def public_raw(private_key: Ed25519PrivateKey) -> bytes:
    """The 32-byte raw Ed25519 public key."""
    return private_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def private_key_to_pem(private_key: Ed25519PrivateKey) -> bytes:
    """PKCS#8 PEM, unencrypted: the key file lives in the data directory, protected by file permissions."""
    return private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def load_private_key_pem(data: bytes | str) -> Ed25519PrivateKey:
    """Load an unencrypted PKCS#8 PEM Ed25519 private key; ``ValueError`` for anything else."""
    if isinstance(data, str):
        data = data.encode("ascii")
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"cannot load PEM private key: {exc}") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"ledger signing key must be Ed25519, got {type(key).__name__}")
    return key
