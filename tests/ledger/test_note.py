"""C2SP signed notes and tlog checkpoints, anchored to the golang.org/x/mod/sumdb/note test vector."""

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from choujian.ledger.note import (
    NoteError,
    checkpoint_body,
    generate_private_key,
    key_id,
    load_private_key_pem,
    parse_checkpoint,
    parse_verifier_key,
    private_key_to_pem,
    public_raw,
    sign_note,
    verifier_key_string,
    verify_note,
)

# golang.org/x/mod/sumdb/note (note.go example, note_test.go). Ed25519 signing is deterministic, so matching
# these bytes means Go's note.Open, and every witness built on it, accepts what we sign.
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
GO_NOTE = (
    GO_TEXT
    + "\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)

ORIGIN = "choujian.example.cn/ledger"
ROOT = bytes(range(32))


def go_private_key() -> Ed25519PrivateKey:
    blob = base64.b64decode(GO_SKEY.split("+", 4)[4])
    assert blob[0] == 0x01
    return Ed25519PrivateKey.from_private_bytes(blob[1:])


@pytest.fixture(scope="module")
def key() -> Ed25519PrivateKey:
    return generate_private_key()


@pytest.fixture(scope="module")
def vkey(key: Ed25519PrivateKey) -> str:
    return verifier_key_string(ORIGIN, public_raw(key))


def test_go_vector_key() -> None:
    name, kid, pub = parse_verifier_key(GO_VKEY)
    assert (name, kid.hex()) == ("PeterNeumann", "c74f20a3")
    assert pub == public_raw(go_private_key())
    assert key_id(name, pub) == kid
    assert verifier_key_string(name, pub) == GO_VKEY


def test_go_vector_note_signs_byte_for_byte_and_verifies() -> None:
    assert sign_note(GO_TEXT, "PeterNeumann", go_private_key()) == GO_NOTE
    assert verify_note(GO_NOTE, GO_VKEY) == GO_TEXT
    assert verify_note(GO_NOTE.encode("utf-8"), GO_VKEY) == GO_TEXT
    with pytest.raises(NoteError, match="does not verify"):
        verify_note(GO_NOTE.replace("cryptography", "cryptographY"), GO_VKEY)


def test_checkpoint_exact_text(key: Ed25519PrivateKey, vkey: str) -> None:
    body = checkpoint_body(ORIGIN, 1234, ROOT)
    assert body == "choujian.example.cn/ledger\n1234\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n"
    signed = sign_note(body, ORIGIN, key)
    head, sep, sig_line = signed.rpartition("\n\n")
    assert head + "\n" == body and sep == "\n\n"
    assert sig_line.startswith("\u2014 choujian.example.cn/ledger ") and sig_line.endswith("\n")
    blob = base64.b64decode(sig_line.rstrip("\n").split(" ")[2], validate=True)
    assert len(blob) == 4 + 64
    assert blob[:4] == key_id(ORIGIN, public_raw(key)) == bytes.fromhex(vkey.split("+")[1])
    assert verify_note(signed, vkey) == body
    assert parse_checkpoint(verify_note(signed, vkey)) == (ORIGIN, 1234, ROOT)
    assert checkpoint_body(ORIGIN, 0, ROOT).split("\n")[1] == "0"


def test_verifier_key_format(key: Ed25519PrivateKey, vkey: str) -> None:
    name, kid_hex, key_b64 = vkey.split("+", 2)
    assert name == ORIGIN and len(kid_hex) == 8 and kid_hex == kid_hex.lower()
    assert base64.b64decode(key_b64) == b"\x01" + public_raw(key)
    assert parse_verifier_key(vkey + "\n") == (ORIGIN, bytes.fromhex(kid_hex), public_raw(key))


def test_tampered_checkpoints_fail(key: Ed25519PrivateKey, vkey: str) -> None:
    signed = sign_note(checkpoint_body(ORIGIN, 1234, ROOT), ORIGIN, key)
    other_root = base64.b64encode(bytes(32)).decode()
    for tampered in [
        signed.replace("\n1234\n", "\n1235\n"),
        signed.replace("\n1234\n", "\n123\n"),
        signed.replace("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", other_root),
        signed.replace(ORIGIN + "\n", "evil.example/ledger\n", 1),
        signed.replace("\n\n", "\nextension\n\n"),
    ]:
        assert tampered != signed
        with pytest.raises(NoteError):
            verify_note(tampered, vkey)


def test_signature_by_another_key_fails(key: Ed25519PrivateKey, vkey: str) -> None:
    body = checkpoint_body(ORIGIN, 7, ROOT)
    impostor = sign_note(body, ORIGIN, generate_private_key())
    with pytest.raises(NoteError, match="no signature by"):
        verify_note(impostor, vkey)
    # Same name and key id as ours but a signature made by another key: must be rejected, not skipped.
    forged_blob = key_id(ORIGIN, public_raw(key)) + base64.b64decode(impostor.rstrip("\n").split(" ")[-1])[4:]
    forged = f"{body}\n\u2014 {ORIGIN} {base64.b64encode(forged_blob).decode()}\n"
    with pytest.raises(NoteError, match="does not verify"):
        verify_note(forged, vkey)


def test_other_signers_are_tolerated(key: Ed25519PrivateKey, vkey: str) -> None:
    body = checkpoint_body(ORIGIN, 7, ROOT)
    ours = sign_note(body, ORIGIN, key)
    witness = sign_note(body, "witness.example", generate_private_key())
    witness_line = witness[len(body) + 1 :]
    for both in [ours + witness_line, body + "\n" + witness_line + ours[len(body) + 1 :]]:
        assert verify_note(both, vkey) == body
    with pytest.raises(NoteError, match="no signature by"):
        verify_note(witness, vkey)
    with pytest.raises(NoteError, match="more than one signature"):
        verify_note(ours + ours[len(body) + 1 :], vkey)


@pytest.mark.parametrize(
    "mangle",
    [
        lambda n: n.replace("\n\n", "\n"),  # no blank line before signatures
        lambda n: n[:-1],  # no final newline
        lambda n: n.replace("\u2014", "-"),  # not an EM DASH
        lambda n: n.replace("\u2014 ", "\u2014"),
        lambda n: n[:-1] + "!\n",  # bad base64
        lambda n: n.replace("\n1234\n", "\n12\t34\n"),  # control character
        lambda n: n + "\n",  # empty signature line
        lambda n: n.split("\n\n")[0] + "\n\n",  # no signatures at all
    ],
)
def test_malformed_notes_rejected(key: Ed25519PrivateKey, vkey: str, mangle) -> None:
    signed = sign_note(checkpoint_body(ORIGIN, 1234, ROOT), ORIGIN, key)
    with pytest.raises(NoteError):
        verify_note(mangle(signed), vkey)


def test_verifier_key_manglings_rejected() -> None:
    # As in Go's TestNewVerifier: every proper substring and every single-character change must be refused.
    for i in range(len(GO_VKEY)):
        for j in range(i + 1, len(GO_VKEY) + 1):
            if (i, j) != (0, len(GO_VKEY)):
                with pytest.raises(NoteError):
                    parse_verifier_key(GO_VKEY[i:j])
        with pytest.raises(NoteError):
            parse_verifier_key(GO_VKEY[:i] + chr(ord(GO_VKEY[i]) + 1) + GO_VKEY[i + 1 :])
    ed_and_wrong_alg = "PeterNeumann+c74f20a3+" + base64.b64encode(b"\x02" + bytes(32)).decode()
    with pytest.raises(NoteError):
        parse_verifier_key(ed_and_wrong_alg)
    with pytest.raises(NoteError):
        verifier_key_string("bad name", bytes(32))
    with pytest.raises(NoteError):
        verifier_key_string("bad+name", bytes(32))


@pytest.mark.parametrize(
    "body",
    [
        "origin\n5\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",  # no final newline
        "origin\n5\n",
        "\n5\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n",
        "origin\n05\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n",
        "origin\n-5\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n",
        "origin\n+5\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n",
        "origin\n 5\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n",
        "origin\n٥\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n",  # non-ASCII digit
        "origin\n5\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\n",  # missing padding
        "origin\n5\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh9=\n",  # non-canonical trailing bits
        "origin\n5\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd\n",  # 30 bytes
        "origin\n5\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n\n",  # empty extension line
        "origin\n5\n%%%\n",
    ],
)
def test_malformed_checkpoint_bodies_rejected(body: str) -> None:
    with pytest.raises(NoteError):
        parse_checkpoint(body)


def test_checkpoint_extension_lines_and_validation() -> None:
    body = checkpoint_body(ORIGIN, 5, ROOT) + "Timestamp: 1700000000\n"
    assert parse_checkpoint(body) == (ORIGIN, 5, ROOT)
    for args in [("", 1, ROOT), ("a\nb", 1, ROOT), (ORIGIN, -1, ROOT), (ORIGIN, True, ROOT), (ORIGIN, 1, ROOT[:31])]:
        with pytest.raises(NoteError):
            checkpoint_body(*args)
    with pytest.raises(NoteError):
        sign_note("no final newline", ORIGIN, go_private_key())


def test_pem_round_trip() -> None:
    k = generate_private_key()
    pem = private_key_to_pem(k)
    assert pem.startswith(b"-----BEGIN PRIVATE KEY-----\n")
    assert public_raw(load_private_key_pem(pem)) == public_raw(k)
    assert public_raw(load_private_key_pem(pem.decode())) == public_raw(k)
    assert len(public_raw(k)) == 32
    ec_pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    for bad in [ec_pem, b"not a key", pem.replace(b"A", b"B", 3)]:
        with pytest.raises(ValueError):
            load_private_key_pem(bad)
