"""The checkpoint signing key: generated once into the key directory (outside the data directory), or supplied by
configuration (CHOUJIAN_LEDGER_KEY_PEM, CHOUJIAN_LEDGER_KEY_FILE)."""

import os
import shutil
from functools import lru_cache

from django.conf import settings

from choujian.ledger import note


def _key_path():
    return settings.CHOUJIAN_LEDGER_KEY_FILE


@lru_cache(maxsize=1)
def signing_key():
    pem = os.environ.get("CHOUJIAN_LEDGER_KEY_PEM")
    if pem:
        return note.load_private_key_pem(pem.encode())
    path = _key_path()
    if not path.exists():
        _adopt_legacy_key(path)
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            # O_EXCL: when two processes start at once, exactly one writes the key and both then read it.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(note.private_key_to_pem(note.generate_private_key()))
    return note.load_private_key_pem(path.read_bytes())


def _adopt_legacy_key(path) -> None:
    """Installations from before the key moved out of the data directory keep their key (and their checkpoints'
    signatures): it is moved, not regenerated."""
    legacy = settings.DATA_DIR / "ledger_ed25519.pem"
    if legacy.exists() and legacy != path:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        shutil.move(str(legacy), str(path))


def key_name() -> str:
    return settings.CHOUJIAN_LEDGER_ORIGIN


def verifier_key() -> str:
    return note.verifier_key_string(key_name(), note.public_raw(signing_key()))
